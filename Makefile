# Parley: `make run` serves the demo help center; `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHECKED_PATHS := server tests benchmarks

.PHONY: run test lint bench chromium clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Parley needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(INSTALLED)
	$(BIN)/parley db upgrade
	$(BIN)/parley kb index
	$(BIN)/parley serve

chromium:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

lint: $(INSTALLED)
	$(BIN)/ruff check $(CHECKED_PATHS)
	$(BIN)/ruff format --check $(CHECKED_PATHS)
	$(BIN)/mypy

test: $(INSTALLED) chromium lint
	$(BIN)/pytest

bench: $(INSTALLED) chromium
	@# benchmarks/_*.py are their helpers (the bare relay ws_load starts), not benchmarks
	@for script in $(filter-out benchmarks/_%,$(wildcard benchmarks/*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) data tests/artifacts
