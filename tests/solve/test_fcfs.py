"""First-come-first-served baseline: queue order, offer order, caps, and the optimiser's edge."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.inputs.policy import SolverSettings, policy_from_dict
from allocatie.model.builder import build_instance
from allocatie.model.problem import ProblemData
from allocatie.planning.synth import (
    DwellingMix,
    HouseholdMix,
    candidate_buurten,
    sample_dwellings,
    sample_households,
)
from allocatie.solve import solve
from allocatie.solve.fcfs import fcfs_plan, offer_rank, queue_rank


def problem(pairs, persons, n_households, n_dwellings, **caps):
    """A ProblemData from (household, dwelling) pairs; persons per household."""
    h = np.array([p[0] for p in pairs])
    d = np.array([p[1] for p in pairs])
    order = np.lexsort((d, h))
    h, d = h[order], d[order]
    n = len(h)
    return ProblemData(
        n_households=n_households,
        n_dwellings=n_dwellings,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=np.asarray(persons)[h],
        pair_outside=np.ones(n, dtype=np.int64),
        pair_quality=np.zeros(n, dtype=np.int64),
        pair_pinned=caps.pop("pinned", np.zeros(n, dtype=bool)),
        dwelling_area=caps.pop("area", np.zeros(n_dwellings, dtype=np.int64)),
        dwelling_complex=caps.pop("complex_", np.full(n_dwellings, -1, dtype=np.int64)),
        area_max_households=caps.pop("max_households", np.array([-1])),
        area_max_persons=caps.pop("max_persons", np.array([-1])),
        complex_max=caps.pop("complex_max", -1),
    )


def chosen(p, selected):
    return sorted(zip(p.pair_household[selected].tolist(), p.pair_dwelling[selected].tolist()))


def test_longest_waiting_household_gets_the_first_fitting_offer():
    # households 0..2 queue in order 2, 0, 1; dwellings ranked 1, 0, 2
    p = problem([(0, 0), (0, 1), (1, 1), (2, 0), (2, 1), (2, 2)], [1, 4, 2], 3, 3)
    plan = fcfs_plan(p, np.array([2, 0, 1]), np.array([1, 0, 2]))
    # 2 takes dwelling 1 (rank 0); 0 takes dwelling 0; 1 fits only dwelling 1: waits
    assert chosen(p, plan) == [(0, 0), (2, 1)]
    assert p.violations(plan) == []


def test_caps_on_areas_persons_and_buildings_are_respected():
    pairs = [(h, d) for h in range(4) for d in range(4)]
    persons = [3, 1, 1, 1]
    area = np.array([0, 0, 1, 1])
    p = problem(pairs, persons, 4, 4, area=area, max_households=np.array([2, -1]),
                max_persons=np.array([3, -1]))  # fmt: skip
    plan = fcfs_plan(p, np.arange(4), np.arange(4))
    # 0 (3 persons) fills area 0's persons room; 1 cannot join it and takes area 1
    assert chosen(p, plan) == [(0, 0), (1, 2), (2, 3)]
    assert p.violations(plan) == []
    building = problem(pairs, [1] * 4, 4, 4, complex_=np.array([0, 0, 0, -1]), complex_max=1)
    plan = fcfs_plan(building, np.arange(4), np.arange(4))
    assert chosen(building, plan) == [(0, 0), (1, 3)]


def test_pins_are_placed_before_the_queue():
    pinned = np.array([False, False, True, False])  # pairs sorted: (0,0),(0,1),(1,0),(1,1)
    p = problem([(0, 0), (0, 1), (1, 0), (1, 1)], [1, 1], 2, 2, pinned=pinned)
    plan = fcfs_plan(p, np.array([0, 1]), np.array([0, 1]))
    assert chosen(p, plan) == [(0, 1), (1, 0)]


def test_ranks_follow_dates_then_ids():
    linked = pd.to_datetime(["2019-05-01", "2019-05-01", "2019-04-01"])
    households = pd.DataFrame({"household_id": ["b", "a", "c"], "linked_on": linked})
    assert queue_rank(households).tolist() == [2, 1, 0]
    dwellings = pd.DataFrame(
        {"dwelling_id": ["y", "x"], "available_from": pd.to_datetime(["2019-07-01"] * 2)}
    )
    assert offer_rank(dwellings).tolist() == [1, 0]


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_households=st.integers(1, 7),
    n_dwellings=st.integers(1, 7),
)
def test_optimiser_never_houses_fewer_persons_than_fcfs(data, n_households, n_dwellings):
    """On any month's problem the FCFS plan is feasible, so the optimum is at least as good."""
    mask = data.draw(
        st.lists(st.booleans(), min_size=n_households * n_dwellings,
                 max_size=n_households * n_dwellings)
    )  # fmt: skip
    pairs = [
        (h, d) for h in range(n_households) for d in range(n_dwellings) if mask[h * n_dwellings + d]
    ]
    if not pairs:
        return
    persons = data.draw(st.lists(st.integers(1, 7), min_size=n_households, max_size=n_households))
    area = np.array(
        data.draw(st.lists(st.integers(0, 1), min_size=n_dwellings, max_size=n_dwellings))
    )
    caps = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=2, max_size=2)))
    room = np.array(data.draw(st.lists(st.integers(-1, 9), min_size=2, max_size=2)))
    p = problem(pairs, persons, n_households, n_dwellings, area=area, max_households=caps,
                max_persons=room)  # fmt: skip
    queue = np.array(data.draw(st.permutations(range(n_households))))
    rank = np.array(data.draw(st.permutations(range(n_dwellings))))
    plan = fcfs_plan(p, queue, rank)
    assert p.violations(plan) == []
    best = solve(p, SolverSettings(method="cpsat", time_limit_seconds=10))
    assert best.objective[0] >= p.tiers(plan)[0]


@pytest.mark.parametrize("seed", range(4))
def test_on_a_real_month_the_optimiser_houses_at_least_as_many_persons(seed):
    """A synthetic Enschede month through build_instance: same problem, both plans."""
    areas = load_areas()
    rng = np.random.default_rng(seed)
    day = dt.date(2019, 10, 1)
    households = sample_households(
        HouseholdMix(), 20, rng, linked_from=dt.date(2019, 6, 1), linked_until=day
    )
    buurten = candidate_buurten(areas.stats, "GM0153", concentrated_tilt=2.0)
    dwellings = sample_dwellings(
        DwellingMix(), 14, rng, buurten=buurten, available_from=dt.date(2019, 9, 1),
        available_until=dt.date(2019, 10, 31),
    )  # fmt: skip
    dwellings, problems = resolve_dwelling_areas(dwellings, areas, "synthetic")
    assert not problems
    rules = policy_from_dict(
        {"municipality": "GM0153", "spreading": {"max_households_per_area": 2}}
    )
    instance = build_instance(households, dwellings, rules, areas.stats, date=day)
    p = instance.problem
    plan = fcfs_plan(p, queue_rank(instance.households), offer_rank(instance.dwellings))
    assert p.violations(plan) == []
    assert solve(p).objective[0] >= p.tiers(plan)[0]
