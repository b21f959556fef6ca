"""Settings that check themselves, and one reader from TOML tables into them.

Every setting the engine reads from a file (the policy's sections, a scenario's
streams and simulation) is a frozen dataclass. Its type hints say what a value
is; its :data:`typing.Annotated` rules (:class:`Range`, :class:`Pattern`,
:class:`Table`) say which values are allowed. Each rule is written once and
serves twice:

- :func:`check`, called from the dataclass's ``__post_init__``, refuses a bad
  value where the object is built, from code as much as from a file
  (``Spreading(lq_threshold=-1)`` raises);
- :func:`read_table` and :func:`read` turn a parsed TOML table into such a
  dataclass by its type hints and collect *every* problem of the file (unknown
  key, wrong type, out of range), each named by its key path such as
  ``spreading.lq_threshold``, because a coordinator fixing a file by hand wants
  them all at once, not one per run.

Problems raised by :func:`check` name the class as the file and the field as
the column; the reader renames them to the file and the key path.

A coordinator writes these files by hand, in Dutch habits: ``end = 31-12-2019``,
``taakstelling = 52``, ``lq_treshold = 1.5``. So an unknown key gets a
did-you-mean (a close key of the same table, a Dutch word from
:data:`DUTCH_KEYS`, or the same key in another section), a syntax error on a
date says how TOML writes dates, and :func:`locate` gives every problem the line
of its key, which :mod:`tomllib` does not report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import math
import re
import tomllib
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Protocol, TypeVar

from allocatie.i18n import _
from allocatie.inputs.errors import InputError, Problem

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "DERIVED",
    "DUTCH_KEYS",
    "INLINE",
    "Message",
    "Pattern",
    "Range",
    "Read",
    "Rule",
    "Table",
    "build",
    "check",
    "key_lines",
    "key_path",
    "locate",
    "read",
    "read_table",
    "read_toml",
    "read_toml_text",
    "reject",
]

S = TypeVar("S", bound="DataclassInstance")
T = TypeVar("T")

#: A message of a rule: text, or a function giving it in the current language
#: (``lambda: _("...")``), since rules are built at import, before any language is chosen.
Message = str | typing.Callable[[], str]


def said(message: Message) -> str:
    """The text of a :data:`Message`, in the current language."""
    return message if isinstance(message, str) else message()


# --------------------------------------------------------------------------
# rules


class Rule(Protocol):
    """What a value of the right type must also satisfy."""

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value``, or ``None`` when it is allowed."""
        ...


@dataclass(frozen=True)
class Range:
    """Bounds of a number: ``low <= value <= high``, or ``low < value`` with ``above``.

    ``message`` replaces the plain "must be at least 0" when the setting
    deserves words of its own ("the taakstelling cannot be negative"); the
    value given is always added, so the user sees what was read.
    """

    low: float | None = None
    high: float | None = None
    above: bool = False
    message: Message | None = None

    def __post_init__(self) -> None:
        if self.above and self.low is None:
            raise ValueError("Range(above=True) needs a low bound")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"empty Range: high {self.high} below low {self.low}")

    def requirement(self, value: float) -> str | None:
        """The bound ``value`` breaks, as "must be ...", or ``None``."""
        if isinstance(value, float) and math.isnan(value):
            return _("must be a number")
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            if self.message is not None:
                return said(self.message)
            if self.above:
                return _("must be above {low}").format(low=f"{self.low:g}")
            return _("must be at least {low}").format(low=f"{self.low:g}")
        if self.high is not None and value > self.high:
            if self.message is not None:
                return said(self.message)
            return _("must be at most {high}").format(high=f"{self.high:g}")
        return None

    def problem(self, value: Any) -> str | None:
        broken = self.requirement(value)
        if broken is None:
            return None
        return _("{requirement}, got {value}").format(requirement=broken, value=repr(value))


@dataclass(frozen=True)
class Pattern:
    """Text that must match ``regex`` in full; ``example`` tells what a good value looks like."""

    regex: str
    example: Message

    def problem(self, value: Any) -> str | None:
        if re.fullmatch(self.regex, value):
            return None
        return _("expected {example}, got {value}").format(
            example=said(self.example), value=repr(value)
        )


