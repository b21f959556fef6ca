"""``report.html`` and ``map.png``: the plan as a coordinator shows it to a council.

Only what a reader needs goes in: household ids, dwellings, areas, quotients and
reasons. Passthrough columns of the user's files (intake notes and the like) stay
out of the report, so it can be shared more widely than the plan itself.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from allocatie.report.maps import (
    indicator_label,
    interactive_map,
    placements_table,
    wijk_layer,
    write_png_map,
    write_report_html,
)

#: Plan columns shown in the report, in order.
PLAN_COLUMNS = (
    "household_id",
    "persons",
    "wait_days",
    "dwelling_id",
    "corporation",
    "area_name",
    "spreading_area",
    "area_lq",
    "area_concentrated",
    "reason",
)
INDEX_NAMES = {
    "dissimilarity": "dissimilariteit (D)",
    "isolation": "isolatie",
    "exposure": "blootstelling",
    "entropy": "entropie (Theil H)",
    "gini": "Gini",
    "spatial_dissimilarity": "ruimtelijke dissimilariteit",
}


def main_municipality(outcome: Any) -> str:
    """The policy's municipality, else the one most dwellings lie in."""
    if outcome.instance.policy.municipality:
        return outcome.instance.policy.municipality
    return str(outcome.instance.dwellings["gemeente_code"].mode().iloc[0])


def _summary_html(k: dict[str, Any], gemeente: str) -> str:
    e = html.escape
    target = k["quota_persons"] + k["backlog_persons"]
    share = k["share_outside_concentrated"]
    lines = [
        f"Matchingdatum {e(k['matching_date'])}: <b>{k['persons_housed']} personen</b> in "
        f"{k['households_housed']} huishoudens geplaatst; {k['households_unplaced']} "
        f"huishoudens ({k['persons_unplaced']} personen) wachten nog.",
    ]
    if target:
        lines.append(
            f"Taakstelling {k['quota_persons']} + achterstand {k['backlog_persons']} = {target} "
            f"personen; met eerder dit halfjaar geplaatsten "
            f"{k['quota_attainment']:.0%} gehaald."
        )
    if share is not None:
        lines.append(
            f"Buiten geconcentreerde gebieden: {k['households_outside_concentrated']} van "
            f"{k['households_housed']} huishoudens ({share:.0%}). Indicator: "
            f"{e(indicator_label(k['indicator']))} (LQ ≥ {k['lq_threshold']} = geconcentreerd)."
        )
    for row in k.get("shortfall", {}).get("binding_settings", []):
        if row["binds"]:
            lines.append(f"Beleid: {e(row['text'])}.")
    lines.append(
        f"Oplossing: {e(k['solve_method'])}, {e(k['solve_status'])}, "
        f"{k['solve_seconds']:.3f} s. Gemeente {e(gemeente)}."
    )
    return "".join(f"<p>{line}</p>" for line in lines)


def _index_table(k: dict[str, Any], gemeente: str) -> pd.DataFrame:
    levels = k["segregation"]["municipalities"].get(gemeente, {})
    rows = []
    for level, values in levels.items():
        for key, name in INDEX_NAMES.items():
            if key in values["before"]:
                before, after = values["before"][key], values["after"][key]
                rows.append({"niveau": level, "index": name, "vóór": before, "na dit plan": after})
    return pd.DataFrame(rows)


def report_writers(outcome: Any) -> dict[str, Callable[[Path], None]]:
    """Writers for ``map.png`` and ``report.html``, for :func:`report.write_outputs`.

    ``report.html`` embeds the PNG written just before it in the same folder.
    """
    gemeente = main_municipality(outcome)
    policy = outcome.instance.policy
    threshold = policy.spreading.lq_threshold
    label = indicator_label(policy.spreading.indicator)
    effects = outcome.area_effects
    wijk = effects[(effects["level"] == "wijk") & (effects["gemeente_code"] == gemeente)]
    layer = wijk_layer(
        outcome.areas,
        gemeente,
        wijk.set_index("code")["lq_before"],
        wijk.set_index("code")["lq_after"],
        threshold=threshold,
    )
    dwellings = outcome.instance.dwellings
    placements = placements_table(outcome.plan, dwellings[dwellings["gemeente_code"] == gemeente])
    name = str(layer["gemeente_name"].iloc[0]) if "gemeente_name" in layer else gemeente
    title = f"allocatie — plan {name}, {outcome.kpis['matching_date']}"

    def write_png(path: Path) -> None:
        write_png_map(
            path,
            layer,
            placements,
            column="lq_after",
            threshold=threshold,
            title=title,
            indicator_label=label,
        )

    def write_html(path: Path) -> None:
        buurten = effects[(effects["level"] == "buurt") & (effects["households_placed"] > 0)]
        write_report_html(
            path,
            title=title,
            summary_html=_summary_html(outcome.kpis, gemeente),
            map_=interactive_map(
                layer, placements, threshold=threshold, indicator_label=label, title=title
            ),
            tables={
                "Plan per huishouden": outcome.plan[list(PLAN_COLUMNS)],
                "Segregatie-indices vóór en na dit plan": _index_table(outcome.kpis, gemeente),
                "Wijken: LQ vóór en na": wijk.drop(columns=["level", "gemeente_code"]),
                "Buurten met plaatsingen": buurten.drop(columns=["level", "gemeente_code"]),
            },
            static_map=path.parent / "map.png",
        )

    return {"map.png": write_png, "report.html": write_html}
