"""The general model: CP-SAT, tiers optimised one after the other.

Lexicographic rather than weighted: after each tier is solved to optimality its
value becomes a constraint, so no choice of weights can let a lower tier buy
off a higher one, and coefficients stay small (CP-SAT's LP relaxation suffers
from huge weights). Each tier is warm-started from the previous tier's plan.
One worker and a fixed seed make the plan identical on every machine.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from allocatie.model.problem import ProblemData
from allocatie.solve.bounds import must_without_pair
from allocatie.solve.result import Method, Methods, Result, Status

_STATUS = {cp_model.OPTIMAL: Status.OPTIMAL, cp_model.FEASIBLE: Status.FEASIBLE}

#: Wall-clock limit as a multiple of the deterministic budget: a safety net for a
#: pathological machine, far enough out never to decide a normal run.
WALL_CLOCK_FACTOR = 20


def _add_caps(model: cp_model.CpModel, x: pd.Series, problem: ProblemData) -> None:
    """One-to-one, pins, households that must be housed, and the per-area and per-building caps.

    A household that must be housed (``household_must``) gets exactly one of its
    pairs instead of at most one; one without any pair makes the model infeasible.
    """
    must = problem.household_must
    for h, group in x.groupby(problem.pair_household):
        if must[h]:
            model.add_exactly_one(group.tolist())
        else:
            model.add_at_most_one(group.tolist())
    if must_without_pair(problem):
        model.add_bool_or([])  # an empty clause: no plan houses a household without a pair
    for _, group in x.groupby(problem.pair_dwelling):
        model.add_at_most_one(group.tolist())
    for index in np.flatnonzero(problem.pair_pinned):
        model.add(x.iloc[index] == 1)

    area = problem.dwelling_area[problem.pair_dwelling]
    for a, group in x.groupby(area):
        cap = problem.area_max_households[a]
        if 0 <= cap < len(group):
            model.add(cp_model.LinearExpr.sum(group.tolist()) <= int(cap))
        room = problem.area_max_persons[a]
        persons = problem.pair_persons[group.index]
        if 0 <= room < persons.sum():
            model.add(
                cp_model.LinearExpr.weighted_sum(group.tolist(), persons.tolist()) <= int(room)
            )

    if problem.complex_max >= 0:
        building = problem.dwelling_complex[problem.pair_dwelling]
        in_building = building >= 0
        for _, group in x[in_building].groupby(building[in_building]):
            if problem.complex_max < len(group):
                model.add(cp_model.LinearExpr.sum(group.tolist()) <= problem.complex_max)


def _hint(model: cp_model.CpModel, variables: list[cp_model.IntVar], values: np.ndarray) -> None:
    """Warm start: the previous tier's plan, written to the proto in one go."""
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(v.index for v in variables)
    hint.values.extend(values.astype(int).tolist())


def solve_cpsat(
    problem: ProblemData,
    seed: int = 0,
    time_limit_seconds: float = 30.0,
    hint: np.ndarray | None = None,
    bounds: tuple[int, int, int] | None = None,
) -> Result:
    """Solve ``problem`` lexicographically with CP-SAT.

    Parameters
    ----------
    problem
        The problem data.
    seed
        CP-SAT random seed; with one worker the search is deterministic.
    time_limit_seconds
        Budget for all three tiers together, in CP-SAT's deterministic seconds
        (roughly wall-clock seconds on a current machine, but the same on every
        machine). A tier that runs out of time keeps its best plan; the result
        is then :attr:`~Status.FEASIBLE`, not ``OPTIMAL``.
    hint
        Optional plan (boolean per pair) to start the first tier from, e.g.
        the min-cost-flow plan of the relaxed network.
    bounds
        Optional lexicographic upper bound, e.g. the optimum of a relaxation.
        While the tiers solved so far reach it, the next tier's bound is added
        as a constraint, and a tier that a feasible ``hint`` already reaches is
        not searched at all — large parts then only search where the bound
        and the hint differ.
    """
    start = time.perf_counter()
    spent = 0.0
    model = cp_model.CpModel()
    x = model.new_bool_var_series("x", pd.RangeIndex(problem.n_pairs))
    _add_caps(model, x, problem)

    variables = x.tolist()
    tiers = (problem.pair_persons, problem.pair_outside, problem.pair_quality)
    values: list[int] = []
    statuses: list[Status] = []
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    start_plan = None if hint is None else np.asarray(hint, dtype=bool)
    hint_tiers = None
    if start_plan is not None and not problem.violations(start_plan):
        hint_tiers = problem.tiers(start_plan)
    for tier, coefficients in enumerate(tiers):
        expr = cp_model.LinearExpr.weighted_sum(variables, coefficients.tolist())
        if bounds is not None and list(bounds[:tier]) == values:
            model.add(expr <= bounds[tier])
            if hint_tiers is not None and list(hint_tiers[: tier + 1]) == [*values, bounds[tier]]:
                assert start_plan is not None  # hint_tiers is only set from it
                chosen = start_plan
                values.append(bounds[tier])
                statuses.append(Status.OPTIMAL)
                model.add(expr >= bounds[tier])
                continue
        model.maximize(expr)
        if values:
            _hint(model, variables, chosen)
        elif start_plan is not None:
            _hint(model, variables, start_plan)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(seed)
        solver.parameters.linearization_level = 2
        # The budget is CP-SAT's *deterministic* time, so a plan cut short by the limit
        # is still the same plan on every machine; wall-clock time is only a safety net.
        remaining = time_limit_seconds - spent
        solver.parameters.max_deterministic_time = max(remaining, 0.01)
        solver.parameters.max_time_in_seconds = WALL_CLOCK_FACTOR * max(remaining, 0.01)
        outcome = solver.solve(model)
        spent += solver.response_proto.deterministic_time
        if outcome not in _STATUS:
            seconds = time.perf_counter() - start
            if values and outcome != cp_model.INFEASIBLE:
                # out of time on a lower tier: the plan of the tiers before still holds
                statuses.append(Status.UNKNOWN)
                return Result(
                    chosen,
                    problem.tiers(chosen),
                    Status.FEASIBLE,
                    Methods.one(Method.CPSAT),
                    seconds,
                    tuple(statuses),
                )
            word = Status.INFEASIBLE if outcome == cp_model.INFEASIBLE else Status.UNKNOWN
            return Result(chosen, (0, 0, 0), word, Methods.one(Method.CPSAT), seconds, (word,))
        statuses.append(_STATUS[outcome])
        chosen = solver.boolean_values(x).to_numpy(dtype=bool)
        value = int(round(solver.objective_value))
        values.append(value)
        model.add(expr >= value)

    status = Status.OPTIMAL if all(s == Status.OPTIMAL for s in statuses) else Status.FEASIBLE
    return Result(
        selected=chosen,
        objective=problem.tiers(chosen),
        status=status,
        method=Methods.one(Method.CPSAT),
        solve_seconds=time.perf_counter() - start,
        tier_status=tuple(statuses),
    )
