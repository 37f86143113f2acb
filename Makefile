# Two commands matter: `make demo` (the main job) and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := exchanges adapters simulator conformance signals tests bench examples

.PHONY: test unit demo bench clean conformance

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,sweep,parquet]'
	@touch $@

CONFORMANCE_TARGETS ?= paper,kucoin-sim,kucoin-sim-socket,kucoin-sim-classic,binance-sim,binance-sim-socket
TARGET ?= paper

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy $(PACKAGES)
	$(PY) -m pytest
	$(PY) -m pytest --pyargs conformance --conformance-target=$(CONFORMANCE_TARGETS)

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
