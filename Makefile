# nianbao — two commands do everything: `make run` and `make test`.
# Both create the virtual environment first when it is missing (pinned by constraints.txt).
SHELL := /bin/bash
# Supported interpreters, preferred first; `make PYTHON=python3.13 …` picks one explicitly.
SUPPORTED_PYTHONS := python3.11 python3.12 python3.13
SUPPORTED_VERSIONS := 3.11 3.12 3.13
PYTHON ?= $(firstword $(foreach p,$(SUPPORTED_PYTHONS),$(shell $(p) -c 'import sys' >/dev/null 2>&1 && echo $(p))))
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY_VERSION = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# A venv made with an unsupported, broken or (when PYTHON is given) another interpreter is removed here,
# before any rule runs, so the stamp rule below rebuilds it.
VENV_VERSION := $(call PY_VERSION,$(BIN)/python)
WANTED_VERSION := $(if $(filter command line environment,$(origin PYTHON)),$(call PY_VERSION,$(PYTHON)))
ifneq ($(wildcard $(VENV)),)
ifeq ($(filter $(VENV_VERSION),$(or $(WANTED_VERSION),$(SUPPORTED_VERSIONS))),)
$(info $(VENV) was made with Python '$(or $(VENV_VERSION),unknown)', wanted $(or $(WANTED_VERSION),one of $(SUPPORTED_VERSIONS)): rebuilding it)
$(shell rm -rf $(VENV))
endif
endif

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export NIANBAO_WAREHOUSE ?= $(CURDIR)/warehouse/nianbao.duckdb

.PHONY: pip-install office run test test-slow lint dbt-parse dev docs bench lock clean browser converters dagster-home

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "no supported Python found (need one of: $(SUPPORTED_PYTHONS))" >&2; exit 1; }
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; $(PYTHON) -m venv $(VENV); }
	@echo "installing into $(VENV) ($$($(BIN)/python --version))"
	@# uv (pinned in constraints.txt) installs the same pinned versions as pip, downloading and unpacking in parallel
	@# and compiling the bytecode on every core: a fresh install 155 -> 47 s on 2 cores. The bytecode must be written
	@# now: where PYTHONDONTWRITEBYTECODE is set, imports never write it. pip stays the fallback, for a machine where
	@# uv cannot reach the index pip is configured for.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt uv \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python --system-certs --compile-bytecode -c constraints.txt -e '.[dev,ocr]' \
	  || { echo "uv could not install the environment: installing with pip"; $(MAKE) --no-print-directory pip-install; }
	touch $(STAMP)

# The environment installed by pip alone (slower; the fallback when uv fails).
pip-install:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c constraints.txt -e '.[dev,ocr]'
	@# pip compiles the installed modules one at a time; compileall uses every core.
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null \
	  || echo "compileall: some files in $(VENV) did not compile (pip leaves such files uncompiled too)"

# Build (or update) the warehouse from the bundled sample inbox, with the data-quality report.
run: $(STAMP)
	$(BIN)/nianbao run

lint: $(STAMP)
	$(BIN)/ruff check .

# dbt hygiene: the project must parse with no deprecation warning at all.
dbt-parse: $(STAMP)
	@cd dbt_project && out="$$(../$(BIN)/dbt parse --no-partial-parse --show-all-deprecations --profiles-dir . 2>&1)"; \
	  rc=$$?; echo "$$out" | tail -n 15; \
	  if [ $$rc -ne 0 ]; then echo "dbt parse failed (exit $$rc)" >&2; exit $$rc; fi; \
	  if grep -qi 'deprecat' <<<"$$out"; then echo "dbt parse reported a deprecation: fix it (see above)" >&2; exit 1; fi; \
	  echo "dbt parse: clean, no deprecations"

# Headless Chromium and a small CJK font (the report's screenshots must show legible Chinese).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .; } \
	  || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
	  || echo "could not install chromium and fonts-wqy-microhei: the browser tests will fail saying so"

# pdftotext (poppler-utils, a Debian package) for the converter round trips: missing, their test fails (no skip).
converters:
	@command -v pdftotext >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null) \
	  || echo "could not install poppler-utils: tests/test_converter_roundtrip.py will fail" >&2

# LibreOffice reads .doc/.wps; its tests (a real conversion takes tens of seconds) are in the slow tier.
office:
	@command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null) \
	  || echo "could not install libreoffice-writer-nogui: the .doc tests will fail saying so" >&2

# The tests run on every core (at most four workers, pytest-xdist), each test file on one worker so that its
# module fixtures are built once. TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
PARALLEL_TESTS = -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

test: $(STAMP) browser converters lint dbt-parse
	$(BIN)/python -m pytest -m "not slow" -q $(PARALLEL_TESTS)

test-slow: $(STAMP) converters office
	$(BIN)/python -m pytest -m slow -q $(PARALLEL_TESTS)

# The Dagster instance lives in .dagster_home/ (git-ignored), with the project's instance settings.
dagster-home:
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

# Dagster UI on http://localhost:3000: assets, checks, the job, the schedule and the inbox sensor.
# Under `dagster dev` the dbt manifest is re-parsed on each load (DbtProject.prepare_if_dev), by the `dbt` on PATH.
dev: $(STAMP) dagster-home
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dagster dev

# dbt docs (lineage and column descriptions) for the built warehouse: dbt_project/target/index.html.
# dbt opens the warehouse for writing, so the docs are generated from the working copy, not the snapshot.
docs: $(STAMP)
	@test -f "$(NIANBAO_WAREHOUSE)" || $(BIN)/nianbao run
	cd dbt_project && NIANBAO_WAREHOUSE="$(dir $(NIANBAO_WAREHOUSE))$(basename $(notdir $(NIANBAO_WAREHOUSE)))_run/$(notdir $(NIANBAO_WAREHOUSE))" \
	  ../$(BIN)/dbt docs generate --profiles-dir . && echo "docs: dbt_project/target/index.html (serve: cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir .)"

# Benchmark (not a test): `nianbao run` on the samples (fresh, nothing new, touched, one edited, floors), then N
# synthetic reports end to end and +10 incremental. BENCH_ARGS e.g. "--keep /tmp/nb".
N ?= 10000
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks.samples
	$(BIN)/python -m benchmarks.run --n $(N) $(BENCH_ARGS)

# Fuzzing campaign (issue 17): mutated and crafted inputs of every source form through the sandboxed parse;
# prints escapes, hangs, lost documents, peak memory per worker and the mutation oracle (docs/reliability.md).
.PHONY: fuzz
FUZZ_INPUTS ?= 10000
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.campaign --inputs $(FUZZ_INPUTS) --big --keep warehouse/fuzz_reproducers

lock:
	rm -rf /tmp/nianbao-lock && $(PYTHON) -m venv /tmp/nianbao-lock
	/tmp/nianbao-lock/bin/pip install --quiet . '.[dev,ocr]'
	{ echo "# Lock file: exact versions for a reproducible environment (pip install -c constraints.txt -e '.[dev,ocr]')."; \
	  echo "# Regenerate with: make lock"; /tmp/nianbao-lock/bin/pip freeze | grep -v '^nianbao'; } > constraints.txt

# Everything built: the venv, the warehouse, the Dagster instance, dbt's outputs, test artefacts.
clean:
	rm -rf $(VENV) warehouse .dagster_home dbt_project/target dbt_project/logs tests/artifacts nianbao.egg-info
