"""Half-year quota planning: the monthly matching simulated over a whole period.

The taakstelling is a half-year obligation, but matching happens at monthly
meetings with the dwellings that happen to come free. :func:`simulate` plays a
period out meeting by meeting, on a stream of koppelingen (dated households)
and a stream of offers (dated dwellings), so a planner can see where the
half year ends up and compare policies on the same streams.

The model of a month
--------------------
Meetings are held on ``meeting_day`` of every month of the period. At a
meeting on date ``D``:

- the **queue** is every household with ``linked_on <= D`` not yet housed;
- the **offers** are every dwelling not yet let whose ``available_from`` lies
  within the policy's matching window (``<= D + window_days``, as in the
  monthly engine) and whose offer has not ended: a dwelling stays on offer
  for ``offer_days`` after ``available_from`` and is then let to the regular
  market. With a window at least as long as the gap between meetings, every
  dwelling is on the table at one meeting at least;
- :func:`allocatie.model.builder.build_instance` applies every hard rule with ``D``
  as matching date, on area statistics that count each person placed earlier
  in the period in the indicator group (the policy's projected composition),
  and ``max_households_per_area`` / ``max_per_complex`` are per period: what
  earlier meetings used is taken off;
- a plan is chosen (``optimised``: :func:`allocatie.solve.solve` with the
  look-ahead below; ``fcfs``: :func:`allocatie.solve.fcfs.fcfs_plan`);
- each proposed match is **refused** with probability ``refusal_rate``. The
  draw is a fixed function of (seed, household id, dwelling id)
  (:func:`refusal_draws`), so both methods, and every variant, meet the same
  refusals for the same offer. A refused pair is forbidden from then on; the
  household stays in the queue and the dwelling on offer.

**Pacing.** The month's pace target is what is still to be housed of the
taakstelling plus achterstand, spread evenly over the meetings left
(``ceil(remaining / meetings_left)``); it is reported each month with the
straight pace line (``target * k / n`` after meeting ``k`` of ``n``).

**Look-ahead (optimised only).** A dwelling with ``t`` or more bedrooms should
not go to a household that needs fewer when, over the rest of the period,
households needing ``t`` or more will outnumber such dwellings. For every
threshold ``t`` (largest first) the meeting computes::

    surplus_t = offers_now(>= t) + expected_offers_later(>= t)
                - waiting_now(need >= t) - expected_arrivals_later(need >= t)

where *need* is the fewest bedrooms a household may live in
(:func:`allocatie.model.eligibility.min_bedrooms` of persons plus expected
reunification) and the expectations come from a :class:`Forecast` (rates per
meeting times the meetings left after this one). At most
``max(0, floor(surplus_t))`` of the offered dwellings with ``t`` or more
bedrooms may go to households needing fewer; the excess is **held**: reserved
this month for households needing at least ``t`` (they can still have it now).
Holds serve later demand only — households already waiting are served by the
plan itself, which maximises persons — so at most the later shortfall
``ceil(expected_arrivals_later(need >= t) - expected_offers_later(>= t))`` is
held at ``t``, less the dwellings already held for households needing more
(those serve this demand too).
Only dwellings still on offer at the next meeting can be held — holding one
that is let to the market before then would help nobody — and those whose
offer runs longest are held first. At the last meeting nothing is expected
later, so nothing is held.

*Unless pacing requires it*: when ``pace_first`` is on and the plan with holds
houses fewer persons than the month's pace target, the plan without holds is
solved as well; if it houses more persons, the holds are lifted for that month
(reported as ``lookahead_lifted``). A municipality that is ahead of its pace
can afford to wait for the family a large dwelling is kept for; one that is
behind cannot.

**Carry-over.** ``carry_over_persons = taakstelling + achterstand - housed``:
positive is the achterstand the next period starts with, negative a voorsprong.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Annotated, Any

import numpy as np
import pandas as pd

from allocatie.inputs.policy import Period, Policy
from allocatie.inputs.settings import Range, check
from allocatie.model.builder import Instance, build_instance
from allocatie.model.eligibility import min_bedrooms, people_to_house
from allocatie.model.problem import ProblemData
from allocatie.model.region import region_data
from allocatie.model.scores import OVERDUE_DAYS
from allocatie.solve import Status, solve
from allocatie.solve.fcfs import fcfs_plan, offer_rank, queue_rank
from allocatie.solve.region import RegionData, solve_region

__all__ = [
    "METHODS",
    "Forecast",
    "HalfYear",
    "SimulationSettings",
    "Streams",
    "meeting_dates",
    "refusal_draws",
    "reservation_levels",
    "simulate",
]

#: The two ways of choosing a month's plan: the solver with look-ahead, and
#: today's first-come-first-served practice.
METHODS = ("optimised", "fcfs")

_HASH_KEY = "allocatie-refuse"  # 16 characters, fixed: refusal draws never change


@dataclass(frozen=True)
class SimulationSettings:
    """How the half year is played out (the policy holds the matching rules).

    Attributes
    ----------
    meeting_day
        Day of the month of the matching meeting (1–28, so that every month
        has it).
    offer_days
        Days a dwelling stays on offer after ``available_from`` before it is
        let to the regular market (at most a year).
    refusal_rate
        Probability that a household refuses a proposed match.
    lookahead
        Hold scarce large dwellings for households that will need them
        (optimised method only; needs a :class:`Forecast`).
    pace_first
        Lift the holds in a month whose plan with holds falls short of the
        pace target while the plan without them houses more persons.
    """

    meeting_day: Annotated[int, Range(1, 28)] = 1
    offer_days: Annotated[int, Range(0, 366)] = 42
    refusal_rate: Annotated[float, Range(0.0, 1.0)] = 0.0
    lookahead: bool = True
    pace_first: bool = True

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Forecast:
    """Expected households and dwellings per meeting, by size class.

    The look-ahead knows how many households and dwellings of each class to
    expect on average, never which or when.

    Attributes
    ----------
    demand
        Fewest bedrooms needed → expected koppelingen per meeting.
    supply
        Bedrooms → expected offers per meeting.
    """

    demand: Mapping[int, float] = field(default_factory=dict)
    supply: Mapping[int, float] = field(default_factory=dict)

    @classmethod
    def from_streams(
        cls,
        households: pd.DataFrame | None,
        dwellings: pd.DataFrame | None,
        meetings: int,
    ) -> Forecast:
        """The average per meeting of whole streams (for streams read from files).

        A planner's own file of expected koppelingen and offers is a forecast
        already; its mix per meeting is what the look-ahead uses. ``None``
        leaves that side empty.
        """
        meetings = max(meetings, 1)
        demand: dict[int, float] = {}
        supply: dict[int, float] = {}
        if households is not None and len(households):
            need = pd.Series(min_bedrooms(people_to_house(households))).value_counts()
            demand = {int(k): float(v) / meetings for k, v in need.sort_index().items()}
        if dwellings is not None and len(dwellings):
            beds = dwellings["bedrooms"].value_counts().sort_index()
            supply = {int(k): float(v) / meetings for k, v in beds.items()}
        return cls(demand=demand, supply=supply)

    def at_least(self, meetings: int, top: int) -> tuple[np.ndarray, np.ndarray]:
        """Expected demand and supply with ``>= t`` bedrooms, ``t = 0..top``, over ``meetings``."""
        demand = np.zeros(top + 2)
        supply = np.zeros(top + 2)
        for k, v in self.demand.items():
            demand[min(max(int(k), 0), top + 1)] += v
        for k, v in self.supply.items():
            supply[min(max(int(k), 0), top + 1)] += v
        at_least = lambda a: np.cumsum(a[::-1])[::-1][: top + 1] * meetings  # noqa: E731
        return at_least(demand), at_least(supply)


@dataclass(frozen=True)
class Streams:
    """What arrives during the period, and what the planner expects to arrive.

    Attributes
    ----------
    households
        Typed households (:data:`allocatie.inputs.schema.HOUSEHOLD_COLUMNS`), each
        ``linked_on`` its koppeling date; households already waiting when the
        period starts simply have an earlier date.
    dwellings
        Typed dwellings resolved with
        :func:`allocatie.areas.geo.resolve_dwelling_areas`, each ``available_from``
        its offer date.
    distances
        Optional metres from each dwelling (row, positional) to the nearest
        amenity of each interest category, for the interest score.
    forecast
        Expected arrivals and offers per meeting for the look-ahead; ``None``
        switches the look-ahead off.
    """

    households: pd.DataFrame
    dwellings: pd.DataFrame
    distances: pd.DataFrame | None = None
    forecast: Forecast | None = None


@dataclass(frozen=True)
class HalfYear:
    """The outcome of one simulated period.

    Attributes
    ----------
    method, seed
        How the plans were chosen and the seed of the refusal draws.
    months
        One row per meeting: queue, offers, pace target and pace line,
        persons planned and housed, refusals, holds.
    households
        One row per household of the stream: where and when it was housed
        (``housed_on`` NaT when still waiting), ``wait_days`` (to the meeting
        whose offer it accepted, or to the end of the period when still
        waiting: ``waiting`` True), the spreading area and the interest score.
    dwellings
        One row per dwelling: when and to whom it was let (``let_to`` is a
        household id, ``"market"`` or empty when still on offer at the end),
        ``vacancy_days`` and how often it was offered and refused.
    kpis
        The figures compared across methods and scenarios; see :func:`kpis`.
    """

    method: str
    seed: int
    months: pd.DataFrame
    households: pd.DataFrame
    dwellings: pd.DataFrame
    kpis: dict[str, Any]


def meeting_dates(period: Period, meeting_day: int) -> list[dt.date]:
    """The matching meetings of the period: ``meeting_day`` of every month in it."""
    dates: list[dt.date] = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        day = dt.date(year, month, meeting_day)
        if period.start <= day <= period.end:
            dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def refusal_draws(household_ids: Any, dwelling_ids: Any, seed: int) -> np.ndarray:
    """A uniform number in [0, 1) per (household, dwelling) pair, fixed by the seed.

    A stable hash of ``seed|household|dwelling``, not a random stream: the
    draw of a pair does not depend on what else was offered, so two methods
    (or two variants) that make the same offer meet the same answer, and a
    higher refusal rate refuses a superset of the offers a lower one refuses.
    """
    households = pd.Series(household_ids, dtype=str).to_numpy(dtype=object)
    dwellings = pd.Series(dwelling_ids, dtype=str).to_numpy(dtype=object)
    keys = np.array([f"{seed}|"] * len(households), dtype=object) + households
    keys = keys + np.array(["|"] * len(households), dtype=object) + dwellings
    hashed = pd.util.hash_array(keys, hash_key=_HASH_KEY, categorize=False)
    return (hashed >> np.uint64(11)).astype(np.float64) / float(2**53)


def reservation_levels(
    need: np.ndarray,
    bedrooms: np.ndarray,
    holdable: np.ndarray,
    priority: np.ndarray,
    demand_at_least: np.ndarray,
    supply_at_least: np.ndarray,
) -> np.ndarray:
    """Which offered dwellings to hold, and for whom (see the module docstring).

    Parameters
    ----------
    need
        Fewest bedrooms each waiting household may live in.
    bedrooms
        Bedrooms of each offered dwelling.
    holdable
        Whether each dwelling is still on offer at the next meeting.
    priority
        Dwelling positions in the order they are held (first = held first).
    demand_at_least, supply_at_least
        Expected later arrivals needing ``>= t`` bedrooms and offers with
        ``>= t`` bedrooms, indexed by ``t = 0..max(bedrooms)``.

    Returns
    -------
    numpy.ndarray
        Per dwelling the level ``t`` it is held at (only households needing
        ``t`` or more may have it this month); 0 when not held.

    Notes
    -----
    Thresholds go from the largest down. At ``t`` the number held is
    ``min(open_t - free_t, shortfall_t - held_above_t)`` where ``open_t``
    counts offers with ``>= t`` bedrooms not yet held, ``free_t =
    max(0, floor(surplus_t))``, ``shortfall_t`` is the later shortfall
    rounded up and ``held_above_t`` the dwellings held at levels above ``t``.
    """
    bedrooms = np.asarray(bedrooms, dtype=np.int64)
    need = np.asarray(need, dtype=np.int64)
    level = np.zeros(len(bedrooms), dtype=np.int64)
    if len(bedrooms) == 0:
        return level
    priority = np.asarray(priority, dtype=np.int64)
    for t in range(int(bedrooms.max()), 0, -1):
        large = bedrooms >= t
        surplus = large.sum() + supply_at_least[t] - (need >= t).sum() - demand_at_least[t]
        free = max(0, math.floor(surplus + 1e-9))
        open_ = large & (level < t)
        shortfall = math.ceil(demand_at_least[t] - supply_at_least[t] - 1e-9)
        excess = min(int(open_.sum()) - free, shortfall - int((level > t).sum()))
        if excess <= 0:
            continue
        candidates = priority[open_[priority] & holdable[priority]]
        level[candidates[:excess]] = t
    return level


# --------------------------------------------------------------------------
# the simulation


@dataclass
class _State:
    """What changes from meeting to meeting, over the streams' rows."""

    housed_meeting: np.ndarray  # per household: meeting index, -1 = waiting
    housed_dwelling: np.ndarray  # per household: stream dwelling row, -1
    let_meeting: np.ndarray  # per dwelling: meeting index, -1
    offered: np.ndarray  # per dwelling: meetings it was on the table
    refused_count: np.ndarray  # per dwelling
    household_refusals: np.ndarray  # per household
    refusals: list[tuple[str, str]] = field(default_factory=list)
    area_used: dict[str, int] = field(default_factory=dict)
    complex_used: dict[str, int] = field(default_factory=dict)
    placed_codes: list[tuple[str, int]] = field(default_factory=list)
    housed_persons: int = 0
    placements: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    """What stays fixed during one simulation.

    ``linked``, ``available`` and ``offer_ends`` are the streams' dates as days,
    ``persons`` each household's size, ``window`` the matching window.
    """

    households: pd.DataFrame
    dwellings: pd.DataFrame
    distances: pd.DataFrame | None
    stats: pd.DataFrame
    policy: Policy
    settings: SimulationSettings
    forecast: Forecast | None
    method: str
    seed: int
    meetings: list[dt.date]
    linked: np.ndarray
    available: np.ndarray
    offer_ends: np.ndarray
    persons: np.ndarray
    window: dt.timedelta


