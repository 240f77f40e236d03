"""Part 2 of `make bench`: hardware performance in simulated cycles (runners).

SMMU microbenchmarks (tb/bench/cocotb_smmu.py) on rtl/sim/smmu_sim_dpi.sv, one build per
(IOTLB_ENTRIES, READ_LATENCY); DMA efficiency (tb/bench/cocotb_dma.py) on system_sim_dpi,
one build per READ_LATENCY.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tb.common import sim
from tb.common.sim import rtl_files
from tb.common.tops import sources

SMMU_TOP = "smmu_sim_dpi"


def run_checked(module: str, top: str, srcs, params: dict, outputs: list[str],
                build_args=(), visibility: str = "ports", **kw) -> Path:
    """sim.run that never hands back a previous run's numbers: outside pytest a failing
    cocotb test does not raise, and the run folder is reused, so each expected output
    file is removed first and must exist afterwards (else: error with the log's tail)."""
    d = sim._test_dir(sim.build(top, srcs, params, waves=False, build_args=build_args,
                                visibility=visibility))
    for name in outputs:
        (d / name).unlink(missing_ok=True)
    d = sim.run(module, top, srcs, params, build_args=build_args, visibility=visibility, **kw)
    missing = [n for n in outputs if not (d / n).exists()]
    if missing:
        log = d / "sim.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.exists() else ""
        raise RuntimeError(f"{module} on {top}: the cocotb run wrote no {missing} (it failed); "
                           f"log {log}:\n{tail}")
    return d


def _run(module: str, top: str, srcs, params: dict, tests: list[str], cfg: dict,
         visibility: str) -> dict:
    t = time.perf_counter()
    build_t = time.perf_counter()
    sim.build(top, srcs, params, waves=False, visibility=visibility)
    build_s = time.perf_counter() - build_t
    d = run_checked(module, top, srcs, params, [f"{name}.json" for name in tests],
                    visibility=visibility, testcase=tests, seed=1,
                    extra_env={"BENCH_CFG": json.dumps(cfg)})
    out = {name: json.loads((d / f"{name}.json").read_text()) for name in tests}
    out["_meta"] = {"params": params, "wall_s": time.perf_counter() - t,
                    "build_s": build_s if build_s > 2 else None, "run_dir": str(d)}
    return out


def smmu(iotlb: int, latency: int, tests: list[str], cfg: dict | None = None) -> dict:
    params = {"IOTLB_ENTRIES": iotlb, "READ_LATENCY": latency, "SSID_BITS": 8}
    # the monitor stamps the internal memory port (mem_*): needs every signal visible
    return _run("tb.bench.cocotb_smmu", SMMU_TOP, rtl_files("common", "smmu", "sim"), params,
                tests, cfg or {}, "all")


def dma(latency: int, sizes: list[int], cfg: dict | None = None) -> dict:
    # READ_LATENCY 10 is system_sim_dpi's default: share the regression's build then
    params = {"DMA_SID": 1} if latency == 10 else {"DMA_SID": 1, "READ_LATENCY": latency}
    c = dict(cfg or {}, sizes=sizes, read_latency=latency)
    # ports only, like the regression's system_sim_dpi build (shared at latency 10)
    return _run("tb.bench.cocotb_dma", "system_sim_dpi", sources("system_sim_dpi"), params,
                ["dma_efficiency"], c, "ports")


def save_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1))
