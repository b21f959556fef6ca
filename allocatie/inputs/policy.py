"""The policy: every rule setting and objective weight, loaded from one TOML file.

A municipality's choices (quota, spreading rule, rent caps, weights) live in a
file the coordinator can read and the council can audit, not in code. Each
section is a frozen dataclass that validates itself, so a bad value is reported
with the TOML key it came from, together with every other bad value.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from allocatie.inputs.errors import InputError
from allocatie.inputs.settings import Pattern, Range, Table, check, read, read_toml, reject

__all__ = [
    "MUNICIPALITY_CODE",
    "SOLVER_METHODS",
    "Affordability",
    "Matching",
    "Occupancy",
    "Period",
    "Policy",
    "SolverMethod",
    "SolverSettings",
    "Spreading",
    "Weights",
    "load_policy",
    "policy_from_dict",
    "read_toml",
]

#: How a plan is solved (see :mod:`allocatie.solve`).
SolverMethod = Literal["auto", "cpsat", "flow"]
SOLVER_METHODS: tuple[str, ...] = typing.get_args(SolverMethod)

#: A CBS municipality code; shared with the scenario files' ``[scenario] municipality``.
MUNICIPALITY_CODE = Pattern(r"GM\d{4}", "a CBS code like GM0153")

_AT_LEAST_0 = Range(low=0)
_CAP = Range(low=0, message="must be 0 or more (leave it out for no cap)")
_WEIGHT = Range(low=0, message="weights must be 0 or more")
_RENT_CAP = Range(low=0, above=True, message="a rent cap must be above 0 EUR/month")


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
    quota_persons: Annotated[int, Range(low=0, message="the taakstelling cannot be negative")] = 0
    backlog_persons: int = 0
    housed_so_far: Annotated[int, Range(low=0, message="must be 0 or more persons")] = 0

    def __post_init__(self) -> None:
        check(self)
        if self.end < self.start:
            reject(self, "end", f"period ends ({self.end}) before it starts ({self.start})")

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
    window_days: Annotated[int, Range(low=0, message="must be 0 or more days")] = 31

    def __post_init__(self) -> None:
        check(self)


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
    ``max_households_per_area`` holds over the period, not per run. Its codes
    are upper-cased, as the area data spells them.
    """

    indicator: str = "migration_non_western"
    lq_threshold: Annotated[
        float, Range(low=0, above=True, message="must be greater than 0 (the default is 1.5)")
    ] = 1.5
    level: Literal["buurt", "wijk"] = "buurt"
    min_residents: Annotated[int, _AT_LEAST_0] = 100
    max_households_per_area: Annotated[int | None, _CAP] = None
    max_per_complex: Annotated[int | None, _CAP] = None
    projected_composition: bool = True
    placed_this_period: Annotated[
        dict[str, int],
        Table(
            some_positive=False, example="a table of area code = households, like BU01530606 = 2"
        ),
    ] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check(self)
        codes = {code.upper(): count for code, count in self.placed_this_period.items()}
        object.__setattr__(self, "placed_this_period", codes)  # frozen: set once, here


@dataclass(frozen=True)
class Affordability:
    """Passend toewijzen: the aftoppingsgrenzen of the year (EUR/month, kale huur).

    ``cap_low`` applies to households of one or two persons, ``cap_high`` to
    three or more (persons including expected reunification).
    """

    cap_low: Annotated[float, _RENT_CAP] = 607.46
    cap_high: Annotated[float, _RENT_CAP] = 651.03

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Occupancy:
    """Occupancy norm: how many bedrooms above the minimum are still a fit."""

    max_extra_bedrooms: Annotated[int, _AT_LEAST_0] = 2

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Weights:
    """Tier-3 quality weights; only their ratios matter.

    Tier 3 never outweighs tiers 1 and 2: these weights only choose among plans
    that are already optimal on persons housed and on spreading.
    ``interest_radius_m`` is the distance within which an amenity counts as
    serving an interest.
    """

    interest: Annotated[float, _WEIGHT] = 1.0
    wishes: Annotated[float, _WEIGHT] = 1.0
    fit: Annotated[float, _WEIGHT] = 1.0
    waiting: Annotated[float, _WEIGHT] = 1.0
    interest_radius_m: Annotated[
        float, Range(low=0, above=True, message="must be above 0 metres")
    ] = 1500.0

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class SolverSettings:
    """How to solve: method, seed and time limit.

    ``auto`` solves each independent part with exact flows where they suffice
    and CP-SAT otherwise (see :mod:`allocatie.solve`). ``time_limit_seconds`` is
    CP-SAT's budget per part in *deterministic* seconds, so that a plan cut
    short by the limit is still the same plan on every machine.
    """

    method: SolverMethod = "auto"
    seed: int = 0
    time_limit_seconds: Annotated[
        float, Range(low=0, above=True, message="must be above 0 seconds")
    ] = 30.0

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Policy:
    """All settings of one run. Defaults are those of DESIGN §3."""

    municipality: Annotated[str | None, MUNICIPALITY_CODE] = None
    period: Period = field(default_factory=Period)
    matching: Matching = field(default_factory=Matching)
    spreading: Spreading = field(default_factory=Spreading)
    affordability: Affordability = field(default_factory=Affordability)
    occupancy: Occupancy = field(default_factory=Occupancy)
    weights: Weights = field(default_factory=Weights)
    solver: SolverSettings = field(default_factory=SolverSettings)

    def __post_init__(self) -> None:
        check(self)

    def to_dict(self) -> dict[str, Any]:
        """The policy as parsed, JSON-friendly (dates as ISO strings)."""

        def convert(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        return convert(asdict(self))


def policy_from_dict(data: dict[str, Any], file: str = "policy") -> Policy:
    """Build a validated :class:`Policy` from parsed TOML.

    Raises
    ------
    InputError
        Listing every unknown key, wrong type and out-of-range value at once.
    """
    policy = read(Policy, data, "", file)
    if policy.problems or policy.value is None:
        raise InputError(policy.problems)
    return policy.value


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
