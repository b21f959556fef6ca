"""The bad-input corpus through the real command: exit 2, every problem listed, nothing written.

Each broken file under ``tests/fixtures`` is named after its defect; here each one replaces its
counterpart in the tiny hand-checked scenario. The command runs as a coordinator runs it, in
Dutch (the default), so the list must open with the Dutch count line; one file more is run with
``--lang en`` for the English one. A hypothesis test then feeds random mutations of valid files
through the whole pipeline: the outcome is a plan (exit 0) or a list of problems (exit 2),
never a traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.cli.main import cli
from tests.paths import FIXTURES

TINY = FIXTURES / "tiny"
VALID = {
    "households.csv",
    "households.xlsx",
    "households_excel.csv",
    "dwellings.csv",
    "dwellings_excel.csv",
    "households_dutch_headers.csv",
    "dwellings_dutch_headers.csv",
    "pins.csv",
    "refusals.csv",
    "amenities.csv",
    "minimal.toml",
}
ROLES = ("households", "dwellings", "pins", "refusals", "amenities", "policy")
#: The first line of a problem list, in Dutch ("3 problemen gevonden in de invoer:").
DUTCH_COUNT = re.compile(r"\d+ (probleem|problemen) gevonden in de invoer:$")


def corpus() -> list[Path]:
    files = [
        *(FIXTURES / "inputs").iterdir(),
        *(FIXTURES / "bad").iterdir(),
        *(FIXTURES / "policy").iterdir(),
    ]
    return sorted(
        f for f in files if f.name not in VALID and f.name.startswith(ROLES) and f.suffix != ".py"
    )


def test_the_corpus_covers_the_defects_named_in_the_issue():
    names = " ".join(f.name for f in corpus())
    for defect in (
        "missing_persons_column", "fractional_persons", "impossible_date", "zero_and_negative",
        "fractional_bedrooms", "duplicate_id", "bad_buurt_code", "unknown_buurt",
        "coordinates_outside_municipality", "adults_children_mismatch", "empty", "binary_garbage",
        "latin1", "syntax_error", "out_of_range", "with_bsn", "with_name_column",
    ):  # fmt: skip
        assert defect in names, defect


@pytest.mark.parametrize("broken", corpus(), ids=lambda p: p.name)
def test_each_broken_file_gives_exit_2_and_nothing_written(tmp_path, broken):
    role = next(r for r in ROLES if broken.name.startswith(r))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(TINY), f"--{role}", str(broken), "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(broken) in result.output  # names the file
    assert DUTCH_COUNT.match(result.output.splitlines()[0]), result.output
    assert not out.exists()


def test_the_problem_list_is_english_with_lang_en(tmp_path):
    broken = FIXTURES / "inputs" / "households_several_defects.csv"
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(TINY), "--households", str(broken), "--lang", "en",
              "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    first, *rest = result.output.splitlines()
    assert re.match(r"\d+ problems found in the input:$", first)
    assert all(", line " in line for line in rest if line.startswith("  - "))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    role=st.sampled_from(["households", "dwellings"]),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["delete", "double", "replace"]),
                  st.sampled_from([b",", b";", b"\n", b"0", b"-", b"x", b'"', b"\xff", b" "])),
        min_size=1, max_size=4,
    ),
)  # fmt: skip
def test_mutated_inputs_end_in_a_plan_or_a_problem_list(tmp_path, role, edits):
    scenario = tmp_path / "s"
    shutil.rmtree(scenario, ignore_errors=True)
    shutil.copytree(TINY, scenario)
    path = scenario / f"{role}.csv"
    data = bytearray(path.read_bytes())
    for position, action, byte in edits:
        i = position % len(data)
        if action == "delete":
            del data[i]
        elif action == "double":
            data[i:i] = data[i : i + 1]
        else:
            data[i : i + 1] = byte
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(scenario), "--out", str(out), "--no-maps"]
    )
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert out.exists() == (result.exit_code == 0)


def test_pins_that_break_a_cap_are_refused_with_the_pins_file_named(tmp_path):
    bad = FIXTURES / "bad"
    result = CliRunner().invoke(
        cli,
        ["match", "--scenario", str(TINY), "--pins", str(bad / "combo_pins_over_area_cap.csv"),
         "--policy", str(bad / "combo_policy_area_cap_zero.toml"), "--out", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "combo_pins_over_area_cap.csv: the pins alone break a cap" in result.output
