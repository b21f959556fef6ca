"""Ranked wishes and interests, and the household's own preference, on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import Policy, Weights, policy_from_dict
from allocatie.model.eligibility import area_codes, area_list_rank
from allocatie.model.scores import interest_served, preference_score, quality_parts
from tests.language import english  # noqa: F401  (an autouse fixture)
from tests.model.test_eligibility import dwellings, households

# three dwellings: in buurt 0001 of wijk 00, in buurt 0102 of wijk 01, in another gemeente
DWELLINGS = dwellings(
    bedrooms=[1, 1, 1],
    buurt_code=["BU01530001", "BU01530102", "BU01410001"],
    wijk_code=["WK015300", "WK015301", "WK014100"],
    gemeente_code=["GM0153", "GM0153", "GM0141"],
)


def ranks(preferred: list[tuple[str, ...]]) -> np.ndarray:
    """Rank of every dwelling for every household (rows: households)."""
    h = np.repeat(np.arange(len(preferred)), len(DWELLINGS))
    d = np.tile(np.arange(len(DWELLINGS)), len(preferred))
    lists = pd.Series(preferred, dtype=object)
    return area_list_rank(lists, area_codes(DWELLINGS), h, d).reshape(len(preferred), -1)


def test_rank_is_the_place_in_the_list_and_zero_when_not_wished():
    got = ranks([("WK015301", "BU01530001"), (), ("GM0141",)])
    assert got.tolist() == [[2, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_a_dwelling_named_at_two_levels_takes_the_better_place():
    # its buurt third, its wijk first: first
    got = ranks([("GM0141", "WK015301", "BU01530102", "WK015300")])
    assert got.tolist() == [[4, 2, 1]]


def scored(preferred, interests=(), policy: Policy | None = None, distances=None):
    hh = households(
        persons=[1] * len(preferred),
        preferred_areas=list(preferred),
        interests=[tuple(i) for i in interests] or [()] * len(preferred),
    )
    n_h, n_d = len(hh), len(DWELLINGS)
    pairs = pd.DataFrame(
        {
            "household": np.repeat(np.arange(n_h), n_d),
            "dwelling": np.tile(np.arange(n_d), n_h),
            "extra_bedrooms": 0,
        }
    )
    wait = np.zeros(n_h)
    return quality_parts(hh, DWELLINGS, pairs, policy or Policy(), wait, distances)


def test_wishes_part_follows_the_policy_scale():
    parts = scored([("BU01410001", "WK015301", "BU01530001")])
    # dwelling 0 is the third wish, 1 the second, 2 the first
    assert parts["wish_rank"].tolist() == [3, 2, 1]
    assert parts["wishes"].tolist() == pytest.approx([0.6, 0.8, 1.0])
    flat = Policy(weights=Weights(rank_scores=(1.0, 0.5)))
    parts = scored([("BU01410001", "WK015301", "BU01530001")], policy=flat)
    assert parts["wishes"].tolist() == pytest.approx([0.5, 0.5, 1.0])  # beyond the list: its last


def test_preference_is_the_households_part_only():
    parts = scored([("BU01530001",)])
    parts["fit"] = [0.0, 1.0, 0.5]  # the planner's parts do not move the preference
    parts["waiting"] = 1.0
    got = preference_score(parts, Policy())
    # interest 0 (no amenities), wishes 1/0/0, equal weights: 500, 0, 0
    assert got.tolist() == [500, 0, 0]
    none = Policy(weights=Weights(interest=0.0, wishes=0.0))
    assert preference_score(parts, none).tolist() == [0, 0, 0]


def test_ranked_interests_weigh_the_first_most():
    hh = households(persons=[1], interests=[("sport", "geloof")])
    distances = pd.DataFrame({"sport": [100.0, 5000.0], "geloof": [5000.0, 100.0]})
    h, d = np.array([0, 0]), np.array([0, 1])
    equal = interest_served(hh, distances, h, d, 1500.0)
    ranked = interest_served(hh, distances, h, d, 1500.0, (1.0, 0.5))
    assert equal.tolist() == pytest.approx([0.5, 0.5])
    # sport first (weight 1), geloof second (0.5): 1/1.5 and 0.5/1.5
    assert ranked.tolist() == pytest.approx([2 / 3, 1 / 3])


@pytest.mark.parametrize(
    "scores",
    [[], [1.2, 0.5], [0.5, 0.8], [1.0, -0.1]],
    ids=["empty", "above 1", "rising", "negative"],
)
def test_rank_scores_must_fall_from_at_most_one_to_zero(scores):
    with pytest.raises(InputError, match="rank_scores"):
        policy_from_dict({"weights": {"rank_scores": scores}})


def test_rank_scores_are_read_from_toml():
    policy = policy_from_dict({"weights": {"rank_scores": [1, 0.9], "interests_ranked": True}})
    assert policy.weights.rank_scores == (1.0, 0.9)
    assert policy.weights.interests_ranked
    assert policy.weights.rank_score(5) == 0.9
