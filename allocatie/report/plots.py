"""Plots of a scenario run, for the planner's report (PNG, matplotlib Agg).

Two figures, one panel per scenario run (the base and each variant):

- :func:`write_cumulative` — cumulative persons housed meeting by meeting,
  optimised against first-come-first-served (mean over seeds, band from the
  lowest to the highest seed), with the taakstelling pace line and the
  period's target;
- :func:`write_placements` — households placed per wijk (mean per seed),
  split into placements inside and outside concentrated areas, optimised and
  first-come-first-served side by side.

And one panel per method: :func:`write_household_types` — the share of each
household type housed in the half year, a bar per scenario run, so a planner
sees at a glance whether a variant helps the large families or leaves the
singles behind.

Every label is in the language of the current context (:mod:`allocatie.i18n`;
``allocatie scenario run --lang``, Dutch by default), the terms of the trade
(taakstelling, achterstand) in both. Area names and the concentration status
come from CBS data, so that figure says "Bron: CBS".
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from allocatie.i18n import _, ngettext, percent  # noqa: E402
from allocatie.report.household_types import HOUSEHOLD_TYPES, household_type_label  # noqa: E402

__all__ = [
    "cumulative_figure",
    "household_types_figure",
    "method_label",
    "month_label",
    "placements_figure",
    "short_method_label",
    "write_cumulative",
    "write_household_types",
    "write_placements",
]

#: Colour and line style per method, the same in every figure (labels: :func:`method_label`).
STYLE = {
    "optimised": {"color": "#1f77b4", "linestyle": "-", "marker": "o"},
    "fcfs": {"color": "#d95f02", "linestyle": "--", "marker": "s"},
}
#: The CBS attribution, in the words CBS asks for.
_CBS = "Bron: CBS (wijk- en buurtindeling, migratieachtergrond 2022), CC-BY 4.0"


def method_label(method: str) -> str:
    """A planning method in words: optimised, or first come, first served."""
    labels = {"optimised": _("optimised plan"), "fcfs": _("first come, first served")}
    return labels.get(method, method)


def short_method_label(method: str) -> str:
    """A planning method in one short word, for titles and narrow tables."""
    labels = {"optimised": _("opt."), "fcfs": _("fcfs")}
    return labels.get(method, method)


def month_label(month: int) -> str:
    """The short name of a month (1–12) in the current language."""
    names = (
        _("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"),
        _("Jul"), _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"),
    )  # fmt: skip
    return names[month - 1]


def _grid(n: int) -> tuple[int, int]:
    columns = min(n, 3)
    return max(math.ceil(n / columns), 1), max(columns, 1)


def cumulative_figure(monthly: pd.DataFrame, *, title: str) -> Figure:
    """Cumulative persons housed against the pace line, one panel per scenario run.

    Parameters
    ----------
    monthly
        The ``monthly`` table of :class:`allocatie.planning.scenario.Comparison`:
        ``scenario``, ``method``, ``seed``, ``meeting``, ``cumulative_persons``,
        ``pace_line``, ``target_persons``.
    title
        Figure title (the scenario's title).
    """
    runs = list(dict.fromkeys(monthly["scenario"]))
    rows, columns = _grid(len(runs))
    figure, axes = plt.subplots(
        rows, columns, figsize=(5.2 * columns, 3.9 * rows + 0.9), squeeze=False, sharey=True
    )
    seeds = monthly["seed"].nunique()
    top = max(float(monthly["target_persons"].max()), float(monthly["cumulative_persons"].max()))
    for ax, run in zip(axes.flat, runs, strict=False):
        data = monthly[monthly["scenario"] == run]
        dates = pd.to_datetime(pd.Series(sorted(data["meeting"].unique())))
        for method, style in STYLE.items():
            part = data[data["method"] == method]
            if part.empty:
                continue
            stats = part.groupby("meeting")["cumulative_persons"].agg(["mean", "min", "max"])
            ax.plot(
                dates, stats["mean"].to_numpy(), **style, label=method_label(method), linewidth=2,
                markersize=4,
            )  # fmt: skip
            ax.fill_between(
                dates, stats["min"].to_numpy(), stats["max"].to_numpy(), color=style["color"],
                alpha=0.15, linewidth=0,
            )  # fmt: skip
        pace = data.groupby("meeting")["pace_line"].first()
        target = int(data["target_persons"].iloc[0])
        ax.plot(
            dates, pace.to_numpy(), color="0.35", linestyle=":", linewidth=1.6,
            label=_("pace line"),
        )  # fmt: skip
        ax.axhline(target, color="0.2", linewidth=0.8)
        ax.annotate(
            _("taakstelling + achterstand = {target}").format(target=target),
            (dates.iloc[0], target), xytext=(0, 3),
            textcoords="offset points", fontsize=8, color="0.2",
        )  # fmt: skip
        ax.set_title(run, fontsize=11)
        ax.set_xticks(dates)
        ax.set_xticklabels([month_label(d.month) for d in dates], fontsize=9)
        ax.set_ylim(0, top * 1.1 + 1)
        ax.grid(axis="y", color="0.9")
        if ax in axes[:, 0]:  # the panels share the y axis; its label once per row
            ax.set_ylabel(_("persons housed (cumulative)"))
    for ax in list(axes.flat)[len(runs) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=3, frameon=False,
        fontsize=9,
    )  # fmt: skip
    figure.suptitle(title, fontsize=13)
    figure.text(
        0.01, 0.005,
        ngettext(
            "After each monthly meeting; line = mean over {n} seed, band = lowest to highest. "
            "Synthetic households and offers.",
            "After each monthly meeting; line = mean over {n} seeds, band = lowest to highest. "
            "Synthetic households and offers.",
            seeds,
        ).format(n=seeds),
        fontsize=7.5, color="0.35",
    )  # fmt: skip
    figure.tight_layout(rect=(0, 0.08, 1, 0.96))
    return figure


def placements_figure(
    placements: pd.DataFrame, names: pd.Series, *, title: str, seeds: int
) -> Figure:
    """Households placed per wijk, inside and outside concentrated areas.

    The share "outside concentrated" in each panel's title pools the
    placements of all seeds, the definition :func:`allocatie.planning.scenario.summarise`
    uses too, so the chart and the summary table print the same percentage.

    Parameters
    ----------
    placements
        The ``placements`` table of :class:`allocatie.planning.scenario.Comparison`
        (``scenario``, ``method``, ``wijk_code``, ``concentrated``).
    names
        Wijk name by wijk code (e.g. ``Areas.stats["name"]``).
    title
        Figure title.
    seeds
        Number of seeds, to show means per seed.
    """
    runs = list(dict.fromkeys(placements["scenario"])) or [_("(nothing placed)")]
    wijken = sorted(placements["wijk_code"].dropna().astype(str).unique())
    labels = [f"{names.get(w, w)}" for w in wijken]
    rows, columns = _grid(len(runs))
    height = max(2.8, 0.32 * len(wijken) + 1.6)
    figure, axes = plt.subplots(
        rows, columns, figsize=(5.6 * columns, height * rows + 1.0), squeeze=False, sharex=True
    )
    y = np.arange(len(wijken))
    bar = 0.38
    for ax, run in zip(axes.flat, runs, strict=False):
        data = placements[placements["scenario"] == run]
        shares = []
        for offset, (method, style) in zip((-bar / 2, bar / 2), STYLE.items(), strict=True):
            part = data[data["method"] == method]
            counts = (
                part.groupby(["wijk_code", "concentrated"]).size().unstack(fill_value=0)
                .reindex(index=wijken, columns=[False, True], fill_value=0) / max(seeds, 1)
            )  # fmt: skip
            outside, inside = counts[False].to_numpy(), counts[True].to_numpy()
            ax.barh(y + offset, outside, height=bar, color=style["color"], alpha=0.85)
            ax.barh(
                y + offset, inside, left=outside, height=bar, color=style["color"], alpha=0.35,
                hatch="///", edgecolor=style["color"],
            )  # fmt: skip
            total = outside.sum() + inside.sum()
            share = percent(outside.sum() / total) if total else "–"
            shares.append(f"{short_method_label(method)} {share}")
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        outside_text = _("outside concentrated: {shares}").format(shares=", ".join(shares))
        ax.set_title(f"{run}\n{outside_text}", fontsize=10)
        ax.set_xlabel(_("households placed per half year (mean per seed)"))
        ax.grid(axis="x", color="0.9")
    for ax in list(axes.flat)[len(runs) :]:
        ax.set_visible(False)
    from matplotlib.patches import Patch

    handles = [
        Patch(color=STYLE["optimised"]["color"], alpha=0.85, label=method_label("optimised")),
        Patch(color=STYLE["fcfs"]["color"], alpha=0.85, label=method_label("fcfs")),
        Patch(facecolor="white", edgecolor="0.3", hatch="///", label=_("in a concentrated area")),
    ]
    figure.legend(
        handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=3, frameon=False,
        fontsize=9,
    )  # fmt: skip
    figure.suptitle(title, fontsize=13)
    figure.text(
        0.01, 0.005,
        _(
            "Solid: placements outside concentrated areas; hatched: inside (area LQ ≥ "
            "threshold). Synthetic households and offers."
        )
        + "\n"
        + _(
            "Outside concentrated = households placed outside concentrated areas ÷ households "
            "placed, all seeds pooled (as in the summary table)."
        )
        + f" {_CBS}",
        fontsize=7.5, color="0.35",
    )  # fmt: skip
    figure.tight_layout(rect=(0, 0.07, 1, 0.95))
    return figure


def write_cumulative(path: Path, monthly: pd.DataFrame, *, title: str) -> None:
    """Write :func:`cumulative_figure` to ``path`` (PNG, 130 dpi)."""
    figure = cumulative_figure(monthly, title=title)
    try:
        figure.savefig(path, dpi=130, format="png")
    finally:
        plt.close(figure)


def write_placements(
    path: Path, placements: pd.DataFrame, names: pd.Series, *, title: str, seeds: int
) -> None:
    """Write :func:`placements_figure` to ``path`` (PNG, 130 dpi)."""
    figure = placements_figure(placements, names, title=title, seeds=seeds)
    try:
        figure.savefig(path, dpi=130, format="png")
    finally:
        plt.close(figure)


def household_types_figure(table: pd.DataFrame, *, title: str) -> Figure:
    """Share housed per household type, a bar per scenario run, one panel per method.

    Parameters
    ----------
    table
        The ``household_types`` table of :class:`allocatie.planning.scenario.Comparison`
        (``scenario``, ``method``, ``household_type``, ``share_housed``,
        ``households``), shares pooled over the seeds.
    title
        Figure title.
    """

    runs = list(dict.fromkeys(table["scenario"])) or [_("(nothing placed)")]
    methods = [m for m in STYLE if m in set(table["method"])] or ["optimised"]
    types = [t for t in HOUSEHOLD_TYPES if t in set(table["household_type"])] or list(
        HOUSEHOLD_TYPES
    )
    colours = [plt.get_cmap("tab10")(k % 10) for k in range(len(runs))]
    width = 0.8 / max(len(runs), 1)
    # one panel per method, stacked, so that seven variants still fit a page's width
    panel = min(max(7.0, 2.0 + 0.2 * len(types) * len(runs)), 13.0)
    figure, axes = plt.subplots(
        len(methods), 1, figsize=(panel + 2.2, 3.3 * len(methods) + 1.6), squeeze=False,
        sharex=True, sharey=True,
    )  # fmt: skip
    x = np.arange(len(types))
    for ax, method in zip(axes.flat, methods, strict=True):
        part = table[table["method"] == method]
        for k, run in enumerate(runs):
            rows = part[part["scenario"] == run].set_index("household_type").reindex(types)
            share = rows["share_housed"].to_numpy(dtype=float)
            where = x - 0.4 + width * (k + 0.5)
            ax.bar(where, np.nan_to_num(share), width=width * 0.92, color=colours[k],
                   label=run)  # fmt: skip
            for xi, value in zip(where, share, strict=True):
                text = "–" if not np.isfinite(value) else percent(value)
                ax.annotate(
                    text, (xi, 0 if not np.isfinite(value) else value), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=6.5,
                    color="0.25", rotation=90 if len(runs) > 2 else 0,
                )  # fmt: skip
        ax.set_ylim(0, 1.2)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: percent(v)))
        ax.set_title(method_label(method), fontsize=11, loc="left")
        ax.set_ylabel(_("share housed in the half year"), fontsize=9)
        ax.grid(axis="y", color="0.9")
        ax.set_axisbelow(True)
    bottom = axes.flat[len(methods) - 1]
    bottom.set_xticks(x)
    bottom.set_xticklabels(
        [textwrap.fill(household_type_label(t), 14) for t in types], fontsize=8.5
    )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(
        handles, labels, loc="center right", frameon=False, fontsize=9,
        title=_("scenario"), title_fontsize=9,
    )  # fmt: skip
    figure.suptitle(title, fontsize=13)
    note = _(
        "Households housed ÷ households of the type, all seeds pooled. Types by the persons "
        "the dwelling must fit (incl. expected family reunification); the last two overlap "
        "the size groups. Synthetic households and offers."
    )
    figure.text(
        0.01, 0.005, textwrap.fill(note, int(15 * (panel + 2.2))), fontsize=7.5, color="0.35"
    )
    figure.tight_layout(rect=(0, 0.04, panel / (panel + 2.2), 0.95))
    return figure


def write_household_types(path: Path, table: pd.DataFrame, *, title: str) -> None:
    """Write :func:`household_types_figure` to ``path`` (PNG, 130 dpi)."""
    figure = household_types_figure(table, title=title)
    try:
        figure.savefig(path, dpi=130, format="png")
    finally:
        plt.close(figure)
