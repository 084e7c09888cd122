# Parley: `make run` serves the demo help center; `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-run
INSTALLED := $(VENV)/.installed-dev
RUN_LOCK := requirements/run.txt
DEV_LOCK := requirements/dev.txt
PIP_INSTALL := $(BIN)/python -m pip install -q --require-hashes --no-deps
# The locks hold every platform and Python >= 3.11 (markers), resolved from pyproject.toml.
LOCK := $(BIN)/uv pip compile -q --universal --python-version 3.11 --generate-hashes \
	pyproject.toml requirements/build.in
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHECKED_PATHS := server tests benchmarks

.PHONY: run test lint bench chromium clean lock upgrade

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Parley needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)

# Every package comes from a lock, pinned and hashed; Parley itself is installed on top
# without resolving anything (its build backend is in the lock too).
$(RUNTIME): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -r $(RUN_LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(INSTALLED): $(DEV_LOCK) $(RUNTIME)
	$(PIP_INSTALL) -r $(DEV_LOCK)
	touch $@

run: $(RUNTIME)
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

# `make lock` after editing pyproject.toml's dependencies: keeps every pin that still fits.
lock: $(INSTALLED)
	$(LOCK) -o $(RUN_LOCK)
	$(LOCK) --extra dev -c $(RUN_LOCK) -o $(DEV_LOCK)

# `make upgrade` moves every pin to the newest release its range allows, then runs every check.
upgrade: $(INSTALLED)
	$(LOCK) --upgrade -o $(RUN_LOCK)
	$(LOCK) --upgrade --extra dev -c $(RUN_LOCK) -o $(DEV_LOCK)
	$(MAKE) test

clean:
	rm -rf $(VENV) data tests/artifacts
