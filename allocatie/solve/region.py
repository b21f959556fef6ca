"""Regional pooling: municipalities that match together, solved exactly and lexicographically.

The municipalities of a region (:class:`~allocatie.inputs.policy.Region`) may pool
their offer: a household linked to one of them may be housed in another's dwelling,
a proposed *herkoppeling*, unless its binding (work, study, family, care) keeps it
at home (that is a hard rule of the builder, so its pairs never cross). The
housing municipality's taakstelling receives the persons.

The objective is lexicographic; each tier is optimised with every earlier one
fixed at its optimum:

1. **persons housed** in the region (as tier 1 of the engine);
2. **fairness between municipalities**, *leximin* over their attainment: the
   persons housed in a municipality's dwellings (its own households and those it
   receives) over its target (quota + backlog − housed so far), counted up to 1.
   First the lowest attainment is maximised, then the second lowest, and so on.
   The taakstelling is set, and judged, per municipality; a pooled plan must not
   buy its region total with one municipality's shortfall, and leximin is the
   strongest such guarantee that never costs persons (tier 1 comes first).
   Above its target a municipality is not helped by more (hence the cap at 1),
   and a municipality with target 0 takes no part;
3. **households outside concentrated areas** (tier 2 of the engine);
4. **quality** (tier 3 of the engine);
5. among plans equal on all of these, the **fewest herkoppelingen**, then the
   **shortest moves**: the sum of the pairs' penalties (:attr:`RegionData.pair_penalty`,
   e.g. kilometres from the household's own municipality, its ties).

Tier 1 comes from the engine's :func:`allocatie.solve.solve` (flows where the part
is a network, exact in any case) and is then fixed as an equality. The rest are
HiGHS MIPs, run single-threaded with a fixed seed, each optimum added as a row
before the next and each started from the plan so far. Tiers 3 and 4, and the two
parts of tier 5, are folded pairwise into one integer objective whose weight makes
the fold exactly lexicographic (:func:`_folded`). The persons credited to each
municipality, ``min(housed, target)``, are integer columns. Unlike the engine's
matchings, these models have knapsack rows (persons per municipality), so HiGHS
runs the fairness steps with presolve (the tiers after them without, as the
engine's matchings); an answer that is not the plan HiGHS valued (HiGHS 1.16 can
return the start unchanged with presolve, see :mod:`allocatie.solve.mip`) is solved
again without it. HiGHS's feasibility tolerances are set to :data:`TOLERANCE`, far
below :data:`MARGIN`: at its defaults presolve found the fixed fairness rows
infeasible and returned the start as "optimal" for every later tier.

The fairness tier is settled cheaply where it can be, before the sequential steps:

- the plans known with tier 1's persons are the tier-1 plan and, when it houses as
  many, the municipalities' own plan (pairs without herkoppeling only); the fairer
  (sorted attainments, :func:`_fairest`) is improved by a greedy repair that moves
  households to free dwellings, or swaps two, towards municipalities below target
  (:func:`_repair`); on the national benchmark it alone, or with the MIP below,
  brings every municipality of most regions to its target;
- the lowest attainment is bounded by the largest level ``t`` with
  ``Σ_m ceil(t·T_m)`` at most the persons housed (a valid cut; at ``t = 1``:
  every municipality at its target). If the plan does not reach it, one
  feasibility MIP (every ``s_m ≥ ceil(t·T_m)``) decides: a plan found settles
  step 1, and at ``t = 1`` the whole leximin; proven infeasible, the next level
  down bounds step 1. Only then come the sequential steps below.

**Guarantee when the time limit stops a tier.** Every plan of the fairness tier
houses tier 1's persons, and the plan kept is always the fairest seen: a plan
HiGHS returns replaces it only when its sorted capped attainments are
lexicographically greater. So a ``FEASIBLE`` plan is never less fair (tier 2)
than the best known plan with the same tier 1: the tier-1 plan, the
municipalities' own plan when it houses as many persons, the repaired plan and
every step's incumbent (``tests/solve/test_region.py`` checks the first two under
time limits down to 0.1 ms).

The leximin is Ogryczak's sequential formulation: the sum of the ``k`` smallest attainments is
``max k·r_k − Σ_m d_km`` with ``d_km ≥ r_k − s_m / T_m``, ``d_km ≥ 0``, maximised for
``k = 1, 2, …`` with each optimum fixed; maximising these prefix sums in turn is
exactly maximising the sorted attainment vector lexicographically (ties between
municipalities included, which the plain "fix the saturated ones" max-min needs
extra solves to settle). It stops as soon as the ``k``-th lowest attainment is 1
(the rest are then 1 too). Attainments are fractions; each step's value is taken
from the plan itself in exact arithmetic (:class:`fractions.Fraction`) and fixed
with a margin of :data:`MARGIN`, so the fairness tiers are optimal up to that
margin (HiGHS's feasibility tolerance is of the same order); every integer tier
is exact. The tests cross-check all tiers against brute-force enumeration.

Each region is solved on its own (a household's pairs must lie in one region):
the leximin of two independent regions together would trade one region's
fairness against the other's.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, vstack

from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve import solve
from allocatie.solve.mip import _highs, constraint_rows
from allocatie.solve.result import Method, Methods, Result, Status
from allocatie.solve.split import components, subproblem

__all__ = [
    "MARGIN",
    "RegionData",
    "RegionResult",
    "account",
    "attainments",
    "region_key",
    "solve_region",
]

#: Margin below a fairness optimum at which it is fixed for the next tier: far below the
#: smallest step of attainment a person makes (1 / target), far above HiGHS's tolerances
#: (set to :data:`TOLERANCE` for these models).
MARGIN = 1e-7

#: HiGHS's primal and MIP feasibility tolerances for the region models. At HiGHS's
#: defaults (1e-7 and 1e-6, not below :data:`MARGIN`) presolve judged the fixed fairness
#: rows infeasible and HiGHS returned the start as "optimal" for every later tier (seen
#: on the Overijssel month: 98 households outside concentrated areas proven, where a
#: plan with 110 and the same fairness exists).
TOLERANCE = 1e-9

_EMPTY = np.zeros(0, dtype=np.int64)


def _frozen(name: str, value: Any, dtype: type[np.generic], size: int) -> np.ndarray:
    """``value`` as a read-only one-dimensional copy of ``dtype`` with ``size`` entries."""
    out = np.array(value, dtype=dtype, copy=True).reshape(-1)
    if len(out) != size:
        raise ValueError(f"{name} has {len(out)} entries, expected {size}")
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class RegionData:
    """The region around a :class:`ProblemData`: who belongs to which municipality, and targets.

    Attributes
    ----------
    codes
        The municipalities' codes (CBS ``GM`` codes), by municipality index.
    household_municipality
        Municipality index of each household (``-1``: linked to none of them).
    dwelling_municipality
        Municipality index of each dwelling (``-1``: in none of them).
    target
        Persons each municipality should house: quota + backlog − housed so far, ≥ 0.
    pair_herkoppeling
        Per pair, whether it houses the household outside its own municipality.
    pair_penalty
        Per pair, a cost ≥ 0 of the move (0 at home), minimised last.
    municipality_region
        Region index of each municipality (all 0: one region); regions are solved apart.
    """

    codes: tuple[str, ...]
    household_municipality: np.ndarray
    dwelling_municipality: np.ndarray
    target: np.ndarray
    pair_herkoppeling: np.ndarray
    pair_penalty: np.ndarray
    municipality_region: np.ndarray = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        m = len(self.codes)
        object.__setattr__(self, "codes", tuple(str(code) for code in self.codes))
        region = self.municipality_region
        region = np.zeros(m, dtype=np.int64) if len(region) == 0 and m else region
        for name, value, dtype, size in (
            ("target", self.target, np.int64, m),
            ("municipality_region", region, np.int64, m),
            ("household_municipality", self.household_municipality, np.int64, None),
            ("dwelling_municipality", self.dwelling_municipality, np.int64, None),
            ("pair_herkoppeling", self.pair_herkoppeling, np.bool_, None),
            ("pair_penalty", self.pair_penalty, np.int64, None),
        ):
            length = len(np.asarray(value).reshape(-1)) if size is None else size
            object.__setattr__(self, name, _frozen(name, value, dtype, length))
        if len(set(self.codes)) != m:
            raise ValueError("codes must be distinct")
        for name in ("household_municipality", "dwelling_municipality"):
            values = getattr(self, name)
            if len(values) and (values.min() < -1 or values.max() >= m):
                raise ValueError(f"{name} must be -1 or a municipality index below {m}")
        for name in ("target", "pair_penalty", "municipality_region"):
            values = getattr(self, name)
            if len(values) and values.min() < 0:
                raise ValueError(f"{name} must be ≥ 0")

    @classmethod
    def of(
        cls,
        problem: ProblemData,
        codes: tuple[str, ...] | list[str],
        household_municipality: np.ndarray,
        dwelling_municipality: np.ndarray,
        target: np.ndarray,
        pair_penalty: np.ndarray | None = None,
        municipality_region: np.ndarray | None = None,
    ) -> RegionData:
        """The region of ``problem``, with the herkoppeling of each pair worked out."""
        home = np.asarray(household_municipality, dtype=np.int64)
        there = np.asarray(dwelling_municipality, dtype=np.int64)
        h, d = problem.pair_household, problem.pair_dwelling
        moved = (home[h] >= 0) & (home[h] != there[d]) if problem.n_pairs else np.zeros(0, bool)
        penalty = np.zeros(problem.n_pairs, np.int64) if pair_penalty is None else pair_penalty
        return cls(
            codes=tuple(codes),
            household_municipality=home,
            dwelling_municipality=there,
            target=np.asarray(target),
            pair_herkoppeling=moved,
            pair_penalty=np.asarray(penalty),
            municipality_region=_EMPTY if municipality_region is None else municipality_region,
        )

    @property
    def n_municipalities(self) -> int:
        """Number of municipalities."""
        return len(self.codes)

    def check(self, problem: ProblemData) -> None:
        """Raise :class:`ValueError` unless this region fits ``problem``.

        One entry per household, dwelling and pair, and a pair is a herkoppeling
        exactly when it houses a household of a municipality outside it.
        """
        for name, size in (
            ("household_municipality", problem.n_households),
            ("dwelling_municipality", problem.n_dwellings),
            ("pair_herkoppeling", problem.n_pairs),
            ("pair_penalty", problem.n_pairs),
        ):
            if len(getattr(self, name)) != size:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, expected {size}")
        home = self.household_municipality[problem.pair_household]
        moved = (home >= 0) & (home != self.dwelling_municipality[problem.pair_dwelling])
        if not np.array_equal(moved, self.pair_herkoppeling):
            raise ValueError("pair_herkoppeling must mark the pairs that leave their municipality")

    def pair_region(self, problem: ProblemData) -> np.ndarray:
        """Region of each pair: that of its independent part (``-1``: no municipality in it).

        Raises :class:`ValueError` when a part (households and dwellings linked by
        pairs) touches two regions: a plan there could trade one region's persons
        for the other's.
        """
        region = np.append(self.municipality_region, -1)  # index -1: no municipality
        there = region[self.dwelling_municipality[problem.pair_dwelling]]
        home = region[self.household_municipality[problem.pair_household]]
        label = np.full(problem.n_pairs, -1, dtype=np.int64)
        for pairs in components(problem):
            found = np.unique(np.concatenate([there[pairs], home[pairs]]))
            found = found[found >= 0]
            if len(found) > 1:
                first = int(problem.pair_household[pairs[0]])
                raise ValueError(
                    f"household {first} meets dwellings of two regions "
                    f"({', '.join(map(str, found.tolist()))}): its part touches both"
                )
            label[pairs] = found[0] if len(found) else -1
        return label


@dataclass(frozen=True)
class RegionResult:
    """A region's plan and how each municipality fares.

    Attributes
    ----------
    result
        The engine's :class:`Result` (tiers 1–3 of the plan).
    codes, target
        As in :class:`RegionData`.
    housed
        Persons housed in each municipality's dwellings (own and received).
    own, received, sent
        Persons of its own households housed at home; of other municipalities'
        households housed in its dwellings; of its households housed elsewhere.
    herkoppelingen
        Households housed outside their municipality.
    penalty
        Sum of the penalties of the plan's pairs.
    """

    result: Result
    codes: tuple[str, ...]
    target: np.ndarray
    housed: np.ndarray
    own: np.ndarray
    received: np.ndarray
    sent: np.ndarray
    herkoppelingen: int
    penalty: int

    @property
    def attainment(self) -> np.ndarray:
        """Persons housed over target per municipality (NaN for a target of 0), not capped."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.target > 0, self.housed / np.maximum(self.target, 1), np.nan)

    @property
    def lowest_attainment(self) -> float | None:
        """The lowest attainment of a municipality with a target, ``None`` without one."""
        values = self.attainment[self.target > 0]
        return float(values.min()) if len(values) else None

    def table(self) -> pd.DataFrame:
        """One row per municipality: code, target, housed, own, received, sent, attainment."""
        return pd.DataFrame(
            {
                "municipality": list(self.codes),
                "target": self.target,
                "housed": self.housed,
                "own": self.own,
                "received": self.received,
                "sent": self.sent,
                "attainment": self.attainment,
            }
        )


