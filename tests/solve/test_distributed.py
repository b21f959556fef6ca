"""Parts solved on a Dask cluster give exactly the single-process plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.model.builder import build_instance
from allocatie.model.problem import ProblemData
from allocatie.planning import instances
from allocatie.solve import Method, solve
from allocatie.solve.distributed import dask_map
from tests.solve.conftest import random_problem


@pytest.mark.parametrize("projected", [False, True], ids=["network", "headroom"])
def test_local_cluster_plan_equals_single_process_plan(projected):
    """Also with the projected-composition rule, where priced flows and HiGHS settle parts
    (HiGHS single-threaded and seeded in every worker process)."""
    quota = pd.Series({"GM0153": 250, "GM0164": 150, "GM0141": 150})
    inst = instances.generate("three-cities", 9, quota)
    spreading = dataclasses.replace(inst.policy.spreading, projected_composition=projected)
    policy = dataclasses.replace(inst.policy, spreading=spreading)
    areas = load_areas()
    dwellings, _ = resolve_dwelling_areas(inst.dwellings, areas, "generated")
    problem = build_instance(inst.households, dwellings, policy, areas.stats).problem
    single = solve(problem)
    if projected:
        assert set(single.method) - {Method.FLOW, Method.RELAXATION}, single.method
    with dask_map(workers=2) as map_parts:
        spread = solve(problem, map_parts=map_parts)
    assert np.array_equal(single.selected, spread.selected)
    assert single.objective == spread.objective and single.status == spread.status
    assert single.method == spread.method  # the counts travel back from the workers


def stacked(problems: list[ProblemData]) -> ProblemData:
    """Independent problems side by side in one (households, dwellings, areas renumbered)."""
    h0 = np.cumsum([0] + [p.n_households for p in problems])
    d0 = np.cumsum([0] + [p.n_dwellings for p in problems])
    a0 = np.cumsum([0] + [p.n_areas for p in problems])
    c0 = np.cumsum([0] + [p.n_complexes for p in problems])

    def joined(name: str, offsets: np.ndarray | None = None) -> np.ndarray:
        arrays = [getattr(p, name) for p in problems]
        if offsets is None:
            return np.concatenate(arrays)
        return np.concatenate([np.where(a >= 0, a + o, a) for a, o in zip(arrays, offsets)])

    return ProblemData(
        n_households=int(h0[-1]),
        n_dwellings=int(d0[-1]),
        pair_household=joined("pair_household", h0),
        pair_dwelling=joined("pair_dwelling", d0),
        pair_persons=joined("pair_persons"),
        pair_outside=joined("pair_outside"),
        pair_quality=joined("pair_quality"),
        pair_pinned=joined("pair_pinned"),
        dwelling_area=joined("dwelling_area", a0),
        dwelling_complex=joined("dwelling_complex", c0),
        area_max_households=joined("area_max_households"),
        area_max_persons=joined("area_max_persons"),
        complex_max=max(p.complex_max for p in problems),
    )


def test_parts_that_need_highs_give_the_same_plan_on_a_cluster():
    rng = np.random.default_rng(5)
    problem = stacked(
        [
            random_problem(rng, 30, 34, density=0.3, n_areas=6, persons_cap=True, complexes=False)
            for _ in range(6)
        ]
    )
    single = solve(problem)
    assert single.method.get(Method.MIP_BOUNDED, 0) > 0, single.method
    with dask_map(workers=2) as map_parts:
        spread = solve(problem, map_parts=map_parts)
    assert np.array_equal(single.selected, spread.selected)
    assert single.objective == spread.objective and single.method == spread.method
