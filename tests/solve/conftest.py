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


#: Instance families for the auto path, each making one of its branches likely (see
#: :func:`headroom_problem`).
FAMILIES = ("independent", "interchangeable", "spanning")


def headroom_problem(rng: np.random.Generator, family: str) -> ProblemData:
    """A small random problem whose persons headroom can bind, for checking ``solve``.

    Every family caps persons in some areas (the projected-composition headroom);
    they differ in what else they make likely:

    ``independent``
        every coefficient drawn per pair, every area capped (the relaxation's
        plan often breaks a headroom, and CP-SAT, bounded and warm-started,
        decides);
    ``interchangeable``
        two areas, both outside concentration, only the first capped, quality
        drawn per household and spare dwellings: a household is worth the same
        in either area, so a relaxation's plan that breaks the headroom often
        has an equally good twin within the safe caps (the bounds meet);
    ``spanning``
        buildings that span areas: not even the relaxation is a network, so
        CP-SAT solves the part alone.

    Often small enough for :func:`allocatie.solve.brute.solve_brute` (24 pairs).
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    n_households = int(rng.integers(1, 5))
    n_dwellings = int(rng.integers(n_households + 1, 2 * n_households + 3))
    interchangeable = family == "interchangeable"
    n_areas = 2 if interchangeable else int(rng.integers(1, 4))
    problem = random_problem(
        rng,
        n_households,
        n_dwellings,
        density=float(rng.uniform(0.4, 0.8)),
        n_areas=n_areas,
        area_cap=not interchangeable and bool(rng.random() < 0.3),
        persons_cap=True,
        complexes=bool(rng.random() < 0.5),
        pins=bool(rng.random() < 0.2),
    )
    if interchangeable:
        problem = problem.replace(
            area_max_persons=np.array([problem.area_max_persons[0], -1]),
            pair_quality=rng.integers(0, 1001, n_households)[problem.pair_household],
            pair_outside=np.ones(problem.n_pairs, dtype=np.int64),
        )
    elif family == "spanning":
        building = rng.integers(0, 2, n_dwellings)
        problem = problem.replace(
            dwelling_complex=np.where(rng.random(n_dwellings) < 0.7, building, -1),
            complex_max=int(rng.integers(1, 3)),
        )
    return problem
