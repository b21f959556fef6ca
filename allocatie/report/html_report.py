"""``report.html`` and ``map.png``: the plan as a coordinator shows it to a council.

Only what a reader needs goes in: household ids, dwellings, areas, quotients and
reasons. Passthrough columns of the user's files (intake notes and the like) stay
out of the report, so it can be shared more widely than the plan itself.

:func:`write_report_html` writes the page (title, summary, the interactive map,
the print map and tables) from plain parts; :func:`report_writers` fills those
parts from a matching outcome.

Language: every word on the page comes from the message catalogue
(:mod:`allocatie.i18n`) in the language of the current context, Dutch unless a
command was given ``--lang en``; so do the numbers (``1,24``, ``€ 570,98``,
``70%``). Tables keep the engine's column names until they are rendered, and
take their headers and value formats from :mod:`allocatie.report.columns`, the
same as the workbook; a missing value is shown as ``–``, never as ``<NA>``.

Printing: the page's print style hides the interactive map and prints the
embedded PNG (``static_map``) instead. When Leaflet could not be inlined and the
computer is offline, the page says so and shows that PNG in the map's place; a
``<noscript>`` note covers browsers with JavaScript switched off.
:func:`write_report_html` renders its ``tables`` as given: pass only what the
meeting may see.
"""

from __future__ import annotations

import base64
import copy
import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import Figure

from allocatie.i18n import _, language, money, ngettext, number, percent
from allocatie.report.accounts import region_lines
from allocatie.report.columns import (
    INDICES,
    column_kind,
    header,
    index_name,
    indicator_label,
    kpi_value_text,
    yes_no,
)
from allocatie.report.diagnose import setting_text
from allocatie.report.flows import herkoppeling_figures
from allocatie.report.harm import harm_sentence, no_harm_sentence
from allocatie.report.household_types import (
    household_type_frame,
    household_type_note,
    readable_household_types,
)
from allocatie.report.maps import area_layer, atomic_write, placements_table
from allocatie.report.static_map import write_png_map
from allocatie.report.web_map import interactive_map

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
#: At most this many plan rows on the page: a national plan has 200,000
#: households, and every one of them is in plan.xlsx and plan.csv anyway.
REPORT_PLAN_ROWS = 300
_REPORT_CSS = """
html, body { height: auto; width: auto; }
body { margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; color: #1a1a1a;
  font: 15px/1.45 system-ui, "Segoe UI", Arial, sans-serif; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 12px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.summary { margin-bottom: 12px; }
.map-box { border: 1px solid #bbb; }
figure.print-map { margin: 16px 0; display: none; }
figure.print-map img { max-width: 100%; height: auto; border: 1px solid #ccc; }
figure.print-map figcaption { font-size: 13px; color: #555; }
table.tabel { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
table.tabel th, table.tabel td { border: 1px solid #ccc; padding: 3px 7px; text-align: left;
  vertical-align: top; }
table.tabel thead th { background: #f0f0f0; position: sticky; top: 0; }
table.tabel tbody tr:nth-child(even) { background: #fafafa; }
table.tabel td:first-child { white-space: nowrap; }
footer { margin-top: 32px; font-size: 12px; color: #666; }
@media print {
  .map-box, .allocatie-fallback { display: none !important; }
  figure.print-map { display: block; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
}
"""

_FALLBACK_SCRIPT = """
<script>
if (typeof L === "undefined") {
  document.querySelectorAll(".allocatie-fallback, figure.print-map").forEach(function (e) {
    e.style.display = "block";
  });
  document.querySelectorAll(".map-box").forEach(function (e) { e.style.display = "none"; });
}
</script>
"""


