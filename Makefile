# bhrplan — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
# The project targets Python 3.11 (pyproject.toml); use it when the system has it.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install native dev-install system-deps test lint typecheck pytest messages demo worker bench clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements-spark.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

dev-install: $(VENV)/.dev-installed

## native: compile the screening's merge and extraction with mypyc (about 1.5× faster
##   screenings; without a C compiler they run as plain Python). Quick when up to date.
native: install
	@$(PY) scripts/build_native.py

## setup: install, migrate and load the reference catalogs (no server)
setup: install native
	$(MANAGE) migrate --noinput
	$(MANAGE) load_catalogs
	@if command -v msgfmt >/dev/null 2>&1 && ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		$(MANAGE) compilemessages --ignore=.venv --ignore=var >/dev/null; fi

## demo: load the sample territories and plans (idempotent; accounts only when DEBUG is on)
demo: setup
	$(MANAGE) load_demo
	$(MANAGE) load_demo_monitoring
	$(MANAGE) load_demo_procurement

## run: everything a newcomer needs, then serve http://127.0.0.1:8000 with the task
## worker beside it (screenings, imports and reports started in the browser run)
run: demo
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

## worker: run background tasks (imports, reports, reminders)
worker: setup
	$(MANAGE) db_worker

# Debian packages the tests need: Chromium for browser tests, gettext for catalogs,
# Pango and HarfBuzz for WeasyPrint (PDF reports), libarchive for tar, RAR and 7-Zip
# archives of OCDS data, a C compiler and Python's headers for
# the mypyc-compiled screening modules.
system-deps:
	@missing=""; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc"; \
	$(PYTHON) -c "import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
		|| missing="$$missing $$(basename "$$(readlink -f "$$(command -v $(PYTHON))")")-dev"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libharfbuzz-subset.so.0:libharfbuzz-subset0 libarchive.so.13:libarchive13; do \
		ldconfig -p 2>/dev/null | grep -q "$${lib%%:*}" || missing="$$missing $${lib##*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: dev-install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: dev-install
	$(VENV)/bin/mypy bhrplan config

## messages: extract strings, fill the catalogs from JSON translations, report gaps, compile
##   make messages I18N_JSON="/tmp/i18n/*.json"   (see docs/translations.md)
I18N_JSON ?=
messages: dev-install system-deps
	$(PY) scripts/i18n_merge.py $(I18N_JSON)

## pytest: the suite on SQLite, and again on PostgreSQL when DATABASE_URL is set.
## Tests that do not touch the database (browser, static files, Spark) run in the first pass only.
PYTEST_WORKERS ?= 2
# The tests run on the compiled modules (and compare them with the plain source).
pytest: dev-install system-deps
	@$(PY) scripts/build_native.py --require
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv --ignore=var >/dev/null; fi
	env -u DATABASE_URL BHRPLAN_NATIVE=required $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup
	@if [ -n "$$DATABASE_URL" ]; then echo "== again on PostgreSQL =="; BHRPLAN_NATIVE=required $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup -m "not browser and not dbless"; fi

## test: lint, types and the whole suite
test: lint typecheck pytest

bench: dev-install
	$(PY) bench/plan_matrix.py
	$(PY) bench/plan_page.py

clean:
	rm -rf $(VENV) var/staticfiles