@dataclass(frozen=True)
class Table:
    """A table of shares or counts: bounds of its keys and values.

    ``keys`` bounds whole-number keys (bedrooms 0–10); ``values`` bounds every
    value (0 or more by default). With ``some_positive`` the table needs at
    least one value above 0: shares that are all 0 cannot be drawn from.
    ``example`` is shown when the value is not a table of the right kind.
    """

    keys: Range | None = None
    values: Range = Range(low=0)
    some_positive: bool = True
    example: Message | None = None

    def problem(self, value: Any) -> str | None:
        for key, item in value.items():
            if self.keys is not None and (broken := self.keys.requirement(key)) is not None:
                return _("key {key} {requirement}").format(key=repr(key), requirement=broken)
            if (broken := self.values.requirement(item)) is not None:
                return _("value of {key} {requirement}").format(key=repr(key), requirement=broken)
        if self.some_positive and not any(item > 0 for item in value.values()):
            return _("needs at least one share above 0")
        return None


class _Inline:
    """Marker: the fields of this nested dataclass are read from the same TOML table."""

    def __repr__(self) -> str:
        return "INLINE"


#: ``Annotated[HouseholdMix, INLINE]``: the mix's keys sit in the ``[arrivals]``
#: table itself, next to the arrivals' own keys, not in a sub-table.
INLINE = _Inline()


class _Derived:
    """Marker: this field is worked out by the program, never read from a file."""

    def __repr__(self) -> str:
        return "DERIVED"


#: ``Annotated[str, DERIVED]``: a field such as ``Affordability.source`` that says
#: where a value came from; the reader treats it as an unknown key when written.
DERIVED = _Derived()


# --------------------------------------------------------------------------
# types


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_mapping(kind: Any) -> bool:
    return typing.get_origin(kind) in (dict, Mapping)


def _is_settings(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _expected(kind: Any) -> str:
    """What a value of ``kind`` looks like, for "expected ..." messages."""
    origin = typing.get_origin(kind)
    if origin is Literal:
        choices = ", ".join(repr(c) for c in typing.get_args(kind))
        return _("one of {choices}").format(choices=choices)
    if origin is tuple:
        return _("a list")
    if _is_mapping(kind):
        example = "{1 = 55, 2 = 10}" if typing.get_args(kind)[0] is int else '{"Domijn" = 35}'
        return _("a table such as {example}").format(example=example)
    if kind is bool:
        return _("true or false")
    if kind is int:
        return _("a whole number")
    if kind is float:
        return _("a number")
    if kind is str:
        return _("text")
    if kind is dt.date:
        return _("a date like 2019-07-01")
    return _("a {kind}").format(kind=getattr(kind, "__name__", kind))


def _wrong_type(value: Any, kind: Any) -> str | None:
    """Why ``value`` is not of ``kind`` (``None`` when it is); ints count as floats."""
    origin = typing.get_origin(kind)
    if origin is Literal:
        choices = typing.get_args(kind)
        if value in choices:
            return None
        return _("must be {expected}, got {value}").format(
            expected=_expected(kind), value=repr(value)
        )
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = _is_number(value)
    elif origin is tuple:
        if not isinstance(value, tuple):
            return _got(kind, value)
        item = typing.get_args(kind)[0]
        return next((w for v in value if (w := _wrong_type(v, item)) is not None), None)
    elif _is_mapping(kind):
        return _wrong_table(value, kind)
    elif kind is Any:
        ok = True
    else:
        ok = isinstance(value, kind)
    return None if ok else _got(kind, value)


def _got(kind: Any, value: Any) -> str:
    """ "expected a number, got 'half'", with how to write a date when one was quoted."""
    message = _("expected {expected}, got {value}").format(
        expected=_expected(kind), value=repr(value)
    )
    if kind is dt.date and isinstance(value, str):
        message += "; " + date_hint(value)
    return message


def date_hint(text: str) -> str:
    """How TOML writes the date ``text`` seems to mean: ``write 2019-12-31 (YYYY-MM-DD)``.

    Only an unambiguous reading is offered (``31-12-2019``, ``2019/12/31``); a
    date with slashes and the day first could be either way round, so it gets
    the rule alone.
    """
    iso = _iso_date(text.strip().strip("\"'"))
    if iso is None:
        return _("write dates as 2019-12-31 (YYYY-MM-DD), without quotes")
    return _("write dates as YYYY-MM-DD without quotes: {date}").format(date=iso)


_DAY_FIRST = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def _iso_date(text: str) -> str | None:
    """``text`` as an ISO date when it can only mean one (``31-12-2019``, ``2019-7-1``)."""
    if found := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in found.groups())
    elif found := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(g) for g in found.groups())
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _wrong_table(value: Any, kind: Any) -> str | None:
    if not isinstance(value, Mapping):
        return _got(kind, value)
    key_kind, value_kind = typing.get_args(kind)
    for key, item in value.items():
        if _wrong_type(key, key_kind) is not None:
            return _("key {key} is not {expected}").format(
                key=repr(key), expected=_expected(key_kind)
            )
        if _wrong_type(item, value_kind) is not None:
            return _("value of {key} is not {expected}").format(
                key=repr(key), expected=_expected(value_kind)
            )
    return None