@dataclass(frozen=True)
class _Table:
    """What is on the table at meeting ``k``: rows of the streams, and the pace.

    ``queue`` are the households waiting, ``offers`` the dwellings on offer;
    ``pace_target`` is the month's share of what is still to be housed.
    """

    k: int
    day: dt.date
    queue: np.ndarray
    offers: np.ndarray
    queue_persons: int
    pace_target: int


@dataclass(frozen=True)
class _Built:
    """A meeting's matching problem with every rule and this period's caps applied.

    ``problem`` keeps only the pairs the period caps allow; ``pair_index`` is
    the position of each of its pairs among ``instance.problem``'s.
    """

    instance: Instance
    problem: ProblemData
    pair_index: np.ndarray


@dataclass(frozen=True)
class _Plan:
    """The month's proposals (pairs of the built problem) and how they were chosen."""

    selected: np.ndarray
    held: int = 0
    lifted: bool = False
    solver: str = ""


@dataclass(frozen=True)
class _Answers:
    """The proposed matches and the households' answers, one entry per proposal.

    ``households`` and ``dwellings`` are positions in the built instance;
    ``refused`` is each household's answer (:func:`refusal_draws`).
    """

    chosen: np.ndarray
    households: np.ndarray
    dwellings: np.ndarray
    household_ids: np.ndarray
    dwelling_ids: np.ndarray
    refused: np.ndarray
    planned_persons: int


