"""The project's HDL top levels and the rtl/ folders each one is built from."""

import os
from pathlib import Path

TOPS: dict[str, tuple[str, ...]] = {
    "smmu_top": ("common", "smmu"),
    "dma_top": ("common", "dma"),
    "system_top": ("common", "smmu", "dma", "system"),
}

# Simulation-only tops (not linted with the synthesizable ones, not synthesized).
SIM_TOPS: dict[str, tuple[str, ...]] = {
    "axi_dpi_ram": ("sim",),
    "smmu_sim_dpi": ("common", "smmu", "sim"),
    "system_sim_dpi": ("common", "smmu", "dma", "system", "sim"),
    # self-test of the protocol checkers (tb/test_coverage_checkers.py)
    "axi_checker_selftest": ("check_selftest",),
}

# rtl/check: simulation-only AXI / AXI-Lite protocol checkers (docs/coverage.md). The checker
# modules go into every test build; bind_<module>.sv goes in when <module> is part of the build.
CHECK = "check"
CHECK_MACROS = "axi_check_macros.sv"   # `define only: must precede every bind_*.sv


def checker_files(rtl: list[Path]) -> list[Path]:
    from tb.common.sim import RTL

    mods = {p.stem for p in rtl}
    # the bind files use its macros: listed first on purpose, whatever the names sort to
    macros = RTL / CHECK / CHECK_MACROS
    files = [macros] + sorted(f for f in (RTL / CHECK).glob("*.sv") if f != macros)
    return [f for f in files
            if not f.stem.startswith("bind_") or f.stem.removeprefix("bind_") in mods]


def sources(top: str, checkers: bool = True) -> list[Path]:
    """The .sv files of ``top``. ``checkers=True`` (tests, lint): with the protocol checkers
    bound to its AXI ports; ``checkers=False``: the synthesizable RTL only (make synth).
    PASIDSIM_CHECKERS=0 in the environment leaves the checkers out everywhere (to compare
    speed, or to get past a firing checker while it is being fixed)."""
    from tb.common.sim import rtl_files

    tops = {**TOPS, **SIM_TOPS}
    if top not in tops:
        raise KeyError(f"unknown top level {top!r}; known: {sorted(tops)}")
    rtl = rtl_files(*tops[top])
    if os.environ.get("PASIDSIM_CHECKERS", "1") in ("0", "", "no", "false"):
        checkers = False
    return rtl + checker_files(rtl) if checkers else rtl
