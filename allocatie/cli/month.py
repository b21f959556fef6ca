"""``allocatie month``: a meeting with the ledger's memory — propose, confirm, correct.

``propose`` is ``allocatie match`` plus what the ledger remembers (persons
housed so far, placements per area and building, refusals, pins), without the
households already housed and the dwellings already let (both listed). The
proposal is stored and its id written into the plan, next to an empty
``besluit`` column. ``confirm`` reads that column back; ``undo`` corrects a
decision (itself recorded, never a silent delete).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocatie.cli.errors import user_errors
from allocatie.cli.ledger import DATE, connect, ledger_options, municipality_option

__all__ = ["month"]

_EXISTING = click.Path(dir_okay=False, path_type=Path)
#: Rows of the plan shown in the terminal; the files hold all of them.
SHOWN_ROWS = 50


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def month() -> None:
    """Het maandelijkse overleg met de ledger: voorstellen, bevestigen, corrigeren.

    \b
    allocatie month propose --scenario MAP --date 2019-10-01 --out voorstel-oktober
    allocatie month confirm voorstel-oktober/plan.xlsx
    allocatie month undo HUISHOUDEN_ID [--pin | --refusal WONING_ID]
    """


def _summary(console: Console, proposed: Any) -> None:
    """What the ledger did, then the plan, in the order the meeting asks."""
    k = proposed.outcome.kpis
    month_ = proposed.month
    period = proposed.period
    console.print(
        f"[bold]Voorstel {proposed.proposal_id}[/bold] — {period.label}, overleg van {month_.date}"
    )
    console.print(
        f"Al gehuisvest deze periode: {k['housed_so_far_this_period']} personen. Dit voorstel: "
        f"{k['persons_housed']} personen in {k['households_housed']} huishoudens; "
        f"{k['households_unplaced']} huishouden(s) wachten. Daarna nog "
        f"{k['persons_still_to_house']} personen te huisvesten (taakstelling "
        f"{k['quota_persons']}, achterstand {k['backlog_persons']})."
    )
    placed = month_.policy.spreading.placed_this_period
    if placed:
        console.print(
            "Eerder deze periode geplaatst per gebied (telt mee voor de maxima): "
            + ", ".join(f"{code} {n}" for code, n in placed.items())
        )
    if month_.ledger_pins:
        console.print(
            "Toezeggingen uit de ledger (vastgezet): "
            + ", ".join(f"{escape(h)} → {escape(d)}" for h, d in month_.ledger_pins)
        )
    if month_.ledger_refusals:
        console.print(f"Weigeringen uit de ledger in dit aanbod: {month_.ledger_refusals}")
    if month_.removed:
        console.print("[bold]Niet in dit voorstel[/bold] (uit de ledger):")
        for item in month_.removed:
            console.print(f"  {escape(item.id)}: {escape(item.reason)}")
    for note in month_.notes:
        console.print(f"[yellow]Let op:[/yellow] {escape(note)}")
    table = Table(header_style="bold", title="Voorstel (alle redenen in plan.csv / plan.xlsx)")
    table.add_column("huishouden", no_wrap=True)
    table.add_column("pers.", justify="right")
    table.add_column("woning", no_wrap=True)
    table.add_column("gebied (LQ) / waarom wachten", overflow="fold")
    plan = proposed.outcome.plan
    for row in plan.head(SHOWN_ROWS).itertuples(index=False):
        if isinstance(row.dwelling_id, str):
            pin = " [cyan]vastgezet[/cyan]" if row.pinned else ""
            conc = " [yellow]geconcentreerd[/yellow]" if row.area_concentrated else ""
            where = f"{escape(str(row.area_name))} ({row.area_lq:.2f}){conc}{pin}"
            table.add_row(
                escape(row.household_id), str(row.persons), escape(row.dwelling_id), where
            )
        else:
            why = escape(str(row.reason).removeprefix("Wacht: ").removeprefix("Waiting: "))
            table.add_row(escape(row.household_id), str(row.persons), "[red]wacht[/red]", why)
    console.print(table)
    if len(plan) > SHOWN_ROWS:
        console.print(f"… en nog {len(plan) - SHOWN_ROWS} huishoudens in plan.csv / plan.xlsx.")
    console.print("Geschreven: " + ", ".join(str(p) for p in proposed.written))
    console.print(
        "Vul in plan.xlsx (of plan.csv) de kolom [bold]besluit[/bold] in: akkoord, geweigerd "
        "of vastgezet; leeg is nog geen besluit. Daarna: allocatie month confirm "
        f"{escape(str(proposed.written[0].parent / 'plan.xlsx')) if proposed.written else ''}"
    )


@month.command()
@click.option(
    "--scenario",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Map met households.csv, dwellings.csv, policy.toml en eventueel amenities.csv, "
    "pins.csv, refusals.csv (.xlsx ook). De opties hieronder gaan voor.",
)
@click.option("--households", type=_EXISTING, help="Huishoudens (CSV of XLSX).")
@click.option("--dwellings", type=_EXISTING, help="Aangeboden woningen (CSV of XLSX).")
@click.option("--policy", type=_EXISTING, help="Beleid (TOML).")
@click.option("--areas", type=_EXISTING, default=None, help="Eigen gebieden (GeoJSON/GPKG).")
@click.option("--amenities", type=_EXISTING, default=None, help="Voorzieningen (category,lon,lat).")
@click.option("--pins", type=_EXISTING, default=None, help="Extra vastgezette paren (pins).")
@click.option("--refusals", type=_EXISTING, default=None, help="Extra weigeringen (refusals).")
@click.option(
    "--date",
    type=DATE,
    default=None,
    help="Datum van het overleg, JJJJ-MM-DD (standaard [matching] date uit het beleid).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Map voor plan.csv, plan.xlsx, kpis.json, manifest.json (wordt gemaakt).",
)
@municipality_option
@click.option(
    "--solver",
    type=click.Choice(["auto", "cpsat", "flow"]),
    default=None,
    help="Oplosser (gaat voor [solver] method).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Taal van de redenen.",
)
@click.option("--no-maps", is_flag=True, help="Zonder map.png en report.html (sneller).")
@click.option("--quiet", is_flag=True, help="Alleen de geschreven bestanden.")
@ledger_options
def propose(
    scenario: Path | None,
    households: Path | None,
    dwellings: Path | None,
    policy: Path | None,
    areas: Path | None,
    amenities: Path | None,
    pins: Path | None,
    refusals: Path | None,
    date: dt.datetime | None,
    out: Path,
    municipality: str | None,
    solver: str | None,
    lang: str,
    no_maps: bool,
    quiet: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Stel de koppeling van deze maand voor, verder waar het vorige overleg ophield.

    Als 'allocatie match', maar de ledger levert: personen al gehuisvest deze
    periode, plaatsingen per gebied en complex (voor de maxima), weigeringen en
    toezeggingen. Huishoudens die al gehuisvest zijn en woningen die al verhuurd
    zijn vallen weg (en worden genoemd). Het voorstel wordt bewaard; het nummer
    staat in kpis.json, manifest.json en de kolom proposal_id van het plan.

    Voorbeeld (na 'allocatie example --out voorbeeld'):

        allocatie month propose --scenario voorbeeld/enschede-2019h2
        --date 2019-10-01 --out voorstel-oktober
    """
    from allocatie.cli.match import scenario_inputs
    from allocatie.ledger.proposals import propose as make_proposal
    from allocatie.ledger.store import current_user
    from allocatie.report.outputs import write_plan

    inputs = scenario_inputs(
        scenario, households, dwellings, policy, areas, amenities, pins, refusals
    )
    with user_errors(debug):
        opened = connect(ledger_url, quiet=quiet)
        proposed = make_proposal(
            opened,
            inputs,
            date=date.date() if date else None,
            municipality=municipality,
            user=current_user(user),
            method=solver,
            lang=lang,
            write=lambda outcome: write_plan(out, outcome, maps=not no_maps),
        )
        opened.dispose()
    if quiet:
        for path in proposed.written:
            click.echo(str(path))
        return
    _summary(Console(soft_wrap=False), proposed)


