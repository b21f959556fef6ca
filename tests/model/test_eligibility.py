"""Hard rules of DESIGN §3 on hand-made households and dwellings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from allocatie.inputs.policy import Policy, policy_from_dict
from allocatie.model.eligibility import funnel, min_bedrooms, pair_table, size_pairs

DATE = dt.date(2019, 10, 1)


def households(**columns) -> pd.DataFrame:
    n = len(columns["persons"])
    base = {
        "household_id": [f"H{i}" for i in range(n)],
        "persons": [1] * n,
        "expected_reunification": [0] * n,
        "needs_accessible": [False] * n,
        "max_floor": pd.array([pd.NA] * n, dtype="Int64"),
        "income_below_rent_benefit_limit": [True] * n,
        "excluded_areas": [()] * n,
        "preferred_areas": [()] * n,
        "interests": [()] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


def dwellings(**columns) -> pd.DataFrame:
    n = len(columns["bedrooms"])
    base = {
        "dwelling_id": [f"D{i}" for i in range(n)],
        "rent": [500.0] * n,
        "floor": [0] * n,
        "elevator": [False] * n,
        "accessible": [False] * n,
        "available_from": pd.to_datetime(["2019-10-01"] * n),
        "buurt_code": ["BU01530001"] * n,
        "wijk_code": ["WK015300"] * n,
        "gemeente_code": ["GM0153"] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


def eligible(h: pd.DataFrame, d: pd.DataFrame, policy: Policy | None = None) -> set:
    table = pair_table(h, d, policy or Policy(), DATE)
    rows = table[table["eligible"]]
    return set(zip(rows["household"].tolist(), rows["dwelling"].tolist()))


@pytest.mark.parametrize(
    ("people", "lowest"), [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (8, 4)]
)
def test_minimum_bedrooms_is_ceil_of_p_minus_one_over_two(people, lowest):
    assert min_bedrooms(np.array([people]))[0] == lowest
    assert people <= 2 * lowest + 1  # the second form of the rule in DESIGN §3


def test_size_window_includes_at_most_two_extra_bedrooms():
    h, d = size_pairs(np.array([1, 5]), np.array([0, 1, 2, 3, 4, 5]), 2)
    assert list(zip(h.tolist(), d.tolist())) == [(0, 0), (0, 1), (0, 2), (1, 2), (1, 3), (1, 4)]


def test_expected_reunification_counts_for_size_and_rent_cap():
    # 2 persons now + 2 expected = 4: needs 2 bedrooms and the higher cap
    h = households(persons=[2], expected_reunification=[2])
    d = dwellings(bedrooms=[1, 2, 2], rent=[500.0, 640.0, 660.0])
    assert eligible(h, d) == {(0, 1)}


def test_rent_cap_low_for_small_and_high_for_large_households():
    h = households(persons=[1, 3])
    d = dwellings(bedrooms=[1, 1], rent=[607.46, 607.47])
    assert eligible(h, d) == {(0, 0), (1, 0), (1, 1)}


def test_rent_cap_does_not_apply_above_benefit_income_limit():
    h = households(persons=[1], income_below_rent_benefit_limit=[False])
    d = dwellings(bedrooms=[1], rent=[900.0])
    assert eligible(h, d) == {(0, 0)}


def test_accessibility_and_floor_rules():
    h = households(
        persons=[1, 1, 1],
        needs_accessible=[True, False, False],
        max_floor=pd.array([pd.NA, 1, pd.NA], dtype="Int64"),
    )
    d = dwellings(
        bedrooms=[1, 1, 1],
        accessible=[True, False, False],
        floor=[0, 3, 3],
        elevator=[False, True, False],
    )
    # H0 only the accessible D0; H1 (max floor 1) D0 and D1 (lift), not D2 (3rd floor, no lift)
    assert eligible(h, d) == {(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2)}


def test_availability_window_and_excluded_areas():
    policy = policy_from_dict({"matching": {"window_days": 10}})
    h = households(persons=[1, 1], excluded_areas=[(), ("WK015301",)])
    d = dwellings(
        bedrooms=[1, 1],
        available_from=pd.to_datetime(["2019-10-11", "2019-10-12"]),
        buurt_code=["BU01530101", "BU01530001"],
        wijk_code=["WK015301", "WK015300"],
    )
    assert eligible(h, d, policy) == {(0, 0)}  # D1 comes too late; H1 excludes WK015301


def test_refusals_forbid_the_pair_only():
    h = households(persons=[1, 1])
    d = dwellings(bedrooms=[1])
    refusals = pd.DataFrame({"household": [0], "dwelling": [0]})
    table = pair_table(h, d, Policy(), DATE, refusals)
    assert table["eligible"].tolist() == [False, True]


def test_funnel_counts_survivors_of_each_successive_rule():
    h = households(persons=[5, 1])
    d = dwellings(bedrooms=[2, 3, 1], rent=[700.0, 640.0, 400.0])
    counts = funnel(pair_table(h, d, Policy(), DATE), 2)
    assert counts.loc[0, ["size", "fits_rent"]].tolist() == [2, 1]
    assert counts.loc[1, ["size", "fits_rent", "not_refused"]].tolist() == [2, 1, 1]


def test_households_only_meet_dwellings_of_their_own_municipality():
    # municipality groups: H0 → 0, H1 → 1, H2 → any; dwellings D0, D1, D2 in 0, D3 in 1
    h, d = size_pairs(
        np.array([1, 1, 1]), np.array([1, 1, 1, 1]), 2, np.array([0, 1, -1]), np.array([0, 0, 0, 1])
    )
    assert list(zip(h.tolist(), d.tolist())) == [
        (0, 0), (0, 1), (0, 2), (1, 3), (2, 0), (2, 1), (2, 2), (2, 3),
    ]  # fmt: skip


def test_gemeente_code_column_restricts_pairs_in_the_pair_table():
    h = households(persons=[1, 1], gemeente_code=["GM0153", "GM0164"])
    d = dwellings(bedrooms=[1, 1], gemeente_code=["GM0153", "GM0164"])
    assert eligible(h, d) == {(0, 0), (1, 1)}
