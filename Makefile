PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-test install-dev clean

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

test: install-test
	$(BIN)/pytest -q

# The gate CI runs first: lint, format and types, with no findings (tests/ is not formatted yet).
lint: install-dev
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reelay-data
