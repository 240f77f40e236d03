"""The project's HDL top levels and the rtl/ folders each one is built from."""

TOPS: dict[str, tuple[str, ...]] = {
    "smmu_top": ("common", "smmu"),
    "dma_top": ("common", "dma"),
    "system_top": ("common", "smmu", "dma", "system"),
}


def sources(top: str):
    from tb.common.sim import rtl_files

    tops = {**TOPS, **SIM_TOPS}
    if top not in tops:
        raise KeyError(f"unknown top level {top!r}; known: {sorted(tops)}")
    return rtl_files(*tops[top])

# Simulation-only tops (not linted with the synthesizable ones, not synthesized).
SIM_TOPS: dict[str, tuple[str, ...]] = {
    "axi_dpi_ram": ("sim",),
    "system_sim_dpi": ("common", "smmu", "dma", "system", "sim"),
}
