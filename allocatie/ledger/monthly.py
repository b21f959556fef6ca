"""One meeting's run with the ledger's memory: the files of this month plus what was decided.

``allocatie match`` starts from nothing; ``allocatie month propose`` starts where
the last meeting ended. This module reads and checks the month's files exactly
as :func:`allocatie.match.prepare` does (every problem of every file at once,
with the same messages), then lets the ledger shape the month before the
instance is built:

- the period (dates, taakstelling, achterstand) is the ledger's open period, and
  ``housed_so_far`` the persons confirmed in it;
- ``[spreading.placed_this_period]`` is what was confirmed per area, so
  ``max_households_per_area`` holds over the half year; ``max_per_complex`` too:
  a building that used ``u`` of its ``c`` places keeps only its first ``c - u``
  offers (pinned ones first, then by offer date and id), as the half-year
  planner does; and every person placed this period is counted in the
  indicator group of the area statistics (the projected composition), again as
  the planner does;
- households already housed and dwellings already let are taken out of the
  tables, and said so (:class:`Removed`), never silently;
- refusals in force are added to the file's refusals, pins in force to its pins.

What the ledger added is recorded in the policy (``to_dict``) and the manifest,
so a proposal shows how it came about.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.areas.geo import amenity_distances
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.policy import Period, Policy
from allocatie.ledger.state import PeriodState
from allocatie.match import Inputs, Outcome, _outside_municipality, read_inputs, solve_and_report
from allocatie.model.builder import build_instance

__all__ = [
    "LEDGER_FILE",
    "LedgerMonth",
    "MonthFiles",
    "Removed",
    "read_month",
    "run_month",
    "shape",
]

#: Name used in messages for what the ledger contributed (pins, refusals).
LEDGER_FILE = "ledger"


@dataclass(frozen=True)
class MonthFiles:
    """The month's files, read and checked, before the ledger shapes them."""

    policy: Policy
    areas: Areas
    households: pd.DataFrame
    dwellings: pd.DataFrame
    pins: pd.DataFrame | None
    refusals: pd.DataFrame | None
    amenities: pd.DataFrame | None
    policy_file: str
    sheets: dict[str, str]


def read_month(inputs: Inputs) -> MonthFiles:
    """Read and check every file as ``allocatie match`` does, without building.

    The matching date is checked later, against the ledger's period rather
    than the policy file's ``[period]`` (the ledger's period is the one that
    counts).

    Raises
    ------
    InputError
        With every problem of every file.
    """
    checked = read_inputs(inputs, check_date=False)
    return MonthFiles(
        checked.policy,
        checked.areas,
        checked.households,
        checked.dwellings,
        checked.pins,
        checked.refusals,
        checked.amenities,
        str(inputs.policy),
        checked.sheets,
    )


@dataclass(frozen=True)
class Removed:
    """Something of the month's files the ledger kept out of the proposal, and why.

    ``kind`` is ``household``, ``dwelling``, ``pin`` or ``refusal``; ``id`` the
    household or dwelling id (``household → dwelling`` for a pair).
    """

    kind: str
    id: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "reason": self.reason}


@dataclass(frozen=True)
class LedgerMonth:
    """The month as the ledger shapes it: what the instance is built from.

    Attributes
    ----------
    policy
        The file's policy with the ledger's period, ``housed_so_far`` and
        ``placed_this_period``.
    date
        The matching date (inside the ledger's period).
    households, dwellings
        The file's tables less housed households and let dwellings.
    pins, refusals
        The file's pairs still applicable plus the ledger's, as the builder
        reads them (``source_line`` < 0 marks a ledger pin).
    stats
        Area statistics with this period's placed persons projected in.
    removed
        What was kept out, with the reason.
    notes
        Other things the coordinator should know (a pin that is not on the
        table this month, a policy value the ledger replaced).
    ledger_pins
        The ledger's pins used in this proposal.
    ledger_refusals
        How many of the ledger's refusals were on the table.
    """

    policy: Policy
    date: dt.date
    households: pd.DataFrame
    dwellings: pd.DataFrame
    pins: pd.DataFrame
    refusals: pd.DataFrame
    stats: pd.DataFrame
    removed: tuple[Removed, ...]
    notes: tuple[str, ...]
    ledger_pins: tuple[tuple[str, str], ...]
    ledger_refusals: int


