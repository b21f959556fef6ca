"""The neutral shape of an input table, shared by the text and workbook readers.

Both readers end in :func:`build_table`, so a workbook and a CSV file with the same
cells give the same frame, the same layout problems and the same messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import pandas as pd

from allocatie.i18n import _
from allocatie.inputs.errors import InputError, Problem

#: Name of the line-number column added to every frame; a user column with
#: this name would be ambiguous, so it is refused.
SOURCE_LINE = "source_line"

# A number written with a comma that cannot be a thousands separator
# ("607,46", "1.234,5"), and one written with a point ("607.46", "1,234.5").
_COMMA_DECIMAL = re.compile(
    r"(?:€\s*)?[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d+,(?:\d{1,2}|\d{4,})|0,\d+|\d{4,},\d+)"
)
_POINT_DECIMAL = re.compile(
    r"(?:€\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d+\.(?:\d{1,2}|\d{4,})|0\.\d+|\d{4,}\.\d+)"
)


#: Characters a reader cannot see: format characters (zero-width space, joiners, the
#: byte-order mark) and spaces other than the plain one.
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f"
    "\u202a-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0]"
)


def visible(text: str) -> str:
    """``text`` with every invisible character shown as ``<U+200B>``, for messages."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def nfc(text: str) -> str:
    """Unicode NFC form: an ``é`` typed as one character or as ``e`` + accent is one id."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def decimal_evidence(cells: pd.Series) -> tuple[int, int]:
    """How many distinct cells can only be read with a decimal comma, and with a point.

    ``"607,46"`` counts for the comma and ``"607.46"`` for the point;
    ``"1.234"`` counts for neither (it may be a thousands separator).
    """
    unique = pd.Series(pd.unique(cells.dropna()), dtype="str")
    commas = int(unique.str.fullmatch(_COMMA_DECIMAL).sum())
    points = int(unique.str.fullmatch(_POINT_DECIMAL).sum())
    return commas, points


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
        ``52.2215``) are read correctly either way. ``None`` when the file
        gives no evidence either way (a workbook whose text cells hold no
        unambiguous number): an ambiguous number is then refused rather than
        guessed.
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
    decimal_comma: bool | None
    header_line: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None

    def same_column_twice(self, column: str, lows: list[str]) -> Problem:
        """The problem of one contract ``column`` under two headers ``lows`` (lower-cased).

        Which of the two is meant cannot be guessed, so the user is asked to keep one.
        """
        shown = _(" and ").join(f"'{self.headers[low]}'" for low in lows)
        return Problem(
            self.file,
            self.header_line,
            self.headers[lows[1]],
            _(
                "{columns} are the same column ({column}) under two names; "
                "keep one of them and delete or rename the other"
            ).format(columns=shown, column=column),
        )


@dataclass(frozen=True)
class Built:
    frame: pd.DataFrame
    headers: dict[str, str]


def build_table(
    name: str,
    header: tuple[int, list[str]],
    rows: list[tuple[int, list[str]]],
    *,
    column_label: Callable[[int], str],
    pad_header: bool = False,
) -> Built:
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
    lowered = [nfc(n.strip()).lower() for n in names]
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
                        _(
                            "{column} has values but no name in the header row; "
                            "give it a name or delete the column"
                        ).format(column=label(i)),
                    )
                )
            continue
        if low == SOURCE_LINE:
            problems.append(
                Problem(
                    name,
                    header_line,
                    names[i],
                    _(
                        "the column name '{name}' is reserved for line numbers; rename or "
                        "delete this column"
                    ).format(name=SOURCE_LINE),
                )
            )
            continue
        if low in seen:
            problems.append(
                Problem(
                    name,
                    header_line,
                    names[i],
                    _(
                        "this column name appears twice ({first} and {second}); every "
                        "column needs its own name"
                    ).format(first=label(seen[low]), second=label(i)),
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
                    _(
                        "this line has {values} values but the header has {names} column "
                        "names; a value probably contains the separator (for example a "
                        "decimal comma in a comma-separated file): put that value in "
                        "quotes, or save from Excel as 'CSV UTF-8'"
                    ).format(values=len(cells), names=width),
                )
            )
    if problems:
        raise InputError(problems)

    columns: dict[str, pd.Series] = {}
    for i in keep:
        values = [nfc(cells[i]) if i < len(cells) and cells[i] else None for _, cells in rows]
        columns[lowered[i]] = pd.Series(values, dtype="str")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
    frame[SOURCE_LINE] = pd.Series([line for line, _ in rows], dtype="int64")
    headers = {lowered[i]: nfc(names[i].strip()) for i in keep}
    problems += _control_characters(name, header_line, headers, frame)
    if problems:
        raise InputError(problems)
    return Built(frame=frame, headers=headers)


#: Invisible control characters: never meant as data, and Excel cannot store them, so a
#: plan written back to .xlsx would fail on them.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _control_characters(
    name: str, header_line: int, headers: dict[str, str], frame: pd.DataFrame
) -> list[Problem]:
    """One problem per header or cell holding an invisible control character."""
    fix = _("it holds an invisible control character; retype the value")
    problems = [
        Problem(
            name,
            header_line,
            header,
            _("the column name holds an invisible control character; retype it"),
        )
        for header in headers.values()
        if re.search(_CONTROL, header)
    ]
    for column, header in headers.items():
        bad = frame[column].str.contains(_CONTROL, regex=True, na=False)
        problems += [Problem(name, int(line), header, fix) for line in frame.loc[bad, SOURCE_LINE]]
    return problems


def fail(name: str, message: str) -> NoReturn:
    """Raise an :class:`InputError` about the whole file."""
    raise InputError([Problem(name, None, None, message)])
