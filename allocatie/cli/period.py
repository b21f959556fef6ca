"""``allocatie period``: open, follow and close a half year in the ledger.

``open`` starts a half year (without ``--backlog`` the carry-over of the
municipality's previous closed period is used), ``status`` shows where it
stands against the taakstelling and the pace, ``close`` records the shortfall
or surplus that the next ``open`` carries.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocatie.cli.errors import user_errors
from allocatie.cli.ledger import DATE, connect, ledger_options, municipality_option, today_or

if TYPE_CHECKING:  # the ledger is imported when a command runs, so --help stays light
    from allocatie.ledger.periods import Opened

__all__ = ["period", "print_status"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def period() -> None:
    """Een halfjaar (periode) in de ledger: openen, stand bekijken, sluiten.

    \b
    allocatie period open --municipality GM0153 --start 2019-07-01 --end 2019-12-31 --quota 52
    allocatie period status [--json]
    allocatie period close
    """


def _words(backlog: int) -> str:
    if backlog > 0:
        return f"achterstand {backlog}"
    if backlog < 0:
        return f"voorsprong {-backlog}"
    return "geen achterstand"


@period.command("open")
@click.option("--municipality", required=True, metavar="GM0000", help="Gemeente (CBS-code).")
@click.option("--start", required=True, type=DATE, help="Eerste dag, JJJJ-MM-DD.")
@click.option("--end", required=True, type=DATE, help="Laatste dag, JJJJ-MM-DD.")
@click.option("--quota", required=True, type=int, help="Taakstelling in personen.")
@click.option(
    "--backlog",
    type=int,
    default=None,
    help="Achterstand in personen (negatief: voorsprong); standaard wat de vorige gesloten "
    "periode doorgaf.",
)
@ledger_options
def open_command(
    municipality: str,
    start: dt.datetime,
    end: dt.datetime,
    quota: int,
    backlog: int | None,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Open een halfjaar met zijn taakstelling; maakt de ledger als die er nog niet is."""
    from allocatie.ledger.periods import open_period
    from allocatie.ledger.store import current_user

    with user_errors(debug):
        opened = connect(ledger_url, create=True)
        done = open_period(
            opened,
            municipality=municipality.strip().upper(),
            start=start.date(),
            end=end.date(),
            quota=quota,
            backlog=backlog,
            user=current_user(user),
        )
        opened.dispose()
    p = done.period
    click.echo(
        f"Periode {p.label} geopend: taakstelling {p.quota_persons} personen, "
        f"{_words(p.backlog_persons)} ({_backlog_origin(done, backlog)}); te huisvesten "
        f"{p.target_persons} personen."
    )


def _backlog_origin(done: Opened, backlog: int | None) -> str:
    """Where the achterstand came from, with the option to give one when the ledger had none.

    The ledger stores a plain fact (the web app shows it too); only here is
    ``--backlog`` a thing the reader can type.
    """
    if backlog is not None:
        return "gegeven met --backlog"
    if done.carried:
        return done.backlog_note
    return f"{done.backlog_note}; geef --backlog als er een is"


