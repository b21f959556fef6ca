"""An input workbook to fill in: the households and dwellings sheets, as coordinators keep them.

A coordinator's first hour should not go into guessing column names. The
template has one sheet for the households and one for the dwellings, headed in
the coordinator's language (Dutch by default, the names of
:data:`allocatie.inputs.columns.DUTCH_COLUMNS`), with Excel's own help on every
column: a drop-down for ja/nee and for the interests, date cells, whole numbers
where a count is asked, and a prompt saying what to write (the same sentence a
problem message about that column ends with). An explanation sheet lists every
column, and two example rows per sheet show a filled-in line.

The one workbook serves as both ``--households`` and ``--dwellings``: the sheet
chooser (:mod:`allocatie.inputs.workbook`) reads the one visible sheet whose
header holds a table's required columns, and the two sheets hold different
ones. The explanation sheet lists column names one per row, so it never
qualifies. Read back unchanged, the template gives a plan (the example rows lie
in Enschede, in the first half of 2025).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from allocatie.i18n import _, language, number
from allocatie.inputs.columns import dutch_name
from allocatie.inputs.schema import REQUIRED_COLUMNS, column_hints
from allocatie.inputs.vocabulary import INTERESTS

__all__ = ["TEMPLATE_COLUMNS", "sheet_names", "write_template"]

#: Rows below the header that carry the drop-downs and formats.
ROWS = 1000

#: The columns of each sheet, in order. ``gemeente_code`` (households) is left out:
#: it is needed only when one file holds several municipalities.
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": (
        "household_id", "persons", "adults", "children", "expected_reunification", "linked_on",
        "needs_accessible", "max_floor", "income_below_rent_benefit_limit", "interests",
        "preferred_areas", "excluded_areas",
    ),
    "dwellings": (
        "dwelling_id", "corporation", "buurt_code", "wijk_code", "lon", "lat", "bedrooms",
        "area_m2", "floor", "elevator", "accessible", "rent", "available_from", "complex_id",
    ),
}  # fmt: skip

# How each column is checked in Excel.
_YES_NO = frozenset(
    {"needs_accessible", "income_below_rent_benefit_limit", "elevator", "accessible"}
)
_DATES = frozenset({"linked_on", "available_from"})
_WHOLE = {
    "persons": 1, "adults": 0, "children": 0, "expected_reunification": 0, "max_floor": 0,
    "bedrooms": 0, "floor": 0,
}  # fmt: skip
_DECIMAL = {"rent": 0, "area_m2": 0}
_DEGREES = {"lon": (3.0, 7.3), "lat": (50.7, 53.6)}  # the Netherlands, as the reader checks

#: A cell value of the example rows.
Value = str | int | float | dt.date

#: Two illustrative rows per sheet (synthetic households; real Enschede buurten that are
#: not concentrated), for the first half of 2025.
_EXAMPLES: dict[str, tuple[dict[str, Value], ...]] = {
    "households": (
        {"household_id": "H-2025-001", "persons": 1, "adults": 1, "children": 0,
         "expected_reunification": 0, "linked_on": dt.date(2025, 1, 6),
         "needs_accessible": "nee", "income_below_rent_benefit_limit": "ja",
         "interests": "sport;werk"},
        {"household_id": "H-2025-002", "persons": 4, "adults": 2, "children": 2,
         "expected_reunification": 0, "linked_on": dt.date(2025, 2, 3),
         "needs_accessible": "nee", "max_floor": 2, "income_below_rent_benefit_limit": "ja",
         "interests": "opleiding;geloof"},
    ),
    "dwellings": (
        {"dwelling_id": "W-2025-001", "corporation": "Domijn", "buurt_code": "BU01530001",
         "bedrooms": 1, "area_m2": 42, "floor": 2, "elevator": "ja", "accessible": "nee",
         "rent": 545.0, "available_from": dt.date(2025, 2, 15)},
        {"dwelling_id": "W-2025-002", "corporation": "De Woonplaats",
         "buurt_code": "BU01530402", "bedrooms": 3, "area_m2": 78, "floor": 0,
         "elevator": "nee", "accessible": "nee", "rent": 700.0,
         "available_from": dt.date(2025, 2, 20)},
    ),
}  # fmt: skip

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")


@dataclass(frozen=True)
class _Names:
    """Sheet titles in the language of the workbook."""

    households: str
    dwellings: str
    explanation: str


def sheet_names() -> tuple[str, str, str]:
    """Titles of the households, dwellings and explanation sheets, in the current language."""
    names = _names()
    return names.households, names.dwellings, names.explanation


def _names() -> _Names:
    return _Names(_("Households"), _("Dwellings"), _("Explanation"))


def _header(column: str) -> str:
    """A column's header in the workbook: Dutch names in Dutch, contract names in English."""
    return dutch_name(column) if language() == "nl" else column


