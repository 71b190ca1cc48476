# Two commands do all set-up from a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install browser lint format bench load lock audit clean

run: install ## install, migrate, seed the demo, start sandbox + worker + site
	@bin/run-demo

# Coverage and its per-module floor are for the whole suite: with PYTEST_ARGS picking a few
# tests, bin/check-coverage names every module those tests left short.
test: install browser ## types, then the whole suite with coverage, browser tests included
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run --settings=dashboard.settings_test
	$(PY) -m pytest --cov --cov-report=term $(PYTEST_ARGS)
	$(PY) bin/check-coverage

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@python=$$(bin/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	@touch $(STAMP)

browser: ## Debian's chromium, which Playwright drives (its own browser download cannot work here)
	@bin/ensure-chromium

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install ## benchmarks against their targets (never part of make test)
	$(PY) -m bench

# The browser section of make bench alone (bench/browser.py): chromium for it; Lighthouse and
# axe-core are installed by it with npm ci into var/node/ on first use (needs node and npm).
.PHONY: bench-browser
bench: browser
bench-browser: install browser ## phone/desk layout, page weight, Lighthouse, axe-core (issue 9)
	$(PY) -m bench.browser

# Wants PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432 as postgres) and an idle machine.
load: install ## locust, headless, against gunicorn in the production profile; targets printed
	@$(PY) -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("locust") is None)' || \
		$(PY) -m pip install --quiet --constraint constraints.txt --editable ".[dev,load]"
	$(PY) -m load

lock: ## refresh constraints.txt after changing pyproject.toml
	$(PY) -m pip freeze --exclude-editable > constraints.txt

# Not part of CI: it needs a machine that reaches a vulnerability database (PyPI's JSON API or
# OSV). --strict makes it fail, rather than pass having audited nothing, where none is reached.
audit: install ## pip-audit the locked requirements (constraints.txt) for known vulnerabilities
	@$(PY) -c 'import pip_audit' 2>/dev/null || \
		$(PY) -m pip install --quiet --constraint constraints.txt --editable ".[dev,audit]"
	$(PY) -m pip_audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--progress-spinner off

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
