"""Command line: ``allocatie match`` for the monthly meeting.

Input problems end with exit code 2 and a list of every problem, never a
traceback; nothing is written then. Anything else unexpected ends with exit
code 1 and a short message (``--debug`` shows the traceback for developers).
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocatie import __version__
from allocatie.cli.errors import EXIT_INPUT, user_errors
from allocatie.inputs.errors import InputError

_existing = click.Path(dir_okay=False, path_type=Path)


def _summary(console: Console, outcome: Any, written: list[Path], seconds: float) -> None:
    """A short, readable summary: progress, spreading, waiting, then the plan."""
    k = outcome.kpis
    target = k["quota_persons"] + k["backlog_persons"]
    share = k["share_outside_concentrated"]
    console.print(
        f"[bold]allocatie match[/bold] — matching date {k['matching_date']} "
        f"({escape(k['matching_date_source'])})"
    )
    console.print(
        f"Housed [bold]{k['persons_housed']} persons[/bold] in {k['households_housed']} "
        f"households; {k['households_unplaced']} household(s) ({k['persons_unplaced']} persons) "
        f"still waiting, {k['households_waiting_over_10_weeks']} of them over 10 weeks."
    )
    if target:
        console.print(
            f"Taakstelling {k['quota_persons']} + achterstand {k['backlog_persons']} = {target} "
            f"persons: {k['housed_so_far_this_period']} housed earlier this period, "
            f"with this plan {k['quota_attainment']:.0%}; {k['persons_still_to_house']} "
            "persons still to house this period."
        )
    if share is not None:
        console.print(
            f"Outside concentrated areas: {k['households_outside_concentrated']} of "
            f"{k['households_housed']} households ({share:.0%}); indicator "
            f"{k['indicator']}, LQ threshold {k['lq_threshold']}."
        )
    shortfall = k.get("shortfall")
    if shortfall and k["households_unplaced"]:
        for row in shortfall["supply_demand"]:
            if row["households_waiting"]:
                console.print(
                    f"  {row['class_type']}: {row['class']}: {row['households']} household(s), "
                    f"{row['dwellings_offered']} dwelling(s) offered, "
                    f"{row['households_waiting']} waiting"
                )
        for row in shortfall["binding_settings"]:
            if row["binds"]:
                console.print(f"  Policy: {escape(row['text'])}.")
    console.print(
        f"Solver: {k['solve_method']}, {k['solve_status']}, {k['solve_seconds']:.3f} s "
        f"(whole run {seconds:.2f} s); {k['eligible_pairs']} eligible pairs."
    )
    table = Table(header_style="bold", title="Plan (full reasons in plan.csv / plan.xlsx)")
    table.add_column("household", no_wrap=True)
    table.add_column("pers.", justify="right")
    table.add_column("dwelling", no_wrap=True)
    table.add_column("area (LQ) / why waiting", overflow="fold")
    for row in outcome.plan.itertuples(index=False):
        if isinstance(row.dwelling_id, str):
            flag = " [yellow]concentrated[/yellow]" if row.area_concentrated else ""
            pin = " [cyan]pinned[/cyan]" if row.pinned else ""
            where = f"{escape(str(row.area_name))} ({row.area_lq:.2f}){flag}{pin}"
            table.add_row(row.household_id, str(row.persons), row.dwelling_id, where)
        else:
            why = escape(row.reason.removeprefix("Waiting: ").removeprefix("Wacht: "))
            table.add_row(row.household_id, str(row.persons), "[red]waiting[/red]", why)
    console.print(table)
    console.print("Written: " + ", ".join(str(p) for p in written))
    console.print(f"Area data: {outcome.areas_source}", style="dim")


def _parts_runner(workers: int | None, scheduler: str | None):
    """A Dask map for the solver's parts when asked for, else a context giving ``None``."""
    import contextlib

    if workers is None and scheduler is None:
        return contextlib.nullcontext(None)
    from allocatie.solve.distributed import dask_map

    return dask_map(scheduler, workers)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allocatie")