def _convert(value: Any, kind: Any) -> Any:
    """A TOML value in the Python form ``kind`` asks for, where one exists.

    Whole numbers become floats, datetimes dates, lists tuples, and text keys
    of a table with whole-number keys become numbers (sorted, so that the order
    in the file never changes what is drawn). Anything else is returned as it
    is, for the type check to name.
    """
    origin = typing.get_origin(kind)
    if kind is float and _is_number(value):
        return float(value)
    if kind is dt.date and isinstance(value, dt.datetime):
        return value.date()
    if origin is tuple and isinstance(value, list):
        item = typing.get_args(kind)[0]
        return tuple(_convert(v, item) for v in value)
    if _is_mapping(kind) and isinstance(value, dict):
        key_kind, value_kind = typing.get_args(kind)
        items = [(_convert_key(k, key_kind), _convert(v, value_kind)) for k, v in value.items()]
        if key_kind is int and all(isinstance(k, int) for k, _ in items):
            items.sort(key=lambda item: item[0])
        return dict(items)
    return value


def _convert_key(key: str, kind: Any) -> Any:
    if kind is int:
        try:
            return int(key)
        except ValueError:
            return key
    return key


# --------------------------------------------------------------------------
# fields


@dataclass(frozen=True)
class _Spec:
    """One field of a settings dataclass, as the checker and the reader see it.

    ``kind`` is the type without ``Annotated`` and without ``None``; ``optional``
    says whether ``None`` is allowed; ``required`` that the field has no default.
    """

    name: str
    kind: Any
    optional: bool
    rules: tuple[Rule, ...]
    inline: bool
    required: bool
    derived: bool = False

    @property
    def nested(self) -> bool:
        """A settings dataclass read from a sub-table (``[policy.spreading]``)."""
        return _is_settings(self.kind) and not self.inline

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this field, or ``None``."""
        if value is None:
            if self.optional:
                return None
            return _("expected {expected}, got nothing").format(expected=_expected(self.kind))
        wrong = _wrong_type(value, self.kind)
        if wrong is not None:
            example = next((r.example for r in self.rules if isinstance(r, Table)), None)
            if example and _is_mapping(self.kind) and not isinstance(value, Mapping):
                return _("expected {example}, got {value}").format(
                    example=said(example), value=repr(value)
                )
            return wrong
        return next((p for rule in self.rules if (p := rule.problem(value)) is not None), None)


@functools.cache
def _specs(cls: type) -> dict[str, _Spec]:
    """The fields of ``cls`` by name, from its type hints (cached per class)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, _Spec] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        extras: tuple[Any, ...] = ()
        if typing.get_origin(hint) is Annotated:
            hint, extras = hint.__origin__, hint.__metadata__
        kinds = typing.get_args(hint) if _is_union(hint) else (hint,)
        optional = type(None) in kinds
        rest = [k for k in kinds if k is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"{cls.__name__}.{f.name}: one type (or None) per setting")
        no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        out[f.name] = _Spec(
            name=f.name,
            kind=rest[0],
            optional=optional,
            rules=tuple(e for e in extras if hasattr(e, "problem")),
            inline=any(e is INLINE for e in extras),
            required=no_default,
            derived=any(e is DERIVED for e in extras),
        )
    return out


