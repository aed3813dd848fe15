# OpenRCM: the README's two commands (`make run`, `make test`) and their helpers.
# Needs only Python >= 3.12 and git: uv is bootstrapped into var/tools when it is not on PATH.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := $(shell scripts/find-python)
ifeq ($(PYTHON),)
$(error No Python >= 3.12 found (see the message above))
endif

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/openrcm

.PHONY: help run test lint typecheck imports pytest pytest-pg setup bench fmt clean

help:
	@echo "make run    - set up, create the SQLite database with demo data, serve on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test   - lint, type-check, import contracts and the test suite (also on PostgreSQL when CI=true)"
	@echo "make bench  - benchmarks under bench/ (print figures)"

var/tools/bin/uv:
	@echo "uv not on PATH: installing uv $(UV_VERSION) into var/tools with $(PYTHON)"
	@mkdir -p var
	$(PYTHON) -m venv var/tools
	var/tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/openrcm: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(BIN)/openrcm

run: setup
	$(BIN)/openrcm quickstart

lint: setup
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

typecheck: setup
	$(BIN)/mypy

imports: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS)

# PostgreSQL run: Django creates (and drops) its own test database next to $(PG_URL).
pytest-pg: setup
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS)

# With CI=true both databases run side by side (scripts/pytest-both); otherwise SQLite only.
ifeq ($(CI),true)
test: lint typecheck imports
	scripts/pytest-both
else
test: lint typecheck imports pytest
endif

bench: setup
	$(BIN)/python bench/x12.py

fmt: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf .venv var/tools .pytest_cache .mypy_cache .ruff_cache
