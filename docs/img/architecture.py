"""Text source of docs/img/architecture.png (the block diagram in docs/architecture.md).

Regenerate: .venv/bin/python docs/img/architecture.py   (matplotlib only; no graphviz)
Boxes are (x, y, w, h) in a 100 x 62 canvas; arrows join box edges. Keep the names here
in step with rtl/ (instance names in brackets).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

OUT = Path(__file__).with_suffix(".png")

SW = "#e3f2fd"
SMMU = "#fff3e0"
DMA = "#e8f5e9"
MEM = "#f3e5f5"
TOP = "#fafafa"


def box(ax, x, y, w, h, title, lines=(), color="white", bold=True, size=8.5, dashed=False):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.2,rounding_size=0.8",
                                facecolor=color, edgecolor="#424242",
                                linewidth=1.0, linestyle="--" if dashed else "-"))
    ax.text(x + w / 2, y + h - 1.3, title, ha="center", va="top", fontsize=size,
            fontweight="bold" if bold else "normal")
    for i, ln in enumerate(lines):
        ax.text(x + w / 2, y + h - 3.6 - 1.9 * i, ln, ha="center", va="top", fontsize=6.8,
                color="#333333")


def arrow(ax, a, b, label="", color="#212121", style="-|>", rad=0.0, lpos=0.5, dy=0.8,
          size=6.8, both=False):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="<|-|>" if both else style, mutation_scale=9,
                                 color=color, linewidth=1.1,
                                 connectionstyle=f"arc3,rad={rad}"))
    if label:
        x = a[0] + (b[0] - a[0]) * lpos
        y = a[1] + (b[1] - a[1]) * lpos + dy
        ax.text(x, y, label, ha="center", va="bottom", fontsize=size, color=color,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.4, alpha=0.85))


def path(ax, pts, label="", color="#212121", lxy=None, rot=0, both=False, arrow_end=True):
    """A right-angled route through pts; the arrow head on the last segment (none when
    arrow_end is False: the route joins another)."""
    xs, ys = zip(*(pts[:-1] if arrow_end else pts))
    ax.plot(xs, ys, color=color, linewidth=1.1, solid_capstyle="round")
    if arrow_end:
        arrow(ax, pts[-2], pts[-1], color=color)
    if both:
        arrow(ax, pts[1], pts[0], color=color)
    if label:
        ax.text(*lxy, label, ha="center", va="center", fontsize=6.8, color=color, rotation=rot,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.4, alpha=0.9))


def main() -> Path:
    fig, ax = plt.subplots(figsize=(13, 8.2), dpi=110)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 64)
    ax.axis("off")
    ax.text(50, 63.8, "pasidsim: system_top (rtl/system) in its testbench", ha="center",
            va="top", fontsize=12, fontweight="bold")

    # ---- software side
    box(ax, 1, 38, 17, 19, "Python (sw/pasidsim)",
        ["driver: domains, PASIDs,", "STE/CD/page tables,", "CMDQ, EVTQ,",
         "fault handling (no PRI)", "golden models:", "smmu_model, dma_model"], SW)
    box(ax, 1, 23, 17, 11, "cocotb test (tb/)",
        ["AxiLiteMaster (CPU)", "memory backdoor", "monitors, trace, waves"], SW)

    # ---- system_top frame
    ax.add_patch(FancyBboxPatch((22, 3), 55, 54, boxstyle="round,pad=0.3,rounding_size=1",
                                facecolor=TOP, edgecolor="#9e9e9e", linewidth=1.2))
    ax.text(23.2, 56.2, "system_top", fontsize=9, fontweight="bold", va="top", color="#616161")
    box(ax, 24, 46.5, 15, 7.5, "axil_split + sys_axil_demux",
        ["0x00000 SMMU", "0x20000 + k*0x1000: DMA k"], "white", size=7)

    # DMA: NDEV instances (g_dev[k].u_dma), StreamID DMA_SID + k; drawn as a stack
    ax.add_patch(FancyBboxPatch((25, 4), 22, 39, boxstyle="round,pad=0.2,rounding_size=0.8",
                                facecolor=DMA, edgecolor="#9e9e9e", linewidth=1.0))
    box(ax, 24, 5, 22, 39, "dma_top x NDEV (rtl/dma)", [], DMA)
    box(ax, 25.5, 33, 19, 7.5, "dma_regs", ["per queue: ring VA, PASID,", "doorbell, IRQ"],
        "white", size=7.5)
    box(ax, 25.5, 23, 19, 8.5, "dma_ctrl + dma_rr_arb",
        ["fetch descriptor (VA),", "chunk, completion record"], "white", size=7.5)
    box(ax, 25.5, 13, 19, 8.5, "dma_rd_eng / dma_wr_eng",
        ["dma_realign, dma_fifo", "MEMMOVE, FILL, COMPARE"], "white", size=7.5)
    box(ax, 25.5, 6, 19, 5.5, "dma_axi_mux", ["a*user = {ssv, ssid, sid}"], "white", size=7.5)

    # SMMU
    box(ax, 50, 5, 26, 49, "smmu_top (rtl/smmu)", [], SMMU)
    box(ax, 51.5, 45, 23, 6.5, "smmu_regs", ["SMMUv3 register map, CR0ACK,", "GERROR, GBPA"],
        "white", size=7.5)
    box(ax, 51.5, 34, 11, 9, "smmu_xlate", ["[u_xlate_r]", "AR: hit-under-", "miss slots"],
        "white", size=7.5)
    box(ax, 63.5, 34, 11, 9, "smmu_xlate", ["[u_xlate_w]", "AW: in order"], "white", size=7.5)
    box(ax, 51.5, 26, 11, 6.5, "smmu_cfgc", ["config cache", "STE + CD"], "white", size=7.5)
    box(ax, 63.5, 26, 11, 6.5, "smmu_iotlb", ["IOTLB", "ASID, VA, size"], "white", size=7.5)
    box(ax, 51.5, 17, 23, 7.5, "smmu_walker x NW (default 5)",
        ["STE -> CD -> L0..L3 descriptors", "fills both caches"], "white", size=7.5)
    box(ax, 51.5, 12, 11, 4, "rd_path / wr_path", [], "white", size=6.5, bold=False)
    box(ax, 63.5, 12, 11, 4, "smmu_evtq (events)", [], "white", size=6.5, bold=False)
    box(ax, 51.5, 6, 11, 4.8, "m_axi", ["translated only", "ID {0, id}"], "white", size=7.5)
    box(ax, 63.5, 6, 11, 4.8, "smmu_tw_arb", ["m_tw_axi: own", "ID {1, source}"], "white",
        size=7.5)

    # ---- memory
    box(ax, 81, 14, 18, 36, "memory", ["AxiRam / AxiSlave (cocotbext-axi)",
                                       "or axi_dpi_ram (HDL, DPI)", "", "descriptor rings", "completion records", "data buffers",
                                       "page tables", "stream table, CD tables", "command queue",
                                       "event queue"], MEM)
    box(ax, 81, 4, 18, 7, "not yet", ["PRI queue, ATS, stage 2,", "event / GERROR MSIs, HTTU"],
        "white", size=7.5, dashed=True)

    # ---- arrows
    arrow(ax, (18, 30), (24, 50), "AXI-Lite", rad=-0.2, lpos=0.35)
    arrow(ax, (39, 52), (51.5, 48.5), "SMMU page", lpos=0.5)
    arrow(ax, (30.5, 46.5), (30.5, 40.5), "")
    ax.text(31.2, 45.0, "DMA k regs", fontsize=6.8)
    arrow(ax, (35, 33), (35, 31.5), "")
    arrow(ax, (35, 23), (35, 21.5), "")
    arrow(ax, (35, 13), (35, 11.5), "")
    path(ax, [(44.5, 8.5), (48, 8.5), (48, 38.5), (51.5, 38.5)],
         "sys_axi_arb: id = {k, id}; VA, {ssv, ssid, sid}; W, R slices", color="#2e7d32", lxy=(48, 24), rot=90)
    arrow(ax, (57, 34), (57, 32.5), both=True)
    arrow(ax, (69, 34), (69, 32.5), both=True)
    arrow(ax, (57, 26), (57, 24.5))
    ax.text(57.6, 25.1, "miss", fontsize=6.5, va="center")
    arrow(ax, (63, 17), (65, 10.8))
    arrow(ax, (57, 12), (57, 10.8))
    arrow(ax, (69, 12), (69, 10.8))
    # the two SMMU masters meet at system_top's memory port (sys_axi_arb, IDs unchanged)
    path(ax, [(53, 6), (53, 3.4), (77, 3.4), (77, 19)], "m_axi: PA", color="#6a1b9a",
         lxy=(66, 3.4), arrow_end=False)
    path(ax, [(74.5, 8.5), (77, 8.5), (77, 19)], "", color="#6a1b9a", arrow_end=False)
    arrow(ax, (77, 19), (81, 19), "", color="#6a1b9a")
    ax.text(77.4, 20.2, "sys_axi_arb", fontsize=6.2, color="#6a1b9a")
    ax.text(75.2, 9.3, "m_tw_axi", fontsize=6.2, color="#6a1b9a")
    path(ax, [(90, 50.2), (90, 60), (9.5, 60), (9.5, 57.2)],
         "backdoor: the driver writes tables, rings and data straight into memory",
         color="#1565c0", lxy=(50, 60), both=True)
    path(ax, [(74.5, 14), (75.8, 14), (75.8, 1.5), (9.5, 1.5), (9.5, 23)],
         "irq_evtq, irq_gerror, irq_dev[k]",
         color="#c62828", lxy=(36, 1.5))
    fig.savefig(OUT, bbox_inches="tight")
    plt.close(fig)
    return OUT


if __name__ == "__main__":
    print(main())
