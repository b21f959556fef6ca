"""Segregation indices: hand-computed values, PySAL reference values, properties.

Location quotients and headroom on hand-computed values come first; then every
city-wide index on a three-area example worked out in the test's docstring;
then agreement with PySAL ``segregation`` on the bundled Enschede, Almelo and
Hengelo data (values in tests/reference/pysal_reference.json, made by
tests/reference/make_pysal_reference.py; PySAL itself is not needed here);
then properties every index must have on any counts.
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from allocatie.areas.adjacency import queen_graph, weights_matrix
from allocatie.areas.data import Areas, load_areas
from allocatie.areas.segregation import (
    UndefinedIndexError,
    all_indices,
    dissimilarity,
    entropy,
    exposure,
    gini,
    headroom_persons,
    is_concentrated,
    isolation,
    location_quotient,
    location_quotients,
    multigroup_entropy,
    spatial_dissimilarity,
)
from tests.paths import REFERENCE


def test_location_quotient_against_hand_computation():
    # Enschede 2022: 29,389 of 160,640 non-western; an area 300 of 1,000
    lq = location_quotient([300, 0], [1000, 0], 29389, 160640)
    assert np.isclose(lq[0], 0.3 / (29389 / 160640))
    assert np.isnan(lq[1])  # no residents: nothing to compare


def test_is_concentrated_from_the_threshold_on():
    assert is_concentrated(1.5, 1.5) is True  # exactly at the threshold counts
    assert is_concentrated(np.nextafter(1.5, 0), 1.5) is False
    assert is_concentrated(np.float64(2.0), 1.5) is True
    assert is_concentrated(0, 1.5) is False


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA, np.float64("nan")])
def test_is_concentrated_is_false_for_a_missing_lq(missing):
    # an area without statistics is not concentrated (as matching has always treated it)
    assert is_concentrated(missing, 1.5) is False


def test_is_concentrated_keeps_the_shape_of_an_array():
    lq = np.array([[1.5, np.nan], [0.7, 3.0]])
    result = is_concentrated(lq, 1.5)
    assert isinstance(result, np.ndarray) and result.dtype == bool
    assert result.tolist() == [[True, False], [False, True]]
    assert is_concentrated([1.6, None, pd.NA, 1.2], 1.5).tolist() == [True, False, False, False]
    assert is_concentrated(np.array([]), 1.5).shape == (0,)


@pytest.mark.parametrize("dtype", ["float64", "Float64", "object"])
def test_is_concentrated_returns_a_series_for_a_series(dtype):
    missing = np.nan if dtype == "float64" else pd.NA if dtype == "Float64" else None
    lq = pd.Series([1.5, missing, 1.2], index=["BU1", "BU2", "BU3"], name="lq", dtype=dtype)
    result = is_concentrated(lq, 1.5)
    assert isinstance(result, pd.Series) and result.dtype == bool
    assert result.name == "lq" and result.index.tolist() == ["BU1", "BU2", "BU3"]
    assert result.tolist() == [True, False, False]


def test_is_concentrated_agrees_with_location_quotient_for_empty_areas():
    lq = location_quotient([300, 0], [1000, 0], 29389, 160640)  # [1.64, nan]
    assert is_concentrated(lq, 1.5).tolist() == [True, False]


def test_headroom_keeps_the_area_just_below_the_threshold():
    # limit share 1.5 * 0.183 = 0.2745: (200 + x) / (1000 + x) < 0.2745 → x ≤ 102
    room = headroom_persons([200], [1000], [0.183], 1.5)
    assert room[0] == 102
    assert (200 + 102) / (1000 + 102) < 0.2745 <= (200 + 103) / (1000 + 103)


def test_headroom_is_nan_for_concentrated_and_inf_when_threshold_unreachable():
    room = headroom_persons([300, 10], [1000, 100], [0.183, 0.7], 1.5)
    assert np.isnan(room[0])  # already at LQ 1.64
    assert np.isinf(room[1])  # 1.5 * 0.7 ≥ 1: no share can reach it


# --- City-wide indices: hand-computed ----------------------------------------
#
# Three areas: x = [30, 10, 0] of t = [50, 50, 100], so p = [0.6, 0.2, 0],
# X = 40, T = 200, P = 0.2, Y = 160.
X3 = [30, 10, 0]
T3 = [50, 50, 100]


def test_dissimilarity_by_hand():
    """D = Σ t_i |p_i − P| / (2 T P (1 − P)) = (50·0.4 + 50·0 + 100·0.2) / 64 = 0.625.

    Check with the other form: ½ (|30/40 − 20/160| + |10/40 − 40/160| + |0 − 100/160|)
    = ½ (0.625 + 0 + 0.625) = 0.625.
    """
    assert dissimilarity(X3, T3) == pytest.approx(0.625, abs=1e-12)


def test_isolation_and_exposure_by_hand():
    """xPx* = (30/40)(30/50) + (10/40)(10/50) + 0 = 0.45 + 0.05 = 0.5;
    xPy* = (30/40)(20/50) + (10/40)(40/50) + 0 = 0.3 + 0.2 = 0.5."""
    assert isolation(X3, T3) == pytest.approx(0.5, abs=1e-12)
    assert exposure(X3, T3) == pytest.approx(0.5, abs=1e-12)


def test_entropy_by_hand():
    """E(p) = −p ln p − (1−p) ln(1−p); E = E(0.2), E_1 = E(0.6), E_2 = E(0.2), E_3 = 0.

    H = Σ t_i (E − E_i) / (E T) = 1 − (50 E(0.6) + 50 E(0.2)) / (200 E(0.2))
      = 0.75 − 0.25 E(0.6) / E(0.2) = 0.75 − 0.25 · 0.673012 / 0.500402 ≈ 0.413764.
    """

    def e(p: float) -> float:
        return -(p * math.log(p) + (1 - p) * math.log(1 - p))

    expected = 0.75 - 0.25 * e(0.6) / e(0.2)
    assert expected == pytest.approx(0.413764, abs=1e-6)
    assert entropy(X3, T3) == pytest.approx(expected, abs=1e-12)


def test_gini_by_hand():
    """Pairs i < j: t_i t_j |p_i − p_j| = 50·50·0.4 + 50·100·0.6 + 50·100·0.2 = 5000.

    G = 2 · 5000 / (2 T² P (1 − P)) = 10000 / (2 · 40000 · 0.16) = 0.78125.
    """
    assert gini(X3, T3) == pytest.approx(0.78125, abs=1e-12)


def test_location_quotients_by_hand():
    """LQ = p_i / P = [0.6, 0.2, 0] / 0.2 = [3, 1, 0]."""
    np.testing.assert_allclose(location_quotients(X3, T3), [3.0, 1.0, 0.0], atol=1e-12)


def test_spatial_dissimilarity_by_hand():
    """Chain 1 – 2 – 3: Σ c_ij |p_i − p_j| = 2 (0.4 + 0.2) = 1.2 over Σ c_ij = 4 → 0.3.

    D(adj) = 0.625 − 0.3 = 0.325. Row-standardised: rows 1 and 3 have one neighbour
    (weight 1), row 2 two (0.5 each): (0.4 + 0.5·0.4 + 0.5·0.2 + 0.2) / 3 = 0.3 too.
    A 2 × 2 weight between areas 1 and 3 only: 0.625 − 0.6 = 0.025.
    """
    chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert spatial_dissimilarity(X3, T3, chain) == pytest.approx(0.325, abs=1e-12)
    assert spatial_dissimilarity(X3, T3, chain, standardize=True) == pytest.approx(0.325)
    ends = scipy.sparse.csr_matrix(np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]]))
    assert spatial_dissimilarity(X3, T3, ends) == pytest.approx(0.025, abs=1e-12)


def test_multigroup_entropy_by_hand():
    """Complete separation (each area one group) is 1; identical areas are 0.

    Two areas [[10, 0], [0, 30]]: every π_im is 0 or 1, so every E_i = 0 and H = 1.
    """
    assert multigroup_entropy([[10, 0, 0], [0, 30, 0], [0, 0, 5]]) == pytest.approx(1.0)
    assert multigroup_entropy([[10, 0], [0, 30]]) == pytest.approx(1.0)
    assert multigroup_entropy([[1, 2, 3], [2, 4, 6], [10, 20, 30]]) == pytest.approx(0.0, abs=1e-12)


def test_multigroup_entropy_with_two_groups_is_entropy():
    counts = np.column_stack([X3, np.subtract(T3, X3)])
    assert multigroup_entropy(counts) == pytest.approx(entropy(X3, T3), abs=1e-12)


def test_all_indices_has_exactly_the_report_keys():
    values = all_indices(X3, T3)
    assert list(values) == ["dissimilarity", "isolation", "exposure", "entropy", "gini"]
    assert values["dissimilarity"] == dissimilarity(X3, T3)
    assert all(isinstance(v, float) for v in values.values())


# --- Areas without residents, invalid and degenerate input ------------------


def test_areas_without_residents_are_dropped():
    with_empty = [30, 0, 10, 0], [50, 0, 50, 100]
    assert all_indices(*with_empty) == pytest.approx(all_indices([30, 10, 0], [50, 50, 100]))
    counts = [[30, 20], [0, 0], [10, 40], [0, 100]]
    assert multigroup_entropy(counts) == pytest.approx(entropy(X3, T3))


def test_group_counted_in_an_empty_area_is_dropped_with_it():
    # CBS rounds to 5 independently: seven bundled buurten show 5 members among 0 residents.
    x, t = [5, 30, 10, 0], [0, 50, 50, 100]
    assert all_indices(x, t) == pytest.approx(all_indices(X3, T3))
    lq = location_quotients(x, t)
    assert np.isnan(lq[0])
    np.testing.assert_allclose(lq[1:], [3.0, 1.0, 0.0])
    w = np.ones((4, 4)) - np.eye(4)
    assert spatial_dissimilarity(x, t, w) == pytest.approx(
        spatial_dissimilarity(X3, T3, np.ones((3, 3)) - np.eye(3))
    )


def test_location_quotients_keep_empty_areas_in_place_as_nan():
    lq = location_quotients([30, 0, 10], [50, 0, 50])
    assert lq[0] == pytest.approx(0.6 / 0.4) and lq[2] == pytest.approx(0.2 / 0.4)
    assert np.isnan(lq[1])


def test_spatial_dissimilarity_drops_empty_areas_with_their_weights():
    # Area 1 (empty) sits between 0 and 2; PySAL would count it as share 0.
    x, t = [30, 0, 10, 0], [50, 0, 50, 100]
    w = np.array([[0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 0]])
    expected = spatial_dissimilarity([30, 10, 0], [50, 50, 100], w[np.ix_([0, 2, 3], [0, 2, 3])])
    assert spatial_dissimilarity(x, t, w) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("group", "total", "message"),
    [
        ([1, 2], [3], "equal length"),
        ([[1, 2]], [[3, 4]], "1-D"),
        ([1, np.nan], [3, 4], "finite"),
        ([1, 2], [3, np.inf], "finite"),
        ([-1, 2], [3, 4], "≥ 0"),
        ([0, 2], [-3, 4], "≥ 0"),
        ([5, 2], [3, 4], "exceeds total"),
    ],
)
def test_invalid_counts_are_rejected(group, total, message):
    for index in (dissimilarity, isolation, exposure, entropy, gini, location_quotients):
        with pytest.raises(ValueError, match=message):
            index(group, total)


@pytest.mark.parametrize(
    "counts", [[1, 2, 3], [[1, np.nan]], [[1, -2]]], ids=["1-D", "nan", "negative"]
)
def test_invalid_multigroup_counts_are_rejected(counts):
    with pytest.raises(ValueError):
        multigroup_entropy(counts)


@pytest.mark.parametrize(
    ("group", "total", "undefined"),
    [
        ([0, 0], [10, 20], {"dissimilarity", "isolation", "exposure", "entropy", "gini"}),
        ([10, 20], [10, 20], {"dissimilarity", "entropy", "gini"}),
        ([0, 0], [0, 0], {"dissimilarity", "isolation", "exposure", "entropy", "gini"}),
        ([], [], {"dissimilarity", "isolation", "exposure", "entropy", "gini"}),
    ],
    ids=["no-member", "all-members", "no-residents", "no-areas"],
)
def test_undefined_indices_raise_instead_of_nan(group, total, undefined):
    functions = {
        "dissimilarity": dissimilarity,
        "isolation": isolation,
        "exposure": exposure,
        "entropy": entropy,
        "gini": gini,
    }
    for name, function in functions.items():
        if name in undefined:
            with pytest.raises(UndefinedIndexError, match=name):
                function(group, total)
        else:
            assert np.isfinite(function(group, total))
    with pytest.raises(UndefinedIndexError):
        all_indices(group, total)


def test_everybody_in_the_group_is_fully_isolated():
    assert isolation([10, 20], [10, 20]) == pytest.approx(1.0)
    assert exposure([10, 20], [10, 20]) == pytest.approx(0.0)


def test_location_quotients_undefined_without_group_members():
    with pytest.raises(UndefinedIndexError):
        location_quotients([0, 0], [10, 20])


def test_multigroup_entropy_undefined_with_one_group():
    with pytest.raises(UndefinedIndexError):
        multigroup_entropy([[10, 0], [20, 0]])


def test_spatial_dissimilarity_needs_neighbours_and_a_matching_matrix():
    with pytest.raises(UndefinedIndexError, match="neighbours"):
        spatial_dissimilarity(X3, T3, np.zeros((3, 3)))
    # The only neighbour of area 0 is empty: no pair of populated neighbours is left.
    with pytest.raises(UndefinedIndexError, match="neighbours"):
        spatial_dissimilarity([30, 0, 10], [50, 0, 50], [[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="3 × 3"):
        spatial_dissimilarity(X3, T3, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="≥ 0"):
        spatial_dissimilarity(X3, T3, -np.ones((3, 3)))


def test_standardised_spatial_dissimilarity_ignores_areas_without_neighbours():
    # Area 2 has no neighbour: PySAL gives nan; here it adds nothing.
    w = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    assert spatial_dissimilarity(X3, T3, w, standardize=True) == pytest.approx(0.625 - 0.4)


# --- Agreement with PySAL on the bundled data --------------------------------

REFERENCE = json.loads((REFERENCE / "pysal_reference.json").read_text(encoding="utf-8"))
CASES = [
    (gemeente, level) for gemeente in ("GM0153", "GM0141", "GM0164") for level in ("buurt", "wijk")
]
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def areas() -> Areas:
    return load_areas()


@pytest.fixture(scope="module")
def national_graph(areas: Areas) -> nx.Graph:
    return queen_graph(areas.wijken)


def _frame(areas: Areas, gemeente: str, level: str) -> pd.DataFrame:
    stats = areas.stats
    rows = stats[(stats["gemeente_code"] == gemeente) & (stats["level"] == level)]
    return rows.sort_index()


def _counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=np.float64)


@pytest.mark.parametrize(("gemeente", "level"), CASES)
def test_indices_match_pysal(areas, gemeente, level):
    expected = REFERENCE["municipalities"][gemeente][level]
    frame = _frame(areas, gemeente, level)
    assert len(frame) == expected["n_areas"]
    group, total = _counts(frame, "migration_non_western"), _counts(frame, "residents")
    assert (group.sum(), total.sum()) == (expected["group_sum"], expected["total_sum"])
    for name, value in all_indices(group, total).items():
        assert value == pytest.approx(expected[name], abs=TOLERANCE), name

    western = _counts(frame, "migration_western")
    counts = np.column_stack([group, western, total - group - western])
    assert multigroup_entropy(counts) == pytest.approx(
        expected["multigroup_entropy"], abs=TOLERANCE
    )


@pytest.mark.parametrize(("gemeente", "level"), CASES)
def test_location_quotients_match_pysal(areas, gemeente, level):
    expected = REFERENCE["municipalities"][gemeente][level]["location_quotients"]
    frame = _frame(areas, gemeente, level)
    ours = location_quotients(_counts(frame, "migration_non_western"), _counts(frame, "residents"))
    theirs = np.array([np.nan if expected[c] is None else expected[c] for c in frame.index])
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, equal_nan=True)


@pytest.mark.parametrize("gemeente", ["GM0153", "GM0141", "GM0164"])
def test_spatial_dissimilarity_matches_pysal_on_the_queen_graph(areas, national_graph, gemeente):
    expected = REFERENCE["municipalities"][gemeente]["wijk"]
    frame = _frame(areas, gemeente, "wijk")
    weights = weights_matrix(national_graph, frame.index)
    group, total = _counts(frame, "migration_non_western"), _counts(frame, "residents")
    assert spatial_dissimilarity(group, total, weights) == pytest.approx(
        expected["spatial_dissimilarity"], abs=TOLERANCE
    )
    assert spatial_dissimilarity(group, total, weights, standardize=True) == pytest.approx(
        expected["spatial_dissimilarity_standardized"], abs=TOLERANCE
    )


def test_reference_says_how_it_was_made():
    assert REFERENCE["versions"]["segregation"]
    assert "make_pysal_reference.py" in REFERENCE["note"]
    assert REFERENCE["group"] == "migration_non_western" and REFERENCE["total"] == "residents"


# --- Properties ---------------------------------------------------------------


@st.composite
def area_counts(draw: st.DrawFn, min_areas: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Group and total counts of 1–30 areas (some possibly empty), 0 < X < T."""
    totals = draw(st.lists(st.integers(0, 20_000), min_size=min_areas, max_size=30))
    groups = [draw(st.integers(0, t)) for t in totals]
    x, t = np.array(groups, dtype=float), np.array(totals, dtype=float)
    assume(0 < x.sum() < t.sum())
    return x, t