def _is_union(hint: Any) -> bool:
    return isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union


def _flat_specs(cls: type) -> dict[str, _Spec]:
    """The keys of ``cls``'s TOML table: its fields, with inline dataclasses' fields in place."""
    out: dict[str, _Spec] = {}
    for name, spec in _specs(cls).items():
        if spec.inline:
            out.update(_flat_specs(spec.kind))
        elif not spec.derived:
            out[name] = spec
    return out


# --------------------------------------------------------------------------
# checking


def check(settings: DataclassInstance) -> None:
    """Refuse ``settings`` when any field breaks its type or its rules.

    Call it first thing in ``__post_init__``. Every bad field is named at
    once; the problems carry the class name as file and the field as column.

    Raises
    ------
    InputError
        Listing every bad field.
    """
    owner = type(settings).__name__
    problems = [
        Problem(owner, None, name, message)
        for name, spec in _specs(type(settings)).items()
        if (message := spec.problem(getattr(settings, name))) is not None
    ]
    if problems:
        raise InputError(problems)


def reject(settings: DataclassInstance, key: str, message: str) -> typing.NoReturn:
    """Refuse ``settings`` for a rule that concerns several fields (say, start before end).

    ``key`` is the field the user should change.
    """
    raise InputError([Problem(type(settings).__name__, None, key, message)])


# --------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class Read(Generic[T]):
    """What reading produced: the value, and every problem met on the way.

    The value is ``None`` (or partial, for :func:`read_table`) when there are
    problems; callers add the problems up and raise one :class:`InputError`.
    """

    value: T
    problems: tuple[Problem, ...] = ()


def key_path(*parts: str | None) -> str:
    """Key path of a setting: ``key_path("variant.x", "policy")`` is ``variant.x.policy``."""
    return ".".join(p for p in parts if p)


def read_table(
    cls: type[S],
    data: Any,
    where: str,
    file: str,
    *,
    keys: Collection[str] | None = None,
    also: Collection[str] = (),
    required: Collection[str] | None = None,
) -> Read[dict[str, Any]]:
    """The valid values of TOML table ``data`` for dataclass ``cls``, by field name.

    Each value is converted by its field's type hint (:func:`_convert`) and
    checked against the type and the rules; bad values are left out and
    reported. Fields of ``INLINE`` dataclasses are read from the same table;
    nested settings dataclasses from sub-tables (built with :func:`read`).

    Parameters
    ----------
    cls
        The settings dataclass.
    data
        The parsed TOML table (anything else is reported).
    where
        Key path of the table, e.g. ``spreading`` or ``variant.x.offers``;
        ``""`` for the top of a file.
    file
        File name for the problems.
    keys
        The keys the file may set (default all fields); others are unknown.
    also
        Keys allowed in the table but read by the caller (not reported).
    required
        Keys that must be given; default the fields without a default.
    """
    if not isinstance(data, dict):
        expected = _("expected a [{section}] section").format(section=where)
        return Read({}, (Problem(file, None, where, expected),))
    specs = _flat_specs(cls)
    allowed = list(specs) if keys is None else list(keys)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in data.items():
        path = key_path(where, key)
        if key in also:
            continue
        if key not in allowed:
            problems.append(Problem(file, None, path, _unknown(key, allowed, also, specs)))
            continue
        spec = specs[key]
        if spec.nested:
            section = read(spec.kind, raw, path, file)
            problems += section.problems
            if section.value is not None:
                values[key] = section.value
            continue
        value = _convert(raw, spec.kind)
        message = spec.problem(value)
        if message is None:
            values[key] = value
        else:
            problems.append(Problem(file, None, path, message))
    needed = [k for k in allowed if specs[k].required] if required is None else required
    named = {p.column for p in problems}
    problems += [
        Problem(file, None, key_path(where, key), _("required setting is missing"))
        for key in needed
        if key not in values and key_path(where, key) not in named
    ]
    return Read(values, tuple(problems))