@dataclass(frozen=True)
class _Accepted:
    """The accepted matches: who moves where, with what each placement reports.

    ``households`` and ``dwellings`` are rows of the streams; ``placed`` the
    dwellings' rows of the instance (with their area and location quotient).
    """

    households: np.ndarray
    dwellings: np.ndarray
    persons: np.ndarray
    placed: pd.DataFrame
    interest: np.ndarray
    extra_bedrooms: np.ndarray


@dataclass(frozen=True)
class _Outcome:
    """What a meeting decided, as reported in its month (all 0 when nothing was on the table)."""

    eligible_pairs: int = 0
    planned_persons: int = 0
    proposed_matches: int = 0
    refused: int = 0
    households_housed: int = 0
    persons_housed: int = 0
    dwellings_held: int = 0
    lookahead_lifted: bool = False
    solver: str = ""


@dataclass(frozen=True)
class _Month:
    """One row of :attr:`HalfYear.months`, fields in column order."""

    meeting: dt.date
    month: int
    queue_households: int
    queue_persons: int
    offers: int
    eligible_pairs: int
    pace_target: int
    planned_persons: int
    proposed_matches: int
    refused: int
    households_housed: int
    persons_housed: int
    dwellings_held: int
    lookahead_lifted: bool
    solver: str
    cumulative_persons: int
    pace_line: float
    target_persons: int


