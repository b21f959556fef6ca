"""Stopping a run (Ctrl-C, SIGTERM) never leaves a half-written plan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from allocatie.report.outputs import write_outputs
from tests.paths import EXAMPLE


def test_a_failing_writer_leaves_nothing(tmp_path):
    out = tmp_path / "out"

    def boom(path: Path) -> None:
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_outputs(out, {"plan.csv": lambda p: p.write_text("x"), "kpis.json": boom})
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".allocatie-")]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("delay", [0.2, 0.6, 1.2])
def test_signal_at_any_moment_leaves_all_or_nothing(tmp_path, sig, delay):
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from allocatie.cli.main import main; main()", "match",
               "--scenario", str(EXAMPLE), "--out", str(out), "--quiet"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    process.send_signal(sig)
    process.communicate(timeout=60)
    if delay == 0.2:  # still importing: the run cannot have finished
        assert process.returncode != 0 and not out.exists()
    if out.exists():
        names = sorted(os.listdir(out))
        assert names == [
            "areas.csv", "kpis.json", "manifest.json", "map.png", "plan.csv", "plan.xlsx",
            "report.html",
        ]  # fmt: skip
        assert len(pd.read_csv(out / "plan.csv")) == 23
        assert json.loads((out / "kpis.json").read_text())["persons_housed"] == 47
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".allocatie-")]
