"""The contract: one module per area of the report. Collected by ``pytest --pyargs conformance``."""
