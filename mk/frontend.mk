# Frontend: the dashboard (frontend/) and the web role (docker/web.sh + docker/nginx/).
FRONTEND := frontend
FRONTEND_DEPS := $(FRONTEND)/node_modules/.package-lock.json
NPM := npm --prefix $(FRONTEND)
SCHEMA_EXPORT := cd backend && DJANGO_DEBUG=1 ../$(PY) manage.py export_openapi_schema --api package_analysis.api.api --indent 2

TEST_TARGETS += test-frontend

.PHONY: frontend-setup frontend-deps frontend-build frontend-types frontend-check-types frontend-size frontend-checks test-frontend test-frontend-e2e

frontend-setup: ## Install nginx and Chromium from Debian when missing (the web role and e2e tests need them)
	python3 scripts/system_deps.py web browser

# npm ci only when the lock file changed since the last install.
$(FRONTEND_DEPS): $(FRONTEND)/package-lock.json $(FRONTEND)/package.json
	$(NPM) ci --no-audit --no-fund
	touch $@

frontend-deps: $(FRONTEND_DEPS)

# make test builds the dashboard once, then runs the stages that use it side by side with
# FRONTEND_BUILT=1, so none rebuilds frontend/dist under another one's feet.
FRONTEND_BUILD := $(if $(FRONTEND_BUILT),$(FRONTEND_DEPS),frontend-build)

# `make dev` serves the dashboard too (scripts/dev.py starts the web role when frontend/dist exists).
dev: frontend-build

frontend-build: $(FRONTEND_DEPS) ## Build the dashboard into frontend/dist (served by the web role)
	$(NPM) run build

frontend-types: setup $(FRONTEND_DEPS) ## Regenerate frontend/openapi.json and the TS types from the backend
	( $(SCHEMA_EXPORT) --output ../$(FRONTEND)/openapi.json )
	$(NPM) run types:generate

# A fresh export of the backend's schema, compared with the committed schema and types.
define CHECK_API_TYPES
	schema="$$(mktemp --suffix=.json)"; trap 'rm -f "$$schema"' EXIT
	( $(SCHEMA_EXPORT) --output "$$schema" )
	node $(FRONTEND)/scripts/check-api-types.mjs "$$schema"
endef

frontend-check-types: setup $(FRONTEND_DEPS) ## Fail when the committed API types drift from the backend's schema
	$(CHECK_API_TYPES)

frontend-size: frontend-build ## Print the production JS gzipped size (fails above 100 KB)
	node $(FRONTEND)/scripts/bundle-size.mjs

test-frontend-e2e: frontend-setup setup $(FRONTEND_BUILD) ## Playwright in Chromium against the real stack (migrate, api, workers, web)
	$(NPM) run e2e

test-frontend: frontend-checks test-frontend-e2e ## Frontend: typecheck, eslint, vitest, build + size, API types drift, e2e

frontend-checks: setup $(FRONTEND_BUILD) ## Frontend without a browser: typecheck, eslint, vitest, bundle size, API types drift
	$(NPM) run typecheck
	$(NPM) run lint
	$(NPM) test
	node $(FRONTEND)/scripts/bundle-size.mjs
	$(CHECK_API_TYPES)

.PHONY: frontend-bench
frontend-bench: frontend-build ## Job page render time and DOM size for reports of 50 to 20,000 findings → bench/results/frontend-report.md
	$(NPM) run bench -- 5
