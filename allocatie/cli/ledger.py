"""``allocatie ledger``: the audit trail, the council's export and AVG erasure.

Also home of what the three ledger command groups (``period``, ``month``,
``ledger``) share: the ``--ledger``/``--user``/``--municipality`` options and
opening the ledger with the line that says which one is used. Input problems
end with exit code 2 and every problem listed (:func:`allocatie.cli.errors.user_errors`);
the engine and SQLAlchemy are imported inside the commands, so ``allocatie --help``
stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from allocatie.cli.errors import user_errors

if TYPE_CHECKING:
    from allocatie.ledger.store import Ledger

__all__ = [
    "DATE",
    "connect",
    "ledger",
    "ledger_options",
    "municipality_option",
    "today_or",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Dates on the command line, as everywhere in allocatie.
DATE = click.DateTime(formats=["%Y-%m-%d"])


def ledger_options(function: F) -> F:
    """``--ledger``, ``--user`` and ``--debug``, shared by every ledger command."""
    function = click.option(
        "--debug", is_flag=True, help="Toon de traceback bij een onverwachte fout (ontwikkelaars)."
    )(function)
    function = click.option(
        "--user",
        default=None,
        help="Naam in de geschiedenis (audit trail); standaard de gebruiker van het systeem.",
    )(function)
    function = click.option(
        "--ledger",
        "ledger_url",
        default=None,
        metavar="URL",
        help="De ledger: een SQLAlchemy-URL (postgresql+psycopg://…) of een SQLite-bestand; "
        "standaard $ALLOCATIE_LEDGER, anders allocatie-ledger.sqlite in de huidige map.",
    )(function)
    return function


def municipality_option(function: F) -> F:
    """``--municipality``: which municipality's period (needed only when there are several)."""
    return click.option(
        "--municipality",
        default=None,
        metavar="GM0000",
        help="Gemeente (CBS-code); alleen nodig als de ledger meerdere gemeenten bijhoudt.",
    )(function)


def connect(ledger_url: str | None, *, create: bool = False, quiet: bool = False) -> Ledger:
    """Open the ledger of ``--ledger`` (or the default) and say which one it is.

    The line goes to stderr when ``quiet`` (e.g. with ``--json``, so stdout
    stays valid JSON).

    Raises
    ------
    InputError
        When there is no ledger there (and ``create`` is false), or it cannot be opened.
    """
    from allocatie.ledger.store import open_ledger, resolve

    location = resolve(ledger_url)
    opened = open_ledger(location, create=create)
    click.echo(location.describe(), err=quiet)
    return opened


def today_or(date: dt.datetime | None) -> dt.date:
    """``--date`` or today."""
    return date.date() if date is not None else dt.date.today()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def ledger() -> None:
    """De ledger: geschiedenis (audit trail), export voor de raad, vergeten (AVG).

    \b
    allocatie ledger history [--household ID] [--json]
    allocatie ledger export --out halfjaar.xlsx
    allocatie ledger forget HUISHOUDEN_ID
    """


@ledger.command()
@click.option("--household", default=None, metavar="ID", help="Alleen dit huishouden.")
@municipality_option
@click.option("--json", "as_json", is_flag=True, help="Als JSON (tijden in UTC).")
@ledger_options
def history(
    household: str | None,
    municipality: str | None,
    as_json: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Elke gebeurtenis met tijd, gebruiker en wat er gebeurde.

    Soorten: geopend (opened), voorgesteld (proposed), bevestigd (confirmed),
    geweigerd (refused), vastgezet (pinned), gesloten (closed), gecorrigeerd
    (corrected), vergeten (forgotten). Met --household ook wat elk voorstel dit
    huishouden bood, met de reden: wat een bezwaar nodig heeft.
    """
    from allocatie.ledger.events import KIND_NL, local_time
    from allocatie.ledger.events import history as read_history

    with user_errors(debug):
        opened = connect(ledger_url, quiet=as_json)
        with opened.transaction() as session:
            lines = read_history(session, municipality=municipality, household_id=household)
        opened.dispose()
    if as_json:
        click.echo(json.dumps([line.to_json() for line in lines], indent=2, ensure_ascii=False))
        return
    if household is not None and not lines:
        click.echo(f"Geen gebeurtenissen voor {household}.")
        return
    console = Console(soft_wrap=False, highlight=False)
    for line in lines:
        about = " ".join(
            part
            for part in (
                f"voorstel {line.proposal_id}" if line.proposal_id is not None else "",
                line.household_id or "",
                line.dwelling_id or "",
            )
            if part
        )
        kind = KIND_NL.get(line.kind, line.kind)
        console.print(
            f"[bold]{local_time(line.at)}[/bold]  {escape(line.user)}  [cyan]{kind}[/cyan]"
            + (f"  {escape(about)}" if about else "")
        )
        console.print(f"    {escape(line.message)}")


@ledger.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Het Excel-bestand (.xlsx) om te schrijven.",
)
@municipality_option
@click.option("--start", type=DATE, default=None, help="Een eerdere periode, op begindatum.")
@click.option("--date", type=DATE, default=None, help="Peildatum voor het tempo (vandaag).")
@click.option(
    "--include-household-ids",
    is_flag=True,
    help="Met huishoud-ids (voor eigen controle; de raad heeft ze niet nodig).",
)
@ledger_options
def export(
    out: Path,
    municipality: str | None,
    start: dt.datetime | None,
    date: dt.datetime | None,
    include_household_ids: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """De periode als werkmap voor de raad: voortgang, plaatsingen, gebieden, overleggen."""
    from allocatie.ledger.export import export_period

    with user_errors(debug):
        opened = connect(ledger_url)
        path = export_period(
            opened,
            out,
            municipality=municipality,
            start=start.date() if start else None,
            today=today_or(date),
            include_household_ids=include_household_ids,
        )
        opened.dispose()
    click.echo(f"Geschreven: {path}")


@ledger.command()
@click.argument("household_id")
@municipality_option
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@ledger_options
def forget(
    household_id: str,
    municipality: str | None,
    yes: bool,
    ledger_url: str | None,
    user: str | None,
    debug: bool,
) -> None:
    """Vergeet een huishouden (AVG): de persoonsgegevens gaan, de tellingen blijven.

    Het id, de koppeldatum, de verwachte gezinshereniging en de redenen worden
    uit de ledger verwijderd; bevestigde plaatsingen tellen anoniem mee voor de
    taakstelling. De geschiedenis noemt het huishouden daarna "(vergeten)".
    Dit kan niet ongedaan worden gemaakt.
    """
    from allocatie.ledger.forget import forget_household
    from allocatie.ledger.store import current_user

    if not yes:
        click.confirm(
            f"{household_id} definitief vergeten? Dit kan niet ongedaan worden gemaakt",
            abort=True,
        )
    with user_errors(debug):
        opened = connect(ledger_url)
        done = forget_household(
            opened, household_id, municipality=municipality, user=current_user(user)
        )
        opened.dispose()
    click.echo(
        f"Vergeten (AVG). Er blijven {done.placements_kept} plaatsing(en) met "
        f"{done.persons_kept} personen anoniem meetellen voor {done.municipality}."
    )
    click.echo(
        "Let op: bestanden buiten de ledger (plan.csv, plan.xlsx, exports, uw eigen lijsten) "
        "moet u zelf opschonen."
    )
