# Two commands on a fresh machine: `make run` (demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := .demo
# The demo's key lives beside, not inside, the demo project; its passphrase is for the demo only.
DEMO_ENV := QUALCODE_KEY=$(DEMO)-key/demo.qckey QUALCODE_KEY_PASSPHRASE=demo-only-passphrase
# A few codings, so the demo opens with coloured passages to look at.
DEMO_CODE := $(BIN)/qualcode --project $(DEMO) --coder Demo coding add

.PHONY: run test install install-test demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Each install leaves a stamp, so later runs skip pip (about 5 s) until pyproject.toml changes;
# the install is editable, so changes to the code need none.
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Build a fresh demo project from the bundled transcripts and open it.
demo: install
	rm -rf $(DEMO) $(DEMO)-key
	$(DEMO_ENV) $(BIN)/qualcode init $(DEMO)
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) identifiers import transcripts/identifiers.csv
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) participants import transcripts/participants.csv
	$(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) import transcripts/
	$(DEMO_CODE) deltaker_D1_T1 "brukermedvirkning/individuell medvirkning" --match "Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville."
	$(DEMO_CODE) deltaker_D1_T1 "empowerment/ansvar for eget liv" --match "Hun sier at det er jeg som må bestemme, og at hun er der for å hjelpe."
	$(DEMO_CODE) leder_L1 "måltall-press/inntakspress" --match "Jeg har sagt til veilederne at vi må nå måltallet før jul."
	$(DEMO_CODE) gruppeintervju_G1 "brukermedvirkning/medvirkning på systemnivå" --match "At de spør oss før de bestemmer."

# Builds the demo, prints its summary and a sample search, then opens the terminal UI
# (only on a terminal, so `make run` also works in CI and in pipes).
run: demo
	$(BIN)/qualcode --project $(DEMO) status
	$(BIN)/qualcode --project $(DEMO) search 'måltall OR kvote' --limit 5
	@if [ -t 0 ] && [ -t 1 ]; then $(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) tui; \
	else echo "Not a terminal, so the terminal UI was not opened; open it with: $(DEMO_ENV) $(BIN)/qualcode --project $(DEMO) tui"; fi

# One test process more than there are cores: the suite's time goes to real processes, imports
# and the TUI, which spread well, and a process waiting on a child or on the TUI's workers leaves
# its core to the extra one (on 2 cores: 190 s with two processes, 162 s with three).
WORKERS := $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode is cached even where the environment turns it off (PYTHONDONTWRITEBYTECODE): without
# the cache every test process and every `qualcode` process a test starts compiles qualcode,
# and pytest rewrites its plugins' modules, again.
test: install-test
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

# Linters, outside the test suite; CI runs this beside `make test`. mypy reads its settings
# (strict, on qualcode/) from pyproject.toml.
lint: install-test
	$(BIN)/ruff check qualcode tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_anonymise.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_tui.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_exchange.py
	$(BIN)/python benchmarks/bench_reshape.py
	$(BIN)/python benchmarks/bench_linemap.py
	$(BIN)/python benchmarks/bench_untrusted.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-key