def attainments(problem: ProblemData, region: RegionData, selected: np.ndarray) -> list[Fraction]:
    """Capped attainment ``min(housed, target) / target`` per municipality with a target."""
    housed = _housed(problem, region, np.asarray(selected, dtype=bool))
    return [
        Fraction(int(min(housed[m], region.target[m])), int(region.target[m]))
        for m in range(region.n_municipalities)
        if region.target[m] > 0
    ]


def region_key(
    problem: ProblemData,
    region: RegionData,
    selected: np.ndarray,
    *,
    moves_before_quality: bool = False,
) -> tuple:
    """The lexicographic objective of a plan of one region (greater is better).

    ``(persons, sorted capped attainments, outside, quality, −herkoppelingen, −penalty)``
    in exact arithmetic (quality last with ``moves_before_quality``): what
    :func:`solve_region` maximises, for checking it.
    """
    s = np.asarray(selected, dtype=bool)
    persons, outside, quality = problem.tiers(s)
    fair = tuple(sorted(attainments(problem, region, s)))
    moves = (-int(region.pair_herkoppeling[s].sum()), -int(region.pair_penalty[s].sum()))
    if moves_before_quality:
        return (persons, fair, outside, *moves, quality)
    return (persons, fair, outside, quality, *moves)


def _housed(problem: ProblemData, region: RegionData, s: np.ndarray) -> np.ndarray:
    """Persons housed in each municipality's dwellings."""
    there = region.dwelling_municipality[problem.pair_dwelling[s]]
    persons = problem.pair_persons[s]
    inside = there >= 0
    return np.bincount(
        there[inside], weights=persons[inside], minlength=region.n_municipalities
    ).astype(np.int64)


