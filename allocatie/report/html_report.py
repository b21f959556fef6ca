"""``report.html`` and ``map.png``: the plan as a coordinator shows it to a council.

Only what a reader needs goes in: household ids, dwellings, areas, quotients and
reasons. Passthrough columns of the user's files (intake notes and the like) stay
out of the report, so it can be shared more widely than the plan itself.

:func:`write_report_html` writes the page (title, summary, the interactive map,
the print map and tables) from plain parts; :func:`report_writers` fills those
parts from a matching outcome.

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

from allocatie.report.maps import atomic_write, indicator_label, placements_table, wijk_layer
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
INDEX_NAMES = {
    "dissimilarity": "dissimilariteit (D)",
    "isolation": "isolatie",
    "exposure": "blootstelling",
    "entropy": "entropie (Theil H)",
    "gini": "Gini",
    "spatial_dissimilarity": "ruimtelijke dissimilariteit",
}


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
    footer: str = "Bron: CBS, CC-BY 4.0 (Kerncijfers wijken en buurten; Wijk- en Buurtkaart).",
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
        Heading → table; rendered with :meth:`pandas.DataFrame.to_html`
        (escaped, no index unless it is named), in the given order.
    static_map
        Optional PNG (path or bytes, e.g. from
        :func:`~allocatie.report.static_map.write_png_map`)
        embedded as an image under the interactive map: it is what the page
        shows when printed, and what a reader sees if the interactive map
        cannot load.
    footer
        Source line at the bottom of the page (escaped).
    """
    head, body, script = _rendered(map_)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
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
        *_table_sections(tables),
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
    parts = [
        '<section class="map-section">',
        "<h2>Kaart</h2>",
        '<div class="allocatie-fallback">De interactieve kaart kan niet worden geladen: deze '
        "computer heeft geen verbinding met internet en de kaartsoftware (Leaflet) zit niet in "
        "dit bestand. "
        + ("De afdrukkaart hieronder toont dezelfde gegevens." if static_map is not None else "")
        + " De tabellen verderop bevatten alle cijfers.</div>",
        '<noscript><div class="allocatie-fallback" style="display:block">JavaScript staat uit: '
        "de interactieve kaart werkt niet; de tabellen bevatten alle cijfers.</div></noscript>",
        f'<div class="map-box">{body}</div>',
    ]
    if static_map is not None:
        png = static_map if isinstance(static_map, bytes) else Path(static_map).read_bytes()
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(
            '<figure class="print-map">'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(title)} (afdrukkaart)">'
            "<figcaption>Afdrukkaart (dezelfde gegevens, voor print).</figcaption></figure>"
        )
    parts.append("</section>")
    return parts


def _table_sections(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """A heading and an escaped HTML table per entry; the index only when it is named."""
    parts = []
    for heading, table in tables.items():
        show_index = table.index.name is not None or any(
            n is not None for n in table.index.names[1:]
        )
        parts.append(f"<h2>{html.escape(str(heading))}</h2>")
        parts.append(
            _readable(table).to_html(
                escape=True,
                index=show_index,
                na_rep="–",
                border=0,
                classes="tabel",
                float_format=_fmt_number,
            )
        )
    return parts


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ja/nee (missing stays missing), for readers who are not programmers."""
    flags = [
        c
        for c in table.columns
        if pd.api.types.is_bool_dtype(table[c]) or table[c].dtype == "boolean"
    ]
    if not flags:
        return table
    out = table.copy()
    for c in flags:
        out[c] = table[c].astype("boolean").map({True: "ja", False: "nee"}, na_action="ignore")
    return out


def _fmt_number(value: float) -> str:
    """A table number as a reader wants it: 3 significant digits, spaced thousands, ``–``."""
    if not np.isfinite(value):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.2f}".replace(",", " ")
    return f"{value:.3g}"


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