def print_status(figures: dict[str, Any], console: Console) -> None:
    """The readable Dutch status table (also printed after a confirmation)."""
    status = "open" if figures["status"] == "open" else "gesloten"
    table = Table(
        title=f"{figures['municipality']} {figures['period_start']} t/m {figures['period_end']} "
        f"({status})",
        title_justify="left",
        show_header=False,
    )
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    ahead = figures["persons_ahead_of_pace"]
    rows = [
        ("Taakstelling", f"{figures['quota_persons']} personen"),
        ("Achterstand (+) / voorsprong (−)", f"{figures['backlog_persons']:+d}"),
        ("Te huisvesten", f"{figures['target_persons']} personen"),
        (
            "Gehuisvest",
            f"{figures['persons_housed']} personen in {figures['households_housed']} huishoudens",
        ),
        ("Nog te huisvesten", f"{figures['persons_remaining']} personen"),
        (f"Tempo: verwacht op {figures['pace_date']}", f"{figures['pace_persons']} personen"),
        ("Voor (+) / achter (−) op tempo", f"{ahead:+d}"),
        ("Voorstellen", str(figures["proposals"])),
        ("Weigeringen die gelden", str(figures["refusals_in_force"])),
    ]
    if figures["carry_over_persons"] is not None:
        rows.append(("Naar de volgende periode", f"{figures['carry_over_persons']:+d} personen"))
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    pins = figures["open_pins"]
    if pins:
        console.print("[bold]Toezeggingen (vastgezet):[/bold]")
        for pin in pins:
            console.print(
                f"  {escape(pin['household_id'])} → {escape(pin['dwelling_id'])} "
                f"(sinds {pin['since_local']}, {escape(pin['by'])})"
            )
    areas = figures["placements_per_area"]
    if areas:
        per_area = Table(title="Plaatsingen per gebied", title_justify="left")
        for column in ("gebied", "naam", "geconc.", "huishoudens", "personen", "max"):
            per_area.add_column(column)
        for row in areas:
            per_area.add_row(
                row["area_code"],
                escape(row["area_name"] or ""),
                {True: "ja", False: "nee"}.get(row["concentrated"], "?"),
                str(row["households"]),
                str(row["persons"]),
                "" if row["cap"] is None else str(row["cap"]),
            )
        console.print(per_area)


@period.command()
@municipality_option
@click.option("--start", type=DATE, default=None, help="Een eerdere periode, op begindatum.")
@click.option("--date", type=DATE, default=None, help="Peildatum voor het tempo (vandaag).")
@click.option("--json", "as_json", is_flag=True, help="Als JSON.")
@ledger_options
def status(
    municipality: str | None,
    start: dt.datetime | None,
    date: dt.datetime | None,
    as_json: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """De stand van de periode: gehuisvest, nog te doen, tempo, toezeggingen, gebieden.

    JSON-sleutels: quota_persons, backlog_persons, target_persons, persons_housed,
    persons_remaining, households_housed, pace_persons (verwacht op --date bij
    gelijk tempo), open_pins, placements_per_area en meer.
    """
    from allocatie.ledger.periods import status as read_status

    with user_errors(debug):
        opened = connect(ledger_url, quiet=as_json)
        figures = read_status(
            opened,
            municipality=municipality,
            start=start.date() if start else None,
            today=today_or(date),
        )
        opened.dispose()
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    print_status(figures, Console(soft_wrap=False))


@period.command()
@municipality_option
@click.option("--date", type=DATE, default=None, help="Sluitdatum (standaard vandaag).")
@click.option("--early", is_flag=True, help="Sluit ook als de periode nog niet voorbij is.")
@ledger_options
def close(
    municipality: str | None,
    date: dt.datetime | None,
    early: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Sluit de periode: legt de achterstand of voorsprong vast voor de volgende."""
    from allocatie.ledger.periods import close_period
    from allocatie.ledger.store import current_user

    with user_errors(debug):
        opened = connect(ledger_url)
        done = close_period(
            opened,
            municipality=municipality,
            user=current_user(user),
            today=today_or(date),
            early=early,
        )
        opened.dispose()
    carry = done.carry_over_persons
    words = (
        f"achterstand {carry} personen"
        if carry > 0
        else f"voorsprong {-carry} personen"
        if carry < 0
        else "geen achterstand of voorsprong"
    )
    click.echo(
        f"Periode {done.period.label} gesloten: {done.persons_housed} personen gehuisvest "
        f"in {done.households_housed} huishoudens. Naar de volgende periode: {words}."
    )
    if done.open_pins:
        click.echo(
            f"{done.open_pins} toezegging(en) blijven staan voor de volgende periode "
            "(zie 'allocatie period status' zodra die open is)."
        )