def _pairs(rows: list[tuple[str, str, int]], file: str, kind: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "household_id": pd.Series([r[0] for r in rows], dtype="str"),
            "dwelling_id": pd.Series([r[1] for r in rows], dtype="str"),
            "source_line": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )
    frame.attrs["file"] = file
    frame.attrs["kind"] = kind
    return frame


def _file_pairs(table: pd.DataFrame | None) -> list[tuple[str, str, int]]:
    if table is None or table.empty:
        return []
    return [
        (str(h), str(d), int(line))
        for h, d, line in zip(table["household_id"], table["dwelling_id"], table["source_line"])
    ]


def _policy(files: MonthFiles, state: PeriodState, problems: list[Problem]) -> Policy:
    """The file's policy with the ledger's period and what this period already used."""
    policy, period = files.policy, state.period
    if policy.municipality is not None and policy.municipality != period.municipality:
        problems.append(
            Problem(
                files.policy_file,
                None,
                "municipality",
                f"het beleid is voor {policy.municipality}, de open periode in de ledger voor "
                f"{period.municipality}",
            )
        )
    return dataclasses.replace(
        policy,
        municipality=period.municipality,
        period=Period(
            start=period.start,
            end=period.end,
            quota_persons=period.quota_persons,
            backlog_persons=period.backlog_persons,
            housed_so_far=state.persons_housed,
        ),
        spreading=dataclasses.replace(policy.spreading, placed_this_period=state.placed_per_area),
    )


def _policy_notes(files: MonthFiles, state: PeriodState) -> list[str]:
    """Where the policy file says something the ledger now decides."""
    given, period = files.policy.period, state.period
    notes = []
    if (given.start, given.end, given.quota_persons, given.backlog_persons) != (
        period.start,
        period.end,
        period.quota_persons,
        period.backlog_persons,
    ):
        notes.append(
            f"[period] in {files.policy_file} ({given.start}–{given.end}, taakstelling "
            f"{given.quota_persons}, achterstand {given.backlog_persons}) is niet gebruikt: de "
            f"ledger-periode telt ({period.start}–{period.end}, taakstelling "
            f"{period.quota_persons}, achterstand {period.backlog_persons})"
        )
    if given.housed_so_far or files.policy.spreading.placed_this_period:
        notes.append(
            f"housed_so_far en [spreading.placed_this_period] in {files.policy_file} zijn niet "
            "gebruikt: de ledger telt wat deze periode is bevestigd"
        )
    return notes


def _date(files: MonthFiles, state: PeriodState, date: dt.date | None) -> dt.date:
    when = date or files.policy.matching.date
    period = state.period
    if when is None:
        raise InputError(
            [Problem("--date", None, None, "geef de datum van het overleg met --date (JJJJ-MM-DD)")]
        )
    if not period.start <= when <= period.end:
        raise InputError(
            [
                Problem(
                    "--date" if date is not None else files.policy_file,
                    None,
                    None if date is not None else "matching.date",
                    f"de datum van het overleg {when} ligt buiten de open periode "
                    f"{period.start} tot {period.end}",
                )
            ]
        )
    return when


def _projected(stats: pd.DataFrame, persons: dict[str, int], indicator: str) -> pd.DataFrame:
    """Statistics with this period's placed persons counted in the indicator group.

    The same projection as the half-year planner's: both the buurt and the wijk
    of each placement gain its persons, in ``residents`` and in the indicator.
    """
    added = pd.Series(persons, dtype="int64")
    added = added[added.index.isin(stats.index)]
    if added.empty or indicator not in stats.columns:
        return stats
    out = stats.copy()
    for column in ("residents", indicator):
        out.loc[added.index, column] = out.loc[added.index, column].astype("Int64") + added.astype(
            "Int64"
        )
    return out


