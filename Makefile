# Two commands matter: `make demo` (the main job) and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := exchanges adapters simulator conformance tests bench examples

.PHONY: test lint typecheck unit demo bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy $(PACKAGES)
	$(PY) -m pytest

unit: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
