# pasidsim: the two commands a newcomer runs are `make sim` and `make test`.
# Both create .venv (pinned packages from pyproject.toml) when it is missing or stale.

PYTHON_SYS ?= $(shell command -v python3.11 || command -v python3)
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.pasidsim-installed
JOBS       ?= auto
T          ?=
K          ?=
SEED       ?=
SPLITS     ?=
GROUP      ?=

# Test selection: `make test T=tb/smmu K=gerror`
PYTEST_SEL := $(if $(T),$(T),) $(if $(K),-k "$(K)",)
PYTEST_SPLIT := $(if $(SPLITS),--splits $(SPLITS) --group $(GROUP),)

.PHONY: all venv sim test regression coverage lint clean distclean help

all: test

help:
	@echo "make sim          run the main demo scenario and print a summary"
	@echo "make test         run the regression (parallel; T=path K=expr SEED=n WAVES=1)"
	@echo "make regression   long regression: adds soak and extra seeds"
	@echo "make lint         verilator --lint-only -Wall on every top level"
	@echo "make clean        remove sim_build/ (keeps .venv)"
	@echo "make distclean    remove sim_build/ and .venv"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

venv: $(STAMP)

sim: $(STAMP)
	$(PY) -m tb.demo $(ARGS)

test: $(STAMP)
	@mkdir -p sim_build
	$(PY) -m pytest -n $(JOBS) $(PYTEST_SPLIT) --junitxml=sim_build/junit.xml $(PYTEST_SEL)

regression: $(STAMP)
	@mkdir -p sim_build
	PASIDSIM_SOAK=1 $(PY) -m pytest -n $(JOBS) $(PYTEST_SPLIT) --junitxml=sim_build/junit-regression.xml $(PYTEST_SEL)

coverage: $(STAMP)
	@mkdir -p sim_build
	RTL_COVERAGE=1 $(PY) -m pytest -n $(JOBS) --junitxml=sim_build/junit-coverage.xml $(PYTEST_SEL) || true
	$(PY) -m tb.common.coverage_report

lint: $(STAMP)
	$(PY) -m tb.common.lint

clean:
	rm -rf sim_build .pytest_cache

distclean: clean
	rm -rf $(VENV) sw/*.egg-info
