"""The data contract: typed frames and every problem at once (allocatie.inputs.schema)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.schema import (
    AMENITY_COLUMNS,
    DWELLING_COLUMNS,
    HOUSEHOLD_COLUMNS,
    PAIR_COLUMNS,
    is_bsn,
    parse_bool,
    parse_date,
    parse_households,
    parse_integer,
    parse_number,
    parse_pairs,
    read_amenities,
    read_dwellings,
    read_households,
    read_pairs,
)
from tests import paths

FIXTURES = paths.FIXTURES / "inputs"


def problems_of(reader: Callable[..., pd.DataFrame], name: str, *args: str) -> list[Problem]:
    with pytest.raises(InputError) as info:
        reader(FIXTURES / name, *args, display_name=name)
    assert all(p.file == name for p in info.value.problems)
    return info.value.problems


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {c: str(t) for c, t in frame.dtypes.items()}


# -- valid files --------------------------------------------------------------


def test_households_csv_parses_to_the_contract():
    frame = read_households(FIXTURES / "households.csv")
    assert dtypes(frame) == {**HOUSEHOLD_COLUMNS, "Team": "str"}
    assert frame.attrs["passthrough"] == ["Team"]
    assert frame.attrs["headers"]["persons"] == "persons"
    expected = pd.DataFrame(
        {
            "household_id": pd.Series(["H-001", "H-002", "H-003", "H-004"], dtype="str"),
            "persons": pd.Series([3, 1, 5, 2], dtype="int64"),
            "adults": pd.array([2, 1, None, 2], dtype="Int64"),
            "children": pd.array([1, 0, None, 0], dtype="Int64"),
            "expected_reunification": pd.Series([0, 2, 0, 0], dtype="int64"),
            "linked_on": pd.to_datetime(
                ["2019-01-14", "2019-02-01", "2019-03-05", "2019-03-18"]
            ).astype("datetime64[ns]"),
            "needs_accessible": [False, False, True, False],
            "max_floor": pd.array([None, 2, 0, None], dtype="Int64"),
            "income_below_rent_benefit_limit": [True, True, False, True],
            "interests": pd.Series(
                [
                    ("sport", "opleiding"),
                    ("werk",),
                    ("geloof", "cultuur", "zorg"),
                    ("opleiding", "werk"),
                ],
                dtype=object,
            ),
            "preferred_areas": pd.Series(
                [("WK015301",), (), ("BU01530205", "WK015303"), ()], dtype=object
            ),
            "excluded_areas": pd.Series([(), ("BU01530101",), (), ()], dtype=object),
            "gemeente_code": pd.Series([None] * 4, dtype="str"),
            "binding": pd.Series([None] * 4, dtype="str"),
            "source_line": pd.Series([2, 3, 5, 6], dtype="int64"),
            "Team": pd.Series(["Noord", "Zuid", "Noord", "Oost, centrum"], dtype="str"),
        }
    )
    pd.testing.assert_frame_equal(frame, expected)


@pytest.mark.parametrize("variant", ["households_excel.csv", "households.xlsx"])
def test_excel_variants_of_households_parse_to_the_same_frame(variant):
    plain = read_households(FIXTURES / "households.csv")
    pd.testing.assert_frame_equal(read_households(FIXTURES / variant), plain)


def test_dwellings_csv_and_excel_style_csv_parse_to_the_same_frame():
    plain = read_dwellings(FIXTURES / "dwellings.csv")
    assert dtypes(plain) == {**DWELLING_COLUMNS, "Adres": "str"}
    assert plain["rent"].tolist() == [607.46, 652.52, 1234.5]
    assert plain["area_m2"].tolist()[:2] == [68.5, 82.0] and np.isnan(plain["area_m2"][2])
    assert plain["buurt_code"].isna().tolist() == [False, True, True]
    assert plain["lon"].isna().tolist() == [True, True, False]
    assert plain["complex_id"].isna().tolist() == [False, True, False]
    pd.testing.assert_frame_equal(read_dwellings(FIXTURES / "dwellings_excel.csv"), plain)


def test_pins_refusals_and_amenities():
    pins = read_pairs(FIXTURES / "pins.csv", "pins")
    assert dtypes(pins) == PAIR_COLUMNS
    assert pins[["household_id", "dwelling_id"]].values.tolist() == [["H-001", "D-02"]]
    assert pins.attrs["kind"] == "pins"
    refusals = read_pairs(FIXTURES / "refusals.csv", "refusals")  # header only is fine
    assert len(refusals) == 0 and dtypes(refusals) == PAIR_COLUMNS
    amenities = read_amenities(FIXTURES / "amenities.csv")
    assert dtypes(amenities) == AMENITY_COLUMNS
    assert amenities["category"].tolist() == ["sport", "geloof", "opleiding"]  # alias
    assert amenities["name"].isna().tolist() == [False, True, False]


def test_unknown_pair_kind_is_a_programming_error():
    raw = read_table(FIXTURES / "pins.csv")
    with pytest.raises(ValueError, match="kind"):
        parse_pairs(raw, "pin")
    with pytest.raises(ValueError, match="kind"):
        read_pairs(FIXTURES / "pins.csv", "promises")


def test_column_names_match_case_insensitively(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(" Household_ID ;PERSONS;Linked_On;Notes \nH-1;2;2019-01-01;x\n")
    frame = read_households(path)
    assert frame["persons"].tolist() == [2]
    assert frame.attrs["passthrough"] == ["Notes"]
    assert frame.attrs["headers"]["household_id"] == "Household_ID"


# -- broken files: exact lines and columns --------------------------------------

H, D = read_households, read_dwellings
BROKEN = [
    (H, "households_missing_persons_column.csv", [(1, "persons")]),
    (H, "households_duplicate_id.csv", [(4, "household_id"), (5, "household_id")]),
    (
        H,
        "households_fractional_persons.csv",
        [(2, "persons"), (4, "persons"), (5, "persons"), (6, "persons")],
    ),
    (H, "households_fractional_persons.xlsx", [(5, "Persons"), (7, "Linked_On"), (7, "Persons")]),
    (
        H,
        "households_impossible_date.csv",
        [(2, "linked_on"), (3, "linked_on"), (4, "linked_on"), (6, "linked_on")],
    ),
    (
        H,
        "households_adults_children_mismatch.csv",
        [(2, "persons"), (4, "adults"), (5, "children")],
    ),
    (H, "households_unknown_interest.csv", [(2, "interests"), (4, "interests")]),
    (H, "households_with_name_column.csv", [(1, "E-mail"), (1, "Geboortedatum"), (1, "Naam")]),
    (H, "households_with_bsn.csv", [(2, "household_id"), (3, "notitie")]),
    (H, "households_header_only.csv", [(None, None)]),
    (
        H,
        "households_bad_area_codes.csv",
        [(2, "preferred_areas"), (3, "preferred_areas"), (4, "excluded_areas")],
    ),
    (
        H,
        "households_bad_booleans.csv",
        [(2, "needs_accessible"), (3, "income_below_rent_benefit_limit")],
    ),
    (
        H,
        "households_several_defects.csv",
        [
            (3, "household_id"),
            (4, "interests"),
            (4, "linked_on"),
            (4, "max_floor"),
            (4, "needs_accessible"),
            (4, "persons"),
            (6, "household_id"),
            (6, "linked_on"),
            (6, "persons"),
        ],
    ),
    (D, "dwellings_fractional_bedrooms.csv", [(2, "bedrooms"), (4, "bedrooms")]),
    (D, "dwellings_negative_rent.csv", [(2, "rent"), (3, "rent"), (4, "rent")]),
    (D, "dwellings_no_location.csv", [(3, None), (5, None)]),
    (D, "dwellings_lon_without_lat.csv", [(2, "lat"), (3, "lon")]),
    (D, "dwellings_lon_column_without_lat_column.csv", [(1, "lat")]),
    (D, "dwellings_bad_buurt_code.csv", [(2, "buurt_code"), (3, "buurt_code"), (5, "wijk_code")]),
    (D, "dwellings_buurt_not_in_wijk.csv", [(2, "buurt_code")]),
    (D, "dwellings_duplicate_id.csv", [(3, "dwelling_id")]),
    (D, "dwellings_ambiguous_thousands.csv", [(2, "rent")]),
    (
        D,
        "dwellings_coordinates_outside_netherlands.csv",
        [(2, "lon"), (3, "lat"), (3, "lon"), (4, "lat")],
    ),
    (
        D,
        "dwellings_several_defects.csv",
        [
            (3, "area_m2"),
            (3, "available_from"),
            (3, "bedrooms"),
            (3, "corporation"),
            (3, "elevator"),
            (3, "floor"),
            (4, "buurt_code"),
            (4, "dwelling_id"),
        ],
    ),
    (read_amenities, "amenities_unknown_category.csv", [(3, "category"), (4, "category")]),
]


@pytest.mark.parametrize(
    ("reader", "name", "expected"), BROKEN, ids=[name for _, name, _ in BROKEN]
)
def test_broken_file_reports_exactly_these_cells(reader, name, expected):
    assert where(problems_of(reader, name)) == expected


def test_pins_duplicates_and_conflicts():
    assert where(problems_of(read_pairs, "pins_duplicate_pair.csv", "pins")) == [(4, None)]
    conflicts = problems_of(read_pairs, "pins_conflicting.csv", "pins")
    assert where(conflicts) == [(3, "household_id"), (4, "dwelling_id")]
    assert "line 2" in conflicts[0].message
    # refusing two dwellings is normal
    assert len(read_pairs(FIXTURES / "pins_conflicting.csv", "refusals")) == 3


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        (
            "households_missing_persons_column.csv",
            ["missing", "persons, linked_on", "'persoonen' meant to be 'personen'"],
        ),
        ("households_duplicate_id.csv", ["already used on line 2"]),
        ("households_fractional_persons.csv", ["'2,5' is not a whole number", "such as 3"]),
        ("households_impossible_date.csv", ["'2019-02-30' is not a date that exists"]),
        ("households_unknown_interest.csv", ["'zwemmen'", "opleiding", "wetenschap"]),
        ("households_with_name_column.csv", ["remove this column", "names"]),
        ("households_with_bsn.csv", ["BSN", "elfproef"]),
    ],
)
def test_messages_say_what_is_wrong_and_what_is_valid(name, fragments):
    text = " ".join(p.message for p in problems_of(read_households, name))
    for fragment in fragments:
        assert fragment in text


def test_bsns_and_personal_columns_are_never_echoed():
    text = InputError(problems_of(read_households, "households_with_bsn.csv")).render()
    assert not re.search(r"111\s*222\s*333|123\s*456\s*782", text)
    text = InputError(problems_of(read_households, "households_with_name_column.csv")).render()
    assert "Test Persoon" not in text and "example.org" not in text and "1980" not in text


def test_household_messages_echo_only_the_cell_in_question():
    problems = problems_of(read_households, "households_several_defects.csv")
    mismatch = next(p for p in problems if p.line == 6 and p.column == "persons")
    assert not re.search(r"\d", mismatch.message)  # no family sizes in the message
    for problem in problems:  # no other cell of the row, no passthrough data
        assert "H-00" not in problem.message and "Opmerking" not in problem.message


def test_parse_keeps_only_rows_without_problems():
    raw = read_table(FIXTURES / "households_several_defects.csv")
    frame, problems = parse_households(raw)
    assert len(problems) == 9
    assert frame["source_line"].tolist() == [2, 7]
    assert dtypes(frame) == {**HOUSEHOLD_COLUMNS, "Opmerking": "str"}


def test_missing_column_gives_an_empty_frame_but_still_every_cell_problem(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("household_id,linked_on\nH-1,2019-02-30\n")
    frame, problems = parse_households(read_table(path, display_name="h.csv"))
    assert where(problems) == [(1, "persons"), (2, "linked_on")]
    assert len(frame) == 0 and dtypes(frame) == HOUSEHOLD_COLUMNS


def test_pins_may_not_carry_personal_data(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("household_id,dwelling_id,naam\n111222333,D-1,x\n")
    with pytest.raises(InputError) as info:
        read_pairs(path, "pins", display_name="p.csv")
    assert where(info.value.problems) == [(1, "naam"), (2, "household_id")]


def test_dwelling_file_without_any_location_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("dwelling_id,corporation,bedrooms,rent,available_from\nD,C,1,1,2019-01-01\n")
    with pytest.raises(InputError) as info:
        read_dwellings(path)
    assert where(info.value.problems) == [(1, None)]
    assert "location" in info.value.problems[0].message


# -- cell parsers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal_comma", "value"),
    [
        ("3", False, 3.0),
        ("3.0", True, 3.0),  # a point before 1 digit cannot be a thousands separator
        ("607,46", False, 607.46),
        ("607,46", True, 607.46),
        ("€ 607,46", True, 607.46),
        ("607,46 €", True, 607.46),
        ("EUR 1.234,50", True, 1234.5),
        ("1.234,50", False, 1234.5),
        ("1,234.50", True, 1234.5),
        ("1.234", False, 1.234),
        ("1,234", True, 1.234),
        ("1.234.567", True, 1234567.0),
        ("1 234,5", True, 1234.5),
        ("0,125", False, 0.125),
        ("-2,5", True, -2.5),
        ("\u22122", False, -2.0),
        ("52.2215", True, 52.2215),
    ],
)
def test_parse_number(text, decimal_comma, value):
    assert parse_number(text, decimal_comma=decimal_comma) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "reason"),
    [
        ("1,234", False, "ambiguous"),
        ("1.234", True, "ambiguous"),
        ("1,23,4", False, "groups of 3"),
        ("1.2.3,4,5", True, "not a number"),
        ("12,34.5", False, "groups of 3"),
        ("1e5", False, "not a number"),
        ("nan", False, "not a number"),
        ("3 4", False, "groups of 3"),
        (".5", False, "not a number"),
        ("5,", True, "not a number"),
        ("", False, "not a number"),
        ("9" * 400, False, "too large"),
    ],
)
def test_parse_number_refuses(text, decimal_comma, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text, decimal_comma=decimal_comma)


def test_parse_integer():
    assert parse_integer("3.0") == 3
    assert parse_integer("3,0", decimal_comma=True) == 3
    with pytest.raises(ValueError, match="whole number"):
        parse_integer("2,5", decimal_comma=True)
    with pytest.raises(ValueError, match="too large"):
        parse_integer("99999999999999999999")


@pytest.mark.parametrize("text", ["true", "1", "JA", "Yes", "j", "waar", "x", " Ja "])
def test_parse_bool_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["false", "0", "nee", "NO", "n", "onwaar"])
def test_parse_bool_false(text):
    assert parse_bool(text) is False


def test_parse_bool_refuses():
    with pytest.raises(ValueError, match="yes or no"):
        parse_bool("misschien")


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2019-02-01", dt.date(2019, 2, 1)),
        ("2019-02-01 00:00:00", dt.date(2019, 2, 1)),
        ("01-02-2019", dt.date(2019, 2, 1)),
        ("1-2-2019", dt.date(2019, 2, 1)),
        ("29-02-2020", dt.date(2020, 2, 29)),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2019-02-30", "exists"),
        ("2019-02-01 13:30:00", "not a date"),
        ("01/02/2019", "slashes"),
        ("43497", "Excel date number"),
        ("1850-01-01", "year"),
        ("gisteren", "not a date"),
    ],
)
def test_parse_date_refuses(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("111222333", True),
        ("123456782", True),
        ("123 456 782", True),
        ("123.456.782", True),
        ("123456789", False),
        ("000000000", False),
        ("12345678", False),
        ("H123456782", False),
    ],
)
def test_is_bsn(text, expected):
    assert is_bsn(text) is expected


# -- fuzzing: bad input gives InputError, never a traceback ------------------------

# valid fixture and its reader, per kind of table
FUZZ: dict[str, tuple[str, Callable[..., pd.DataFrame], dict[str, str]]] = {
    "households": ("households.csv", read_households, HOUSEHOLD_COLUMNS),
    "households_excel": ("households_excel.csv", read_households, HOUSEHOLD_COLUMNS),
    "dwellings": ("dwellings_excel.csv", read_dwellings, DWELLING_COLUMNS),
    "refusals": ("pins_conflicting.csv", partial(read_pairs, kind="refusals"), PAIR_COLUMNS),
}


VALID = {kind: (FIXTURES / name).read_bytes() for kind, (name, _, _) in FUZZ.items()}


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _survives(path: Path, reader: Callable[..., pd.DataFrame], contract: dict[str, str]) -> None:
    """Either every problem is an InputError, or the frame keeps the contract."""
    try:
        frame = reader(path)
    except InputError as error:
        assert error.problems
    else:
        assert dtypes(frame.iloc[:, : len(contract)]) == contract
        assert frame.attrs["passthrough"] == list(frame.columns[len(contract) :])


@st.composite
def mutated(draw: st.DrawFn, valid: bytes) -> bytes:
    """A valid fixture with a few characters deleted, doubled or replaced."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["delete", "double", "replace"]))
        if action == "delete":
            del data[position]
        elif action == "double":
            data.insert(position, data[position])
        else:
            data[position] = draw(st.sampled_from(list(b',;\t"\n\r -.0129aZ\xc3\xe9')))
    if draw(st.integers(0, 3)) == 0:  # swap the delimiters of one line
        lines = bytes(data).split(b"\n")
        chosen = draw(st.integers(0, len(lines) - 1))
        lines[chosen] = lines[chosen].translate(bytes.maketrans(b",;", b";,"))
        data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_raise_only_input_errors(fuzz_dir, data, suffix):
    path = fuzz_dir / f"random{suffix}"
    path.write_bytes(data)
    _survives(path, read_households, HOUSEHOLD_COLUMNS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(sorted(FUZZ)).flatmap(
        lambda kind: st.tuples(st.just(kind), mutated(VALID[kind]))
    )
)
def test_mutated_fixture_parses_or_raises_input_error(fuzz_dir, case):
    kind, data = case
    path = fuzz_dir / "mutated.csv"
    path.write_bytes(data)
    _, reader, contract = FUZZ[kind]
    _survives(path, reader, contract)
