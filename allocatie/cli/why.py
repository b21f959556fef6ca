"""``allocatie why HOUSEHOLD DWELLING``: why this household does not get this dwelling.

The coordinator's question at the meeting table, answered in one sentence:
the rule the pair breaks, the cap that is full, the promise that holds the
dwelling or the household, or which household got the dwelling and on which
tier that was decided (:mod:`allocatie.report.why`). It reads the same options
as ``allocatie match`` (:func:`allocatie.cli.match.input_options`) and builds
and solves exactly as that command does, so the answer is about the very plan
``match`` proposes. It writes nothing. The other household is named by its id:
the command is the coordinator's, who sees the whole plan anyway.

An id that is not in the input ends with exit code 2 and one line naming it
(and a similar id, if there is one), never a traceback; input problems end as
in ``match``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from allocatie.cli.errors import EXIT_INPUT, user_errors
from allocatie.cli.match import input_options, scenario_inputs
from allocatie.i18n import _, use_language

__all__ = ["why"]


def _unknown(kind: str, wanted: str, known: Iterable[str]) -> str | None:
    """The one-line message for an id not in the input, with a close id if there is one."""
    ids = [str(i) for i in known]
    if wanted in ids:
        return None
    close = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.8)
    if kind == "household":
        message = _("There is no household {id} in the households file.").format(id=wanted)
    else:
        message = _("There is no dwelling {id} in the dwellings file.").format(id=wanted)
    if close:
        message += " " + _("Did you mean {id}?").format(id=close[0])
    return message


@click.command()
@click.argument("household", metavar="HUISHOUDEN")
@click.argument("dwelling", metavar="WONING")
@input_options("nl")
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Taal van het antwoord (nl: Nederlands, en: English).",
)
@click.option("--debug", is_flag=True, help="Toon de traceback bij een onverwachte fout.")
def why(
    household: str,
    dwelling: str,
    scenario: Path | None,
    households: Path | None,
    dwellings: Path | None,
    policy: Path | None,
    areas: Path | None,
    amenities: Path | None,
    pins: Path | None,
    refusals: Path | None,
    date: dt.datetime | None,
    solver: str | None,
    lang: str,
    debug: bool,
) -> None:
    """Waarom krijgt HUISHOUDEN woning WONING niet? Het antwoord in één zin.

    Maakt het plan zoals `allocatie match` het maakt (dezelfde invoer en
    opties, hetzelfde plan) en zegt wat besliste: de regel die het paar breekt
    (grootte, huur, toegankelijkheid, beschikbaarheid, uitgesloten gebied,
    weigering), het plafond dat vol is, een toezegging (vastgezet), of welk
    huishouden de woning krijgt en op welk niveau dat besliste (1: gehuisveste
    personen, 2: buiten geconcentreerde gebieden, 3: kwaliteit). Schrijft
    niets. HUISHOUDEN en WONING zijn de household_id en dwelling_id uit de
    invoer.

    Voorbeeld (na `allocatie example --out voorbeeld`):

    \b
        allocatie why HH-2019-016 W-2019-10-19 --scenario voorbeeld/enschede-2019h2
    """
    from allocatie.match import build, read_inputs, solve_instance
    from allocatie.report.why import why_not

    with use_language(lang):
        inputs = scenario_inputs(
            scenario, households, dwellings, policy, areas, amenities, pins, refusals
        )
        with user_errors(debug):
            when = date.date() if date else None
            checked = read_inputs(inputs, when)
            for kind, wanted, table, column in (
                ("household", household, checked.households, "household_id"),
                ("dwelling", dwelling, checked.dwellings, "dwelling_id"),
            ):
                message = _unknown(kind, wanted, table[column])
                if message is not None:
                    click.echo(message, err=True)
                    sys.exit(EXIT_INPUT)
            instance = build(checked, when)
            result, _settings = solve_instance(instance, solver)
            answer = why_not(instance, result, household, dwelling, others=True)
        click.echo(answer.text)
