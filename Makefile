# make run: set up and serve with demo data on SQLite.  make test: set up and run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run serve test lint bench bench-national install install-dev install-js install-browser db clean translations
TRANSLATIONS := rs_service/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

# The scheduler runs alongside the dev server; with no SMTP_HOST its mail lands in instance/outbox/.
run: install db
	@$(FLASK) rs demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with background jobs (mail in instance/outbox/). Ctrl-C stops both."
	@$(FLASK) rs scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production: RS_ENV=production (SECRET_KEY and DATABASE_URL must be set), migrations first, then the
# scheduler as its own process and gunicorn (WEB_CONCURRENCY processes x WEB_THREADS threads) on $$PORT.
serve: export RS_ENV = production
serve: install
	@$(FLASK) db upgrade
	@$(FLASK) rs scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
		PORT=$${PORT:-8000} $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

install: $(VENV)/.installed-run $(CATALOGS:.po=.mo)
install-dev: $(VENV)/.installed-dev $(CATALOGS:.po=.mo)
install-js: tests/js/node_modules/.installed

# The UI tests drive Debian's Chromium through its chromedriver (nothing is downloaded at test time).
install-browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "Installing Chromium and chromedriver from Debian for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled catalogs are built from the committed .po files, never committed themselves.
%.mo: %.po | $(VENV)/.installed-run
	@$(BIN)/pybabel -q compile -i $< -o $@

# Extract every message from the code and templates and merge it into each catalog (then translate).
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete
	rm $(TRANSLATIONS)/messages.pot

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

db: install
	@mkdir -p instance
	@$(FLASK) db upgrade

# The suite runs on SQLite, then on PostgreSQL when RS_TEST_DATABASE_URL is set (CI always sets it).
# The SQLite half runs a second time with every wall clock at 02:30 UTC of today (time-machine, set
# up by tests/conftest.py), when UTC and America/Detroit disagree on the date: a page or test that
# takes the server's date for the association's fails there.
HARD_HOUR = $(shell date -u +%Y-%m-%d)T02:30:00+00:00

test: install-dev install-js install-browser
	@echo "== rs_service tests on SQLite =="
	@env -u RS_TEST_DATABASE_URL $(BIN)/pytest -q
	@echo "== rs_service tests on SQLite, clock from $(HARD_HOUR) =="
	@env -u RS_TEST_DATABASE_URL RS_TEST_CLOCK="$(HARD_HOUR)" $(BIN)/pytest -q
	@if [ -n "$$RS_TEST_DATABASE_URL" ]; then \
		echo "== rs_service tests on PostgreSQL ($$RS_TEST_DATABASE_URL) =="; \
		$(BIN)/pytest -q && echo "Databases tested: SQLite and PostgreSQL"; \
	elif [ -n "$$CI" ]; then \
		echo "CI must test PostgreSQL too, but RS_TEST_DATABASE_URL is not set" >&2; exit 1; \
	else \
		echo "Databases tested: SQLite only (set RS_TEST_DATABASE_URL to a PostgreSQL test database for the second half)"; \
	fi

clean:
	rm -rf $(VENV) tests/js/node_modules instance

# Figures for the hot paths (feeds, reports, eligibility, jobs) on the demo cohort.
bench: install-dev
	@$(BIN)/python benchmarks/bench.py

# The same paths at national scale on PostgreSQL (5,000 participants, 250 groups, 36 months: about
# 2.5 million rows, built once with set-based SQL and reused), each beside its SQL floor.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/rs_bench
bench-national: install-dev
	@DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" $(BIN)/python benchmarks/national.py