#: Words a Dutch coordinator may write for a key -> the keys they most likely mean.
#: Only keys of the table being read (or of a section inside it) are suggested, so
#: one table serves the policy and the scenario files alike.
DUTCH_KEYS: dict[str, tuple[str, ...]] = {
    "gemeente": ("municipality",),
    "gemeentecode": ("municipality",),
    "periode": ("period",),
    "halfjaar": ("period",),
    "begin": ("start",),
    "begindatum": ("start",),
    "startdatum": ("start",),
    "eind": ("end",),
    "einde": ("end",),
    "einddatum": ("end",),
    "taakstelling": ("quota_persons",),
    "achterstand": ("backlog_persons",),
    "voorsprong": ("backlog_persons",),
    "gehuisvest": ("housed_so_far",),
    "al_gehuisvest": ("housed_so_far",),
    "matchen": ("matching",),
    "matching_datum": ("date",),
    "datum": ("date",),
    "vergaderdatum": ("date",),
    "venster": ("window_days",),
    "dagen": ("window_days",),
    "spreiding": ("spreading",),
    "indicator": ("indicator",),
    "drempel": ("lq_threshold",),
    "lq_drempel": ("lq_threshold",),
    "drempelwaarde": ("lq_threshold",),
    "niveau": ("level",),
    "min_inwoners": ("min_residents",),
    "minimum_inwoners": ("min_residents",),
    "max_per_gebied": ("max_households_per_area",),
    "max_per_buurt": ("max_households_per_area",),
    "max_huishoudens_per_gebied": ("max_households_per_area",),
    "max_per_gebouw": ("max_per_complex",),
    "al_geplaatst": ("placed_this_period",),
    "betaalbaarheid": ("affordability",),
    "passend_toewijzen": ("affordability",),
    "huurgrens": ("cap_low", "cap_high"),
    "huurgrenzen": ("cap_low", "cap_high"),
    "aftoppingsgrens": ("cap_low", "cap_high"),
    "aftoppingsgrenzen": ("cap_low", "cap_high"),
    "lage_aftoppingsgrens": ("cap_low",),
    "aftoppingsgrens_laag": ("cap_low",),
    "hoge_aftoppingsgrens": ("cap_high",),
    "aftoppingsgrens_hoog": ("cap_high",),
    "bezetting": ("occupancy",),
    "extra_slaapkamers": ("max_extra_bedrooms",),
    "gewichten": ("weights",),
    "interesse": ("interest",),
    "interesses": ("interest",),
    "wensen": ("wishes",),
    "passend": ("fit",),
    "wachttijd": ("waiting",),
    "straal": ("interest_radius_m",),
    "oplosser": ("solver",),
    "methode": ("method",),
    "tijdslimiet": ("time_limit_seconds",),
}

#: Similarity above which a key is taken for a misspelling of a known one.
_CLOSE_KEY = 0.75


def _key_form(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().lower())


def _candidates(key: str, allowed: Collection[str]) -> list[str]:
    """Keys among ``allowed`` that ``key`` is probably meant to be (best first)."""
    form = _key_form(key)
    if form in allowed:
        return [form]  # a capital or a space too many
    dutch = [k for k in DUTCH_KEYS.get(form, ()) if k in allowed]
    if dutch:
        return dutch
    return difflib.get_close_matches(form, list(allowed), n=1, cutoff=_CLOSE_KEY)


