"""Command line: ``allocatie scenario run`` for corporation planners.

Registered in :mod:`allocatie.cli.main` with ``cli.add_command(scenario)``. Input
problems end with exit code 2 and a list of every problem; nothing is written
then. Outputs are written as one set with :func:`allocatie.report.output_set.write_outputs`.

The table and the plots are in the language of ``--lang`` (Dutch by default, the
planner's meeting language); the CSV files keep English column names and plain
numbers, for scripts.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from allocatie.cli.errors import user_errors
from allocatie.i18n import _, ngettext, number, percent, use_language

__all__ = ["scenario"]


#: Every file a scenario run may write; those not written this time are removed.
SCENARIO_FILES = (
    "comparison.csv",
    "summary.csv",
    "monthly.csv",
    "placements.csv",
    "household_types.csv",
    "run.json",
    "cumulative.png",
    "placements_per_area.png",
    "household_types.png",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def scenario() -> None:
    """Half-year quota planning: simulate scenarios meeting by meeting.

    Run `allocatie scenario run --help` for the scenario runner.
    """


def _outside_definition() -> str:
    """What "outside conc." means, in the table's caption: the same definition as the chart."""
    return _(
        "outside conc. = households housed outside concentrated areas ÷ households housed, "
        "all seeds pooled (as in placements_per_area.png)."
    )


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else percent(value)


def _days(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else number(value, 0)


def _method(method: str) -> str:
    """A planning method in the table's column: optimised, or fcfs (explained in the title)."""
    return {"optimised": _("optimised"), "fcfs": _("fcfs")}.get(method, method)


def _summary_table(summary: pd.DataFrame, title: str) -> Table:
    """One row per scenario run and method, the runs separated by a line.

    Fits an 80-column terminal; the interest match rate and the other figures
    are in summary.csv.
    """
    table = Table(
        title=title, header_style="bold", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    columns = [
        (_("quota"), "quota_attainment", _pct),
        (_("outside\nconc."), "share_outside_concentrated", _pct),
        (_("wait\ndays"), "mean_wait_days", _days),
        (_("wait\n>10 wk"), "share_waiting_over_10_weeks", _pct),
        (_("vacancy\ndays"), "mean_vacancy_days", _days),
        (_("carry-\nover"), "carry_over_persons", _days),
    ]
    table.add_column(_("scenario"), overflow="fold", min_width=10, max_width=24)
    table.add_column(_("method"), no_wrap=True)
    for header, _key, _fmt in columns:
        table.add_column(header, justify="right", no_wrap=True)
    runs = list(dict.fromkeys(summary["scenario"]))
    for run in runs:
        group = summary[summary["scenario"] == run]
        for i, row in enumerate(group.itertuples(index=False)):
            cells = [fmt(getattr(row, key)) for _header, key, fmt in columns]
            last = i == len(group) - 1
            name = escape(str(run)) if i == 0 else ""
            table.add_row(name, _method(str(row.method)), *cells, end_section=last)
    return table


@scenario.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for comparison.csv, summary.csv, monthly.csv, placements.csv and the plots.",
)
@click.option(
    "--seeds",
    type=click.IntRange(1, 1000),
    default=None,
    help="Seeds per scenario run (default: the file's [scenario] seeds).",
)
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots (faster, e.g. in scripts).")
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the table and the plots (nl: Nederlands, en: English); the CSV files "
    "keep English column names.",
)
@click.option(
    "--quiet", is_flag=True, help="No progress bar or table; print only the output paths."
)
@click.option(
    "--ledger",
    "ledger_url",
    default=None,
    metavar="URL",
    help="Start from this ledger's open period: the rest of the half year, given what is "
    "already confirmed (see 'allocatie period status').",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def run(
    file: Path,
    out: Path,
    seeds: int | None,
    no_plots: bool,
    lang: str,
    quiet: bool,
    ledger_url: str | None,
    debug: bool,
) -> None:
    """Simulate every variant of a scenario FILE over several seeds, optimised vs FCFS.

    Each run plays the half year out meeting by meeting, once with the
    optimiser (with pacing and look-ahead) and once first-come-first-served,
    on the same koppelingen, offers and refusals. Writes into OUT:
    comparison.csv (one row per variant, method and seed), summary.csv (means
    over seeds), monthly.csv (pace and progress per meeting), placements.csv
    (every household housed, with its area), household_types.csv (housed and
    waiting per household type), cumulative.png, placements_per_area.png and
    household_types.png, and run.json.

    Example:

        allocatie scenario run voorbeeld/enschede-2019h2-halfjaar.toml --out out/enschede
    """
    with use_language(lang):
        _run(file, out, seeds, no_plots, quiet, ledger_url, debug)


def _run(
    file: Path,
    out: Path,
    seeds: int | None,
    no_plots: bool,
    quiet: bool,
    ledger_url: str | None,
    debug: bool,
) -> None:
    """The body of :func:`run`, inside the chosen language."""
    from allocatie import __version__
    from allocatie.areas.data import load_areas
    from allocatie.planning.planner import METHODS
    from allocatie.planning.scenario import WHY_FEWER_COLUMN, load_scenario, run_scenario
    from allocatie.report.output_set import write_csv, write_outputs
    from allocatie.report.plots import write_cumulative, write_household_types, write_placements

    console = Console(stderr=False, soft_wrap=False)
    with user_errors(debug):
        areas = load_areas()
        loaded = load_scenario(file, areas)
        if ledger_url is not None:  # the what-if starts from reality
            from allocatie.cli.ledger import connect
            from allocatie.ledger.planning import ledger_start, scenario_from_ledger

            opened = connect(ledger_url, quiet=True)
            start = ledger_start(opened, loaded.municipality, dt.date.today())
            opened.dispose()
            loaded = scenario_from_ledger(loaded, start)
        n_seeds = seeds or loaded.seeds
        total = len(loaded.runs) * n_seeds * len(METHODS)
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=quiet,
            transient=True,
        ) as progress:
            task = progress.add_task(_("simulating"), total=total)

            def advance(label: str) -> None:
                progress.update(task, advance=1, description=escape(label))

            result = run_scenario(loaded, areas, seeds=n_seeds, progress=advance)
        record = {
            "scenario": loaded.name,
            "title": loaded.title,
            "file": str(file),
            "municipality": loaded.municipality,
            "seeds": n_seeds,
            "methods": list(METHODS),
            "runs": [{"name": r.name, "description": r.description} for r in loaded.runs],
            "amenities": loaded.amenities,
            "areas_source": areas.source,
            "allocatie_version": __version__,
        }
        writers = {
            "comparison.csv": lambda p: write_csv(result.comparison, p),
            "summary.csv": lambda p: write_csv(result.summary, p),
            "monthly.csv": lambda p: write_csv(result.monthly, p),
            "placements.csv": lambda p: write_csv(result.placements, p),
            "household_types.csv": lambda p: write_csv(result.household_types, p),
            "run.json": lambda p: p.write_text(
                json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            ),
        }
        if not no_plots:
            names = areas.stats["name"]
            writers["cumulative.png"] = lambda p: write_cumulative(
                p,
                result.monthly,
                title=_("{title}: persons housed against the pace").format(title=loaded.title),
            )
            writers["placements_per_area.png"] = lambda p: write_placements(
                p,
                result.placements,
                names,
                title=_("{title}: placements per wijk").format(title=loaded.title),
                seeds=n_seeds,
            )
            writers["household_types.png"] = lambda p: write_household_types(
                p,
                result.household_types,
                title=_("{title}: share housed per household type").format(title=loaded.title),
            )
        written = write_outputs(out, writers, owned=SCENARIO_FILES, inputs=[file])
    if quiet:
        for path in written:
            click.echo(str(path))
        return
    from allocatie.report.columns import areas_source_text

    title = ngettext(
        "{title}: mean over {n} seed; fcfs = first come, first served",
        "{title}: mean over {n} seeds; fcfs = first come, first served",
        n_seeds,
    ).format(title=loaded.title, n=n_seeds)
    table = _summary_table(result.summary, escape(title))
    table.caption = escape(_outside_definition())
    table.caption_justify = "left"
    console.print(table)
    for row in result.summary.itertuples(index=False):
        why = getattr(row, WHY_FEWER_COLUMN, "")
        if isinstance(why, str) and why:
            console.print(_("{scenario}: {why}").format(scenario=escape(str(row.scenario)),
                                                        why=escape(why)))  # fmt: skip
    console.print(_("Written: {files}").format(files=", ".join(str(p) for p in written)))
    console.print(
        _("Area data: {source}").format(source=areas_source_text(areas.source)), style="dim"
    )


# separate vs pooled for a region's municipalities (allocatie.cli.scenario_region)
from allocatie.cli.scenario_region import region as _region  # noqa: E402

scenario.add_command(_region)
