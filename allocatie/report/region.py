"""What a regional run reports: herkoppelingen in the plan, and each municipality's account.

With a ``[region]`` in the policy, the plan gains two columns (the municipality
that houses the household, and whether that is a herkoppeling) and ``kpis.json``
a ``municipalities`` list (per municipality its quota, backlog, persons housed at
home and received, persons sent, and attainment) and a ``region`` block with the
region's totals. The numbers come from :func:`allocatie.solve.region.account`,
the same accounting the solver's fairness tier optimised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocatie.i18n import _
from allocatie.model.builder import Instance
from allocatie.model.region import region_data
from allocatie.report.columns import readable_headers
from allocatie.solve import Result
from allocatie.solve.region import RegionResult, account

__all__ = ["municipality_table", "readable_municipalities", "region_report", "sheet_name"]


def _round(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def region_report(
    instance: Instance, result: Result, plan: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any], RegionResult]:
    """The plan with its region columns, the kpis to add, and the accounting itself."""
    region = region_data(instance)
    accounted = account(instance.problem, region, result)
    assignment = result.assignment(instance.problem)
    placed = assignment >= 0
    dwellings = instance.dwellings
    there = dwellings["gemeente_code"].astype(object).to_numpy()[np.maximum(assignment, 0)]
    names = dwellings.get("gemeente_name", dwellings["gemeente_code"]).astype(object).to_numpy()
    home = instance.households.get("gemeente_code")
    home_codes = (
        home.astype(object).to_numpy() if home is not None else np.full(len(plan), None, object)
    )
    plan = plan.copy()
    at = list(plan.columns).index("reason") if "reason" in plan.columns else len(plan.columns)
    housing = pd.array(np.where(placed, names[np.maximum(assignment, 0)], None), dtype="string")
    moved = pd.array(np.where(placed, home_codes != there, None), dtype="boolean")
    moved[~placed] = pd.NA
    plan.insert(at, "housing_municipality", housing)
    plan.insert(at + 1, "herkoppeling", moved)
    policy = instance.policy.region
    rows = municipality_table(accounted, instance)
    figures = {
        "municipalities": rows.replace({np.nan: None}).to_dict("records"),
        "region": {
            "municipalities": list(accounted.codes),
            "pooling": policy.pooling,
            "quota_persons": int(rows["quota"].sum()),
            "target_persons": int(accounted.target.sum()),
            "persons_housed": int(accounted.housed.sum()),
            "persons_sent": int(accounted.sent.sum()),
            "herkoppelingen": accounted.herkoppelingen,
            "move_km": accounted.penalty,
            "lowest_attainment": (
                None
                if accounted.lowest_attainment is None
                else round(accounted.lowest_attainment, 4)
            ),
        },
    }
    return plan, figures, accounted


def municipality_table(accounted: RegionResult, instance: Instance) -> pd.DataFrame:
    """One row per municipality: quota, backlog, housed so far, target, persons, attainment.

    ``attainment`` is this run's persons housed over the target still open
    (quota + backlog − housed so far), the figure the fairness tier raises;
    ``period_attainment`` counts the half year: (housed so far + this run) over
    quota + backlog.
    """
    policy = instance.policy.region
    codes = list(accounted.codes)
    names = _names(instance)
    quota = np.array([policy.quota.get(c, 0) for c in codes], dtype=np.int64)
    backlog = np.array([policy.backlog.get(c, 0) for c in codes], dtype=np.int64)
    so_far = np.array([policy.housed_so_far.get(c, 0) for c in codes], dtype=np.int64)
    whole = quota + backlog
    with np.errstate(divide="ignore", invalid="ignore"):
        period = np.where(whole > 0, (so_far + accounted.housed) / np.maximum(whole, 1), np.nan)
    return pd.DataFrame(
        {
            "municipality": codes,
            "name": [names.get(c, c) for c in codes],
            "quota": quota,
            "backlog": backlog,
            "housed_so_far": so_far,
            "target": accounted.target,
            "persons_housed": accounted.housed,
            "persons_housed_own": accounted.own,
            "persons_received": accounted.received,
            "persons_sent": accounted.sent,
            "attainment": [_round(v) for v in accounted.attainment],
            "period_attainment": [_round(v) for v in period],
        }
    )


def readable_municipalities(table: pd.DataFrame) -> pd.DataFrame:
    """The municipality table under headers in the reader's language (a workbook sheet)."""
    return readable_headers(table)


def sheet_name() -> str:
    """The workbook sheet of the municipalities' account."""
    return _("municipalities")


def _names(instance: Instance) -> dict[str, str]:
    """Municipality code → name, from the tables the builder named."""
    out: dict[str, str] = {}
    for table in (instance.households, instance.dwellings):
        if "gemeente_name" in table.columns:
            pairs = table[["gemeente_code", "gemeente_name"]].dropna()
            out.update(zip(pairs["gemeente_code"].astype(str), pairs["gemeente_name"].astype(str)))
    return out
