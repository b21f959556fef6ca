"""Writing a run's files into its output folder: all or nothing, never stale, never over an input.

A coordinator opens ``plan.xlsx`` and ``report.html`` side by side in the folder a
run wrote; if one of them came from an earlier run, the two disagree and nobody
can tell. So a run *owns* its folder's allocatie files: every file is written
into a private staging folder inside the output folder (same file system, so the
final renames are atomic even on a Docker volume or a network share), flushed to
disk, and then swapped in with SIGINT/SIGTERM held back. Owned files the run did
not write this time (``report.html`` under ``--no-maps``) are removed in the same
swap. The manifest, which names every file of the set with its SHA-256, is
removed first and renamed in last, so that after a crash in the middle of the
swap (power loss, SIGKILL) :func:`verify_outputs` tells a mixed set from a whole
one. A lock on the folder keeps two runs from writing into the same folder at once, and
an output that would replace one of the run's own inputs is refused before
anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import fcntl
import fnmatch
import getpass
import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from allocatie.inputs.errors import InputError, Problem
from allocatie.report.manifest import sha256

#: Prefix of the staging folders this program makes (and cleans up after a kill).
STAGING_PREFIX = ".allocatie-staging-"
#: File inside every staging folder, so that only folders this program made are removed.
STAGING_MARK = ".made-by-allocatie"
#: Key of the manifest that lists the files of the set with their SHA-256.
OUTPUTS_KEY = "outputs"
#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_outputs(
    out_dir: Path,
    writers: dict[str, Callable[[Path], None]],
    *,
    owned: Iterable[str] = (),
    inputs: Iterable[str | Path] = (),
    manifest: str | None = None,
) -> list[Path]:
    """Write a set of files into ``out_dir`` as one consistent set.

    Parameters
    ----------
    out_dir
        The output folder; made when missing.
    writers
        File name → function writing that file at the path it is given.
    owned
        Names this kind of run writes into its folder. Those among them that
        ``writers`` does not write this time are removed in the same swap, so
        no file of an earlier run is left beside the new ones. A name with
        ``*``, ``?`` or ``[`` is a pattern (``brief-*.txt``) for a set of files
        whose names vary from run to run, such as one letter per household;
        files of the run's ``inputs`` are never removed.
    inputs
        The run's input files: an output that would replace one is refused.
    manifest
        Name of the JSON manifest among ``writers``. It gains the key
        ``outputs`` (name → SHA-256 of every other file of the set), is
        removed first and renamed in last, so :func:`verify_outputs` can check
        the set.

    Returns
    -------
    list of Path
        The files written, in the order of ``writers``.

    Raises
    ------
    InputError
        When an output would overwrite an input, another run holds the
        folder's lock, or the folder cannot be written (read-only, full);
        nothing is changed in ``out_dir`` then.
    """
    out_dir = Path(out_dir)
    inputs = [p for p in inputs if p is not None]
    own = {_identity(Path(p)) for p in inputs}
    _refuse_overwriting_inputs(out_dir, writers, inputs)
    made = not out_dir.exists()
    _make_folder(out_dir)
    try:
        with _locked(out_dir):
            _remove_stale_staging(out_dir)
            staging = _staging_folder(out_dir)
            try:
                for name, write in writers.items():
                    write(staging / name)
                if manifest is not None and manifest in writers:
                    _list_outputs(staging, manifest, [n for n in writers if n != manifest])
                for name in writers:
                    _fsync(staging / name)
                _fsync(staging)
                stale = _owned_present(out_dir, owned) - set(writers)
                stale = {n for n in stale if _identity(out_dir / n) not in own}
                _swap(staging, out_dir, list(writers), stale, manifest)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except BaseException as error:
        if made:
            shutil.rmtree(out_dir, ignore_errors=True)
        if isinstance(error, OSError):
            raise InputError([_unwritable(out_dir, error)]) from None
        raise
    return [out_dir / name for name in writers]


def verify_outputs(out_dir: Path, manifest: str, owned: Iterable[str]) -> list[str]:
    """Problems that show ``out_dir`` does not hold one whole set of outputs.

    Empty when the manifest exists, every file it lists is there with the
    listed SHA-256, and no other owned file is present.
    """
    out_dir = Path(out_dir)
    try:
        listed = json.loads((out_dir / manifest).read_text(encoding="utf-8"))[OUTPUTS_KEY]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{manifest} is missing or unreadable: the set of outputs is incomplete"]
    problems = [
        f"{name} is missing or differs from the run that wrote {manifest}"
        for name, digest in sorted(listed.items())
        if not (out_dir / name).is_file() or sha256(out_dir / name) != digest
    ]
    problems += [
        f"{name} is not part of the run that wrote {manifest}"
        for name in sorted(_owned_present(out_dir, owned) - set(listed) - {manifest})
        if (out_dir / name).exists()
    ]
    return problems


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV that a spreadsheet cannot run as formulas.

    A text cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
    return) is prefixed with ``'``, as OWASP recommends against CSV injection:
    Excel then shows the text instead of evaluating ``=HYPERLINK(…)``. Numbers
    are written as numbers, so a negative number stays negative.
    """
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            text = values.map(lambda v: v if not isinstance(v, str) else neutralise(v))
            safe[column] = text.astype(values.dtype) if values.dtype != object else text
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    safe.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _owned_present(out_dir: Path, owned: Iterable[str]) -> set[str]:
    """The owned names, with each pattern among them replaced by the files it matches."""
    names: set[str] = set()
    present: list[str] | None = None
    for entry in owned:
        if not any(c in entry for c in "*?["):
            names.add(entry)
            continue
        if present is None:
            present = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
        names.update(n for n in present if fnmatch.fnmatchcase(n, entry))
    return names


def _refuse_overwriting_inputs(
    out_dir: Path, writers: dict[str, Callable[[Path], None]], inputs: Iterable[str | Path]
) -> None:
    own = {_identity(Path(p)): Path(p) for p in inputs if p is not None}
    problems = [
        Problem(
            str(own[_identity(out_dir / name)]),
            None,
            None,
            f"this input file would be overwritten by the output {name}; "
            "choose another --out folder (or rename the input file)",
        )
        for name in writers
        if _identity(out_dir / name) in own
    ]
    if problems:
        raise InputError(problems)


def _identity(path: Path) -> tuple[int, int] | str:
    """Same value for two paths of one file (hard links and symlinks included)."""
    try:
        stat = path.stat()
    except OSError:
        return str(path.resolve())
    return (stat.st_dev, stat.st_ino)


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(
            [Problem(str(out_dir), None, None, "this is a file, not a folder; give a folder")]
        ) from None
    except OSError as error:
        raise InputError([_unwritable(out_dir, error)]) from None


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock (``flock`` on the folder itself), or say who holds it.

    Locking the folder rather than a lock file leaves no extra file behind; the
    holder is described in the mark file of its staging folder.
    """
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            marks = sorted(out_dir.glob(f"{STAGING_PREFIX}*/{STAGING_MARK}"))
            holder = next((m.read_text().strip() for m in marks if m.is_file()), "")
            raise InputError(
                [
                    Problem(
                        str(out_dir),
                        None,
                        None,
                        f"another run is writing into this folder ({holder or 'allocatie'}); "
                        "wait until it has finished, or choose another --out folder",
                    )
                ]
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder() -> str:
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return f"process {os.getpid()} of user {_user()} on {socket.gethostname()}, since {started}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _remove_stale_staging(out_dir: Path) -> None:
    """Remove staging folders of runs that were killed (they may hold personal data).

    Runs only under the folder's lock, so no live run's staging is touched;
    only folders with this program's prefix *and* mark file are removed.
    """
    for folder in out_dir.glob(STAGING_PREFIX + "*"):
        if folder.is_dir() and (folder / STAGING_MARK).is_file():
            shutil.rmtree(folder, ignore_errors=True)


def _staging_folder(out_dir: Path) -> Path:
    """A private (mode 700) staging folder inside ``out_dir``, marked as ours."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    (staging / STAGING_MARK).write_text(_holder() + "\n", encoding="utf-8")
    return staging


def _list_outputs(staging: Path, manifest: str, names: list[str]) -> None:
    path = staging / manifest
    record = json.loads(path.read_text(encoding="utf-8"))
    record[OUTPUTS_KEY] = {name: sha256(staging / name) for name in sorted(names)}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _swap(
    staging: Path, out_dir: Path, names: list[str], stale: set[str], manifest: str | None
) -> None:
    """Move the staged files in, drop stale owned files; the manifest goes last."""
    # Ctrl-C or SIGTERM now would leave a mixed set: let them act once the swap is done.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        last = [manifest] if manifest in names else []
        for name in last:
            (out_dir / name).unlink(missing_ok=True)
        for name in [n for n in names if n not in last]:
            os.replace(staging / name, out_dir / name)
        for name in sorted(stale):
            path = out_dir / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        _fsync(out_dir)
        for name in last:
            os.replace(staging / name, out_dir / name)
        _fsync(out_dir)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk, so a power cut cannot leave it empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:  # some file systems cannot fsync a folder
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _unwritable(out_dir: Path, error: OSError) -> Problem:
    reason = error.strerror or type(error).__name__
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "this folder cannot be written to; choose another --out folder"
    elif error.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "the disk is full; free some space or choose another --out folder"
    else:
        advice = "the outputs cannot be written here; choose another --out folder"
    return Problem(str(out_dir), None, None, f"{advice} ({reason}); nothing was changed")
