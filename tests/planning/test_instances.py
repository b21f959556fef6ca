"""Benchmark instances: reproducible, realistic, and solved the same by every route."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.model.builder import build_instance
from allocatie.planning import instances
from allocatie.planning.bench import fcfs, make
from allocatie.solve import solve
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import solve_flow


def test_national_quota_sums_to_17600_and_follows_population():
    quota = instances.quota_per_municipality(load_areas().stats, 17_600)
    assert quota.sum() == 17_600
    assert quota["GM0363"] > quota["GM0153"] > quota["GM0141"]  # Amsterdam > Enschede > Almelo


def test_same_seed_same_instance_other_seed_other_instance():
    a, b, c = instances.city("GM0153", 7), instances.city("GM0153", 7), instances.city("GM0153", 8)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.dwellings, b.dwellings)
    assert not a.households.equals(c.households)


def test_city_instance_mix_is_realistic():
    inst = instances.city("GM0164", 3, persons=600)
    persons = inst.households["persons"]
    assert persons.sum() == 600
    assert (persons == 1).mean() > 0.5  # over half single
    bedrooms = inst.dwellings["bedrooms"]
    assert (bedrooms <= 1).mean() < 0.25  # small dwellings scarce
    assert inst.dwellings["buurt_code"].str.startswith("BU0164").all()


def built(inst: instances.Instance):
    areas = load_areas()
    dwellings, problems = resolve_dwelling_areas(inst.dwellings, areas, "generated")
    assert problems == []
    return build_instance(inst.households, dwellings, inst.policy, areas.stats)


@pytest.mark.parametrize("seed", [1, 2])
def test_split_solve_equals_cpsat_and_bare_flow_on_a_city(seed):
    instance = built(make("city-half-year", seed))
    ours, flow = solve(instance.problem), solve_flow(instance.problem)
    cpsat = solve_cpsat(instance.problem)
    assert ours.status == flow.status == cpsat.status == "OPTIMAL"
    assert ours.objective == flow.objective == cpsat.objective


def test_fcfs_respects_the_rules_and_never_beats_the_optimum_on_persons():
    instance = built(make("city-half-year", 4))
    greedy = fcfs(instance.problem, instance.households["wait_days"].to_numpy())
    assert instance.problem.violations(greedy) == []
    assert instance.problem.tiers(greedy)[0] <= solve(instance.problem).objective[0]


def test_households_stay_in_their_own_municipality():
    quota = pd.Series({"GM0153": 60, "GM0164": 60})
    instance = built(instances.generate("two", 5, quota))
    h = instance.households["gemeente_code"].to_numpy()[instance.problem.pair_household]
    d = instance.dwellings["gemeente_code"].to_numpy()[instance.problem.pair_dwelling]
    assert np.array_equal(h, d)
