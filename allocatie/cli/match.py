"""``allocatie match``: the monthly plan for the housing coordinator.

Input problems end with exit code 2 and a list of every problem, never a
traceback; nothing is written then. Anything else unexpected ends with exit
code 1 and a short message (``--debug`` shows the traceback for developers).
The engine (pandas, OR-Tools, the area data) is imported inside the command, so
``allocatie --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocatie.cli.errors import user_errors
from allocatie.inputs.errors import InputError

__all__ = ["match", "parts_runner"]

_EXISTING = click.Path(dir_okay=False, path_type=Path)

#: What the solver accepts as ``map_parts``: ``map(fn, parts)`` returning a list.
MapParts = Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]


#: Plan rows shown on the terminal; a national plan of 20,000 rows belongs in the files.
TABLE_ROWS = 50


def parts_runner(
    workers: int | None, scheduler: str | None
) -> contextlib.AbstractContextManager[MapParts | None]:
    """A Dask map for the solver's parts when asked for, else a context giving ``None``.

    Shared by ``match`` and ``bench`` so that ``--workers``/``--scheduler`` mean the
    same in both. Dask is imported only when one of them is given: starting it
    costs a second, and most monthly runs are far smaller than that.

    Parameters
    ----------
    workers
        Worker processes of a local Dask cluster, or ``None``.
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``), or ``None``.
    """
    if workers is None and scheduler is None:
        return contextlib.nullcontext(None)
    from allocatie.solve.distributed import dask_map

    return dask_map(scheduler, workers)


def _summary(console: Console, outcome: Any, written: list[Path], seconds: float) -> None:
    """A short, readable summary: progress, spreading, waiting, then the plan.

    The coordinator reads this at the meeting table, so it answers the
    questions in the order they are asked (how many housed, how many still
    waiting and why, how spread) before the plan itself; every figure and the
    full reasons are in the files.
    """
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
    shown = outcome.plan.head(TABLE_ROWS)
    table = Table(header_style="bold", title="Plan (full reasons in plan.csv / plan.xlsx)")
    table.add_column("household", no_wrap=True)
    table.add_column("pers.", justify="right")
    table.add_column("dwelling", no_wrap=True)
    table.add_column("area (LQ) / why waiting", overflow="fold")
    for row in shown.itertuples(index=False):
        # ids are the user's text: escaped, so "[red]" in an id is not terminal markup
        household = escape(str(row.household_id))
        if isinstance(row.dwelling_id, str):
            flag = " [yellow]concentrated[/yellow]" if row.area_concentrated else ""
            pin = " [cyan]pinned[/cyan]" if row.pinned else ""
            where = f"{escape(str(row.area_name))} ({row.area_lq:.2f}){flag}{pin}"
            table.add_row(household, str(row.persons), escape(row.dwelling_id), where)
        else:
            why = escape(row.reason.removeprefix("Waiting: ").removeprefix("Wacht: "))
            table.add_row(household, str(row.persons), "[red]waiting[/red]", why)
    console.print(table)
    if len(outcome.plan) > len(shown):
        console.print(
            f"… and {len(outcome.plan) - len(shown):,} more households: see plan.csv / "
            f"plan.xlsx (the terminal shows the first {TABLE_ROWS})."
        )
    console.print("Written: " + ", ".join(str(p) for p in written))
    console.print(f"Area data: {outcome.areas_source}", style="dim")


@click.command()
@click.option(
    "--scenario",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder holding households.csv, dwellings.csv, policy.toml and optionally "
    "amenities.csv, pins.csv, refusals.csv (.xlsx also found). Options below override it.",
)
@click.option("--households", type=_EXISTING, help="Households CSV or XLSX.")
@click.option("--dwellings", type=_EXISTING, help="Offered dwellings CSV or XLSX.")
@click.option("--policy", type=_EXISTING, help="Policy TOML file.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for plan.csv, plan.xlsx and kpis.json (created if missing).",
)
@click.option(
    "--areas",
    type=_EXISTING,
    default=None,
    help="Your own area GeoJSON/GPKG (default: bundled CBS wijken and buurten).",
)
@click.option(
    "--amenities", type=_EXISTING, default=None, help="Amenity points (category, lon, lat)."
)
@click.option(
    "--pins", type=_EXISTING, default=None, help="Pinned pairs (household_id, dwelling_id)."
)
@click.option(
    "--refusals", type=_EXISTING, default=None, help="Refused pairs (household_id, dwelling_id)."
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

    Examples (the first after `allocatie example --out voorbeeld`):

        allocatie match --scenario voorbeeld/enschede-2019h2 --out out/enschede

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
    with user_errors(debug), parts_runner(workers, scheduler) as map_parts:
        when = date.date() if date else None
        outcome = run_match(inputs, date=when, method=solver, map_parts=map_parts, lang=lang)
        written = write_plan(out, outcome, maps=not no_maps)
    if quiet:
        for path in written:
            click.echo(str(path))
        return
    _summary(console, outcome, written, time.perf_counter() - start)
