"""The command line as a coordinator uses it: the bundled example, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.report.columns import PLAN_HEADERS_NL
from tests.paths import EXAMPLE, FIXTURES

TINY = FIXTURES / "tiny"
BAD = FIXTURES / "bad"

KPI_KEYS = {
    "persons_housed",
    "households_housed",
    "households_unplaced",
    "quota_persons",
    "backlog_persons",
    "quota_attainment",
    "households_outside_concentrated",
    "share_outside_concentrated",
    "mean_wait_days",
    "max_wait_days",
    "solve_status",
    "objective_tier1_persons_housed",
    "objective_tier2_outside_concentrated",
    "objective_tier3_quality",
    "solve_seconds",
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_match_on_the_bundled_example_writes_plan_workbook_and_kpis(tmp_path):
    out = tmp_path / "out"
    result = invoke("match", "--scenario", str(EXAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "47 personen gehuisvest" in result.output  # Dutch by default
    plan = pd.read_csv(out / "plan.csv")
    assert len(plan) == 23
    assert {"household_id", "dwelling_id", "spreading_area", "area_concentrated", "reason"} <= set(
        plan.columns
    )
    assert plan.filter(like="score_").shape[1] == 4
    kpis = json.loads((out / "kpis.json").read_text())
    assert KPI_KEYS <= set(kpis)
    assert kpis["quota_persons"] == 52
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all(hid in report for hid in plan["household_id"])
    assert "Bron: CBS" in report and "Enschede-Zuid" in report
    notes = pd.read_csv(EXAMPLE / "households.csv")["notes_intake"].dropna()
    assert not any(note in report for note in notes)  # intake notes stay out of the report
    assert (out / "map.png").stat().st_size > 50_000
    workbook = pd.read_excel(out / "plan.xlsx", sheet_name=None)
    assert set(workbook) == {
        "plan", "kengetallen", "vraag_en_aanbod", "beleidsregels", "per_huishoudtype",
        "alternatieven", "nadeel_vs_volgorde", "legenda",
    }  # fmt: skip
    ids = workbook["plan"][PLAN_HEADERS_NL["household_id"]]
    assert ids.tolist() == plan["household_id"].tolist()


def test_same_input_gives_a_byte_identical_plan(tmp_path):
    for name in ("a", "b"):
        assert (
            invoke("match", "--scenario", str(EXAMPLE), "--out", str(tmp_path / name)).exit_code
            == 0
        )
    assert (tmp_path / "a" / "plan.csv").read_bytes() == (tmp_path / "b" / "plan.csv").read_bytes()


def test_cpsat_and_flow_give_the_same_objective_through_the_cli(tmp_path):
    tiers = []
    for solver in ("cpsat", "flow"):
        out = tmp_path / solver
        assert (
            invoke(
                "match", "--scenario", str(EXAMPLE), "--out", str(out), "--solver", solver
            ).exit_code
            == 0
        )
        k = json.loads((out / "kpis.json").read_text())
        tiers.append([k[key] for key in sorted(KPI_KEYS) if key.startswith("objective")])
    assert tiers[0] == tiers[1]


def test_every_problem_of_every_file_is_reported_and_nothing_written(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "match",
        "--households", str(BAD / "households_unknown_interest_and_area.csv"),
        "--dwellings", str(BAD / "dwellings_unknown_buurt.csv"),
        "--policy", str(TINY / "policy.toml"),
        "--pins", str(BAD / "pins_unknown_household.csv"),
        "--out", str(out), "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 2
    text = result.output
    assert "Traceback" not in text
    assert "households_unknown_interest_and_area.csv, line 2, column 'interests'" in text
    assert "line 3, column 'preferred_areas'" in text and "BU99999999" in text
    assert "dwellings_unknown_buurt.csv, line 2, column 'buurt_code'" in text
    assert "Nothing was written." in text
    assert not out.exists()


def test_cross_file_problems_pins_and_municipality(tmp_path):
    result = invoke(
        "match",
        "--households", str(TINY / "households.csv"),
        "--dwellings", str(TINY / "dwellings.csv"),
        "--policy", str(TINY / "policy.toml"),
        "--pins", str(BAD / "pins_breaking_rent_cap.csv"),
        "--out", str(tmp_path / "out"), "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "pins_breaking_rent_cap.csv, line 2: pinned pair breaks a rule" in result.output
    result = invoke(
        "match",
        "--households", str(TINY / "households.csv"),
        "--dwellings", str(BAD / "dwellings_outside_municipality.csv"),
        "--policy", str(TINY / "policy.toml"),
        "--out", str(tmp_path / "out"), "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "dwelling lies in GM0164, not in GM0153" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_files_are_input_errors_not_tracebacks(tmp_path):
    result = invoke(
        "match",
        "--households", str(tmp_path / "nope.csv"),
        "--dwellings", str(TINY / "dwellings.csv"),
        "--policy", str(tmp_path / "nope.toml"),
        "--out", str(tmp_path / "out"), "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "nope.csv" in result.output and "nope.toml" in result.output


def test_existing_output_is_left_alone_when_input_is_bad(tmp_path):
    out = tmp_path / "out"
    assert invoke("match", "--scenario", str(TINY), "--out", str(out)).exit_code == 0
    before = (out / "plan.csv").read_bytes()
    result = invoke(
        "match", "--scenario", str(TINY), "--dwellings", str(BAD / "dwellings_unknown_buurt.csv"),
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 2
    assert (out / "plan.csv").read_bytes() == before


def test_help_explains_the_monthly_job():
    result = invoke("match", "--help")
    assert result.exit_code == 0
    assert "--scenario" in result.output and "plan.xlsx" in result.output


def excel_style(source: Path, target: Path) -> None:
    """What Dutch Excel writes on "Opslaan als CSV": BOM, semicolons, decimal commas."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    for column in frame.columns:
        looks_decimal = frame[column].str.fullmatch(r"-?\d+\.\d+")
        frame.loc[looks_decimal, column] = frame.loc[looks_decimal, column].str.replace(".", ",")
    target.write_text(
        frame.to_csv(sep=";", index=False, lineterminator="\r\n"), encoding="utf-8-sig"
    )


