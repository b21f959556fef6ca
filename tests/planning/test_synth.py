"""Synthetic streams: seeded, in the data contract, realistic, on real CBS buurten."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.inputs.schema import read_dwellings, read_households
from allocatie.model.eligibility import min_bedrooms, people_to_house
from allocatie.planning.synth import (
    DwellingMix,
    HouseholdMix,
    candidate_buurten,
    dwellings_frame,
    dwellings_table,
    household_stream,
    households_frame,
    households_table,
    normalised,
    sample_amenities,
    sample_dwellings,
    sample_households,
)

START, END = dt.date(2019, 7, 1), dt.date(2019, 12, 31)


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def buurten(areas):
    return candidate_buurten(areas.stats, "GM0164", concentrated_tilt=2.0)


def households(seed: int, n: int = 40, **kwargs) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return sample_households(
        HouseholdMix(), n, rng, linked_from=START, linked_until=END,
        area_codes=["WK016401", "WK016402", "WK016403"], **kwargs,
    )  # fmt: skip


def dwellings(seed: int, buurten: pd.DataFrame, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return sample_dwellings(
        DwellingMix(), n, rng, buurten=buurten, available_from=START, available_until=END
    )


def test_same_seed_same_tables_other_seed_other_tables(buurten):
    pd.testing.assert_frame_equal(households(1), households(1))
    pd.testing.assert_frame_equal(dwellings(1, buurten), dwellings(1, buurten))
    assert not households(1).equals(households(2))
    assert not dwellings(1, buurten).equals(dwellings(2, buurten))


def test_tables_survive_the_csv_readers_unchanged(tmp_path, buurten):
    """What the generator writes, the readers read back to the same typed table."""
    made_h, made_d = households(3, gemeente="GM0164"), dwellings(3, buurten)
    households_table(made_h).to_csv(tmp_path / "h.csv", index=False)
    dwellings_table(made_d).to_csv(tmp_path / "d.csv", index=False)
    read_h = read_households(tmp_path / "h.csv")
    read_d = read_dwellings(tmp_path / "d.csv")
    for frame in (made_h, made_d, read_h, read_d):
        frame.attrs = {}
    pd.testing.assert_frame_equal(read_h, made_h)
    pd.testing.assert_frame_equal(read_d, made_d)


def test_households_are_realistic_and_consistent():
    frame = households(5, n=3000)
    assert frame["household_id"].is_unique
    assert frame["linked_on"].is_monotonic_increasing
    assert frame["linked_on"].between(pd.Timestamp(START), pd.Timestamp(END)).all()
    assert (frame["adults"] + frame["children"] == frame["persons"]).all()
    singles = frame["persons"].eq(1).mean()
    assert 0.5 < singles < 0.62  # over half single
    assert frame["persons"].ge(6).mean() > 0.05  # some large families
    assert frame.loc[frame["persons"] > 1, "expected_reunification"].eq(0).all()
    assert frame["income_below_rent_benefit_limit"].mean() > 0.85
    assert frame["interests"].map(len).le(3).all()
    assert not (frame["needs_accessible"] & frame["max_floor"].notna()).any()
    both = frame["preferred_areas"].map(set) & frame["excluded_areas"].map(set)
    assert not both.map(bool).any()


def test_need_shares_are_the_exact_expectation_of_the_sample():
    mix = HouseholdMix()
    shares = mix.need_shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    frame = households(7, n=20_000)
    observed = pd.Series(min_bedrooms(people_to_house(frame))).value_counts(normalize=True)
    for need, share in shares.items():
        assert observed.get(need, 0.0) == pytest.approx(share, abs=0.012)


def test_dwellings_are_on_real_buurten_with_small_ones_scarcest(areas, buurten):
    frame = dwellings(9, buurten, n=2000)
    resolved, problems = resolve_dwelling_areas(frame, areas, "synthetic")
    assert problems == []
    assert set(resolved["gemeente_code"]) == {"GM0164"}
    share = frame["bedrooms"].value_counts(normalize=True)
    assert share[0] + share[1] < min(share[2], share[3])  # small dwellings scarcest
    assert (frame["accessible"] <= (frame["floor"].eq(0) | frame["elevator"])).all()
    assert not (frame["elevator"] & frame["floor"].eq(0)).any()


def test_concentrated_tilt_puts_more_offers_in_concentrated_buurten(areas):
    stats = areas.stats
    plain = candidate_buurten(stats, "GM0164", concentrated_tilt=1.0)
    tilted = candidate_buurten(stats, "GM0164", concentrated_tilt=3.0)
    assert plain["concentrated"].any() and not plain["concentrated"].all()
    assert not plain["name"].str.contains("Bedrijventerrein|Verspreide").any()

    def concentrated_share(buurten):
        made = dwellings(11, buurten, n=3000)
        return made["buurt_code"].isin(buurten.loc[buurten["concentrated"], "code"]).mean()

    assert concentrated_share(tilted) > concentrated_share(plain) + 0.1


def test_candidate_buurten_within_a_wijk_or_one_buurt(areas):
    noord = candidate_buurten(areas.stats, "GM0164", within="WK016402")
    assert set(noord["wijk_code"]) == {"WK016402"} and len(noord) >= 4
    elsbeek = candidate_buurten(areas.stats, "GM0164", within="BU01640201")
    assert elsbeek["code"].tolist() == ["BU01640201"]


def test_fixed_attributes_and_poisson_streams(buurten):
    rng = np.random.default_rng(0)
    extra = sample_dwellings(
        DwellingMix(), 20, rng, buurten=buurten, available_from=START, available_until=END,
        id_prefix="X1", bedrooms=2, rent=560.0,
    )  # fmt: skip
    assert extra["bedrooms"].eq(2).all() and extra["rent"].eq(560.0).all()
    assert extra["dwelling_id"].tolist()[:2] == ["X1-0001", "X1-0002"]
    counts = [
        len(household_stream(HouseholdMix(), 12.0, np.random.default_rng(s),
                             linked_from=START, linked_until=END))
        for s in range(200)
    ]  # fmt: skip
    assert abs(np.mean(counts) - 12.0) < 0.8 and np.std(counts) > 2.0


def test_frames_from_a_few_columns_get_the_reader_defaults():
    h = households_frame({"household_id": ["a"], "persons": [3], "linked_on": ["2019-07-01"]})
    row = h.iloc[0]
    assert row["expected_reunification"] == 0 and not row["needs_accessible"]
    assert row["income_below_rent_benefit_limit"] and row["interests"] == ()
    assert pd.isna(row["max_floor"])
    d = dwellings_frame(
        {"dwelling_id": ["w"], "bedrooms": [1], "rent": [400.0],
         "available_from": ["2019-07-01"], "wijk_code": ["WK016402"]}
    )  # fmt: skip
    assert d.iloc[0]["floor"] == 0 and pd.isna(d.iloc[0]["buurt_code"])


def test_normalised_shares():
    assert normalised({1: 55, 2: 45}) == {1: 0.55, 2: 0.45}
    with pytest.raises(ValueError):
        normalised({1: 0})


def test_illustrative_amenities_lie_in_the_municipality(areas):
    points = sample_amenities(areas, "GM0141", np.random.default_rng(1), per_category=2)
    assert len(points) == 16 and points["name"].str.endswith(tuple("12")).all()
    assert points["name"].str.contains("(voorbeeld)", regex=False).all()
    frame = dwellings_frame(
        {"dwelling_id": [f"a{i}" for i in range(16)], "bedrooms": [1] * 16,
         "rent": [400.0] * 16, "available_from": ["2019-07-01"] * 16,
         "lon": points["lon"], "lat": points["lat"]}
    )  # fmt: skip
    resolved, problems = resolve_dwelling_areas(frame, areas, "amenities")
    assert problems == [] and set(resolved["gemeente_code"]) == {"GM0141"}