def cli() -> None:
    """allocatie: match statushouder households to offered dwellings, explained.

    
    Coordinators:  allocatie match --scenario FOLDER --out DIR   (monthly plan)
    Planners:      allocatie scenario run FILE.toml --out DIR     (half year, variants)
    Researchers:   allocatie bench national --json                (benchmarks)
    Everyone:      allocatie areas --gemeente GM0153              (neighbourhoods)

    Add --help to any command for its options. Area data: Bron: CBS (CC-BY 4.0).
    """


@cli.command()
@click.option(
    "--scenario",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder holding households.csv, dwellings.csv, policy.toml and optionally "
    "amenities.csv, pins.csv, refusals.csv (.xlsx also found). Options below override it.",
)
@click.option("--households", type=_existing, help="Households CSV or XLSX.")
@click.option("--dwellings", type=_existing, help="Offered dwellings CSV or XLSX.")
@click.option("--policy", type=_existing, help="Policy TOML file.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for plan.csv, plan.xlsx and kpis.json (created if missing).",
)
@click.option(
    "--areas",
    type=_existing,
    default=None,
    help="Your own area GeoJSON/GPKG (default: bundled CBS wijken and buurten).",
)
@click.option(
    "--amenities", type=_existing, default=None, help="Amenity points (category, lon, lat)."
)
@click.option(
    "--pins", type=_existing, default=None, help="Pinned pairs (household_id, dwelling_id)."
)
@click.option(
    "--refusals", type=_existing, default=None, help="Refused pairs (household_id, dwelling_id)."
)
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Matching date YYYY-MM-DD (overrides the policy's [matching] date).",
)
@click.option(
    "--solver",
    type=click.Choice(["auto", "cpsat", "flow"]),
    default=None,
    help="Solver (overrides the policy's [solver] method).",
)
@click.option(
    "--no-maps", is_flag=True, help="Skip map.png and report.html (faster, e.g. in scripts)."
)
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Solve independent parts on a local Dask cluster with this many workers (same plan).",
)
@click.option("--scheduler", default=None, help="Solve independent parts on this Dask scheduler.")
@click.option(
    "--lang",
    type=click.Choice(["en", "nl"]),
    default="en",
    show_default=True,
    help="Language of the reasons in the plan (nl: Nederlands).",
)
@click.option("--quiet", is_flag=True, help="Print only the output paths.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def match(
    scenario: Path | None,
    households: Path | None,
    dwellings: Path | None,
    policy: Path | None,
    out: Path,
    areas: Path | None,
    amenities: Path | None,
    pins: Path | None,
    refusals: Path | None,
    date: dt.datetime | None,
    solver: str | None,
    no_maps: bool,
    workers: int | None,
    scheduler: str | None,
    lang: str,
    quiet: bool,
    debug: bool,
) -> None:
    """Propose this month's matching of households to dwellings.

    Reads the households linked to the municipality, the dwellings offered and
    the policy; writes into OUT a plan with one row per household (the dwelling
    or why it waits), the same as an Excel workbook, areas.csv with each area's
    location quotient before and after the plan, kpis.json with progress against
    the taakstelling, spreading, waiting times and segregation indices,
    manifest.json (input hashes, policy, versions), and report.html with an
    interactive map plus map.png for print.

    Examples:

        allocatie match --scenario scenarios/enschede-2019h2 --out out/enschede

        allocatie match --households households.xlsx --dwellings aanbod.csv
        --policy policy.toml --out plan-oktober/
    """
    from allocatie.match import Inputs, run_match
    from allocatie.report.outputs import write_plan

    console = Console(stderr=False, soft_wrap=False)
    start = time.perf_counter()
    try:
        inputs = Inputs.from_scenario(
            scenario,
            households=households,
            dwellings=dwellings,
            policy=policy,
            areas=areas,
            amenities=amenities,
            pins=pins,
            refusals=refusals,
        )
    except InputError as error:
        raise click.UsageError(" ".join(p.message for p in error.problems)) from None
    with user_errors(debug), _parts_runner(workers, scheduler) as map_parts:
        when = date.date() if date else None
        outcome = run_match(inputs, date=when, method=solver, map_parts=map_parts, lang=lang)
        written = write_plan(out, outcome, maps=not no_maps)
    if quiet:
        for path in written:
            click.echo(str(path))
        return
    _summary(console, outcome, written, time.perf_counter() - start)


