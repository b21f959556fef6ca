"""The planner's what-if from reality: the rest of this half year, given what is confirmed.

``allocatie scenario run`` plays a whole half year from its start. With a ledger
it starts today instead: the period's dates, taakstelling and achterstand come
from the ledger's open period, the persons already housed are taken off the
target (so ``carry_over_persons`` is the true carry-over of the whole period),
the areas keep the households placed in them this period
(``[spreading.placed_this_period]``, so the area caps hold over the half year),
and households already housed or dwellings already let are taken out of the
scenario's files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.policy import Period, Policy
from allocatie.ledger.periods import select_period
from allocatie.ledger.state import PlannerStart, load_state, planner_start
from allocatie.ledger.store import Ledger
from allocatie.planning.scenario import Scenario

__all__ = ["ledger_start", "scenario_from_ledger"]


def ledger_start(ledger: Ledger, municipality: str, today: dt.date) -> PlannerStart:
    """Where the rest of the municipality's open period starts (see :func:`planner_start`)."""
    with ledger.transaction() as session:
        period = select_period(session, municipality)
        return planner_start(load_state(session, period), today)


def _rest(policy: Policy, base: Policy, start: PlannerStart) -> Policy:
    """``policy`` over the rest of the period; a variant's taakstelling factor is kept."""
    given = base.period.quota_persons
    factor = policy.period.quota_persons / given if given else 1.0
    return dataclasses.replace(
        policy,
        period=Period(
            start=start.start,
            end=start.end,
            quota_persons=round(start.quota_persons * factor),
            backlog_persons=start.backlog_persons,
        ),
        spreading=dataclasses.replace(
            policy.spreading, placed_this_period=dict(start.placed_this_period)
        ),
    )


def scenario_from_ledger(scenario: Scenario, start: PlannerStart) -> Scenario:
    """``scenario`` for the rest of the ledger's half year (see the module docstring).

    Raises
    ------
    InputError
        When the scenario is about another municipality than the ledger's period.
    """
    if scenario.municipality != start.municipality:
        raise InputError(
            [
                Problem(
                    scenario.file,
                    None,
                    "scenario.municipality",
                    f"het scenario is voor {scenario.municipality}, de open periode in de ledger "
                    f"voor {start.municipality}",
                )
            ]
        )
    base = scenario.runs[0].policy
    runs = tuple(dataclasses.replace(r, policy=_rest(r.policy, base, start)) for r in scenario.runs)
    households, dwellings = scenario.households, scenario.dwellings
    if households is not None:
        housed = households["household_id"].astype(str).isin(start.housed_household_ids)
        households = households[~housed.to_numpy()].reset_index(drop=True)
    if dwellings is not None:
        let = dwellings["dwelling_id"].astype(str).isin(start.let_dwelling_ids)
        dwellings = dwellings[~let.to_numpy()].reset_index(drop=True)
    return dataclasses.replace(scenario, runs=runs, households=households, dwellings=dwellings)
