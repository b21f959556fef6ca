"""The policy: every rule setting and objective weight, loaded from one TOML file.

A municipality's choices (quota, spreading rule, rent caps, weights) live in a
file the coordinator can read and the council can audit, not in code. Each
section is a frozen dataclass that validates itself, so a bad value is reported
with the TOML key it came from, together with every other bad value.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from allocatie.inputs.errors import InputError, Problem

SOLVER_METHODS = ("auto", "cpsat", "flow")


@dataclass(frozen=True)
class Period:
    """The half-year of the taakstelling and how far behind (or ahead) it is.

    ``backlog_persons`` is the achterstand carried in from earlier periods; a
    negative value is a voorsprong (surplus) counting in the period's favour.
    ``housed_so_far`` counts persons already housed in this period by earlier
    monthly runs, so that progress is reported against the whole half year.
    """

    start: dt.date = dt.date(2019, 7, 1)
    end: dt.date = dt.date(2019, 12, 31)
    quota_persons: int = 0
    backlog_persons: int = 0
    housed_so_far: int = 0

    @property
    def target_persons(self) -> int:
        """Persons to house this period: taakstelling plus achterstand."""
        return max(self.quota_persons + self.backlog_persons, 0)


@dataclass(frozen=True)
class Matching:
    """The monthly matching meeting.

    ``date`` is the day the plan is made: waiting time is counted up to it and
    dwellings available up to ``window_days`` after it are on offer. When it is
    not set, the latest ``linked_on`` among the households is used (and the
    report says so), so that every household counts as linked.
    """

    date: dt.date | None = None
    window_days: int = 31


@dataclass(frozen=True)
class Spreading:
    """The "non-segregated district" rule of DESIGN §3.

    An area is concentrated when the location quotient of ``indicator`` (the
    area's share relative to its municipality's share) is at least
    ``lq_threshold``. Statistics are used at buurt level when the dwelling's
    buurt is known and has at least ``min_residents`` residents (smaller buurten
    have counts too noisy after CBS's rounding to 5), else at wijk level.

    With ``projected_composition`` on, every placed person is counted in the
    indicator group (the conservative assumption for the migration-background
    indicator; household ethnicity is never an input) and a placement may not
    push a non-concentrated area to the threshold.

    ``placed_this_period`` (area code → households) records placements made
    by earlier monthly runs of the same half year, so that
    ``max_households_per_area`` holds over the period, not per run.
    """

    indicator: str = "migration_non_western"
    lq_threshold: float = 1.5
    level: str = "buurt"
    min_residents: int = 100
    max_households_per_area: int | None = None
    max_per_complex: int | None = None
    projected_composition: bool = True
    placed_this_period: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Affordability:
    """Passend toewijzen: the aftoppingsgrenzen of the year (EUR/month, kale huur).

    ``cap_low`` applies to households of one or two persons, ``cap_high`` to
    three or more (persons including expected reunification).
    """

    cap_low: float = 607.46
    cap_high: float = 651.03


@dataclass(frozen=True)
class Occupancy:
    """Occupancy norm: how many bedrooms above the minimum are still a fit."""

    max_extra_bedrooms: int = 2


@dataclass(frozen=True)
class Weights:
    """Tier-3 quality weights; only their ratios matter.

    Tier 3 never outweighs tiers 1 and 2: these weights only choose among plans
    that are already optimal on persons housed and on spreading.
    ``interest_radius_m`` is the distance within which an amenity counts as
    serving an interest.
    """

    interest: float = 1.0
    wishes: float = 1.0
    fit: float = 1.0
    waiting: float = 1.0
    interest_radius_m: float = 1500.0


@dataclass(frozen=True)
class SolverSettings:
    """How to solve: method, seed and time limit.

    ``auto`` solves each independent part with exact flows where they suffice
    and CP-SAT otherwise (see :mod:`allocatie.solve`). ``time_limit_seconds`` is
    CP-SAT's budget per part in *deterministic* seconds, so that a plan cut
    short by the limit is still the same plan on every machine.
    """

    method: str = "auto"
    seed: int = 0
    time_limit_seconds: float = 30.0


@dataclass(frozen=True)
class Policy:
    """All settings of one run. Defaults are those of DESIGN §3."""

    municipality: str | None = None
    period: Period = field(default_factory=Period)
    matching: Matching = field(default_factory=Matching)
    spreading: Spreading = field(default_factory=Spreading)
    affordability: Affordability = field(default_factory=Affordability)
    occupancy: Occupancy = field(default_factory=Occupancy)
    weights: Weights = field(default_factory=Weights)
    solver: SolverSettings = field(default_factory=SolverSettings)

    def to_dict(self) -> dict[str, Any]:
        """The policy as parsed, JSON-friendly (dates as ISO strings)."""

        def convert(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        return convert(asdict(self))


_SECTIONS: dict[str, type] = {
    "period": Period,
    "matching": Matching,
    "spreading": Spreading,
    "affordability": Affordability,
    "occupancy": Occupancy,
    "weights": Weights,
    "solver": SolverSettings,
}


def _coerce(value: Any, annotation: Any, key: str, file: str) -> tuple[Any, list[Problem]]:
    """Check one TOML value against its field's type annotation."""
    if typing.get_origin(annotation) is dict:
        allowed = {annotation}
    else:
        allowed = set(typing.get_args(annotation)) or {annotation}
        allowed.discard(type(None))
    (kind,) = allowed

    def bad(expected: str) -> tuple[None, list[Problem]]:
        return None, [Problem(file, None, key, f"expected {expected}, got {value!r}")]

    if kind is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        return (value, []) if isinstance(value, dt.date) else bad("a date like 2019-07-01")
    if kind is bool:
        return (value, []) if isinstance(value, bool) else bad("true or false")
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, []) if ok else bad("a whole number")
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return (float(value), []) if ok else bad("a number")
    if typing.get_origin(kind) is dict:
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for k, v in value.items()
        )
        example = "a table of area code = households, like BU01530606 = 2"
        return ({k.upper(): v for k, v in value.items()}, []) if ok else bad(example)
    return (value, []) if isinstance(value, str) else bad("text")


