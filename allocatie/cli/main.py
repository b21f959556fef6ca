"""The ``allocatie`` command: the group that holds one module per command.

Each command lives in its own module beside this one (``match``, ``scenario``,
``areas``, ``amenities``, ``bench``, ``example``), so that a reader finds the
coordinator's monthly command without scrolling past the researcher's benchmark.
This module only assembles them, answers ``--version`` and ``--help``, and turns
SIGTERM into Ctrl-C. The command modules import the engine (pandas, OR-Tools, the
area data) inside their functions, so ``allocatie --help`` stays fast.

How every command ends when something goes wrong is shared in
:mod:`allocatie.cli.errors`: input problems → exit 2 with every problem listed,
nothing written; anything unexpected → exit 1 with a short message (``--debug``
shows the traceback).
"""

from __future__ import annotations

import signal

import click

from allocatie import __version__
from allocatie.cli.amenities import amenities
from allocatie.cli.areas import areas
from allocatie.cli.bench import bench
from allocatie.cli.example import example
from allocatie.cli.ledger import ledger
from allocatie.cli.letters import letters
from allocatie.cli.match import match
from allocatie.cli.month import month
from allocatie.cli.period import period
from allocatie.cli.regions import regions
from allocatie.cli.scenario import scenario
from allocatie.cli.serve import serve
from allocatie.cli.template import template
from allocatie.cli.users import users
from allocatie.cli.why import why

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allocatie")
def cli() -> None:
    """allocatie: match statushouder households to offered dwellings, explained.

    \b
    First time:    allocatie example --out voorbeeld                (example inputs)
    Coordinators:  allocatie match --scenario FOLDER --out DIR      (monthly plan)
                   allocatie why HH DWELLING --scenario FOLDER      (why not?)
                   allocatie letters --scenario FOLDER --out DIR    (letters to households)
    Half years:    allocatie period open / month propose / confirm  (the ledger)
    Planners:      allocatie scenario run FILE.toml --out DIR       (half year, variants)
                   allocatie scenario region A.toml B.toml --out DIR (separate vs pooled)
    Researchers:   allocatie bench national --json                  (benchmarks)
    Everyone:      allocatie areas --gemeente GM0153                (neighbourhoods)
                   allocatie regions --out regio.csv                (region table to edit)

    Add --help to any command for its options. Area data: Bron: CBS (CC-BY 4.0).
    """


for _command in (match, scenario, areas, amenities, bench, example, period, month, ledger):
    cli.add_command(_command)
for _command in (serve, users):  # the web app
    cli.add_command(_command)
cli.add_command(template)  # the input workbook to fill in
cli.add_command(why)  # why this household does not get this dwelling
cli.add_command(letters)  # one letter per household about the plan
cli.add_command(regions)  # the benchmark's contiguous regions, as a region table


def _interrupt(signum: int, frame: object) -> None:
    """Raise ``KeyboardInterrupt`` so SIGTERM takes the same clean-up path as Ctrl-C."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``allocatie`` command (and of ``python -m allocatie``).

    SIGTERM (a scheduler stopping the job) is treated like Ctrl-C: the run
    stops, staged output is removed, and nothing half-written is left behind.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    cli(prog_name="allocatie")


if __name__ == "__main__":
    main()
