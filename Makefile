# Two commands matter: `make run` (serve the demo) and `make test` (run the suite).
# Everything else is a step they depend on.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
# The suite runs in parallel (pytest-xdist), a file per worker so a module's servers start once;
# `make test XDIST=` runs it in one process.
XDIST  ?= -n auto --dist loadfile
export FLASK_APP := wsgi.py

.PHONY: run test bench lint format translations extract-messages migrate seed clean check-db help

help:
	@echo "make run    - set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make bench  - run the benchmarks in benchmarks/"
	@echo "make lint   - ruff check and the import contracts (lint-imports)"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled catalogues are build output: rebuilt whenever a .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))
app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(VENV)/.runtime
	$(BIN)/pybabel compile -d app/translations -l $*

translations: $(MO_FILES)

extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* .venv node_modules" -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

migrate: $(VENV)/.runtime
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: $(VENV)/.runtime translations seed
	@echo "Serving Remiss on http://$(HOST):$(PORT) (Ctrl-C stops it)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: $(VENV)/.dev translations
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

bench: $(VENV)/.dev translations
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff format .

check-db: $(VENV)/.runtime
	$(BIN)/flask db upgrade
	$(BIN)/flask db check

clean:
	rm -rf $(VENV) instance/remiss.db