def _complex_room(
    dwellings: pd.DataFrame, cap: int | None, used: dict[str, int], pinned: set[str]
) -> np.ndarray:
    """Which dwellings stay on offer under the per-period building cap."""
    keep = np.ones(len(dwellings), dtype=bool)
    if cap is None or not used:
        return keep
    frame = pd.DataFrame(
        {
            "complex": dwellings["complex_id"].astype("string").to_numpy(),
            "unpinned": ~dwellings["dwelling_id"].astype(str).isin(pinned).to_numpy(),
            "date": dwellings["available_from"].to_numpy(),
            "id": dwellings["dwelling_id"].astype(str).to_numpy(),
        }
    ).sort_values(["unpinned", "date", "id"])
    room = cap - frame["complex"].map(used).astype(float).fillna(0.0)
    position = frame.groupby("complex", dropna=True).cumcount()
    allowed = frame["complex"].isna() | (position < room)
    return allowed.sort_index().to_numpy(dtype=bool)


def shape(files: MonthFiles, state: PeriodState, date: dt.date | None) -> LedgerMonth:
    """Let the ledger shape the month (see the module docstring).

    Raises
    ------
    InputError
        For a date outside the period, a policy of another municipality, or a
        pin of the files that contradicts one in the ledger.
    """
    problems: list[Problem] = []
    when = _date(files, state, date)
    policy = _policy(files, state, problems)
    dwellings_file = str(files.dwellings.attrs.get("file", "dwellings"))
    problems += _outside_municipality(files.dwellings, policy, dwellings_file)
    notes = _policy_notes(files, state)
    removed: list[Removed] = []

    housed = state.housed_ids
    let = state.let_dwellings
    hh_ids = files.households["household_id"].astype(str)
    placed_here = {p.household_id: p for p in state.placements}
    for hid in hh_ids[hh_ids.isin(housed)]:
        where = placed_here.get(hid)
        why = (
            f"al gehuisvest: woning {where.dwelling_id}, bevestigd voor het overleg van "
            f"{where.matching_date} (voorstel {where.proposal_id})"
            if where is not None
            else "al gehuisvest in een eerdere periode"
        )
        removed.append(Removed("household", hid, why))
    households = files.households[~hh_ids.isin(housed).to_numpy()].reset_index(drop=True)

    d_ids = files.dwellings["dwelling_id"].astype(str)
    for did in d_ids[d_ids.isin(set(let))]:
        fact = let[did]
        removed.append(
            Removed(
                "dwelling",
                did,
                f"al verhuurd: toegewezen aan {fact.household_id}, bevestigd voor het overleg "
                f"van {fact.matching_date} (voorstel {fact.proposal_id})",
            )
        )
    dwellings = files.dwellings[~d_ids.isin(set(let)).to_numpy()].reset_index(drop=True)

    file_pins = _file_pairs(files.pins)
    ledger_pins = [(p.household_id, p.dwelling_id) for p in state.pins]
    pinned_dwellings = {d for _, d, _ in file_pins} | {d for _, d in ledger_pins}
    cap = policy.spreading.max_per_complex
    used = state.placed_per_complex
    room = _complex_room(dwellings, cap, used, pinned_dwellings)
    for did, cx in zip(
        dwellings["dwelling_id"][~room].astype(str), dwellings["complex_id"][~room].astype(str)
    ):
        removed.append(
            Removed(
                "dwelling",
                did,
                f"complex {cx} heeft deze periode al {used.get(cx, 0)} van de {cap} plaatsingen "
                "(max_per_complex)",
            )
        )
    dwellings = dwellings[room].reset_index(drop=True)

    present_h = set(households["household_id"].astype(str))
    present_d = set(dwellings["dwelling_id"].astype(str))
    pins: list[tuple[str, str, int]] = []
    for hid, did, line in file_pins:
        if hid in present_h and did in present_d:
            pins.append((hid, did, line))
        else:
            gone = (
                "het huishouden is al gehuisvest"
                if hid not in present_h
                else "de woning is al verhuurd of haar complex is vol"
            )
            removed.append(Removed("pin", f"{hid} → {did}", f"uit het pins-bestand: {gone}"))
    pinned_h = {h: d for h, d, _ in pins}
    pinned_d = {d: h for h, d, _ in pins}
    used_ledger_pins = []
    for k, (hid, did) in enumerate(ledger_pins):
        if pinned_h.get(hid, did) != did or pinned_d.get(did, hid) != hid:
            problems.append(
                Problem(
                    str(files.pins.attrs.get("file", "pins")) if files.pins is not None else "pins",
                    None,
                    None,
                    f"het pins-bestand spreekt de ledger tegen: in de ledger is {hid} toegezegd "
                    f"op {did}; haal de regel weg of trek de toezegging in met "
                    f"'allocatie month undo {hid} --pin'",
                )
            )
            continue
        if (hid, did) in {(h, d) for h, d, _ in pins}:
            used_ledger_pins.append((hid, did))
            continue
        if hid not in present_h or did not in present_d:
            what = "het huishouden staat niet in het huishoudensbestand"
            if hid in present_h:
                what = "de woning staat niet in het aanbod"
            notes.append(
                f"toezegging {hid} → {did} (vastgezet) kan dit overleg niet: {what}; "
                "de toezegging blijft staan"
            )
            continue
        pins.append((hid, did, -(k + 1)))
        used_ledger_pins.append((hid, did))

    refused = {(h, d): line for h, d, line in _file_pairs(files.refusals)}
    from_ledger = 0
    for hid, did in state.refusals:
        if hid in present_h and did in present_d and (hid, did) not in refused:
            refused[(hid, did)] = -1
            from_ledger += 1
    refusals = [
        (h, d, line)
        for (h, d), line in sorted(refused.items())
        if h in present_h and d in present_d
    ]
    if problems:
        raise InputError(problems)
    pins_file = str(files.pins.attrs.get("file", "pins")) if files.pins is not None else "pins"
    refusals_file = (
        str(files.refusals.attrs.get("file", "refusals"))
        if files.refusals is not None
        else LEDGER_FILE
    )
    households.attrs.update(files.households.attrs)
    dwellings.attrs.update(files.dwellings.attrs)
    return LedgerMonth(
        policy=policy,
        date=when,
        households=households,
        dwellings=dwellings,
        pins=_pairs(pins, pins_file, "pins"),
        refusals=_pairs(refusals, refusals_file, "refusals"),
        stats=_projected(files.areas.stats, state.persons_per_code, policy.spreading.indicator),
        removed=tuple(removed),
        notes=tuple(notes),
        ledger_pins=tuple(used_ledger_pins),
        ledger_refusals=from_ledger,
    )


