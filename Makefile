# nianbao — two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export NIANBAO_WAREHOUSE ?= $(CURDIR)/warehouse/nianbao.duckdb

.PHONY: run test test-slow lint dbt-parse dev docs bench lock clean browser

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/nianbao run

lint: $(STAMP)
	$(BIN)/ruff check .

dbt-parse: $(STAMP)
	$(BIN)/python -m orchestration.dbt_hygiene

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: the browser test will report why it was skipped"

test: $(STAMP) browser lint dbt-parse
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/python -m pytest -m "not slow" -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow -q

dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev

docs: $(STAMP)
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . && echo "docs: dbt_project/target/index.html"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

lock:
	rm -rf /tmp/nianbao-lock && $(PYTHON) -m venv /tmp/nianbao-lock
	/tmp/nianbao-lock/bin/pip install --quiet . '.[dev]'
	{ echo "# Lock file: exact versions for a reproducible environment (pip install -c constraints.txt -e '.[dev]')."; \
	  echo "# Regenerate with: make lock"; /tmp/nianbao-lock/bin/pip freeze | grep -v '^nianbao'; } > constraints.txt

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs
