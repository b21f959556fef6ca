"""``allocatie scenario region``: a region's half year, separate vs pooled, side by side.

Registered under ``allocatie scenario`` (:mod:`allocatie.cli.scenario`). Takes the
municipalities' own scenario files (each with its own koppelingen, offers and
taakstelling), simulates their base runs month by month once separately and once
pooled (:mod:`allocatie.planning.region_scenario`), and writes the comparison as
one output set: ``region_summary.csv`` (per mode and municipality),
``region_months.csv`` (per meeting) and ``region_cumulative.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pandas as pd

from allocatie.cli.errors import user_errors
from allocatie.i18n import _, number, use_language

__all__ = ["region"]

#: Every file a region run may write; those not written this time are removed.
REGION_FILES = ("region_summary.csv", "region_months.csv", "region_cumulative.png")


@click.command("region")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the comparison (made if missing).")  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the streams.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plot.")
@click.option(
    "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
    help="Language of the table and the plot (nl: Nederlands, en: English).",
)  # fmt: skip
@click.option("--debug", is_flag=True, hidden=True)
def region(
    files: tuple[Path, ...], out: Path, seed: int, no_plots: bool, lang: str, debug: bool
) -> None:
    """Separate vs pooled over a half year, for the municipalities of FILES.

    Give one scenario file per municipality (two or more, the same period). Both
    sides share every koppeling, offer and refusal draw; pooled, a household may
    be housed in another municipality of the region (a herkoppeling).

    Example: allocatie scenario region enschede.toml almelo.toml hengelo.toml --out out/twente
    """
    with use_language(lang), user_errors(debug):
        _region(files, out, seed, no_plots)


def _region(files: tuple[Path, ...], out: Path, seed: int, no_plots: bool) -> None:
    from allocatie.areas.data import load_areas
    from allocatie.inputs.errors import InputError, Problem
    from allocatie.planning.region_scenario import run_region
    from allocatie.planning.scenario import load_scenario
    from allocatie.report.output_set import write_csv, write_outputs

    areas = load_areas()
    problems: list[Problem] = []
    scenarios = []
    for file in files:
        try:
            scenarios.append(load_scenario(file, areas))
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    codes = [s.municipality for s in scenarios]
    if len(set(codes)) < 2 or len(set(codes)) != len(codes):
        raise InputError(
            [
                Problem(
                    str(files[-1]),
                    None,
                    "scenario.municipality",
                    _(
                        "a region needs scenario files of two or more different "
                        "municipalities; these name {codes}"
                    ).format(codes=", ".join(codes)),
                )
            ]
        )
    periods = {(s.runs[0].policy.period.start, s.runs[0].policy.period.end) for s in scenarios}
    if len(periods) > 1:
        raise InputError(
            [
                Problem(str(f), None, "period", _("the scenario files must share one period"))
                for f in files
            ]
        )
    result = run_region(scenarios, areas, seed)
    writers: dict[str, Callable[[Path], None]] = {
        "region_summary.csv": lambda p: write_csv(result.summary, p),
        "region_months.csv": lambda p: write_csv(result.months, p),
    }
    if not no_plots:
        writers["region_cumulative.png"] = lambda p: _plot(result.months, result.summary, p)
    written = write_outputs(out, writers, owned=REGION_FILES, inputs=list(files))
    _print(result.summary)
    click.echo(_("Written: {files}").format(files=", ".join(str(p) for p in written)), err=True)


def _print(summary: pd.DataFrame) -> None:
    """The region's and each municipality's figures, separate → pooled."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("Separate → pooled"), header_style="bold")
    for column in (
        _("municipality"),
        _("persons to house"),
        _("persons housed"),
        _("attainment"),
        _("herkoppelingen"),
        _("still waiting"),
        _("mean wait (days)"),
    ):
        table.add_column(column, justify="left" if column == _("municipality") else "right")
    separate = summary[summary["mode"] == "separate"].set_index("municipality")
    pooled = summary[summary["mode"] == "pooled"].set_index("municipality")

    def pair(column: str, digits: int = 0, share: bool = False) -> Callable[[str], str]:
        def cell(code: str) -> str:
            values = [separate.loc[code, column], pooled.loc[code, column]]
            shown = [
                "–" if pd.isna(v) else (f"{number(100 * v, 0)}%" if share else number(v, digits))
                for v in values
            ]
            return " → ".join(shown)

        return cell

    for code in separate.index:
        name = _("region") if code == "region" else code
        table.add_row(
            name,
            number(separate.loc[code, "target_persons"]),
            pair("persons_housed")(code),
            pair("attainment", share=True)(code),
            number(pooled.loc[code, "herkoppelingen_sent"]),
            pair("households_waiting")(code),
            pair("mean_wait_days", 1)(code),
        )
    Console().print(table)


def _plot(months: pd.DataFrame, summary: pd.DataFrame, path: Path) -> None:
    """Persons housed in the region, cumulated per meeting: separate against pooled."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from allocatie.report.maps import atomic_write

    figure = Figure(figsize=(8, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    region = months[months["municipality"] == "region"]
    labels = {"separate": _("separate"), "pooled": _("pooled")}
    for mode, part in region.groupby("mode", sort=False):
        ax.step(part["meeting"], part["persons_housed_cumulative"], where="post",
                label=labels.get(str(mode), str(mode)), linewidth=2)  # fmt: skip
    target = int(summary.loc[summary["municipality"] == "region", "target_persons"].iloc[0])
    ax.axhline(target, color="#555555", linestyle="--", linewidth=1,
               label=_("taakstelling + achterstand"))  # fmt: skip
    ax.set_ylabel(_("persons housed (cumulative)"))
    ax.set_title(_("The region's half year: separate vs pooled"))
    ax.legend(loc="upper left", frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    atomic_write(path, buffer.getvalue())
