# The project's front door: `make demo` runs the ledger on SQLite with demo data,
# `make test` runs lint, type checks, the dependency rule and the whole test suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: demo test lint services bench clean

$(STAMP): pyproject.toml
	bash scripts/ensure-card-stack.sh --build-only  # pyscard builds from source
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,server]"
	touch $(STAMP)

## Run the API and the web application on http://127.0.0.1:$(PORT) (8000 unless `make demo
## PORT=8011`) with an SQLite ledger full of demo data.
demo: $(STAMP)
	$(BIN)/ledger demo --port $(PORT)

## Lint, type check, dependency rule, then every test (starts PostgreSQL if it is stopped).
## Three pytest processes share the two cores: the unit tests (CPU-bound), the end-to-end tests
## (browsers, subprocesses and the README, waiting much of the time) and the integration tests
## with the one end-to-end file that needs pcscd. They share nothing: only the third starts
## pcscd (one per host), only the second binds a fixed port (8000, the README's), and each test
## makes its own databases, brokers and token directories.
test: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	mkdir -p var
	$(BIN)/pytest tests/unit -p no:cacheprovider >var/unit-tests.log 2>&1 & unit=$$!; \
	$(BIN)/pytest tests/e2e --ignore=tests/e2e/test_cli_cards.py -p no:cacheprovider \
		>var/e2e-tests.log 2>&1 & e2e=$$!; \
	$(BIN)/pytest tests/integration tests/e2e/test_cli_cards.py; others=$$?; \
	wait $$unit; units=$$?; wait $$e2e; e2es=$$?; \
	echo "== tests/unit (second process) =="; cat var/unit-tests.log; \
	echo "== tests/e2e but test_cli_cards.py (third process) =="; cat var/e2e-tests.log; \
	exit $$(( others || units || e2es ))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Make sure the services the integration tests talk to are installed and running, and that the
## browser tests have Debian's Chromium and Thai fonts.
services:
	bash scripts/ensure-services.sh
	bash scripts/ensure-card-stack.sh
	bash scripts/ensure-browser.sh

bench: $(STAMP) services
	$(BIN)/python bench/append.py
	$(BIN)/python bench/kafka.py
	$(BIN)/python bench/card.py
	$(BIN)/python bench/projections.py
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
