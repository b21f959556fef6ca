"""A region's half year, separate vs pooled: the municipalities' own scenarios played together.

A corporation planner of a region asks what pooling would bring over a half
year: the same koppelingen and offers, once with every municipality matching
alone and once with the region matching together, month by month. This module
answers it from the municipalities' own scenario files
(:func:`allocatie.planning.scenario.load_scenario`, e.g. the bundled
``enschede-``, ``almelo-`` and ``hengelo-2019h2-halfjaar.toml``), so that both
sides of the comparison share every household, dwelling and refusal draw:

- **separate**: each municipality's base run is simulated on its own streams
  (:func:`allocatie.planning.planner.simulate`), exactly as ``allocatie scenario
  run`` would, and the region's figures are the sums;
- **pooled**: the streams of all municipalities are simulated as one, under a
  policy with a pooling ``[region]`` (the builder then lets every household meet
  every dwelling of the region, bindings excepted), the taakstelling being the
  sum of theirs. A household housed outside its own municipality is a
  herkoppeling.

Separately, each month's plan is the engine's (:func:`allocatie.solve.solve`:
persons, spreading, quality); pooled, it is the regional objective of
:func:`allocatie.solve.region.solve_region` (persons, leximin fairness between
the municipalities on what each still has open this period, spreading, quality,
fewest herkoppelingen), as in a pooled ``allocatie match``; the planner
(:func:`allocatie.planning.planner.simulate`) keeps each municipality's persons
housed so far up to date from meeting to meeting. Moves cost nothing beyond
being a herkoppeling here (no distances between municipalities).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.inputs.policy import Period, Policy, Region
from allocatie.planning.planner import Forecast, HalfYear, Streams, simulate
from allocatie.planning.scenario import Scenario, build_streams

__all__ = ["MODES", "RegionHalfYear", "pooled_streams", "run_region"]

#: The two sides of the comparison.
MODES = ("separate", "pooled")


@dataclass(frozen=True)
class RegionHalfYear:
    """Separate vs pooled for one seed.

    Attributes
    ----------
    summary
        One row per mode and municipality (and ``"region"``): persons to house
        (taakstelling + achterstand), persons housed in its dwellings, persons
        of its own households housed, herkoppelingen sent and received,
        households still waiting, mean wait (days) of its households.
    months
        One row per mode, municipality and meeting: persons housed at that
        meeting in the municipality's dwellings, and cumulated.
    """

    summary: pd.DataFrame
    months: pd.DataFrame


def _own_streams(scenario: Scenario, streams: Streams) -> Streams:
    """``streams`` with ids prefixed by the municipality and households linked to it.

    Ids only need be unique within one municipality's scenario; pooled, two
    municipalities' ``H001`` would be one household.
    """
    code = scenario.municipality
    households = streams.households.copy()
    households["household_id"] = code + "-" + households["household_id"].astype(str)
    households["gemeente_code"] = code
    dwellings = streams.dwellings.copy()
    dwellings["dwelling_id"] = code + "-" + dwellings["dwelling_id"].astype(str)
    if "complex_id" in dwellings.columns:
        complexes = dwellings["complex_id"]
        dwellings["complex_id"] = (code + "-" + complexes.astype(str)).where(complexes.notna())
    return Streams(households, dwellings, streams.distances, streams.forecast)


def pooled_streams(parts: Sequence[Streams]) -> Streams:
    """One stream of the region: every municipality's households and dwellings, forecasts summed."""
    households = pd.concat([p.households for p in parts], ignore_index=True)
    dwellings = pd.concat([p.dwellings for p in parts], ignore_index=True)
    households["source_line"] = np.arange(2, len(households) + 2, dtype=np.int64)
    dwellings["source_line"] = np.arange(2, len(dwellings) + 2, dtype=np.int64)
    distances = None
    if all(p.distances is not None for p in parts):
        distances = pd.concat([p.distances for p in parts], ignore_index=True).fillna(np.inf)
    forecast = None
    if all(p.forecast is not None for p in parts):
        demand: dict[int, float] = {}
        supply: dict[int, float] = {}
        for p in parts:
            assert p.forecast is not None
            for k, v in p.forecast.demand.items():
                demand[k] = demand.get(k, 0.0) + v
            for k, v in p.forecast.supply.items():
                supply[k] = supply.get(k, 0.0) + v
        forecast = Forecast(demand, supply)
    return Streams(households, dwellings, distances, forecast)


def pooled_policy(policies: Sequence[Policy], codes: Sequence[str]) -> Policy:
    """The first municipality's rules for the region: taakstellingen summed, a pooling region."""
    first = policies[0]
    period = first.period
    quota = {c: p.period.quota_persons for c, p in zip(codes, policies)}
    backlog = {c: p.period.backlog_persons for c, p in zip(codes, policies)}
    pooled_period = Period(
        start=period.start,
        end=period.end,
        quota_persons=sum(quota.values()),
        backlog_persons=sum(backlog.values()),
    )
    region = Region(municipalities=tuple(codes), pooling=True, quota=quota, backlog=backlog)
    return dataclasses.replace(first, municipality=None, period=pooled_period, region=region)


