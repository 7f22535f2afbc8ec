# Everything installs into .venv on first use: `make serve` and `make test` are
# all a fresh machine with Python 3.11+ needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install serve test lint format schema bench bench-subscriptions clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

serve: install  ## GraphiQL at http://127.0.0.1:8000/graphql (embedded DB unless MONGODB_URL)
	$(BIN)/graphql-api serve

test: install  ## the whole suite, against the embedded DB (or MONGODB_URL)
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install  ## regenerate schema.graphql after changing the schema
	$(BIN)/graphql-api export-schema

bench: install  ## graphql_api vs the tutorial way vs hand-written PyMongo (see benchmarks/)
	$(BIN)/python -m benchmarks.run

bench-subscriptions: install  ## fan-out delay and server cursors for 1/100/1000 subscribers
	$(BIN)/python -m benchmarks.subscriptions

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
