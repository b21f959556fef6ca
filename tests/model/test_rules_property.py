"""Property tests: every match of every plan holds every hard rule, checked independently.

The checker below re-states DESIGN §3 one pair at a time in plain Python, sharing no code
with the vectorised eligibility, so a slip in either shows up as a disagreement.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from allocatie.areas.data import load_areas
from allocatie.inputs.policy import (
    Affordability,
    Policy,
    SolverSettings,
    Spreading,
    policy_from_dict,
)
from allocatie.model.builder import build_instance
from allocatie.solve import Status, solve

DATE = dt.date(2019, 10, 1)
BUURTEN = ["BU01530606", "BU01530208", "BU01530808", "BU01530005", "BU01530000", "BU01530603"]


def holds_rules(h: pd.Series, d: pd.Series, policy: Policy) -> bool:
    p = h["persons"] + h["expected_reunification"]
    lowest = math.ceil((p - 1) / 2)
    if not lowest <= d["bedrooms"] <= lowest + policy.occupancy.max_extra_bedrooms:
        return False
    if not p <= 2 * d["bedrooms"] + 1:
        return False
    if h["needs_accessible"] and not d["accessible"]:
        return False
    if not pd.isna(h["max_floor"]) and d["floor"] > h["max_floor"] and not d["elevator"]:
        return False
    cap = policy.affordability.cap_low if p <= 2 else policy.affordability.cap_high
    if h["income_below_rent_benefit_limit"] and d["rent"] > cap:
        return False
    last = pd.Timestamp(DATE + dt.timedelta(days=policy.matching.window_days))
    if d["available_from"] > last:
        return False
    codes = {d["buurt_code"], d["wijk_code"], d["gemeente_code"]}
    return not codes & set(h["excluded_areas"])


households_strategy = st.lists(
    st.tuples(
        st.integers(1, 7),  # persons
        st.integers(0, 3),  # expected reunification
        st.booleans(),  # needs accessible
        st.one_of(st.none(), st.integers(0, 3)),  # max floor
        st.booleans(),  # income below limit
        st.integers(0, 200),  # days waiting
        st.lists(st.sampled_from(BUURTEN), max_size=2),  # excluded
    ),
    min_size=1,
    max_size=12,
)
dwellings_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # bedrooms
        st.integers(0, 4),  # floor
        st.booleans(),  # elevator
        st.booleans(),  # accessible
        st.floats(400, 720),  # rent
        st.integers(-10, 60),  # available in days
        st.sampled_from(BUURTEN),
        st.one_of(st.none(), st.sampled_from(["C1", "C2"])),
    ),
    min_size=1,
    max_size=12,
)


def frames(households, dwellings):
    h = pd.DataFrame(
        households,
        columns=["persons", "expected_reunification", "needs_accessible", "max_floor",
                 "income_below_rent_benefit_limit", "wait", "excluded_areas"],
    )  # fmt: skip
    h["household_id"] = [f"H{i}" for i in range(len(h))]
    h["max_floor"] = h["max_floor"].astype("Int64")
    h["linked_on"] = pd.Timestamp(DATE) - pd.to_timedelta(h.pop("wait"), unit="D")
    h["excluded_areas"] = h["excluded_areas"].map(tuple)
    h["preferred_areas"] = [()] * len(h)
    h["interests"] = [()] * len(h)
    h["source_line"] = np.arange(2, len(h) + 2)
    d = pd.DataFrame(
        dwellings,
        columns=["bedrooms", "floor", "elevator", "accessible", "rent", "days", "buurt_code",
                 "complex_id"],
    )  # fmt: skip
    d["dwelling_id"] = [f"D{i}" for i in range(len(d))]
    d["available_from"] = pd.Timestamp(DATE) + pd.to_timedelta(d.pop("days"), unit="D")
    d["wijk_code"] = "WK" + d["buurt_code"].str[2:8]
    d["gemeente_code"] = "GM" + d["buurt_code"].str[2:6]
    d["complex_id"] = d["buurt_code"] + "-" + d["complex_id"]  # buildings inside one buurt
    d["source_line"] = np.arange(2, len(d) + 2)
    return h, d


@settings(max_examples=60, deadline=None)
@given(
    households=households_strategy,
    dwellings=dwellings_strategy,
    area_cap=st.one_of(st.none(), st.integers(0, 3)),
    complex_cap=st.one_of(st.none(), st.integers(0, 2)),
    method=st.sampled_from(["auto", "cpsat"]),
)
def test_every_match_holds_every_rule_and_cap(households, dwellings, area_cap, complex_cap, method):
    h, d = frames(households, dwellings)
    policy = Policy(
        matching=policy_from_dict({"matching": {"date": DATE, "window_days": 31}}).matching,
        spreading=Spreading(max_households_per_area=area_cap, max_per_complex=complex_cap),
        affordability=Affordability(),
    )
    instance = build_instance(h, d, policy, load_areas().stats)
    # the vectorised eligibility equals the per-pair restatement on every size-fitting pair
    for row in instance.pairs.itertuples():
        expected = holds_rules(h.iloc[row.household], d.iloc[row.dwelling], policy)
        assert row.eligible == expected
    result = solve(instance.problem, SolverSettings(method=method))
    assert result.status != Status.INFEASIBLE  # no pins: waiting is always allowed
    assignment = result.assignment(instance.problem)
    placed = assignment >= 0
    assert len(set(assignment[placed].tolist())) == placed.sum()  # a dwelling at most once
    for household, dwelling in zip(np.flatnonzero(placed), assignment[placed]):
        assert holds_rules(h.iloc[household], d.iloc[dwelling], policy)
    areas = instance.dwellings["area_code"].to_numpy()[assignment[placed]]
    if area_cap is not None:
        assert max(pd.Series(areas).value_counts().tolist(), default=0) <= area_cap
    if complex_cap is not None:
        buildings = d["complex_id"].to_numpy()[assignment[placed]]
        counts = pd.Series(buildings).dropna().value_counts()
        assert max(counts.tolist(), default=0) <= complex_cap
    # headroom: no non-concentrated area pushed to the threshold by the placed persons
    placed_persons = pd.Series(h["persons"].to_numpy()[placed]).groupby(areas).sum()
    info = instance.dwellings.drop_duplicates("area_code").set_index("area_code")
    for area, persons in placed_persons.items():
        row = info.loc[area]
        if not row["concentrated"]:
            share = (row["area_group"] + persons) / (row["area_residents"] + persons)
            assert share < 1.5 * row["municipality_share"]


def test_size_rule_never_materialises_pairs_that_do_not_fit():
    # a pair table holds only size-fitting pairs; an 8-person household and a studio never meet
    h, d = frames(
        [(8, 0, False, None, True, 10, [])], [(0, 0, False, False, 400.0, 0, BUURTEN[0], None)]
    )
    instance = build_instance(h, d, Policy(), load_areas().stats)
    assert instance.pairs.empty and instance.problem.n_pairs == 0
