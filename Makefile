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

# The dashboard (frontend/, Node 20+): installed from its lock file, rebuilt
# when its sources or dependencies change.
FRONTEND := frontend
NPM_STAMP := $(FRONTEND)/node_modules/.installed
DASHBOARD := $(FRONTEND)/dist/index.html
DASHBOARD_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/scripts -type f 2>/dev/null) \
	$(wildcard $(FRONTEND)/index.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig*.json)

.PHONY: install run test test-sqlite test-postgres test-frontend test-e2e lint format clean bench mutation api-types

install: $(STAMP) $(DASHBOARD)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

$(NPM_STAMP): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "The dashboard needs Node.js 20 or newer (with npm): see the README." >&2; exit 1; }
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

$(DASHBOARD): $(NPM_STAMP) $(DASHBOARD_SOURCES)
	cd $(FRONTEND) && npm run build

# Regenerate the dashboard's API types after changing the API.
api-types: install
	cd $(FRONTEND) && npm run gen:api

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
	cd $(FRONTEND) && npm run typecheck
	cd $(FRONTEND) && npm run check:api

# The two pytest passes share nothing (each its own database; Redis, db 7,
# only in the second; free ports), so they run side by side: most of a test's
# time is waiting on sockets and processes, not on the two cores. Each pass's
# output comes whole when it ends.
test: lint
	$(MAKE) --no-print-directory --output-sync=target -j2 test-sqlite test-postgres
	$(MAKE) --no-print-directory test-frontend test-e2e

test-frontend: install
	cd $(FRONTEND) && npm test

# The dashboard in Chromium (Debian's /usr/bin/chromium; .ci/run installs it)
# against the real stack, which the tests start on free ports in a temporary
# data directory (frontend/e2e/; about two minutes). Screenshots and the
# 10,000-run leaderboard timing land in frontend/e2e/screenshots/.
test-e2e: install
	cd $(FRONTEND) && npm run e2e

# The deployment roles' tests start their own PostgreSQL database, Redis and
# processes whichever pass runs them: they run once, in the PostgreSQL pass.
test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest \
		--deselect promptlooper_site/tests/test_deploy_roles.py

test-postgres: install
	env $(PROD_ENV) $(VENV)/bin/pytest

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache \
		$(FRONTEND)/node_modules $(FRONTEND)/dist

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
