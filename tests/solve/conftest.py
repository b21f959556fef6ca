"""Random small problems for cross-checking the solvers."""

from __future__ import annotations

import numpy as np

from allocatie.model.problem import ProblemData


def random_problem(
    rng: np.random.Generator,
    n_households: int,
    n_dwellings: int,
    density: float = 0.5,
    n_areas: int = 3,
    area_cap: bool = True,
    persons_cap: bool = False,
    complexes: bool = True,
    pins: bool = False,
) -> ProblemData:
    """A random problem with every kind of cap, built from a seeded generator."""
    grid = rng.random((n_households, n_dwellings)) < density
    h, d = np.nonzero(grid)
    persons = rng.integers(1, 6, n_households)
    area = rng.integers(0, n_areas, n_dwellings)
    outside = rng.random(n_areas) < 0.5
    complex_ = np.full(n_dwellings, -1)
    if complexes:
        # buildings nested in areas: building id = area, for a random half
        in_building = rng.random(n_dwellings) < 0.5
        complex_ = np.where(in_building, area, -1)
    pinned = np.zeros(len(h), dtype=bool)
    if pins and len(h):
        pinned[rng.integers(0, len(h))] = True
    max_households = rng.integers(1, 3, n_areas) if area_cap else np.full(n_areas, -1)
    max_persons = rng.integers(2, 9, n_areas) if persons_cap else np.full(n_areas, -1)
    return ProblemData(
        n_households=n_households,
        n_dwellings=n_dwellings,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=persons[h],
        pair_outside=outside[area[d]].astype(int),
        pair_quality=rng.integers(0, 1001, len(h)),
        pair_pinned=pinned,
        dwelling_area=area,
        dwelling_complex=complex_,
        area_max_households=max_households,
        area_max_persons=max_persons,
        complex_max=int(rng.integers(1, 3)) if complexes else -1,
    )
