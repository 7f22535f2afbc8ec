# Everything installs into .venv on first use: `make serve` and `make test` are
# all a fresh machine with Python 3.11+ needs. Versions come from requirements.lock
# (the tested set; `make lock` re-pins it from pyproject.toml).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make serve HOST=0.0.0.0 PORT=8001` (not read from the environment, where HOST is often set)
HOST := 127.0.0.1
PORT := 8000
LOCK := requirements.lock

.PHONY: install serve test lint format schema codegen codegen-check bench bench-subscriptions bench-revocation bench-fairness lock clean

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock'."; exit 1; }
	touch $@

install: $(VENV)/.installed

serve: install  ## GraphiQL at http://$(HOST):$(PORT)/graphql (embedded DB unless MONGODB_URL)
	$(BIN)/graphql-api serve --host $(HOST) --port $(PORT)

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

codegen: $(VENV)-codegen/.installed schema  ## regenerate the typed clients (+ persisted-documents.json manifests)
	cd codegen/python && rm -rf graphql_api_client && ../../$(VENV)-codegen/bin/ariadne-codegen
	$(VENV)-codegen/bin/python codegen/python/persisted_documents.py
	cd codegen/typescript && npm install --no-audit --no-fund --silent && npx graphql-codegen --config codegen.ts

codegen-check: $(VENV)-codegen/.installed  ## fail if a committed client or its manifest is stale
	rm -rf /tmp/graphql_api_codegen && cp -r codegen/python /tmp/graphql_api_codegen
	cd /tmp/graphql_api_codegen && rm -rf graphql_api_client && sed -i 's#"../../#"$(CURDIR)/#' pyproject.toml && $(CURDIR)/$(VENV)-codegen/bin/ariadne-codegen >/dev/null
	diff -r codegen/python/graphql_api_client /tmp/graphql_api_codegen/graphql_api_client -x __pycache__ \
	  || (echo "The generated client is stale: run 'make codegen' and commit it." && exit 1)
	$(VENV)-codegen/bin/python codegen/python/persisted_documents.py /tmp/graphql_api_codegen/persisted-documents.json >/dev/null
	diff codegen/python/persisted-documents.json /tmp/graphql_api_codegen/persisted-documents.json \
	  || (echo "The Python client's manifest is stale: run 'make codegen' and commit it." && exit 1)
	@if command -v npm >/dev/null; then \
	  cd codegen/typescript && npm ci --no-audit --no-fund --silent && npx graphql-codegen --config codegen.ts >/dev/null \
	  && test -z "$$(git status --porcelain -- src/gql)" || (echo "The TypeScript documents are stale: run 'make codegen' and commit them." && exit 1); \
	  npx tsc --noEmit; \
	else echo "npm not found: TypeScript codegen not checked"; fi

bench: install  ## read queries vs the floor and the tutorial way, and fan-out: writes docs/performance.md + .svg
	$(BIN)/python -m benchmarks.run

bench-subscriptions: install  ## fan-out alone: delay, cursors, memory for 100/1,000/10,000 subscribers
	$(BIN)/python -m benchmarks.subscriptions

bench-fairness: install  ## a normal client's p95 and /health, alone and beside six abusive clients
	$(BIN)/python -m benchmarks.fairness

bench-revocation: install  ## session cache on/off latency; logout-to-close delay across processes
	$(BIN)/python -m benchmarks.revocation

# uv resolves in seconds; it gets a venv of its own so that `make lock` works anywhere.
$(VENV)-lock/.installed:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet "uv>=0.9,<1"
	touch $@

UV_COMPILE := $(VENV)-lock/bin/uv pip compile pyproject.toml --quiet --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command "make lock"

lock: $(VENV)-lock/.installed  ## re-pin requirements.lock (dev, tests) and requirements-prod.lock
	$(UV_COMPILE) --extra dev --extra embedded --extra otel -o $(LOCK)
	$(UV_COMPILE) --extra otel --constraint $(LOCK) -o requirements-prod.lock

clean:
	rm -rf $(VENV) $(VENV)-lock .pytest_cache .ruff_cache
