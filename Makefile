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
## The unit tests run in a second pytest process beside the integration and end-to-end tests
## (which wait on brokers, browsers and subprocesses much of the time); the unit tests start
## no pcscd, bind no fixed port and make their own databases, so the two share nothing.
test: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	mkdir -p var
	$(BIN)/pytest tests/unit -p no:cacheprovider >var/unit-tests.log 2>&1 & unit=$$!; \
	$(BIN)/pytest tests --ignore=tests/unit; others=$$?; \
	wait $$unit; units=$$?; \
	echo "== tests/unit (second process) =="; cat var/unit-tests.log; \
	exit $$(( others || units ))

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
