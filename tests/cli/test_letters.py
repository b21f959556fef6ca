"""``allocatie letters`` as a coordinator runs it: the same plan as ``match``, a clear error."""

from __future__ import annotations

import errno

import pandas as pd
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.report import output_set
from tests.paths import EXAMPLE, FIXTURES

TINY = FIXTURES / "tiny"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_letters_follow_the_plan_of_match_on_the_bundled_example(tmp_path):
    plan_dir, letters_dir = tmp_path / "plan", tmp_path / "brieven"
    matched = invoke("match", "--scenario", str(EXAMPLE), "--out", str(plan_dir), "--no-maps")
    assert matched.exit_code == 0, matched.output
    result = invoke("letters", "--scenario", str(EXAMPLE), "--out", str(letters_dir))
    assert result.exit_code == 0, result.output
    assert "23 brieven geschreven" in result.output  # Dutch by default
    plan = pd.read_csv(plan_dir / "plan.csv", dtype=str)
    index = pd.read_csv(letters_dir / "letters.csv", dtype=str)
    assert index["household_id"].tolist() == plan["household_id"].tolist()
    assert index["dwelling_id"].fillna("").tolist() == plan["dwelling_id"].fillna("").tolist()
    for row in index.itertuples():
        text = (letters_dir / row.letter).read_text(encoding="utf-8")
        if isinstance(row.dwelling_id, str):
            assert row.dwelling_id in text and "Wij hebben een woning voor u." in text
        else:
            assert "Wij hebben nog geen woning voor u." in text


def test_quiet_prints_only_the_paths(tmp_path):
    out = tmp_path / "out"
    result = invoke("letters", "--scenario", str(TINY), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        str(out / name)
        for name in ("brief-T1.txt", "brief-T2.txt", "brief-T3.txt")
        + ("letters.csv", "letters-manifest.json")
    ]


def test_a_folder_that_cannot_be_written_is_one_clear_line(tmp_path, monkeypatch):
    """As root a read-only mode does not stop writing, so the file system's refusal is staged."""

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output_set.tempfile, "mkdtemp", read_only)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["letters", "--scenario", str(TINY), "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 2
    # the commands' one format of input problems: a count, one line per problem, the outcome
    lines = result.output.strip().splitlines()
    assert lines[0] == "1 problem found in the input:", result.output
    problem = [line for line in lines if "cannot be written to" in line]
    assert len(problem) == 1 and str(out) in problem[0] and "choose another --out" in problem[0]
    assert lines[-1] == "Nothing was written."
    assert "Traceback" not in result.output and not out.exists()


def test_a_missing_input_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["letters", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "households" in result.output