def solve_region(
    problem: ProblemData,
    region: RegionData,
    settings: SolverSettings | None = None,
    *,
    moves_before_quality: bool = False,
) -> RegionResult:
    """The lexicographically best plan of the module's objective, region by region.

    Parameters
    ----------
    problem
        The matching problem (pairs across municipalities where they pool).
    region
        Its municipalities, targets, herkoppelingen and penalties.
    settings
        Seed and time limit (wall-clock seconds for all HiGHS solves together).
    moves_before_quality
        Minimise herkoppelingen and move distances before quality (tier 4) rather
        than after it (``[region] moves_before_quality``): quality tells nearly
        every two plans apart, so after it the fewest-moves tier seldom decides.

    Returns
    -------
    RegionResult
        Its :attr:`~RegionResult.result` is ``OPTIMAL`` when every tier was
        proven, ``FEASIBLE`` when the time limit stopped a tier (the plan then
        holds every rule and is optimal on the tiers before).
    """
    settings = settings or SolverSettings()
    region.check(problem)
    start = time.perf_counter()
    deadline = start + settings.time_limit_seconds
    selected = np.zeros(problem.n_pairs, dtype=bool)
    statuses: list[Status] = []
    methods: list[Methods] = []
    label = region.pair_region(problem)
    for part in np.unique(label):
        pairs = np.flatnonzero(label == part)
        plan, status, method = _solve_part(
            problem, region, pairs, settings, deadline, moves_before_quality
        )
        selected[pairs] = plan
        statuses.append(status)
        methods.append(method)
    status = max(statuses, key=lambda s: s.severity, default=Status.OPTIMAL)
    if status == Status.INFEASIBLE:
        selected[:] = False
    objective = problem.tiers(selected)
    result = Result(
        selected=selected,
        objective=objective,
        status=status,
        method=Methods.total(methods),
        solve_seconds=time.perf_counter() - start,
        tier_status=(status,) * 3,
        bound=objective if status == Status.OPTIMAL else None,
    )
    return account(problem, region, result)


