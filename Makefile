# Two commands on a fresh machine: `make run` (demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := .demo
# The demo's key lives beside, not inside, the demo project; its passphrase is for the demo only.
DEMO_ENV := QUALCODE_KEY=$(DEMO)-key/demo.qckey QUALCODE_KEY_PASSPHRASE=demo-only-passphrase

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
	rm -rf $(DEMO) $(DEMO)-key
	$(BIN)/qualcode init $(DEMO)
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) identifiers import transcripts/identifiers.csv
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) anonymise dismiss Norge Varighet
	$(BIN)/qualcode --project $(DEMO) participants import transcripts/participants.csv
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) import transcripts/

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
	$(BIN)/python benchmarks/bench_anonymise.py
	$(BIN)/python benchmarks/bench_export.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-key
