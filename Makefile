# Zhifa — the two commands a new developer needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TRIAGE_MODEL := var/triage-model.joblib
HOST ?= 127.0.0.1
PORT ?= 8000
# Development mode: a random secret key is made once in var/secret_key (production sets ZHIFA_SECRET_KEY and
# leaves this unset; without either the server refuses to start).
export ZHIFA_DEV ?= 1
# load_demo's flags: the demo accounts (published password, a superuser among them) only on request; into a
# database named by DATABASE_URL they need --into-named-database as well (load_demo refuses otherwise).
DEMO_FLAGS ?= --demo-accounts

.PHONY: triage-model install run migrate demo serve test lint check-migrations pytest bench bench-pg fuzz soak simulate browser-deps pdf-deps test-browser-stress clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed node_modules/.installed pdf-deps $(TRIAGE_MODEL)
	scripts/copy-assets

# The triage model (ADR 0012), rebuilt when its corpus, its kinds or its code change; `manage.py retrain_triage`
# replaces it with one that has learnt the desk's corrections (only if it scores no worse).
$(TRIAGE_MODEL): $(VENV)/.installed zhifa/events/triage_model.py zhifa/catalog/data/complaint_kinds.csv $(wildcard zhifa/events/data/triage/*.csv)
	$(PY) manage.py train_triage --output $@

migrate: install
	$(PY) manage.py migrate --noinput

# The demo district, then its past eight weeks of closed events (the leaders' view, hotspots, reports and
# predictive deployment read them); both leave a database that already has them as it is.
demo: migrate
	$(PY) manage.py load_demo $(DEMO_FLAGS)
	$(PY) manage.py load_demo_history

# Web server, task worker, the clock watcher (escalates overdue clocks) and the case watcher (warns of case
# deadlines, tells the heads of overdue ones) together, each restarted by
# scripts/supervise when it dies (with backoff, logged); /healthz tells whether they are alive. Ctrl-C stops all.
run: demo
	@echo ""
	@echo "  智慧综合执法平台: http://$(HOST):$(PORT)/"
	@$(PY) manage.py demo_logins
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) scripts/supervise task_worker -- $(PY) manage.py task_worker & \
	  $(PY) scripts/supervise clock_watch -- $(PY) manage.py clock_watch --interval 10 & \
	  $(PY) scripts/supervise case_watch -- $(PY) manage.py case_watch --interval 3600 & \
	  $(PY) scripts/supervise roster_watch -- $(PY) manage.py roster_watch --interval 300 & \
	  $(PY) scripts/supervise credit_refresh -- $(PY) manage.py credit_refresh --interval 300 & \
	  $(PY) scripts/supervise analytics_reports -- $(PY) manage.py analytics_reports --interval 3600 & \
	  $(PY) scripts/supervise analytics_rollup -- $(PY) manage.py analytics_rollup --interval 300 & \
	  $(PY) scripts/supervise standby_rebalance -- $(PY) manage.py standby_rebalance --interval 60 & \
	  $(PY) scripts/supervise credit_board_refresh -- $(PY) manage.py credit_board_refresh --interval 3600 & \
	  $(PY) scripts/supervise colours_refresh -- $(PY) manage.py colours_refresh --interval 3600 & \
	  $(PY) scripts/supervise web -- $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) & \
	  wait

# Chromium and a Chinese font for the browser tests, from Debian (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

# The Chinese fonts the documents' PDFs embed (Noto Serif/Sans CJK SC, docs/adr/0010-documents-typst-noto.md)
# and poppler's pdftotext/pdftoppm the document tests read them with, from Debian.
pdf-deps:
	@test -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc && command -v pdftoppm >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk poppler-utils >/dev/null; }

triage-model: $(TRIAGE_MODEL)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

pytest: install browser-deps
	$(VENV)/bin/pytest -q

test: lint check-migrations pytest

# The browser tests RUNS times in a row (default 10) while a busy loop runs on every core, bounded by LIMIT_S
# seconds (default 3600): CI shares its cores, and a browser test must not pass only on an idle machine.
test-browser-stress: install browser-deps
	scripts/browser-stress

bench: install
	$(PY) -m bench

# The same benchmarks on PostgreSQL (a throwaway database is created on this server and dropped after).
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench-pg: install
	$(PY) -m bench --database-url $(BENCH_PG_URL)

# Schemathesis over the whole OpenAPI schema (and Open311) against a local server on a throwaway SQLite
# database under var/; FUZZ_SECONDS (default 300) bounds it. Fails on any 5xx or response-schema violation.
fuzz: install
	$(PY) -m fuzz

# Intake at the benchmark's rate for SOAK_SECONDS on a throwaway PostgreSQL database while the web server, the
# task worker and the clock watcher are each killed and restarted once and PostgreSQL is restarted once (issue 9);
# prints reports sent, answered, stored, duplicated and lost, and escalation steps taken twice or missed.
SOAK_SECONDS ?= 600
soak: install
	$(PY) -m soak --database-url $(BENCH_PG_URL) --seconds $(SOAK_SECONDS)

# Replays a seeded day of one street (sim/scenarios/) through the real services; prints 1530 compliance.
simulate: install
	$(PY) -m sim

clean:
	rm -rf $(VENV) node_modules var staticfiles zhifa/web/static/vendor
