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
from allocatie.i18n import _, ngettext, number, percent, use_language
from allocatie.inputs.errors import InputError

__all__ = ["INPUT_HELP", "input_options", "match", "parts_runner", "scenario_inputs"]

_EXISTING = click.Path(dir_okay=False, path_type=Path)

#: What the solver accepts as ``map_parts``: ``map(fn, parts)`` returning a list.
MapParts = Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]


#: Plan rows shown on the terminal; a national plan of 20,000 rows belongs in the files.
TABLE_ROWS = 50


#: Help of the input options, in the language of each command's help (``match`` is
#: English, ``why`` Dutch); the options themselves are defined once, in :func:`input_options`.
INPUT_HELP: dict[str, dict[str, str]] = {
    "en": {
        "scenario": "Folder holding households.csv, dwellings.csv, policy.toml and optionally "
        "amenities.csv, pins.csv, refusals.csv (.xlsx also found). Options below override it.",
        "households": "Households CSV or XLSX.",
        "dwellings": "Offered dwellings CSV or XLSX.",
        "policy": "Policy TOML file.",
        "areas": "Your own area GeoJSON/GPKG (default: bundled CBS wijken and buurten).",
        "amenities": "Amenity points (category, lon, lat).",
        "pins": "Pinned pairs (household_id, dwelling_id).",
        "refusals": "Refused pairs (household_id, dwelling_id).",
        "date": "Matching date YYYY-MM-DD (overrides the policy's [matching] date).",
        "solver": "Solver (overrides the policy's [solver] method).",
    },
    "nl": {
        "scenario": "Map met households.csv, dwellings.csv, policy.toml en eventueel "
        "amenities.csv, pins.csv, refusals.csv (ook .xlsx). De opties hieronder gaan voor.",
        "households": "Huishoudens (CSV of XLSX).",
        "dwellings": "Aangeboden woningen (CSV of XLSX).",
        "policy": "Beleid (TOML).",
        "areas": "Eigen gebieden (GeoJSON/GPKG; standaard de meegeleverde CBS-wijken en -buurten).",
        "amenities": "Voorzieningen (category, lon, lat).",
        "pins": "Vastgezette paren (household_id, dwelling_id).",
        "refusals": "Weigeringen (household_id, dwelling_id).",
        "date": "Matchingdatum JJJJ-MM-DD (gaat voor [matching] date uit het beleid).",
        "solver": "Oplosser (gaat voor [solver] method uit het beleid).",
    },
}


