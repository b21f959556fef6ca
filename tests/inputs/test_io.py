"""Reading tables as Dutch and English Excel write them (allocatie.inputs.io)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import SOURCE_LINE, RawTable, read_table
from tests.paths import FIXTURES

FIXTURES = FIXTURES / "inputs"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def problems_of(path: Path, **kwargs: object) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_table(path, display_name=path.name, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


# -- text files: shape --------------------------------------------------------


def test_plain_csv_gives_text_cells_lower_case_names_and_physical_lines():
    raw = read_table(FIXTURES / "households.csv", display_name="households.csv")
    assert isinstance(raw, RawTable)
    assert raw.file == "households.csv"
    assert (raw.delimiter, raw.decimal_comma, raw.header_line, raw.sheet) == (",", False, 1, None)
    assert raw.frame.columns[-1] == SOURCE_LINE
    assert raw.frame[SOURCE_LINE].tolist() == [2, 3, 5, 6]  # line 4 is blank
    assert raw.frame[SOURCE_LINE].dtype == "int64"
    assert raw.frame["team"].tolist() == ["Noord", "Zuid", "Noord", "Oost, centrum"]
    assert raw.headers["team"] == "Team"
    assert all(raw.frame[c].dtype == "str" for c in raw.frame.columns if c != SOURCE_LINE)
    assert pd.isna(raw.frame.loc[0, "max_floor"])  # empty cell -> NA


def test_excel_style_csv_with_bom_semicolons_and_crlf():
    raw = read_table(FIXTURES / "households_excel.csv")
    assert (raw.delimiter, raw.decimal_comma) == (";", True)
    assert raw.frame.columns[0] == "household_id"  # BOM stripped
    assert raw.frame[SOURCE_LINE].tolist() == [2, 3, 5, 6]  # ';;;;' line skipped
    assert raw.frame.loc[0, "interests"] == "sport;opleiding"  # quoted separator


def test_tab_separated_and_stripped_cells(tmp_path):
    path = write(tmp_path, "t.txt", " Household_ID \tPersons\n  H-1 \t 3 \n")
    raw = read_table(path)
    assert raw.delimiter == "\t"
    assert raw.frame["household_id"].tolist() == ["H-1"]
    assert raw.frame["persons"].tolist() == ["3"]
    assert raw.headers == {"household_id": "Household_ID", "persons": "Persons"}


def test_source_line_counts_lines_inside_quoted_cells_and_blank_lines(tmp_path):
    text = 'id,note\n\n"a","two\nlines"\n\n\nb,x\r\nc,"y"\n'
    raw = read_table(write(tmp_path, "t.csv", text))
    assert raw.frame[SOURCE_LINE].tolist() == [3, 7, 8]
    assert raw.frame.loc[0, "note"] == "two\nlines"


def test_utf8_text_in_other_scripts_is_not_mistaken_for_binary(tmp_path):
    notes = "ملاحظة قصيرة عن العائلة ትግርኛ"
    text = "id,note\n" + "".join(f"H-{i},{notes}\n" for i in range(20))
    raw = read_table(write(tmp_path, "t.csv", text))
    assert raw.frame["note"].tolist() == [notes] * 20


def test_header_need_not_be_on_line_one(tmp_path):
    raw = read_table(write(tmp_path, "t.csv", "\n\nid;n\nx;1\n"))
    assert raw.header_line == 3
    assert raw.frame[SOURCE_LINE].tolist() == [4]


def test_excel_sep_hint_line_is_honoured(tmp_path):
    raw = read_table(write(tmp_path, "t.csv", "sep=;\nid;rent\nx;607,46\n"))
    assert raw.delimiter == ";"
    assert raw.header_line == 2
    assert raw.frame.loc[0, "rent"] == "607,46"
    assert raw.frame[SOURCE_LINE].tolist() == [3]


def test_header_only_gives_an_empty_frame(tmp_path):
    raw = read_table(write(tmp_path, "t.csv", "household_id,dwelling_id\n"))
    assert len(raw.frame) == 0
    assert list(raw.frame.columns) == ["household_id", "dwelling_id", SOURCE_LINE]


def test_trailing_empty_columns_are_dropped_and_short_rows_padded(tmp_path):
    raw = read_table(write(tmp_path, "t.csv", "a;b;;\n1;;;\n2\n"))
    assert list(raw.frame.columns) == ["a", "b", SOURCE_LINE]
    assert raw.frame["a"].tolist() == ["1", "2"]
    assert raw.frame["b"].isna().all()


@pytest.mark.parametrize(
    ("cells", "delimiter", "expected"),
    [
        ("607,46", ",", True),  # a comma followed by 2 digits is a decimal comma
        ("607.46", ";", False),  # a point followed by 2 digits is a decimal point
        ("3", ";", True),  # no evidence: semicolons mean a Dutch Excel
        ("3", ",", False),
        ("1.234,5", ",", True),
        ("1,234.5", ";", False),
    ],
)
def test_decimal_comma_is_decided_by_the_numbers(tmp_path, cells, delimiter, expected):
    quoted = f'"{cells}"' if delimiter in cells else cells
    text = f"id{delimiter}x\nA{delimiter}{quoted}\n"
    assert read_table(write(tmp_path, "t.csv", text)).decimal_comma is expected


# -- text files: problems -----------------------------------------------------


def test_row_wider_than_header_is_reported_on_its_line(tmp_path):
    problems = problems_of(FIXTURES / "households_too_many_cells.csv")
    assert where(problems) == [(3, None)]  # line 4 only has trailing empties
    assert "5 values" in problems[0].message and "4 column names" in problems[0].message


def test_every_wide_row_is_reported(tmp_path):
    path = write(tmp_path, "t.csv", "a,b\n1,2,3\n4,5\n6,7,8,9\n")
    assert where(problems_of(path)) == [(2, None), (4, None)]


def test_unnamed_column_with_values_and_duplicate_and_reserved_names(tmp_path):
    path = write(tmp_path, "t.csv", "a,,A,source_line\n1,2,3,4\n")
    problems = problems_of(path)
    assert where(problems) == [(1, None), (1, "A"), (1, "source_line")]
    assert "column 2" in problems[0].message


def test_unclosed_quote_points_at_the_line_where_it_opens():
    problems = problems_of(FIXTURES / "households_unclosed_quote.csv")
    assert where(problems) == [(3, None)]
    assert "quote" in problems[0].message


def test_text_after_closing_quote_is_reported(tmp_path):
    path = write(tmp_path, "t.csv", 'a,b\n1,2\n"x"y,3\n')
    assert where(problems_of(path)) == [(3, None)]


def test_latin1_file_asks_for_csv_utf8_and_names_the_line():
    problems = problems_of(FIXTURES / "households_latin1.csv")
    assert where(problems) == [(3, None)]
    assert "CSV UTF-8" in problems[0].message
    assert "Roombeek" not in problems[0].message


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n \r\n;;;\n", "empty"),
        ("garbage.csv", bytes(range(256)) * 4, "does not look like a table"),
        ("nul.csv", b"id,x\n1,\x002\n", "does not look like a table"),
        ("utf16.csv", "id\tx\n".encode("utf-16"), "UTF-16"),
        ("book.csv", b"PK\x03\x04rest", "rename it to .xlsx"),
        ("old.csv", b"\xd0\xcf\x11\xe0rest", "97-2003"),
    ],
)
def test_unreadable_text_files_give_one_clear_problem(tmp_path, name, content, phrase):
    problems = problems_of(write(tmp_path, name, content))
    assert len(problems) == 1
    assert problems[0].line is None and problems[0].column is None
    assert phrase in problems[0].message


def test_fixture_files_empty_and_binary_garbage():
    assert "empty" in problems_of(FIXTURES / "households_empty.csv")[0].message
    garbage = problems_of(FIXTURES / "households_binary_garbage.csv")
    assert "does not look like a table" in garbage[0].message


@pytest.mark.parametrize(
    ("name", "phrase"),
    [("x.xls", ".xls"), ("x.ods", ".ods"), ("x.json", ".json"), ("x", "no extension")],
)
def test_unsupported_extensions(tmp_path, name, phrase):
    problems = problems_of(write(tmp_path, name, b"id\n1\n"))
    assert len(problems) == 1 and phrase in problems[0].message


def test_missing_file_and_folder(tmp_path):
    assert "not found" in problems_of(tmp_path / "nope.csv")[0].message
    (tmp_path / "dir.csv").mkdir()
    assert "folder" in problems_of(tmp_path / "dir.csv")[0].message


def test_display_name_defaults_to_the_path_as_given(tmp_path):
    path = write(tmp_path, "t.csv", "")
    with pytest.raises(InputError) as info:
        read_table(str(path))
    assert info.value.problems[0].file == str(path)


# -- workbooks ----------------------------------------------------------------


def test_workbook_uses_the_sheet_with_the_required_columns():
    raw = read_table(FIXTURES / "households.xlsx", required=("household_id", "persons"))
    assert (raw.sheet, raw.delimiter, raw.decimal_comma) == ("Huishoudens", None, None)
    assert raw.frame[SOURCE_LINE].tolist() == [2, 3, 5, 6]  # Excel row numbers
    # whole numbers lose Excel's .0, dates become ISO, booleans words
    assert raw.frame["persons"].tolist() == ["3", "1", "5", "2"]
    assert raw.frame["adults"].tolist()[:2] == ["2", "1"]
    assert raw.frame["expected_reunification"].tolist()[:2] == ["0", "2"]
    assert raw.frame["linked_on"].tolist() == [
        "2019-01-14",
        "2019-02-01",
        "2019-03-05",
        "2019-03-18",
    ]
    assert raw.frame["needs_accessible"].tolist()[:3] == ["false", "false", "true"]


def test_workbook_without_required_columns_falls_back_to_first_sheet_with_data():
    raw = read_table(FIXTURES / "households.xlsx")
    assert raw.sheet == "Toelichting"


def test_workbook_header_below_empty_rows(tmp_path):
    raw = read_table(FIXTURES / "households_fractional_persons.xlsx", required=("persons",))
    assert (raw.sheet, raw.header_line) == ("Data", 3)
    assert raw.frame[SOURCE_LINE].tolist() == [4, 5, 6, 7]
    assert raw.frame["persons"].tolist() == ["2", "2.5", "1", "0"]
    assert raw.headers["persons"] == "Persons"


def test_workbook_title_rows_above_the_header_are_skipped(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "Woningaanbod maart 2019"
    sheet["A2"] = "Opgesteld door team Wonen"
    sheet.append([])
    sheet.append(["Dwelling_ID", "Rent"])
    sheet.append(["D-1", 607.46])
    path = tmp_path / "t.xlsx"
    book.save(path)
    raw = read_table(path, required=("dwelling_id", "rent"))
    assert raw.header_line == 4
    assert raw.frame[SOURCE_LINE].tolist() == [5]
    assert raw.frame["rent"].tolist() == ["607.46"]


def test_workbook_cell_types(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "n", "x", "when", "at", "flag"])
    sheet.append(["a", 7, 0.1, dt.datetime(2019, 2, 1), dt.datetime(2019, 2, 1, 13, 30), True])
    sheet.append([12.0, 1e-7, 607.46, dt.date(2019, 3, 5), None, False])
    path = tmp_path / "t.xlsx"
    book.save(path)
    frame = read_table(path).frame
    assert frame.drop(columns=SOURCE_LINE).fillna("<empty>").values.tolist() == [
        ["a", "7", "0.1", "2019-02-01", "2019-02-01 13:30:00", "true"],
        ["12", "0.0000001", "607.46", "2019-03-05", "<empty>", "false"],
    ]


def test_workbook_values_right_of_the_header_are_reported(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "n"])
    sheet.append(["a", 1, None, "stray"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    problems = problems_of(path)
    assert where(problems) == [(1, None)]
    assert "column D" in problems[0].message


def test_empty_workbook_and_damaged_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    assert "no sheet with data" in problems_of(path)[0].message
    damaged = write(tmp_path, "damaged.xlsx", b"PK\x03\x04 not really a zip")
    assert "cannot be opened as an Excel workbook" in problems_of(damaged)[0].message
    text = write(tmp_path, "text.xlsx", b"id,n\n1,2\n")
    assert "cannot be opened as an Excel workbook" in problems_of(text)[0].message
