"""Read a table from an ``.xlsx`` workbook as a coordinator keeps it.

A workbook is more than a grid of values, and each of its extras has misled a
plan before: a hidden sheet with last month's households, a formula that the
program which wrote the file never calculated (it has no value, and reading it
as empty drops a limit), a rent typed as text ``1.200`` (a thousands separator,
not €1.20), a zip of a few megabytes that unpacks to gigabytes. So this reader
reads only visible sheets and refuses a choice between two; reports a formula
without a value by its cell; reads text cells with the same per-file decimal
decision as a CSV file (numbers Excel stores as numbers are never ambiguous);
and checks the unpacked size and the number of cells before and while reading.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from allocatie.i18n import _
from allocatie.i18n import number as shown_number
from allocatie.inputs.columns import canonical_column
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.table import RawTable, build_table, decimal_evidence, fail

#: Non-empty rows of a worksheet searched for the header row.
HEADER_SEARCH_ROWS = 10
#: Largest unpacked size of a workbook (all its parts together). A national
#: household list of 20,000 rows unpacks to a few MB; more than this is a zip bomb
#: or the wrong file, and reading it would take minutes and gigabytes.
MAX_UNPACKED_BYTES = 256 * 2**20
#: Most cells read from one sheet (200,000 households × 50 columns).
MAX_CELLS = 10_000_000


def _resave() -> str:
    return _("open it in Excel and save it again as .xlsx ('Excel-werkmap')")


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_THREE_DECIMALS = re.compile(r"-?\d+\.\d{3}")


@dataclass(frozen=True)
class _Sheet:
    """A sheet that could hold the table: how well its header row matches."""

    order: int
    title: str
    header_row: int
    matches: int
    visible: bool


def read_workbook(data: bytes, name: str, required: Sequence[str]) -> RawTable:
    """Read the table of a workbook; see :func:`allocatie.inputs.io.read_table`.

    The sheet read is the one visible sheet whose header row holds all of
    ``required`` (or, failing that, most of them, so the schema can say what is
    missing); two such visible sheets are refused by name, since choosing one
    would be a guess about which month is meant.
    """
    _check_container(data, name)
    book = _open(data, name, formulas=False)
    try:
        sheet = _choose_sheet(book, name, required)
        header, rows, texts = _rows(book[sheet.title], sheet.header_row, name)
    except InputError:
        raise
    except Exception:  # a damaged workbook can fail anywhere while streaming
        fail(name, _("part of this workbook cannot be read; {fix}").format(fix=_resave()))
    finally:
        book.close()
    if _has_formulas(data):
        _refuse_uncalculated(data, name, sheet, header[1])
    table = build_table(name, header, rows, column_label=excel_column_label, pad_header=True)
    return RawTable(
        file=name,
        frame=table.frame,
        delimiter=None,
        decimal_comma=_decimal_comma(texts),
        header_line=header[0],
        headers=table.headers,
        sheet=sheet.title,
    )


def excel_column_label(position: int) -> str:
    """How Excel names the column at 0-based ``position``: ``column C``."""
    return _("column {letter}").format(letter=get_column_letter(position + 1))


def cell_text(value: object) -> str | None:
    """Render an Excel cell value as the text a user would type for it.

    Whole numbers lose Excel's float ``.0`` (a household of ``3.0`` persons
    is typed as ``3``); other numbers use the shortest exact decimal form with
    a point, and a fourth decimal ``0`` when they have exactly three
    (``1.2340``), so that a number Excel stores as a number is never mistaken
    for one with a thousands separator; dates become ISO ``YYYY-MM-DD``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        text = np.format_float_positional(value, trim="-")
        return text + "0" if _THREE_DECIMALS.fullmatch(text) else text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------
# the container


def _check_container(data: bytes, name: str) -> None:
    """Refuse what is not a readable xlsx before any parsing: empty, encrypted, a bomb."""
    if not data:
        fail(name, _("the file is empty (0 bytes); save the workbook again in Excel"))
    if data.startswith(_OLE_MAGIC):
        fail(
            name,
            _(
                "this workbook is protected with a password (or is an old .xls file "
                "renamed to .xlsx), so it cannot be read; in Excel remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password: empty it) and "
                "save as .xlsx"
            ),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        fail(
            name,
            _("this file cannot be opened as an Excel workbook; {fix}").format(fix=_resave()),
        )
    if unpacked > MAX_UNPACKED_BYTES:
        fail(
            name,
            _(
                "this workbook unpacks to {size} MB, more than the {limit} MB allowed; it "
                "is not a household or dwelling list (or holds far more than one): save "
                "only the table, as .xlsx or as 'CSV UTF-8'"
            ).format(
                size=shown_number(unpacked / 2**20, 0),
                limit=shown_number(MAX_UNPACKED_BYTES / 2**20, 0),
            ),
        )


def _open(data: bytes, name: str, *, formulas: bool) -> Any:
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=not formulas, keep_links=False
        )
    except Exception:  # a damaged workbook fails in many ways; all mean the same
        fail(
            name,
            _("this file cannot be opened as an Excel workbook; {fix}").format(fix=_resave()),
        )


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds a formula element (cheap: no XML parsing)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                with archive.open(member) as part:
                    if _FORMULA.search(part.read()):
                        return True
    return False


# --------------------------------------------------------------------------
# choosing the sheet


