# vitals: `make demo` runs the product on embedded DuckDB; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install vitals with its development tools

demo: $(STAMP) ## Generate 90 days for ~50 orgs, build them into vitals.duckdb, then serve the dashboard (Ctrl-C stops)
	$(BIN)/vitals demo

screenshots: $(STAMP) chromium ## Save the README's dashboard screenshots to docs/images/ (builds the demo first if missing)
	@test -f vitals.duckdb || $(BIN)/vitals demo --no-serve
	$(BIN)/python scripts/screenshots.py

test: $(STAMP) chromium ## Run the whole test suite (DuckDB, PostgreSQL, Spark and the dashboard in Chromium)
	$(BIN)/pytest $(PYTEST_ARGS)

test-superset: $(STAMP) ## Import the generated Superset bundle into Superset and query every chart (also part of `make test`)
	$(BIN)/pytest tests/bi/test_superset_import.py

chromium: ## Install Debian's Chromium for the dashboard's browser tests when /usr/bin/chromium is missing
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi

vendor: ## Fetch the dashboard's charting library from npm (pinned) into src/vitals/dashboard/static/vendor
	./scripts/vendor.sh

lint: $(STAMP) ## ruff (lint + format check), mypy on the package, sqlfluff on the SQL models
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	VITALS_ENGINE=duckdb VITALS_STATE_DIR=.vitals/lint VITALS_WAREHOUSE=.vitals/lint/empty.duckdb $(BIN)/vitals dbt-profile > /dev/null
	cd src/vitals/transform && DBT_PROFILES_DIR=$(CURDIR)/.vitals/lint/dbt $(CURDIR)/$(BIN)/sqlfluff lint models

format: $(STAMP) ## Format Python with ruff and fix what sqlfluff can
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

bench: $(STAMP) ## Benchmark load and build at 1M and 10M events (medians of 3 runs)
	$(BIN)/vitals bench --events 1000000 --runs 3 --out docs/bench/duckdb-1m.json
	$(BIN)/vitals bench --events 10000000 --runs 3 --out docs/bench/duckdb-10m.json

bench-plot: $(STAMP) ## Draw docs/images/bench-time-vs-events.png from the 1M and 10M bench reports
	$(BIN)/python scripts/plot_bench.py docs/bench/duckdb-1m.json docs/bench/duckdb-10m.json --out docs/images/bench-time-vs-events.png

docs: $(STAMP) ## Regenerate docs/cli.md from the commands and docs/metrics/catalog.md from the catalog
	$(BIN)/python -m vitals.cli_reference > docs/cli.md
	$(BIN)/python -m vitals.metrics.catalog_reference > docs/metrics/catalog.md

clean: ## Remove the demo warehouse, build state and caches (keeps .venv)
	rm -rf vitals.duckdb vitals.duckdb.wal .vitals spark-warehouse metastore_db derby.log .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install demo screenshots test test-superset chromium vendor lint format bench bench-plot docs clean
