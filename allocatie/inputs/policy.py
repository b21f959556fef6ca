"""The policy: every rule setting and objective weight, loaded from one TOML file.

A municipality's choices (quota, spreading rule, rent caps, weights) live in a
file the coordinator can read and the council can audit, not in code. Each
section is a frozen dataclass that validates itself, so a bad value is reported
with the TOML key it came from, and its line, together with every other bad
value.

The rent caps change every year, so a policy that names none gets those of the
year its period starts in, from the bundled table
(:mod:`allocatie.inputs.rent_caps`), and :attr:`Affordability.source` says which
year's they are, for the report to repeat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from allocatie.i18n import _
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.rent_caps import bundled_caps, caps_of_year
from allocatie.inputs.settings import (
    DERIVED,
    Pattern,
    Range,
    Read,
    Table,
    check,
    locate,
    read,
    read_toml,
    read_toml_text,
    reject,
)

__all__ = [
    "MUNICIPALITY_CODE",
    "SOLVER_METHODS",
    "Affordability",
    "Fairness",
    "Matching",
    "Occupancy",
    "Period",
    "Policy",
    "Region",
    "SolverMethod",
    "SolverSettings",
    "Spreading",
    "Weights",
    "load_policy",
    "policy_from_dict",
    "read_policy",
    "read_toml",
]

#: How a plan is solved (see :mod:`allocatie.solve`).
SolverMethod = Literal["auto", "cpsat", "flow", "mip"]
SOLVER_METHODS: tuple[str, ...] = typing.get_args(SolverMethod)

#: A CBS municipality code; shared with the scenario files' ``[scenario] municipality``.
MUNICIPALITY_CODE = Pattern(r"GM\d{4}", lambda: _("a CBS code like GM0153"))

_AT_LEAST_0 = Range(low=0)
_CAP = Range(low=0, message=lambda: _("must be 0 or more (leave it out for no cap)"))
_WEIGHT = Range(low=0, message=lambda: _("weights must be 0 or more"))
_RENT_CAP = Range(low=0, above=True, message=lambda: _("a rent cap must be above 0 EUR/month"))
# The rules below carry their messages as functions, to be said in the language of the
# moment. They are named here, not written inside the annotations: an annotation is
# evaluated later with the class as its globals, where ``_`` is not defined.
_QUOTA = Range(low=0, message=lambda: _("the taakstelling cannot be negative"))
_PERSONS = Range(low=0, message=lambda: _("must be 0 or more persons"))
_DAYS = Range(low=0, message=lambda: _("must be 0 or more days"))
_THRESHOLD = Range(
    low=0, above=True, message=lambda: _("must be greater than 0 (the default is 1.5)")
)
_PLACED = Table(
    some_positive=False,
    example=lambda: _("a table of area code = households, like BU01530606 = 2"),
)
_METRES = Range(low=0, above=True, message=lambda: _("must be above 0 metres"))
_SECONDS = Range(low=0, above=True, message=lambda: _("must be above 0 seconds"))


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
    quota_persons: Annotated[int, _QUOTA] = 0
    backlog_persons: int = 0
    housed_so_far: Annotated[int, _PERSONS] = 0

    def __post_init__(self) -> None:
        check(self)
        if self.end < self.start:
            message = _("period ends ({end}) before it starts ({start})")
            reject(self, "end", message.format(end=self.end, start=self.start))

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
    window_days: Annotated[int, _DAYS] = 31

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
    lq_threshold: Annotated[float, _THRESHOLD] = 1.5
    level: Literal["buurt", "wijk"] = "buurt"
    min_residents: Annotated[int, _AT_LEAST_0] = 100
    max_households_per_area: Annotated[int | None, _CAP] = None
    max_per_complex: Annotated[int | None, _CAP] = None
    projected_composition: bool = True
    placed_this_period: Annotated[dict[str, int], _PLACED] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check(self)
        codes = {code.upper(): count for code, count in self.placed_this_period.items()}
        object.__setattr__(self, "placed_this_period", codes)  # frozen: set once, here


#: Households of up to this many people (persons plus expected reunification) have the
#: lower aftoppingsgrens; larger ones the higher (passend toewijzen).
SMALL_HOUSEHOLD = 2


@dataclass(frozen=True)
class Affordability:
    """Passend toewijzen: the aftoppingsgrenzen of the year (EUR/month, kale huur).

    ``cap_low`` applies to households of one or two persons, ``cap_high`` to
    three or more (persons including expected reunification).

    ``source`` says where the caps came from, so that a report can state it:
    ``"policy file"`` when the policy sets them, ``"passend toewijzen 2025
    (bundled; <where the figures were read>)"`` when they were taken from the
    bundled table for the year the period starts in (``year`` is then that
    year, else ``None``). Neither is read from a file. The defaults, for
    policies built in code, are the caps of 2019.
    """

    cap_low: Annotated[float, _RENT_CAP] = 607.46
    cap_high: Annotated[float, _RENT_CAP] = 651.03
    source: Annotated[str, DERIVED] = "passend toewijzen 2019 (allocatie's default)"
    year: Annotated[int | None, DERIVED] = 2019

    def __post_init__(self) -> None:
        check(self)

    def cap_for(self, people: int) -> float:
        """The rent cap for a household of ``people`` (persons incl. expected reunification)."""
        return self.cap_low if people <= SMALL_HOUSEHOLD else self.cap_high

    @classmethod
    def of_year(cls, year: int) -> Affordability | None:
        """The bundled caps of ``year`` with their source, or ``None`` when not bundled."""
        caps = caps_of_year(year)
        if caps is None:
            return None
        source = f"passend toewijzen {year} (bundled; {caps.source})"
        return cls(cap_low=caps.cap_low, cap_high=caps.cap_high, source=source, year=year)


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

    Wishes are ranked: ``preferred_areas`` lists the household's areas first
    wish first, and a dwelling in its ``k``-th wish scores ``rank_scores[k-1]``
    on the wishes part (wishes beyond the list score its last value; an area
    not wished, 0). The default scale, 1.0, 0.8, 0.6, 0.4, 0.2, takes a fifth
    of a full wish off per step down the list. With ``interests_ranked`` the
    potentieelanalyse's ``interests`` are read the same way (the first counts
    ``rank_scores[0]``, the second ``rank_scores[1]``, …) instead of equally.
    """

    interest: Annotated[float, _WEIGHT] = 1.0
    wishes: Annotated[float, _WEIGHT] = 1.0
    fit: Annotated[float, _WEIGHT] = 1.0
    waiting: Annotated[float, _WEIGHT] = 1.0
    interest_radius_m: Annotated[float, _METRES] = 1500.0
    rank_scores: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4, 0.2)
    interests_ranked: bool = False

    def __post_init__(self) -> None:
        check(self)
        scores = self.rank_scores
        falling = all(later <= earlier for earlier, later in zip(scores, scores[1:]))
        if not scores or not falling or any(not 0 <= v <= 1 for v in scores):
            reject(self, "rank_scores", _RANK_SCORES())

    def rank_score(self, rank: int) -> float:
        """Score of a wish (or interest) of 1-based ``rank``; beyond the list, its last."""
        return self.rank_scores[min(rank, len(self.rank_scores)) - 1]


