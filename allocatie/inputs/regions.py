"""The region table: which municipalities pool their offer, as a user's input.

Regional pooling needs to know which municipalities match together. No bundled
table says so (the CBS data hold no province, COA-region or veiligheidsregio
table), so a region table is an input: one row per municipality, its
``gemeente_code`` and its ``region`` (``regio`` in Dutch), as CSV or XLSX like
every other table (:func:`allocatie.inputs.io.read_table`). ``allocatie regions
--out regio.csv`` writes the benchmark's contiguous regions
(:mod:`allocatie.areas.regions`) in this shape, as a start to edit.

Every problem is reported at once with file, line and column
(:class:`~allocatie.inputs.errors.Problem`): a missing column, an empty cell, a
code that is not a municipality code, a municipality listed twice (a
municipality belongs to one region), and, when the caller knows the
municipalities, a code that names none of them. Other columns (such as
``gemeente_naam``) are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from allocatie.i18n import _
from allocatie.inputs.columns import close_spelling, dutch_name, rename_map, speaks_dutch
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.table import SOURCE_LINE, RawTable, visible

__all__ = [
    "REGION_COLUMNS",
    "members",
    "normalise_gemeente_code",
    "parse_regions",
    "read_regions",
]

#: The columns of a region table, in file order; both are required.
REGION_COLUMNS: tuple[str, ...] = ("gemeente_code", "region")

_GEMEENTE_CODE = re.compile(r"GM\d{4}")
#: The CBS number alone (``0153``, or ``153`` after Excel dropped the zero).
_GEMEENTE_NUMBER = re.compile(r"\d{1,4}")


def normalise_gemeente_code(text: str) -> str | None:
    """``GM0153`` from ``gm0153``, ``GM 0153``, ``0153`` or ``153``; ``None`` if no code.

    A spreadsheet turns ``0153`` into the number ``153``, so the bare CBS number
    is read as the code it stands for.
    """
    code = text.upper().replace(" ", "")
    if _GEMEENTE_CODE.fullmatch(code):
        return code
    if _GEMEENTE_NUMBER.fullmatch(code):
        return f"GM{int(code):04d}"
    return None


def _show(text: str, limit: int = 40) -> str:
    value = text.replace("\n", " ")
    return f"'{value[: limit - 1]}…'" if len(value) > limit else f"'{value}'"


def parse_regions(
    raw: RawTable, known: Collection[str] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and validate a region table.

    Parameters
    ----------
    raw
        The table as read (:func:`allocatie.inputs.io.read_table`).
    known
        The municipality codes a region may name (e.g. those of the area data);
        ``None`` accepts any well-formed code.

    Returns
    -------
    frame
        Columns ``gemeente_code`` (``GM`` and four digits), ``region`` (text as
        written), ``source_line``, then the other columns as written; only the
        rows without a problem.
    problems
        Every problem found; empty when the table is valid.
    """
    problems: list[Problem] = []
    found = rename_map(raw.headers, REGION_COLUMNS)
    # gemeente_code/gemeentecode are one key, so only the other columns tell the language
    dutch = speaks_dutch(raw.headers.values(), ("region", "gemeente_name"))
    renames: dict[str, str] = {}
    for column, lows in found.items():
        if len(lows) > 1:
            problems.append(raw.same_column_twice(column, lows))
        renames[lows[0]] = column
    frame = raw.frame.rename(columns=renames)
    headers = {renames.get(low, low): text for low, text in raw.headers.items()}
    others = [c for c in frame.columns if c not in (*REGION_COLUMNS, SOURCE_LINE)]

    def name(column: str) -> str:
        if column in headers:
            return headers[column]
        return dutch_name(column) if dutch else column

    for column in REGION_COLUMNS:
        if column in frame.columns:
            continue
        needs = ", ".join(name(c) for c in REGION_COLUMNS)
        message = _(
            "this column is missing from the header line; region tables need the columns {columns}"
        ).format(columns=needs)
        close = [
            (headers[c], hit[0])
            for c in others
            if (hit := close_spelling(headers[c], [column], required=True)) is not None
        ]
        if close:
            message += " " + _("(is '{header}' meant to be '{column}'?)").format(
                header=visible(close[0][0]), column=close[0][1]
            )
        problems.append(Problem(raw.file, raw.header_line, name(column), message))
    if problems:
        return _empty(), problems
    if frame.empty:
        message = _(
            "the file has column names but no rows; add one row per municipality with its region"
        )
        return _empty(), [Problem(raw.file, None, None, message)]

    code_hint = _("write the CBS municipality code, such as GM0153 (Enschede)")
    region_hint = _(
        "write the name of the region the municipality pools its offer with, such as "
        "Twente; municipalities with the same name form one region"
    )
    lines = frame[SOURCE_LINE].to_numpy()
    codes: list[str | None] = []
    known_codes = None if known is None else set(known)
    first_line: dict[str, int] = {}
    bad = [False] * len(frame)
    for i, (text, region) in enumerate(zip(frame["gemeente_code"], frame["region"])):
        line = int(lines[i])
        code = None if pd.isna(text) else normalise_gemeente_code(str(text))
        if pd.isna(text):
            problems.append(
                Problem(
                    raw.file,
                    line,
                    name("gemeente_code"),
                    _("this cell is empty; {hint}").format(hint=code_hint),
                )
            )
        elif code is None:
            problems.append(
                Problem(
                    raw.file,
                    line,
                    name("gemeente_code"),
                    _("{value} is not a municipality code; {hint}").format(
                        value=_show(str(text)), hint=code_hint
                    ),
                )
            )
        elif known_codes is not None and code not in known_codes:
            problems.append(
                Problem(
                    raw.file,
                    line,
                    name("gemeente_code"),
                    _(
                        "no municipality in the area data has the code {code}; check the "
                        "code (allocatie regions --out FILE lists every municipality)"
                    ).format(code=code),
                )
            )
            code = None
        elif code in first_line:
            problems.append(
                Problem(
                    raw.file,
                    line,
                    name("gemeente_code"),
                    _(
                        "{code} is listed on line {first} already; a municipality belongs "
                        "to one region, so keep one of the two rows"
                    ).format(code=code, first=first_line[code]),
                )
            )
            code = None
        else:
            first_line[code] = line
        if pd.isna(region):
            problems.append(
                Problem(
                    raw.file,
                    line,
                    name("region"),
                    _("this cell is empty; {hint}").format(hint=region_hint),
                )
            )
        bad[i] = code is None or pd.isna(region)
        codes.append(code)
    keep = [not b for b in bad]
    typed = pd.DataFrame(
        {
            "gemeente_code": pd.Series(codes, dtype="str")[keep].to_numpy(),
            "region": frame["region"][keep].astype("str").to_numpy(),
            SOURCE_LINE: frame[SOURCE_LINE][keep].to_numpy(dtype="int64"),
        }
    )
    for column in others:
        typed[headers[column]] = frame[column][keep].astype("str").to_numpy()
    typed.attrs["file"] = raw.file
    return typed, problems


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gemeente_code": pd.Series([], dtype="str"),
            "region": pd.Series([], dtype="str"),
            SOURCE_LINE: pd.Series([], dtype="int64"),
        }
    )


def read_regions(
    path: str | Path, *, display_name: str | None = None, known: Collection[str] | None = None
) -> pd.DataFrame:
    """Read and validate a region table (CSV or XLSX); see :func:`parse_regions`.

    Raises
    ------
    InputError
        With every problem of the file.
    """
    raw = read_table(path, display_name=display_name, required=REGION_COLUMNS)
    frame, problems = parse_regions(raw, known)
    if problems:
        raise InputError(problems)
    return frame


def members(table: pd.DataFrame) -> dict[str, list[str]]:
    """Region → its municipality codes (sorted), from a parsed region table."""
    grouped = table.groupby("region", sort=True)["gemeente_code"]
    return {str(region): sorted(codes) for region, codes in grouped}
