"""Parts solved on a Dask cluster give exactly the single-process plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.model.builder import build_instance
from allocatie.planning import instances
from allocatie.solve import solve
from allocatie.solve.distributed import dask_map


def test_local_cluster_plan_equals_single_process_plan():
    quota = pd.Series({"GM0153": 120, "GM0164": 90, "GM0141": 80})
    inst = instances.generate("three-cities", 11, quota)
    areas = load_areas()
    dwellings, _ = resolve_dwelling_areas(inst.dwellings, areas, "generated")
    problem = build_instance(inst.households, dwellings, inst.policy, areas.stats).problem
    single = solve(problem)
    with dask_map(workers=2) as map_parts:
        spread = solve(problem, map_parts=map_parts)
    assert np.array_equal(single.selected, spread.selected)
    assert single.objective == spread.objective and single.status == spread.status
    assert single.method == spread.method  # the counts travel back from the workers
