"""Regression wall time and peak memory per worker, for `make bench`.

Measured (`--regression run`): runs `pytest -n JOBS -m "not long"` (what `make test`
runs) and samples /proc every 0.5 s: a worker's memory is the resident size of the xdist
worker plus its simulator child processes. Read (`--regression junit`): the session time
of a finished `make test` from its JUnit file (no memory figure then). `auto` reads
sim_build/junit.xml when it is fresh (written after HEAD was committed) and measures
otherwise. `clone` (the default of a full `make bench`) measures in a fresh clone of HEAD
(cold builds, committed code only): the figure the README quotes, independent of what
the working tree has cached. Every result carries its provenance: where the number comes from,
when the regression ran, on which commit, how many tests, how many failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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


def git_state(root: Path = ROOT) -> dict:
    """HEAD commit, its commit time (unix s) and whether tracked files differ from it."""
    def git(*a):
        r = subprocess.run(["git", "-C", str(root), *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    head = git("rev-parse", "--short=12", "HEAD")
    ctime = git("log", "-1", "--format=%ct", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": head, "commit_time": int(ctime) if ctime else None,
            "dirty": bool(dirty) if dirty is not None else None}


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def measure(jobs: int = 2, args: list[str] | None = None, cwd: Path = ROOT,
            env: dict | None = None, junit: Path | None = None) -> dict:
    junit = Path(junit or SIM_BUILD / "bench" / "junit-regression.xml")
    junit.parent.mkdir(parents=True, exist_ok=True)
    state = git_state(cwd)
    started = time.time()
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", str(jobs), "-m", "not long",
           f"--junitxml={junit}", *(args or [])]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env)
    peak: dict[int, int] = {}
    while p.poll() is None:
        for w, rss in _tree_rss(p.pid, _procs()).items():
            peak[w] = max(peak.get(w, 0), rss)
        time.sleep(0.5)
    wall = time.perf_counter() - t
    tests, failures = _junit_counts(junit)
    return {"wall_s": wall, "jobs": jobs, "source": "measured by make bench",
            "command": " ".join(cmd[1:]), "returncode": p.returncode, "checkout": str(cwd),
            "tests": tests, "failures": failures, "date": _iso(started), **state,
            "peak_rss_per_worker_mb": sorted(round(v / 2**20, 1) for v in peak.values())}


def measure_clone(jobs: int = 2, root: Path = ROOT, args: list[str] | None = None,
                  junit: Path | None = None) -> dict:
    """`measure` in a fresh clone of HEAD: cold builds, committed code only (what a
    newcomer's first `make test` costs). The clone imports its own tb/ and sw/ (PYTHONPATH
    ahead of the editable install) with this venv's interpreter; it is deleted afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="pasidsim-bench-clone."))
    try:
        repo = scratch / "repo"
        r = subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(root), str(repo)],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"regression clone: git clone of {root} failed: {r.stderr.strip()}")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "sw")])}
        got = measure(jobs, args, cwd=repo, env=env, junit=junit)
        got.update(source="measured by make bench in a fresh clone of HEAD (cold builds)",
                   checkout=f"fresh clone of {root} in {repo} (deleted)", cold_builds=True,
                   fresh=True)
        return got
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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
    """Wall time of a finished `make test` (pytest writes the session time per testsuite)
    with its date; the commit is that of the checkout holding the file, and `fresh` says
    whether the file was written after that commit was made (else it may be older code)."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root)
    if not suites:
        return None
    tests, failures = _junit_counts(path)
    mtime = path.stat().st_mtime
    repo = next((p for p in path.resolve().parents if (p / ".git").exists()), ROOT)
    state = git_state(repo)
    fresh = state["commit_time"] is not None and mtime >= state["commit_time"]
    return {"wall_s": max(float(s.get("time", 0)) for s in suites), "source": str(path),
            "tests": tests, "failures": failures, "peak_rss_per_worker_mb": None,
            "date": suites[0].get("timestamp") or _iso(mtime), "age_s": time.time() - mtime,
            "fresh": fresh, "checkout": str(repo), **state}


MODES = ("auto", "run", "clone", "junit", "skip")


def obtain(mode: str, junit: Path | None = None, jobs: int = 2) -> dict | None:
    """mode: "run" (measure in this checkout), "clone" (measure in a fresh clone of HEAD),
    "junit" (read `junit`, default sim_build/junit.xml; None if absent), "auto" (a fresh
    junit if there is one, else measure), "skip"."""
    if mode not in MODES:
        raise ValueError(f"regression.obtain: mode {mode!r} is not {'/'.join(MODES)}")
    if mode == "skip":
        return None
    if mode == "run":
        return measure(jobs)
    if mode == "clone":
        return measure_clone(jobs)
    got = from_junit(junit) if junit else from_junit()
    if mode == "junit" or (got and got["fresh"]):
        return got
    return measure(jobs)


def provenance(reg: dict) -> dict:
    """The fields of a regression result that say where its number comes from."""
    keys = ("source", "date", "commit", "dirty", "fresh", "checkout", "cold_builds", "tests",
            "failures", "jobs", "command", "returncode")
    return {k: reg[k] for k in keys if k in reg}