def write_report_html(
    path: Path,
    *,
    title: str,
    summary_html: str,
    map_: folium.Map,
    tables: Mapping[str, pd.DataFrame],
    static_map: Path | bytes | None = None,
    footer: str | None = None,
    notes: Mapping[str, str] | None = None,
    figures: Mapping[str, tuple[bytes, str]] | None = None,
) -> None:
    """Write one self-contained HTML report: title, summary, map, tables.

    Parameters
    ----------
    path
        Target file; written atomically (a temporary file in the same folder,
        then :func:`os.replace`), so a reader never sees half a report.
    title
        Page title and heading (escaped).
    summary_html
        Trusted HTML fragment placed under the title, as is (build it with
        escaped values).
    map_
        From :func:`~allocatie.report.web_map.interactive_map`; its scripts
        and data are inlined.
    tables
        Heading → table, in the given order; rendered with
        :meth:`pandas.DataFrame.to_html` (escaped, no index unless it is
        named). Columns with an engine name get their header in the current
        language and its value format (:mod:`allocatie.report.columns`).
    static_map
        Optional PNG (path or bytes, e.g. from
        :func:`~allocatie.report.static_map.write_png_map`)
        embedded as an image under the interactive map: it is what the page
        shows when printed, and what a reader sees if the interactive map
        cannot load.
    footer
        Source line at the bottom of the page (escaped); default: the CBS
        attribution.
    notes
        Heading → a line shown under that table (escaped), e.g. how many rows
        were left off (:func:`plan_for_report`).
    figures
        Heading → (PNG bytes, caption): more maps or charts, each embedded
        after the map section, e.g. the herkoppelingen between municipalities
        (:func:`allocatie.report.flows.render_flow_map`).
    """
    if footer is None:
        footer = _("Bron: CBS, CC-BY 4.0 (Kerncijfers wijken en buurten; Wijk- en Buurtkaart).")
    head, body, script = _rendered(map_)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{language()}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        head,
        f"<style>{_REPORT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<section class="summary">{summary_html}</section>',
        *_map_section(body, title=title, static_map=static_map),
        *_figure_sections(figures or {}),
        *_table_sections(tables, notes or {}),
        f"<footer>{html.escape(footer)}</footer>",
        _FALLBACK_SCRIPT,
        f'<script>\nif (typeof L !== "undefined") {{\n{script}\n}}\n</script>',
        "</body>",
        "</html>",
    ]
    atomic_write(Path(path), "\n".join(parts).encode("utf-8"))


def _rendered(map_: folium.Map) -> tuple[str, str, str]:
    """The map's ``<head>`` additions, its ``<div>`` and its script, rendered from a copy.

    folium appends to a figure on every render, and the caller's map should
    stay as it was (e.g. to save it alone as well).
    """
    figure = copy.deepcopy(map_.get_root())
    if not isinstance(figure, Figure):
        raise TypeError("map_ must be a folium.Map (its root is the page it renders into)")
    figure.render()
    return figure.header.render(), figure.html.render(), figure.script.render()


def _map_section(body: str, *, title: str, static_map: Path | bytes | None) -> list[str]:
    """The map section: offline and no-script notes, the interactive map, the print map."""
    e = html.escape
    offline = _(
        "The interactive map cannot be loaded: this computer has no internet connection and "
        "the map software (Leaflet) is not inside this file."
    )
    if static_map is not None:
        offline += " " + _("The print map below shows the same data.")
    offline += " " + _("The tables further down hold every figure.")
    no_script = _(
        "JavaScript is switched off: the interactive map does not work; the tables hold every "
        "figure."
    )
    parts = [
        '<section class="map-section">',
        "<h2>" + e(_("Map")) + "</h2>",
        f'<div class="allocatie-fallback">{e(offline)}</div>',
        f'<noscript><div class="allocatie-fallback" style="display:block">{e(no_script)}'
        "</div></noscript>",
        f'<div class="map-box">{body}</div>',
    ]
    if static_map is not None:
        png = static_map if isinstance(static_map, bytes) else Path(static_map).read_bytes()
        encoded = base64.b64encode(png).decode("ascii")
        alt = _("{title} (print map)").format(title=title)
        caption = _("Print map (the same data, for printing).")
        parts.append(
            '<figure class="print-map">'
            f'<img src="data:image/png;base64,{encoded}" alt="{e(alt)}">'
            f"<figcaption>{e(caption)}</figcaption></figure>"
        )
    parts.append("</section>")
    return parts


def _figure_sections(figures: Mapping[str, tuple[bytes, str]]) -> list[str]:
    """A heading and an embedded PNG with its caption per figure."""
    e = html.escape
    parts = []
    for heading, (png, caption) in figures.items():
        encoded = base64.b64encode(png).decode("ascii")
        parts += [
            f"<h2>{e(str(heading))}</h2>",
            '<figure class="figure"><img style="max-width:100%;height:auto" '
            f'src="data:image/png;base64,{encoded}" alt="{e(str(heading))}">'
            f"<figcaption>{e(caption)}</figcaption></figure>",
        ]
    return parts