def _check_ranges(policy: Policy, file: str) -> list[Problem]:
    """Range checks that need the whole section (e.g. start before end)."""
    out: list[Problem] = []

    def bad(key: str, message: str) -> None:
        out.append(Problem(file, None, key, message))

    p = policy.period
    if p.end < p.start:
        bad("period.end", f"period ends ({p.end}) before it starts ({p.start})")
    if p.quota_persons < 0:
        bad("period.quota_persons", "the taakstelling cannot be negative")
    if p.housed_so_far < 0:
        bad("period.housed_so_far", "must be 0 or more persons")
    if policy.matching.window_days < 0:
        bad("matching.window_days", "must be 0 or more days")
    s = policy.spreading
    if not s.lq_threshold > 0:
        bad("spreading.lq_threshold", "must be greater than 0 (the default is 1.5)")
    if s.level not in ("buurt", "wijk"):
        bad("spreading.level", f"must be 'buurt' or 'wijk', got {s.level!r}")
    if s.min_residents < 0:
        bad("spreading.min_residents", "must be 0 or more")
    for key in ("max_households_per_area", "max_per_complex"):
        value = getattr(s, key)
        if value is not None and value < 0:
            bad(f"spreading.{key}", "must be 0 or more (leave it out for no cap)")
    a = policy.affordability
    for key in ("cap_low", "cap_high"):
        if getattr(a, key) <= 0:
            bad(f"affordability.{key}", "a rent cap must be above 0 EUR/month")
    if policy.occupancy.max_extra_bedrooms < 0:
        bad("occupancy.max_extra_bedrooms", "must be 0 or more")
    w = policy.weights
    for key in ("interest", "wishes", "fit", "waiting"):
        if getattr(w, key) < 0:
            bad(f"weights.{key}", "weights must be 0 or more")
    if w.interest_radius_m <= 0:
        bad("weights.interest_radius_m", "must be above 0 metres")
    sv = policy.solver
    if sv.method not in SOLVER_METHODS:
        bad("solver.method", f"must be one of {', '.join(SOLVER_METHODS)}")
    if sv.time_limit_seconds <= 0:
        bad("solver.time_limit_seconds", "must be above 0 seconds")
    if policy.municipality is not None and not (
        len(policy.municipality) == 6
        and policy.municipality.startswith("GM")
        and policy.municipality[2:].isdigit()
    ):
        bad(
            "municipality",
            f"expected a CBS code like GM0153, got {policy.municipality!r}",
        )
    return out


def policy_from_dict(data: dict[str, Any], file: str = "policy") -> Policy:
    """Build a validated :class:`Policy` from parsed TOML.

    Raises
    ------
    InputError
        Listing every unknown key, wrong type and out-of-range value at once.
    """
    problems: list[Problem] = []
    sections: dict[str, Any] = {}
    municipality = data.get("municipality")
    if municipality is not None and not isinstance(municipality, str):
        problems.append(Problem(file, None, "municipality", "expected text like 'GM0153'"))
        municipality = None
    for key, value in data.items():
        if key == "municipality":
            continue
        if key not in _SECTIONS:
            known = ", ".join(["municipality", *_SECTIONS])
            problems.append(Problem(file, None, key, f"unknown setting; known: {known}"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(file, None, key, f"expected a [{key}] section"))
            continue
        cls = _SECTIONS[key]
        hints = typing.get_type_hints(cls)
        names = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for name, raw in value.items():
            full = f"{key}.{name}"
            if name not in names:
                problems.append(
                    Problem(
                        file,
                        None,
                        full,
                        f"unknown setting; known: {', '.join(sorted(names))}",
                    )
                )
                continue
            coerced, errs = _coerce(raw, hints[name], full, file)
            problems.extend(errs)
            if not errs:
                kwargs[name] = coerced
        sections[key] = cls(**kwargs)
    policy = Policy(municipality=municipality, **sections)
    problems.extend(_check_ranges(policy, file))
    if problems:
        raise InputError(problems)
    return policy


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


def load_policy(path: str | Path, display_name: str | None = None) -> Policy:
    """Read and validate a policy TOML file.

    Raises
    ------
    InputError
        When the file is missing, is not valid TOML (with line and column of the
        syntax error), or holds invalid settings.
    """
    name = display_name or str(path)
    return policy_from_dict(read_toml(path, name), name)
