# PromptLooper: `make run` to start, `make test` for everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/promptlooper
REDIS_TEST_URL ?= redis://127.0.0.1:6379/7
# Production-mode tests need fixed secrets (they are required there).
PROD_ENV := DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) \
	SECRET_KEY=test-only-secret-key-not-for-production \
	PROMPTLOOPER_FERNET_KEYS=ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=

.PHONY: install run test test-sqlite test-postgres lint format clean bench mutation

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py bootstrap
	$(PY) manage.py runstack

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy adapters scoring experiments/engine experiments/services agents_mcp
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test: lint test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest

test-postgres: install
	env $(PROD_ENV) $(VENV)/bin/pytest

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache

# Engine benchmark against the simulator, on SQLite and PostgreSQL (a few minutes).
bench: install
	$(PY) bench/run_bench.py --mode both

# Mutation testing of the core modules (not part of `make test`; long, see the
# README). One module: make mutation MODULES=scoring/builtins.py; JOBS=2 runs
# two mutants at once.
MODULES ?=
JOBS ?= 1
mutation: install
	env -u DATABASE_URL -u REDIS_URL $(PY) -m mutation --jobs $(JOBS) $(MODULES)
