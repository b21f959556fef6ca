"""``allocatie example``: copy the bundled example inputs out of the installed package.

After ``pip install`` there is no repository folder to point ``--scenario`` at: the
examples live inside the package (``allocatie/examples``). This command copies them
into a folder of the user's choosing, where they can be run as they are or edited
into a municipality's own inputs. It never overwrites a file: an existing copy may
already hold someone's real data. Like every command, a refusal ends with exit code
2, every problem listed and nothing written (:func:`allocatie.cli.errors.user_errors`).

Only the standard library (and the message catalogue, :mod:`allocatie.i18n`) is
used, so the command is instant and works from a zipped install too
(:mod:`importlib.resources`). It speaks the language of ``--lang``, Dutch by default.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import click

from allocatie.cli.errors import user_errors
from allocatie.i18n import _, ngettext, use_language
from allocatie.inputs.errors import InputError, Problem

__all__ = ["copy_examples", "example", "example_names"]

#: Files shipped with the examples that are for maintainers, not users.
#: ``generate.py`` rebuilds the Enschede example from the CBS source files and
#: rewrites the files in its own folder: in a copy used as a template it would
#: overwrite the user's data (the examples README says to delete it).
_SKIPPED = frozenset({"generate.py", "__pycache__"})


def _examples() -> Traversable:
    """The examples folder inside the installed package."""
    return resources.files("allocatie") / "examples"


def _wanted(entry: Traversable) -> bool:
    return entry.name not in _SKIPPED and not entry.name.endswith(".pyc")


def example_names() -> list[str]:
    """Names accepted by ``--name``: each example folder and each ``.toml`` without suffix.

    Read from the package rather than listed here, so that an example added to
    ``allocatie/examples`` is offered without touching this module.
    """
    names = [
        entry.name if entry.is_dir() else entry.name.removesuffix(".toml")
        for entry in _examples().iterdir()
        if _wanted(entry) and (entry.is_dir() or entry.name.endswith(".toml"))
    ]
    return sorted(names)


def _walk(
    entry: Traversable, relative: PurePosixPath
) -> Iterator[tuple[PurePosixPath, Traversable]]:
    """Every file under ``entry`` (itself, if a file) with its path relative to the examples."""
    if not _wanted(entry):
        return
    if entry.is_dir():
        for child in sorted(entry.iterdir(), key=lambda c: c.name):
            yield from _walk(child, relative / child.name)
    else:
        yield relative, entry


def _selection(name: str | None) -> list[tuple[PurePosixPath, Traversable]]:
    """The files to copy: all examples and their README, or the one example ``name``."""
    root = _examples()
    if name is None:
        entries = sorted(root.iterdir(), key=lambda c: c.name)
    else:
        entries = [e for e in root.iterdir() if e.name in (name, f"{name}.toml") and _wanted(e)]
    files = [item for entry in entries for item in _walk(entry, PurePosixPath(entry.name))]
    if not files:  # a broken install, or a name example_names() does not offer
        raise InputError(
            [Problem(str(name or "examples"), None, None, _("no such bundled example"))]
        )
    return files


def copy_examples(out: Path, name: str | None = None) -> list[Path]:
    """Copy the bundled examples (or the one named) into ``out``; refuse to overwrite.

    Every target is checked before anything is copied, and the files are staged
    in a temporary folder beside ``out`` and moved in only when all were copied,
    so a refusal or a failure (a full disk) leaves nothing behind — not even a
    partial copy that would make the next attempt refuse.

    Parameters
    ----------
    out
        Folder to copy into; created if missing. It may exist and hold other files.
    name
        One of :func:`example_names`, or ``None`` for all examples plus their README.

    Returns
    -------
    list of Path
        The files written, as ``out / relative path``, in a stable order.

    Raises
    ------
    InputError
        Listing every target that already exists (or a folder that is a file),
        or when ``name`` is not a bundled example.
    """
    files = _selection(name)
    targets = [(out.joinpath(*relative.parts), source) for relative, source in files]
    problems = []
    for target, _source in targets:
        blocked = [p for p in (target, *target.parents) if p.exists() and not p.is_dir()]
        if target.exists() or blocked:
            what = target if target.exists() else blocked[-1]
            problems.append(
                Problem(
                    str(what),
                    None,
                    None,
                    _(
                        "already exists and is not overwritten; choose another --out folder "
                        "or move it away first"
                    ),
                )
            )
    if problems:
        raise InputError(problems)

    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".allocatie-", dir=parent))
    try:
        for (relative, source), _target in zip(files, targets):
            staged = staging.joinpath(*relative.parts)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(source.read_bytes())
        for (relative, _source), (target, _copied) in zip(files, targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging.joinpath(*relative.parts), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target for target, _source in targets]


def _next_steps(out: Path, written: list[Path]) -> list[str]:
    """The commands to run on what was just copied, with paths quoted for the shell."""
    steps = []
    folders = sorted({p.relative_to(out).parts[0] for p in written if p.parent != out})
    for folder in folders:
        steps.append(
            f"allocatie match --scenario {shlex.quote(str(out / folder))} "
            f"--out {shlex.quote(f'out/{folder}')}"
        )
    tomls = [p for p in written if p.parent == out and p.suffix == ".toml"]
    if tomls:
        # The half year of the monthly example just suggested, when it was copied too.
        same_place = [p for p in tomls if folders and p.stem.startswith(folders[0])]
        first = (same_place or tomls)[0]
        steps.append(
            f"allocatie scenario run {shlex.quote(str(first))} "
            f"--out {shlex.quote(f'out/{first.stem}')}"
        )
    return steps


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to copy the examples into (created if missing). Existing files are "
    "never overwritten.",
)
@click.option(
    "--name",
    type=click.Choice(example_names()),
    default=None,
    help="Copy only this example (default: all of them and their README).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the messages (nl: Nederlands, en: English).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def example(out: Path, name: str | None, lang: str, debug: bool) -> None:
    """Copy the example inputs into OUT: to try allocatie, or as a template.

    The examples are synthetic households and dwellings on real CBS
    neighbourhoods (Bron: CBS, CC-BY 4.0): a folder for one monthly matching
    meeting in Enschede (households.csv, dwellings.csv, policy.toml, ...) and
    half-year scenario files (*.toml) for Enschede, Hengelo and Almelo. To
    prepare your own meeting, copy the folder, replace households.csv and
    dwellings.csv with your exports and edit policy.toml (see its README).

    Examples:

        allocatie example --out voorbeeld

        allocatie match --scenario voorbeeld/enschede-2019h2 --out out/enschede-2019h2
    """
    with use_language(lang):
        with user_errors(debug):
            written = copy_examples(out, name)
        copied = ngettext(
            "Copied {n} example file into {out}:",
            "Copied {n} example files into {out}:",
            len(written),
        )
        click.echo(copied.format(n=len(written), out=out))
        for path in written:
            click.echo(f"  {path}")
        click.echo(_("Next steps:"))
        for step in _next_steps(out, written):
            click.echo(f"  {step}")
