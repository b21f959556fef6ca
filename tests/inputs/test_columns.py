"""Column names as coordinators write them: the one alias table (allocatie.inputs.columns)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from allocatie.inputs.columns import (
    DUTCH_COLUMNS,
    canonical_column,
    close_spelling,
    column_key,
    dutch_name,
    speaks_dutch,
)
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.schema import (
    AMENITY_COLUMNS,
    DWELLING_COLUMNS,
    HOUSEHOLD_COLUMNS,
    PAIR_COLUMNS,
    TABLE_COLUMNS,
    parse_dwellings,
    parse_households,
    read_dwellings,
    read_households,
)
from tests.paths import FIXTURES

INPUTS = FIXTURES / "inputs"

#: The Dutch names issue 10 asks for by name.
ASKED = {
    "huishouden_id": "household_id", "personen": "persons", "volwassenen": "adults",
    "kinderen": "children", "gezinshereniging": "expected_reunification",
    "koppeldatum": "linked_on", "interesses": "interests", "woning_id": "dwelling_id",
    "corporatie": "corporation", "buurtcode": "buurt_code", "wijkcode": "wijk_code",
    "slaapkamers": "bedrooms", "huur": "rent", "beschikbaar_vanaf": "available_from",
    "verdieping": "floor", "lift": "elevator", "rolstoeltoegankelijk": "accessible",
    "complex": "complex_id",
}  # fmt: skip


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(reader, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        reader(path)
    return caught.value.problems


# --- the table ----------------------------------------------------------------------------


def test_every_contract_column_has_a_dutch_name():
    contract = {*HOUSEHOLD_COLUMNS, *DWELLING_COLUMNS, *PAIR_COLUMNS, *AMENITY_COLUMNS}
    contract -= {"source_line", "gemeente_code"}  # gemeente_code is Dutch already
    assert contract <= set(DUTCH_COLUMNS)
    for column in contract:
        assert dutch_name(column) != column


@pytest.mark.parametrize(("dutch", "column"), ASKED.items())
def test_the_names_of_the_issue_are_read(dutch, column):
    kind = "households" if column in TABLE_COLUMNS["households"] else "dwellings"
    assert canonical_column(dutch, TABLE_COLUMNS[kind]) == column


def test_no_spelling_names_two_columns():
    owner: dict[str, str] = {}
    for column, names in DUTCH_COLUMNS.items():
        for spelling in (column, *names):
            assert owner.setdefault(column_key(spelling), column) == column, spelling


def test_case_spaces_hyphens_and_underscores_do_not_count():
    columns = TABLE_COLUMNS["households"]
    for header in ("Huishouden ID", "huishouden-id", "HUISHOUDEN_ID", " huishoudenid "):
        assert canonical_column(header, columns) == "household_id"
    assert canonical_column("Oppervlakte (m²)", TABLE_COLUMNS["dwellings"]) == "area_m2"
    assert canonical_column("personen", TABLE_COLUMNS["dwellings"]) is None  # not a column there


def test_close_spellings_are_found_but_not_exact_or_distant_ones():
    assert close_spelling("persoonen", ["persons"], required=True) == ("personen", "persons")
    assert close_spelling("interesse", ["interests"]) == ("interesses", "interests")
    assert close_spelling("interesses", ["interests"]) is None  # the column itself
    assert close_spelling("notities", ["interests", "max_floor"]) is None


def test_the_language_of_a_header_row():
    columns = TABLE_COLUMNS["households"]
    assert speaks_dutch(["huishouden_id", "personen", "Team"], columns)
    assert not speaks_dutch(["household_id", "persons", "koppeldatum"], columns)


# --- the readers --------------------------------------------------------------------------


def test_a_dutch_headed_file_gives_the_same_frame_as_an_english_one(tmp_path):
    dutch = read_households(INPUTS / "households_dutch_headers.csv")
    english = write(
        tmp_path,
        "households.csv",
        "household_id,persons,adults,children,expected_reunification,linked_on,"
        "needs_accessible,max_floor,income_below_rent_benefit_limit,interests,"
        "preferred_areas,excluded_areas,Notities\n"
        'T1,4,2,2,0,2019-06-01,false,,true,"sport;opleiding",,,eerste gesprek gehad\n'
        "T2,1,1,0,0,2019-08-01,false,2,true,werk,,,\n"
        "T3,2,2,0,0,2019-09-01,false,,true,,,BU01530208,\n",
    )
    frame = read_households(english)
    assert list(dutch.columns) == list(frame.columns)
    assert dutch.drop(columns="source_line").equals(frame.drop(columns="source_line"))
    assert dutch.attrs["headers"]["persons"] == "Personen"
    assert dutch.attrs["passthrough"] == ["Notities"]


def test_dutch_dwellings_read_with_decimal_commas():
    frame = read_dwellings(INPUTS / "dwellings_dutch_headers.csv")
    assert frame["area_m2"].tolist() == [61.5, 45.0, 30.0, 80.0]
    assert frame["complex_id"].tolist()[1] == "CX-1"
    assert frame["elevator"].tolist() == [False, True, False, True]


def test_messages_name_the_column_as_the_user_wrote_it(tmp_path):
    path = write(tmp_path, "h.csv", "Huishouden ID;Personen;Koppeldatum\nH1;2,5;2019-01-01\n")
    (problem,) = problems_of(read_households, path)
    assert (problem.line, problem.column) == (2, "Personen")
    assert "'2,5' is not a whole number" in problem.message


def test_a_missing_column_is_named_in_the_language_of_the_file(tmp_path):
    dutch = write(tmp_path, "nl.csv", "huishouden_id;personen\nH1;2\n")
    (problem,) = problems_of(read_households, dutch)
    assert problem.column == "koppeldatum"
    assert "huishouden_id, personen, koppeldatum" in problem.message
    english = write(tmp_path, "en.csv", "household_id,persons\nH1,2\n")
    (problem,) = problems_of(read_households, english)
    assert problem.column == "linked_on"


def test_the_same_column_under_two_names_is_refused(tmp_path):
    path = write(tmp_path, "h.csv", "household_id,persons,personen,linked_on\nH1,2,2,2019-01-01\n")
    (problem,) = problems_of(read_households, path)
    assert (problem.line, problem.column) == (1, "personen")
    assert "'persons' and 'personen' are the same column (persons)" in problem.message


def test_a_near_miss_of_an_optional_column_gets_a_did_you_mean(tmp_path):
    """Passed through unnoticed, the misspelt column would drop the accessibility rule."""
    path = write(
        tmp_path,
        "h.csv",
        "huishouden_id,personen,koppeldatum,rolstoeltoegankelijk_nodg,notities\n"
        "H1,2,2019-01-01,ja,belt terug\n",
    )
    (problem,) = problems_of(read_households, path)
    assert (problem.line, problem.column) == (1, "rolstoeltoegankelijk_nodg")
    assert "meant to be 'rolstoeltoegankelijk_nodig'" in problem.message
    assert "needs_accessible" in problem.message


def test_a_column_of_the_users_own_passes_through(tmp_path):
    path = write(
        tmp_path, "h.csv", "huishouden_id,personen,koppeldatum,notities\nH1,2,2019-01-01,x\n"
    )
    frame, problems = parse_households(read_table(path))
    assert problems == []
    assert frame.attrs["passthrough"] == ["notities"]


def test_a_missing_required_column_suggests_the_near_miss(tmp_path):
    path = write(tmp_path, "d.csv", "woning_id,corporatie,buurtcode,slaapkamers,huur,beschikbaar\n"
                                    "A,Domijn,BU01530606,2,600,2019-10-01\n")  # fmt: skip
    problems = problems_of(read_dwellings, path)
    assert [p.column for p in problems] == ["beschikbaar_vanaf"]
    # the closest accepted spelling is suggested (beschikbaar_per is read as well)
    assert "(is 'beschikbaar' meant to be 'beschikbaar_per'?)" in problems[0].message


def test_dutch_booleans_and_interests_are_read(tmp_path):
    path = write(tmp_path, "h.csv", "huishouden_id;personen;koppeldatum;rolstoeltoegankelijk_nodig;"
                                    "interesses\nH1;1;1-2-2019;Ja;Onderwijs, werk\n")  # fmt: skip
    frame = read_households(path)
    assert frame["needs_accessible"].tolist() == [True]
    assert frame["interests"].tolist() == [("opleiding", "werk")]


# --- workbooks ----------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    for number, (title, rows) in enumerate(sheets.items()):
        sheet = first if number == 0 else book.create_sheet()
        sheet.title = title
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_one_workbook_serves_as_households_and_dwellings(tmp_path):
    """The sheet chooser knows the Dutch names, and the two tables need different columns."""
    path = _workbook(
        tmp_path / "invoer.xlsx",
        {
            "Uitleg": [["kolom", "betekenis"], ["huishouden_id", "id"], ["woning_id", "id"]],
            "Huishoudens": [["huishouden_id", "personen", "koppeldatum"], ["H1", 2, "2019-01-01"]],
            "Woningen": [
                ["woning_id", "corporatie", "buurtcode", "slaapkamers", "huur", "beschikbaar per"],
                ["A", "Domijn", "BU01530606", 1, 500, "2019-01-05"],
            ],
        },
    )  # fmt: skip
    households = read_households(path)
    dwellings = read_dwellings(path)
    assert households["household_id"].tolist() == ["H1"]
    assert dwellings["dwelling_id"].tolist() == ["A"]
    assert read_table(path, required=("household_id", "persons", "linked_on")).sheet == (
        "Huishoudens"
    )


def test_a_dwellings_frame_parses_from_dutch_headers_in_a_workbook(tmp_path):
    path = _workbook(
        tmp_path / "w.xlsx",
        {"Blad1": [["Woning-ID", "Corporatie", "Wijkcode", "Slaapkamers", "Huur",
                    "Beschikbaar vanaf"], ["A", "Domijn", "WK015306", 2, 612.5, "2019-10-01"]]},
    )  # fmt: skip
    frame, problems = parse_dwellings(read_table(path, required=("dwelling_id",)))
    assert problems == []
    assert (frame["wijk_code"][0], frame["rent"][0]) == ("WK015306", 612.5)


def test_the_tiny_plan_comes_out_of_dutch_headed_files(tmp_path):
    """The same households and dwellings under Dutch headers give the hand-checked plan."""
    from click.testing import CliRunner

    from allocatie.cli.main import cli

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["match", "--households", str(INPUTS / "households_dutch_headers.csv"),
         "--dwellings", str(INPUTS / "dwellings_dutch_headers.csv"),
         "--policy", str(FIXTURES / "tiny" / "policy.toml"), "--out", str(out), "--no-maps"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = (out / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:2] for line in plan[1:]] == [["T1", "A"], ["T2", "C"], ["T3", ""]]
    assert plan[0].endswith(",Notities")  # the user's own column, under the user's name
