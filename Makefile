# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint venv venv-dev prod-smoke

venv: $(VENV)/.runtime-installed
venv-dev: $(VENV)/.dev-installed

$(VENV)/.runtime-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## Start the portal on the embedded default (SQLite, no Redis) with demo data.
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run every test: on SQLite, and also on PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set.
test: venv-dev
	bash scripts/test.sh

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Start the production processes (gunicorn, uvicorn, Celery worker and beat, nginx) on
## PostgreSQL and Redis, check them through nginx, stop them. docs/deploy.md.
prod-smoke: venv-dev
	bash scripts/prod_smoke.sh
