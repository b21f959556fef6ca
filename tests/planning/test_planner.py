"""The half-year planner on tiny hand-checked streams: pacing, look-ahead, refusals, caps."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.inputs.policy import Period, policy_from_dict
from allocatie.planning.planner import (
    Forecast,
    SimulationSettings,
    Streams,
    meeting_dates,
    refusal_draws,
    reservation_levels,
    simulate,
)
from allocatie.planning.synth import dwellings_frame, households_frame

CALM = "BU01530003"  # De Bothoven, Enschede: LQ 1.09, not concentrated
CONCENTRATED = "BU01530404"  # Deppenbroek, Enschede: LQ 1.71


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def policy(start="2019-07-01", end="2019-09-30", quota=6, backlog=0, **sections):
    return policy_from_dict(
        {
            "municipality": "GM0153",
            "period": {
                "start": dt.date.fromisoformat(start),
                "end": dt.date.fromisoformat(end),
                "quota_persons": quota,
                "backlog_persons": backlog,
            },
            **sections,
        }
    )


def resolved(frame, areas):
    out, problems = resolve_dwelling_areas(frame, areas, "test")
    assert not problems
    return out


@pytest.fixture(scope="module")
def tiny(areas):
    """3 meetings, 4 households, 3 dwellings; the outcome is worked out in the tests.

    Jul 1: H1 (1 p.) and H2 (4 p.) wait; W2 (2 bedrooms, concentrated buurt,
    offered first) and W1 (1 bedroom) are in the window. Aug 1: H3 (1 p.)
    arrives, W3 (1 bedroom) comes in the window. Sep 1: H4 (2 p.) arrives.
    """
    households = households_frame(
        {
            "household_id": ["H1", "H2", "H3", "H4"],
            "persons": [1, 4, 1, 2],
            "adults": [1, 2, 1, 2],
            "children": [0, 2, 0, 0],
            "linked_on": ["2019-06-01", "2019-06-15", "2019-07-10", "2019-08-05"],
        }
    )
    dwellings = dwellings_frame(
        {
            "dwelling_id": ["W1", "W2", "W3"],
            "bedrooms": [1, 2, 1],
            "rent": [500, 550, 500],
            "available_from": ["2019-07-05", "2019-07-03", "2019-08-20"],
            "buurt_code": [CALM, CONCENTRATED, CALM],
        }
    )
    return Streams(households, resolved(dwellings, areas))


SETTINGS = SimulationSettings(offer_days=45, refusal_rate=0.0, lookahead=False)


def test_meetings_are_the_meeting_day_of_every_month_in_the_period():
    period = Period(start=dt.date(2019, 7, 1), end=dt.date(2019, 12, 31))
    assert meeting_dates(period, 1) == [dt.date(2019, m, 1) for m in range(7, 13)]
    assert meeting_dates(Period(start=dt.date(2019, 7, 20), end=dt.date(2019, 9, 30)), 15) == [
        dt.date(2019, 8, 15),
        dt.date(2019, 9, 15),
    ]


def test_optimiser_on_the_tiny_stream(tiny, areas):
    # Jul 1: H2→W2 and H1→W1 (5 persons, the only plan housing H2);
    # Aug 1: H3→W3; Sep 1: nothing left for H4.
    run = simulate(tiny, policy(), areas.stats, SETTINGS, method="optimised")
    homes = run.households.set_index("household_id")
    assert homes["housed_on"].dt.strftime("%m-%d").fillna("").to_dict() == {
        "H1": "07-01",
        "H2": "07-01",
        "H3": "08-01",
        "H4": "",
    }
    assert run.months["persons_housed"].tolist() == [5, 1, 0]
    assert run.months["pace_target"].tolist() == [2, 1, 0]  # ceil(6/3), ceil(1/2), 0
    assert run.months["pace_line"].tolist() == [2.0, 4.0, 6.0]
    assert homes["wait_days"].to_dict() == {"H1": 30, "H2": 16, "H3": 22, "H4": 56}
    assert run.dwellings["vacancy_days"].tolist() == [0, 0, 0]  # matched before available
    k = run.kpis
    assert (k["persons_housed"], k["quota_attainment"], k["carry_over_persons"]) == (6, 1.0, 0)
    assert k["share_outside_concentrated"] == pytest.approx(2 / 3, abs=1e-4)
    assert k["mean_wait_days"] == 31.0
    assert k["share_waiting_over_10_weeks"] == 0.0


def test_first_come_first_served_on_the_tiny_stream(tiny, areas):
    # Jul 1: H1 waited longest and takes the first offer, W2 (Jul 3); H2 (4 p.)
    # fits nothing else. Aug 1: H2 still fits nothing, H3 takes W1. Sep 1: H4 takes W3.
    run = simulate(tiny, policy(), areas.stats, SETTINGS, method="fcfs")
    lets = run.dwellings.set_index("dwelling_id")
    assert lets["let_to"].to_dict() == {"W1": "H3", "W2": "H1", "W3": "H4"}
    assert lets["vacancy_days"].to_dict() == {"W1": 27, "W2": 0, "W3": 12}
    assert run.months["persons_housed"].tolist() == [1, 1, 2]
    homes = run.households.set_index("household_id")
    assert homes.loc["H2", "waiting"] and homes.loc["H2", "wait_days"] == 107  # to Sep 30
    k = run.kpis
    assert (k["persons_housed"], k["carry_over_persons"]) == (4, 2)
    assert k["quota_attainment"] == pytest.approx(4 / 6, abs=1e-4)
    assert k["share_waiting_over_10_weeks"] == 0.25
    assert k["mean_vacancy_days"] == 13.0


def test_offers_end_and_go_to_the_regular_market(tiny, areas):
    # Only H2 (4 persons) and W1 (1 bedroom): W1 never fits, its offer ends after 10 days.
    streams = Streams(tiny.households.iloc[[1]], tiny.dwellings.iloc[[0]])
    short = SimulationSettings(offer_days=10, lookahead=False)
    run = simulate(streams, policy(), areas.stats, short, method="optimised")
    row = run.dwellings.iloc[0]
    assert (row["let_to"], row["vacancy_days"], row["times_offered"]) == ("market", 10, 1)
    assert run.kpis["dwellings_to_market"] == 1


def test_same_streams_and_seed_give_the_same_half_year(tiny, areas):
    rate = SimulationSettings(offer_days=45, refusal_rate=0.5, lookahead=False)
    first = simulate(tiny, policy(), areas.stats, rate, method="optimised", seed=3)
    again = simulate(tiny, policy(), areas.stats, rate, method="optimised", seed=3)
    pd.testing.assert_frame_equal(first.months, again.months)
    pd.testing.assert_frame_equal(first.households, again.households)
    assert first.kpis == pytest.approx(again.kpis, nan_ok=True)


# --------------------------------------------------------------------------
# refusals


def test_refusal_draws_are_a_fixed_function_of_seed_and_pair():
    one = refusal_draws(["H1", "H2", "H3"], ["W1", "W1", "W9"], seed=7)
    alone = refusal_draws(["H2"], ["W1"], seed=7)
    assert one[1] == alone[0]  # the same pair gets the same draw whatever else is offered
    assert not np.array_equal(one, refusal_draws(["H1", "H2", "H3"], ["W1", "W1", "W9"], 8))
    many = refusal_draws([f"H{i}" for i in range(4000)], ["W"] * 4000, seed=1)
    assert ((many >= 0) & (many < 1)).all()
    assert abs(many.mean() - 0.5) < 0.03 and abs((many < 0.1).mean() - 0.1) < 0.02


def test_a_refused_pair_is_never_offered_again(tiny, areas):
    always = SimulationSettings(offer_days=90, refusal_rate=1.0, lookahead=False)
    run = simulate(tiny, policy(), areas.stats, always, method="optimised", seed=1)
    assert run.kpis["persons_housed"] == 0
    assert run.months["refused"].sum() == run.months["proposed_matches"].sum() > 0
    # every proposal is a new pair: H1 refuses W1, then is offered another dwelling
    assert run.households.set_index("household_id").loc["H1", "refusals"] >= 2
    assert run.dwellings["let_to"].eq("").all()  # dwellings stay on offer


def test_both_methods_meet_the_same_refusal_for_the_same_offer(tiny, areas):
    # H1's first offer is W1 (optimised) or W2 (fcfs); the draws decide per pair.
    rate = SimulationSettings(offer_days=45, refusal_rate=0.5, lookahead=False)
    for seed in range(1, 6):
        draws = dict(zip(["W1", "W2"], refusal_draws(["H1", "H1"], ["W1", "W2"], seed)))
        opt = simulate(tiny, policy(), areas.stats, rate, method="optimised", seed=seed)
        fcfs = simulate(tiny, policy(), areas.stats, rate, method="fcfs", seed=seed)
        assert opt.months["refused"].iloc[0] >= int(draws["W1"] < 0.5)
        assert (fcfs.households.set_index("household_id").loc["H1", "refusals"] > 0) == (
            draws["W2"] < 0.5
        )


# --------------------------------------------------------------------------
# caps per period


def test_area_cap_counts_the_whole_period(areas):
    households = households_frame(
        {"household_id": ["A", "B"], "persons": [1, 1], "linked_on": ["2019-06-01"] * 2}
    )
    dwellings = dwellings_frame(
        {
            "dwelling_id": ["X", "Y"],
            "bedrooms": [1, 1],
            "rent": [500, 500],
            "available_from": ["2019-07-10", "2019-08-20"],  # one per meeting
            "buurt_code": [CALM, CALM],
        }
    )
    streams = Streams(households, resolved(dwellings, areas))
    capped = policy(spreading={"max_households_per_area": 1})
    for method in ("optimised", "fcfs"):
        run = simulate(streams, capped, areas.stats, SETTINGS, method=method)
        assert run.kpis["households_housed"] == 1, method
    uncapped = simulate(streams, policy(), areas.stats, SETTINGS, method="fcfs")
    assert uncapped.kpis["households_housed"] == 2


# --------------------------------------------------------------------------
# look-ahead


def test_reservation_levels_hold_only_the_excess_that_can_wait():
    # offers: a 1-, a 3- and two 4-bedroom dwellings; nobody waiting needs 3+;
    # two households needing 3+ bedrooms expected later, no large offers expected.
    demand = np.array([0.0, 2.0, 2.0, 2.0, 0.0])  # expected later, need >= t
    supply = np.zeros(5)
    bedrooms = np.array([1, 3, 4, 4])
    holdable = np.array([True, True, True, False])  # the last leaves before the next meeting
    levels = reservation_levels(np.array([0, 1]), bedrooms, holdable, np.arange(4), demand, supply)
    # t=4: 2 offers, 0 expected → all free.
    # t=3: 3 offers − 2 expected = 1 free of 3 open, shortfall 2 → hold 2: dwellings 1 and 2
    #      (dwelling 3 cannot wait).
    # t=2, t=1: the shortfall of 2 is covered by the 2 already held → nothing more.
    assert levels.tolist() == [0, 3, 3, 0]
    # with one large offer expected later, the shortfall at t=3 is 1: only dwelling 1 is held
    one = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    levels = reservation_levels(np.array([0, 1]), bedrooms, holdable, np.arange(4), demand, one)
    assert levels.tolist() == [0, 3, 0, 0]
    nothing = reservation_levels(np.array([0, 1]), bedrooms, holdable, np.arange(4), supply, supply)
    assert nothing.tolist() == [0, 0, 0, 0]


def test_forecast_counts_at_least_t_bedrooms_over_the_meetings_left():
    forecast = Forecast(demand={0: 2.0, 3: 0.5}, supply={2: 1.0, 4: 0.25})
    demand, supply = forecast.at_least(meetings=2, top=3)
    assert demand.tolist() == [5.0, 1.0, 1.0, 1.0]
    assert supply.tolist() == [2.5, 2.5, 2.5, 0.5]


@pytest.fixture(scope="module")
def large(areas):
    """A couple waits on Jul 1; a family of 6 arrives Jul 15; one 3-bedroom dwelling."""
    households = households_frame(
        {"household_id": ["COUPLE", "FAMILY"], "persons": [2, 6],
         "linked_on": ["2019-06-20", "2019-07-15"]}
    )  # fmt: skip
    dwellings = dwellings_frame(
        {"dwelling_id": ["BIG"], "bedrooms": [3], "rent": [600],
         "available_from": ["2019-07-01"], "buurt_code": [CALM]}
    )  # fmt: skip
    forecast = Forecast(demand={3: 0.5}, supply={})  # half a large family per month
    return Streams(households, resolved(dwellings, areas), forecast=forecast)


def housed(run):
    frame = run.households.set_index("household_id")
    return {h: not w for h, w in frame["waiting"].items()}


@pytest.mark.parametrize(
    ("lookahead", "pace_first", "quota", "backlog", "family_housed", "lifted"),
    [
        (False, False, 0, 0, False, False),  # no look-ahead: the couple takes it in July
        (True, False, 0, 0, True, False),  # held in July, the family gets it in August
        (True, True, 8, 0, False, True),  # behind the pace: the hold is lifted
        (True, True, 8, -10, True, False),  # a voorsprong: no pace to keep, it is held
    ],
)
def test_lookahead_keeps_the_large_dwelling_for_the_family(
    large, areas, lookahead, pace_first, quota, backlog, family_housed, lifted
):
    settings = SimulationSettings(offer_days=60, lookahead=lookahead, pace_first=pace_first)
    period = policy(end="2019-08-31", quota=quota, backlog=backlog)
    run = simulate(large, period, areas.stats, settings, method="optimised")
    assert housed(run) == {"COUPLE": not family_housed, "FAMILY": family_housed}
    assert bool(run.months["lookahead_lifted"].iloc[0]) is lifted
    assert run.months["dwellings_held"].iloc[0] == (1 if lookahead else 0)
    assert run.kpis["persons_housed"] == (6 if family_housed else 2)


def test_fcfs_ignores_the_lookahead(large, areas):
    settings = SimulationSettings(offer_days=60, lookahead=True, pace_first=False)
    run = simulate(large, policy(end="2019-08-31", quota=0), areas.stats, settings, method="fcfs")
    assert housed(run) == {"COUPLE": True, "FAMILY": False}


def test_building_cap_counts_the_whole_period(areas):
    households = households_frame(
        {"household_id": ["A", "B", "C"], "persons": [1, 1, 1], "linked_on": ["2019-06-01"] * 3}
    )
    dwellings = dwellings_frame(
        {
            "dwelling_id": ["X", "Y", "Z"],
            "bedrooms": [1, 1, 1],
            "rent": [500, 500, 500],
            "available_from": ["2019-07-10", "2019-08-20", "2019-08-21"],
            "buurt_code": [CALM] * 3,
            "complex_id": ["FLAT"] * 3,
        }
    )
    streams = Streams(households, resolved(dwellings, areas))
    capped = policy(spreading={"max_per_complex": 2})
    for method in ("optimised", "fcfs"):
        run = simulate(streams, capped, areas.stats, SETTINGS, method=method)
        # July uses one place; in August only Y (the first of the two offers) is left open
        assert run.kpis["households_housed"] == 2, method
        lets = run.dwellings.set_index("dwelling_id")["let_to"]
        assert lets["Z"] == "" and lets["X"] != "" and lets["Y"] != "", method