def _RANK_SCORES() -> str:  # noqa: N802 - a message, named like the rules above
    return _(
        "must be a list of scores from 1 down to 0, one per rank, each at most the one "
        "before (first wish first), like [1.0, 0.8, 0.6, 0.4, 0.2]"
    )


@dataclass(frozen=True)
class Fairness:
    """Guarantees to each household beside the objective.

    With ``no_harm`` on, every household that today's practice (first come,
    first served, :mod:`allocatie.solve.fcfs`) would house on the same
    input is housed, in a dwelling it wants at least as much (its ranked
    wishes); that plan exists (first come, first served is one), so the rule
    never makes a run infeasible, and the report states what it costs on the
    tiers.
    """

    no_harm: bool = False

    def __post_init__(self) -> None:
        check(self)


_REGION_PERSONS = Table(
    some_positive=False,
    values=Range(low=0, message=lambda: _("must be 0 or more persons")),
    example=lambda: _("a table of municipality code = persons, like GM0153 = 120"),
)
_REGION_BACKLOG = Table(
    some_positive=False,
    values=Range(),
    example=lambda: _("a table of municipality code = persons, like GM0153 = 15"),
)


_GM = re.compile(MUNICIPALITY_CODE.regex, re.IGNORECASE)


@dataclass(frozen=True)
class _Codes:
    """A list of distinct CBS municipality codes (a rule for :attr:`Region.municipalities`)."""

    def problem(self, value: Any) -> str | None:
        bad = [c for c in value if not isinstance(c, str) or not _GM.fullmatch(c.upper())]
        if bad:
            return _("expected CBS codes like GM0153, got {value}").format(value=repr(bad[0]))
        upper = [code.upper() for code in value]
        repeated = sorted({code for code in upper if upper.count(code) > 1})
        if repeated:
            return _("{code} is listed twice").format(code=repeated[0])
        return None


