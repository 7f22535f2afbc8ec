# Everything installs into .venv on first use: `make serve` and `make test` are
# all a fresh machine with Python 3.11+ needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install serve test lint format schema codegen codegen-check bench bench-subscriptions clean

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

# ariadne-codegen pins an older graphql-core than Strawberry: it gets a venv of its own.
$(VENV)-codegen/.installed:
	$(PYTHON) -m venv $(VENV)-codegen
	$(VENV)-codegen/bin/python -m pip install --quiet "ariadne-codegen>=0.14,<0.20"
	touch $@

codegen: $(VENV)-codegen/.installed schema  ## regenerate the typed clients from schema.graphql + examples/
	cd codegen/python && rm -rf graphql_api_client && ../../$(VENV)-codegen/bin/ariadne-codegen
	cd codegen/typescript && npm install --no-audit --no-fund --silent && npx graphql-codegen --config codegen.ts

codegen-check: $(VENV)-codegen/.installed  ## fail if the committed Python client is stale
	rm -rf /tmp/graphql_api_codegen && cp -r codegen/python /tmp/graphql_api_codegen
	cd /tmp/graphql_api_codegen && rm -rf graphql_api_client && sed -i 's#"../../#"$(CURDIR)/#' pyproject.toml && $(CURDIR)/$(VENV)-codegen/bin/ariadne-codegen >/dev/null
	diff -r codegen/python/graphql_api_client /tmp/graphql_api_codegen/graphql_api_client -x __pycache__ \
	  || (echo "The generated client is stale: run 'make codegen' and commit it." && exit 1)
	@if command -v npm >/dev/null; then \
	  cd codegen/typescript && npm ci --no-audit --no-fund --silent && npx graphql-codegen --config codegen.ts >/dev/null \
	  && test -z "$$(git status --porcelain -- src/gql)" || (echo "The TypeScript documents are stale: run 'make codegen' and commit them." && exit 1); \
	  npx tsc --noEmit; \
	else echo "npm not found: TypeScript codegen not checked"; fi

bench: install  ## graphql_api vs the tutorial way vs hand-written PyMongo (see benchmarks/)
	$(BIN)/python -m benchmarks.run

bench-subscriptions: install  ## fan-out delay and server cursors for 1/100/1000 subscribers
	$(BIN)/python -m benchmarks.subscriptions

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