def test_excel_style_csv_gives_the_same_plan_as_plain_csv(tmp_path):
    scenario = tmp_path / "excel"
    scenario.mkdir()
    for name in ("households.csv", "dwellings.csv", "amenities.csv", "pins.csv", "refusals.csv"):
        excel_style(EXAMPLE / name, scenario / name)
    (scenario / "policy.toml").write_bytes((EXAMPLE / "policy.toml").read_bytes())
    assert b"," in (scenario / "dwellings.csv").read_bytes()  # decimal commas really present
    assert (
        invoke("match", "--scenario", str(EXAMPLE), "--out", str(tmp_path / "plain")).exit_code == 0
    )
    assert (
        invoke("match", "--scenario", str(scenario), "--out", str(tmp_path / "xl")).exit_code == 0
    )
    plain = (tmp_path / "plain" / "plan.csv").read_bytes()
    assert (tmp_path / "xl" / "plan.csv").read_bytes() == plain


def test_plan_is_byte_identical_with_a_dask_cluster(tmp_path):
    """Same plan whether the parts are solved in this process or on two Dask workers."""
    outs = {"single": [], "dask": ["--workers", "2"]}
    for name, extra in outs.items():
        args = ("--out", str(tmp_path / name), "--no-maps", *extra)
        assert invoke("match", "--scenario", str(EXAMPLE), *args).exit_code == 0
    single = (tmp_path / "single" / "plan.csv").read_bytes()
    assert (tmp_path / "dask" / "plan.csv").read_bytes() == single


def test_xlsx_inputs_with_a_notes_sheet_first_give_the_same_plan(tmp_path):
    """Coordinators keep their lists in Excel, often behind a sheet of notes."""
    scenario = tmp_path / "xlsx"
    scenario.mkdir()
    for name in ("households", "dwellings"):
        frame = pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        with pd.ExcelWriter(scenario / f"{name}.xlsx") as writer:
            notes = pd.DataFrame({"toelichting": ["lijst van oktober"]})
            notes.to_excel(writer, sheet_name="notities")
            frame.to_excel(writer, sheet_name="lijst", index=False)
    for name in ("policy.toml", "amenities.csv", "pins.csv", "refusals.csv"):
        (scenario / name).write_bytes((EXAMPLE / name).read_bytes())
    for folder, out in ((EXAMPLE, "csv"), (scenario, "xlsx")):
        result = invoke(
            "match", "--scenario", str(folder), "--out", str(tmp_path / out), "--no-maps"
        )
        assert result.exit_code == 0, result.output
    csv_plan = pd.read_csv(tmp_path / "csv" / "plan.csv")
    xlsx_plan = pd.read_csv(tmp_path / "xlsx" / "plan.csv")
    pd.testing.assert_frame_equal(csv_plan, xlsx_plan)