def account(problem: ProblemData, region: RegionData, result: Result) -> RegionResult:
    """Per municipality: persons housed, own, received and sent, for any plan of ``problem``."""
    s = result.selected
    m = region.n_municipalities
    home = region.household_municipality[problem.pair_household[s]]
    there = region.dwelling_municipality[problem.pair_dwelling[s]]
    persons = problem.pair_persons[s]
    moved = region.pair_herkoppeling[s]

    def per(index: np.ndarray, keep: np.ndarray) -> np.ndarray:
        keep = keep & (index >= 0)
        return np.bincount(index[keep], weights=persons[keep], minlength=m).astype(np.int64)

    return RegionResult(
        result=result,
        codes=region.codes,
        target=region.target,
        housed=_housed(problem, region, s),
        own=per(there, ~moved),
        received=per(there, moved & (home >= 0)),
        sent=per(home, moved),
        herkoppelingen=int(moved.sum()),
        penalty=int(region.pair_penalty[s].sum()),
    )


@dataclass
class _Model:
    """The HiGHS model of one region: pairs ``x``, credited persons ``s``, leximin ``r``, ``d``.

    Column ``y()`` holds ``s_m``, the persons credited to municipality ``m``
    (``min(housed, target)``, a whole number); its attainment is ``s_m / T_m``.
    """

    highs: Any
    n_pairs: int
    fair: np.ndarray  # municipality index (of the part's region) of each s
    n_columns: int
    upper_y: np.ndarray  # the column bounds of s: the targets

    def y(self) -> np.ndarray:
        return self.n_pairs + np.arange(len(self.fair))

    def r(self, k: int) -> int:
        return self.n_pairs + len(self.fair) + k

    def d(self, k: int) -> np.ndarray:
        f = len(self.fair)
        return self.n_pairs + 2 * f + k * f + np.arange(f)


def _build(sub: ProblemData, dwelling_municipality: np.ndarray, fair: np.ndarray,
           target: np.ndarray, seed: int) -> _Model:  # fmt: skip
    """HiGHS with the engine's rows, ``s_m ≤ housed_m`` and ``r_k − s_m / T_m − d_km ≤ 0``.

    All leximin columns are made at once (``f`` of ``r`` and ``f²`` of ``d`` for
    ``f`` municipalities with a target): their rows bind nothing until a step's
    objective and optimum use them.
    """
    import highspy

    matrix, lower, upper = constraint_rows(sub)
    n, f = sub.n_pairs, len(fair)
    n_columns = n + 2 * f + f * f
    blocks = [
        coo_matrix((matrix.data, (matrix.row, matrix.col)), shape=(matrix.shape[0], n_columns))
    ]
    lows, highs_ = [lower], [upper]
    if f:
        # credited persons: s_m − Σ persons x ≤ 0 (s_m ≤ T_m is its column bound)
        position = np.full(int(dwelling_municipality.max(initial=-1)) + 2, -1)
        position[fair] = np.arange(f)
        pair_row = position[dwelling_municipality[sub.pair_dwelling]]
        inside = np.flatnonzero(pair_row >= 0)
        rows = np.concatenate([pair_row[inside], np.arange(f)])
        columns = np.concatenate([inside, n + np.arange(f)])
        values = np.concatenate([-sub.pair_persons[inside].astype(float), np.ones(f)])
        blocks.append(coo_matrix((values, (rows, columns)), shape=(f, n_columns)))
        lows.append(np.full(f, -np.inf))
        highs_.append(np.zeros(f))
        # ordered rows: r_k − s_m / T_m − d_km ≤ 0, row k·f + m
        k, m = np.divmod(np.arange(f * f), f)
        rows = np.tile(np.arange(f * f), 3)
        columns = np.concatenate([n + f + k, n + m, n + 2 * f + k * f + m])
        values = np.concatenate([np.ones(f * f), -1.0 / target[fair][m], -np.ones(f * f)])
        blocks.append(coo_matrix((values, (rows, columns)), shape=(f * f, n_columns)))
        lows.append(np.full(f * f, -np.inf))
        highs_.append(np.zeros(f * f))
    a = vstack(blocks).tocsc()
    low = np.concatenate(lows)
    high = np.concatenate(highs_)

    highs = _highs(seed)
    for name in ("primal_feasibility_tolerance", "mip_feasibility_tolerance"):
        highs.setOptionValue(name, TOLERANCE)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n_columns
    lp.num_row_ = len(high)
    lp.col_cost_ = np.zeros(n_columns)
    lp.col_lower_ = np.concatenate([sub.pair_pinned.astype(float), np.zeros(f),
                                    np.full(f, -inf), np.zeros(f * f)])  # fmt: skip
    column_upper = [np.ones(n), target[fair].astype(float), np.full(f, inf), np.full(f * f, inf)]
    lp.col_upper_ = np.concatenate(column_upper)
    lp.row_lower_ = np.where(np.isfinite(low), low, -inf)
    lp.row_upper_ = high
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    # the pairs and the persons credited to each municipality are whole numbers; r and d not
    integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer] * (n + f) + [continuous] * (n_columns - n - f)
    lp.sense_ = highspy.ObjSense.kMaximize
    highs.passModel(lp)
    return _Model(highs, n, fair, n_columns, target[fair].astype(float))