def _unknown(key: str, allowed: list[str], also: Collection[str], specs: dict[str, _Spec]) -> str:
    """ "unknown setting; did you mean ...?", then the keys the table knows.

    Looks in this table first, then in the sections inside it, so that
    ``taakstelling = 52`` written at the top of a policy points to
    ``quota_persons`` in ``[period]``.
    """
    known = ", ".join(sorted([*allowed, *also]))
    here = _candidates(key, [*allowed, *also])
    guesses = [f"'{k}'" for k in here]
    if not guesses:
        for section in allowed:
            spec = specs.get(section)
            if spec is None or not spec.nested:
                continue
            inside = [k for k, s in _flat_specs(spec.kind).items() if not s.derived]
            guesses += [
                _("'{key}' in [{section}]").format(key=k, section=section)
                for k in _candidates(key, inside)
            ]
    if not guesses:
        return _("unknown setting; known: {known}").format(known=known)
    return _("unknown setting; did you mean {guess}? (known: {known})").format(
        guess=_(" or ").join(guesses), known=known
    )


def build(cls: type[S], values: Mapping[str, Any], where: str, file: str) -> Read[S | None]:
    """``cls`` from valid ``values`` (as :func:`read_table` gives them), or the problems.

    The values were checked one by one already; what can still fail are the
    rules that concern several fields, which the problems name by key path.
    ``None`` without problems when a required value is absent (already
    reported by :func:`read_table`).
    """
    kwargs = {k: v for k, v in values.items() if k in _specs(cls)}
    for name, spec in _specs(cls).items():
        if spec.inline:
            part = build(spec.kind, values, where, file)
            if part.value is None:
                return Read(None, part.problems)
            kwargs[name] = part.value
        elif spec.required and name not in kwargs:
            return Read(None)
    try:
        return Read(cls(**kwargs))
    except InputError as error:
        found = (Problem(file, None, key_path(where, p.column), p.message) for p in error.problems)
        return Read(None, tuple(found))


def read(
    cls: type[S],
    data: Any,
    where: str,
    file: str,
    *,
    keys: Collection[str] | None = None,
    also: Collection[str] = (),
    required: Collection[str] | None = None,
) -> Read[S | None]:
    """TOML table ``data`` as a ``cls``: :func:`read_table`, then :func:`build`.

    The object is built from the valid values even when some are bad, so that
    rules across fields are checked too and every problem is reported; the
    value is ``None`` whenever there is any problem.
    """
    table = read_table(cls, data, where, file, keys=keys, also=also, required=required)
    built = build(cls, table.value, where, file)
    problems = table.problems + built.problems
    return Read(None if problems else built.value, problems)


def read_toml(path: str | Path, display_name: str | None = None) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into an :class:`InputError`.

    Shared by the policy and the scenario files, so both report a missing file,
    a wrong encoding or a syntax error (with line and column) the same way.
    """
    return read_toml_text(path, display_name)[0]


def read_toml_text(path: str | Path, display_name: str | None = None) -> tuple[dict[str, Any], str]:
    """:func:`read_toml`, and the file's text, for :func:`locate` to find lines in."""
    name = display_name or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, _("file not found"))]) from None
    except UnicodeDecodeError:
        message = _("not UTF-8 text; save it as UTF-8")
        raise InputError([Problem(name, None, None, message)]) from None
    except OSError as exc:
        message = _("cannot read: {reason}").format(reason=exc.strerror)
        raise InputError([Problem(name, None, None, message)]) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise InputError([_syntax_problem(name, text, str(exc))]) from None


#: The errors of :mod:`tomllib` met in hand-written files, in the reader's language.
_TOML_DETAILS: dict[str, typing.Callable[[], str]] = {
    "Invalid value": lambda: _("this value cannot be read"),
    "Expected newline or end of document after a statement": lambda: _(
        "the line goes on after its value"
    ),
    "Cannot overwrite a value": lambda: _("this key is set twice"),
    "Expected '=' after a key in a key/value pair": lambda: _(
        "this line is not of the form key = value"
    ),
    "Expected ']' at the end of a table declaration": lambda: _("a section name must end with ]"),
}


def _declared_twice() -> str:
    return _("this section is declared twice")