def _yes_no() -> tuple[str, str]:
    return ("ja", "nee") if language() == "nl" else ("yes", "no")


def _example(kind: str, row: dict[str, Value]) -> dict[str, Value]:
    """An example row with ja/nee in the workbook's language."""
    yes, no = _yes_no()
    return {k: (yes if v == "ja" else no if v == "nee" else v) for k, v in row.items()}


def _prompt(text: str) -> str:
    """Excel allows at most 255 characters in an input message."""
    return text if len(text) <= 255 else text[:254] + "…"


def _validation(sheet: Worksheet, column: str, letter: str, hint: str) -> None:
    """The drop-down, type check and prompt of one column, for rows 2 to :data:`ROWS` + 1."""
    cells = f"{letter}2:{letter}{ROWS + 1}"
    title = _header(column)[:32]
    if column in _YES_NO:
        rule = DataValidation(type="list", formula1='"{}"'.format(",".join(_yes_no())))
        rule.error = _("choose yes or no")
    elif column == "interests":
        # One interest from the list, or several typed with ';' between them: the
        # drop-down offers the keys without refusing a list.
        rule = DataValidation(type="list", formula1='"{}"'.format(",".join(INTERESTS)))
        rule.showErrorMessage = False
    elif column in _DATES:
        rule = DataValidation(
            type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)"
        )
        rule.error = _("type a date, such as 2025-03-01")
        for row in sheet.iter_rows(min_row=2, max_row=ROWS + 1):
            row[openpyxl.utils.column_index_from_string(letter) - 1].number_format = "yyyy-mm-dd"
    elif column in _WHOLE:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual",
                              formula1=str(_WHOLE[column]))  # fmt: skip
        rule.error = _("type a whole number of at least {minimum}").format(minimum=_WHOLE[column])
    elif column in _DEGREES:
        low, high = _DEGREES[column]
        rule = DataValidation(type="decimal", operator="between", formula1=str(low),
                              formula2=str(high))  # fmt: skip
        rule.error = _("type a number between {low} and {high}").format(
            low=number(low), high=number(high)
        )
    elif column in _DECIMAL:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual",
                              formula1=str(_DECIMAL[column]))  # fmt: skip
        rule.error = _("type a number of at least {minimum}").format(minimum=_DECIMAL[column])
    else:
        rule = DataValidation(allow_blank=True)
    rule.allow_blank = True
    rule.errorTitle = title
    rule.promptTitle = title
    rule.prompt = _prompt(hint)
    rule.showInputMessage = True
    if column not in ("interests",) and rule.type is not None:
        rule.showErrorMessage = True
    sheet.add_data_validation(rule)
    rule.add(cells)


def _hints(kind: str) -> dict[str, str]:
    hints = column_hints(kind)
    if kind == "dwellings":
        hints["complex_id"] = _(
            "write the building (complex) the dwelling is in, such as CX-12, so that at most "
            "max_per_complex households are placed in one building; or leave it empty"
        )
    return hints