@cli.command()
@click.option("--gemeente", required=True, help="CBS municipality code, e.g. GM0153 (Enschede).")
@click.option("--level", type=click.Choice(["buurt", "wijk"]), default="buurt", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--indicator",
    default="migration_non_western",
    show_default=True,
    help="Count column of the area data used as the spreading indicator.",
)
@click.option("--threshold", type=float, default=1.5, show_default=True, help="LQ threshold.")
@click.option("--areas", "areas_file", type=_existing, default=None, help="Your own area file.")
@click.option(
    "--map", "map_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Also write a PNG map of the wijken coloured by location quotient.",
)  # fmt: skip
def areas(
    gemeente: str,
    level: str,
    fmt: str,
    indicator: str,
    threshold: float,
    areas_file: Path | None,
    map_file: Path | None,
) -> None:
    """Segregation indices and location quotients of one municipality's areas.

    Prints the city-wide indices (dissimilarity, isolation, exposure, entropy,
    Gini; at wijk level also the spatial dissimilarity over the queen-contiguity
    graph) and, per area, residents, indicator share, location quotient and
    whether it counts as concentrated. Bron: CBS.

    Example: allocatie areas --gemeente GM0153 --level wijk --format json
    """
    import json

    import pandas as pd

    from allocatie.areas.data import load_areas
    from allocatie.areas.neighbourhood import before_after

    try:
        data = load_areas(areas_file)
        if indicator not in data.stats.columns:
            raise click.BadParameter(
                f"no column '{indicator}' in the area data", param_hint="--indicator"
            )
        empty = pd.Series(dtype=int)
        indices, table = before_after(data, gemeente, level, indicator, threshold, empty, empty)
    except InputError as error:
        click.echo(error.render(), err=True)
        sys.exit(EXIT_INPUT)
    if table.empty:
        click.echo(f"No {level} statistics for {gemeente}; check the code (e.g. GM0153).", err=True)
        sys.exit(EXIT_INPUT)
    table = table.rename(columns={"share_before": "share", "lq_before": "lq",
                                  "concentrated_before": "concentrated"})  # fmt: skip
    columns = ["code", "name", "residents", "share", "lq", "concentrated"]
    name = data.stats.loc[gemeente, "name"] if gemeente in data.stats.index else gemeente
    if fmt == "json":
        result = {
            "gemeente": gemeente,
            "name": str(name),
            "level": level,
            "indicator": indicator,
            "lq_threshold": threshold,
            "source": data.source,
            **indices["before"],
            "areas": table[columns].to_dict(orient="records"),
        }
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        console = Console()
        console.print(f"[bold]{escape(str(name))} ({gemeente})[/bold], {level} level, "
                      f"indicator {indicator}, {len(table)} areas")  # fmt: skip
        for key, value in indices["before"].items():
            console.print(f"  {key:22} {value if value is None else f'{value:.4f}'}")
        grid = Table(header_style="bold")
        for column in columns:
            grid.add_column(
                column, justify="right" if column in ("residents", "share", "lq") else "left"
            )
        for row in table[columns].itertuples(index=False):
            flag = "[red]yes[/red]" if row.concentrated else "no"
            grid.add_row(row.code, escape(row.name), f"{row.residents:,}", f"{row.share:.1%}",
                         f"{row.lq:.2f}", flag)  # fmt: skip
        console.print(grid)
        console.print(f"Source: {data.source}", style="dim")
    if map_file is not None:
        from allocatie.report.maps import (
            PLACEMENT_COLUMNS,
            indicator_label,
            wijk_layer,
            write_png_map,
        )

        _, wijk = before_after(data, gemeente, "wijk", indicator, threshold, empty, empty)
        layer = wijk_layer(data, gemeente, wijk.set_index("code")["lq_before"], threshold=threshold)
        nothing_placed = pd.DataFrame(columns=list(PLACEMENT_COLUMNS))
        title = f"{name}: locatiequotiënt per wijk"
        label = indicator_label(indicator)
        layer["lq"] = layer["lq_before"]
        write_png_map(map_file, layer, nothing_placed, column="lq", threshold=threshold,
                      title=title, indicator_label=label)  # fmt: skip
        click.echo(f"Map written: {map_file}", err=True)