def _run(
    model: _Model,
    columns: np.ndarray,
    costs: np.ndarray,
    deadline: float,
    gap: float,
    start: np.ndarray,
    presolves: tuple[str, ...] = ("on", "off"),
) -> tuple[np.ndarray | None, bool]:
    """Maximise ``costs · columns`` from the plan ``start``; the values found, and if proven.

    ``start`` (every column's value) satisfies every row so far, so HiGHS begins
    with an incumbent as good as the tiers before; the values are ``None`` when
    HiGHS returns none.
    """
    import highspy

    highs = model.highs
    cost = np.zeros(model.n_columns)
    cost[columns] = costs
    everything = np.arange(model.n_columns, dtype=np.int32)
    highs.changeColsCost(model.n_columns, everything, cost)
    highs.setOptionValue("mip_abs_gap", gap)
    # unlike the engine's matchings these models have knapsack rows (persons per
    # municipality), where presolve's reductions and cuts prove the fairness tiers faster;
    # the tiers after fairness are matchings again (``presolves`` = off only: on the
    # Overijssel month tier 3 took 8 s without presolve, 22 s with it)
    for presolve in presolves:
        # HiGHS 1.16 with presolve can report the optimum's value but return the start
        # unchanged (as allocatie.solve.mip notes); such an answer is run again without it
        highs.setOptionValue("presolve", presolve)
        highs.setSolution(model.n_columns, everything, start)
        highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.05))
        highs.run()
        solution = highs.getSolution()
        if not solution.value_valid:
            return None, False
        values = np.asarray(solution.col_value)
        reported = highs.getInfo().objective_function_value
        if abs(float(cost @ values) - reported) <= 1e-6 * max(1.0, abs(reported)):
            return values, highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return None, False  # not the plan HiGHS valued, twice: trust neither


def _reach(
    model: _Model, need: np.ndarray, deadline: float, start: np.ndarray
) -> tuple[np.ndarray | None, bool]:
    """A plan crediting every municipality at least ``need`` persons; and if settled.

    A feasibility MIP: the credited columns ``s_m`` get ``need`` as lower bound (put
    back to 0 after). Returns the values found (``None`` if none) and whether the
    answer is proven: a plan found, or none exists. ``None, False`` means the time
    limit stopped it undecided.
    """
    import highspy

    highs = model.highs
    columns = model.y().astype(np.int32)
    everything = np.arange(model.n_columns, dtype=np.int32)
    highs.changeColsCost(model.n_columns, everything, np.zeros(model.n_columns))
    highs.changeColsBounds(len(columns), columns, need.astype(float), model.upper_y)
    try:
        highs.setOptionValue("presolve", "on")
        highs.setSolution(model.n_columns, everything, start)
        highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.05))
        highs.run()
        status = highs.getModelStatus()
        solution = highs.getSolution()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, True
        if solution.value_valid:
            return np.asarray(solution.col_value), True
        return None, False
    finally:
        highs.changeColsBounds(len(columns), columns, np.zeros(len(columns)), model.upper_y)
        highs.clearSolver()


def _start(model: _Model, sub: ProblemData, region: RegionData, plan: np.ndarray) -> np.ndarray:
    """Every column's value for ``plan``: its pairs, credited persons and ordered attainments."""
    f = len(model.fair)
    values = np.zeros(model.n_columns)
    values[: model.n_pairs] = plan
    if f:
        target = region.target[model.fair]
        credited = np.minimum(_housed(sub, region, plan)[model.fair], target)
        values[model.y()] = credited
        attainment = credited / target
        for k, level in enumerate(np.sort(attainment)):
            values[model.r(k)] = level
            values[model.d(k)] = np.maximum(level - attainment, 0.0)
    return values


