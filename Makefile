# Task runner. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# What `make lock` resolves with; the lock files themselves are all an install needs.
UV_VERSION := 0.13.9
BACKUP_FILE = $(or $(FILE),backups/$(shell date -u +%Y%m%dT%H%M%SZ).json)
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.DEFAULT_GOAL := help
.PHONY: help run serve test lint schema migrate load backup restore-backup lock bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The runtime set, and the runtime set with the test tools: each installed exactly as locked.
$(VENV)/.runtime: requirements/runtime.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	touch $@

$(VENV)/.test: requirements/test.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput

load: migrate ## Load the fixtures (skipped when these exact fixtures are already loaded)
	$(BIN)/python manage.py load_dataset --skip-if-loaded
	$(BIN)/python manage.py render_records

backup: $(VENV)/.runtime ## Back up the whole database to FILE (default: backups/<UTC time>.json)
	@mkdir -p $(dir $(BACKUP_FILE))
	$(BIN)/python manage.py backup $(BACKUP_FILE)

restore-backup: $(VENV)/.runtime ## Migrate, then restore FILE=<backup> into the database (it must hold no data)
	@test -n "$(FILE)" || { echo "Name the backup: make restore-backup FILE=backups/<file>.json" >&2; exit 2; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore_backup $(FILE)

run: load ## Install into .venv, migrate, load the data and serve on 127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# What `make serve` runs: gunicorn's sync workers (what `make bench` measures), WORKERS of them.
WORKERS ?= 4
serve: export DJANGO_STATIC_ROOT ?= $(CURDIR)/staticfiles
serve: load ## Serve as in production (deploy/serve.py: nginx before WORKERS=4 gunicorn workers) on 127.0.0.1:$(PORT)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python deploy/serve.py --bind 127.0.0.1:$(PORT) --workers $(WORKERS)

test: $(VENV)/.test ## Install the test dependencies and run every test
	$(BIN)/python -m pytest

lint: $(VENV)/.test ## Lint with ruff
	$(BIN)/ruff check .

schema: $(VENV)/.runtime ## Write the OpenAPI schema to schema.yml
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yml

lock: | $(BIN)/python ## Re-resolve requirements/*.txt from pyproject.toml (newest versions it allows)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(LOCK) --output-file requirements/runtime.txt
	$(LOCK) --extra test --output-file requirements/test.txt

clean: ## Remove the virtualenv, the SQLite database and the collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles

bench: $(VENV)/.test ## Benchmark reads against a ceiling and a naive peer, then at 10^3-10^6 records on PostgreSQL (bench/results/)
	$(BIN)/python bench/run.py
