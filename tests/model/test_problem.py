"""ProblemData refuses every broken invariant on construction, and replace() re-checks."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from allocatie.model.problem import QUALITY_SCALE, ProblemData


def valid() -> dict[str, Any]:
    """Two households, three dwellings in two areas, one building: every field in use."""
    return {
        "n_households": 2,
        "n_dwellings": 3,
        "pair_household": np.array([0, 0, 1, 1]),
        "pair_dwelling": np.array([0, 2, 1, 2]),
        "pair_persons": np.array([3, 3, 1, 1]),
        "pair_outside": np.array([0, 1, 1, 1]),
        "pair_quality": np.array([0, 250, QUALITY_SCALE, 7]),
        "pair_pinned": np.array([False, False, True, False]),
        "dwelling_area": np.array([0, 1, 1]),
        "dwelling_complex": np.array([-1, 0, 0]),
        "area_max_households": np.array([-1, 2]),
        "area_max_persons": np.array([4, -1]),
        "complex_max": 1,
    }


def with_(**changes: Any) -> dict[str, Any]:
    return {**valid(), **changes}


def test_a_valid_problem_is_accepted_and_stored_read_only():
    source = valid()
    problem = ProblemData(**source)
    assert (problem.n_pairs, problem.n_areas, problem.n_complexes) == (4, 2, 1)
    assert problem.pair_quality.dtype == np.int64 and problem.pair_pinned.dtype == bool
    with pytest.raises(ValueError):
        problem.pair_quality[0] = 5
    source["pair_quality"][0] = 99  # the caller's array was copied
    assert problem.pair_quality[0] == 0


def test_an_empty_problem_is_valid():
    empty = np.array([], dtype=np.int64)
    problem = ProblemData(0, 0, *[empty] * 5, np.array([], bool), empty, empty, empty, empty)
    assert problem.n_pairs == 0 and problem.n_areas == 0


BROKEN = {
    # lengths
    "pair array length": (with_(pair_persons=np.array([3, 3, 1])), "pair_persons has 3 entries"),
    "pinned length": (with_(pair_pinned=np.array([False])), "pair_pinned has 1 entries"),
    "dwelling array length": (with_(dwelling_area=np.array([0, 1])), "dwelling_area has 2"),
    "building array length": (with_(dwelling_complex=np.array([-1])), "dwelling_complex has 1"),
    "area caps differ": (with_(area_max_persons=np.array([4])), "area_max_households has 2"),
    "not one-dimensional": (with_(pair_outside=np.zeros((2, 2))), "one-dimensional"),
    "negative count": (with_(n_households=-1), "must be ≥ 0"),
    "count not an integer": (with_(n_dwellings=3.5), "n_dwellings must be an integer"),
    # pair indices
    "household beyond range": (
        with_(pair_household=np.array([0, 0, 1, 2])),
        r"pair_household\[3\] = 2: not a household index",
    ),
    "negative household": (
        with_(pair_household=np.array([-1, 0, 1, 1])),
        r"pair_household\[0\] = -1",
    ),
    "dwelling beyond range": (
        with_(pair_dwelling=np.array([0, 3, 1, 2])),
        r"pair_dwelling\[1\] = 3: not a dwelling index",
    ),
    # order
    "households out of order": (
        with_(pair_household=np.array([0, 1, 0, 1])),
        "sorted by household, then dwelling",
    ),
    "dwellings out of order": (
        with_(pair_dwelling=np.array([2, 0, 1, 2])),
        r"pair 1 \(household 0, dwelling 0\) follows \(household 0, dwelling 2\)",
    ),
    "pair listed twice": (
        with_(pair_dwelling=np.array([0, 2, 2, 2])),
        "each pair once",
    ),
    # coefficient domains
    "no persons": (with_(pair_persons=np.array([3, 3, 0, 0])), "≥ 1 person"),
    "tier 2 not 0/1": (with_(pair_outside=np.array([0, 2, 1, 1])), "tier 2 is 0 or 1"),
    "negative quality": (with_(pair_quality=np.array([0, -1, 5, 7])), "tier 3 is 0…1000"),
    "quality above the scale": (
        with_(pair_quality=np.array([0, QUALITY_SCALE + 1, 5, 7])),
        r"pair_quality\[1\] = 1001",
    ),
    "fractional quality": (
        with_(pair_quality=np.array([0.0, 2.5, 5.0, 7.0])),
        r"pair_quality\[1\] = 2.5 is not a whole number",
    ),
    "pinned not boolean": (with_(pair_pinned=np.array([0, 2, 1, 0])), "boolean"),
    # dwellings and caps
    "dwelling outside every area": (
        with_(dwelling_area=np.array([0, 2, 1])),
        r"dwelling_area\[1\] = 2: not an area index",
    ),
    "building below -1": (with_(dwelling_complex=np.array([-2, 0, 0])), "dwelling_complex"),
    "household cap below -1": (
        with_(area_max_households=np.array([-2, 2])),
        "a cap is ≥ 0, or -1 for none",
    ),
    "persons cap below -1": (with_(area_max_persons=np.array([4, -5])), "area_max_persons"),
    "building cap below -1": (with_(complex_max=-2), "complex_max = -2"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_each_broken_invariant_is_refused_with_a_clear_message(case):
    fields, message = BROKEN[case]
    with pytest.raises(ValueError, match=message):
        ProblemData(**fields)


def test_whole_floats_and_01_integers_convert():
    problem = ProblemData(
        **with_(
            pair_quality=np.array([0.0, 250.0, 1000.0, 7.0], dtype=np.float32),
            pair_pinned=np.array([0, 0, 1, 0]),
        )
    )
    assert problem.pair_quality.tolist() == [0, 250, 1000, 7]
    assert problem.pair_pinned.tolist() == [False, False, True, False]


def test_replace_returns_a_validated_copy_sharing_unchanged_arrays():
    problem = ProblemData(**valid())
    relaxed = problem.replace(area_max_persons=np.full(problem.n_areas, -1))
    assert relaxed.area_max_persons.tolist() == [-1, -1]
    assert problem.area_max_persons.tolist() == [4, -1]  # the original is untouched
    assert relaxed.pair_household is problem.pair_household  # read-only: shared, not copied
    assert not relaxed.area_max_persons.flags.writeable


def test_replace_validates_the_copy():
    problem = ProblemData(**valid())
    with pytest.raises(ValueError, match="tier 3"):
        problem.replace(pair_quality=np.array([0, 1, 2, QUALITY_SCALE + 1]))
    with pytest.raises(ValueError, match="not a household index"):
        problem.replace(n_households=1)  # household 1 still has pairs
    with pytest.raises(TypeError):
        problem.replace(no_such_field=1)


def test_validation_is_cheap_on_millions_of_pairs():
    # a national stress run has ~16 million pairs; the checks must not weigh on it
    rng = np.random.default_rng(0)
    n_households, n_dwellings, per_household = 20_000, 25_000, 100
    household = np.repeat(np.arange(n_households), per_household)  # 2 million pairs
    step = n_dwellings // per_household  # each household: 100 dwellings, increasing
    dwelling = np.tile(np.arange(per_household), n_households) * step + household % step
    n = len(household)
    fields = {
        "n_households": n_households,
        "n_dwellings": n_dwellings,
        "pair_household": household,
        "pair_dwelling": dwelling,
        "pair_persons": rng.integers(1, 7, n),
        "pair_outside": rng.integers(0, 2, n),
        "pair_quality": rng.integers(0, QUALITY_SCALE + 1, n),
        "pair_pinned": np.zeros(n, dtype=bool),
        "dwelling_area": rng.integers(0, 500, n_dwellings),
        "dwelling_complex": np.full(n_dwellings, -1),
        "area_max_households": np.full(500, -1),
        "area_max_persons": np.full(500, -1),
    }
    problem = ProblemData(**fields)
    start = time.perf_counter()
    problem.replace(area_max_persons=np.full(500, 10))  # validation only: arrays are shared
    assert time.perf_counter() - start < 0.5  # ~15 ms here; generous for a slow CI machine
