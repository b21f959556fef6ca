"""Input problems and the error that carries all of them at once.

Coordinators fix spreadsheets by hand, so one run must list *every* problem with
file, line and column; a first-error-only message would make them run the tool
again and again. Readers therefore collect :class:`Problem` objects and raise a
single :class:`InputError` at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from allocatie.i18n import _, ngettext


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file.

    Parameters
    ----------
    file
        The file name as the user gave it (never a resolved absolute path, so
        messages match what the user typed).
    line
        1-based line (CSV) or row (XLSX) as the user sees it in a text editor or
        Excel, the header being line 1; ``None`` when the problem concerns the
        whole file.
    column
        Column name (or TOML key) concerned; ``None`` for whole-row or whole-file
        problems.
    message
        Plain-language statement of what is wrong and, where possible, what a
        valid value looks like. Never contains household data other than ids.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """``file, line 3, column 'persons': message``, in the current language."""
        where = self.file
        if self.line is not None:
            where += _(", line {line}").format(line=self.line)
        if self.column is not None:
            where += _(", column '{column}'").format(column=self.column)
        return f"{where}: {self.message}"


class InputError(Exception):
    """Raised once, after reading, when any input has problems.

    The CLI catches it, prints every problem and exits with code 2 before
    anything is solved or written.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(
            set(problems),
            key=lambda p: (p.file, p.line or 0, p.column or "", p.message),
        )
        super().__init__(self.render())

    def render(self) -> str:
        """Every problem, one a line, under a count, in the current language."""
        n = len(self.problems)
        head = ngettext(
            "{n} problem found in the input:", "{n} problems found in the input:", n
        ).format(n=n)
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
