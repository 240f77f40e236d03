"""`make lint`: Verilator --lint-only -Wall on every top level that exists.

Waivers live only in rtl/waivers.vlt, each with a reason.
"""

import subprocess
import sys

from tb.common.sim import RTL, WAIVERS, verilator_env
from tb.common.tops import SIM_TOPS, TOPS, sources


def main() -> int:
    verilator_env()
    failed = 0
    for top, blocks in {**TOPS, **SIM_TOPS}.items():
        if not any((RTL / b / f"{top}.sv").exists() for b in blocks):
            print(f"lint {top}: not present yet, skipped")
            continue
        cmd = ["verilator", "--lint-only", "-Wall", "--top-module", top, str(WAIVERS),
               *map(str, sources(top))]
        res = subprocess.run(cmd, capture_output=True, text=True)
        out = (res.stdout + res.stderr).strip()
        if res.returncode != 0 or "%Warning" in out or "%Error" in out:
            failed += 1
            print(f"lint {top}: FAILED\n{out}")
        else:
            print(f"lint {top}: clean")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
