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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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

from allocatie.inputs.errors import InputError, Problem

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "INLINE",
    "Pattern",
    "Range",
    "Read",
    "Rule",
    "Table",
    "build",
    "check",
    "key_path",
    "read",
    "read_table",
    "read_toml",
    "reject",
]

S = TypeVar("S", bound="DataclassInstance")
T = TypeVar("T")


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
    message: str | None = None

    def __post_init__(self) -> None:
        if self.above and self.low is None:
            raise ValueError("Range(above=True) needs a low bound")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"empty Range: high {self.high} below low {self.low}")

    def requirement(self, value: float) -> str | None:
        """The bound ``value`` breaks, as "must be ...", or ``None``."""
        if isinstance(value, float) and math.isnan(value):
            return "must be a number"
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return self.message or f"must be {'above' if self.above else 'at least'} {self.low:g}"
        if self.high is not None and value > self.high:
            return self.message or f"must be at most {self.high:g}"
        return None

    def problem(self, value: Any) -> str | None:
        broken = self.requirement(value)
        return None if broken is None else f"{broken}, got {value!r}"


@dataclass(frozen=True)
class Pattern:
    """Text that must match ``regex`` in full; ``example`` tells what a good value looks like."""

    regex: str
    example: str

    def problem(self, value: Any) -> str | None:
        if re.fullmatch(self.regex, value):
            return None
        return f"expected {self.example}, got {value!r}"


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
    example: str | None = None

    def problem(self, value: Any) -> str | None:
        for key, item in value.items():
            if self.keys is not None and (broken := self.keys.requirement(key)) is not None:
                return f"key {key!r} {broken}"
            if (broken := self.values.requirement(item)) is not None:
                return f"value of {key!r} {broken}"
        if self.some_positive and not any(item > 0 for item in value.values()):
            return "needs at least one share above 0"
        return None


class _Inline:
    """Marker: the fields of this nested dataclass are read from the same TOML table."""

    def __repr__(self) -> str:
        return "INLINE"


#: ``Annotated[HouseholdMix, INLINE]``: the mix's keys sit in the ``[arrivals]``
#: table itself, next to the arrivals' own keys, not in a sub-table.
INLINE = _Inline()


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
        return "one of " + ", ".join(repr(c) for c in typing.get_args(kind))
    if origin is tuple:
        return "a list"
    if _is_mapping(kind):
        example = "{1 = 55, 2 = 10}" if typing.get_args(kind)[0] is int else '{"Domijn" = 35}'
        return f"a table such as {example}"
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    if kind in names:
        return names[kind]
    if kind is dt.date:
        return "a date like 2019-07-01"
    return f"a {getattr(kind, '__name__', kind)}"


def _wrong_type(value: Any, kind: Any) -> str | None:
    """Why ``value`` is not of ``kind`` (``None`` when it is); ints count as floats."""
    origin = typing.get_origin(kind)
    if origin is Literal:
        choices = typing.get_args(kind)
        return None if value in choices else f"must be {_expected(kind)}, got {value!r}"
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = _is_number(value)
    elif origin is tuple:
        if not isinstance(value, tuple):
            return f"expected {_expected(kind)}, got {value!r}"
        item = typing.get_args(kind)[0]
        return next((w for v in value if (w := _wrong_type(v, item)) is not None), None)
    elif _is_mapping(kind):
        return _wrong_table(value, kind)
    elif kind is Any:
        ok = True
    else:
        ok = isinstance(value, kind)
    return None if ok else f"expected {_expected(kind)}, got {value!r}"


def _wrong_table(value: Any, kind: Any) -> str | None:
    if not isinstance(value, Mapping):
        return f"expected {_expected(kind)}, got {value!r}"
    key_kind, value_kind = typing.get_args(kind)
    for key, item in value.items():
        if _wrong_type(key, key_kind) is not None:
            return f"key {key!r} is not {_expected(key_kind)}"
        if _wrong_type(item, value_kind) is not None:
            return f"value of {key!r} is not {_expected(value_kind)}"
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

    @property
    def nested(self) -> bool:
        """A settings dataclass read from a sub-table (``[policy.spreading]``)."""
        return _is_settings(self.kind) and not self.inline

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this field, or ``None``."""
        if value is None:
            return None if self.optional else f"expected {_expected(self.kind)}, got nothing"
        wrong = _wrong_type(value, self.kind)
        if wrong is not None:
            example = next((r.example for r in self.rules if isinstance(r, Table)), None)
            if example and _is_mapping(self.kind) and not isinstance(value, Mapping):
                return f"expected {example}, got {value!r}"
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
        else:
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
        return Read({}, (Problem(file, None, where, f"expected a [{where}] section"),))
    specs = _flat_specs(cls)
    allowed = list(specs) if keys is None else list(keys)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in data.items():
        path = key_path(where, key)
        if key in also:
            continue
        if key not in allowed:
            known = ", ".join(sorted([*allowed, *also]))
            problems.append(Problem(file, None, path, f"unknown setting; known: {known}"))
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
        Problem(file, None, key_path(where, key), "required setting is missing")
        for key in needed
        if key not in values and key_path(where, key) not in named
    ]
    return Read(values, tuple(problems))


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
    name = display_name or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, "file not found")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, "not UTF-8 text; save it as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 4, column 17)"
        found = re.search(r"^(.*?)\s*\(at line (\d+), column (\d+)\)", str(exc))
        if found:
            message, line = f"{found[1]} at column {found[3]}", int(found[2])
        else:
            message, line = str(exc), None
        raise InputError([Problem(name, line, None, f"TOML syntax error: {message}")]) from None
