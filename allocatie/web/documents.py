"""What the meeting takes home and what the map shows: plan.xlsx, report.html, the map page.

The files are the CLI's own (:func:`allocatie.report.outputs.write_plan`),
made from the plan on the screen, so ``plan.xlsx`` carries the proposal's id
and the meeting's decisions in its ``besluit`` column and could be confirmed
with ``allocatie month confirm`` as well.

The map is the report's interactive map (:mod:`allocatie.report.web_map`:
wijken coloured by location quotient after the plan, concentrated areas
marked in the legend and the tooltips, placements as markers) rendered alone
as a page for an ``<iframe>``, with Leaflet inlined from XStatic-Leaflet, so it
works without internet. A corporation sees only the placements in its own
dwellings; a viewer sees the markers without household ids.
"""

from __future__ import annotations

import copy
import dataclasses
import tempfile
from pathlib import Path

import pandas as pd

from allocatie.ledger.proposals import DECISION_COLUMN
from allocatie.report.maps import indicator_label, placements_table, wijk_layer
from allocatie.report.outputs import write_plan
from allocatie.report.web_map import interactive_map
from allocatie.web.meeting import Working
from allocatie.web.users import User

__all__ = ["DOWNLOADS", "map_page", "plan_files"]

#: Download name → file written by ``write_plan`` and its media type.
DOWNLOADS = {
    "plan.xlsx": ("plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "rapport.html": ("report.html", "text/html; charset=utf-8"),
}


def _with_refusals(plan: Working) -> pd.DataFrame:
    """The plan with each refusal of the meeting on its row: the refused dwelling, ``geweigerd``."""
    table = plan.outcome.plan.copy()
    table["dwelling_id"] = table["dwelling_id"].astype("string")
    for draft in plan.drafts:
        if draft.decision == "refused":
            row = table["household_id"].astype(str) == draft.household_id
            table.loc[row, "dwelling_id"] = draft.dwelling_id
            table.loc[row, DECISION_COLUMN] = "geweigerd"
    return table


def plan_files(plan: Working, maps: bool = True) -> dict[str, bytes]:
    """The downloads of this plan, by download name (written to a private temporary folder).

    ``plan.xlsx`` carries every decision of the meeting in its ``besluit``
    column (a refusal on the row of the refused dwelling), so ``allocatie month
    confirm`` reads the same decisions the screen confirms. With ``maps`` the
    report is made too; its map shows what the plan places.
    """
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="allocatie-web-") as tmp:
        decided = dataclasses.replace(plan.outcome, plan=_with_refusals(plan))
        write_plan(Path(tmp) / "besluiten", decided, maps=False)
        out["plan.xlsx"] = (Path(tmp) / "besluiten" / "plan.xlsx").read_bytes()
        if maps:
            write_plan(Path(tmp) / "rapport", plan.outcome, maps=True)
            out["rapport.html"] = (Path(tmp) / "rapport" / "report.html").read_bytes()
    return out


def _gemeente(plan: Working) -> str:
    return plan.period.municipality


def map_page(plan: Working, user: User) -> str:
    """The interactive map of the plan as one HTML page, filtered for ``user``."""
    outcome = plan.outcome
    policy = outcome.instance.policy
    gemeente = _gemeente(plan)
    effects = outcome.area_effects
    wijk = effects[(effects["level"] == "wijk") & (effects["gemeente_code"] == gemeente)]
    layer = wijk_layer(
        outcome.areas,
        gemeente,
        wijk.set_index("code")["lq_before"],
        wijk.set_index("code")["lq_after"],
        threshold=policy.spreading.lq_threshold,
    )
    table = outcome.plan.copy()
    mine = table["corporation"].map(lambda c: user.owns(None if pd.isna(c) else str(c)))
    table = table[mine.astype(bool)].reset_index(drop=True)
    if not user.sees_households:
        table["household_id"] = [f"huishouden {i + 1}" for i in range(len(table))]
    dwellings = outcome.instance.dwellings
    placements = placements_table(table, dwellings[dwellings["gemeente_code"] == gemeente])
    name = str(layer["gemeente_name"].iloc[0]) if "gemeente_name" in layer else gemeente
    title = f"Voorstel {plan.proposal_id} — {name}, {outcome.kpis['matching_date']}"
    fmap = interactive_map(
        layer,
        placements,
        threshold=policy.spreading.lq_threshold,
        indicator_label=indicator_label(policy.spreading.indicator),
        title=title,
        height=560,
    )
    figure = copy.deepcopy(fmap.get_root())
    return str(figure.render())
