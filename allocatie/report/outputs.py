"""Plan table, KPIs and output files: what the coordinator takes to the meeting.

Outputs are written to a temporary folder next to the target and only then
moved into place, so an interrupted or failed run never leaves a half-written
plan that someone could mistake for a real one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from allocatie.model.builder import Instance
from allocatie.model.scores import OVERDUE_DAYS, PARTS
from allocatie.report.explain import explain
from allocatie.report.output_set import write_csv, write_outputs
from allocatie.solve import Result


def plan_table(instance: Instance, result: Result, lang: str = "en") -> pd.DataFrame:
    """One row per household, in input order, with the match and its reason (in ``lang``)."""
    households = instance.households
    dwellings = instance.dwellings
    assignment = result.assignment(instance.problem)
    placed = assignment >= 0
    d = dwellings.reindex(np.where(placed, assignment, -1)).reset_index(drop=True)
    d.loc[~placed] = np.nan

    pairs = instance.pairs.set_index(["household", "dwelling"])
    keys = pd.MultiIndex.from_arrays([np.arange(len(households)), assignment])
    chosen = pairs.reindex(keys).reset_index(drop=True)

    plan = pd.DataFrame(
        {
            "household_id": households["household_id"].astype(str),
            "dwelling_id": d["dwelling_id"].astype("string"),
            "persons": households["persons"].astype(int),
            "people_incl_reunification": households["people"].astype(int),
            "wait_days": households["wait_days"].astype(int),
            "corporation": d["corporation"].astype("string"),
            "buurt_code": d["buurt_code"].astype("string"),
            "wijk_code": d["wijk_code"].astype("string"),
            "spreading_area": d["area_code"].astype("string"),
            "area_name": d["area_name"].astype("string"),
            "area_lq": d["lq"].astype(float).round(3),
            "area_concentrated": d["concentrated"].astype("boolean"),
            "bedrooms": d["bedrooms"].astype("Int64"),
            "rent": d["rent"].astype(float),
            **{f"score_{part}": chosen[part].astype(float).round(3) for part in PARTS},
            "quality": chosen["quality"].astype("Int64"),
            "pinned": chosen["pinned"].astype("boolean").fillna(False),
            "reason": explain(instance, result, lang).to_numpy(),
        }
    )
    plan.loc[~placed, "area_concentrated"] = pd.NA
    for column in households.attrs.get("passthrough", []):
        if column in households.columns and column not in plan.columns:
            plan[column] = households[column].to_numpy()
    return plan


def kpis(instance: Instance, result: Result, plan: pd.DataFrame) -> dict[str, Any]:
    """Progress against the taakstelling, spreading and waiting, plus solver facts."""
    period = instance.policy.period
    placed = plan["dwelling_id"].notna().to_numpy()
    persons = int(plan.loc[placed, "persons"].sum())
    housed = int(placed.sum())
    outside = int((placed & (plan["area_concentrated"] == False).fillna(False)).sum())  # noqa: E712
    target = period.target_persons
    wait = plan["wait_days"].to_numpy()
    t1, t2, t3 = result.objective
    return {
        "matching_date": instance.date.isoformat(),
        "matching_date_source": instance.date_note,
        "persons_housed": persons,
        "households_housed": housed,
        "households_unplaced": int((~placed).sum()),
        "persons_unplaced": int(plan.loc[~placed, "persons"].sum()),
        "quota_persons": period.quota_persons,
        "backlog_persons": period.backlog_persons,
        "housed_so_far_this_period": period.housed_so_far,
        "quota_attainment": round((period.housed_so_far + persons) / target, 4) if target else None,
        "persons_still_to_house": max(target - period.housed_so_far - persons, 0),
        "households_outside_concentrated": outside,
        "share_outside_concentrated": round(outside / housed, 4) if housed else None,
        "mean_wait_days": round(float(wait.mean()), 1) if len(wait) else None,
        "max_wait_days": int(wait.max()) if len(wait) else None,
        "households_waiting_over_10_weeks": int((wait[~placed] > OVERDUE_DAYS).sum()),
        "dwellings_offered": instance.problem.n_dwellings,
        "dwellings_unused": instance.problem.n_dwellings - housed,
        "eligible_pairs": instance.problem.n_pairs,
        "indicator": instance.policy.spreading.indicator,
        "lq_threshold": instance.policy.spreading.lq_threshold,
        "solve_status": str(result.status),
        "solve_method": str(result.method),
        "objective_tier1_persons_housed": t1,
        "objective_tier2_outside_concentrated": t2,
        "objective_tier3_quality": t3,
        "solve_seconds": round(result.solve_seconds, 4),
    }


def _write_excel(plan: pd.DataFrame, figures: dict[str, Any], path: Path) -> None:
    """A workbook a coordinator can open: the plan, the KPIs and a legend."""
    legend = pd.DataFrame(
        {
            "column": [
                "reason",
                "area_lq",
                "area_concentrated",
                "score_interest",
                "score_wishes",
                "score_fit",
                "score_waiting",
                "quality",
            ],
            "meaning": [
                "why this dwelling, or why the household is still waiting",
                "location quotient of the indicator in the spreading area vs the municipality",
                f"true when area_lq ≥ {figures['lq_threshold']} "
                f"(indicator: {figures['indicator']})",
                "share of the household's interests with a matching amenity nearby",
                "1 when the dwelling is in one of the household's preferred areas",
                "1 for no spare bedrooms, lower with each extra bedroom",
                "waiting time in days / 365 (capped at 1)",
                "tier-3 score 0–1000: weighted mean of the four scores",
            ],
        }
    )
    scalars = {k: v for k, v in figures.items() if not isinstance(v, dict)}
    shortfall = figures.get("shortfall", {})
    sheets = {
        "plan": plan,
        "kpis": pd.DataFrame({"kpi": list(scalars), "value": [str(v) for v in scalars.values()]}),
    }
    if shortfall:
        sheets["supply_demand"] = pd.DataFrame(shortfall["supply_demand"])
        sheets["binding_settings"] = pd.DataFrame(shortfall["binding_settings"])
    sheets["legend"] = legend
    # Text stays text: an id like "=HYPERLINK(...)" must never become a live formula or link.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        for name, frame in sheets.items():
            _write_sheet(workbook.add_worksheet(name), frame)
    finally:
        workbook.close()


def _write_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """One table, header frozen, columns as wide as their first 200 values.

    Written row by row with xlsxwriter directly: twice as fast as through
    pandas on a national plan, and ``constant_memory`` keeps memory flat.
    """
    sheet.freeze_panes(1, 0)
    for i, column in enumerate(frame.columns):
        longest = frame[column].head(200).astype(str).str.len().max()
        width = max(len(str(column)), 0 if pd.isna(longest) else int(longest))
        sheet.set_column(i, i, min(width + 2, 80))
    sheet.write_row(0, 0, [str(c) for c in frame.columns])
    columns = [
        frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns
    ]
    for row, values in enumerate(zip(*columns), start=1):
        sheet.write_row(row, 0, values)


def _write_json(data: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


#: Every file a monthly run may write into its folder; a run removes those it does not
#: write this time, so no file of an earlier run stands beside a new plan.
PLAN_FILES = (
    "plan.csv",
    "plan.xlsx",
    "kpis.json",
    "areas.csv",
    "report.html",
    "map.png",
    "manifest.json",
)


def write_plan(out_dir: Path, outcome: Any, maps: bool = True) -> list[Path]:
    """Write every output of a run into ``out_dir`` as one set.

    ``plan.csv``, ``plan.xlsx``, ``areas.csv``, ``kpis.json`` and ``manifest.json``;
    with ``maps`` also ``map.png`` and ``report.html``. ``outcome`` is a
    :class:`allocatie.match.Outcome`. See :func:`write_outputs` for how the set is
    kept whole (and why an output may never replace an input).
    """
    plan, figures = outcome.plan, outcome.kpis
    writers: dict[str, Callable[[Path], None]] = {
        "plan.csv": lambda p: write_csv(plan, p),
        "areas.csv": lambda p: write_csv(outcome.area_effects, p),
        "plan.xlsx": lambda p: _write_excel(plan, figures, p),
        "kpis.json": lambda p: _write_json(figures, p),
        "manifest.json": lambda p: _write_json(outcome.manifest, p),
    }
    if maps:
        # matplotlib and folium only when needed
        from allocatie.report.html_report import report_writers

        writers.update(report_writers(outcome))
    inputs = [entry["path"] for entry in outcome.manifest.get("inputs", {}).values()]
    return write_outputs(
        out_dir, writers, owned=PLAN_FILES, inputs=inputs, manifest="manifest.json"
    )