@month.command()
@click.argument("plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--date", type=DATE, default=None, help="Peildatum voor het tempo (vandaag).")
@ledger_options
def confirm(
    plan_file: Path,
    date: dt.datetime | None,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Leg de besluiten van het overleg vast uit de kolom besluit van PLAN_FILE.

    PLAN_FILE is plan.xlsx of plan.csv van 'allocatie month propose'. Per
    huishouden: akkoord (accepted) = plaatsing bevestigd; geweigerd (refused) =
    dit paar nooit meer voorstellen; vastgezet (pinned) = toezegging die volgende
    voorstellen vasthouden; leeg = nog geen besluit. Een andere geschikte woning
    uit het voorstel mag in dwelling_id staan. Alles wordt eerst gecontroleerd;
    bij een probleem (alle problemen tegelijk) wordt niets vastgelegd (exit 2).
    """
    from allocatie.cli.ledger import today_or
    from allocatie.cli.period import print_status
    from allocatie.ledger.confirm import confirm as record_decisions
    from allocatie.ledger.decisions import read_decisions
    from allocatie.ledger.periods import status_figures
    from allocatie.ledger.store import current_user

    with user_errors(debug):
        decisions = read_decisions(plan_file)
        opened = connect(ledger_url)
        done = record_decisions(opened, decisions, current_user(user))
        shown = opened.location.shown
        opened.dispose()
    click.echo(
        f"Voorstel {done.proposal_id} vastgelegd: {done.accepted} akkoord "
        f"({done.persons_accepted} personen), {done.refused} geweigerd, {done.pinned} "
        f"vastgezet, {done.undecided} zonder besluit."
    )
    print_status(status_figures(done.state, today_or(date), shown), Console(soft_wrap=False))


@month.command()
@click.argument("household_id")
@click.option("--pin", "pin", is_flag=True, help="Trek de toezegging (vastgezet) in.")
@click.option(
    "--refusal", metavar="WONING_ID", default=None, help="Trek de weigering van deze woning in."
)
@click.option(
    "--refused",
    is_flag=True,
    help="Bij een plaatsing: het huishouden weigerde de woning alsnog (niet meer voorstellen).",
)
@click.option(
    "--reason",
    type=click.Choice(["woning-vervallen", "huishouden-afgezien", "vergissing", "anders"]),
    default="anders",
    show_default=True,
    help="Waarom (een keuze, geen vrije tekst: de ledger bewaart geen tekst over huishoudens).",
)
@municipality_option
@ledger_options
def undo(
    household_id: str,
    pin: bool,
    refusal: str | None,
    refused: bool,
    reason: str,
    municipality: str | None,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Corrigeer een besluit: een bevestigde plaatsing die niet doorgaat (standaard),
    een toezegging (--pin) of een weigering (--refusal WONING_ID).

    De correctie is zelf een gebeurtenis in de geschiedenis; er wordt niets gewist.
    """
    from allocatie.ledger.corrections import undo_placement, withdraw_pin, withdraw_refusal
    from allocatie.ledger.store import current_user

    if pin and refusal is not None:
        raise click.UsageError("kies --pin of --refusal, niet beide")
    with user_errors(debug):
        opened = connect(ledger_url)
        who = current_user(user)
        if pin:
            done = withdraw_pin(
                opened, household_id, municipality=municipality, user=who, reason=reason
            )
        elif refusal is not None:
            done = withdraw_refusal(
                opened, household_id, refusal, municipality=municipality, user=who, reason=reason
            )
        else:
            done = undo_placement(
                opened,
                household_id,
                municipality=municipality,
                user=who,
                reason=reason,
                refused=refused,
            )
        opened.dispose()
    click.echo(f"Gecorrigeerd in {done.period}: {household_id}: {done.message}.")