def plan_for_report(plan: pd.DataFrame, limit: int = REPORT_PLAN_ROWS) -> tuple[pd.DataFrame, str]:
    """The plan rows the page shows, and the line that says what was left off.

    A long plan is cut to ``limit`` rows so the page stays small and opens
    quickly: waiting households first, longest wait first (they are what a
    meeting discusses), then the placed ones, longest wait first. The line is
    ``""`` when nothing was left off.
    """
    if len(plan) <= limit:
        return plan, ""
    waiting = plan["dwelling_id"].isna().to_numpy()
    wait = pd.to_numeric(plan.get("wait_days"), errors="coerce")
    order = pd.DataFrame(
        {"placed": ~waiting, "wait": -wait.fillna(-1).to_numpy(), "row": np.arange(len(plan))}
    ).sort_values(["placed", "wait", "row"], kind="stable")
    shown = plan.iloc[order["row"].to_numpy()[:limit]]
    left = len(plan) - limit
    line = ngettext(
        "… and {n} more household: see plan.xlsx.",
        "… and {n} more households: see plan.xlsx.",
        left,
    ).format(n=number(left))
    return shown, line


def _table_sections(
    tables: Mapping[str, pd.DataFrame], notes: Mapping[str, str] | None = None
) -> list[str]:
    """A heading and an escaped HTML table per entry (then its note); the index only if named."""
    notes = notes or {}
    parts = []
    for heading, table in tables.items():
        show_index = table.index.name is not None or any(
            n is not None for n in table.index.names[1:]
        )
        parts.append(f"<h2>{html.escape(str(heading))}</h2>")
        parts.append(
            _readable(table).to_html(
                escape=True, index=show_index, na_rep="–", border=0, classes="tabel"
            )
        )
        if notes.get(heading):
            parts.append(f'<p class="more-rows">{html.escape(notes[heading])}</p>')
    return parts


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the reader writes it, headers in the reader's language.

    Headers are the workbook's (:func:`allocatie.report.columns.header`) with
    spaces for underscores. Flags become ja/nee (yes/no), numbers get the
    reader's decimal mark and a number of decimals fitting the column, rents
    are money, shares percentages;
    a missing value is ``–`` — pandas' own ``<NA>`` never reaches the page.
    """
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        values = table[name]
        kind = column_kind(str(name), values)
        # "lq_gebied" is a column name; on a page for a council it reads "lq gebied"
        out[header(str(name)).replace("_", " ")] = [_cell(v, kind) for v in values.astype(object)]
    return out


def _cell(value: Any, kind: str) -> str:
    """One table cell as text (see :func:`_readable`)."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if kind == "flag" or isinstance(value, (bool, np.bool_)):
        return yes_no(value) or "–"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _fmt_number(float(value), kind)
    return str(value)


def _fmt_number(value: float, kind: str = "quotient") -> str:
    """A table number as a reader wants it: the column's decimals, the reader's marks."""
    if not np.isfinite(value):
        return "–"
    if kind == "integer":
        return number(value, 0)
    if kind == "money":
        return money(value)
    if kind == "share":
        return percent(value)
    if kind == "score":
        return number(value, 3)
    if kind == "quotient":
        return number(value, 2)
    return number(value) if not float(value).is_integer() else number(value, 0)


def main_municipality(outcome: Any) -> str:
    """The policy's municipality, else the one most dwellings lie in."""
    if outcome.instance.policy.municipality:
        return outcome.instance.policy.municipality
    return str(outcome.instance.dwellings["gemeente_code"].mode().iloc[0])


