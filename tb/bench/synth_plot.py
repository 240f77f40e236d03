"""Plot of area and achieved clock against IOTLB entries (smmu_top) and queue count (dma_top)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

PANELS = (("smmu_top", "IOTLB_ENTRIES", "IOTLB entries (smmu_top)"),
          ("dma_top", "NQ", "queues NQ (dma_top)"))


def series(records: Iterable[Mapping[str, Any]], top: str, param: str) -> list[tuple[int, dict]]:
    """Routed records of `top` that vary only `param`, sorted by its value."""
    pts = [(r["params"][param], r) for r in records
           if r.get("top") == top and "error" not in r and r.get("routed", True)
           and set(r.get("params", {})) == {param}]
    return sorted(pts, key=lambda p: p[0])


def plot(records: Iterable[Mapping[str, Any]], defaults: Mapping[str, Mapping[str, int]],
         target_mhz: float, out: Path) -> Path:
    records = list(records)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(6 * len(PANELS), 4.2))
    for ax, (top, param, label) in zip(axes, PANELS):
        pts = series(records, top, param)
        ax.set_title(top)
        ax.set_xlabel(label)
        if not pts:
            ax.text(0.5, 0.5, "no results", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        xs = [x for x, _ in pts]
        ax.plot(xs, [r["luts"] for _, r in pts], "o-", color="tab:blue", label="LUTs")
        ax.plot(xs, [r["ffs"] for _, r in pts], "s-", color="tab:green", label="FFs")
        ax.set_ylabel("cells")
        ax.set_ylim(0, max(r["luts"] for _, r in pts) * 1.25)
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [str(x) for x in xs])
        d = defaults.get(top, {}).get(param)
        if d in xs:
            ax.axvline(d, color="grey", lw=0.8, ls=":", label=f"default ({d})")
        ax2 = ax.twinx()
        ax2.plot(xs, [r["fmax_mhz"] for _, r in pts], "^--", color="tab:red", label="fmax")
        ax2.axhline(target_mhz, color="tab:red", lw=0.8, ls=":", label=f"target {target_mhz:g} MHz")
        ax2.set_ylabel("fmax (MHz)")
        ax2.set_ylim(0, max(target_mhz, *[r["fmax_mhz"] for _, r in pts]) * 1.2)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    fig.suptitle("ECP5-85F (speed 6), out of context: area and fmax vs size")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
