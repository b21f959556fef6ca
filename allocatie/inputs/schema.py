"""Typed, validated frames from the raw input tables.

:mod:`allocatie.inputs.io` delivers every cell as text; this module applies the data
contract (DESIGN.md section 2) to it: required columns, types, ranges, ids that
are unique, combinations that must agree. It collects *every* problem of a
file, each with its line and column, because coordinators fix their sheets by
hand and should not have to rerun the tool once per mistake.

Two rules shape the messages. First, each says what is wrong *and* what a
valid value looks like, in words a coordinator uses. Second, household files
hold data about vulnerable people: a message about a household file echoes at
most the value of the one cell concerned, never a row, and never a number
that looks like a BSN; columns that look like names, BSNs, dates of birth or
contact details are refused outright, since allocatie needs none of them.

Each ``parse_*`` function returns the typed frame together with the list of
problems. The frame holds only the rows without problems (so its dtypes are
exact); when a whole column is missing it has no rows. The ``read_*``
functions read a file, parse it, and raise :class:`~allocatie.inputs.errors.InputError`
with all problems at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocatie.i18n import _
from allocatie.inputs.columns import close_spelling, dutch_name, rename_map, speaks_dutch
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import SOURCE_LINE, RawTable, read_table
from allocatie.inputs.table import visible
from allocatie.inputs.vocabulary import INTERESTS, canonical_interest

__all__ = [
    "AMENITY_COLUMNS",
    "BINDINGS",
    "DWELLING_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "PAIR_COLUMNS",
    "PAIR_KINDS",
    "REQUIRED_COLUMNS",
    "TABLE_COLUMNS",
    "column_hints",
    "is_bsn",
    "parse_amenities",
    "parse_bool",
    "parse_date",
    "parse_dwellings",
    "parse_households",
    "parse_integer",
    "parse_number",
    "parse_pairs",
    "read_amenities",
    "read_dwellings",
    "read_households",
    "read_pairs",
]

#: Output columns of :func:`parse_households` and their dtypes.
HOUSEHOLD_COLUMNS: dict[str, str] = {
    "household_id": "str",
    "persons": "int64",
    "adults": "Int64",
    "children": "Int64",
    "expected_reunification": "int64",
    "linked_on": "datetime64[ns]",
    "needs_accessible": "bool",
    "max_floor": "Int64",
    "income_below_rent_benefit_limit": "bool",
    "interests": "object",
    "preferred_areas": "object",
    "excluded_areas": "object",
    "gemeente_code": "str",
    "binding": "str",
    SOURCE_LINE: "int64",
}

#: Why a household must stay in its own municipality when a region pools its offer: the
#: COA's hard criteria of a kansrijke koppeling (work, study, family, care nearby).
BINDINGS: tuple[str, ...] = ("werk", "studie", "familie", "zorg")

#: Output columns of :func:`parse_dwellings` and their dtypes.
DWELLING_COLUMNS: dict[str, str] = {
    "dwelling_id": "str",
    "corporation": "str",
    "buurt_code": "str",
    "wijk_code": "str",
    "lon": "float64",
    "lat": "float64",
    "bedrooms": "int64",
    "area_m2": "float64",
    "floor": "int64",
    "elevator": "bool",
    "accessible": "bool",
    "rent": "float64",
    "available_from": "datetime64[ns]",
    "complex_id": "str",
    SOURCE_LINE: "int64",
}

#: Output columns of :func:`parse_pairs` and their dtypes.
PAIR_COLUMNS: dict[str, str] = {
    "household_id": "str",
    "dwelling_id": "str",
    SOURCE_LINE: "int64",
}

#: Output columns of :func:`parse_amenities` and their dtypes.
AMENITY_COLUMNS: dict[str, str] = {
    "category": "str",
    "lon": "float64",
    "lat": "float64",
    "name": "str",
    SOURCE_LINE: "int64",
}

#: Accepted values of ``kind`` in :func:`parse_pairs`.
PAIR_KINDS: tuple[str, ...] = ("pins", "refusals")

#: Plausible WGS84 bounds of the Netherlands (with a margin for the islands).
LON_RANGE: tuple[float, float] = (3.0, 7.3)
LAT_RANGE: tuple[float, float] = (50.7, 53.6)

_TRUE = frozenset({"true", "1", "ja", "j", "yes", "y", "waar", "x"})
_FALSE = frozenset({"false", "0", "nee", "n", "no", "onwaar"})
_LIST_SEPARATOR = re.compile(r"[;,]")
_AREA_CODE = re.compile(r"BU\d{8}|WK\d{6}|GM\d{4}")
_BUURT_CODE = re.compile(r"BU\d{8}")
_WIJK_CODE = re.compile(r"WK\d{6}")
_GEMEENTE_CODE = re.compile(r"GM\d{4}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_CURRENCY = re.compile(r"^(?:€|eur\b)\s*|\s*(?:€|eur)$", re.IGNORECASE)
_SPACES = re.compile(r"[ \u00a0\u202f]")
_NUMBER_BODY = re.compile(r"\d(?:[\d., ]*\d)?")

# Header words that mean the column holds personal data (compared per word
# of the header, after splitting on anything that is not a letter or digit).
_PERSONAL_WORDS = frozenset(
    {
        "naam",
        "name",
        "voornaam",
        "achternaam",
        "roepnaam",
        "familienaam",
        "geslachtsnaam",
        "voorletters",
        "initialen",
        "tussenvoegsel",
        "surname",
        "firstname",
        "lastname",
        "fullname",
        "bsn",
        "burgerservicenummer",
        "sofinummer",
        "vnummer",
        "vreemdelingennummer",
        "geboortedatum",
        "dob",
        "birthdate",
        "telefoon",
        "telefoonnummer",
        "phone",
        "mobiel",
        "email",
        "emailadres",
        "adres",
        "address",
    }
)
# Multi-word spellings of the same, compared on the header with separators
# removed ("date of birth", "e-mail", "V-nummer").
_PERSONAL_JOINED = frozenset({"dateofbirth", "email", "vnummer", "phonenumber", "geboortedatum"})

_INTEREST_LIST = ", ".join(INTERESTS)


def _area_hint() -> str:
    return _(
        "use area codes separated by ';': BU + 8 digits for a buurt (BU01530101), "
        "WK + 6 digits for a wijk (WK015301) or GM + 4 digits for a gemeente (GM0153)"
    )


# --------------------------------------------------------------------------
# cell parsers: text -> value, or ValueError with the reason in plain words


def parse_number(text: str, *, decimal_comma: bool | None = False) -> float:
    """Read a number as a Dutch or English spreadsheet writes it.

    Accepts a decimal point or a decimal comma, thousands separators (``.``,
    ``,`` or a space, in groups of three), a leading ``€``/``EUR`` and a
    leading sign. A separator followed by exactly three digits (``1.234``,
    ``1,234``) can be either a decimal or a thousands separator; it is read
    as the file's decimal separator (``decimal_comma``) when it is that, and
    refused as ambiguous otherwise — always when the file's separator is
    unknown (``None``) — so a thousands separator is never misread silently.

    Raises
    ------
    ValueError
        With the reason (e.g. ``"is not a number"``) as its message.
    """
    body = _CURRENCY.sub("", text.strip().replace("\u2212", "-"))
    sign = ""
    if body and body[0] in "+-":
        sign, body = body[0], body[1:].lstrip()
    body = _SPACES.sub(" ", body)
    if not _NUMBER_BODY.fullmatch(body):
        raise ValueError(_("is not a number"))
    marks = [c for c in ".," if c in body]
    decimal: str | None = None
    group: str | None = None
    if " " in body:
        group = " "
        if len(marks) == 2 or (marks and body.count(marks[0]) > 1):
            raise ValueError(_("is not a number"))
        decimal = marks[0] if marks else None
    elif len(marks) == 2:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if decimal == "." else "."
        if body.count(decimal) > 1:
            raise ValueError(_("is not a number"))
    elif marks:
        mark = marks[0]
        if body.count(mark) > 1:
            group = mark
        else:
            head, tail = body.split(mark)
            could_group = len(tail) == 3 and len(head) <= 3 and head != "0"
            if could_group and decimal_comma is None:
                raise ValueError(
                    _(
                        "is ambiguous: it could mean {one} or {other} (in Excel type it as a "
                        "number, or write it without a thousands separator)"
                    ).format(one=f"{head}{tail}", other=f"{head}.{tail.rstrip('0') or 0}")
                )
            if could_group and mark != ("," if decimal_comma else "."):
                other = "." if mark == "," else ","
                raise ValueError(
                    _(
                        "is ambiguous: it could mean {one} or {other} (write it without a "
                        "thousands separator)"
                    ).format(one=f"{head}{tail}", other=f"{head}{other}{tail}")
                )
            decimal = mark
    whole, _mark, fraction = body.partition(decimal) if decimal else (body, "", "")
    if group is not None:
        groups = whole.split(group)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ValueError(_("is not a number (thousands must come in groups of 3)"))
        whole = "".join(groups)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(_("is not a number"))
    value = float(f"{sign}{whole}.{fraction or 0}")
    if not np.isfinite(value):
        raise ValueError(_("is far too large"))
    return value


def parse_integer(text: str, *, decimal_comma: bool | None = False) -> int:
    """Read a whole number; ``3.0`` is accepted, ``2,5`` is not."""
    value = parse_number(text, decimal_comma=decimal_comma)
    if not value.is_integer():
        raise ValueError(_("is not a whole number"))
    if abs(value) >= 2**53:
        raise ValueError(_("is far too large"))
    return int(value)


def parse_bool(text: str) -> bool:
    """Read yes/no as written in Dutch or English (``ja``, ``nee``, ``1``, …).

    ``x`` counts as yes because many spreadsheets tick a box with an x.
    """
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(_("is not yes or no"))


def parse_date(text: str) -> dt.date:
    """Read a date written as ``YYYY-MM-DD`` or as Dutch ``DD-MM-YYYY``.

    Dates written with slashes are refused: ``01/02/2019`` is the first of
    February in Dutch and the second of January in American spreadsheets.
    """
    value = text.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DUTCH_DATE.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{5}(?:\.0)?", value):
        raise ValueError(
            _("is not a date (it looks like an Excel date number; format the cell as a date)")
        )
    elif "/" in value:
        raise ValueError(
            _("is not a date we can read safely (with slashes, day and month can be swapped)")
        )
    else:
        raise ValueError(_("is not a date"))
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("is not a date that exists")) from None
    if not 1900 <= date.year <= 2100:
        raise ValueError(_("has a year that cannot be right"))
    return date


def is_bsn(text: str) -> bool:
    """Whether ``text`` is a 9-digit number passing the BSN elfproef.

    Spaces and points between the digits are ignored (``123 456 782``). The
    elfproef is ``9*d1 + 8*d2 + … + 2*d8 - d9`` divisible by 11; one in eleven
    arbitrary 9-digit numbers passes it, so a hit is "looks like a BSN".
    """
    digits = re.sub(r"[ .]", "", text.strip())
    if not re.fullmatch(r"\d{9}", digits) or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 == 0


def _bsn_mask(cells: pd.Series) -> np.ndarray:
    """Vectorised :func:`is_bsn` over a text column (NA counts as no)."""
    digits = cells.str.replace(r"[ .]", "", regex=True)
    nine = digits.str.fullmatch(r"\d{9}").fillna(False).to_numpy(dtype=bool)
    mask = np.zeros(len(cells), dtype=bool)
    if nine.any():
        chosen = digits.to_numpy(dtype=object)[nine]
        text = np.frombuffer("".join(chosen).encode(), dtype=np.uint8)
        matrix = text.reshape(-1, 9).astype(np.int64) - ord("0")
        weights = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])
        passes = (matrix @ weights) % 11 == 0
        passes &= matrix.any(axis=1)
        mask[nine] = passes
    return mask


def _looks_personal(header: str) -> bool:
    """Whether a column name suggests names, BSNs or contact details."""
    low = header.strip().lower()
    words = set(re.split(r"[^0-9a-z]+", low))
    return bool(words & _PERSONAL_WORDS) or re.sub(r"[^0-9a-z]", "", low) in _PERSONAL_JOINED


# --------------------------------------------------------------------------
# column specifications


@dataclass(frozen=True)
class _Field:
    """How to read one column of the contract.

    ``hint`` completes every message about the column with what a valid value
    looks like; ``check`` adds a range rule on the parsed value.
    """

    name: str
    parse: Callable[[str, bool | None], object]
    hint: str
    required: bool = False
    default: object = None
    check: Callable[[Any], str | None] | None = None


def _text(value: str, decimal_comma: bool | None) -> str:
    return value


def _integer(value: str, decimal_comma: bool | None) -> int:
    return parse_integer(value, decimal_comma=decimal_comma)


def _number(value: str, decimal_comma: bool | None) -> float:
    return parse_number(value, decimal_comma=decimal_comma)


def _bool(value: str, decimal_comma: bool | None) -> bool:
    return parse_bool(value)


def _date(value: str, decimal_comma: bool | None) -> dt.date:
    return parse_date(value)


def _interests(value: str, decimal_comma: bool | None) -> tuple[str, ...]:
    """Split a list of interests on ``;`` or ``,`` and make each canonical.

    A comma is accepted as well as the documented ``;`` because no interest
    key contains one and Excel users type ``sport, werk`` naturally.
    """
    keys: list[str] = []
    unknown: list[str] = []
    for item in _split_list(value):
        key = canonical_interest(item)
        if key is None:
            unknown.append(item)
        elif key not in keys:
            keys.append(key)
    if not unknown:
        return tuple(keys)
    if unknown == [value.strip()]:
        raise ValueError(_("is not a known interest"))
    if len(unknown) == 1:
        raise ValueError(
            _("has {items}, which is not a known interest").format(items=_show(unknown[0]))
        )
    shown = ", ".join(_show(b) for b in unknown)
    raise ValueError(_("has {items}, which are not known interests").format(items=shown))


def _areas(value: str, decimal_comma: bool | None) -> tuple[str, ...]:
    """Split a list of area codes on ``;`` or ``,`` and upper-case them."""
    codes: list[str] = []
    bad: list[str] = []
    for item in _split_list(value):
        code = item.upper()
        if not _AREA_CODE.fullmatch(code):
            bad.append(item)
        elif code not in codes:
            codes.append(code)
    if not bad:
        return tuple(codes)
    if bad == [value.strip()]:
        raise ValueError(_("is not an area code"))
    if len(bad) == 1:
        raise ValueError(_("has {items}, which is not an area code").format(items=_show(bad[0])))
    shown = ", ".join(_show(b) for b in bad)
    raise ValueError(_("has {items}, which are not area codes").format(items=shown))


def _code(pattern: re.Pattern[str]) -> Callable[[str, bool | None], str]:
    def parse(value: str, decimal_comma: bool | None) -> str:
        code = value.upper().replace(" ", "")
        if not pattern.fullmatch(code):
            raise ValueError(_("is not a valid code"))
        return code

    return parse


def _category(value: str, decimal_comma: bool | None) -> str:
    key = canonical_interest(value)
    if key is None:
        raise ValueError(_("is not a known category"))
    return key


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in _LIST_SEPARATOR.split(value) if item.strip()]


def _at_least(minimum: int) -> Callable[[float], str | None]:
    def check(value: float) -> str | None:
        return _("is less than {minimum}").format(minimum=minimum) if value < minimum else None

    return check


def _positive(value: float) -> str | None:
    return _("is not more than 0") if value <= 0 else None


def _yes_no_hint(empty_means_yes: bool) -> str:
    if empty_means_yes:
        return _("write ja or nee (true/false, 1/0 and yes/no also work; empty means ja)")
    return _("write ja or nee (true/false, 1/0 and yes/no also work; empty means nee)")


# The field tables are built when a file is read, not at import, so that their
# hints come in the language of the moment (a web request may ask for English).


def _household_fields() -> tuple[_Field, ...]:
    return (
        _Field(
            "household_id",
            _text,
            _(
                "give every household its own pseudonymous id, such as H-2019-001 "
                "(never a name or BSN)"
            ),
            required=True,
        ),
        _Field(
            "persons",
            _integer,
            _(
                "write the number of persons to house now as a whole number of at least 1, "
                "such as 3"
            ),
            required=True,
            check=_at_least(1),
        ),
        _Field(
            "adults",
            _integer,
            _("write the number of adults as a whole number such as 2, or leave it empty"),
            check=_at_least(0),
        ),
        _Field(
            "children",
            _integer,
            _("write the number of children as a whole number such as 1, or leave it empty"),
            check=_at_least(0),
        ),
        _Field(
            "expected_reunification",
            _integer,
            _(
                "write how many family members are expected to join as a whole number "
                "such as 0 or 2 (empty means 0)"
            ),
            default=0,
            check=_at_least(0),
        ),
        _Field(
            "linked_on",
            _date,
            _("write the koppeling date as YYYY-MM-DD, such as 2019-03-01 (DD-MM-YYYY also works)"),
            required=True,
        ),
        _Field("needs_accessible", _bool, _yes_no_hint(False), default=False),
        _Field(
            "max_floor",
            _integer,
            _(
                "write the highest floor reachable without a lift as a whole number such "
                "as 0 (ground floor) or 2, or leave it empty for no limit"
            ),
            check=_at_least(0),
        ),
        _Field("income_below_rent_benefit_limit", _bool, _yes_no_hint(True), default=True),
        _Field(
            "interests",
            _interests,
            _("use interests from this list, separated by ';': {interests}").format(
                interests=_INTEREST_LIST
            ),
            default=(),
        ),
        _Field("preferred_areas", _areas, _area_hint(), default=()),
        _Field("excluded_areas", _areas, _area_hint(), default=()),
        _Field(
            "gemeente_code",
            _code(_GEMEENTE_CODE),
            _(
                "write the CBS code of the municipality the household is linked to, such as "
                "GM0153, or leave it empty (only needed when one file holds several "
                "municipalities)"
            ),
            default=None,
        ),
        _Field(
            "binding",
            _binding,
            _(
                "write why the household must stay in its municipality, one of: {values}; "
                "or leave it empty when it may move within a pooling region"
            ).format(values=", ".join(BINDINGS)),
            default=None,
        ),
    )


def _binding(value: str, decimal_comma: bool | None) -> str:
    """One of :data:`BINDINGS`, lower-cased."""
    key = value.strip().lower()
    if key not in BINDINGS:
        raise ValueError(_("is not a known binding"))
    return key


def _lon_hint() -> str:
    return _(
        "write the longitude in WGS84 degrees east, between 3.0 and 7.3 for the "
        "Netherlands, such as 6,8937"
    )


def _lat_hint() -> str:
    return _(
        "write the latitude in WGS84 degrees north, between 50.7 and 53.6 for the "
        "Netherlands, such as 52,2215"
    )


def _dwelling_fields() -> tuple[_Field, ...]:
    return (
        _Field(
            "dwelling_id",
            _text,
            _("give every dwelling its own id, such as the corporation's object number"),
            required=True,
        ),
        _Field(
            "corporation",
            _text,
            _("write the name of the housing corporation offering the dwelling"),
            required=True,
        ),
        _Field(
            "buurt_code",
            _code(_BUURT_CODE),
            _("write the CBS buurt code as BU + 8 digits, such as BU01530101, or leave it empty"),
        ),
        _Field(
            "wijk_code",
            _code(_WIJK_CODE),
            _("write the CBS wijk code as WK + 6 digits, such as WK015301, or leave it empty"),
        ),
        _Field("lon", _number, _lon_hint()),
        _Field("lat", _number, _lat_hint()),
        _Field(
            "bedrooms",
            _integer,
            _("write the number of bedrooms as a whole number such as 2 (0 for a studio)"),
            required=True,
            check=_at_least(0),
        ),
        _Field(
            "area_m2",
            _number,
            _("write the floor area in m² as a number above 0, such as 68,5, or leave it empty"),
            check=_positive,
        ),
        _Field(
            "floor",
            _integer,
            _("write the floor as a whole number such as 0 (ground floor) or 3 (empty means 0)"),
            default=0,
            check=_at_least(0),
        ),
        _Field("elevator", _bool, _yes_no_hint(False), default=False),
        _Field("accessible", _bool, _yes_no_hint(False), default=False),
        _Field(
            "rent",
            _number,
            _("write the kale huur in euros per month as a number of at least 0, such as 607,46"),
            required=True,
            check=_at_least(0),
        ),
        _Field(
            "available_from",
            _date,
            _(
                "write the date the dwelling is available as YYYY-MM-DD, such as "
                "2019-03-01 (DD-MM-YYYY also works)"
            ),
            required=True,
        ),
        _Field("complex_id", _text, "", default=None),
    )


def _amenity_fields() -> tuple[_Field, ...]:
    return (
        _Field(
            "category",
            _category,
            _("use one of these categories: {categories}").format(categories=_INTEREST_LIST),
            required=True,
        ),
        _Field("lon", _number, _lon_hint(), required=True),
        _Field("lat", _number, _lat_hint(), required=True),
        _Field("name", _text, "", default=None),
    )


def _pair_fields(kind: str) -> tuple[_Field, ...]:
    if kind == "pins":
        household = _(
            "write the id of the household that was promised the dwelling, as in the "
            "households file"
        )
        dwelling = _("write the id of the dwelling that was promised, as in the dwellings file")
    else:
        household = _(
            "write the id of the household that refused the dwelling, as in the households file"
        )
        dwelling = _("write the id of the dwelling that was refused, as in the dwellings file")
    return (
        _Field("household_id", _text, household, required=True),
        _Field("dwelling_id", _text, dwelling, required=True),
    )


def column_hints(kind: str) -> dict[str, str]:
    """What to write in each column of a kind of table, in the current language.

    The same sentences complete the problem messages about those columns, so
    the template's explanation (``allocatie template``) and a message about a
    wrong cell say the same thing. Columns without a rule of their own
    (``complex_id``, ``name``) have an empty hint.
    """
    fields = {
        "households": _household_fields,
        "dwellings": _dwelling_fields,
        "amenities": _amenity_fields,
    }
    made = fields[kind]() if kind in fields else _pair_fields(kind)
    return {f.name: f.hint for f in made}


#: Contract columns of each kind of table, in file order (the template's order).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": tuple(f.name for f in _household_fields()),
    "dwellings": tuple(f.name for f in _dwelling_fields()),
    "pins": tuple(f.name for f in _pair_fields("pins")),
    "refusals": tuple(f.name for f in _pair_fields("refusals")),
    "amenities": tuple(f.name for f in _amenity_fields()),
}

#: The columns a table cannot be read without (the sheet chooser looks for them).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": tuple(f.name for f in _household_fields() if f.required),
    "dwellings": tuple(f.name for f in _dwelling_fields() if f.required),
    "pins": tuple(f.name for f in _pair_fields("pins") if f.required),
    "refusals": tuple(f.name for f in _pair_fields("refusals") if f.required),
    "amenities": tuple(f.name for f in _amenity_fields() if f.required),
}


# --------------------------------------------------------------------------
# the parse of one table


class _Parse:
    """Bookkeeping while one raw table is turned into a typed frame.

    Collects problems, remembers which rows have one (those are left out of
    the result so that the result's dtypes are exact), and silences further
    messages about a cell once it was reported as holding a BSN, so that no
    later message can echo the number.
    """

    def __init__(
        self,
        raw: RawTable,
        fields: Sequence[_Field],
        *,
        kind: str,
        personal_data: bool,
    ) -> None:
        self.fields = {f.name: f for f in fields}
        self.kind = kind
        self.problems: list[Problem] = []
        self.fatal = False
        self.raw = self._contract_names(raw)
        self.dutch = speaks_dutch(raw.headers.values(), list(self.fields))
        self.n = len(self.raw.frame)
        self.lines = self.raw.frame[SOURCE_LINE].to_numpy()
        self.bad = np.zeros(self.n, dtype=bool)
        self.quiet: set[tuple[int, str]] = set()
        self.values: dict[str, np.ndarray] = {}
        columns = [c for c in self.raw.frame.columns if c != SOURCE_LINE]
        personal = [c for c in columns if personal_data and _looks_personal(self.header(c))]
        self.passthrough = [c for c in columns if c not in self.fields and c not in personal]
        for column in personal:
            self.header_problem(
                column,
                _(
                    "remove this column: allocatie needs no names, BSNs, dates of birth or "
                    "contact details of households, only a pseudonymous {household_id}"
                ).format(household_id=self.name("household_id")),
            )
        if personal_data:
            self._find_bsns([c for c in columns if c not in personal])
        for name, spec in self.fields.items():
            if spec.required and name not in self.raw.frame.columns:
                self.missing_column(name)
        self._close_headers()

    def _contract_names(self, raw: RawTable) -> RawTable:
        """``raw`` with every header that names a contract column renamed to it.

        ``personen`` and ``Huishouden ID`` become ``persons`` and
        ``household_id`` (see :mod:`allocatie.inputs.columns`); ``headers``
        keeps the user's spelling for messages and passthrough. The same
        column under two names (``persons`` and ``personen``) is a problem:
        which of the two is meant cannot be guessed.
        """
        found = rename_map(raw.headers, list(self.fields))
        renames: dict[str, str] = {}
        for column, lows in found.items():
            if len(lows) > 1:
                self.problems.append(raw.same_column_twice(column, lows))
                self.fatal = True
                continue
            renames[lows[0]] = column
        if not renames:
            return raw
        headers = {renames.get(low, low): text for low, text in raw.headers.items()}
        frame = raw.frame.rename(columns=renames)
        return dataclasses.replace(raw, frame=frame, headers=headers)

    def _close_headers(self) -> None:
        """A header close to an optional contract column that is absent is a problem.

        Passed through unnoticed, ``rolstoeltoegankelijk_nodg`` would drop the
        accessibility rule for every household without a word, so a near miss
        is asked about (required columns are asked about when missing).
        """
        absent = [
            name
            for name, spec in self.fields.items()
            if not spec.required and name not in self.raw.frame.columns
        ]
        for column in self.passthrough:
            header = self.header(column)
            close = close_spelling(header, absent)
            if close is None:
                continue
            spelling, name = close
            self.problems.append(
                Problem(
                    self.raw.file,
                    self.raw.header_line,
                    header,
                    _(
                        "is this column meant to be '{spelling}'? That spelling is read as "
                        "{column}; rename the column to '{spelling}', or give a column of "
                        "your own a name that is not so close to one of allocatie's"
                    ).format(spelling=spelling, column=name),
                )
            )

    # -- reporting ----------------------------------------------------------

    def header(self, column: str) -> str:
        """The column's name as the user wrote it."""
        return self.raw.headers.get(column, column)

    def name(self, column: str) -> str:
        """How to name a contract column in a message about this file.

        As the user wrote it when the file has it; else in the language of the
        file's header row (``koppeldatum`` in a Dutch-headed file).
        """
        if column in self.raw.headers:
            return self.raw.headers[column]
        return dutch_name(column) if self.dutch else column

    def header_problem(self, column: str, message: str) -> None:
        """A problem with a whole column; no row can be trusted after it."""
        self.problems.append(
            Problem(self.raw.file, self.raw.header_line, self.header(column), message)
        )
        self.fatal = True

    def missing_column(self, column: str, reason: str | None = None) -> None:
        """A contract column is absent: one problem on the header line, no rows.

        The column is named in the language of the file's header row, and a
        similarly spelled header of the user's is suggested (``persoonen`` for
        ``personen``).
        """
        required = ", ".join(self.name(f.name) for f in self.fields.values() if f.required)
        message = _("this column is missing from the header line; {reason}").format(
            reason=reason or self._needs(required)
        )
        unknown = [self.header(c) for c in self.passthrough]
        close = [
            (header, found[0])
            for header in unknown
            if (found := close_spelling(header, [column], required=True)) is not None
        ]
        if close:
            header, spelling = close[0]
            message += " " + _("(is '{header}' meant to be '{column}'?").format(
                header=visible(header), column=spelling
            )
            if visible(header) != header:
                message += " " + _("It holds an invisible character, shown as <U+…>: retype it.")
            message += ")"
        self.problems.append(
            Problem(self.raw.file, self.raw.header_line, self.name(column), message)
        )
        self.fatal = True

    def _needs(self, columns: str) -> str:
        """ "households files need the columns ..." for this kind of table."""
        if self.kind == "households":
            return _("households files need the columns {columns}").format(columns=columns)
        if self.kind == "dwellings":
            return _("dwellings files need the columns {columns}").format(columns=columns)
        if self.kind == "amenities":
            return _("amenities files need the columns {columns}").format(columns=columns)
        if self.kind == "pins":
            return _("pins files need the columns {columns}").format(columns=columns)
        return _("refusals files need the columns {columns}").format(columns=columns)

    def file_problem(self, message: str) -> None:
        """A problem with the file as a whole; no rows are returned."""
        self.problems.append(Problem(self.raw.file, self.raw.header_line, None, message))
        self.fatal = True

    def cell_problem(self, position: int, column: str | None, message: str) -> None:
        """A problem with one cell (or, with ``column=None``, one row)."""
        self.bad[position] = True
        if column is not None and (position, column) in self.quiet:
            return
        label = None if column is None else self.header(column)
        self.problems.append(Problem(self.raw.file, int(self.lines[position]), label, message))

    def _find_bsns(self, columns: Sequence[str]) -> None:
        for column in columns:
            for position in np.flatnonzero(_bsn_mask(self.raw.frame[column])):
                self.cell_problem(
                    int(position),
                    column,
                    _(
                        "this cell holds a 9-digit number that passes the BSN check "
                        "(elfproef); allocatie must not receive BSNs, so replace it "
                        "with a pseudonymous id (if it is not a BSN, change it so "
                        "that it is not a 9-digit number, e.g. put a letter in front)"
                    ),
                )
                self.quiet.add((int(position), column))

    # -- reading columns ----------------------------------------------------

    def read_fields(self) -> None:
        """Parse every contract column that is present; defaults elsewhere."""
        for name, spec in self.fields.items():
            self.values[name] = self._read(spec)

    def _read(self, spec: _Field) -> np.ndarray:
        """Parse one column into Python values (``None`` where a cell is bad).

        Each distinct text is parsed once: columns such as ``persons`` or
        ``needs_accessible`` hold few distinct values even in national runs.
        """
        values = np.empty(self.n, dtype=object)
        values.fill(spec.default)
        if spec.name not in self.raw.frame.columns:
            return values
        cells = self.raw.frame[spec.name]
        present = cells.notna().to_numpy()
        parsed: dict[str, object] = {}
        reasons: dict[str, str] = {}
        for text in pd.unique(cells[present]):
            try:
                value = spec.parse(text, self.raw.decimal_comma)
                reason = spec.check(value) if spec.check else None
            except ValueError as exc:
                reason = str(exc)
            if reason is None:
                parsed[text] = value
            else:
                reasons[text] = reason
        texts = cells.to_numpy(dtype=object)
        for position in range(self.n):
            text = texts[position]
            if not present[position]:
                if spec.required:
                    self.cell_problem(
                        position, spec.name, _("this cell is empty; {hint}").format(hint=spec.hint)
                    )
                continue
            if text in reasons:
                values[position] = None
                message = _("{value} {reason}; {hint}").format(
                    value=_show(text), reason=reasons[text], hint=spec.hint
                )
                self.cell_problem(position, spec.name, message)
            else:
                values[position] = parsed[text]
        return values

    def given(self, name: str) -> np.ndarray:
        """Mask of rows where column ``name`` has a valid, non-empty value."""
        if name not in self.raw.frame.columns:
            return np.zeros(self.n, dtype=bool)
        present = self.raw.frame[name].notna().to_numpy()
        return present & np.array([v is not None for v in self.values[name]], bool)

    def numbers(self, name: str) -> np.ndarray:
        """Parsed numeric column as float (NaN where empty or invalid)."""
        return np.array([np.nan if v is None else float(v) for v in self.values[name]], float)

    def duplicates(self, columns: Sequence[str], message: str) -> None:
        """Report every repeat of a key, naming the line it first appeared on.

        ``message`` is formatted with ``first`` (that line). Empty keys are
        left to the required-value check.
        """
        if not set(columns) <= set(self.raw.frame.columns):
            return
        keys = self.raw.frame[list(columns)]
        complete = keys.notna().all(axis=1).to_numpy()
        repeated = keys.duplicated(keep="first").to_numpy() & complete
        if not repeated.any():
            return
        first_line = (
            self.raw.frame.loc[complete]
            .groupby(list(columns), sort=False)[SOURCE_LINE]
            .transform("first")
            .reindex(self.raw.frame.index)
            .to_numpy()
        )
        column = columns[0] if len(columns) == 1 else None
        for position in np.flatnonzero(repeated):
            text = message.format(first=int(first_line[position]))
            self.cell_problem(int(position), column, text)

    # -- result -------------------------------------------------------------

    def finish(self, dtypes: dict[str, str]) -> tuple[pd.DataFrame, list[Problem]]:
        """Assemble the typed frame of the rows without problems."""
        keep = np.zeros(self.n, dtype=bool) if self.fatal else ~self.bad
        data: dict[str, object] = {}
        for name, dtype in dtypes.items():
            if name == SOURCE_LINE:
                raw_values = self.lines
            else:
                raw_values = self.values.get(name, np.full(self.n, None, dtype=object))
            data[name] = _typed(raw_values[keep], dtype)
        out_headers: dict[str, str] = {}
        for column in self.passthrough:
            label = self.header(column)
            data[label] = pd.Series(
                self.raw.frame[column].to_numpy(dtype=object)[keep], dtype="str"
            )
            out_headers[column] = label
        frame = pd.DataFrame(data, index=pd.RangeIndex(int(keep.sum())))
        frame.attrs["passthrough"] = list(out_headers.values())
        frame.attrs["file"] = self.raw.file
        frame.attrs["dutch_headers"] = self.dutch
        # Ids of rows left out for a problem of their own: a pin naming one is not
        # "unknown", and saying so would send the user looking for the wrong fault.
        frame.attrs["ids_with_problems"] = {
            name: sorted({str(v) for v in self.values[name][~keep] if v is not None})
            for name in dtypes
            if name.endswith("_id") and name in self.values
        }
        frame.attrs["headers"] = {
            name: self.header(name)
            for name in dtypes
            if name in self.raw.frame.columns and name != SOURCE_LINE
        }
        return frame, self.problems


def _typed(values: np.ndarray, dtype: str) -> pd.Series:
    """Build a Series of exactly ``dtype`` from parsed Python values."""
    if dtype == "object":
        out = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            out[i] = value
        return pd.Series(out, dtype=object)
    if dtype.startswith("datetime64"):
        return pd.Series(list(values), dtype=object).astype(dtype)
    if dtype == "Int64":
        return pd.Series(pd.array(list(values), dtype="Int64"))
    if dtype == "float64":
        return pd.Series([np.nan if v is None else v for v in values], dtype=dtype)
    return pd.Series(list(values), dtype=dtype)


def _show(text: object, limit: int = 40) -> str:
    """Quote a cell value for a message, shortened so garbage stays readable."""
    value = str(text).replace("\n", " ")
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"'{value}'"


# --------------------------------------------------------------------------
# households


def parse_households(raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and validate a households table.

    Parameters
    ----------
    raw
        The table as read by :func:`allocatie.inputs.io.read_table`.

    Returns
    -------
    frame
        Columns and dtypes as in :data:`HOUSEHOLD_COLUMNS`, then passthrough
        columns (``str``) under the user's own header text. ``interests`` holds
        tuples of canonical interest keys; ``preferred_areas`` and
        ``excluded_areas`` tuples of upper-case area codes (their existence is
        checked later, against the area data). ``attrs``: ``passthrough``
        (list of passthrough header texts), ``file`` (name for messages),
        ``headers`` (contract column -> the user's header text).
    problems
        Every problem found; empty when the file is valid.

    Notes
    -----
    What is accepted, in every table: numbers with a decimal point or comma
    (see :func:`parse_number`); whole numbers written ``3.0``; dates as
    ``YYYY-MM-DD`` or ``D-M-YYYY`` (:func:`parse_date`); yes/no as
    ``true/false/1/0/ja/nee/yes/no/j/n/y/waar/onwaar/x`` in any case; lists
    separated by ``;`` *or* ``,`` (neither occurs inside an interest key or
    an area code, and ``sport, werk`` is what people type), with repeats
    dropped and order kept. A household file whose headers look like names,
    BSNs, dates of birth or contact details, or with any cell holding a
    9-digit number that passes the elfproef, is refused.
    """
    parse = _Parse(raw, _household_fields(), kind="households", personal_data=True)
    _require_rows(parse)
    parse.read_fields()
    parse.duplicates(
        ["household_id"],
        _("this {column} is already used on line {first}; every household needs its own id").format(
            column=parse.name("household_id"), first="{first}"
        ),
    )
    _check_household_sizes(parse)
    _check_area_wishes(parse)
    return parse.finish(HOUSEHOLD_COLUMNS)


def _check_household_sizes(parse: _Parse) -> None:
    """``adults + children == persons`` when both are given, and no part > all.

    The messages name no numbers: they would describe a family beyond the
    one cell the rule allows to be echoed.
    """
    persons = parse.numbers("persons")
    adults = parse.numbers("adults")
    children = parse.numbers("children")
    known = parse.given("persons")
    both = known & parse.given("adults") & parse.given("children")
    names = {c: parse.name(c) for c in ("persons", "adults", "children")}
    for position in np.flatnonzero(both & (adults + children != persons)):
        parse.cell_problem(
            int(position),
            "persons",
            _(
                "{adults} plus {children} is not equal to {persons} on this line; correct "
                "one of the three, or leave {adults} and {children} empty"
            ).format(**names),
        )
    for name in ("adults", "children"):
        alone = known & parse.given(name) & ~both
        for position in np.flatnonzero(alone & (parse.numbers(name) > persons)):
            parse.cell_problem(
                int(position),
                name,
                _(
                    "{part} is more than {persons} on this line; {part} counts part of "
                    "the household, so it can be at most {persons}"
                ).format(part=names[name], persons=names["persons"]),
            )


def _check_area_wishes(parse: _Parse) -> None:
    """An area cannot be both wished for and excluded."""
    preferred = parse.values["preferred_areas"]
    excluded = parse.values["excluded_areas"]
    for position in range(parse.n):
        if not preferred[position] or not excluded[position]:
            continue
        both = [code for code in excluded[position] if code in preferred[position]]
        if both:
            parse.cell_problem(
                position,
                "excluded_areas",
                _(
                    "{codes} is listed both here and in {preferred}; remove it from one of the two"
                ).format(codes=", ".join(both), preferred=parse.name("preferred_areas")),
            )


# --------------------------------------------------------------------------
# dwellings


def parse_dwellings(raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and validate a dwellings table.

    Returns
    -------
    frame
        Columns and dtypes as in :data:`DWELLING_COLUMNS` (codes upper-case,
        NA when absent; ``lon``/``lat`` NaN when absent), then passthrough
        columns; ``attrs`` as for :func:`parse_households`.
    problems
        Every problem found; empty when the file is valid.
    """
    parse = _Parse(raw, _dwelling_fields(), kind="dwellings", personal_data=False)
    columns = set(parse.raw.frame.columns)
    for one, other in (("lon", "lat"), ("lat", "lon")):
        if one in columns and other not in columns:
            parse.missing_column(
                other,
                _("there is a {one} column, and {one} and {other} go together").format(
                    one=parse.name(one), other=parse.name(other)
                ),
            )
    if not columns & {"buurt_code", "wijk_code", "lon", "lat"}:
        parse.file_problem(
            _(
                "every dwelling needs a location: add a {buurt_code} or {wijk_code} column, "
                "or {lon} and {lat} columns"
            ).format(**{c: parse.name(c) for c in ("buurt_code", "wijk_code", "lon", "lat")}),
        )
    _require_rows(parse)
    parse.read_fields()
    parse.duplicates(
        ["dwelling_id"],
        _("this {column} is already used on line {first}; every dwelling needs its own id").format(
            column=parse.name("dwelling_id"), first="{first}"
        ),
    )
    _check_coordinates(parse, required=False)
    _check_location(parse)
    return parse.finish(DWELLING_COLUMNS)


def _check_coordinates(parse: _Parse, *, required: bool) -> None:
    """lon and lat come in pairs and lie in the Netherlands.

    Swapped coordinates and RD metres (the Dutch grid) are common mistakes in
    exports, so they get their own explanation.
    """
    if "lon" not in parse.raw.frame.columns or "lat" not in parse.raw.frame.columns:
        return
    lon, lat = parse.numbers("lon"), parse.numbers("lat")
    cells = {name: parse.raw.frame[name].notna().to_numpy() for name in ("lon", "lat")}
    names = {c: parse.name(c) for c in ("lon", "lat")}
    if not required:
        for name, other in (("lon", "lat"), ("lat", "lon")):
            for position in np.flatnonzero(cells[other] & ~cells[name]):
                parse.cell_problem(
                    int(position),
                    name,
                    _(
                        "this cell is empty but {other} is given; give both {lon} and {lat}, "
                        "or neither"
                    ).format(other=names[other], **names),
                )
    lon_out = ~np.isnan(lon) & ((lon < LON_RANGE[0]) | (lon > LON_RANGE[1]))
    lat_out = ~np.isnan(lat) & ((lat < LAT_RANGE[0]) | (lat > LAT_RANGE[1]))
    swapped = (
        lon_out
        & lat_out
        & (lon >= LAT_RANGE[0])
        & (lon <= LAT_RANGE[1])
        & (lat >= LON_RANGE[0])
        & (lat <= LON_RANGE[1])
    )
    for position in np.flatnonzero(swapped):
        parse.cell_problem(
            int(position),
            "lon",
            _(
                "{lon} and {lat} look swapped: {lon} (east) is between 3.0 and 7.3 in the "
                "Netherlands and {lat} (north) between 50.7 and 53.6"
            ).format(**names),
        )
    texts = {name: parse.raw.frame[name].to_numpy(dtype=object) for name in ("lon", "lat")}
    for name, out, values in (("lon", lon_out, lon), ("lat", lat_out, lat)):
        hint = _lon_hint() if name == "lon" else _lat_hint()
        for position in np.flatnonzero(out & ~swapped):
            if abs(values[position]) > 1000:
                reason = _(
                    "is outside the Netherlands (it looks like RD coordinates in metres, "
                    "not degrees)"
                )
            else:
                reason = _("is outside the Netherlands")
            message = _("{value} {reason}; {hint}").format(
                value=_show(texts[name][position]), reason=reason, hint=hint
            )
            parse.cell_problem(int(position), name, message)


def _check_location(parse: _Parse) -> None:
    """Every dwelling needs a buurt code, a wijk code or coordinates.

    Rows where one of these cells holds something (even something invalid)
    already have a more precise message, so only truly empty rows are told.
    Where both codes are valid, the buurt must lie in the wijk: CBS buurt
    codes start with the digits of their wijk code.
    """
    frame = parse.raw.frame
    names = [n for n in ("buurt_code", "wijk_code", "lon", "lat") if n in frame.columns]
    if not names:
        return  # reported once, for the whole file
    anything = frame[names].notna().any(axis=1).to_numpy()
    shown = {c: parse.name(c) for c in ("buurt_code", "wijk_code", "lon", "lat")}
    for position in np.flatnonzero(~anything):
        parse.cell_problem(
            int(position),
            None,
            _(
                "this dwelling has no location; fill in {buurt_code} (such as "
                "BU01530101), {wijk_code} (such as WK015301), or both {lon} and {lat}"
            ).format(**shown),
        )
    buurt, wijk = parse.values["buurt_code"], parse.values["wijk_code"]
    for position in np.flatnonzero(parse.given("buurt_code") & parse.given("wijk_code")):
        if buurt[position][2:8] != wijk[position][2:8]:
            parse.cell_problem(
                int(position),
                "buurt_code",
                _(
                    "{buurt} does not lie in wijk {wijk} (a buurt code starts with the digits "
                    "of its wijk code); correct one of the two or leave {wijk_code} empty"
                ).format(buurt=buurt[position], wijk=wijk[position], wijk_code=shown["wijk_code"]),
            )


# --------------------------------------------------------------------------
# pins, refusals, amenities


def parse_pairs(raw: RawTable, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and validate a table of pins or refusals.

    Parameters
    ----------
    raw
        The table as read by :func:`allocatie.inputs.io.read_table`; it may have no
        rows (nothing pinned, nothing refused).
    kind
        ``"pins"`` (household was promised dwelling) or ``"refusals"``
        (household refused dwelling). For pins a household can be promised
        only one dwelling and a dwelling to only one household, so those
        repeats are problems too.

    Returns
    -------
    frame
        Columns and dtypes as in :data:`PAIR_COLUMNS`, then passthrough
        columns; ``attrs`` as for :func:`parse_households` plus ``kind``.
    problems
        Every problem found; empty when the file is valid.

    Raises
    ------
    ValueError
        When ``kind`` is not one of :data:`PAIR_KINDS` (a programming error).
    """
    if kind not in PAIR_KINDS:
        raise ValueError(f"kind must be one of {PAIR_KINDS}, not {kind!r}")
    parse = _Parse(raw, _pair_fields(kind), kind=kind, personal_data=True)
    parse.read_fields()
    parse.duplicates(
        ["household_id", "dwelling_id"],
        _(
            "this household and dwelling already appear together on line {first}; "
            "remove the repeated line"
        ),
    )
    if kind == "pins":
        _check_pins_unique(parse)
    frame, problems = parse.finish(PAIR_COLUMNS)
    frame.attrs["kind"] = kind
    return frame, problems


def _check_pins_unique(parse: _Parse) -> None:
    """A household is promised one dwelling, and a dwelling to one household.

    Exact repeats of a pair are reported by the duplicate check already, so
    only distinct pairs are compared here.
    """
    frame = parse.raw.frame
    if not {"household_id", "dwelling_id"} <= set(frame.columns):
        return
    distinct = ~frame[["household_id", "dwelling_id"]].duplicated().to_numpy()
    messages = {
        "household_id": _(
            "this household is also promised another dwelling on line {first}; "
            "a household can be promised only one dwelling"
        ),
        "dwelling_id": _(
            "this dwelling is also promised to another household on line {first}; "
            "a dwelling can be promised to only one household"
        ),
    }
    for column, text in messages.items():
        subset = frame.loc[distinct & frame[column].notna().to_numpy()]
        repeated = subset[column].duplicated().to_numpy()
        first = subset.groupby(column, sort=False)[SOURCE_LINE].transform("first")
        for index in subset.index[repeated]:
            position = int(frame.index.get_loc(index))
            parse.cell_problem(position, column, text.format(first=int(first[index])))


def parse_amenities(raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and validate a table of amenities (points with an interest category).

    Returns
    -------
    frame
        Columns and dtypes as in :data:`AMENITY_COLUMNS` (``category`` as a
        canonical interest key, ``name`` NA when absent), then passthrough
        columns; ``attrs`` as for :func:`parse_households`.
    problems
        Every problem found; empty when the file is valid (an amenities file
        without rows is valid).
    """
    parse = _Parse(raw, _amenity_fields(), kind="amenities", personal_data=False)
    parse.read_fields()
    _check_coordinates(parse, required=True)
    return parse.finish(AMENITY_COLUMNS)


def _require_rows(parse: _Parse) -> None:
    """Households and dwellings files without rows are almost surely a mistake."""
    if parse.n == 0:
        if parse.kind == "households":
            message = _("the file has column names but no rows; add one row per household")
        else:
            message = _("the file has column names but no rows; add one row per dwelling")
        parse.problems.append(Problem(parse.raw.file, None, None, message))
        parse.fatal = True


# --------------------------------------------------------------------------
# read + parse


def _raise_if(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    if problems:
        raise InputError(problems)
    return frame


def read_households(path: str | Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a households file; see :func:`parse_households`.

    Raises
    ------
    InputError
        With every problem of the file.
    """
    raw = read_table(path, display_name=display_name, required=REQUIRED_COLUMNS["households"])
    return _raise_if(*parse_households(raw))


def read_dwellings(path: str | Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a dwellings file; see :func:`parse_dwellings`.

    Raises
    ------
    InputError
        With every problem of the file.
    """
    raw = read_table(path, display_name=display_name, required=REQUIRED_COLUMNS["dwellings"])
    return _raise_if(*parse_dwellings(raw))


def read_pairs(path: str | Path, kind: str, *, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a pins or refusals file; see :func:`parse_pairs`.

    Raises
    ------
    InputError
        With every problem of the file.
    ValueError
        When ``kind`` is not one of :data:`PAIR_KINDS`.
    """
    if kind not in PAIR_KINDS:
        raise ValueError(f"kind must be one of {PAIR_KINDS}, not {kind!r}")
    raw = read_table(path, display_name=display_name, required=REQUIRED_COLUMNS[kind])
    return _raise_if(*parse_pairs(raw, kind))


def read_amenities(path: str | Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate an amenities file; see :func:`parse_amenities`.

    Raises
    ------
    InputError
        With every problem of the file.
    """
    raw = read_table(path, display_name=display_name, required=REQUIRED_COLUMNS["amenities"])
    return _raise_if(*parse_amenities(raw))
