"""Part 1 of `make bench`: simulation speed (wall clock) of the bulk workload.

Configurations, all the same RTL and the same workload (tb/bench/cocotb_bulk.py):
  a      system_sim_dpi: HDL-side DPI RAM, cocotb Clock, visibility "ports" (only the
         top's ports reachable from VPI) -- the regression's configuration
  a_all  the same with visibility "all" (cocotb's default --public-flat-rw)
  a2     system_sim_clkgen: DPI RAM, clock and reset generated in HDL (--timing)
  b      system_top + cocotbext-axi AxiRam (Python per beat), cocotb Clock
  c      the model of (a) without VPI, driven by tb/bench/csrc/replay_main.cpp replaying
         what run (a) recorded (AXI-Lite ops + backdoor writes), memory CRCs compared
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from pathlib import Path

from tb.bench.hwperf import run_checked
from tb.common import sim
from tb.common.tops import sources

HERE = Path(__file__).resolve().parent
REPLAY_SRC = HERE / "csrc" / "replay_main.cpp"
SYSTEM_PARAMS = {"DMA_SID": 1}   # test_driver_rtl's build: the regression configuration
# test_system_regs's system_top build (so the regression builds nothing extra for (b));
# the StreamID differs from (a)'s, which changes no timing
AXIRAM_PARAMS = {"SID_BITS": 8, "NQ": 4, "DMA_SID": 3}

# key: (top, memory, clock, extra build args, parameters, VPI visibility (tb.common.sim))
CONFIGS = {
    "a": ("system_sim_dpi", "dpi", "cocotb", (), SYSTEM_PARAMS, "ports"),
    "a_all": ("system_sim_dpi", "dpi", "cocotb", (), SYSTEM_PARAMS, "all"),
    "a2": ("system_sim_clkgen", "dpi", "hdl", ("--timing",), SYSTEM_PARAMS, "ports"),
    "b": ("system_top", "axiram", "cocotb", (), AXIRAM_PARAMS, "ports"),
    "a_cb": ("system_sim_dpi", "dpi", "cocotb", (), SYSTEM_PARAMS, "ports"),  # (a) + idle triggers
}


def timed_build(top: str, params: dict, build_args=(), srcs=None,
                visibility: str = "ports") -> tuple[Path, float | None]:
    """Build (or reuse) a cocotb model; seconds spent if it really built, else None."""
    srcs = list(srcs or sources("system_sim_dpi" if top == "system_sim_clkgen" else top))
    t = time.perf_counter()
    d = sim.build(top, srcs, params, waves=False, build_args=build_args, visibility=visibility)
    took = time.perf_counter() - t
    return d, (took if took > 2.0 else None)


def run_bulk(key: str, nproc: int, size: int, desc: int, seed: int = 1,
             record: bool = False, workload: str = "bulk", extra_cbs: int = 0) -> dict:
    """workload "bulk" (backdoor set-up, this package) or "demo" (pasidsim.demo through the
    driver: needs the SMMU command queue). extra_cbs: idle edge triggers kept armed during
    the copies (bulk only), to measure what one VPI value-change callback costs."""
    top, mem, clock, bargs, params, vis = CONFIGS[key]
    params = dict(params)
    srcs = sources("system_sim_dpi" if top == "system_sim_clkgen" else top)
    _, build_s = timed_build(top, params, bargs, srcs, vis)
    cfg = {"mem": mem, "clock": clock, "nproc": nproc, "size": size, "desc": desc,
           "seed": seed, "record": record, "sid": params["DMA_SID"], "workload": workload,
           "extra_cbs": extra_cbs}
    t = time.perf_counter()
    test_dir = run_checked("tb.bench.cocotb_bulk", top, srcs, params, ["bench.json"],
                           build_args=bargs, visibility=vis, seed=seed,
                           extra_env={"BENCH_CFG": json.dumps(cfg)})
    res = json.loads((test_dir / "bench.json").read_text())
    res.update(config=key, top=top, visibility=vis, process_s=time.perf_counter() - t, build_s=build_s,
               run_dir=str(test_dir))
    return res


# ---------------------------------------------------------------- (c) C++ harness
def replay_build(params: dict | None = None, public: bool = False) -> tuple[Path, float | None]:
    """Verilator model of system_sim_dpi + replay_main.cpp, no VPI, same optimisation
    flags as tb.common.sim.build; rebuilt only when sources or flags change. public=True
    adds --public-flat-rw (what cocotb's build adds) to measure that flag's cost alone."""
    params = dict(params or SYSTEM_PARAMS)
    lib = sim.pasidmem_lib()
    srcs = [*sources("system_sim_dpi"), *([sim.WAIVERS] if sim.WAIVERS.exists() else [])]
    extra = ["--public-flat-rw"] if public else []
    out = sim.SIM_BUILD / "bench" / "replay" / sim._tag(params, None, extra)
    out.mkdir(parents=True, exist_ok=True)
    cmd = ["verilator", "--cc", "--exe", "--build", "-j", "2", "--Mdir", str(out),
           "--top-module", "system_sim_dpi", "--prefix", "Vtop", "-o", "replay",
           "-O3", "-Wno-fatal", "--x-assign", "fast", "--x-initial", "fast", "--assert",
           "-CFLAGS", "-O1", "-LDFLAGS", f"{lib} -Wl,-rpath,{lib.parent}",
           *extra, *[f"-G{k}={v}" for k, v in params.items()], str(REPLAY_SRC), *map(str, srcs)]
    digest = sim._digest([*srcs, REPLAY_SRC, lib], cmd)
    stamp, exe = out / "bench.stamp", out / "replay"
    sim.verilator_env()
    # Several xdist workers may want this harness at once: one builds, the others wait.
    with open(out / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest and exe.exists():
            return exe, None
        stamp.unlink(missing_ok=True)
        t = time.perf_counter()
        log = out / "build.log"
        with open(log, "w") as f:
            r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
        if r.returncode:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            raise RuntimeError(f"replay harness build failed; log {log}\n{tail}")
        stamp.write_text(digest)
        return exe, time.perf_counter() - t


def run_replay(replay_dir: Path, public: bool = False) -> dict:
    exe, build_s = replay_build(public=public)
    t = time.perf_counter()
    r = subprocess.run([str(exe), str(replay_dir)], capture_output=True, text=True,
                       env={**os.environ, "PASIDSIM_MEM_BYTES": str(1 << 32)})
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise RuntimeError(f"replay failed ({r.returncode}): {r.stderr[-2000:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res.update(config="c_public" if public else "c", process_s=time.perf_counter() - t, build_s=build_s,
               stderr=r.stderr[-2000:])
    if res["hash_mismatches"] or res["pending_ops"]:
        raise RuntimeError(f"replay did not reproduce the cocotb run: {res}")
    return res
