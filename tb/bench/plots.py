"""PNG plots of `make bench` (matplotlib, no display): simulation speed per configuration,
DMA efficiency against copy size per memory latency, IOTLB hit rate and throughput
against active PASIDs per IOTLB size."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sim_speed(records, path: Path) -> Path:
    rows = [r for r in records if r.get("kind") == "sim_speed"]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(4, len(rows)) + 1))
    names = [r["name"] for r in rows]
    ax.barh(names, [r["cycles_per_s"] for r in rows], color="tab:blue")
    ax.set_xscale("log")
    ax.set_xlabel("simulated cycles per CPU second (log)")
    ax.set_xlim(right=max([r["cycles_per_s"] for r in rows] + [1]) * 4)
    ax.set_title("simulation speed (same RTL, same workload per pair)")
    for i, r in enumerate(rows):
        ax.text(r["cycles_per_s"], i, f" {r['cycles_per_s'] / 1e3:.0f} k", va="center", fontsize=8)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def dma_efficiency(dma_runs: dict[int, dict], path: Path, goal: float = 0.95) -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for lat, run in sorted(dma_runs.items()):
        rows = run["rows"]
        ax.plot([r["bytes"] for r in rows], [r["efficiency"] for r in rows], "o-",
                label=f"memory latency {lat} cycles")
    ax.axhline(goal, color="gray", ls="--", lw=1, label=f"target {goal}")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("copy size (bytes)")
    ax.set_ylabel("bytes/cycle / bus bytes/cycle")
    ax.set_title("DMA copy efficiency (warm translations, doorbell to IRQ)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scaling(runs: dict[int, dict], path: Path) -> Path:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    for size, run in sorted(runs.items()):
        pts = run["points"]
        x = [p["pasids"] for p in pts]
        a1.plot(x, [p["iotlb_hit_rate"] for p in pts], "o-", label=f"IOTLB {size}")
        a2.plot(x, [p["translations_per_cycle"] for p in pts], "o-", label=f"IOTLB {size}")
    for a, what in ((a1, "IOTLB hit rate"), (a2, "translations per cycle (log)")):
        a.set_xscale("log", base=2)
        a.set_xlabel("active PASIDs (4 pages each, round-robin)")
        a.set_ylabel(what)
        a.legend(fontsize=8)
    a1.set_ylim(0, 1.05)
    a2.set_yscale("log")
    a2.set_ylim(0.005, 1.5)
    fig.suptitle("SMMU scaling with PASIDs and IOTLB size (config cache: 8 entries)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
