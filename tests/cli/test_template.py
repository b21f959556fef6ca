"""`allocatie template`: the input workbook a coordinator fills in, read back into a plan."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.inputs.columns import dutch_name
from allocatie.inputs.io import read_table
from allocatie.inputs.template import TEMPLATE_COLUMNS

POLICY_2025 = (
    'municipality = "GM0153"\n\n[period]\nstart = 2025-01-01\nend = 2025-06-30\n'
    "quota_persons = 10\n"
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "invoer.xlsx"
    result = invoke("template", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    return path


def test_the_workbook_has_dutch_sheets_headers_and_two_example_rows(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Toelichting", "Huishoudens", "Woningen"]
    assert book.active.title == "Huishoudens"
    for title, kind in (("Huishoudens", "households"), ("Woningen", "dwellings")):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        assert header == [dutch_name(c) for c in TEMPLATE_COLUMNS[kind]]
        rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
        assert len(rows) == 2
        assert sheet.freeze_panes == "A2"
    households = book["Huishoudens"]
    assert households["F2"].value == dt.datetime(2025, 1, 6)  # a real date cell
    assert households["F2"].number_format == "yyyy-mm-dd"
    assert households["A1"].value == "huishouden_id" and households["B1"].value == "personen"


def test_the_workbook_helps_with_drop_downs_dates_and_prompts(workbook):
    book = openpyxl.load_workbook(workbook)
    rules = {str(v.sqref): v for v in book["Huishoudens"].data_validations.dataValidation}
    assert rules["G2:G1001"].type == "list" and rules["G2:G1001"].formula1 == '"ja,nee"'
    interests = rules["J2:J1001"]
    assert interests.type == "list" and "vrijwilligerswerk" in interests.formula1
    assert not interests.showErrorMessage  # "sport;werk" must still be accepted
    assert rules["F2:F1001"].type == "date"
    assert (rules["B2:B1001"].type, rules["B2:B1001"].formula1) == ("whole", "1")
    assert rules["B2:B1001"].prompt.startswith("schrijf het aantal personen")
    dwellings = {str(v.sqref): v for v in book["Woningen"].data_validations.dataValidation}
    assert dwellings["J2:J1001"].formula1 == '"ja,nee"'  # lift
    assert dwellings["M2:M1001"].type == "date"  # beschikbaar_vanaf


def test_the_explanation_sheet_lists_every_column_but_is_never_read_as_data(workbook):
    sheet = openpyxl.load_workbook(workbook)["Toelichting"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    for kind in TEMPLATE_COLUMNS:
        for column in TEMPLATE_COLUMNS[kind]:
            assert dutch_name(column) in cells and column in cells
    for required in (("household_id", "persons", "linked_on"), ("dwelling_id", "bedrooms")):
        assert read_table(workbook, required=required).sheet != "Toelichting"


def test_the_template_read_back_gives_a_plan(workbook, tmp_path):
    policy = tmp_path / "beleid.toml"
    policy.write_text(POLICY_2025, encoding="utf-8")
    out = tmp_path / "plan"
    result = invoke("match", "--households", str(workbook), "--dwellings", str(workbook),
                    "--policy", str(policy), "--out", str(out), "--no-maps")  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = (out / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:2] for line in plan[1:]] == [
        ["H-2025-001", "W-2025-001"], ["H-2025-002", "W-2025-002"]
    ]  # fmt: skip
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["affordability_source"].startswith("passend toewijzen 2025 (bundled")


def test_an_english_template_reads_back_too(tmp_path):
    path = tmp_path / "input.xlsx"
    assert invoke("template", "--out", str(path), "--lang", "en").exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Explanation", "Households", "Dwellings"]
    assert book["Households"]["A1"].value == "household_id"
    assert book["Households"]["G2"].value == "no"
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY_2025, encoding="utf-8")
    result = invoke("match", "--households", str(path), "--dwellings", str(path),
                    "--policy", str(policy), "--out", str(tmp_path / "o"), "--no-maps")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_an_existing_file_is_never_overwritten(tmp_path):
    path = tmp_path / "invoer.xlsx"
    path.write_bytes(b"real data")
    result = invoke("template", "--out", str(path))
    assert result.exit_code == 2
    assert "bestaat al en wordt niet overschreven" in result.output
    assert path.read_bytes() == b"real data"
    assert list(tmp_path.iterdir()) == [path]  # no staged file left behind


def test_only_xlsx_is_written(tmp_path):
    result = invoke("template", "--out", str(tmp_path / "invoer.csv"), "--lang", "en")
    assert result.exit_code == 2
    assert "give a file name ending in .xlsx" in result.output
