"""How every command ends when something goes wrong: a clear message, never a traceback.

Shared by all subcommands so that a coordinator and a planner meet the same
behaviour: input problems → exit 2 with every problem listed; Ctrl-C or SIGTERM →
exit 130; anything unexpected → exit 1 with a one-line message (``--debug`` shows
the traceback). In each case nothing has been written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from allocatie.i18n import _
from allocatie.inputs.errors import InputError

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130


@contextmanager
def user_errors(debug: bool = False) -> Iterator[None]:
    """Turn exceptions inside the block into the exits described above."""
    try:
        yield
    except InputError as error:
        click.echo(error.render(), err=True)
        click.echo(_("Nothing was written."), err=True)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        click.echo(_("Interrupted; nothing was written."), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - last line of defence for users
        if debug:
            raise
        click.echo(
            _("allocatie stopped on an unexpected error: {error}").format(error=repr(error)),
            err=True,
        )
        click.echo(_("Nothing was written. Re-run with --debug and report this."), err=True)
        sys.exit(1)