def _choose_sheet(book: Any, name: str, required: Sequence[str]) -> _Sheet:
    want = frozenset(c.strip().lower() for c in required)  # contract names
    sheets = list(_candidates(book, want))
    complete = [s for s in sheets if want and s.matches == len(want)]
    shown = [s for s in complete if s.visible]
    if len(shown) > 1:
        titles = ", ".join(f"'{s.title}'" for s in shown)
        fail(
            name,
            _(
                "more than one sheet holds this table ({titles}); keep the one to plan "
                "with and delete the others (or save each as its own file)"
            ).format(titles=titles),
        )
    if shown:
        return shown[0]
    visible = [s for s in sheets if s.visible]
    hidden = complete or ([] if visible else sheets)
    if hidden:
        fail(
            name,
            _(
                "the table is on a hidden sheet ('{sheet}'); unhide it "
                "(right-click a sheet tab > Unhide) or copy it to a visible sheet"
            ).format(sheet=hidden[0].title),
        )
    if not visible:
        fail(
            name,
            _(
                "the workbook has no sheet with data; the first row of a sheet must "
                "hold the column names"
            ),
        )
    if not want:
        active = book.active
        chosen = [s for s in visible if active is not None and s.title == active.title]
        return (chosen or visible)[0]
    return min(visible, key=lambda s: (-s.matches, s.order))


def _candidates(book: Any, want: frozenset[str]) -> Iterator[_Sheet]:
    for order, sheet in enumerate(book.worksheets):
        sheet.reset_dimensions()  # do not trust stored sizes; stream every row
        found = _find_header(sheet, want)
        if found is not None:
            matches, header_row = found
            visible = getattr(sheet, "sheet_state", "visible") == "visible"
            yield _Sheet(order, str(sheet.title), header_row, matches, visible)


def _find_header(sheet: Any, want: frozenset[str]) -> tuple[int, int] | None:
    """Find the header row of a sheet: (number of wanted names, row number).

    Coordinators often put a title or a note above the table, so the first
    :data:`HEADER_SEARCH_ROWS` non-empty rows are searched for the one with
    the most wanted column names; without any, the first non-empty row is
    the header. A name counts in any of its spellings (``personen`` for
    ``persons``, see :mod:`allocatie.inputs.columns`), so a Dutch-headed sheet
    is found as readily as an English one. ``None`` for a sheet without data.
    """
    best: tuple[int, int] | None = None
    seen = 0
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        cells = {cell_text(v) or "" for v in values} - {""}
        if not cells:
            continue
        matches = len(want & {canonical_column(c, want) for c in cells})
        if best is None or matches > best[0]:
            best = (matches, number)
        seen += 1
        if matches == len(want) or seen >= HEADER_SEARCH_ROWS:
            break
    return best


# --------------------------------------------------------------------------
# reading the rows


def _rows(
    sheet: Any, header_row: int, name: str
) -> tuple[tuple[int, list[str]], list[tuple[int, list[str]]], list[str]]:
    """Header, data rows (as text) and the distinct text cells of the sheet."""
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    texts: set[str] = set()
    cells_read = 0
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        if number < header_row:
            continue  # a title or notes above the table
        cells_read += len(values)
        if cells_read > MAX_CELLS:
            fail(
                name,
                _(
                    "the sheet '{sheet}' has more than {limit} cells; keep only "
                    "the table (one row per household or dwelling) and save again"
                ).format(sheet=sheet.title, limit=shown_number(MAX_CELLS)),
            )
        cells = [cell_text(v) or "" for v in values]
        if number == header_row:
            header = (number, cells)
        elif any(cells):
            rows.append((number, cells))
            texts.update(v.strip() for v in values if isinstance(v, str))
    if header is None:  # the sheet changed between two passes: damaged
        raise ValueError("header row vanished")
    return header, rows, sorted(texts)


def _decimal_comma(texts: list[str]) -> bool | None:
    """The decimal separator of the numbers typed as text, or ``None`` without evidence."""
    commas, points = decimal_evidence(pd.Series(texts, dtype="str"))
    if commas == points:
        return None
    return commas > points


def _refuse_uncalculated(data: bytes, name: str, sheet: _Sheet, header: list[str]) -> None:
    """One problem per formula cell that holds no calculated value.

    A program other than Excel may write formulas without their results; read
    with values only, such a cell looks empty, and an empty ``max_floor`` means
    "no limit". The CSV export of the same sheet would hold the value, so the
    workbook must too.
    """
    formulas = _open(data, name, formulas=True)
    values = _open(data, name, formulas=False)
    try:
        problems: list[Problem] = []
        pairs = zip(
            formulas[sheet.title].iter_rows(min_row=1, values_only=True),
            values[sheet.title].iter_rows(min_row=1, values_only=True),
        )
        for number, (written, calculated) in enumerate(pairs, 1):
            if number <= sheet.header_row:
                continue
            for col, (formula, value) in enumerate(zip(written, calculated)):
                if isinstance(formula, str) and formula.startswith("=") and value is None:
                    named = col < len(header) and header[col]
                    problems.append(
                        Problem(
                            name,
                            number,
                            header[col] if named else excel_column_label(col),
                            _(
                                "cell {cell} holds a formula ({formula}) that was never "
                                "calculated, so it has no value; open the file in Excel and "
                                "save it (Excel then calculates it), or type the value itself"
                            ).format(
                                cell=f"{get_column_letter(col + 1)}{number}", formula=formula[:40]
                            ),
                        )
                    )
    finally:
        formulas.close()
        values.close()
    if problems:
        raise InputError(problems)