def _naive_gini(x: np.ndarray, t: np.ndarray) -> float:
    keep = t > 0
    x, t = x[keep], t[keep]
    p, share = x / t, x.sum() / t.sum()
    pairs = np.sum(np.outer(t, t) * np.abs(p[:, None] - p[None, :]))
    return pairs / (2 * t.sum() ** 2 * share * (1 - share))


@settings(max_examples=200, deadline=None)
@given(area_counts())
def test_indices_stay_in_their_ranges(counts):
    x, t = counts
    values = all_indices(x, t)
    share = x.sum() / t.sum()
    for name in ("dissimilarity", "entropy", "gini"):
        assert -1e-12 <= values[name] <= 1 + 1e-12, name
    assert share - 1e-12 <= values["isolation"] <= 1 + 1e-12
    assert values["isolation"] + values["exposure"] == pytest.approx(1.0, abs=1e-12)
    assert values["gini"] >= values["dissimilarity"] - 1e-12


@settings(max_examples=100, deadline=None)
@given(area_counts(), st.sampled_from([0.5, 3.0, 1000.0]), st.randoms(use_true_random=False))
def test_indices_ignore_scale_and_order(counts, factor, rng):
    x, t = counts
    order = list(range(len(x)))
    rng.shuffle(order)
    base = all_indices(x, t)
    assert all_indices(x * factor, t * factor) == pytest.approx(base, rel=1e-9, abs=1e-12)
    assert all_indices(x[order], t[order]) == pytest.approx(base, rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 500), min_size=1, max_size=30),
    st.integers(1, 9),
)
def test_equal_shares_are_perfectly_even(sizes, tenths):
    t = np.array(sizes, dtype=float) * 10
    x = np.array(sizes, dtype=float) * tenths
    assert dissimilarity(x, t) == pytest.approx(0.0, abs=1e-12)
    assert entropy(x, t) == pytest.approx(0.0, abs=1e-12)
    assert gini(x, t) == pytest.approx(0.0, abs=1e-12)
    assert isolation(x, t) == pytest.approx(tenths / 10, abs=1e-12)
    np.testing.assert_allclose(location_quotients(x, t), 1.0)


@settings(max_examples=100, deadline=None)
@given(area_counts())
def test_gini_equals_the_pairwise_definition(counts):
    x, t = counts
    assert gini(x, t) == pytest.approx(_naive_gini(x, t), rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(area_counts())
def test_multigroup_entropy_generalises_entropy(counts):
    x, t = counts
    assert multigroup_entropy(np.column_stack([x, t - x])) == pytest.approx(
        entropy(x, t), rel=1e-9, abs=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(area_counts(min_areas=2), st.data())
def test_spatial_dissimilarity_is_at_most_d(counts, data):
    x, t = counts
    n = len(x)
    upper = np.triu(
        np.array(data.draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))).reshape(n, n),
        k=1,
    )
    w = (upper | upper.T).astype(float)
    populated = t > 0
    assume(w[np.ix_(populated, populated)].sum() > 0)
    d = dissimilarity(x, t)
    assert spatial_dissimilarity(x, t, w) <= d + 1e-12
    assert spatial_dissimilarity(x, t, scipy.sparse.csr_matrix(w)) == pytest.approx(
        spatial_dissimilarity(x, t, w), abs=1e-12
    )
