"""`allocatie example`: the bundled inputs copied out of the package, never over a user's files."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from allocatie.cli.example import example_names
from allocatie.cli.main import cli
from tests.paths import EXAMPLES

#: Maintainer files that stay in the package (see allocatie.cli.example._SKIPPED).
NOT_COPIED = {"generate.py"}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def bundled_files() -> set[str]:
    return {
        p.relative_to(EXAMPLES).as_posix()
        for p in EXAMPLES.rglob("*")
        if p.is_file() and p.name not in NOT_COPIED and "__pycache__" not in p.parts
    }


def copied_files(out) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_copies_every_example_byte_for_byte_and_says_what_to_run_next(tmp_path):
    out = tmp_path / "voorbeeld"
    result = invoke("example", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert copied_files(out) == bundled_files()
    assert {"README.md", "enschede-2019h2/households.csv", "hengelo-2019h2-halfjaar.toml"} <= (
        copied_files(out)
    )
    for name in copied_files(out):
        assert (out / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    assert str(out / "enschede-2019h2" / "policy.toml") in result.output
    assert f"allocatie match --scenario {out / 'enschede-2019h2'}" in result.output
    assert f"allocatie scenario run {out / 'enschede-2019h2-halfjaar.toml'}" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".allocatie-")]


def test_name_copies_one_example(tmp_path):
    result = invoke("example", "--out", str(tmp_path), "--name", "enschede-2019h2")
    assert result.exit_code == 0, result.output
    assert copied_files(tmp_path) == {
        n for n in bundled_files() if n.startswith("enschede-2019h2/")
    }
    result = invoke("example", "--out", str(tmp_path), "--name", "almelo-2019h2-halfjaar")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "almelo-2019h2-halfjaar.toml").is_file()


def test_names_offered_are_the_bundled_folders_and_toml_files():
    expected = {p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "__pycache__"}
    expected |= {p.stem for p in EXAMPLES.glob("*.toml")}
    assert set(example_names()) == expected
    assert "enschede-2019h2" in expected


def test_refuses_to_overwrite_and_then_writes_nothing(tmp_path):
    out = tmp_path / "mijn-gemeente"
    mine = out / "enschede-2019h2" / "households.csv"
    mine.parent.mkdir(parents=True)
    mine.write_text("household_id,persons,linked_on\nreal-data,3,2025-01-06\n")
    result = invoke("example", "--out", str(out))
    assert result.exit_code == 2
    assert f"{mine}: bestaat al en wordt niet overschreven" in result.output
    assert "Nothing was written." in result.output or "Er is niets geschreven" in result.output
    assert "Traceback" not in result.output
    assert mine.read_text().startswith("household_id,persons,linked_on\nreal-data")
    assert copied_files(out) == {"enschede-2019h2/households.csv"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".allocatie-")]


def test_a_file_where_a_folder_must_go_is_refused(tmp_path):
    (tmp_path / "enschede-2019h2").write_text("not a folder")
    result = invoke("example", "--out", str(tmp_path), "--name", "enschede-2019h2", "--lang", "en")
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert copied_files(tmp_path) == {"enschede-2019h2"}


def test_unknown_name_is_a_usage_error(tmp_path):
    result = invoke("example", "--out", str(tmp_path), "--name", "utrecht")
    assert result.exit_code == 2
    assert "enschede-2019h2" in result.output
    assert not any(tmp_path.iterdir())


def test_the_copied_example_runs_through_match(tmp_path):
    examples = tmp_path / "voorbeeld"
    assert invoke("example", "--out", str(examples)).exit_code == 0
    out = tmp_path / "plan"
    result = invoke(
        "match", "--scenario", str(examples / "enschede-2019h2"), "--out", str(out), "--no-maps"
    )
    assert result.exit_code == 0, result.output
    assert "47 personen gehuisvest" in result.output
    assert len(pd.read_csv(out / "plan.csv")) == 23


def test_the_copied_half_year_file_runs(tmp_path):
    examples = tmp_path / "voorbeeld"
    assert (
        invoke("example", "--out", str(examples), "--name", "hengelo-2019h2-halfjaar").exit_code
        == 0
    )
    out = tmp_path / "halfjaar"
    result = invoke(
        "scenario", "run", str(examples / "hengelo-2019h2-halfjaar.toml"),
        "--out", str(out), "--seeds", "1", "--no-plots", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").is_file()
