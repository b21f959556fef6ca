"""What a solver returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocatie.model.problem import ProblemData

#: Status words, shared by all solvers. ``UNKNOWN``: the time limit passed before any plan
#: was found (which says nothing about whether one exists).
OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


@dataclass(frozen=True)
class Result:
    """A plan and how good it is.

    Attributes
    ----------
    selected
        Boolean per eligible pair of the problem: the pairs in the plan.
    objective
        Value of tiers 1, 2 and 3 (persons housed, households outside
        concentrated areas, summed quality).
    status
        ``OPTIMAL`` when every tier was proven optimal, ``FEASIBLE`` when a
        time limit stopped the search early, ``INFEASIBLE`` when no plan holds
        all rules (e.g. pins that break a cap), ``UNKNOWN`` when the time limit
        passed before any plan was found.
    method
        ``cpsat``, ``flow`` or ``brute``.
    solve_seconds
        Wall-clock time of the solver proper (model building included).
    tier_status
        Status of each tier's optimisation, for the report.
    """

    selected: np.ndarray
    objective: tuple[int, int, int]
    status: str
    method: str
    solve_seconds: float
    tier_status: tuple[str, ...] = ()

    def assignment(self, problem: ProblemData) -> np.ndarray:
        """Dwelling index per household, ``-1`` when the household waits."""
        out = np.full(problem.n_households, -1, dtype=np.int64)
        s = np.asarray(self.selected, dtype=bool)
        out[problem.pair_household[s]] = problem.pair_dwelling[s]
        return out