def _fix(
    model: _Model, columns: np.ndarray, values: np.ndarray, low: float, high: float | None = None
) -> None:
    """Add the row ``low ≤ values · columns`` (``≤ high`` when given)."""
    import highspy

    columns = np.asarray(columns, dtype=np.int32)
    top = highspy.kHighsInf if high is None else float(high)
    model.highs.addRow(float(low), top, len(columns), columns, np.asarray(values, dtype=float))


def _highest_level(target: np.ndarray, persons: int, below: Fraction | None = None) -> Fraction:
    """The largest level the persons housed allow the lowest attainment (below ``below``).

    A level ``t`` needs ``Σ_m ceil(t·T_m) ≤ persons``; the levels are the fractions
    ``h / T_m``, and the largest that passes is found by bisection over them, in
    exact arithmetic.
    """
    levels = sorted({Fraction(h, int(t)) for t in target for h in range(int(t) + 1)})
    if below is not None:
        levels = [level for level in levels if level < below] or [Fraction(0)]

    def fits(level: Fraction) -> bool:
        return sum(_needed(target, level)) <= persons

    low, high = 0, len(levels) - 1  # levels[0] = 0 always fits
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(levels[middle]) else (low, middle - 1)
    return levels[low]


def _needed(target: np.ndarray, level: Fraction) -> list[int]:
    """Persons each municipality must be credited to reach ``level``: ``ceil(level·T_m)``."""
    return [-((-level.numerator * int(t)) // level.denominator) for t in target]


def _bound_lowest(model: _Model, level: Fraction) -> None:
    """Bound ``r_0`` (the lowest attainment) by ``level``, a valid cut (up to :data:`MARGIN`)."""
    model.highs.changeColsBounds(
        1, np.array([model.r(0)], dtype=np.int32), np.array([-1e30]),
        np.array([float(level) + MARGIN]),
    )  # fmt: skip


def _solve_part(
    problem: ProblemData,
    region: RegionData,
    pairs: np.ndarray,
    settings: SolverSettings,
    deadline: float,
    moves_before_quality: bool,
) -> tuple[np.ndarray, Status, Methods]:
    """The tiers of the module for the pairs of one region; the plan over ``pairs``."""
    sub = subproblem(problem, pairs)
    dwellings = np.unique(problem.pair_dwelling[pairs])
    local = RegionData.of(
        sub,
        region.codes,
        region.household_municipality[np.unique(problem.pair_household[pairs])],
        region.dwelling_municipality[dwellings],
        region.target,
        region.pair_penalty[pairs],
    )
    first = solve(sub, settings)
    method = first.method
    if first.status == Status.INFEASIBLE:
        return np.zeros(len(pairs), dtype=bool), Status.INFEASIBLE, method
    present = np.unique(local.dwelling_municipality[local.dwelling_municipality >= 0])
    fair = present[local.target[present] > 0]
    model = _build(sub, local.dwelling_municipality, fair, local.target, settings.seed)
    everything = np.arange(sub.n_pairs)
    plan = first.selected
    status = Status.OPTIMAL
    method = Methods.total([method, Methods.one(Method.MIP)])

    def better(
        columns: np.ndarray,
        costs: np.ndarray,
        gap: float,
        presolves: tuple[str, ...] = ("on", "off"),
    ) -> tuple[np.ndarray, bool]:
        """The best plan HiGHS finds from ``plan`` (``plan`` itself if none is valid), proven?"""
        start = _start(model, sub, local, plan)
        values, proven = _run(model, columns, costs, deadline, gap, start, presolves)
        if values is None:
            return plan, False
        chosen = values[: sub.n_pairs] > 0.5
        if sub.violations(chosen) or sub.tiers(chosen)[0] < best_persons:
            return plan, False
        return chosen, proven

    persons = sub.pair_persons.astype(float)
    best_persons = first.objective[0]
    if first.status != Status.OPTIMAL:
        plan, proven = better(everything, persons, 1e-6)
        if not proven:
            return plan, Status.FEASIBLE, method
        best_persons = sub.tiers(plan)[0]
    # no plan houses more (tier 1 is optimal): an equality, which also bounds the LP
    _fix(model, everything, persons, best_persons - 0.5, best_persons + 0.5)
    # tier 2: leximin of the capped attainments. Every plan from here on houses the
    # persons of tier 1; ``plan`` is always the fairest of them seen (:func:`_fairest`,
    # by sorted attainment), so a stage the time limit stops never returns a less fair one
    f = len(fair)
    target = local.target[fair]
    level = Fraction(0)
    if f:
        candidates = [plan]
        if local.pair_herkoppeling.any():
            left = max(deadline - time.perf_counter(), 0.05)
            alone = dataclasses.replace(settings, time_limit_seconds=left)
            candidates.append(_separate(sub, local, alone, best_persons))
        plan = _fairest(sub, local, fair, candidates)
        plan = _repair(sub, local, fair, plan, deadline)
        # the lowest attainment t needs ceil(t·T_m) persons credited to every municipality,
        # at most the persons housed in all: the largest such t bounds step 1 (a valid cut)
        level = _highest_level(target, best_persons)
        _bound_lowest(model, level)
        # is that bound reached? one feasibility MIP (every s_m ≥ ceil(t·T_m)) settles
        # step 1, and at t = 1 (every municipality at its target) the whole leximin
        if min(_capped(sub, local, plan, fair)) < level:
            found, settled = _reach(
                model, np.array(_needed(target, level)), deadline, _start(model, sub, local, plan)
            )
            if found is None and not settled:
                return plan, Status.FEASIBLE, method
            if found is None:  # proven out of reach: the next level down bounds it
                level = _highest_level(target, best_persons, below=level)
                _bound_lowest(model, level)
            else:
                chosen = found[: sub.n_pairs] > 0.5
                if not sub.violations(chosen) and sub.tiers(chosen)[0] == best_persons:
                    plan = _fairest(sub, local, fair, [plan, chosen])

    for k in range(f):
        values = sorted(_capped(sub, local, plan, fair))
        if values[k] == 1:  # the rest are 1 as well: fix the total and stop
            _fix(model, model.y(), 1.0 / target, float(sum(values)) - MARGIN)
            break
        columns = np.concatenate([[model.r(k)], model.d(k)])
        costs = np.concatenate([[k + 1.0], -np.ones(f)])
        if k == 0 and values[0] >= level:  # the bound is reached: step 1 is proven
            _fix(model, columns, costs, float(values[0]) - MARGIN)
            continue
        chosen, proven = better(columns, costs, _spacing(target, k) / 2)
        plan = _fairest(sub, local, fair, [plan, chosen])  # never step back on a rounding
        if not proven:
            return plan, Status.FEASIBLE, method
        prefix = sum(sorted(_capped(sub, local, plan, fair))[: k + 1])
        _fix(model, columns, costs, float(prefix) - MARGIN)

    # tiers 3–5: outside, quality, then fewest herkoppelingen and shortest moves; two tiers
    # each, folded into one exact integer objective (the lower tier's weight exceeds any sum
    # of the higher's: it can never make up one unit of it), two solves instead of four
    moved = -local.pair_herkoppeling.astype(np.int64)
    tiers = (
        ((sub.pair_outside, moved), (-local.pair_penalty, sub.pair_quality))
        if moves_before_quality
        else ((sub.pair_outside, sub.pair_quality), (moved, -local.pair_penalty))
    )
    for higher, lower in tiers:
        costs = _folded(sub, higher, lower)
        if not costs.any():
            continue
        chosen, proven = better(everything, costs, 1e-6, ("off",))
        if float(costs[chosen].sum()) >= float(costs[plan].sum()):
            plan = chosen
        if not proven:
            return plan, Status.FEASIBLE, method
        _fix(model, everything, costs, float(costs[plan].sum()) - 0.5)
    return plan, status, method


def _spacing(target: np.ndarray, k: int) -> float:
    """A lower bound on the gap between two different values of fairness step ``k``.

    Step ``k`` sums ``k + 1`` attainments ``s_m / T_m``: the first step's values are
    single fractions, which differ by at least ``1 / (T_a · T_b)``; a sum's
    denominator divides the lcm of the targets. HiGHS may stop within half of it
    (a plan that close to the bound is optimal: no value lies in between), but not
    below ``1e-9``, the precision of its arithmetic.
    """
    largest = sorted(int(t) for t in target)[-2:]
    spacing = 1.0 / (largest[0] * largest[-1]) if k == 0 else 1.0 / math.lcm(*map(int, target))
    return max(spacing, 2e-9)


def _folded(sub: ProblemData, higher: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """``higher · W + lower`` per pair, with ``W`` above any plan's range of ``lower``.

    A plan houses each household once, so the sum of ``lower`` over a plan lies within
    the sum over households of their pairs' extremes; ``W`` is one more than that span.
    The values stay whole numbers far below 2**53, so HiGHS adds them up exactly.
    """
    if not sub.n_pairs:
        return np.zeros(0)
    h = sub.pair_household
    most = np.zeros(sub.n_households, dtype=np.int64)
    least = np.zeros(sub.n_households, dtype=np.int64)
    np.maximum.at(most, h, lower)
    np.minimum.at(least, h, lower)
    weight = int(most.sum() - least.sum()) + 1
    return (higher.astype(np.int64) * weight + lower).astype(float)


def _fairest(
    sub: ProblemData, region: RegionData, fair: np.ndarray, plans: list[np.ndarray]
) -> np.ndarray:
    """The plan of ``plans`` whose sorted capped attainments are lexicographically greatest.

    The first such plan on a tie, so a plan found later must be strictly fairer to
    replace an earlier one (all ``plans`` house the same persons).
    """
    keys = [sorted(_capped(sub, region, plan, fair)) for plan in plans]
    return plans[max(range(len(plans)), key=lambda i: (keys[i], -i))]


def _repair(
    sub: ProblemData, region: RegionData, fair: np.ndarray, plan: np.ndarray, deadline: float
) -> np.ndarray:
    """``plan`` with households moved or swapped while that makes it fairer.

    A greedy start for HiGHS, nothing more. A step either moves one housed household
    to a free dwelling it may take, or swaps the dwellings of two housed households
    that may take each other's, across two municipalities; among the steps that
    credit the most persons net (``Σ_m min(housed_m, T_m)``) it takes the first that
    keeps every rule and makes the sorted capped attainments greater
    (:func:`_fairest`). The persons housed stay the same, so tier 1 holds. It stops
    when no step helps, or at ``deadline``. Loops over the few steps tried only.
    """
    plan = plan.copy()
    position = np.full(region.n_municipalities + 1, -1)
    position[fair] = np.arange(len(fair))
    target = np.append(region.target[fair], 0)  # index -1: no fair municipality
    place = position[region.dwelling_municipality[sub.pair_dwelling]]  # -1: not fair
    persons = sub.pair_persons.astype(np.int64)
    key = sub.pair_household.astype(np.int64) * sub.n_dwellings + sub.pair_dwelling
    order_key = np.argsort(key, kind="stable")
    sorted_key = key[order_key]

    def pair_of(household: np.ndarray, dwelling: np.ndarray) -> np.ndarray:
        """The pair of each (household, dwelling), ``-1`` where there is none."""
        wanted = household.astype(np.int64) * sub.n_dwellings + dwelling
        at = np.minimum(np.searchsorted(sorted_key, wanted), len(key) - 1)
        return np.where(sorted_key[at] == wanted, order_key[at], -1)

    for _ in range(10 * sub.n_households):
        if time.perf_counter() > deadline or not sub.n_pairs:
            break
        inside = plan & (place >= 0)
        housed = np.bincount(place[inside], weights=persons[inside], minlength=len(fair))
        housed = np.append(housed.astype(np.int64), 0)
        occupant = np.full(sub.n_dwellings, -1)  # the selected pair in each dwelling
        occupant[sub.pair_dwelling[plan]] = np.flatnonzero(plan)
        now = np.full(sub.n_households, -1)
        now[sub.pair_household[plan]] = np.flatnonzero(plan)
        current = now[sub.pair_household]  # the household's selected pair, -1 if none
        open_ = (~plan) & (current >= 0) & (place != place[np.maximum(current, 0)])
        open_ &= ~sub.pair_pinned[np.maximum(current, 0)]
        there = occupant[sub.pair_dwelling]
        # moves to a free dwelling; swaps with the occupant where it may take ours
        moves = np.flatnonzero(open_ & (there < 0))
        swaps = np.flatnonzero(open_ & (there >= 0))
        swaps = swaps[~sub.pair_pinned[there[swaps]]]
        back = pair_of(sub.pair_household[there[swaps]], sub.pair_dwelling[current[swaps]])
        swaps, back = swaps[back >= 0], back[back >= 0]
        adds = np.concatenate([moves, swaps])
        delta = persons[adds] - np.concatenate([np.zeros(len(moves), np.int64), persons[back]])
        to, away = place[adds], place[current[adds]]

        net = _credit(housed, target, to, delta) + _credit(housed, target, away, -delta)
        tried = np.argsort(-net, kind="stable")
        tried = tried[net[tried] > 0][:20]
        stepped = False
        for i in tried:
            trial = plan.copy()
            trial[current[adds[i]]] = False
            trial[adds[i]] = True
            if i >= len(moves):
                j = i - len(moves)
                trial[there[swaps[j]]] = False
                trial[back[j]] = True
            if not sub.violations(trial) and _fairest(sub, region, fair, [plan, trial]) is trial:
                plan, stepped = trial, True
                break
        if not stepped:
            break
    return plan


def _credit(
    housed: np.ndarray, target: np.ndarray, m: np.ndarray, change: np.ndarray
) -> np.ndarray:
    """Change of ``min(housed_m, T_m)`` when ``change`` persons come to ``m`` (0 at ``-1``)."""
    gained = np.minimum(housed[m] + change, target[m]) - np.minimum(housed[m], target[m])
    return np.where(m >= 0, gained, 0)


def _separate(
    sub: ProblemData, region: RegionData, settings: SolverSettings, persons: int
) -> np.ndarray:
    """The plan of the municipalities matching alone, if it houses ``persons``; else none.

    Without herkoppelingen every municipality's own matching is the engine's; when
    that already houses the region's optimum it is a plan of tier 1 whose fairness
    a pooled plan must at least equal.
    """
    none = np.zeros(sub.n_pairs, dtype=bool)
    home = np.flatnonzero(~region.pair_herkoppeling)
    if sub.pair_pinned[region.pair_herkoppeling].any():
        return none
    alone = solve(sub.keep_pairs(~region.pair_herkoppeling), settings)
    if alone.status == Status.INFEASIBLE or alone.objective[0] != persons:
        return none
    plan = none.copy()
    plan[home[alone.selected]] = True
    return plan if not sub.violations(plan) else none


def _capped(
    sub: ProblemData, region: RegionData, plan: np.ndarray, fair: np.ndarray
) -> list[Fraction]:
    """Exact capped attainment of the municipalities ``fair`` under ``plan``."""
    housed = _housed(sub, region, plan)
    return [Fraction(int(min(housed[m], region.target[m])), int(region.target[m])) for m in fair]
