PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast test-chaos lint install install-test install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'

run: install
	$(BIN)/reelay serve

# The whole suite but the chaos test: SQLite and local storage (docs/testing.md).
test: install-test
	$(BIN)/pytest -q -m "not chaos"

# No real processes (no server, worker, emulator, receiver, moto, CLI) and no chaos, on two
# pytest-xdist workers: the tests to run after each change (under two minutes).
test-fast: install-test
	$(BIN)/pytest -q -n 2 -m "not e2e and not chaos"

# Workers killed and frozen at random on PostgreSQL and S3 (minutes); CI runs it after make test.
test-chaos: install-test
	$(BIN)/pytest -q -m chaos

# The gate CI runs first: lint, format and types, with no findings.
lint: install-dev
	$(BIN)/ruff check src bench tests scripts
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reelay-data
