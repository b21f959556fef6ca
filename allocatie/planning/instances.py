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

from allocatie.areas.data import Areas, load_areas
from allocatie.inputs.policy import Matching, Period, Policy, Spreading
from allocatie.planning import synth

#: Persons linked to municipalities in a half year (DESIGN §1, §5).
NATIONAL_PERSONS = 17_600

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


def _municipality(
    rng: np.random.Generator, stats: pd.DataFrame, gemeente: str, persons: int, period: Period
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households until ``persons`` are reached, and their dwellings, for one municipality.

    The mixes are the planner's (:mod:`allocatie.planning.synth`), so benchmarks and
    scenarios draw from the same picture of who arrives and what is offered.
    """
    mix = synth.HouseholdMix()
    mean = sum(k * v for k, v in synth.normalised(mix.persons).items())
    code = gemeente[2:]
    drawn = synth.sample_households(
        mix, int(persons / mean * 2) + 10, rng, linked_from=period.start,
        linked_until=period.end, id_prefix=f"H{code}-", gemeente=gemeente,
    )  # fmt: skip
    # households in order while they fit, then singles from the rest of the draw for what is
    # left, so each municipality's households add up to its taakstelling exactly
    fits = (drawn["persons"].cumsum() <= persons).to_numpy()
    left = persons - int(drawn.loc[fits, "persons"].sum())
    rest = drawn[~fits]
    households = pd.concat([drawn[fits], rest[rest["persons"] == 1].head(left)])
    buurten = synth.candidate_buurten(stats, gemeente, min_residents=100)
    if buurten.empty:
        return households, households.iloc[:0]
    dwellings = synth.sample_dwellings(
        synth.DwellingMix(), int(np.ceil(len(households) * DWELLINGS_PER_HOUSEHOLD)), rng,
        buurten=buurten, available_from=period.start, available_until=period.end,
        id_prefix=f"D{code}-",
    )  # fmt: skip
    return households, dwellings


def _numbered(frames: list[pd.DataFrame]) -> pd.DataFrame:
    table = pd.concat(frames, ignore_index=True)
    table["source_line"] = np.arange(2, len(table) + 2, dtype=np.int64)
    return table


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
    drawn = [
        _municipality(rng, areas.stats, str(g), int(q), period)
        for g, q in quota.sort_index().items()
        if q > 0
    ]
    households = _numbered([h for h, _ in drawn])
    dwellings = _numbered([d for _, d in drawn if len(d)])
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
    mix = synth.HouseholdMix()
    mean = sum(k * v for k, v in synth.normalised(mix.persons).items())
    inst = national(seed, total_persons=int(households * mean))
    return Instance("stress", inst.households, inst.dwellings, inst.policy)


def write(instance: Instance, folder: str | Path) -> Path:
    """Write the instance as CSV files and a policy, as a user would hand them over.

    Reading the files back gives the instance's own problem: every rule the
    generator set, the rent caps included, is written out rather than left to
    the reader's defaults.
    """
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
        f"projected_composition = {str(p.spreading.projected_composition).lower()}\n\n"
        # the instance's own caps, not the reader's default for the period's year: the
        # files must reproduce the instance (a 2025 period would read the 2025 caps)
        f"[affordability]\ncap_low = {p.affordability.cap_low}\n"
        f"cap_high = {p.affordability.cap_high}\n",
        encoding="utf-8",
    )
    return folder
