"""`make lint` as part of the regression: Verilator -Wall on every top stays clean."""

import subprocess
import sys

from tb.common.sim import ROOT


def test_verilator_lint_clean():
    res = subprocess.run([sys.executable, "-m", "tb.common.lint"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
