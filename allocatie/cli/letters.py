"""``allocatie letters``: one letter per household about this month's plan, Dutch and English.

The command runs the same match as ``allocatie match`` on the same inputs (the
same plan, the same seed) and writes, per household, the letter of
:mod:`allocatie.report.letters` into ``--out``. Its input options are those of
``allocatie match`` itself (the same :class:`click.Option` objects), so the two
commands cannot drift apart. Input problems end with exit code 2 and every
problem listed; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from allocatie.cli.errors import user_errors
from allocatie.cli.match import match, parts_runner, scenario_inputs
from allocatie.i18n import _, ngettext, number, use_language

__all__ = ["letters"]

#: The options of ``allocatie match`` that say what to match and how: reused as they are.
MATCH_OPTIONS = (
    "scenario",
    "households",
    "dwellings",
    "policy",
    "areas",
    "amenities",
    "pins",
    "refusals",
    "date",
    "solver",
    "workers",
    "scheduler",
)


def _match_options() -> list[click.Parameter]:
    by_name = {p.name: p for p in match.params}
    return [by_name[name] for name in MATCH_OPTIONS]


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the letters (brief-<household>.txt), letters.csv and "
    "letters-manifest.json (created if missing; may be the folder of allocatie match).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the messages on the terminal. Every letter is in Dutch and in English.",
)
@click.option("--quiet", is_flag=True, help="Print only the output paths.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def letters(
    out: Path,
    lang: str,
    quiet: bool,
    debug: bool,
    scenario: Path | None = None,
    households: Path | None = None,
    dwellings: Path | None = None,
    policy: Path | None = None,
    areas: Path | None = None,
    amenities: Path | None = None,
    pins: Path | None = None,
    refusals: Path | None = None,
    date: dt.datetime | None = None,
    solver: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Write every household's letter about this month's plan, in Dutch and English.

    Runs the same match as `allocatie match` with the same options and writes
    into OUT one printable text file per household (brief-<household_id>.txt):
    the dwelling offered (its id, neighbourhood, bedrooms, rent, from when) or
    that the household waits, why, and what it may do (accept, refuse, object).
    A letter names no other household. letters.csv lists household, file and
    dwelling for a mail merge. Letters of an earlier run in OUT are removed.

    Example (after `allocatie example --out voorbeeld`):

        allocatie letters --scenario voorbeeld/enschede-2019h2 --out brieven/
    """
    from allocatie.match import run_match
    from allocatie.report.letters import INDEX, write_letters

    with use_language(lang):
        inputs = scenario_inputs(
            scenario, households, dwellings, policy, areas, amenities, pins, refusals
        )
        with user_errors(debug), parts_runner(workers, scheduler) as map_parts:
            when = date.date() if date else None
            outcome = run_match(inputs, date=when, method=solver, map_parts=map_parts, lang=lang)
            written = write_letters(out, outcome)
        if quiet:
            for path in written:
                click.echo(str(path))
            return
        housed = int(outcome.plan["dwelling_id"].notna().sum())
        waiting = len(outcome.plan) - housed
        click.echo(
            ngettext(
                "Written {n} letter into {out}: {housed} with an offer, {waiting} waiting.",
                "Written {n} letters into {out}: {housed} with an offer, {waiting} waiting.",
                len(outcome.plan),
            ).format(
                n=number(len(outcome.plan)),
                out=out,
                housed=number(housed),
                waiting=number(waiting),
            )
        )
        click.echo(_("Index for a mail merge: {file}").format(file=out / INDEX))


letters.params[:0] = _match_options()
