"""The MIP model: HiGHS branch and bound, tiers optimised one after the other.

For the parts where the persons headroom really binds and no priced flow
(:mod:`allocatie.solve.priced`) proves a plan optimal. These parts are small
matchings with a few knapsack rows, whose LP relaxation is nearly integral, so a
dual-simplex branch and bound proves them at the root or in a few nodes, where
CP-SAT (which reasons on the clauses first) needs far longer on the large ones.

Lexicographic, like :mod:`allocatie.solve.cpsat`: each tier is maximised with
its own small integer coefficients, and its optimum becomes a constraint for the
next, so no folded weight can strain the LP's tolerances; a tier that a
feasible hint already brings to a known upper bound is not searched at all.
Every objective is an integer, so HiGHS is run with no relative gap: a tier is
optimal when its bound lies less than one unit above the plan. Each plan HiGHS
returns is checked before it is used: it must respect every rule
(:meth:`~allocatie.model.problem.ProblemData.violations`) and have the value
HiGHS reports; otherwise the part is left to CP-SAT.

HiGHS runs with one thread and a fixed seed; its branch and bound is then
deterministic, so a proven plan is the same on every run. Its time limit is
wall-clock time (HiGHS has no deterministic budget), so a plan cut short by the
limit can differ from run to run; :func:`allocatie.solve.solve_part` therefore
only keeps a HiGHS plan that is proven.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix

from allocatie.model.problem import ProblemData
from allocatie.solve.bounds import completed, must_without_pair
from allocatie.solve.result import Method, Methods, Result, Status

#: Wall-clock limit of one tier when none is left of the budget: enough to
#: finish a root LP of a small part, never enough to decide a normal run.
MIN_SECONDS = 0.05


def available() -> bool:
    """Whether ``highspy`` can be imported (the auto path falls back to CP-SAT without it)."""
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Keep HiGHS's one-time banner (written by C code to file descriptor 1) off stdout.

    ``allocatie bench --json`` and the CLI own stdout; the banner is printed on
    the first ``Highs()`` of a process, before any option could silence it.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 at all: nothing to protect
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
        ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _highs(seed: int) -> Any:
    """A silent, single-threaded, seeded HiGHS instance for exact MIPs."""
    import highspy

    with _stdout_silenced():
        highs = highspy.Highs()
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", int(seed)),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1e-6),
        # these matchings have little to presolve; without it the national benchmark's ten
        # MIP parts take 0.27 s instead of 0.50 s (and a 20,000-pair part 2 s instead of 6 s)
        ("presolve", "off"),
    ):
        highs.setOptionValue(name, value)
    return highs


def constraint_rows(problem: ProblemData) -> tuple[coo_matrix, np.ndarray, np.ndarray]:
    """The constraints as a sparse 0/1 (persons: weighted) matrix and each row's two ends.

    One row per household and per dwelling with more than one pair, per area
    whose household cap or persons headroom could be reached, and per building
    whose cap could be. Rows that cannot bind are left out, so a part's model is
    little more than its pairs. A household every plan must house
    (``household_must``) always has its row, with lower end 1 (``Σ x_h ≥ 1``);
    every other row's lower end is ``-inf``.
    """
    pairs = np.arange(problem.n_pairs)
    area = problem.dwelling_area[problem.pair_dwelling]
    dwellings_in_area = np.bincount(problem.dwelling_area, minlength=problem.n_areas)
    largest = np.zeros(problem.n_dwellings, dtype=np.int64)
    np.maximum.at(largest, problem.pair_dwelling, problem.pair_persons)
    most_persons = np.bincount(problem.dwelling_area, weights=largest, minlength=problem.n_areas)

    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        keys: np.ndarray,
        members: np.ndarray,
        upper: np.ndarray,
        weights: Any = 1,
        lower: np.ndarray | None = None,
    ) -> None:
        """Rows for the groups ``keys`` of the pairs ``members``, each within ``[lower, upper]``."""
        groups, row = np.unique(keys, return_inverse=True)
        coefficients = np.broadcast_to(np.asarray(weights, dtype=float), members.shape)
        low = np.full(len(groups), -np.inf) if lower is None else lower[groups].astype(float)
        blocks.append((row, members, coefficients, low, upper[groups].astype(float)))

    must = np.where(problem.household_must, 1.0, -np.inf)
    household = problem.pair_household
    several = np.bincount(household, minlength=problem.n_households)[household] > 1
    rowed = several | problem.household_must[household]
    add(household[rowed], pairs[rowed], np.ones(problem.n_households), lower=must)
    dwelling = problem.pair_dwelling
    several = np.bincount(dwelling, minlength=problem.n_dwellings)[dwelling] > 1
    add(dwelling[several], pairs[several], np.ones(problem.n_dwellings))
    cap = problem.area_max_households
    binds = (cap >= 0) & (cap < dwellings_in_area)
    add(area[binds[area]], pairs[binds[area]], cap)
    room = problem.area_max_persons
    binds = (room >= 0) & (room < most_persons)
    add(area[binds[area]], pairs[binds[area]], room, problem.pair_persons[binds[area]])
    if problem.complex_max >= 0 and problem.n_complexes:
        building = problem.dwelling_complex[problem.pair_dwelling]
        size = np.bincount(problem.dwelling_complex[problem.dwelling_complex >= 0],
                           minlength=problem.n_complexes)  # fmt: skip
        binds = (building >= 0) & (size[np.maximum(building, 0)] > problem.complex_max)
        add(building[binds], pairs[binds], np.full(problem.n_complexes, problem.complex_max))

    offsets = np.cumsum([0] + [len(b[4]) for b in blocks])
    rows = np.concatenate([b[0] + offset for b, offset in zip(blocks, offsets)])
    columns = np.concatenate([b[1] for b in blocks])
    values = np.concatenate([b[2] for b in blocks])
    lower = np.concatenate([b[3] for b in blocks])
    upper = np.concatenate([b[4] for b in blocks])
    matrix = coo_matrix((values, (rows, columns)), shape=(int(offsets[-1]), problem.n_pairs))
    return matrix, lower, upper


def _load(highs: Any, problem: ProblemData) -> None:
    """Pass the model (binary pair variables, pins fixed to 1, the caps as rows) to HiGHS."""
    import highspy

    matrix, lower, upper = constraint_rows(problem)
    columns = matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = problem.n_pairs
    lp.num_row_ = len(upper)
    lp.col_cost_ = np.zeros(problem.n_pairs)
    lp.col_lower_ = problem.pair_pinned.astype(float)
    lp.col_upper_ = np.ones(problem.n_pairs)
    lp.row_lower_ = np.where(np.isfinite(lower), lower, -highspy.kHighsInf)
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = columns.indptr.astype(np.int32)
    lp.a_matrix_.index_ = columns.indices.astype(np.int32)
    lp.a_matrix_.value_ = columns.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * problem.n_pairs
    lp.sense_ = highspy.ObjSense.kMaximize
    highs.passModel(lp)


def solve_mip(
    problem: ProblemData,
    seed: int = 0,
    time_limit_seconds: float = 30.0,
    hint: np.ndarray | None = None,
    bounds: tuple[int, int, int] | None = None,
) -> Result:
    """Solve ``problem`` lexicographically with HiGHS.

    Parameters
    ----------
    problem
        The problem data (any rules: buildings may span areas).
    seed
        HiGHS random seed; with one thread the search is deterministic.
    time_limit_seconds
        Wall-clock budget for the three tiers together. A tier stopped by it
        keeps its best plan; the result is then :attr:`~Status.FEASIBLE`.
    hint
        Optional plan (boolean per pair) that respects every rule, e.g. the
        best flow plan; with ``bounds``, it settles the tiers it brings to their
        bound. It is not passed to HiGHS as a start: HiGHS 1.16 with presolve
        can report the optimum's value while returning the start unchanged (seen
        on a 17-pair part), and these parts are solved at the root anyway.
    bounds
        Optional lexicographic upper bound (a relaxation's or a priced flow's).
        While the tiers solved so far reach it, a tier the hint already brings
        to its bound is proven without a search.

    Returns
    -------
    Result
        Credited to :attr:`Method.MIP`. When a tier is stopped by the limit,
        :attr:`Result.bound` holds HiGHS's bound on it (the tiers below filled
        in by :func:`~allocatie.solve.bounds.completed`).
    """
    start = time.perf_counter()
    if must_without_pair(problem):
        return _failed(problem, Status.INFEASIBLE, start)
    if problem.n_pairs == 0:  # HiGHS calls a model without columns empty, not solved
        return _result(problem, np.zeros(0, dtype=bool), start, [0, 0, 0], None)
    highs = _highs(seed)
    _load(highs, problem)
    import highspy

    everything = np.arange(problem.n_pairs, dtype=np.int32)
    tiers = (problem.pair_persons, problem.pair_outside, problem.pair_quality)
    plan: np.ndarray | None = None
    if hint is not None and not problem.violations(np.asarray(hint, dtype=bool)):
        plan = np.asarray(hint, dtype=bool)
    hint_tiers = None if plan is None else problem.tiers(plan)
    values: list[int] = []  # the optimum of each tier solved so far
    for tier, coefficients in enumerate(tiers):
        if (
            bounds is not None
            and hint_tiers is not None
            and list(bounds[:tier]) == values
            and hint_tiers[: tier + 1] == (*values, bounds[tier])
        ):
            values.append(bounds[tier])  # the hint reaches the bound: proven, no search
        else:
            highs.changeColsCost(problem.n_pairs, everything, coefficients.astype(float))
            remaining = time_limit_seconds - (time.perf_counter() - start)
            highs.setOptionValue("time_limit", max(remaining, MIN_SECONDS))
            highs.run()
            outcome = highs.getModelStatus()
            if outcome == highspy.HighsModelStatus.kInfeasible:
                return _failed(problem, Status.INFEASIBLE, start)
            found = highs.getSolution()
            if not found.value_valid:
                if plan is None or not values:
                    return _failed(problem, Status.UNKNOWN, start)
                return _result(problem, plan, start, values, None)  # the tiers before hold
            chosen = np.asarray(found.col_value) > 0.5
            value = problem.tiers(chosen)[tier]
            reported = highs.getInfo().objective_function_value
            if problem.violations(chosen) or abs(value - reported) > 1e-6 * max(1.0, abs(value)):
                # not a plan, or not the plan HiGHS valued: trust neither
                return _failed(problem, Status.UNKNOWN, start)
            plan = chosen
            if outcome != highspy.HighsModelStatus.kOptimal:  # stopped by the time limit
                dual = highs.getInfo().mip_dual_bound
                top = max(value, int(np.floor(dual + 1e-6))) if np.isfinite(dual) else None
                return _result(problem, plan, start, values, top)
            values.append(value)
        highs.addRow(float(values[-1]), highspy.kHighsInf, problem.n_pairs, everything,
                     coefficients.astype(float))  # fmt: skip
    assert plan is not None  # every tier was proven, each with a plan
    return _result(problem, plan, start, values, None)


def _result(
    problem: ProblemData,
    plan: np.ndarray,
    start: float,
    proven: list[int],
    open_bound: int | None,
) -> Result:
    """The result once the tiers ``proven`` are optimal and the next one (if any) is not.

    The bound is the proven values, then ``open_bound`` on the open tier when HiGHS
    gave one, the rest completed by :func:`~allocatie.solve.bounds.completed`.
    """
    objective = problem.tiers(plan)
    done = len(proven) == 3
    head = tuple(proven) if open_bound is None else (*proven, open_bound)
    statuses = [Status.OPTIMAL] * len(proven) + [Status.FEASIBLE] * (3 - len(proven))
    return Result(
        selected=plan,
        objective=objective,
        status=Status.OPTIMAL if done else Status.FEASIBLE,
        method=Methods.one(Method.MIP),
        solve_seconds=time.perf_counter() - start,
        tier_status=tuple(statuses),
        bound=objective if done else completed(problem, head),
    )


def _failed(problem: ProblemData, status: Status, start: float) -> Result:
    """No plan: infeasible, out of time before the first one, or a plan HiGHS got wrong."""
    empty = np.zeros(problem.n_pairs, dtype=bool)
    seconds = time.perf_counter() - start
    return Result(empty, (0, 0, 0), status, Methods.one(Method.MIP), seconds, (status,))