def _area_stats(stats: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``stats`` for the streams' municipalities (a smaller frame to copy)."""
    gemeenten = set(dwellings["gemeente_code"].dropna().astype(str))
    rows = stats["gemeente_code"].astype(str).isin(gemeenten) | stats.index.isin(gemeenten)
    return stats[rows]


def _projected(stats: pd.DataFrame, placed: list[tuple[str, int]], indicator: str) -> pd.DataFrame:
    """Area statistics with every person placed so far counted in the indicator group.

    Both the buurt and the wijk of each placement are updated, so the area is
    right at whichever level it is judged. The municipal reference share is
    left at its CBS value, as the monthly engine uses it.
    """
    if not placed:
        return stats
    added = pd.DataFrame(placed, columns=["code", "persons"]).groupby("code")["persons"].sum()
    added = added[added.index.isin(stats.index)]
    out = stats.copy()
    for column in ("residents", indicator):
        current = out.loc[added.index, column].astype("Int64")
        out.loc[added.index, column] = current + added.astype("Int64")
    return out


def _period_caps(
    problem: ProblemData,
    instance: Instance,
    state: _State,
    policy: Policy,
) -> np.ndarray:
    """The pairs a plan may use under the per-period building cap.

    ``max_per_complex`` counts the whole period (as ``max_households_per_area``
    does, see :func:`_area_capped`). :class:`~allocatie.model.problem.ProblemData`
    has one cap for every building, so a building that used ``u`` of its
    ``c`` places keeps only its first ``c - u`` offers (by offer date, then
    id) this month: the cap can never be exceeded, at the price of perhaps
    leaving a better flat of that building for a later meeting.
    """
    keep = np.ones(problem.n_pairs, dtype=bool)
    cap = policy.spreading.max_per_complex
    dwellings = instance.dwellings
    if cap is not None and dwellings["complex_id"].notna().any():
        frame = pd.DataFrame(
            {
                "complex": dwellings["complex_id"].astype("string"),
                "date": dwellings["available_from"],
                "id": dwellings["dwelling_id"].astype(str),
            }
        ).sort_values(["date", "id"])
        used = frame["complex"].map(state.complex_used).astype(float).fillna(0.0)
        position = frame.groupby("complex", dropna=True).cumcount()
        allowed = frame["complex"].isna() | (position < cap - used)
        allowed = allowed.reindex(dwellings.index).to_numpy(dtype=bool)
        keep &= allowed[problem.pair_dwelling]
    return keep


def _area_capped(problem: ProblemData, area_codes: np.ndarray, state: _State) -> ProblemData:
    """``problem`` with each area's household cap lowered by this period's placements."""
    used = np.array([state.area_used.get(str(c), 0) for c in area_codes], dtype=np.int64)
    caps = problem.area_max_households
    lowered = np.where(caps >= 0, np.maximum(caps - used, 0), -1)
    return problem.replace(area_max_households=lowered)


def _optimised(
    problem: ProblemData,
    instance: Instance,
    policy: Policy,
    holds: np.ndarray | None,
    pace_target: int,
    pace_first: bool,
) -> tuple[np.ndarray, int, bool, str, str]:
    """The solver's plan for the month, with holds unless pacing lifts them.

    Returns the selected pairs, the number of dwellings held, whether the
    holds were lifted, and the solver's method and status.
    """
    settings = policy.solver

    def run(p: ProblemData) -> Any:
        if instance.policy.region.pooling:  # a pooling region: the regional objective
            return _solve_regional(p, instance, settings)
        return solve(p, settings)

    if holds is None or not (holds > 0).any():
        result = run(problem)
        return np.asarray(result.selected, bool), 0, False, str(result.method), result.status
    need = min_bedrooms(instance.households["people"].to_numpy())
    keep = need[problem.pair_household] >= holds[problem.pair_dwelling]
    held = int((holds > 0).sum())
    result = run(problem.keep_pairs(keep))
    selected = np.zeros(problem.n_pairs, dtype=bool)
    selected[np.flatnonzero(keep)[np.asarray(result.selected, bool)]] = True
    if pace_first and result.objective[0] < pace_target:
        full = run(problem)
        if full.status != Status.INFEASIBLE and full.objective[0] > result.objective[0]:
            return np.asarray(full.selected, bool), held, True, str(full.method), full.status
    return selected, held, False, str(result.method), result.status


def _solve_regional(p: ProblemData, instance: Instance, settings: Any) -> Any:
    """:func:`~allocatie.solve.region.solve_region` on ``p`` (a subset of the instance's pairs).

    The targets are the instance's (its policy's ``[region]``, whose
    ``housed_so_far`` :func:`_region_progress` keeps up to date); moves cost
    nothing beyond being a herkoppeling (the fewest of them is still the last tier).
    """
    full = region_data(instance)
    region = RegionData.of(
        p, full.codes, full.household_municipality, full.dwelling_municipality, full.target
    )
    return solve_region(p, region, settings).result


def _region_progress(context: _Context, state: _State) -> Policy:
    """The policy with each region municipality's persons housed so far this period.

    A pooled half year judges fairness on what is still open per municipality
    (quota + backlog − housed so far), so each meeting's target counts the
    persons housed in its dwellings at earlier meetings.
    """
    region = context.policy.region
    if not region.pooling:
        return context.policy
    housed = state.housed_dwelling >= 0
    there = context.dwellings["gemeente_code"].astype(object).to_numpy()
    codes = there[state.housed_dwelling[housed]]
    persons = context.persons[housed]
    so_far = {c: int(persons[codes == c].sum()) for c in region.municipalities}
    merged = {c: region.housed_so_far.get(c, 0) + n for c, n in so_far.items()}
    return replace(context.policy, region=replace(region, housed_so_far=merged))


def simulate(
    streams: Streams,
    policy: Policy,
    stats: pd.DataFrame,
    settings: SimulationSettings,
    *,
    method: str = "optimised",
    seed: int = 0,
) -> HalfYear:
    """Play the period of ``policy`` out, meeting by meeting.

    Parameters
    ----------
    streams
        Koppelingen and offers (see :class:`Streams`).
    policy
        The rules; its ``[period]`` gives the half year, the taakstelling and
        the achterstand; ``[matching] date`` is replaced by each meeting's date.
    stats
        Area statistics indexed by code (:attr:`allocatie.areas.data.Areas.stats`).
    settings
        Meetings, offer duration, refusals and look-ahead.
    method
        ``"optimised"`` or ``"fcfs"`` (see :data:`METHODS`).
    seed
        Seed of the refusal draws; the streams are given, so with the same
        streams and seed the outcome is identical.

    Returns
    -------
    HalfYear

    Raises
    ------
    ValueError
        For an unknown method.
    RuntimeError
        If a plan ever breaks a rule (a solver or baseline bug must never
        reach a household).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    context = _context(streams, policy, stats, settings, method, seed)
    state = _State(
        housed_meeting=np.full(len(context.households), -1, dtype=np.int64),
        housed_dwelling=np.full(len(context.households), -1, dtype=np.int64),
        let_meeting=np.full(len(context.dwellings), -1, dtype=np.int64),
        offered=np.zeros(len(context.dwellings), dtype=np.int64),
        refused_count=np.zeros(len(context.dwellings), dtype=np.int64),
        household_refusals=np.zeros(len(context.households), dtype=np.int64),
    )
    months: list[_Month] = []
    for k in range(len(context.meetings)):
        table = _on_the_table(context, k, state)
        state.offered[table.offers] += 1
        if len(table.queue) and len(table.offers):
            outcome = _meeting(context, table, state)
        else:
            outcome = _Outcome()
        months.append(_month(context, table, outcome, state.housed_persons))
    return _half_year(context, months, state)


def _context(
    streams: Streams,
    policy: Policy,
    stats: pd.DataFrame,
    settings: SimulationSettings,
    method: str,
    seed: int,
) -> _Context:
    """The fixed part of a simulation: streams renumbered from 0, their dates as days."""
    households = streams.households.reset_index(drop=True)
    dwellings = streams.dwellings.reset_index(drop=True)
    distances = None if streams.distances is None else streams.distances.reset_index(drop=True)
    available = dwellings["available_from"].to_numpy().astype("datetime64[D]")
    lookahead = method == "optimised" and settings.lookahead and streams.forecast is not None
    return _Context(
        households=households,
        dwellings=dwellings,
        distances=distances,
        stats=_area_stats(stats, dwellings),
        policy=policy,
        settings=settings,
        forecast=streams.forecast if lookahead else None,
        method=method,
        seed=seed,
        meetings=meeting_dates(policy.period, settings.meeting_day),
        linked=households["linked_on"].to_numpy().astype("datetime64[D]"),
        available=available,
        offer_ends=available + np.timedelta64(settings.offer_days, "D"),
        persons=households["persons"].to_numpy(dtype=np.int64),
        window=dt.timedelta(days=policy.matching.window_days),
    )


def _on_the_table(context: _Context, k: int, state: _State) -> _Table:
    """The queue and the offers of meeting ``k``, and its pace target."""
    day = context.meetings[k]
    today = np.datetime64(day, "D")
    queue = np.flatnonzero((context.linked <= today) & (state.housed_meeting < 0))
    offers = np.flatnonzero(
        (context.available <= np.datetime64(day + context.window, "D"))
        & (today < context.offer_ends)
        & (state.let_meeting < 0)
    )
    remaining = max(context.policy.period.target_persons - state.housed_persons, 0)
    pace_target = math.ceil(remaining / (len(context.meetings) - k))
    return _Table(k, day, queue, offers, int(context.persons[queue].sum()), pace_target)


def _month(context: _Context, table: _Table, outcome: _Outcome, housed_persons: int) -> _Month:
    """The month's row: the table, the outcome, and progress against the straight pace line."""
    n_meetings = len(context.meetings)
    target = context.policy.period.target_persons
    return _Month(
        meeting=table.day,
        month=table.k + 1,
        queue_households=len(table.queue),
        queue_persons=table.queue_persons,
        offers=len(table.offers),
        eligible_pairs=outcome.eligible_pairs,
        pace_target=table.pace_target,
        planned_persons=outcome.planned_persons,
        proposed_matches=outcome.proposed_matches,
        refused=outcome.refused,
        households_housed=outcome.households_housed,
        persons_housed=outcome.persons_housed,
        dwellings_held=outcome.dwellings_held,
        lookahead_lifted=outcome.lookahead_lifted,
        solver=outcome.solver,
        cumulative_persons=housed_persons,
        pace_line=round(target * (table.k + 1) / n_meetings, 2) if n_meetings else 0.0,
        target_persons=target,
    )


def _half_year(context: _Context, months: list[_Month], state: _State) -> HalfYear:
    """The outcome tables and figures of the whole period."""
    period = context.policy.period
    month_table = pd.DataFrame([asdict(month) for month in months])
    household_table = _household_outcomes(context.households, context.meetings, period, state)
    dwelling_table = _dwelling_outcomes(
        context.dwellings, context.meetings, period, context.settings, context.households, state
    )
    figures = kpis(
        context.policy,
        month_table,
        household_table,
        dwelling_table,
        interests_measured=context.distances is not None and context.distances.shape[1] > 0,
    )
    return HalfYear(
        context.method, context.seed, month_table, household_table, dwelling_table, figures
    )


def _meeting(context: _Context, table: _Table, state: _State) -> _Outcome:
    """One meeting: build, plan, draw the answers, and record them in ``state``."""
    built = _build(context, table, state)
    plan = _plan(context, table, built)
    broken = built.problem.violations(plan.selected)
    if broken:
        raise RuntimeError(
            f"the {context.method} plan of {table.day} breaks rules: " + "; ".join(broken)
        )
    answers = _answers(context, built, plan)
    accepted = _accepted(table, built, answers)
    _record_refusals(state, table, answers)
    _record_housed(state, table.k, accepted)
    _record_placements(state, accepted)
    return _Outcome(
        eligible_pairs=built.problem.n_pairs,
        planned_persons=answers.planned_persons,
        proposed_matches=len(answers.chosen),
        refused=int(answers.refused.sum()),
        households_housed=len(accepted.households),
        persons_housed=int(accepted.persons.sum()),
        dwellings_held=plan.held,
        lookahead_lifted=plan.lifted,
        solver=plan.solver,
    )


def _build(context: _Context, table: _Table, state: _State) -> _Built:
    """The meeting's problem: every hard rule at the meeting's date, on the projected
    area statistics, without refused pairs, under what is left of the period's caps."""
    households = context.households.iloc[table.queue].reset_index(drop=True)
    dwellings = context.dwellings.iloc[table.offers].reset_index(drop=True)
    distances = context.distances
    if distances is not None:
        distances = distances.iloc[table.offers].reset_index(drop=True)
    instance = build_instance(
        households,
        dwellings,
        _region_progress(context, state),
        _projected(context.stats, state.placed_codes, context.policy.spreading.indicator),
        refusals=_refusals_on_table(households, dwellings, state.refusals),
        distances=distances,
        date=table.day,
    )
    problem = _area_capped(instance.problem, instance.area_codes, state)
    usable = _period_caps(problem, instance, state, context.policy)
    return _Built(instance, problem.keep_pairs(usable), np.flatnonzero(usable))


def _refusals_on_table(
    households: pd.DataFrame, dwellings: pd.DataFrame, refusals: list[tuple[str, str]]
) -> pd.DataFrame:
    """Earlier refusals of pairs that are on the table again, as a refusals table."""
    present_h = set(households["household_id"].astype(str))
    present_d = set(dwellings["dwelling_id"].astype(str))
    refused = [(h, d) for h, d in refusals if h in present_h and d in present_d]
    return pd.DataFrame(
        {
            "household_id": [h for h, _ in refused],
            "dwelling_id": [d for _, d in refused],
            "source_line": np.zeros(len(refused), dtype=np.int64),
        }
    )


def _plan(context: _Context, table: _Table, built: _Built) -> _Plan:
    """The month's proposals: first come, first served, or the solver with look-ahead."""
    instance = built.instance
    if context.method == "fcfs":
        ranks = queue_rank(instance.households), offer_rank(instance.dwellings)
        return _Plan(fcfs_plan(built.problem, *ranks), solver="fcfs")
    holds = _holds(context, table, instance)
    pace_first = context.settings.pace_first
    selected, held, lifted, solver, status = _optimised(
        built.problem, instance, context.policy, holds, table.pace_target, pace_first
    )
    return _Plan(selected, held, lifted, f"{solver} {status}".strip())


def _holds(context: _Context, table: _Table, instance: Instance) -> np.ndarray | None:
    """The level each offered dwelling is held at (see :func:`reservation_levels`).

    ``None`` without a forecast and at the last meeting, when nothing is expected later.
    """
    if context.forecast is None or table.k + 1 >= len(context.meetings):
        return None
    meetings_after = len(context.meetings) - table.k - 1
    next_day = context.meetings[table.k + 1]
    bedrooms = instance.dwellings["bedrooms"].to_numpy(dtype=np.int64)
    demand, supply = context.forecast.at_least(meetings_after, int(bedrooms.max()))
    ends = context.offer_ends[table.offers]
    priority = np.lexsort(
        (instance.dwellings["dwelling_id"].astype(str).to_numpy(), -ends.astype(np.int64))
    )
    return reservation_levels(
        min_bedrooms(instance.households["people"].to_numpy()),
        bedrooms,
        ends > np.datetime64(next_day, "D"),
        priority,
        demand,
        supply,
    )


def _answers(context: _Context, built: _Built, plan: _Plan) -> _Answers:
    """The proposals of ``plan`` and whether each household refuses its offer."""
    problem, instance = built.problem, built.instance
    chosen = np.flatnonzero(plan.selected)
    households = problem.pair_household[chosen]
    dwellings = problem.pair_dwelling[chosen]
    household_ids = instance.households["household_id"].astype(str).to_numpy()[households]
    dwelling_ids = instance.dwellings["dwelling_id"].astype(str).to_numpy()[dwellings]
    draws = refusal_draws(household_ids, dwelling_ids, context.seed)
    return _Answers(
        chosen=chosen,
        households=households,
        dwellings=dwellings,
        household_ids=household_ids,
        dwelling_ids=dwelling_ids,
        refused=draws < context.settings.refusal_rate,
        planned_persons=int(problem.pair_persons[chosen].sum()),
    )


def _accepted(table: _Table, built: _Built, answers: _Answers) -> _Accepted:
    """The proposals accepted, in the streams' rows, with each placement's figures."""
    instance = built.instance
    accepted = ~answers.refused
    households, dwellings = answers.households[accepted], answers.dwellings[accepted]
    eligible = instance.pairs[instance.pairs["problem_index"] >= 0].sort_values("problem_index")
    origin = built.pair_index[answers.chosen[accepted]]
    return _Accepted(
        households=table.queue[households],
        dwellings=table.offers[dwellings],
        persons=instance.households["persons"].to_numpy(dtype=np.int64)[households],
        placed=instance.dwellings.iloc[dwellings],
        interest=eligible["interest"].to_numpy(dtype=float)[origin],
        extra_bedrooms=eligible["extra_bedrooms"].to_numpy()[origin],
    )


def _record_refusals(state: _State, table: _Table, answers: _Answers) -> None:
    """A refused pair is never proposed again; count refusals per dwelling and household."""
    refused = answers.refused
    pairs = zip(answers.household_ids[refused], answers.dwelling_ids[refused], strict=True)
    state.refusals += list(pairs)
    state.refused_count[table.offers[answers.dwellings[refused]]] += 1
    state.household_refusals[table.queue[answers.households[refused]]] += 1


def _record_housed(state: _State, k: int, accepted: _Accepted) -> None:
    """Households housed and dwellings let at meeting ``k``."""
    state.housed_meeting[accepted.households] = k
    state.housed_dwelling[accepted.households] = accepted.dwellings
    state.let_meeting[accepted.dwellings] = k
    state.housed_persons += int(accepted.persons.sum())


def _record_placements(state: _State, accepted: _Accepted) -> None:
    """What later meetings need of these placements: caps used, persons per area, the rows."""
    placed = accepted.placed
    for code in placed["area_code"].astype(str):
        state.area_used[code] = state.area_used.get(code, 0) + 1
    for cx in placed["complex_id"].dropna().astype(str):
        state.complex_used[cx] = state.complex_used.get(cx, 0) + 1
    for level in ("buurt_code", "wijk_code"):
        codes = placed[level].astype("string")
        state.placed_codes += [
            (str(c), int(p)) for c, p in zip(codes, accepted.persons, strict=True) if pd.notna(c)
        ]
    state.placements += [
        {
            "household": int(h),
            "area_code": str(area),
            "area_name": str(name),
            "wijk_code": str(wijk),
            "buurt_code": "" if pd.isna(buurt) else str(buurt),
            "lq": float(lq),
            "concentrated": bool(conc),
            "interest": float(interest),
            "extra_bedrooms": int(extra),
        }
        for h, area, name, wijk, buurt, lq, conc, interest, extra in zip(
            accepted.households,
            placed["area_code"],
            placed["area_name"],
            placed["wijk_code"],
            placed["buurt_code"],
            placed["lq"],
            placed["concentrated"],
            accepted.interest,
            accepted.extra_bedrooms,
            strict=True,
        )
    ]


def _household_outcomes(
    households: pd.DataFrame, meetings: list[dt.date], period: Period, state: _State
) -> pd.DataFrame:
    """One row per household: housed when, where, after how long."""
    housed = state.housed_meeting >= 0
    dates = np.array([np.datetime64(d, "D") for d in meetings] or [], dtype="datetime64[D]")
    end = np.datetime64(period.end, "D")
    when = np.where(housed, dates[np.maximum(state.housed_meeting, 0)] if len(dates) else end, end)
    linked = households["linked_on"].to_numpy().astype("datetime64[D]")
    wait = np.maximum((when - linked).astype(np.int64), 0)
    out = pd.DataFrame(
        {
            "household_id": households["household_id"].astype(str),
            "persons": households["persons"].astype(np.int64),
            "people": people_to_house(households),
            "linked_on": households["linked_on"],
            "housed_on": pd.Series(when, dtype="datetime64[ns]").where(housed),
            "waiting": ~housed,
            "wait_days": wait,
            "refusals": state.household_refusals,
        }
    )
    out["dwelling_index"] = state.housed_dwelling
    placements = pd.DataFrame(
        state.placements,
        columns=[
            "household",
            "area_code",
            "area_name",
            "wijk_code",
            "buurt_code",
            "lq",
            "concentrated",
            "interest",
            "extra_bedrooms",
        ],
    ).set_index("household")
    out = out.join(placements.reindex(out.index))
    out["has_interests"] = households["interests"].map(len).gt(0).to_numpy()
    return out


def _dwelling_outcomes(
    dwellings: pd.DataFrame,
    meetings: list[dt.date],
    period: Period,
    settings: SimulationSettings,
    households: pd.DataFrame,
    state: _State,
) -> pd.DataFrame:
    """One row per dwelling: let when and to whom, and how long it stood empty.

    Vacancy runs from ``available_from`` to the move-in (the later of the
    meeting and ``available_from``: a dwelling matched ahead of its date is
    not vacant), to the end of its offer when it went to the market, or to
    the end of the period when it is still on offer (censored).
    """
    available = dwellings["available_from"].to_numpy().astype("datetime64[D]")
    dates = np.array([np.datetime64(d, "D") for d in meetings], dtype="datetime64[D]")
    let = state.let_meeting >= 0
    end = np.datetime64(period.end, "D")
    offer_end = available + np.timedelta64(settings.offer_days, "D")
    to_market = ~let & (offer_end <= end)
    meeting = dates[np.maximum(state.let_meeting, 0)] if len(dates) else available
    vacancy = np.where(
        let,
        (meeting - available).astype(np.int64),
        np.where(
            to_market,
            settings.offer_days,
            (end - available).astype(np.int64) + 1,
        ),
    )
    owner = np.full(len(dwellings), "", dtype=object)
    by_dwelling = np.full(len(dwellings), -1, dtype=np.int64)
    housed = np.flatnonzero(state.housed_dwelling >= 0)
    by_dwelling[state.housed_dwelling[housed]] = housed
    ids = households["household_id"].astype(str).to_numpy(dtype=object)
    owner[let] = ids[by_dwelling[let]]
    owner[to_market] = "market"
    return pd.DataFrame(
        {
            "dwelling_id": dwellings["dwelling_id"].astype(str),
            "bedrooms": dwellings["bedrooms"].astype(np.int64),
            "available_from": dwellings["available_from"],
            "let_on": pd.Series(np.where(let, meeting, available), dtype="datetime64[ns]").where(
                let
            ),
            "let_to": owner,
            "vacancy_days": np.maximum(vacancy, 0),
            "in_period": available <= end,
            "times_offered": state.offered,
            "times_refused": state.refused_count,
        }
    )


def _mean(values: pd.Series | np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    return round(float(values.mean()), 4) if len(values) else float("nan")


def kpis(
    policy: Policy,
    months: pd.DataFrame,
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    *,
    interests_measured: bool = True,
) -> dict[str, Any]:
    """The figures of a simulated period.

    ``quota_attainment`` is persons housed ÷ (taakstelling + achterstand);
    ``share_outside_concentrated`` counts housed households (with the counts
    ``households_outside_concentrated``, ``households_in_concentrated`` and
    ``persons_in_concentrated``, so a summary over seeds can pool them and
    explain a shortfall against FCFS); waiting figures
    cover every household of the stream, the still-waiting ones up to the end
    of the period (so a method cannot look good by leaving people waiting);
    ``interest_match_rate`` is the mean share of interests served near the
    dwelling over housed households that named interests (NaN without
    amenities); ``mean_vacancy_days`` covers dwellings available within the
    period.
    """
    period = policy.period
    target = period.target_persons
    housed = ~households["waiting"].to_numpy(dtype=bool)
    persons = int(households.loc[housed, "persons"].sum())
    n_housed = int(housed.sum())
    outside = int((housed & (households["concentrated"] == False).to_numpy()).sum())  # noqa: E712
    inside = housed & (households["concentrated"] == True).to_numpy()  # noqa: E712
    with_interest = housed & households["has_interests"].to_numpy(dtype=bool)
    offered = dwellings[dwellings["in_period"]]
    wait = households["wait_days"].to_numpy(dtype=float)
    return {
        "target_persons": target,
        "quota_persons": period.quota_persons,
        "backlog_persons": period.backlog_persons,
        "persons_housed": persons,
        "households_housed": n_housed,
        "quota_attainment": round(persons / target, 4) if target else float("nan"),
        "carry_over_persons": period.quota_persons + period.backlog_persons - persons,
        "share_outside_concentrated": round(outside / n_housed, 4) if n_housed else float("nan"),
        "households_outside_concentrated": outside,
        "households_in_concentrated": int(inside.sum()),
        "persons_in_concentrated": int(households.loc[inside, "persons"].sum()),
        "mean_wait_days": _mean(wait),
        "share_waiting_over_10_weeks": _mean(wait > OVERDUE_DAYS),
        "interest_match_rate": (
            _mean(households.loc[with_interest, "interest"]) if interests_measured else float("nan")
        ),
        "mean_vacancy_days": _mean(offered["vacancy_days"]),
        "households": len(households),
        "households_waiting_at_end": int((~housed).sum()),
        "persons_waiting_at_end": int(households.loc[~housed, "persons"].sum()),
        "dwellings_offered": len(offered),
        "dwellings_let": int(
            (offered["let_to"] != "").sum() - (offered["let_to"] == "market").sum()
        ),
        "dwellings_to_market": int((offered["let_to"] == "market").sum()),
        "refusals": int(months["refused"].sum()) if len(months) else 0,
        "mean_extra_bedrooms": _mean(households.loc[housed, "extra_bedrooms"]),
        "months_lookahead_lifted": int(months["lookahead_lifted"].sum()) if len(months) else 0,
        "dwelling_holds": int(months["dwellings_held"].sum()) if len(months) else 0,
    }
