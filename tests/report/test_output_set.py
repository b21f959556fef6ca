"""A run's output set: never over an input, never mixed, never stale, never two at once."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from allocatie.inputs.errors import InputError
from allocatie.report import output_set
from allocatie.report.output_set import (
    STAGING_MARK,
    STAGING_PREFIX,
    neutralise,
    verify_outputs,
    write_csv,
    write_outputs,
)
from allocatie.report.outputs import PLAN_FILES
from tests.paths import EXAMPLE

OWNED = ("a.csv", "b.csv", "c.csv", "manifest.json")


def _writers(tag: str, names=("a.csv", "b.csv", "c.csv")) -> dict:
    writers = {name: (lambda p, n=name: p.write_text(f"{tag} {n}\n")) for name in names}
    writers["manifest.json"] = lambda p: p.write_text(json.dumps({"run": tag}))
    return writers


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "allocatie", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def test_output_overwriting_an_input_is_refused_before_anything_is_written(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    (data / "households.csv").rename(data / "plan.csv")
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    done = _run("match", "--households", str(data / "plan.csv"),
                "--dwellings", str(data / "dwellings.csv"), "--policy", str(data / "policy.toml"),
                "--out", str(data), "--no-maps")  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "would be overwritten by the output plan.csv" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_an_input_reached_through_a_symlink_is_also_protected(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("keep\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").symlink_to(real)
    with pytest.raises(InputError, match="would be overwritten"):
        write_outputs(out, _writers("new"), inputs=[real], manifest="manifest.json")
    assert real.read_text() == "keep\n"


def test_rerun_without_maps_removes_the_old_report_and_map(tmp_path):
    out = tmp_path / "out"
    assert _run("match", "--scenario", str(EXAMPLE), "--out", str(out), "--quiet").returncode == 0
    assert (out / "report.html").is_file() and (out / "map.png").is_file()
    (out / "notes.docx").write_text("the coordinator's own file")
    done = _run("match", "--scenario", str(EXAMPLE), "--out", str(out), "--quiet", "--no-maps")
    assert done.returncode == 0, done.stderr
    assert not (out / "report.html").exists() and not (out / "map.png").exists()
    assert (out / "notes.docx").read_text() == "the coordinator's own file"
    assert verify_outputs(out, "manifest.json", PLAN_FILES) == []
    listed = json.loads((out / "manifest.json").read_text())["outputs"]
    assert sorted(listed) == ["areas.csv", "kpis.json", "plan.csv", "plan.xlsx"]


def test_owned_files_not_written_this_time_are_removed(tmp_path):
    out = tmp_path / "out"
    write_outputs(out, _writers("old"), owned=OWNED, manifest="manifest.json")
    write_outputs(out, _writers("new", ("a.csv",)), owned=OWNED, manifest="manifest.json")
    assert sorted(os.listdir(out)) == ["a.csv", "manifest.json"]
    assert verify_outputs(out, "manifest.json", OWNED) == []


@pytest.mark.parametrize("renames_before_kill", range(4))
def test_a_kill_during_the_swap_never_passes_for_a_whole_set(
    tmp_path, monkeypatch, renames_before_kill
):
    """Power loss or SIGKILL between two renames: verify_outputs sees the mixed set."""
    out = tmp_path / "out"
    write_outputs(out, _writers("old"), owned=OWNED, manifest="manifest.json")
    real_replace = os.replace
    calls = []

    def dying_replace(src, dst):
        if len(calls) == renames_before_kill:
            raise SystemExit("killed")
        calls.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(output_set.os, "replace", dying_replace)
    with pytest.raises(SystemExit):
        write_outputs(out, _writers("new"), owned=OWNED, manifest="manifest.json")
    contents = {p.read_text().split()[0] for p in out.glob("*.csv")}
    if verify_outputs(out, "manifest.json", OWNED) == []:
        assert len(contents) == 1  # a whole set, never a mixed one
    else:
        assert not (out / "manifest.json").exists()  # the manifest names the set: gone


def test_files_are_staged_privately_inside_the_output_folder(tmp_path):
    """Inside the target: renames stay on one file system (a mounted --out works)."""
    out = tmp_path / "out"
    seen = {}

    def spy(path: Path) -> None:
        seen["folder"] = path.parent
        seen["mode"] = stat.S_IMODE(path.parent.stat().st_mode)
        path.write_text("x")

    write_outputs(out, {"a.csv": spy})
    assert seen["folder"].parent == out and seen["folder"].name.startswith(STAGING_PREFIX)
    assert seen["mode"] == 0o700
    assert os.listdir(out) == ["a.csv"]


def test_staging_left_by_a_killed_run_is_cleaned_but_foreign_folders_stay(tmp_path):
    out = tmp_path / "out"
    killed = out / f"{STAGING_PREFIX}abc123"
    killed.mkdir(parents=True)
    (killed / STAGING_MARK).write_text("process 1")
    (killed / "plan.csv").write_text("intake notes: personal data")
    foreign = out / f"{STAGING_PREFIX}not-ours"
    foreign.mkdir()
    write_outputs(out, _writers("new"), owned=OWNED, manifest="manifest.json")
    assert not killed.exists()
    assert foreign.exists()


def test_a_second_run_into_the_same_folder_is_refused_and_told_who_holds_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = out / f"{STAGING_PREFIX}live"
    holder.mkdir()
    (holder / STAGING_MARK).write_text("process 4242 of user anna on laptop, since 10:00")
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(InputError) as caught:
            write_outputs(out, _writers("new"), owned=OWNED, manifest="manifest.json")
        assert "process 4242 of user anna" in caught.value.render()
        assert holder.exists()  # a live run's staging is never touched
    finally:
        os.close(fd)
    assert sorted(os.listdir(out)) == [holder.name]


@pytest.mark.parametrize(
    ("code", "advice"),
    [(errno.EROFS, "cannot be written to"), (errno.ENOSPC, "the disk is full")],
)
def test_read_only_or_full_disk_is_a_clear_user_error(tmp_path, code, advice):
    out = tmp_path / "out"

    def fails(path: Path) -> None:
        raise OSError(code, os.strerror(code))

    with pytest.raises(InputError) as caught:
        write_outputs(out, {"a.csv": fails})
    message = caught.value.render()
    assert advice in message and str(out) in message
    assert not out.exists()


def test_the_cli_says_a_full_disk_in_one_line(tmp_path):
    """Through the real command: exit 2, no 'unexpected error', no traceback."""
    out = tmp_path / "out"
    code = (
        "import errno, os, sys; import allocatie.report.outputs as o; "
        "o._write_json = lambda d, p: (_ for _ in ()).throw(OSError(errno.ENOSPC, 'No space')); "
        "from allocatie.cli.main import main; sys.argv = ['allocatie', 'match', '--scenario', "
        f"{str(EXAMPLE)!r}, '--out', {str(out)!r}, '--no-maps']; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "the disk is full" in done.stderr
    assert "unexpected" not in done.stderr and "Traceback" not in done.stderr


# --- CSV injection ------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x";"klik")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(tmp_path, text):
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"household_id": pd.Series([text], dtype="str"), "n": [-3]}), path)
    back = pd.read_csv(path, dtype=str)
    assert back.loc[0, "household_id"] == "'" + text
    assert back.loc[0, "n"] == "-3"  # numbers stay numbers


def test_plain_text_is_left_alone():
    assert neutralise("H-001") == "H-001"
    assert neutralise("'=1") == "'=1"