@cli.command()
@click.option(
    "--from-osm",
    "source",
    required=True,
    type=_existing,
    help="GeoJSON export of OpenStreetMap features (e.g. from overpass-turbo).",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def amenities(source: Path, out: Path) -> None:
    """Make an amenities.csv for `allocatie match --amenities` from an OSM export.

    Sports grounds and clubs, schools and libraries, universities, employment
    agencies, theatres and museums, places of worship, community centres and
    health care are mapped to the interest keys of the potentieelanalyse; the
    full tag list is in allocatie/osm.py. Data © OpenStreetMap contributors (ODbL).
    """
    from allocatie.areas.osm import amenities_from_osm
    from allocatie.report.outputs import write_outputs

    try:
        table = amenities_from_osm(source)
    except InputError as error:
        click.echo(error.render(), err=True)
        sys.exit(EXIT_INPUT)
    target = out.resolve()
    write_outputs(
        target.parent,
        {target.name: lambda p: table.to_csv(p, index=False, lineterminator="\n")},
    )
    counts = table["category"].value_counts().sort_index()
    click.echo(f"{len(table)} amenities written to {out}: " + ", ".join(
        f"{k} {v}" for k, v in counts.items()))  # fmt: skip


@cli.command()
@click.argument("instance", type=click.Choice(
    ["city-month", "city-half-year", "national", "national-headroom", "stress"]))  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--cpsat-seconds", type=float, default=0.0,
    help="Also run the plain CP-SAT model on the whole problem with this budget "
    "(CP-SAT deterministic seconds; wall-clock time can be several times longer).",
)  # fmt: skip
@click.option("--workers", type=int, default=None, help="Solve the parts on a local Dask cluster.")
@click.option("--scheduler", default=None, help="Solve the parts on this Dask scheduler.")
def bench(
    instance: str,
    seed: int,
    as_json: bool,
    cpsat_seconds: float,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Time one benchmark instance from files to report, beside the reference solvers.

    Instances are generated from the real CBS areas with the seed: a city month and
    half year (Enschede, taakstelling 52), the whole country for a half year (17,600
    persons, taakstelling per municipality by population), and a 50,000-household
    stress test. "-headroom" keeps the projected-composition rule, which is not a
    network. Example: allocatie bench national --seed 1 --json
    """
    import json

    from allocatie.planning.bench import run

    with _parts_runner(workers, scheduler) as map_parts:
        figures = run(instance, seed, cpsat_seconds=cpsat_seconds, map_parts=map_parts)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        click.echo(f"{key:28} {value}")


def _register_subcommands() -> None:
    from allocatie.cli.scenario import scenario

    cli.add_command(scenario)


_register_subcommands()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``allocatie`` command.

    SIGTERM (a scheduler stopping the job) is treated like Ctrl-C: the run
    stops, staged output is removed, and nothing half-written is left behind.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    cli(prog_name="allocatie")


if __name__ == "__main__":
    main()