def _placed(outcome: HalfYear, streams: Streams, mode: str) -> pd.DataFrame:
    """One row per household of a simulated stream: home, where housed, persons, wait."""
    households = outcome.households
    index = households["dwelling_index"].to_numpy(dtype=np.int64)
    housed = index >= 0
    there = np.full(len(households), None, dtype=object)
    dwelling_gemeente = streams.dwellings["gemeente_code"].astype(str).to_numpy()
    there[housed] = dwelling_gemeente[index[housed]]
    return pd.DataFrame(
        {
            "mode": mode,
            "home": streams.households["gemeente_code"].astype(str).to_numpy(),
            "there": there,
            "housed": housed,
            "persons": households["persons"].to_numpy(dtype=np.int64),
            "wait_days": households["wait_days"].to_numpy(dtype=float),
            "housed_on": pd.to_datetime(households["housed_on"]).to_numpy(),
        }
    )


def _summary_row(frame: pd.DataFrame, code: str | None, target: int) -> dict[str, Any]:
    """The figures of one municipality (``None``: the whole region) in one mode."""
    mine = frame["home"].eq(code) if code else pd.Series(True, index=frame.index)
    here = frame["there"].eq(code) if code else frame["housed"]
    moved = frame["housed"] & frame["there"].ne(frame["home"])
    return {
        "municipality": code or "region",
        "target_persons": target,
        "persons_housed": int(frame.loc[frame["housed"] & here, "persons"].sum()),
        "own_persons_housed": int(frame.loc[frame["housed"] & mine, "persons"].sum()),
        "herkoppelingen_sent": int((moved & mine).sum()),
        "herkoppelingen_received": int((moved & here).sum()),
        "households_waiting": int((~frame["housed"] & mine).sum()),
        "mean_wait_days": round(float(frame.loc[mine, "wait_days"].mean()), 1)
        if mine.any()
        else None,
    }


def run_region(scenarios: Sequence[Scenario], areas: Areas, seed: int = 1) -> RegionHalfYear:
    """Separate vs pooled over the half year of the scenarios' base runs, for one seed.

    Parameters
    ----------
    scenarios
        One loaded scenario per municipality (distinct municipalities, the same
        period); each one's base run is used (its variants are not).
    areas
        The area data the scenarios were loaded with.
    seed
        Seed of every stream and of the refusal draws, as in ``scenario run``.

    Raises
    ------
    ValueError
        With fewer than two scenarios, twice the same municipality, or periods
        that differ.
    """
    codes = [s.municipality for s in scenarios]
    if len(codes) < 2 or len(set(codes)) != len(codes):
        raise ValueError(f"a region needs two or more distinct municipalities, got {codes}")
    runs = [s.runs[0] for s in scenarios]
    periods = {(r.policy.period.start, r.policy.period.end) for r in runs}
    if len(periods) != 1:
        raise ValueError(f"the scenarios' periods differ: {sorted(periods)}")
    streams = [_own_streams(s, build_streams(s, r, seed, areas)) for s, r in zip(scenarios, runs)]
    targets = {c: r.policy.period.target_persons for c, r in zip(codes, runs)}
    placed = [
        _placed(simulate(own, run.policy, areas.stats, run.simulation, seed=seed), own, "separate")
        for run, own in zip(runs, streams)
    ]
    together = pooled_streams(streams)
    policy = pooled_policy([r.policy for r in runs], codes)
    outcome = simulate(together, policy, areas.stats, runs[0].simulation, seed=seed)
    placed.append(_placed(outcome, together, "pooled"))
    frame = pd.concat(placed, ignore_index=True)
    rows = []
    for mode in MODES:
        part = frame[frame["mode"] == mode]
        for code in [*codes, None]:
            target = targets[code] if code else sum(targets.values())
            rows.append({"mode": mode, **_summary_row(part, code, target)})
    summary = pd.DataFrame(rows)
    summary["attainment"] = (
        summary["persons_housed"] / summary["target_persons"].where(summary["target_persons"] > 0)
    ).round(4)
    return RegionHalfYear(summary, _monthly(frame, codes))


def _monthly(frame: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Persons housed per meeting in each municipality's dwellings, and cumulated, per mode."""
    housed = frame[frame["housed"]]
    meetings = sorted(pd.unique(housed["housed_on"]))
    index = pd.MultiIndex.from_product(
        [list(MODES), [*codes, "region"], meetings], names=["mode", "municipality", "meeting"]
    )
    per = pd.concat(
        [
            housed.groupby(["mode", "there", "housed_on"])["persons"]
            .sum()
            .rename_axis(["mode", "municipality", "meeting"]),
            housed.groupby(["mode", "housed_on"])["persons"]
            .sum()
            .rename_axis(["mode", "meeting"])
            .to_frame()
            .assign(municipality="region")
            .set_index("municipality", append=True)
            .reorder_levels(["mode", "municipality", "meeting"])["persons"],
        ]
    )
    table = per.reindex(index, fill_value=0).rename("persons_housed").reset_index()
    table["persons_housed_cumulative"] = table.groupby(["mode", "municipality"])[
        "persons_housed"
    ].cumsum()
    table["meeting"] = pd.to_datetime(table["meeting"]).dt.date
    return table
