# The scanner as a pip-installable distribution (backend/pyproject.toml): wheel + sdist in dist/.

DIST_DIR ?= dist

.PHONY: dist

dist: setup ## Build the scanner's wheel and sdist (pip install dist/*.whl gives the `packamal` command)
	rm -rf $(DIST_DIR)
	$(UV) build backend --out-dir $(DIST_DIR)
	ls -l $(DIST_DIR)
