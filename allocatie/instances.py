"""Benchmark instances on the real CBS areas: city-month up to the whole country.

Quota-planning research needs standard instances that anyone can regenerate: the
taakstelling of every municipality is proportional to its population and sums to
the national half-year figure (about 17,600 persons); households and dwellings
follow the mixes coordinators report (over half single, small dwellings scarce,
some large families); dwellings lie in real buurten weighted by residents. All of
it is drawn from one seeded generator, vectorised, so the same seed gives the same
instance on any machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocatie.areas import Areas, load_areas
from allocatie.policy import Matching, Period, Policy, Spreading
from allocatie.vocabulary import INTERESTS

#: Persons linked to municipalities in a half year (DESIGN §1, §5).
NATIONAL_PERSONS = 17_600

#: Household size mix of statushouders (persons: share); mean ≈ 2.1.
PERSONS_MIX = {1: 0.60, 2: 0.10, 3: 0.08, 4: 0.09, 5: 0.07, 6: 0.04, 7: 0.02}
#: Bedroom mix of offered social-rent dwellings (bedrooms: share); studios and one-bedroom
#: flats are the scarce ones.
BEDROOM_MIX = {0: 0.04, 1: 0.12, 2: 0.38, 3: 0.32, 4: 0.11, 5: 0.03}
#: Offered dwellings per household, so that most but not all can be housed.
DWELLINGS_PER_HOUSEHOLD = 1.25
PERIOD = Period(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))


@dataclass(frozen=True)
class Instance:
    """A generated instance: typed tables ready for the builder, and a policy."""

    name: str
    households: pd.DataFrame
    dwellings: pd.DataFrame
    policy: Policy


def quota_per_municipality(stats: pd.DataFrame, total: int) -> pd.Series:
    """Taakstelling per gemeente ∝ residents, rounded by largest remainder to sum to ``total``."""
    gemeenten = stats[stats["level"] == "gemeente"]
    residents = pd.to_numeric(gemeenten["residents"], errors="coerce").fillna(0)
    residents = residents[residents > 0].sort_index()
    exact = residents / residents.sum() * total
    quota = np.floor(exact).astype(int)
    short = total - int(quota.sum())
    remainder = (exact - quota).sort_values(ascending=False, kind="stable")
    quota[remainder.index[:short]] += 1
    return quota


def _draw(rng: np.random.Generator, mix: dict[int, float], n: int) -> np.ndarray:
    values = np.array(list(mix))
    weights = np.array(list(mix.values()), dtype=float)
    return rng.choice(values, size=n, p=weights / weights.sum())


def _households_for(rng: np.random.Generator, quota: pd.Series, period: Period) -> pd.DataFrame:
    """Households per municipality until its taakstelling in persons is reached."""
    mean = sum(k * v for k, v in PERSONS_MIX.items())
    draws = int(quota.sum() / mean * 1.3) + 100
    persons = _draw(rng, PERSONS_MIX, draws)
    # assign households to municipalities in order until each quota is filled
    cumulative = np.cumsum(persons)
    bounds = np.cumsum(quota.to_numpy())
    owner = np.searchsorted(bounds, cumulative - persons, side="right")
    keep = owner < len(quota)
    persons, owner = persons[keep], owner[keep]
    gemeente = quota.index.to_numpy()[owner]
    n = len(persons)
    single = persons == 1
    children = np.where(persons >= 3, persons - 2, np.where(persons == 2, 0, 0))
    adults = persons - children
    reunification = np.where(single & (rng.random(n) < 0.25), rng.integers(1, 5, n), 0)
    days = (period.end - period.start).days
    linked = pd.Timestamp(period.start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    n_interests = rng.choice(4, size=n, p=[0.15, 0.35, 0.3, 0.2])
    pool = np.array(INTERESTS, dtype=object)
    interest_draws = rng.random((n, len(pool))).argsort(axis=1)
    interests = [tuple(sorted(pool[row[:k]])) for row, k in zip(interest_draws, n_interests)]
    max_floor = pd.array(np.where(rng.random(n) < 0.05, rng.integers(0, 2, n), -1), dtype="Int64")
    max_floor[max_floor < 0] = pd.NA
    return pd.DataFrame(
        {
            "household_id": [f"H{i:06d}" for i in range(n)],
            "persons": persons.astype(np.int64),
            "adults": pd.array(adults, dtype="Int64"),
            "children": pd.array(children, dtype="Int64"),
            "expected_reunification": reunification.astype(np.int64),
            "linked_on": linked.astype("datetime64[ns]"),
            "needs_accessible": rng.random(n) < 0.02,
            "max_floor": max_floor,
            "income_below_rent_benefit_limit": rng.random(n) < 0.9,
            "interests": interests,
            "preferred_areas": [()] * n,
            "excluded_areas": [()] * n,
            "gemeente_code": gemeente.astype(str),
            "source_line": np.arange(2, n + 2, dtype=np.int64),
        }
    )


def _dwellings_for(
    rng: np.random.Generator, stats: pd.DataFrame, counts: pd.Series, period: Period
) -> pd.DataFrame:
    """``counts[g]`` dwellings in the buurten of each gemeente g, weighted by residents."""
    buurten = stats[(stats["level"] == "buurt") & stats["gemeente_code"].isin(counts.index)]
    residents = pd.to_numeric(buurten["residents"], errors="coerce").fillna(0)
    buurten = buurten[residents >= 100].assign(weight=residents[residents >= 100])
    buurten = buurten.sort_values(["gemeente_code"], kind="stable")
    groups = buurten.groupby("gemeente_code", sort=True)["weight"]
    codes = pd.Index(sorted(buurten["gemeente_code"].unique()))
    counts = counts[counts.index.isin(codes)]
    # Inverse-CDF sampling within every gemeente at once: the key of a buurt is its
    # gemeente's number plus its cumulative weight share in (0, 1], so searching
    # "number + u" can only land inside that gemeente.
    key = codes.get_indexer(buurten["gemeente_code"]) + (groups.cumsum() / groups.transform("sum"))
    gemeente = np.repeat(counts.index.to_numpy(), counts.to_numpy())
    n = len(gemeente)
    slot = np.searchsorted(key.to_numpy(), codes.get_indexer(gemeente) + rng.random(n))
    buurt = buurten.index.to_numpy()[slot]
    bedrooms = _draw(rng, BEDROOM_MIX, n)
    rent = np.clip(rng.normal(540 + 25 * bedrooms, 60), 350, 850).round(2)
    floor = np.where(rng.random(n) < 0.45, 0, rng.integers(1, 6, n))
    days = (period.end - period.start).days
    available = pd.Timestamp(period.start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    in_building = rng.random(n) < 0.2
    complex_id = np.where(
        in_building, [f"{b}-C{k}" for b, k in zip(buurt, rng.integers(0, 3, n))], None
    )
    return pd.DataFrame(
        {
            "dwelling_id": [f"D{i:06d}" for i in range(n)],
            "corporation": "Voorbeeldcorporatie",
            "buurt_code": pd.array(buurt, dtype="string"),
            "wijk_code": pd.array(["WK" + b[2:8] for b in buurt], dtype="string"),
            "lon": np.nan,
            "lat": np.nan,
            "bedrooms": bedrooms.astype(np.int64),
            "area_m2": (30 + 18 * bedrooms + rng.normal(0, 6, n)).round(1),
            "floor": floor.astype(np.int64),
            "elevator": (floor >= 2) & (rng.random(n) < 0.6),
            "accessible": (floor == 0) & (rng.random(n) < 0.12),
            "rent": rent,
            "available_from": available.astype("datetime64[ns]"),
            "complex_id": pd.array(complex_id, dtype="string"),
            "source_line": np.arange(2, n + 2, dtype=np.int64),
        }
    )


def generate(
    name: str,
    seed: int,
    quota: pd.Series,
    areas: Areas | None = None,
    period: Period = PERIOD,
) -> Instance:
    """Households for ``quota`` (persons per gemeente) and 1.25 dwellings per household."""
    areas = areas or load_areas()
    rng = np.random.default_rng(seed)
    households = _households_for(rng, quota, period)
    per_gemeente = households["gemeente_code"].value_counts().sort_index()
    dwellings = _dwellings_for(
        rng, areas.stats, np.ceil(per_gemeente * DWELLINGS_PER_HOUSEHOLD).astype(int), period
    )
    policy = Policy(
        period=Period(
            start=period.start, end=period.end, quota_persons=int(quota.sum()), backlog_persons=0
        ),
        matching=Matching(date=period.end, window_days=0),
        spreading=Spreading(max_households_per_area=None, max_per_complex=2),
    )
    return Instance(name, households, dwellings, policy)


def national(seed: int = 1, total_persons: int = NATIONAL_PERSONS) -> Instance:
    """The whole country for a half year: ~8,000 households, ~10,000 dwellings."""
    areas = load_areas()
    return generate("national", seed, quota_per_municipality(areas.stats, total_persons), areas)


def city(gemeente: str = "GM0153", seed: int = 1, persons: int = 52, months: int = 6) -> Instance:
    """One municipality: ``persons`` to house over ``months`` months of koppelingen and offers."""
    end = PERIOD.start + dt.timedelta(days=round(30.4 * months) - 1)
    period = Period(start=PERIOD.start, end=min(end, PERIOD.end))
    return generate(f"{gemeente}-{months}m", seed, pd.Series({gemeente: persons}), period=period)


def stress(seed: int = 1, households: int = 50_000) -> Instance:
    """A national instance scaled up to about ``households`` households."""
    mean = sum(k * v for k, v in PERSONS_MIX.items())
    inst = national(seed, total_persons=int(households * mean))
    return Instance("stress", inst.households, inst.dwellings, inst.policy)


def write(instance: Instance, folder: str | Path) -> Path:
    """Write the instance as CSV files and a policy, as a user would hand them over."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    h = instance.households.drop(columns="source_line").copy()
    for column in ("interests", "preferred_areas", "excluded_areas"):
        h[column] = h[column].map(";".join)
    h["linked_on"] = h["linked_on"].dt.strftime("%Y-%m-%d")
    h.to_csv(folder / "households.csv", index=False)
    d = instance.dwellings.drop(columns=["source_line", "lon", "lat"]).copy()
    d["available_from"] = d["available_from"].dt.strftime("%Y-%m-%d")
    d.to_csv(folder / "dwellings.csv", index=False)
    p = instance.policy
    (folder / "policy.toml").write_text(
        f"# generated benchmark instance '{instance.name}' (synthetic; areas: Bron: CBS)\n"
        f"[period]\nstart = {p.period.start}\nend = {p.period.end}\n"
        f"quota_persons = {p.period.quota_persons}\n\n"
        f"[matching]\ndate = {p.matching.date}\nwindow_days = {p.matching.window_days}\n\n"
        f"[spreading]\nmax_per_complex = {p.spreading.max_per_complex}\n"
        f"projected_composition = {str(p.spreading.projected_composition).lower()}\n",
        encoding="utf-8",
    )
    return folder
