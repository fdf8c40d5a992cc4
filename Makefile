# Pack-A-Mal — one command per intent; `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
UV := .tools/bin/uv
PY := .venv/bin/python
export PATH := $(CURDIR)/.venv/bin:$(PATH)

# Each mk/*.mk appends its checks to TEST_TARGETS; `make test` runs them all in order.
TEST_TARGETS := lint typecheck migrations-check docs-check test-backend

include $(sort $(wildcard mk/*.mk))

.PHONY: help setup system-deps dev demo check check-backend check-frontend test-backend-engine test-backend-platform test test-serial lint typecheck rules-doc migrations-check docs-check test-backend services clean

help: ## List the commands
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups
	touch $@

backend/staticfiles/.collected: .venv/.synced
	DJANGO_DEBUG=1 $(PY) backend/manage.py collectstatic --noinput -v 0
	touch $@

setup: .venv/.synced backend/staticfiles/.collected ## Create the virtualenv and install the locked Python dependencies

system-deps: ## Install the Debian packages the checks need when missing (nginx, Chromium, podman + iptables…)
	python3 scripts/system_deps.py

services: setup ## Find PostgreSQL and Redis (or start throwaway local ones) and print their URLs
	$(PY) -m harness ensure

dev: setup ## Run the whole system locally: api, two workers (and the dashboard), with live logs
	$(PY) scripts/dev.py

demo: setup ## Against a running `make dev`: dispatch a batch and watch it complete
	$(PY) scripts/demo.py $(DEMO_ARGS)

lint: setup ## ruff lint and format check
	ruff check backend scripts bench harness deploy
	ruff format --check backend scripts bench harness deploy

typecheck: setup ## mypy with the Django plugin
	cd backend && DJANGO_DEBUG=1 mypy --config-file ../pyproject.toml packamal package_analysis ../harness

rules-doc: setup ## Regenerate docs/rules.md from the rule modules (a test fails when it is stale)
	PYTHONPATH=backend $(PY) -m package_analysis.analysis.rules.reference --write

migrations-check: setup ## Fail when a model change has no migration
	eval "$$($(PY) -m harness ensure --export)"
	DJANGO_DEBUG=1 $(PY) backend/manage.py makemigrations --check --dry-run

docs-check: setup ## Fail when a generated block of docs/ differs from what generates it
	$(PY) -m bench.docs --check

# make test runs the backend tests as two stages side by side: the analysis engine's
# (backend/tests/analysis, no roles) and the platform's (the rest).
test-backend-engine: PYTEST_ARGS += backend/tests/analysis
test-backend-platform: PYTEST_ARGS += --ignore backend/tests/analysis
test-backend-engine test-backend-platform: test-backend

test-backend: setup ## pytest against real PostgreSQL and Redis
	python3 scripts/system_deps.py web  # the web tests start nginx
	eval "$$($(PY) -m harness ensure --export)"
	DJANGO_SECRET_KEY=test-only-not-a-secret pytest $(PYTEST_ARGS)

# The stages of TEST_TARGETS in lanes that share no state, side by side, each stage's time
# printed at the end (scripts/test_stages.py; a target it does not know runs in its first lane).
check: setup frontend-deps ## The quick loop for daily work (about 3 min): static checks, in-process backend tests, frontend unit tests
	$(MAKE) --no-print-directory -j3 --output-sync=target \
	  lint typecheck migrations-check docs-check check-backend check-frontend

# The halves of make check (no help line: use make check).
check-backend: setup
	eval "$$($(PY) -m harness ensure --export)"
	DJANGO_SECRET_KEY=test-only-not-a-secret pytest -q -m "not processes and not slow" $(PYTEST_ARGS)

check-frontend: frontend-deps
	npm --prefix frontend run typecheck
	npm --prefix frontend run lint
	npm --prefix frontend test

test: setup ## Everything CI runs, in parallel lanes, with the time of each stage
	$(PY) scripts/test_stages.py $(TEST_TARGETS)

test-serial: $(TEST_TARGETS) ## The same checks as make test, one after another

clean: ## Remove virtualenvs, build output and local throwaway services
	rm -rf .venv .tools .dev frontend/node_modules frontend/dist