_POSITION = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=\s*(.*?)\s*(?:#.*)?$")
_LOOKS_LIKE_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
_BARE_WORD = re.compile(r"[A-Za-z][\w-]*")
_YES_NO = frozenset({"ja", "nee", "yes", "no", "waar", "onwaar", "j", "n"})


def _syntax_problem(name: str, text: str, detail: str) -> Problem:
    """A TOML syntax error with its line and, for the usual slips, how to write it.

    Python 3.11 puts the position only in the message ("... (at line 4,
    column 17)"). The usual slips of a hand-written policy are a Dutch date
    (``31-12-2019``), a decimal comma (``1,5``), text without quotes
    (``GM0153``) and ``ja``/``nee`` for true/false; each gets the fix.
    """
    found = _POSITION.search(detail)
    if not found:
        return Problem(name, None, None, _("TOML syntax error: {detail}").format(detail=detail))
    line, column = int(found[2]), int(found[3])
    explained = _TOML_DETAILS.get(found[1])
    if found[1].startswith("Cannot declare"):  # "Cannot declare ('period',) twice"
        explained = _declared_twice
    message = _("TOML syntax error: {detail} at column {column}").format(
        column=column, detail=explained() if explained is not None else found[1]
    )
    lines = text.splitlines()
    assignment = _ASSIGNMENT.match(lines[line - 1]) if line <= len(lines) else None
    if assignment is not None:
        hint = _value_hint(assignment[1].strip(), assignment[2])
        if hint is not None:  # the hint names the key, as it is written on the line
            message += "; " + hint
    return Problem(name, line, None, message)


def _value_hint(key: str, value: str) -> str | None:
    """How to write ``value`` in TOML, when it is one of the usual slips."""
    if _LOOKS_LIKE_DATE.fullmatch(value):
        iso = _iso_date(value)
        if iso is None:
            return _("write dates as 2019-12-31 (YYYY-MM-DD)")
        return _("write dates as YYYY-MM-DD: {key} = {date}").format(key=key, date=iso)
    if _DECIMAL_COMMA.fullmatch(value):
        return _("write a decimal point, not a comma: {key} = {number}").format(
            key=key, number=value.replace(",", ".")
        )
    if value.lower() in _YES_NO:
        yes = value.lower() in {"ja", "yes", "waar", "j"}
        return _("write true or false: {key} = {value}").format(
            key=key, value="true" if yes else "false"
        )
    if _BARE_WORD.fullmatch(value):
        return _('put text in quotes: {key} = "{value}"').format(key=key, value=value)
    return None


# --------------------------------------------------------------------------
# lines


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"([^"]*)"|'([^']*)'""")


def _key_parts(text: str) -> list[str]:
    return [m[1] if m[1] is not None else m[2] if m[2] is not None else m[0]
            for m in _KEY_PART.finditer(text)]  # fmt: skip


def key_lines(text: str) -> dict[str, int]:
    """Line of every key and table header of a TOML text, by key path.

    :mod:`tomllib` reports no positions for valid TOML, but a coordinator
    looking for ``period.end`` wants the line. A light scan suffices for the
    files people write: ``[section]`` headers set the path, ``key = ...``
    lines name a key in it; text inside multi-line strings is skipped. The
    first line wins when a path repeats (an array of tables).
    """
    lines: dict[str, int] = {}
    section: list[str] = []
    in_string: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if raw.count(in_string) % 2 == 1:
                in_string = None
            continue
        if header := _TABLE_HEADER.match(raw):
            section = _key_parts(header[1])
            lines.setdefault(".".join(section), number)
            continue
        if key := _KEY.match(raw):
            path = ".".join([*section, *_key_parts(key[1])])
            lines.setdefault(path, number)
            for quotes in ('"""', "'''"):
                if raw.count(quotes) % 2 == 1:
                    in_string = quotes
    return lines


def locate(problems: Collection[Problem], text: str) -> list[Problem]:
    """``problems`` with the line of their key in the TOML ``text`` filled in.

    A key that is not written (a required setting left out) points at its
    section's header when there is one; a problem that already has a line, or
    concerns the whole file, is left as it is.
    """
    lines = key_lines(text)
    out = []
    for problem in problems:
        if problem.line is None and problem.column:
            parts = problem.column.split(".")
            found = next(
                (lines[p] for n in range(len(parts), 0, -1) if (p := ".".join(parts[:n])) in lines),
                None,
            )
            problem = dataclasses.replace(problem, line=found)
        out.append(problem)
    return out