def _data_sheet(sheet: Worksheet, kind: str) -> None:
    """Headers, drop-downs, formats and the two example rows of one data sheet."""
    columns = TEMPLATE_COLUMNS[kind]
    hints = _hints(kind)
    required = set(REQUIRED_COLUMNS[kind])
    for position, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=position, value=_header(column))
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column in required else _HEADER_FILL
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, len(_header(column)) + 3)
        _validation(sheet, column, letter, hints.get(column, ""))
    for row_number, example in enumerate(_EXAMPLES[kind], 2):
        for position, column in enumerate(columns, 1):
            value = _example(kind, example).get(column)
            if value is not None:
                sheet.cell(row=row_number, column=position, value=value)
    sheet.freeze_panes = "A2"


def _explanation(sheet: Worksheet, names: _Names) -> None:
    """The explanation sheet: how to fill in, how to run, and every column.

    Column names are listed one per row, so that no row of this sheet holds a
    table's required columns together: the sheet chooser never takes it for data.
    """
    lines: Sequence[str] = (
        _("allocatie: input workbook for the monthly matching"),
        "",
        _("Fill in one row per household on the sheet '{households}' and one row per offered "
          "dwelling on the sheet '{dwellings}'. Keep the column names of the first row; the "
          "orange ones are required. Replace or delete the two example rows (they are "
          "illustrative).").format(households=names.households, dwellings=names.dwellings),
        _("Dates as date cells or as YYYY-MM-DD; yes/no as ja or nee; several interests or "
          "area codes with ';' between them, such as sport;werk."),
        _("Never enter names, BSNs, dates of birth or contact details: a pseudonymous id is "
          "all allocatie needs."),
        "",
        _("Then make the plan with a policy file (policy.toml), for example:"),
        "allocatie match --households invoer.xlsx --dwellings invoer.xlsx "
        "--policy beleid.toml --out plan",
        _("A minimal policy.toml: [period] start = 2025-01-01, end = 2025-06-30, "
          "quota_persons = 52, and municipality = \"GM0153\" at the top. Without "
          "[affordability] caps, those of the year the period starts in are used."),
        "",
    )  # fmt: skip
    for line_number, text in enumerate(lines, 1):
        sheet.cell(row=line_number, column=1, value=text)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    start = len(lines) + 1
    heads = (_("sheet"), _("column"), _("also read as"), _("required"), _("what to write"),
             _("example"))  # fmt: skip
    for position, text in enumerate(heads, 1):
        cell = sheet.cell(row=start, column=position, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    row = start + 1
    yes, no = _yes_no()
    for kind, title in (("households", names.households), ("dwellings", names.dwellings)):
        hints = _hints(kind)
        required = set(REQUIRED_COLUMNS[kind])
        example = _example(kind, _EXAMPLES[kind][-1])
        for column in TEMPLATE_COLUMNS[kind]:
            other = column if language() == "nl" else dutch_name(column)
            value = example.get(column)
            shown = value.isoformat() if isinstance(value, dt.date) else value
            cells = (title, _header(column), other, yes if column in required else no,
                     hints.get(column, ""), shown)  # fmt: skip
            for position, entry in enumerate(cells, 1):
                cell = sheet.cell(row=row, column=position, value=entry)
                cell.alignment = Alignment(wrap_text=position == 5, vertical="top")
            row += 1
    for letter, width in zip("ABCDEF", (14, 30, 30, 10, 80, 18)):
        sheet.column_dimensions[letter].width = width


def write_template(path: str | Path) -> Path:
    """Write the input workbook to ``path`` (in the current language) and return the path.

    The caller decides about an existing file (``allocatie template`` never
    overwrites one).
    """
    names = _names()
    book = openpyxl.Workbook()
    explanation = book.active
    assert explanation is not None  # a new workbook has one sheet
    explanation.title = names.explanation
    _explanation(explanation, names)
    _data_sheet(book.create_sheet(names.households), "households")
    _data_sheet(book.create_sheet(names.dwellings), "dwellings")
    book.active = 1  # open on the households sheet
    target = Path(path)
    book.save(target)
    return target
