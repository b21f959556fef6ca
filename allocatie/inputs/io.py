"""Read input tables the way coordinators actually produce them.

Housing coordinators keep their lists in Excel. What reaches allocatie is an
``.xlsx`` workbook, a "CSV UTF-8" export (comma separated, sometimes with a
byte-order mark) or, from a Dutch Excel, a semicolon-separated CSV in which
numbers use a decimal comma. This module turns any of these into one neutral
shape, :class:`RawTable`: every cell as stripped text, the original column
names, and the line number the user sees in a text editor or in Excel, so that
every later message can point at the right spot.

Nothing here knows what a household or a dwelling is; typing and validation
happen in :mod:`allocatie.inputs.schema`. Encodings are never guessed: a file that is
not UTF-8 is reported with instructions to save it as "CSV UTF-8", because a
wrong guess would silently garble names of streets and corporations.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from allocatie.inputs.errors import InputError, Problem

__all__ = ["RawTable", "read_table", "TEXT_SUFFIXES", "EXCEL_SUFFIXES"]

#: File name endings read as delimited text.
TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv")
#: File name endings read as Excel workbooks.
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")

#: Name of the line-number column added to every frame; a user column with
#: this name would be ambiguous, so it is refused.
SOURCE_LINE = "source_line"

#: Non-empty rows of a worksheet searched for the header row.
_HEADER_SEARCH_ROWS = 10

_DELIMITERS = (";", "\t", ",")  # order breaks ties: Dutch Excel first
_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", ",": "commas"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
_SAVE_AS_UTF8 = (
    "in Excel choose File > Save As and pick 'CSV UTF-8 (comma delimited) "
    "(*.csv)' ('CSV UTF-8 (door komma's gescheiden)'), or save the workbook "
    "as .xlsx"
)

# A number written with a comma that cannot be a thousands separator
# ("607,46", "1.234,5"), and one written with a point ("607.46", "1,234.5").
_COMMA_DECIMAL = re.compile(
    r"(?:€\s*)?[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d+,(?:\d{1,2}|\d{4,})|0,\d+|\d{4,},\d+)"
)
_POINT_DECIMAL = re.compile(
    r"(?:€\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d+\.(?:\d{1,2}|\d{4,})|0\.\d+|\d{4,}\.\d+)"
)


@dataclass(frozen=True, eq=False)
class RawTable:
    """One table as read from a file, before any typing or validation.

    Parameters
    ----------
    file
        The file name as the user gave it, for messages.
    frame
        One row per non-blank data row. Every cell is text (pandas ``str``
        dtype), stripped of surrounding white space, with empty cells as NA.
        Columns carry the header names stripped and lower-cased, so that
        ``Persons`` and ``persons`` are the same column; the int64 column
        ``source_line`` holds the physical line (text) or row (Excel) number,
        the header being line 1 when it is the first line.
    delimiter
        ``","``, ``";"`` or ``"\\t"`` for text files (sniffed from the header
        line, or taken from Excel's ``sep=`` first line); ``None`` for
        workbooks.
    decimal_comma
        True when numbers in the file use a decimal comma, as in the CSV files
        a Dutch Excel writes. Decides how an ambiguous number such as
        ``1,234`` or ``1.234`` is read; unambiguous ones (``607,46``,
        ``52.2215``) are read correctly either way.
    header_line
        Line (or Excel row) of the header, for problems about columns.
    headers
        Lower-cased column name -> the header text as the user wrote it
        (stripped), so that messages and passed-through columns use the
        user's own spelling.
    sheet
        Name of the worksheet read, for workbooks; ``None`` for text.

    Notes
    -----
    Equality is identity (``eq=False``): comparing data frames element-wise
    inside a dataclass ``__eq__`` would raise.
    """

    file: str
    frame: pd.DataFrame
    delimiter: str | None
    decimal_comma: bool
    header_line: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None


def read_table(
    path: str | Path,
    *,
    display_name: str | None = None,
    required: Iterable[str] = (),
) -> RawTable:
    """Read a CSV/TXT/TSV or XLSX file into a :class:`RawTable`.

    Parameters
    ----------
    path
        The file to read.
    display_name
        Name to use in messages; defaults to ``str(path)`` as given, never a
        resolved absolute path, so messages match what the user typed.
    required
        Column names the caller needs. Workbooks often hold notes or a pivot
        on the first sheet and a title above the table, so the first sheet
        with a row (among its first 10 non-empty ones) holding all of these
        is read, that row being the header; failing that, the sheet and row
        with most of them (the schema then reports what is missing). Without
        ``required``, the first non-empty row of the first sheet with data is
        the header. Text files hold one table and ignore this: their header
        is the first non-blank line.

    Returns
    -------
    RawTable
        The table; it may have no data rows (a header-only file), which is
        fine for pins and refusals and for the caller to judge otherwise.

    Raises
    ------
    InputError
        With every problem found when the file cannot be read as a table:
        missing, empty, binary, not UTF-8, unsupported format, unbalanced
        quotes, rows with more values than the header has names, or header
        names that are missing or repeated.
    """
    name = display_name if display_name is not None else str(path)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        _fail(name, "this is an old Excel 97-2003 workbook (.xls); " + _SAVE_AS_UTF8)
    if suffix == ".ods":
        _fail(name, "OpenDocument spreadsheets (.ods) are not supported; save as .xlsx")
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        shown = suffix or "no extension"
        _fail(
            name,
            f"cannot read a file with {shown}; give a .csv, .txt, .tsv or .xlsx file",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(name, "file not found; check the name and the folder")
    except IsADirectoryError:
        _fail(name, "this is a folder, not a file")
    except OSError as exc:
        _fail(name, f"the file cannot be opened ({exc.strerror or 'unknown reason'})")
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(data, name, tuple(required))
    return _read_text(data, name)


# --------------------------------------------------------------------------
# text files


def _read_text(data: bytes, name: str) -> RawTable:
    """Decode, sniff and split a delimited text file."""
    text = _decode(data, name)
    lines = _NEWLINE.split(text)
    first = next((i for i, line in enumerate(lines) if _has_content(line)), None)
    if first is None:
        _fail(name, "the file is empty; the first line must hold the column names")
    sep_line = _SEP_LINE.fullmatch(lines[first].strip())
    if sep_line:  # Excel's "sep=;" hint line, written by some exporters
        delimiter = sep_line.group(1)
        skip_records = first + 1
    else:
        delimiter = _sniff_delimiter(lines[first])
        skip_records = 0

    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        skipinitialspace=True,
        strict=True,
    )
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for index, record in enumerate(reader):
            start, previous_end = previous_end + 1, reader.line_num
            if index < skip_records:
                continue
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue  # blank line, or only separators as Excel writes them
            if header is None:
                header = (start, cells)
            else:
                rows.append((start, cells))
    except csv.Error as exc:  # reading cannot go on after a broken quote
        message = _csv_error_message(str(exc))
        raise InputError([Problem(name, previous_end + 1, None, message)]) from None
    if header is None:  # only a sep= line
        _fail(name, "the file is empty; the first line must hold the column names")
    table = _build(name, header, rows, column_label=_text_column_label)
    return RawTable(
        file=name,
        frame=table.frame,
        delimiter=delimiter,
        decimal_comma=_uses_decimal_comma(table.frame, delimiter),
        header_line=header[0],
        headers=table.headers,
    )


def _has_content(line: str) -> bool:
    """Whether a physical line holds more than white space and separators."""
    return bool(re.sub(r'[\s;,"]', "", line))


def _decode(data: bytes, name: str) -> str:
    """Return the text of a UTF-8 file or raise a problem saying how to fix it."""
    if not data.strip():
        _fail(name, "the file is empty; the first line must hold the column names")
    if data.startswith(b"PK\x03\x04"):
        _fail(name, "this is an Excel workbook with a text-file name; rename it to .xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _fail(name, "this is an old Excel 97-2003 workbook; " + _SAVE_AS_UTF8)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(name, "the file is saved as 'Unicode text' (UTF-16); " + _SAVE_AS_UTF8)
    not_text = "this does not look like a table of text; " + _SAVE_AS_UTF8
    if b"\x00" in data:
        _fail(name, not_text)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _mostly_control(data[:4096].decode("latin-1")):
            _fail(name, not_text)
        before = data[: exc.start].decode("latin-1")
        line = len(_NEWLINE.findall(before)) + 1
        raise InputError(
            [
                Problem(
                    name,
                    line,
                    None,
                    "the file is not saved as UTF-8 (this line has the first "
                    "character that cannot be read, often an accented letter "
                    "or the euro sign); " + _SAVE_AS_UTF8,
                )
            ]
        ) from None
    if _mostly_control(text[:4096]):
        _fail(name, not_text)
    return text


def _mostly_control(sample: str) -> bool:
    """Whether more than 5 % of ``sample`` are control characters (binary data).

    Applied to decoded text, so that UTF-8 letters of non-Latin scripts (whose
    bytes look like control characters when read one by one) do not count.
    """
    if not sample:
        return False
    controls = sum(
        1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f\v") or 0x7F <= ord(ch) < 0xA0
    )
    return controls > 0.05 * len(sample)


def _sniff_delimiter(header: str) -> str:
    """Pick the separator that occurs most often, outside quotes, in the header.

    Sniffing the header only is deliberate: data cells contain commas
    (decimal commas, lists) far more often than column names do.
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # first wins a tie
    return best if counts[best] else ","


def _csv_error_message(detail: str) -> str:
    """Explain a :class:`csv.Error` in terms of what the user can fix."""
    if "unexpected end of data" in detail:
        return (
            'a quote (") opened on this line is never closed, so the rest of '
            "the file cannot be read; close the quote or remove it"
        )
    if "expected after" in detail:
        return (
            'a value on this line has text after its closing quote ("); put the '
            'whole value in quotes and write a quote inside it as "" '
        ).rstrip()
    if "field larger than field limit" in detail:
        return 'a value on this line is far too long; is a quote (") left open?'
    return f"this line cannot be read as a table row ({detail})"


def _text_column_label(position: int) -> str:
    return f"column {position + 1} (counting from the left)"


def _uses_decimal_comma(frame: pd.DataFrame, delimiter: str) -> bool:
    """Decide the file's decimal separator from the numbers it holds.

    Counts cells that can only be read one way ("607,46" vs "607.46"); the
    majority wins. Without such evidence, semicolon files are taken to come
    from a Dutch Excel and therefore to use a decimal comma.
    """
    cells = frame.drop(columns=SOURCE_LINE).stack().dropna()
    cells = pd.Series(cells.unique(), dtype="str")
    commas = int(cells.str.fullmatch(_COMMA_DECIMAL).sum())
    points = int(cells.str.fullmatch(_POINT_DECIMAL).sum())
    if commas != points:
        return commas > points
    return delimiter == ";"


# --------------------------------------------------------------------------
# workbooks


def _read_workbook(data: bytes, name: str, required: Sequence[str]) -> RawTable:
    """Read the best-matching sheet of an ``.xlsx`` workbook."""
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception:  # a damaged workbook fails in many ways; all mean the same
        _fail(
            name,
            "this file cannot be opened as an Excel workbook; open it in Excel "
            "and save it again as .xlsx ('Excel-werkmap')",
        )
    try:
        return _read_best_sheet(book, name, required)
    except InputError:
        raise
    except Exception:  # a damaged workbook can fail anywhere while streaming
        _fail(
            name,
            "part of this workbook cannot be read; open it in Excel and save it "
            "again as .xlsx ('Excel-werkmap')",
        )
    finally:
        book.close()


def _read_best_sheet(book: Any, name: str, required: Sequence[str]) -> RawTable:
    """Choose the sheet whose header row best covers ``required`` and read it."""
    want = frozenset(c.strip().lower() for c in required)
    best: tuple[int, int, int, Any] | None = None  # (-matches, order, header row, sheet)
    for order, sheet in enumerate(book.worksheets):
        sheet.reset_dimensions()  # do not trust stored sizes; stream every row
        found = _find_header(sheet, want)
        if found is None:
            continue
        matches, header_row = found
        if best is None or (-matches, order) < best[:2]:
            best = (-matches, order, header_row, sheet)
        if matches == len(want):
            break
    if best is None:
        _fail(
            name,
            "the workbook has no sheet with data; the first row of a sheet must "
            "hold the column names",
        )
    _, _, header_row, sheet = best
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        if number < header_row:
            continue  # a title or notes above the table
        cells = [_cell_text(v) or "" for v in values]
        if number == header_row:
            header = (number, cells)
        elif any(cells):
            rows.append((number, cells))
    if header is None:  # the sheet changed between two passes: damaged
        raise ValueError("header row vanished")
    table = _build(name, header, rows, column_label=_excel_column_label, pad_header=True)
    return RawTable(
        file=name,
        frame=table.frame,
        delimiter=None,
        decimal_comma=False,
        header_line=header[0],
        headers=table.headers,
        sheet=str(sheet.title),
    )


def _find_header(sheet: Any, want: frozenset[str]) -> tuple[int, int] | None:
    """Find the header row of a sheet: (number of wanted names, row number).

    Coordinators often put a title or a note above the table, so the first
    :data:`_HEADER_SEARCH_ROWS` non-empty rows are searched for the one with
    the most wanted column names; without any, the first non-empty row is
    the header. ``None`` for a sheet without data.
    """
    best: tuple[int, int] | None = None
    seen = 0
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        names = {(_cell_text(v) or "").lower() for v in values} - {""}
        if not names:
            continue
        matches = len(want & names)
        if best is None or matches > best[0]:
            best = (matches, number)
        seen += 1
        if matches == len(want) or seen >= _HEADER_SEARCH_ROWS:
            break
    return best


def _excel_column_label(position: int) -> str:
    return f"column {get_column_letter(position + 1)}"


def _cell_text(value: object) -> str | None:
    """Render an Excel cell value as the text a user would type for it.

    Whole numbers lose Excel's float ``.0`` (a household of ``3.0`` persons
    is typed as ``3``); other numbers use the shortest exact decimal form
    with a point; dates become ISO ``YYYY-MM-DD``.
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
        return np.format_float_positional(value, trim="-")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------
# shared


@dataclass(frozen=True)
class _Built:
    frame: pd.DataFrame
    headers: dict[str, str]


def _build(
    name: str,
    header: tuple[int, list[str]],
    rows: list[tuple[int, list[str]]],
    *,
    column_label: Callable[[int], str],
    pad_header: bool = False,
) -> _Built:
    """Turn header and rows into a frame, or raise with every layout problem.

    Columns without a name are dropped when empty (Excel leaves trailing
    separators) and reported when they hold values; rows wider than the
    header are reported because a value then most likely contains the
    separator, which shifts every later value into the wrong column.
    """
    label = column_label
    problems: list[Problem] = []
    header_line, names = header
    if pad_header:  # a workbook: values right of the last name are columns too
        widest = max((len(cells) for _, cells in rows), default=0)
        names = names + [""] * (widest - len(names))
    width = len(names)
    lowered = [n.strip().lower() for n in names]
    filled = [any(i < len(cells) and cells[i] for _, cells in rows) for i in range(width)]

    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, low in enumerate(lowered):
        if not low:
            if filled[i]:
                problems.append(
                    Problem(
                        name,
                        header_line,
                        None,
                        f"{label(i)} has values but no name in the header row; "
                        "give it a name or delete the column",
                    )
                )
            continue
        if low == SOURCE_LINE:
            problems.append(
                Problem(
                    name,
                    header_line,
                    names[i],
                    f"the column name '{SOURCE_LINE}' is reserved for line "
                    "numbers; rename or delete this column",
                )
            )
            continue
        if low in seen:
            problems.append(
                Problem(
                    name,
                    header_line,
                    names[i],
                    f"this column name appears twice ({label(seen[low])} and "
                    f"{label(i)}); every column needs its own name",
                )
            )
            continue
        seen[low] = i
        keep.append(i)

    for line, cells in rows:
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"this line has {len(cells)} values but the header "
                    f"has {width} column names; a value probably contains the "
                    "separator (for example a decimal comma in a comma-separated "
                    "file): put that value in quotes, or save from Excel as "
                    "'CSV UTF-8'",
                )
            )
    if problems:
        raise InputError(problems)

    columns: dict[str, pd.Series] = {}
    for i in keep:
        values = [cells[i] if i < len(cells) and cells[i] else None for _, cells in rows]
        columns[lowered[i]] = pd.Series(values, dtype="str")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
    frame[SOURCE_LINE] = pd.Series([line for line, _ in rows], dtype="int64")
    headers = {lowered[i]: names[i].strip() for i in keep}
    problems += _control_characters(name, header_line, headers, frame)
    if problems:
        raise InputError(problems)
    return _Built(frame=frame, headers=headers)


#: Invisible control characters: never meant as data, and Excel cannot store them, so a
#: plan written back to .xlsx would fail on them.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _control_characters(
    name: str, header_line: int, headers: dict[str, str], frame: pd.DataFrame
) -> list[Problem]:
    """One problem per header or cell holding an invisible control character."""
    fix = "it holds an invisible control character; retype the value"
    problems = [
        Problem(name, header_line, header, f"the column name: {fix}")
        for header in headers.values()
        if re.search(_CONTROL, header)
    ]
    for column, header in headers.items():
        bad = frame[column].str.contains(_CONTROL, regex=True, na=False)
        problems += [Problem(name, int(line), header, fix) for line in frame.loc[bad, SOURCE_LINE]]
    return problems


def _fail(name: str, message: str) -> NoReturn:
    """Raise an :class:`InputError` about the whole file."""
    raise InputError([Problem(name, None, None, message)])