def _summary_html(k: dict[str, Any], gemeente: str) -> str:
    """The report's opening lines: progress, spreading, binding rules, how it was solved."""
    e = html.escape
    target = k["quota_persons"] + k["backlog_persons"]
    share = k["share_outside_concentrated"]
    placed = ngettext(
        "<b>{persons}</b> placed in {n} household",
        "<b>{persons}</b> placed in {n} households",
        k["households_housed"],
    ).format(persons=e(_persons(k["persons_housed"])), n=k["households_housed"])
    waiting = ngettext(
        "{n} household ({persons}) still waiting",
        "{n} households ({persons}) still waiting",
        k["households_unplaced"],
    ).format(n=k["households_unplaced"], persons=e(_persons(k["persons_unplaced"])))
    lines = [
        _("Matching date {date}: {placed}; {waiting}.").format(
            date=e(k["matching_date"]), placed=placed, waiting=waiting
        )
    ]
    if target:
        lines.append(
            e(
                _(
                    "Taakstelling {quota} + achterstand {backlog} = {target}; with those housed "
                    "earlier this half year {attained} met."
                ).format(
                    quota=k["quota_persons"],
                    backlog=k["backlog_persons"],
                    target=_persons(target),
                    attained=percent(k["quota_attainment"]),
                )
            )
        )
    if share is not None:
        lines.append(
            e(
                _(
                    "Outside concentrated areas: {outside} of {housed} households ({share}). "
                    "Indicator: {indicator} (LQ ≥ {threshold} = concentrated)."
                ).format(
                    outside=k["households_outside_concentrated"],
                    housed=k["households_housed"],
                    share=percent(share),
                    indicator=indicator_label(k["indicator"]),
                    threshold=number(k["lq_threshold"]),
                )
            )
        )
    for row in k.get("shortfall", {}).get("binding_settings", []):
        if row["binds"]:
            lines.append(e(_("Policy: {text}.").format(text=setting_text(row))))
    # a pooled region's accounts, then no hidden harm: the comparison with first come,
    # first served, and the rule's cost
    lines += [e(text) for text in region_lines(k)]
    lines += [e(text) for text in (harm_sentence(k), no_harm_sentence(k)) if text]
    lines.append(
        e(
            _("Solved with: {method}, {status}, {seconds} s. Municipality {gemeente}.").format(
                method=k["solve_method"],
                status=kpi_value_text("solve_status", k["solve_status"]),
                seconds=number(k["solve_seconds"], 3),
                gemeente=gemeente,
            )
        )
    )
    return "".join(f"<p>{line}</p>" for line in lines)


def _persons(n: int) -> str:
    return ngettext("{n} person", "{n} persons", n).format(n=n)


def _index_table(k: dict[str, Any], gemeente: str) -> pd.DataFrame:
    """The segregation indices of the municipality before and after the plan, per level."""
    levels = k["segregation"]["municipalities"].get(gemeente, {})
    rows = []
    for level, values in levels.items():
        for key in INDICES:
            if key in values["before"]:
                before, after = values["before"][key], values["after"][key]
                rows.append(
                    {"level": level, "index": index_name(key), "before": before, "after": after}
                )
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
    mine = effects[effects["gemeente_code"] == gemeente].set_index("code")
    layer = area_layer(
        outcome.areas, gemeente, mine["lq_before"], mine["lq_after"], policy.spreading
    )
    dwellings = outcome.instance.dwellings
    here = dwellings[dwellings["gemeente_code"] == gemeente]
    # a regional plan also places households in the other municipalities: this map shows one
    shown = outcome.plan[outcome.plan["dwelling_id"].isin(here["dwelling_id"].astype(str))]
    placements = placements_table(shown, here)
    name = str(layer["gemeente_name"].iloc[0]) if "gemeente_name" in layer else gemeente
    date = outcome.kpis["matching_date"]
    title = _("allocatie — plan {name}, {date}").format(name=name, date=date)
    municipalities = outcome.kpis.get("municipalities") or []
    # a regional plan is the region's; its maps show one municipality (the title above)
    report_title = (
        _("allocatie — regional plan {names}, {date}").format(
            names=", ".join(str(m["name"] or m["municipality"]) for m in municipalities),
            date=date,
        )
        if municipalities
        else title
    )

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
        plan_heading = _("Plan per household")
        plan_rows, more = plan_for_report(outcome.plan[list(PLAN_COLUMNS)])
        types_heading = _("Outcomes per household type")
        types = readable_household_types(
            household_type_frame(outcome.kpis.get("by_household_type", {}))
        )
        write_report_html(
            path,
            title=report_title,
            summary_html=_summary_html(outcome.kpis, gemeente),
            map_=interactive_map(
                layer, placements, threshold=threshold, indicator_label=label, title=title
            ),
            tables={
                types_heading: types,
                plan_heading: plan_rows,
                _("Segregation indices before and after this plan"): _index_table(
                    outcome.kpis, gemeente
                ),
                _("Wijken: LQ before and after"): wijk.drop(columns=["level", "gemeente_code"]),
                _("Buurten with placements"): buurten.drop(columns=["level", "gemeente_code"]),
            },
            static_map=path.parent / "map.png",
            notes={plan_heading: more, types_heading: household_type_note()},
            figures=herkoppeling_figures(outcome),
        )

    return {"map.png": write_png, "report.html": write_html}