def input_options(language: str = "en") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options that name a run's inputs, date and solver: one definition for every command.

    ``allocatie match`` and ``allocatie why`` must read, build and solve the same
    plan from the same options, so they share these rather than copies that
    could drift apart. The command receives ``scenario``, ``households``,
    ``dwellings``, ``policy``, ``areas``, ``amenities``, ``pins``, ``refusals``
    (paths or ``None``; see :func:`scenario_inputs`), ``date`` and ``solver``.

    Parameters
    ----------
    language
        Language of the help texts (:data:`INPUT_HELP`).
    """
    text = INPUT_HELP[language]
    options = [
        click.option(
            "--scenario",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            default=None,
            help=text["scenario"],
        ),
        click.option("--households", type=_EXISTING, help=text["households"]),
        click.option("--dwellings", type=_EXISTING, help=text["dwellings"]),
        click.option("--policy", type=_EXISTING, help=text["policy"]),
        click.option("--areas", type=_EXISTING, default=None, help=text["areas"]),
        click.option("--amenities", type=_EXISTING, default=None, help=text["amenities"]),
        click.option("--pins", type=_EXISTING, default=None, help=text["pins"]),
        click.option("--refusals", type=_EXISTING, default=None, help=text["refusals"]),
        click.option(
            "--date",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help=text["date"],
        ),
        click.option(
            "--solver",
            type=click.Choice(["auto", "cpsat", "flow"]),
            default=None,
            help=text["solver"],
        ),
    ]

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):  # listed in --help in this order
            command = option(command)
        return command

    return apply


def scenario_inputs(scenario: Path | None, *paths: Path | None) -> Any:
    """The run's :class:`~allocatie.match.Inputs` from ``--scenario`` and the file options.

    ``paths`` are households, dwellings, policy, areas, amenities, pins and
    refusals, in that order (``None`` when not given). A missing required file
    is a usage error, shown with the command's usage line.
    """
    from allocatie.match import Inputs

    roles = ("households", "dwellings", "policy", "areas", "amenities", "pins", "refusals")
    try:
        return Inputs.from_scenario(scenario, **dict(zip(roles, paths, strict=True)))
    except InputError as error:
        raise click.UsageError(" ".join(p.message for p in error.problems)) from None


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
    full reasons are in the files. Written in the language of the current
    context (``--lang``), numbers included.
    """
    from allocatie.report.columns import areas_source_text, kpi_value_text

    k = outcome.kpis
    console.print(
        _("[bold]allocatie match[/bold] — matching date {date} ({source})").format(
            date=k["matching_date"],
            source=escape(kpi_value_text("matching_date_source", k["matching_date_source"])),
        )
    )
    for role, sheet in k.get("input_sheets", {}).items():
        # a workbook may hold last month's list on another sheet: say which one was read
        console.print(
            _("Read {file}: sheet '{sheet}'.").format(
                file=escape(str(outcome.manifest["inputs"][role]["path"])), sheet=escape(sheet)
            )
        )
    for line in _progress_lines(k):
        console.print(line)
    console.print(
        _("Solver: {method}, {status}, {seconds} s (whole run {total} s); {pairs}.").format(
            method=k["solve_method"],
            status=kpi_value_text("solve_status", k["solve_status"]),
            seconds=number(k["solve_seconds"], 3),
            total=number(seconds, 2),
            pairs=ngettext("{n} eligible pair", "{n} eligible pairs", k["eligible_pairs"]).format(
                n=number(k["eligible_pairs"])
            ),
        )
    )
    if k.get("stability_swaps") or k.get("stability_moves"):  # the stability pass moved someone
        console.print(
            _(
                "Stability: {swaps} and {moves}, so that no two households would rather trade "
                "and none would rather have a dwelling left empty (goal 3 gives up {cost})."
            ).format(
                swaps=ngettext("{n} trade", "{n} trades", k["stability_swaps"]).format(
                    n=number(k["stability_swaps"])
                ),
                moves=ngettext("{n} move", "{n} moves", k["stability_moves"]).format(
                    n=number(k["stability_moves"])
                ),
                cost=number(k["stability_tier3_cost"]),
            )
        )
    for line in _fairness_lines(k):
        console.print(line)
    console.print(_plan_table(outcome.plan.head(TABLE_ROWS)))
    hidden = len(outcome.plan) - min(len(outcome.plan), TABLE_ROWS)
    if hidden:
        console.print(
            ngettext(
                "… and {n} more household: see plan.csv / plan.xlsx (the terminal shows the "
                "first {shown}).",
                "… and {n} more households: see plan.csv / plan.xlsx (the terminal shows the "
                "first {shown}).",
                hidden,
            ).format(n=number(hidden), shown=TABLE_ROWS)
        )
    console.print(_("Written: {files}").format(files=", ".join(str(p) for p in written)))
    console.print(
        _("Area data: {source}").format(source=areas_source_text(outcome.areas_source)),
        style="dim",
    )


def _fairness_lines(k: dict[str, Any]) -> list[str]:
    """The region's accounts per municipality, and the comparison with first come, first served."""
    from allocatie.report.accounts import region_lines
    from allocatie.report.harm import harm_sentence, no_harm_sentence

    harm = [line for line in (harm_sentence(k), no_harm_sentence(k)) if line]
    return region_lines(k) + harm


def _persons(n: int) -> str:
    return ngettext("{n} person", "{n} persons", n).format(n=number(n))


def _households(n: int) -> str:
    return ngettext("{n} household", "{n} households", n).format(n=number(n))


