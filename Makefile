# Two commands on a fresh machine: `make run` (demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := .demo

.PHONY: run test install install-test demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Build a fresh demo project from the bundled transcripts and open it.
demo: install
	rm -rf $(DEMO)
	$(BIN)/qualcode init $(DEMO)
	$(BIN)/qualcode --project $(DEMO) participants import transcripts/participants.csv
	$(BIN)/qualcode --project $(DEMO) import transcripts/

# Until the terminal UI lands, "opening" the demo prints its summary and a sample search.
run: demo
	$(BIN)/qualcode --project $(DEMO) status
	$(BIN)/qualcode --project $(DEMO) search 'måltall OR kvote' --limit 5

test: install-test
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check qualcode tests benchmarks
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/bench_store.py

clean:
	rm -rf $(VENV) $(DEMO)
