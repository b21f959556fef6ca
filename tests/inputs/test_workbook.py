"""Workbook traps that once gave a wrong plan or a confusing message, named after the defect."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.inputs.errors import InputError
from allocatie.inputs.io import read_table
from allocatie.inputs.schema import parse_dwellings, parse_households
from allocatie.inputs.workbook import cell_text
from allocatie.match import Inputs
from tests.paths import FIXTURES

TINY = FIXTURES / "tiny"
BAD = FIXTURES / "bad"


def _book(path: Path, sheets: dict[str, list[list[object]]], hidden=(), active=0) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    book.active = active
    book.save(path)
    return path


HOUSEHOLDS_OCT = [["household_id", "persons", "linked_on"], ["T1", 4, "2019-06-01"],
                  ["T2", 1, "2019-08-01"], ["T3", 2, "2019-09-01"]]  # fmt: skip
HOUSEHOLDS_SEP = [["household_id", "persons", "linked_on"], ["OLD1", 3, "2019-05-01"]]


def _match(tmp_path: Path, *args: str):
    """The real command, in English (the language these tests read the messages in)."""
    out = str(tmp_path / "out")
    return CliRunner().invoke(
        cli, ["match", "--scenario", str(TINY), *args, "--out", out, "--quiet", "--lang", "en"]
    )


# --- which sheet ------------------------------------------------------------------


def test_hidden_first_sheet_with_last_months_households_is_not_planned(tmp_path):
    path = _book(
        tmp_path / "huishoudens.xlsx",
        {"september": HOUSEHOLDS_SEP, "oktober": HOUSEHOLDS_OCT},
        hidden=("september",),
        active=1,
    )
    raw = read_table(path, required=("household_id", "persons", "linked_on"))
    assert raw.sheet == "oktober"
    assert list(raw.frame["household_id"]) == ["T1", "T2", "T3"]


def test_a_table_only_on_a_hidden_sheet_is_refused_with_how_to_unhide(tmp_path):
    path = _book(
        tmp_path / "h.xlsx",
        {"notities": [["zie tabblad oktober"]], "oktober": HOUSEHOLDS_OCT},
        hidden=("oktober",),
    )
    with pytest.raises(InputError, match="hidden sheet \\('oktober'\\).*Unhide"):
        read_table(path, required=("household_id", "persons", "linked_on"))


def test_two_visible_sheets_with_the_table_are_refused_by_name():
    with pytest.raises(InputError, match="'september', 'oktober'"):
        read_table(
            BAD / "households_two_visible_sheets_with_the_table.xlsx",
            required=("household_id", "persons", "linked_on"),
        )


# --- text cells and numbers -------------------------------------------------------


def test_rent_typed_as_text_1200_is_refused_not_read_as_1_euro_20(tmp_path):
    result = _match(tmp_path, "--dwellings", str(BAD / "dwellings_rent_typed_as_text_1.200.xlsx"))
    assert result.exit_code == 2
    assert "'1.200' is ambiguous: it could mean 1200 or 1.2" in result.output
    assert not (tmp_path / "out").exists()


def test_text_cells_follow_the_files_own_decimal_evidence(tmp_path):
    """As in a CSV file: text '607,46' elsewhere decides that '1.200' is 1200, not 1.2."""
    rows = [["dwelling_id", "corporation", "buurt_code", "bedrooms", "rent", "available_from"],
            ["A", "Domijn", "BU01530606", 2, "607,46", "2019-10-01"],
            ["B", "Domijn", "BU01530606", 2, "1.200,00", "2019-10-01"]]  # fmt: skip
    raw = read_table(_book(tmp_path / "d.xlsx", {"aanbod": rows}))
    assert raw.decimal_comma is True
    frame, problems = parse_dwellings(raw)
    assert not problems
    assert list(frame["rent"]) == [607.46, 1200.0]


def test_numbers_stored_as_numbers_are_never_ambiguous():
    assert cell_text(1.234) == "1.2340"  # not a thousands separator, whatever the file
    assert cell_text(607.46) == "607.46"
    assert cell_text(1200.0) == "1200"


def test_formula_without_a_cached_value_is_a_problem_naming_the_cell(tmp_path):
    broken = BAD / "households_max_floor_formula_without_value.xlsx"
    result = _match(tmp_path, "--households", str(broken))
    assert result.exit_code == 2
    assert "line 2, column 'max_floor': cell E2 holds a formula (=1-1)" in result.output


# --- the container ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("households_zip_bomb.xlsx", "unpacks to 286 MB, more than the 256 MB allowed"),
        ("households_password_protected.xlsx", "protected with a password"),
        ("households_empty_file.xlsx", "the file is empty (0 bytes)"),
    ],
)
def test_unreadable_workbooks_say_why(name, says):
    with pytest.raises(InputError) as caught:
        read_table(BAD / name, required=("household_id",))
    assert says in caught.value.render()


# --- messages -------------------------------------------------------------------------


def test_header_with_a_zero_width_space_shows_the_invisible_character(tmp_path):
    path = tmp_path / "households.csv"
    path.write_text("household_id,pers\u200bons,linked_on\nT1,4,2019-06-01\n", encoding="utf-8")
    result = _match(tmp_path, "--households", str(path))
    assert result.exit_code == 2
    assert "'pers<U+200B>ons' meant to be 'persons'" in result.output
    assert "invisible character" in result.output


def test_ids_that_differ_only_in_unicode_normalisation_are_duplicates(tmp_path):
    composed, decomposed = "H\u00e91", unicodedata.normalize("NFD", "H\u00e91")
    assert composed != decomposed
    path = tmp_path / "households.csv"
    path.write_text(
        f"household_id,persons,linked_on\n{composed},1,2019-06-01\n{decomposed},2,2019-06-01\n",
        encoding="utf-8",
    )
    _, problems = parse_households(read_table(path))
    assert [(p.line, p.message) for p in problems] == [
        (3, "this household_id is already used on line 2; every household needs its own id")
    ]


def test_one_bad_cell_is_reported_once_not_as_an_unknown_household_in_pins(tmp_path):
    households = tmp_path / "households.csv"
    households.write_text(
        "household_id,persons,linked_on\nT1,vier,2019-06-01\nT2,1,2019-08-01\nT3,2,2019-09-01\n",
        encoding="utf-8",
    )
    pins = tmp_path / "pins.csv"
    pins.write_text("household_id,dwelling_id\nT1,A\n", encoding="utf-8")
    result = _match(tmp_path, "--households", str(households), "--pins", str(pins))
    assert result.exit_code == 2
    assert "'vier'" in result.output or "vier" in result.output
    assert "unknown household" not in result.output


# --- the scenario folder ---------------------------------------------------------------


def test_a_scenario_folder_with_only_households_xls_says_how_to_save_it(tmp_path):
    folder = tmp_path / "maand"
    shutil.copytree(TINY, folder)
    (folder / "households.csv").rename(folder / "households.xls")
    with pytest.raises(InputError) as caught:
        Inputs.from_scenario(folder)
    message = caught.value.render()
    assert "households.xls is there, but .xls files are not read" in message
    assert "save it as .xlsx" in message


def test_a_scenario_folder_with_households_as_csv_and_xlsx_is_refused(tmp_path):
    folder = tmp_path / "maand"
    shutil.copytree(TINY, folder)
    _book(folder / "households.xlsx", {"oktober": HOUSEHOLDS_OCT})
    with pytest.raises(InputError, match="both households.csv and households.xlsx"):
        Inputs.from_scenario(folder)


def test_the_sheet_read_is_recorded_in_the_manifest_and_kpis(tmp_path):
    """Which sheet a plan came from is part of how it came about (issue 11, hidden sheet)."""
    from allocatie.match import run_match

    path = _book(
        tmp_path / "huishoudens.xlsx",
        {"september": HOUSEHOLDS_SEP, "oktober": HOUSEHOLDS_OCT},
        hidden=("september",),
        active=1,
    )
    outcome = run_match(Inputs.from_scenario(TINY, households=path))
    assert outcome.manifest["inputs"]["households"]["sheet"] == "oktober"
    assert outcome.kpis["input_sheets"] == {"households": "oktober"}
    assert "sheet" not in outcome.manifest["inputs"]["dwellings"]  # a CSV has no sheet


def test_the_summary_names_the_sheet_it_read(tmp_path):
    path = _book(
        tmp_path / "huishoudens.xlsx",
        {"september": HOUSEHOLDS_SEP, "oktober": HOUSEHOLDS_OCT},
        hidden=("september",),
        active=1,
    )
    result = CliRunner().invoke(cli, [
        "match", "--scenario", str(TINY), "--households", str(path),
        "--out", str(tmp_path / "uit"), "--lang", "nl", "--no-maps",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "tabblad 'oktober'" in result.output