def _progress_lines(k: dict[str, Any]) -> list[str]:
    """Persons housed, the taakstelling, spreading and why people wait, one line each."""
    from allocatie.report.columns import kpi_value_text
    from allocatie.report.diagnose import class_label, class_type_label, setting_text

    lines = [
        _(
            "Housed [bold]{persons}[/bold] in {households}; {waiting} ({waiting_persons}) "
            "still waiting, {overdue} of them over 10 weeks."
        ).format(
            persons=_persons(k["persons_housed"]),
            households=_households(k["households_housed"]),
            waiting=_households(k["households_unplaced"]),
            waiting_persons=_persons(k["persons_unplaced"]),
            overdue=number(k["households_waiting_over_10_weeks"]),
        )
    ]
    target = k["quota_persons"] + k["backlog_persons"]
    if target:
        lines.append(
            _(
                "Taakstelling {quota} + achterstand {backlog} = {target}: {earlier} housed "
                "earlier this period, with this plan {attained}; {still} still to house this "
                "period."
            ).format(
                quota=number(k["quota_persons"]),
                backlog=number(k["backlog_persons"]),
                target=_persons(target),
                earlier=number(k["housed_so_far_this_period"]),
                attained=percent(k["quota_attainment"]),
                still=_persons(k["persons_still_to_house"]),
            )
        )
    if k["share_outside_concentrated"] is not None:
        lines.append(
            _(
                "Outside concentrated areas: {outside} of {housed} ({share}); indicator "
                "{indicator}, LQ threshold {threshold}."
            ).format(
                outside=number(k["households_outside_concentrated"]),
                housed=_households(k["households_housed"]),
                share=percent(k["share_outside_concentrated"]),
                indicator=escape(kpi_value_text("indicator", k["indicator"])),
                threshold=number(k["lq_threshold"]),
            )
        )
    shortfall = k.get("shortfall")
    if shortfall and k["households_unplaced"]:
        for row in shortfall["supply_demand"]:
            if row["households_waiting"]:
                lines.append(
                    _("  {kind}: {label}: {households}, {offered}, {waiting} waiting").format(
                        kind=class_type_label(row["class_type"]),
                        label=class_label(row),
                        households=_households(row["households"]),
                        offered=ngettext(
                            "{n} dwelling offered",
                            "{n} dwellings offered",
                            row["dwellings_offered"],
                        ).format(n=number(row["dwellings_offered"])),  # fmt: skip
                        waiting=number(row["households_waiting"]),
                    )
                )
        for row in shortfall["binding_settings"]:
            if row["binds"]:
                lines.append(_("  Policy: {text}.").format(text=escape(setting_text(row))))
    return lines


def _plan_table(shown: Any) -> Table:
    """The plan's first rows: household, persons, dwelling and where, or why it waits."""
    from allocatie.report.explain import waiting_prefix

    table = Table(header_style="bold", title=_("Plan (full reasons in plan.csv / plan.xlsx)"))
    table.add_column(_("household"), no_wrap=True)
    table.add_column(_("pers."), justify="right")
    table.add_column(_("dwelling"), no_wrap=True)
    table.add_column(_("area (LQ) / why waiting"), overflow="fold")
    prefix = waiting_prefix()
    for row in shown.itertuples(index=False):
        # ids are the user's text: escaped, so "[red]" in an id is not terminal markup
        household = escape(str(row.household_id))
        if isinstance(row.dwelling_id, str):
            flag = " [yellow]" + _("concentrated") + "[/yellow]" if row.area_concentrated else ""
            pin = " [cyan]" + _("pinned") + "[/cyan]" if row.pinned else ""
            where = f"{escape(str(row.area_name))} ({number(row.area_lq, 2)}){flag}{pin}"
            table.add_row(household, str(row.persons), escape(row.dwelling_id), where)
        else:
            why = escape(str(row.reason).removeprefix(prefix))
            table.add_row(household, str(row.persons), "[red]" + _("waiting") + "[/red]", why)
    return table


@click.command()
@input_options("en")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for plan.csv, plan.xlsx and kpis.json (created if missing).",
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
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of everything a person reads: this summary, the reasons, plan.xlsx, "
    "report.html and the maps (nl: Nederlands, en: English). plan.csv keeps its English "
    "column names in both.",
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
    from allocatie.match import run_match
    from allocatie.report.outputs import write_plan

    console = Console(stderr=False, soft_wrap=False)
    start = time.perf_counter()
    with use_language(lang):  # every message of the run, input problems included
        inputs = scenario_inputs(
            scenario, households, dwellings, policy, areas, amenities, pins, refusals
        )
        with user_errors(debug), parts_runner(workers, scheduler) as map_parts:
            when = date.date() if date else None
            outcome = run_match(inputs, date=when, method=solver, map_parts=map_parts, lang=lang)
            written = write_plan(out, outcome, maps=not no_maps)
        if quiet:
            for path in written:
                click.echo(str(path))
            return
        _summary(console, outcome, written, time.perf_counter() - start)
