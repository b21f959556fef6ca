"""Reading the meeting's decisions from a filled-in plan (``plan.xlsx`` or ``plan.csv``).

``month propose`` writes an empty ``besluit`` column and a ``proposal_id`` column
into the plan; the coordinator fills in the first in Excel. This module reads it
back, checking the file on its own (unknown decisions, a household twice, a
decision without a dwelling, which proposal), every problem at once. Whether the
decisions fit the ledger is :mod:`allocatie.ledger.confirm`'s question.

Kept apart from the engine: reading a plan imports neither the solvers nor the
area data, so ``month confirm`` starts quickly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.table import SOURCE_LINE, nfc
from allocatie.report.columns import PLAN_COLUMN_OF_HEADER

__all__ = [
    "ACCEPTED",
    "DECISIONS",
    "DECISION_COLUMN",
    "PINNED",
    "PROPOSAL_COLUMN",
    "REFUSED",
    "Decision",
    "DecisionFile",
    "plan_column_names",
    "read_decisions",
]

#: The plan column the meeting fills in.
DECISION_COLUMN = "besluit"
#: The plan column naming the proposal, so a plan file confirms itself wherever it travels.
PROPOSAL_COLUMN = "proposal_id"
ACCEPTED, REFUSED, PINNED = "accepted", "refused", "pinned"
#: What may be written in the decision column (case and surrounding spaces ignored).
DECISIONS = {
    "akkoord": ACCEPTED,
    "accepted": ACCEPTED,
    "geweigerd": REFUSED,
    "refused": REFUSED,
    "vastgezet": PINNED,
    "pinned": PINNED,
}
#: Names of the decision column, Dutch first.
DECISION_COLUMNS = (DECISION_COLUMN,)


@dataclass(frozen=True)
class Decision:
    """One row of the decision file: a household, a dwelling and what was decided."""

    household_id: str
    dwelling_id: str | None
    decision: str | None
    line: int


@dataclass(frozen=True)
class DecisionFile:
    """A filled-in plan: which proposal, and the decision per household."""

    file: str
    proposal_id: int
    decisions: tuple[Decision, ...]


def _proposal_from_folder(path: Path) -> int | None:
    """The proposal id from ``manifest.json`` or ``kpis.json`` beside the plan, if any."""
    for name, keys in (
        ("manifest.json", ("ledger", "proposal_id")),
        ("kpis.json", ("proposal_id",)),
    ):
        candidate = path.parent / name
        if not candidate.is_file():
            continue
        try:
            value: Any = json.loads(candidate.read_text(encoding="utf-8"))
            for key in keys:
                value = value[key]
            return int(value)
        except (ValueError, KeyError, TypeError):
            continue
    return None


def plan_column_names() -> dict[str, str]:
    """Header of a plan column as read (lower-cased) → the column name of ``plan.csv``.

    ``plan.xlsx`` shows its headers in the coordinator's language
    (``huishouden_id`` for ``household_id``, ``voorstel_id`` for
    ``proposal_id``). The plan is the report layer's output, so its table of
    headers (:data:`allocatie.report.columns.PLAN_COLUMN_OF_HEADER`: Dutch,
    English and the column names themselves) turns them back, whichever
    language the file was written in. The input files' alias table
    (:mod:`allocatie.inputs.columns`) is not the one: it names the input
    contract's columns, knows neither ``besluit`` nor ``proposal_id``, and takes
    close spellings for a column, which is a guess a decision must not rest on.
    """
    names = {"decision": DECISION_COLUMN}
    names.update({k.strip().lower(): v for k, v in PLAN_COLUMN_OF_HEADER.items()})
    return names


def _as_id(text: str) -> int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() and number > 0 else None


def read_decisions(path: str | Path) -> DecisionFile:
    """Read the decision column of a filled-in ``plan.xlsx`` or ``plan.csv``.

    The proposal is named by the plan's ``proposal_id`` column (or, failing
    that, by ``manifest.json`` beside the file).

    Raises
    ------
    InputError
        With every problem of the file: no decision column, an unknown
        decision, a decision without a dwelling, a household twice, no proposal id.
    """
    name = str(path)
    # The plan is the workbook's first sheet, under headers in the run's language.
    raw = read_table(path, display_name=name)
    names = plan_column_names()
    problems: list[Problem] = []
    targets: dict[str, list[str]] = {}
    for column in raw.frame.columns:
        targets.setdefault(names.get(str(column), str(column)), []).append(str(column))
    for target, given in targets.items():
        if len(given) > 1:
            problems.append(
                Problem(
                    name,
                    raw.header_line,
                    None,
                    f"de kolommen {' en '.join(given)} betekenen allebei {target}; houd er één",
                )
            )
    if problems:
        raise InputError(problems)
    frame = raw.frame.rename(columns=names)
    columns = [c for c in DECISION_COLUMNS if c in frame.columns]
    for column in ("household_id", "dwelling_id"):
        if column not in frame.columns:
            problems.append(Problem(name, raw.header_line, column, "deze kolom ontbreekt"))
    if not columns:
        problems.append(
            Problem(
                name,
                raw.header_line,
                DECISION_COLUMN,
                "geen kolom besluit (of decision); maak het voorstel met 'allocatie month "
                "propose' en vul die kolom in",
            )
        )
    proposal_id = None
    if PROPOSAL_COLUMN in frame.columns:
        ids = {v for v in frame[PROPOSAL_COLUMN].dropna().astype(str)}
        parsed = {_as_id(v) for v in ids}
        if len(parsed) > 1:
            problems.append(
                Problem(
                    name,
                    None,
                    PROPOSAL_COLUMN,
                    f"de regels noemen verschillende voorstellen ({', '.join(sorted(ids))}); "
                    "bevestig één voorstel per keer",
                )
            )
        elif parsed == {None}:
            problems.append(Problem(name, None, PROPOSAL_COLUMN, "geen geldig voorstelnummer"))
        elif parsed:
            proposal_id = parsed.pop()
    if proposal_id is None and not any(p.column == PROPOSAL_COLUMN for p in problems):
        proposal_id = _proposal_from_folder(Path(path))
        if proposal_id is None:
            problems.append(
                Problem(
                    name,
                    None,
                    PROPOSAL_COLUMN,
                    "niet te zien bij welk voorstel dit bestand hoort (geen kolom proposal_id "
                    "en geen manifest.json ernaast)",
                )
            )
    decisions: list[Decision] = []
    if problems:
        raise InputError(problems)
    seen: dict[str, int] = {}
    for index in range(len(frame)):
        row = frame.iloc[index]
        line = int(row[SOURCE_LINE])
        hid = row["household_id"]
        did = row["dwelling_id"]
        value = next((row[c] for c in columns if pd.notna(row[c])), None)
        if pd.isna(hid):
            if value is not None:
                problems.append(Problem(name, line, "household_id", "besluit zonder huishouden"))
            continue
        hid = nfc(str(hid))
        if hid in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    "household_id",
                    f"dit huishouden staat ook op regel {seen[hid]}; één regel per huishouden",
                )
            )
            continue
        seen[hid] = line
        decision = None
        if value is not None:
            decision = DECISIONS.get(str(value).strip().lower())
            if decision is None:
                problems.append(
                    Problem(
                        name,
                        line,
                        columns[0],
                        f"onbekend besluit '{value}'; gebruik akkoord, geweigerd of vastgezet "
                        "(accepted, refused, pinned) of laat de cel leeg",
                    )
                )
                continue
        dwelling = None if pd.isna(did) else nfc(str(did))
        if decision is not None and dwelling is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "dwelling_id",
                    "dit huishouden heeft geen woning in het voorstel; een besluit kan alleen "
                    "over een woning gaan (vul dwelling_id in of laat het besluit leeg)",
                )
            )
            continue
        decisions.append(Decision(hid, dwelling, decision, line))
    if problems:
        raise InputError(problems)
    assert proposal_id is not None
    return DecisionFile(name, proposal_id, tuple(decisions))
