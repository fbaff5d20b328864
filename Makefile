# Task runner. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint schema migrate load clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

migrate: $(STAMP) ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

load: migrate ## Load the fixtures (skipped when these exact fixtures are already loaded)
	$(BIN)/python manage.py load_dataset --skip-if-loaded

run: load ## Install into .venv, migrate, load the data and serve on 127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) ## Install the test dependencies and run every test
	$(BIN)/python -m pytest

lint: $(STAMP) ## Lint with ruff
	$(BIN)/ruff check .

schema: $(STAMP) ## Write the OpenAPI schema to schema.yml
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yml

clean: ## Remove the virtualenv and the SQLite database
	rm -rf $(VENV) db.sqlite3
