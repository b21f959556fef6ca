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
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from allocatie.i18n import _
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.table import SOURCE_LINE, RawTable, build_table, decimal_evidence, fail
from allocatie.inputs.workbook import read_workbook

__all__ = ["RawTable", "SOURCE_LINE", "read_table", "TEXT_SUFFIXES", "EXCEL_SUFFIXES"]

#: File name endings read as delimited text.
TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv")
#: File name endings read as Excel workbooks.
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")

_DELIMITERS = (";", "\t", ",")  # order breaks ties: Dutch Excel first
_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", ",": "commas"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)


def _save_as_utf8() -> str:
    return _(
        "in Excel choose File > Save As and pick 'CSV UTF-8 (comma delimited) "
        "(*.csv)' ('CSV UTF-8 (door komma's gescheiden)'), or save the workbook "
        "as .xlsx"
    )


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
        fail(
            name,
            _("this is an old Excel 97-2003 workbook (.xls); {fix}").format(fix=_save_as_utf8()),
        )
    if suffix == ".ods":
        fail(name, _("OpenDocument spreadsheets (.ods) are not supported; save as .xlsx"))
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        shown = suffix or _("no extension")
        fail(
            name,
            _("cannot read a file with {suffix}; give a .csv, .txt, .tsv or .xlsx file").format(
                suffix=shown
            ),
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(name, _("file not found; check the name and the folder"))
    except IsADirectoryError:
        fail(name, _("this is a folder, not a file"))
    except OSError as exc:
        fail(
            name,
            _("the file cannot be opened ({reason})").format(
                reason=exc.strerror or _("unknown reason")
            ),
        )
    if suffix in EXCEL_SUFFIXES:
        return read_workbook(data, name, tuple(required))
    return _read_text(data, name)


# --------------------------------------------------------------------------
# text files


def _read_text(data: bytes, name: str) -> RawTable:
    """Decode, sniff and split a delimited text file."""
    text = _decode(data, name)
    lines = _NEWLINE.split(text)
    first = next((i for i, line in enumerate(lines) if _has_content(line)), None)
    if first is None:
        fail(name, _("the file is empty; the first line must hold the column names"))
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
        fail(name, _("the file is empty; the first line must hold the column names"))
    table = build_table(name, header, rows, column_label=_text_column_label)
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
        fail(name, _("the file is empty; the first line must hold the column names"))
    if data.startswith(b"PK\x03\x04"):
        fail(name, _("this is an Excel workbook with a text-file name; rename it to .xlsx"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        fail(name, _("this is an old Excel 97-2003 workbook; {fix}").format(fix=_save_as_utf8()))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(
            name,
            _("the file is saved as 'Unicode text' (UTF-16); {fix}").format(fix=_save_as_utf8()),
        )
    not_text = _("this does not look like a table of text; {fix}").format(fix=_save_as_utf8())
    if b"\x00" in data:
        fail(name, not_text)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _mostly_control(data[:4096].decode("latin-1")):
            fail(name, not_text)
        before = data[: exc.start].decode("latin-1")
        line = len(_NEWLINE.findall(before)) + 1
        raise InputError(
            [
                Problem(
                    name,
                    line,
                    None,
                    _(
                        "the file is not saved as UTF-8 (this line has the first "
                        "character that cannot be read, often an accented letter "
                        "or the euro sign); {fix}"
                    ).format(fix=_save_as_utf8()),
                )
            ]
        ) from None
    if _mostly_control(text[:4096]):
        fail(name, not_text)
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
        return _(
            'a quote (") opened on this line is never closed, so the rest of '
            "the file cannot be read; close the quote or remove it"
        )
    if "expected after" in detail:
        return _(
            'a value on this line has text after its closing quote ("); put the '
            'whole value in quotes and write a quote inside it as ""'
        )
    if "field larger than field limit" in detail:
        return _('a value on this line is far too long; is a quote (") left open?')
    return _("this line cannot be read as a table row ({detail})").format(detail=detail)


def _text_column_label(position: int) -> str:
    return _("column {number} (counting from the left)").format(number=position + 1)


def _uses_decimal_comma(frame: pd.DataFrame, delimiter: str) -> bool:
    """Decide the file's decimal separator from the numbers it holds.

    Counts cells that can only be read one way ("607,46" vs "607.46"); the
    majority wins. Without such evidence, semicolon files are taken to come
    from a Dutch Excel and therefore to use a decimal comma.
    """
    commas, points = decimal_evidence(frame.drop(columns=SOURCE_LINE).stack())
    if commas != points:
        return commas > points
    return delimiter == ";"
