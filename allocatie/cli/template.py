"""``allocatie template``: an input workbook to fill in, with Dutch headers and Excel's help.

For the coordinator's first hour: instead of reading the data contract, open the
workbook, type over the two example rows and run ``allocatie match`` with the
same file as ``--households`` and ``--dwellings`` (see
:mod:`allocatie.inputs.template`). Like ``allocatie example`` it never
overwrites a file, since an existing workbook may hold real data; a refusal ends
with exit code 2 and nothing written. It speaks the language of ``--lang``,
Dutch by default (headers included).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from allocatie.cli.errors import user_errors
from allocatie.i18n import _, use_language
from allocatie.inputs.errors import InputError, Problem

__all__ = ["template"]


def _write(out: Path) -> Path:
    """Write the template to ``out`` via a temporary file beside it; refuse to overwrite.

    Written whole or not at all: an interrupted run leaves no half workbook that
    the next attempt would refuse to replace.
    """
    from allocatie.inputs.template import write_template

    if out.exists():
        raise InputError(
            [
                Problem(
                    str(out),
                    None,
                    None,
                    _(
                        "already exists and is not overwritten; choose another --out name "
                        "or move it away first"
                    ),  # fmt: skip
                )
            ]
        )
    if out.suffix.lower() != ".xlsx":
        raise InputError([Problem(str(out), None, None, _("give a file name ending in .xlsx"))])
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=".allocatie-", suffix=".xlsx", dir=out.parent)
    os.close(handle)
    try:
        write_template(staged)
        if out.exists():  # appeared while writing: still never overwritten
            raise InputError([Problem(str(out), None, None, _("already exists"))])
        os.replace(staged, out)
    finally:
        Path(staged).unlink(missing_ok=True)
    return out


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write, e.g. invoer.xlsx. An existing file is never overwritten.",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the headers and explanations (nl: Nederlands, en: English).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def template(out: Path, lang: str, debug: bool) -> None:
    """Write an input workbook to fill in: households and dwellings sheets, explained.

    The sheets have Dutch headers (with --lang nl), drop-downs for ja/nee and the
    interests, date cells, two example rows and an explanation sheet. The same
    file serves as --households and --dwellings:

        allocatie template --out invoer.xlsx

        allocatie match --households invoer.xlsx --dwellings invoer.xlsx
        --policy beleid.toml --out plan
    """
    with use_language(lang), user_errors(debug):
        written = _write(out)
        click.echo(_("Written: {file}").format(file=written))
        click.echo(
            _(
                "Next: fill in the sheets, then run: allocatie match --households {file} "
                "--dwellings {file} --policy beleid.toml --out plan"
            ).format(file=written)  # fmt: skip
        )