def _ledger_problems(error: InputError, month: LedgerMonth) -> InputError:
    """Problems the builder found in the ledger's own pins, said as such."""
    pins = month.pins
    ledger_rows = {
        int(line): (str(h), str(d))
        for h, d, line in zip(pins["household_id"], pins["dwelling_id"], pins["source_line"])
        if int(line) < 0
    }
    out = []
    for problem in error.problems:
        if problem.line is not None and problem.line < 0 and problem.line in ledger_rows:
            hid, did = ledger_rows[problem.line]
            out.append(
                Problem(
                    LEDGER_FILE,
                    None,
                    None,
                    f"toezegging {hid} → {did} (vastgezet): {problem.message}; trek hem in met "
                    f"'allocatie month undo {hid} --pin' als hij niet meer kan",
                )
            )
        else:
            out.append(problem)
    return InputError(out)


def run_month(
    inputs: Inputs,
    files: MonthFiles,
    month: LedgerMonth,
    *,
    method: str | None = None,
    map_parts: Callable[..., Any] | None = None,
    lang: str | None = None,
) -> Outcome:
    """Build, solve and explain the shaped month, step by step as ``run_match`` does.

    Raises
    ------
    InputError
        For problems that show only when the tables are combined (a pin that
        breaks a rule now), the ledger's pins named as such.
    """
    households, dwellings = month.households, month.dwellings
    distances = None
    if files.amenities is not None and len(files.amenities) and len(dwellings):
        distances = amenity_distances(
            dwellings["x"].to_numpy(dtype=float),
            dwellings["y"].to_numpy(dtype=float),
            files.amenities,
        )
    try:
        instance = build_instance(
            households,
            dwellings,
            month.policy,
            month.stats,
            pins=month.pins,
            refusals=month.refusals,
            distances=distances,
            date=month.date,
        )
    except InputError as error:
        raise _ledger_problems(error, month) from None
    areas = dataclasses.replace(files.areas, stats=month.stats)
    return solve_and_report(inputs, instance, areas, method, map_parts, lang, sheets=files.sheets)
