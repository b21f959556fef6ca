"""Solvers: one free :func:`solve` over :class:`~allocatie.problem.ProblemData`."""

from __future__ import annotations

from allocatie.problem import ProblemData
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, solve_flow
from allocatie.solve.result import FEASIBLE, INFEASIBLE, OPTIMAL, Result

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "Result", "solve", "is_network"]


def solve(
    problem: ProblemData,
    method: str = "auto",
    seed: int = 0,
    time_limit_seconds: float = 30.0,
) -> Result:
    """Find the lexicographically best plan.

    Parameters
    ----------
    problem
        The compiled problem.
    method
        ``auto`` (min-cost flow when the rules form a network, else CP-SAT),
        ``flow`` or ``cpsat``.
    seed, time_limit_seconds
        Passed to CP-SAT; the flow is exact and deterministic without them.

    Raises
    ------
    ValueError
        For ``method="flow"`` on a problem that is not a network.
    """
    if method == "auto":
        method = "flow" if is_network(problem) else "cpsat"
    if method == "flow":
        return solve_flow(problem)
    if method == "cpsat":
        return solve_cpsat(problem, seed=seed, time_limit_seconds=time_limit_seconds)
    raise ValueError(f"unknown method {method!r}")
