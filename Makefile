# One-machine workflow: only Python is needed; `.venv` is created and kept in sync with pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make dev ARGS="--no-seed --port 8001"`, or `make dev NO_SEED=1 PORT=8001`.
ARGS ?=
PORT ?=
NO_SEED ?=
DEV_ARGS := $(if $(PORT),--port $(PORT)) $(if $(filter-out 0 no false,$(NO_SEED)),--no-seed) $(ARGS)
MYPY_PATHS ?= domain infra

.DEFAULT_GOAL := help
.PHONY: help install dev test lint schema bench clean distclean

help:
	@echo "make dev      run the API on http://127.0.0.1:8000 with an embedded AWS and demo data"
	@echo "              (ARGS=\"--no-seed --port 8001\" or NO_SEED=1 PORT=8001)"
	@echo "make test     ruff, mypy, cfn-lint, schema check and pytest (what CI runs)"
	@echo "make lint     ruff, mypy and cfn-lint only"
	@echo "make schema   write schema/schema.graphql"
	@echo "make bench    run the benchmarks (python -m bench)"
	@echo "make clean    remove caches; make distclean also removes $(VENV)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/recaudo dev $(DEV_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_PATHS)
	$(BIN)/cfn-lint template.yaml

schema: $(STAMP)
	$(BIN)/recaudo export-schema

test: lint
	$(BIN)/recaudo export-schema --check
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
