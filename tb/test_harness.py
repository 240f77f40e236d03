"""Harness behaviour that needs no simulator: run folders are not shared by two runs."""

import os

from tb.common import sim


def test_busy_run_folder_gives_the_second_run_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tb/x/test_y.py::test_y[a] (call)")
    base = sim._test_dir(tmp_path)
    with sim._claim_test_dir(tmp_path) as first:
        assert first == base and first.is_dir()
        (first / "sim.log").write_text("first run")
        twin = base.with_name(f"{base.name}~{os.getpid()}")
        twin.mkdir()
        (twin / "stale.json").write_text("{}")      # left by an earlier run with this pid
        with sim._claim_test_dir(tmp_path) as second:
            assert second == twin and not (twin / "stale.json").exists()
        assert (first / "sim.log").read_text() == "first run"
    with sim._claim_test_dir(tmp_path) as again:   # released: the usual folder again
        assert again == base
