# Two commands matter: `make demo` (the main job) and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := exchanges adapters simulator conformance signals tests bench examples

.PHONY: test unit demo bench clean conformance contracts

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,sweep,parquet]'
	@touch $@

# The contract's targets, in groups: each group is one pytest run, and `make test` runs the
# groups and the unit tests side by side (most of their time is spent waiting on sockets and
# clocks, not computing), printing each part's output whole as it ends.
CONFORMANCE_GROUPS ?= paper,kucoin-sim,kucoin-sim-classic kucoin-sim-socket binance-sim,binance-sim-socket
TEST_JOBS ?= 4
TARGET ?= paper

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy $(PACKAGES)
	@echo "the unit tests and the contract ($(CONFORMANCE_GROUPS)) run side by side; each prints when it ends"
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target unit contracts

contracts: $(addprefix contract@,$(CONFORMANCE_GROUPS))

contract@%: $(VENV)/.installed
	$(PY) -m pytest --pyargs conformance --conformance-target=$*

conformance: $(VENV)/.installed
	$(PY) -m conformance --target $(TARGET)

unit: $(VENV)/.installed
	$(PY) -m pytest

demo: $(VENV)/.installed
	$(PY) examples/demo.py

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