@dataclass(frozen=True)
class Region:
    """Municipalities that match together: the regional exchange of issue 16.

    ``municipalities`` lists the region's CBS codes. With ``pooling`` on, a
    household linked to one of them (``gemeente_code``) may be offered a
    dwelling anywhere in the region, a proposed *herkoppeling*, unless its
    ``binding`` (work, study, family, care) ties it to its own municipality;
    with it off, every household stays in its own municipality, as without a
    region. ``quota`` is each municipality's taakstelling in persons,
    ``backlog`` its achterstand (negative: voorsprong) and ``housed_so_far``
    the persons it housed earlier in the period; a municipality's *target* is
    quota plus backlog minus housed so far, never below 0, and the fairness
    tier of :mod:`allocatie.solve.region` compares the municipalities'
    attainment of it. Codes are upper-cased. Without a ``[region]`` section
    nothing changes.

    Among plans equal on persons, fairness and spreading, quality decides before
    the fewest herkoppelingen do; with ``moves_before_quality`` the fewest
    herkoppelingen and shortest moves come first and quality decides among
    those (quality tells nearly every two plans apart, so after it the moves
    seldom count).
    """

    municipalities: Annotated[tuple[str, ...], _Codes()] = ()
    pooling: bool = False
    quota: Annotated[dict[str, int], _REGION_PERSONS] = field(default_factory=dict)
    backlog: Annotated[dict[str, int], _REGION_BACKLOG] = field(default_factory=dict)
    housed_so_far: Annotated[dict[str, int], _REGION_PERSONS] = field(default_factory=dict)
    moves_before_quality: bool = False

    def __post_init__(self) -> None:
        upper = tuple(str(code).upper() for code in self.municipalities)
        object.__setattr__(self, "municipalities", upper)  # frozen: set once, here
        for name in ("quota", "backlog", "housed_so_far"):
            table = {str(code).upper(): count for code, count in getattr(self, name).items()}
            object.__setattr__(self, name, table)
        check(self)
        if self.pooling and len(self.municipalities) < 2:
            message = _(
                "pooling needs at least two municipalities in the region; list them, like "
                'municipalities = ["GM0153", "GM0141"], or set pooling = false'
            )
            reject(self, "pooling" if self.municipalities else "municipalities", message)
        for name in ("quota", "backlog", "housed_so_far"):
            outside = sorted(set(getattr(self, name)) - set(self.municipalities))
            if outside:
                message = _(
                    "{code} is not one of the region's municipalities ({listed}); add it to "
                    "municipalities or remove it here"
                ).format(code=outside[0], listed=", ".join(self.municipalities) or "-")
                reject(self, name, message)

    def target(self, code: str) -> int:
        """Persons ``code`` should still house: quota + backlog − housed so far, at least 0."""
        total = self.quota.get(code, 0) + self.backlog.get(code, 0)
        return max(total - self.housed_so_far.get(code, 0), 0)


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
    time_limit_seconds: Annotated[float, _SECONDS] = 30.0

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
    fairness: Fairness = field(default_factory=Fairness)
    region: Region = field(default_factory=Region)
    solver: SolverSettings = field(default_factory=SolverSettings)

    def __post_init__(self) -> None:
        check(self)
        if self.fairness.no_harm and self.region.municipalities:
            message = _(
                "no_harm is not yet available for a region: the regional solve does not apply "
                "it; set no_harm = false, or leave out [region] to match one municipality"
            )
            reject(self, "fairness", message)

    def to_dict(self) -> dict[str, Any]:
        """The policy as parsed, JSON-friendly (dates as ISO strings)."""

        def convert(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        return convert(asdict(self))


_CAP_KEYS = ("cap_low", "cap_high")


def read_policy(data: Any, where: str, file: str) -> Read[Policy | None]:
    """Parsed TOML as a :class:`Policy`, or every problem, with the caps of the year.

    Like :func:`allocatie.inputs.settings.read`, and then: when the
    ``[affordability]`` section names neither cap, the bundled caps of the
    year the period starts in are used (and named in
    :attr:`Affordability.source`); when it names both, they are the policy
    file's. One cap without the other is a problem, since mixing a year's cap
    with one of the user's would be a guess. A year without bundled caps is a
    problem naming the keys to set.
    """
    policy = read(Policy, data, where, file)
    section = data.get("affordability", {}) if isinstance(data, dict) else {}
    given = [k for k in _CAP_KEYS if isinstance(section, dict) and k in section]
    path = f"{where}.affordability" if where else "affordability"
    bad_cap = any(p.column == f"{path}.{given[0]}" for p in policy.problems) if given else False
    if len(given) == 1 and not bad_cap:  # a bad cap is reported for itself, not as lonely
        (missing,) = set(_CAP_KEYS) - set(given)
        message = _(
            "{given} is set but {missing} is not; set both aftoppingsgrenzen, or neither "
            "to use those of the year the period starts in"
        ).format(given=given[0], missing=missing)
        return Read(None, (*policy.problems, Problem(file, None, f"{path}.{missing}", message)))
    if given:
        if policy.value is None or len(given) == 1:
            return policy
        caps = dataclasses.replace(policy.value.affordability, source="policy file", year=None)
        return Read(dataclasses.replace(policy.value, affordability=caps))
    year = _start_year(data)
    bundled = Affordability.of_year(year) if year is not None else None
    if year is not None and bundled is None:
        years = sorted(bundled_caps())
        message = _(
            "allocatie has no passend-toewijzen rent caps for {year} (it knows {first}–{last}); "
            "set them in the policy: [affordability] cap_low = … and cap_high = …, the lower "
            "and higher aftoppingsgrens of {year} in EUR/month"
        ).format(year=year, first=years[0], last=years[-1])
        # named by the key that chose the year, so that the problem has a line to point at
        period = data.get("period") if isinstance(data, dict) else None
        written = isinstance(period, dict) and "start" in period
        key = (f"{where}.period.start" if where else "period.start") if written else path
        return Read(None, (*policy.problems, Problem(file, None, key, message)))
    if policy.value is None or bundled is None:
        return policy
    return Read(dataclasses.replace(policy.value, affordability=bundled))


def _start_year(data: Any) -> int | None:
    """The year the policy's period starts in, as written (the default's when not written).

    Read from the raw table rather than the built policy, so that a year
    without bundled caps is reported in the same round as any other problem.
    """
    period = data.get("period", {}) if isinstance(data, dict) else {}
    start = period.get("start", Period.start) if isinstance(period, dict) else Period.start
    return start.year if isinstance(start, dt.date) else None


def policy_from_dict(data: dict[str, Any], file: str = "policy") -> Policy:
    """Build a validated :class:`Policy` from parsed TOML (see :func:`read_policy`).

    Raises
    ------
    InputError
        Listing every unknown key, wrong type and out-of-range value at once.
    """
    policy = read_policy(data, "", file)
    if policy.problems or policy.value is None:
        raise InputError(policy.problems)
    return policy.value


def load_policy(path: str | Path, display_name: str | None = None) -> Policy:
    """Read and validate a policy TOML file.

    Every problem carries the line of its key (or of its section, for a
    setting left out), since :mod:`tomllib` reports lines only for syntax
    errors.

    Raises
    ------
    InputError
        When the file is missing, is not valid TOML (with line and column of the
        syntax error and, for a date or number written the Dutch way, how to
        write it), or holds invalid settings.
    """
    name = display_name or str(path)
    data, text = read_toml_text(path, name)
    policy = read_policy(data, "", name)
    if policy.problems or policy.value is None:
        raise InputError(locate(policy.problems, text))
    return policy.value
