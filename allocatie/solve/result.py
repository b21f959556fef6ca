"""What a solver returns: a plan, its objective, a :class:`Status` and the :class:`Methods`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.bounds import gap


class Status(StrEnum):
    """How far a solve got, shared by all solvers.

    A :class:`~enum.StrEnum`, so a status *is* its word: it compares equal to
    ``"OPTIMAL"``, and JSON, CSV and f-strings write the same words as before
    (``kpis.json``, the manifest and the reports keep their format).
    """

    #: Every tier proven optimal (tier 3 before the stability pass: see :class:`Stability`).
    OPTIMAL = "OPTIMAL"
    #: A plan holding every rule, but a time limit stopped the search before a proof.
    FEASIBLE = "FEASIBLE"
    #: No plan holds every rule (e.g. pins that break a cap).
    INFEASIBLE = "INFEASIBLE"
    #: The time limit passed before any plan was found (which says nothing about
    #: whether one exists).
    UNKNOWN = "UNKNOWN"

    @property
    def severity(self) -> int:
        """Rank, worst highest: the status of several parts together is the worst of theirs."""
        return _SEVERITY[self]


_SEVERITY = {Status.OPTIMAL: 0, Status.FEASIBLE: 1, Status.UNKNOWN: 2, Status.INFEASIBLE: 3}


class Method(StrEnum):
    """How one independent part was solved (see :mod:`allocatie.solve` for the auto path)."""

    #: The part is a network: min-cost flow, exact.
    FLOW = "flow"
    #: The flow on the relaxation (persons headroom dropped) happened to respect the headroom.
    RELAXATION = "flow-relaxation"
    #: A flow with a price per person on the areas whose headroom binds respected every
    #: headroom and reached the Lagrangian bound (:mod:`allocatie.solve.priced`).
    PRICED = "flow-priced"
    #: The flow with safe household caps reached the relaxation's bound.
    BOUNDS_MEET = "flow-bounds-meet"
    #: HiGHS branch and bound, warm-started from the best priced or safe plan and
    #: bounded by the best bound (:mod:`allocatie.solve.mip`).
    MIP_BOUNDED = "mip-bounded"
    #: HiGHS on its own (asked for, or a building spans areas).
    MIP = "mip"
    #: The time limits stopped HiGHS and CP-SAT; the best flow plan (priced or safe caps)
    #: was better and is kept, unproven.
    SAFE_CAPS = "flow-safe-caps"
    #: CP-SAT on its own (asked for, or the part is not even a network without the headroom).
    CPSAT = "cpsat"
    #: CP-SAT bounded by the relaxation and warm-started from the safe-caps plan.
    CPSAT_BOUNDED = "cpsat-bounded"
    #: Exhaustive search (tests only).
    BRUTE = "brute"


@dataclass(frozen=True, eq=False)
class Methods(Mapping[Method, int]):
    """Which method solved how many parts: a read-only mapping ``{Method: parts}``.

    A national problem falls apart into hundreds of parts, each settled by the
    cheapest exact step that suffices; the counts say how often each step was
    needed (e.g. ``{"flow": 263, "cpsat-bounded": 1}``), which a "+"-joined
    string could not. Keys are :class:`Method` members, which compare equal to
    their names, so ``methods["flow"]`` and ``methods == {"flow": 263}`` work.
    Only methods that solved at least one part are present, in :class:`Method`
    order, so :meth:`__str__` and :meth:`as_dict` are deterministic.

    Attributes
    ----------
    counts
        ``(method, parts)`` pairs in :class:`Method` order, each count ≥ 1.
    """

    counts: tuple[tuple[Method, int], ...] = ()

    def __post_init__(self) -> None:
        merged: dict[Method, int] = {}
        for method, parts in self.counts:
            merged[Method(method)] = merged.get(Method(method), 0) + int(parts)
        ordered = tuple((m, merged[m]) for m in Method if merged.get(m, 0) > 0)
        object.__setattr__(self, "counts", ordered)

    @classmethod
    def one(cls, method: Method) -> Methods:
        """One part, solved by ``method``."""
        return cls(((method, 1),))

    @classmethod
    def total(cls, parts: Iterable[Methods]) -> Methods:
        """The counts of several results added up."""
        return cls(tuple(item for methods in parts for item in methods.counts))

    def __getitem__(self, method: str) -> int:
        for m, parts in self.counts:
            if m == method:
                return parts
        raise KeyError(method)

    def __iter__(self) -> Iterator[Method]:
        return iter(m for m, _ in self.counts)

    def __len__(self) -> int:
        return len(self.counts)

    def as_dict(self) -> dict[str, int]:
        """``{"flow": 263, ...}`` with plain-string keys, for JSON."""
        return {str(m): parts for m, parts in self.counts}

    def __str__(self) -> str:
        """``flow ×263 + cpsat-bounded ×1``: the stable rendering used in kpis.json and reports."""
        return " + ".join(f"{m} ×{parts}" for m, parts in self.counts) or "none"

    def __repr__(self) -> str:
        return f"Methods({self.as_dict()!r})"


@dataclass(frozen=True)
class Stability:
    """What the stability pass (:mod:`allocatie.solve.stable`) did to the solvers' plan.

    Tiers 1–2 are never lowered by it; tier 3 may be, and :attr:`tier3_cost` is
    that price of stability: a choice among plans equal on tiers 1–2, not a gap
    to an unproven optimum (:attr:`Result.gap` does not count it).

    Attributes
    ----------
    swaps, moves
        Trades between two households and moves into an empty dwelling made.
    before, after
        The tiers of the plan before and after the pass.
    seconds
        Wall-clock time of the pass (part of :attr:`Result.solve_seconds`).
    """

    swaps: int
    moves: int
    before: tuple[int, int, int]
    after: tuple[int, int, int]
    seconds: float = 0.0

    @property
    def tier3_before(self) -> int:
        """Tier 3 of the solvers' plan, before the pass."""
        return self.before[2]

    @property
    def tier3_cost(self) -> int:
        """Quality given up for stability: tier 3 before minus after the pass."""
        return self.before[2] - self.after[2]


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
        :attr:`Status.OPTIMAL` when every tier was proven optimal,
        ``FEASIBLE`` when a time limit stopped the search early, ``INFEASIBLE``
        when no plan holds all rules (e.g. pins that break a cap), ``UNKNOWN``
        when the time limit passed before any plan was found.
    method
        How many independent parts each method solved (:class:`Methods`); a
        single solver's own result counts one part. Written to ``kpis.json`` as
        its string rendering (``flow ×263 + cpsat-bounded ×1``).
    solve_seconds
        Wall-clock time of the solver proper (model building included).
    tier_status
        Status of each tier's optimisation, for the report.
    bound
        A lexicographic upper bound on the tiers (no plan beats it), when one is
        known: the objective itself for a proven plan, the best relaxation,
        Lagrangian or MIP bound for one that is not (see
        :mod:`allocatie.solve.bounds`). :attr:`gap` measures the plan against it.
    stability
        What the stability pass did (:class:`Stability`), ``None`` when it did not
        run (a single solver's own result, or no plan). :attr:`objective` is the
        plan after the pass; the pass's tier-3 cost is not part of :attr:`gap`.
    """

    selected: np.ndarray
    objective: tuple[int, int, int]
    status: Status
    method: Methods
    solve_seconds: float
    tier_status: tuple[Status, ...] = ()
    bound: tuple[int, int, int] | None = None
    stability: Stability | None = None

    @property
    def gap(self) -> tuple[int, int] | None:
        """``(tier, amount)`` by which :attr:`bound` lies above the plan, ``None`` if it does not.

        An unproven plan with a gap of ``(2, 1)`` may be one household outside
        concentrated areas short of the optimum; ``None`` for a proven plan,
        and for an unproven one without a bound. The tier 3 given up for
        stability (:attr:`Stability.tier3_cost`) is added back first: it is a
        choice made on purpose, not an optimum the search failed to prove.
        """
        return gap(self.solver_objective, self.bound)

    @property
    def solver_objective(self) -> tuple[int, int, int]:
        """The tiers before the stability pass: what the solvers reached, and what a cross-check
        of one solver against another compares (the pass may end differently from two
        different plans that are equally good)."""
        return self.objective if self.stability is None else self.stability.before

    def assignment(self, problem: ProblemData) -> np.ndarray:
        """Dwelling index per household, ``-1`` when the household waits."""
        out = np.full(problem.n_households, -1, dtype=np.int64)
        s = np.asarray(self.selected, dtype=bool)
        out[problem.pair_household[s]] = problem.pair_dwelling[s]
        return out
