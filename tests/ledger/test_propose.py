"""``month propose``: the monthly engine plus the ledger's memory, and nothing else."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pandas as pd

from allocatie.ledger.state import PeriodInfo, PeriodState, pace_persons, planner_start
from allocatie.match import Inputs, run_match
from tests.ledger.conftest import OCTOBER, invoke, open_half_year, propose
from tests.paths import EXAMPLE


def test_a_first_proposal_is_the_plan_of_allocatie_match(ledger_url, tmp_path):
    open_half_year(ledger_url)
    path = propose(ledger_url, tmp_path / "oktober").with_suffix(".csv")
    proposed = pd.read_csv(path, dtype=str, keep_default_na=False)
    matched = run_match(Inputs.from_scenario(EXAMPLE), date=OCTOBER, lang="nl").plan
    expected = pd.read_csv(
        io.StringIO(matched.to_csv(index=False)), dtype=str, keep_default_na=False
    )
    same = proposed.drop(columns=["besluit", "proposal_id"])
    pd.testing.assert_frame_equal(same, expected)


def test_the_same_ledger_and_files_give_the_same_plan(tmp_path):
    plans = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        open_half_year(url)
        plans.append(propose(url, tmp_path / name).with_suffix(".csv").read_bytes())
    assert plans[0] == plans[1]


def test_a_date_outside_the_period_or_another_municipality_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    open_half_year(url)
    late = invoke(
        "month",
        "propose",
        "--scenario",
        EXAMPLE,
        "--date",
        "2020-02-01",
        "--out",
        tmp_path / "x",
        "--ledger",
        url,
    )
    assert late.exit_code == 2 and "buiten de open periode" in late.output
    other = tmp_path / "elders"
    shutil.copytree(EXAMPLE, other)
    policy = other / "policy.toml"
    policy.write_text(policy.read_text().replace('"GM0153"', '"GM0164"'))
    wrong = invoke(
        "month",
        "propose",
        "--scenario",
        other,
        "--date",
        "2019-10-01",
        "--out",
        tmp_path / "y",
        "--ledger",
        url,
    )
    assert wrong.exit_code == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_pace_and_the_planners_start():
    period = PeriodInfo(
        1, "GM0153", dt.date(2019, 7, 1), dt.date(2019, 12, 31), 52, 8, "gegeven", "open", 3, None
    )
    assert pace_persons(period, dt.date(2019, 6, 1)) == 0
    assert pace_persons(period, dt.date(2019, 12, 31)) == 60
    assert pace_persons(period, dt.date(2020, 3, 1)) == 60
    assert 29 <= pace_persons(period, dt.date(2019, 9, 30)) <= 31
    start = planner_start(PeriodState(period), dt.date(2019, 10, 15))
    assert (start.start, start.remaining_months) == (dt.date(2019, 10, 15), 3)
    assert start.quota_persons + start.backlog_persons == 60
    assert start.policy_period()["end"] == dt.date(2019, 12, 31)


def test_a_scenario_starts_from_the_ledgers_half_year(tmp_path):
    from allocatie.areas.data import load_areas
    from allocatie.ledger.planning import ledger_start, scenario_from_ledger
    from allocatie.ledger.store import open_ledger, resolve
    from allocatie.planning.scenario import load_scenario
    from tests.ledger.conftest import decide, ok
    from tests.paths import EXAMPLES

    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    open_half_year(url, backlog="4")
    plan = decide(propose(url, tmp_path / "oktober"), {"HH-2019-017": "akkoord"})
    ok(invoke("month", "confirm", plan, "--ledger", url))
    ledger = open_ledger(resolve(url))
    start = ledger_start(ledger, "GM0153", dt.date(2019, 10, 15))
    ledger.dispose()
    areas = load_areas()
    scenario = load_scenario(EXAMPLES / "enschede-2019h2-halfjaar.toml", areas)
    rest = scenario_from_ledger(scenario, start)
    base = rest.runs[0].policy
    assert (base.period.start, base.period.end) == (dt.date(2019, 10, 15), dt.date(2019, 12, 31))
    housed = start.persons_housed
    assert housed > 0 and base.period.backlog_persons == 4 - housed
    assert base.period.quota_persons == 52
    assert base.spreading.placed_this_period == start.placed_this_period
    assert len(rest.runs) == len(scenario.runs)


def test_a_building_keeps_only_the_places_left_this_period():
    from allocatie.ledger.monthly import _complex_room

    dwellings = pd.DataFrame(
        {
            "dwelling_id": ["d1", "d2", "d3", "d4", "d5"],
            "complex_id": ["A", "A", "A", None, "B"],
            "available_from": pd.to_datetime(
                ["2019-10-03", "2019-10-01", "2019-10-02", "2019-10-01", "2019-10-01"]
            ),
        }
    )
    keep = _complex_room(dwellings, cap=2, used={"A": 1}, pinned=set())
    assert keep.tolist() == [False, True, False, True, True]  # the earliest offer of A
    keep = _complex_room(dwellings, cap=2, used={"A": 1}, pinned={"d1"})
    assert keep.tolist() == [True, False, False, True, True]  # a promised flat goes first
    assert _complex_room(dwellings, cap=2, used={"A": 2, "B": 2}, pinned=set()).tolist() == [
        False,
        False,
        False,
        True,
        False,
    ]
