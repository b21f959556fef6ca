"""Immutable, numpy-backed problem data: what every solver sees.

The builder (:func:`build_problem`) turns typed tables into this compact form
once; the CP-SAT model, the min-cost-flow formulation and the brute-force
checker all read the same arrays, so when they agree on the optimum they agree
on the same question.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


def _frozen(array: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class ProblemData:
    """One matching problem, in arrays.

    Households and dwellings are numbered by position; eligible pairs are
    listed in long format sorted by household then dwelling. The three
    objective tiers are per-pair integers, maximised lexicographically:
    ``pair_persons`` (tier 1, persons housed), ``pair_outside`` (tier 2,
    1 when the dwelling's area is not concentrated) and ``pair_quality``
    (tier 3, 0…1000).

    Caps use ``-1`` for "no cap". ``area_max_persons`` is the projected-
    composition headroom; it is the one rule that is not a network constraint.

    Attributes
    ----------
    pair_household, pair_dwelling
        Indices of each eligible pair.
    pair_persons, pair_outside, pair_quality
        Objective coefficients of each pair, one array per tier.
    pair_pinned
        True for pairs the coordinator fixed; those must be in every plan.
    dwelling_area
        Index of each dwelling's spreading area.
    dwelling_complex
        Index of each dwelling's building, ``-1`` when not given.
    area_max_households, area_max_persons
        Per-area caps (``-1`` = none).
    complex_max
        Per-building cap on placements (``-1`` = none).
    """

    n_households: int
    n_dwellings: int
    pair_household: np.ndarray
    pair_dwelling: np.ndarray
    pair_persons: np.ndarray
    pair_outside: np.ndarray
    pair_quality: np.ndarray
    pair_pinned: np.ndarray
    dwelling_area: np.ndarray
    dwelling_complex: np.ndarray
    area_max_households: np.ndarray
    area_max_persons: np.ndarray
    complex_max: int = -1

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                dtype = bool if f.name == "pair_pinned" else np.int64
                object.__setattr__(self, f.name, _frozen(value, dtype))
        n = len(self.pair_household)
        for name in (
            "pair_dwelling",
            "pair_persons",
            "pair_outside",
            "pair_quality",
            "pair_pinned",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, expected {n}")
        if (
            len(self.dwelling_area) != self.n_dwellings
            or len(self.dwelling_complex) != self.n_dwellings
        ):
            raise ValueError("dwelling_area and dwelling_complex need one entry per dwelling")
        if len(self.area_max_households) != len(self.area_max_persons):
            raise ValueError("area cap arrays differ in length")

    @property
    def n_pairs(self) -> int:
        return len(self.pair_household)

    @property
    def n_areas(self) -> int:
        return len(self.area_max_households)

    @property
    def n_complexes(self) -> int:
        return int(self.dwelling_complex.max(initial=-1)) + 1

    def tiers(self, selected: np.ndarray) -> tuple[int, int, int]:
        """Objective value of each tier for a boolean selection of pairs."""
        s = np.asarray(selected, dtype=bool)
        return (
            int(self.pair_persons[s].sum()),
            int(self.pair_outside[s].sum()),
            int(self.pair_quality[s].sum()),
        )

    def violations(self, selected: np.ndarray) -> list[str]:
        """Every constraint a selection of pairs breaks (empty when feasible).

        Used by the solvers' tests and as a last check before a plan is
        reported, so a solver bug can never reach a household.
        """
        s = np.asarray(selected, dtype=bool)
        out: list[str] = []
        h = np.bincount(self.pair_household[s], minlength=self.n_households)
        if (h > 1).any():
            out.append(f"households with several dwellings: {np.flatnonzero(h > 1).tolist()}")
        d = np.bincount(self.pair_dwelling[s], minlength=self.n_dwellings)
        if (d > 1).any():
            out.append(f"dwellings with several households: {np.flatnonzero(d > 1).tolist()}")
        if (self.pair_pinned & ~s).any():
            out.append("a pinned pair is not in the plan")
        area = self.dwelling_area[self.pair_dwelling[s]]
        per_area = np.bincount(area, minlength=self.n_areas)
        capped = self.area_max_households >= 0
        if (capped & (per_area > self.area_max_households)).any():
            out.append("an area receives more households than max_households_per_area")
        persons = np.bincount(area, weights=self.pair_persons[s], minlength=self.n_areas)
        capped = self.area_max_persons >= 0
        if (capped & (persons > self.area_max_persons)).any():
            out.append("an area is pushed over the concentration threshold")
        if self.complex_max >= 0:
            cx = self.dwelling_complex[self.pair_dwelling[s]]
            per_cx = np.bincount(cx[cx >= 0], minlength=max(self.n_complexes, 1))
            if (per_cx > self.complex_max).any():
                out.append("a building receives more households than max_per_complex")
        return out
