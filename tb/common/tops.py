"""The project's HDL top levels and the rtl/ folders each one is built from."""

TOPS: dict[str, tuple[str, ...]] = {
    "smmu_top": ("common", "smmu"),
    "dma_top": ("common", "dma"),
    "system_top": ("common", "smmu", "dma", "system"),
}


def sources(top: str):
    from tb.common.sim import rtl_files

    if top not in TOPS:
        raise KeyError(f"unknown top level {top!r}; known: {sorted(TOPS)}")
    return rtl_files(*TOPS[top])
