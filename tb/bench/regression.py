"""Regression wall time and peak memory per worker, for `make bench`.

Measured (--regression): runs `pytest -n JOBS` (the `make test` regression) and samples
/proc every 0.5 s: a worker's memory is the resident size of the xdist worker plus its
simulator child processes. Otherwise the wall time of the last `make test` is read from
sim_build/junit.xml (no memory figure then).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from tb.common.sim import ROOT, SIM_BUILD


def _procs() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss bytes) of every process we can read."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            st = (d / "stat").read_text()
            ppid = int(st.rsplit(")", 1)[1].split()[1])
            rss = int((d / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        out[int(d.name)] = (ppid, rss)
    return out


def _tree_rss(root: int, procs) -> dict[int, int]:
    """RSS of each direct child of root summed with all its descendants."""
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)

    def total(pid):
        return procs[pid][1] + sum(total(k) for k in kids.get(pid, []))
    return {w: total(w) for w in kids.get(root, [])}


def measure(jobs: int = 2, args: list[str] | None = None) -> dict:
    junit = SIM_BUILD / "bench" / "junit-regression.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", str(jobs), f"--junitxml={junit}",
           *(args or [])]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak: dict[int, int] = {}
    while p.poll() is None:
        for w, rss in _tree_rss(p.pid, _procs()).items():
            peak[w] = max(peak.get(w, 0), rss)
        time.sleep(0.5)
    wall = time.perf_counter() - t
    tests, failures = _junit_counts(junit)
    return {"wall_s": wall, "jobs": jobs, "source": "measured", "returncode": p.returncode,
            "tests": tests, "failures": failures,
            "peak_rss_per_worker_mb": sorted(round(v / 2**20, 1) for v in peak.values())}


def _junit_counts(path: Path) -> tuple[int | None, int | None]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None, None
    suites = [root] if root.tag == "testsuite" else list(root)
    n = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    return n, f


def from_junit(path: Path = SIM_BUILD / "junit.xml") -> dict | None:
    """Wall time of the last `make test` (pytest writes the session time per testsuite)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root)
    if not suites:
        return None
    tests, failures = _junit_counts(path)
    return {"wall_s": max(float(s.get("time", 0)) for s in suites), "source": str(path),
            "tests": tests, "failures": failures, "peak_rss_per_worker_mb": None,
            "age_s": time.time() - path.stat().st_mtime}
