"""``month confirm``: the meeting's decisions on a proposal, recorded all at once or not at all.

The coordinator fills the ``besluit`` (or ``decision``) column of ``plan.xlsx``
or ``plan.csv`` per household (read by :mod:`allocatie.ledger.decisions`):

========================  ===================================================
``akkoord`` / ``accepted``  the placement is confirmed (counts toward the taakstelling)
``geweigerd`` / ``refused`` the household refused this dwelling: never proposed again
``vastgezet`` / ``pinned``  a promise: every next proposal keeps this pair
empty                       no decision yet
========================  ===================================================

The meeting may decide on another dwelling than the one proposed by changing
``dwelling_id``, as long as that dwelling was an eligible one for the household
in the proposal (the proposal stores every eligible pair).

Everything is checked before anything is written, and every problem is listed
at once: an unknown decision, a household not in the proposal, a dwelling
accepted (or promised) twice, a household already housed or a dwelling already
let, an area or building over its cap given what is already confirmed, a
proposal that is not the latest of its period (optimistic locking: the period's
version must still be the one the proposal set). Then the whole confirmation is
one transaction, holding the period's lock, so two coordinators confirming at
once cannot both win, and a crash leaves the ledger as it was.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.decisions import (
    ACCEPTED,
    PINNED,
    PROPOSAL_COLUMN,
    REFUSED,
    Decision,
    DecisionFile,
)
from allocatie.ledger.events import KIND_NL, local_time, now, persons_word, record
from allocatie.ledger.schema import (
    Event,
    HouseholdRecord,
    PeriodRecord,
    Pin,
    Placement,
    ProposalDwelling,
    ProposalOption,
    ProposalRecord,
    ProposedRow,
    Refusal,
)
from allocatie.ledger.state import PeriodInfo, PeriodState, load_state
from allocatie.ledger.store import Ledger, lock_period

# ACCEPTED … DecisionFile are re-exported: callers of ``confirm`` build decisions with them.
__all__ = [
    "ACCEPTED",
    "PAUSE_ENV",
    "PAUSE_MARK",
    "PINNED",
    "REFUSED",
    "Confirmed",
    "Decision",
    "DecisionFile",
    "confirm",
]

#: Test hook: seconds to wait inside the confirming transaction, after every row is
#: written and before the commit (the crash and concurrency tests kill or race it there).
PAUSE_ENV = "ALLOCATIE_LEDGER_TEST_PAUSE"
#: Printed on stderr when the pause starts, so a test knows the transaction is open.
PAUSE_MARK = "allocatie-ledger: paused inside the confirmation"


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation recorded."""

    proposal_id: int
    period: PeriodInfo
    accepted: int
    persons_accepted: int
    refused: int
    pinned: int
    undecided: int
    state: PeriodState


def _stale(session: Session, period: PeriodRecord, proposal: ProposalRecord) -> str:
    """Why ``proposal`` may no longer be confirmed."""
    if period.status != "open":
        return f"de periode {period.label} is gesloten; er kan niets meer worden bevestigd"
    latest = session.scalars(
        select(ProposalRecord)
        .where(ProposalRecord.period_id == period.id)
        .order_by(ProposalRecord.id.desc())
        .limit(1)
    ).one()
    if latest.id != proposal.id:
        return (
            f"voorstel {proposal.id} is niet het laatste van de periode: voorstel {latest.id} "
            f"is gemaakt op {local_time(latest.created_at)} door {latest.created_by}; "
            "bevestig dat voorstel, of maak een nieuw met 'allocatie month propose'"
        )
    last = session.scalars(
        select(Event)
        .where(Event.period_id == period.id, Event.kind != "proposed")
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    what = (
        f" (laatste wijziging: {KIND_NL.get(last.kind, last.kind)} op {local_time(last.at)} "
        f"door {last.user})"
        if last is not None
        else ""
    )
    return (
        f"na voorstel {proposal.id} is de ledger gewijzigd{what}; er is niets vastgelegd. "
        "Maak een nieuw voorstel met 'allocatie month propose' en bevestig dat"
    )


@dataclass(frozen=True)
class _Proposal:
    """The stored proposal, as the checks need it."""

    record: ProposalRecord
    rows: dict[str, ProposedRow]
    households: dict[str, HouseholdRecord]
    options: set[tuple[str, str]]
    dwellings: dict[str, ProposalDwelling]
    caps: dict[str, int | None]


def _load(session: Session, proposal: ProposalRecord) -> _Proposal:
    rows: dict[str, ProposedRow] = {}
    households: dict[str, HouseholdRecord] = {}
    for row, household in session.execute(
        select(ProposedRow, HouseholdRecord)
        .join(HouseholdRecord, ProposedRow.household_ref == HouseholdRecord.id)
        .where(ProposedRow.proposal_id == proposal.id)
    ):
        if household.household_id is not None:  # a forgotten household cannot be decided on
            rows[household.household_id] = row
            households[household.household_id] = household
    options = {
        (str(hid), str(did))
        for hid, did in session.execute(
            select(HouseholdRecord.household_id, ProposalOption.dwelling_id)
            .join(HouseholdRecord, ProposalOption.household_ref == HouseholdRecord.id)
            .where(ProposalOption.proposal_id == proposal.id)
        )
    }
    dwellings = {
        d.dwelling_id: d
        for d in session.scalars(
            select(ProposalDwelling).where(ProposalDwelling.proposal_id == proposal.id)
        )
    }
    spreading = json.loads(proposal.policy).get("spreading", {})
    caps = {
        "area": spreading.get("max_households_per_area"),
        "complex": spreading.get("max_per_complex"),
    }
    return _Proposal(proposal, rows, households, options, dwellings, caps)


def _check(
    decisions: DecisionFile, proposal: _Proposal, state: PeriodState, file: str
) -> list[Problem]:
    """Every reason the decisions cannot be recorded, given what is already confirmed."""
    problems: list[Problem] = []
    housed = state.housed_ids
    let = state.let_dwellings
    pins_by_dwelling = {p.dwelling_id: p.household_id for p in state.pins}
    claimed: dict[str, list[Decision]] = defaultdict(list)
    number = proposal.record.id
    for d in decisions.decisions:
        if d.household_id not in proposal.rows:
            if d.decision is not None:
                problems.append(
                    Problem(
                        file,
                        d.line,
                        "household_id",
                        f"{d.household_id} staat niet in voorstel {number}; alleen huishoudens "
                        "van het voorstel kunnen een besluit krijgen",
                    )
                )
            continue
        if d.decision is None or d.dwelling_id is None:
            continue
        proposed = proposal.rows[d.household_id].dwelling_id
        if d.dwelling_id != proposed and (d.household_id, d.dwelling_id) not in proposal.options:
            problems.append(
                Problem(
                    file,
                    d.line,
                    "dwelling_id",
                    f"woning {d.dwelling_id} was in voorstel {number} geen geschikte woning voor "
                    f"{d.household_id} (de regels); kies de voorgestelde woning "
                    f"{proposed or '(geen)'} of een andere geschikte woning",
                )
            )
            continue
        if d.decision == REFUSED:
            continue
        if d.household_id in housed:
            problems.append(
                Problem(file, d.line, "household_id", f"{d.household_id} is al gehuisvest")
            )
        if d.dwelling_id in let:
            problems.append(
                Problem(
                    file,
                    d.line,
                    "dwelling_id",
                    f"woning {d.dwelling_id} is al verhuurd (bevestigd voor "
                    f"{let[d.dwelling_id].household_id})",
                )
            )
        holder = pins_by_dwelling.get(d.dwelling_id)
        if holder is not None and holder != d.household_id:
            problems.append(
                Problem(
                    file,
                    d.line,
                    "dwelling_id",
                    f"woning {d.dwelling_id} is toegezegd aan {holder} (vastgezet); trek die "
                    f"toezegging eerst in met 'allocatie month undo {holder} --pin'",
                )
            )
        claimed[d.dwelling_id].append(d)
    for dwelling, claims in claimed.items():
        if len(claims) > 1:
            lines = ", ".join(str(c.line) for c in claims)
            for c in claims:
                problems.append(
                    Problem(
                        file,
                        c.line,
                        "dwelling_id",
                        f"woning {dwelling} krijgt op de regels {lines} akkoord of vastgezet "
                        "voor meer dan één huishouden",
                    )
                )
    problems += _caps(decisions, proposal, state, file)
    return problems


def _caps(
    decisions: DecisionFile, proposal: _Proposal, state: PeriodState, file: str
) -> list[Problem]:
    """Area and building caps over the period, and each area's persons headroom."""
    accepted = [
        d
        for d in decisions.decisions
        if d.decision == ACCEPTED
        and d.household_id in proposal.rows
        and d.dwelling_id in proposal.dwellings
    ]
    problems = []
    for kind, earlier, word, setting in (
        ("area", state.placed_per_area, "buurt/wijk", "max_households_per_area"),
        ("complex", state.placed_per_complex, "complex", "max_per_complex"),
    ):
        cap = proposal.caps[kind]
        if cap is None:
            continue
        groups: dict[str, list[Decision]] = defaultdict(list)
        for d in accepted:
            info = proposal.dwellings[str(d.dwelling_id)]
            key = info.area_code if kind == "area" else info.complex_id
            if key:
                groups[key].append(d)
        for key, group in groups.items():
            used = earlier.get(key, 0)
            if used + len(group) > cap:
                lines = ", ".join(str(d.line) for d in group)
                problems.append(
                    Problem(
                        file,
                        group[-1].line,
                        "dwelling_id",
                        f"{word} {key}: {used} al bevestigd deze periode + {len(group)} akkoord "
                        f"(regels {lines}) is meer dan {setting} = {cap}",
                    )
                )
    persons: Counter[str] = Counter()
    room: dict[str, int] = {}
    lines_per_area: dict[str, list[int]] = defaultdict(list)
    for d in accepted:
        info = proposal.dwellings[str(d.dwelling_id)]
        if info.area_code and info.headroom_persons is not None:
            persons[info.area_code] += proposal.rows[d.household_id].persons
            room[info.area_code] = info.headroom_persons
            lines_per_area[info.area_code].append(d.line)
    for code, count in persons.items():
        if count > room[code]:
            problems.append(
                Problem(
                    file,
                    lines_per_area[code][-1],
                    "dwelling_id",
                    f"buurt/wijk {code}: {count} personen akkoord (regels "
                    f"{', '.join(map(str, lines_per_area[code]))}) duwt het gebied over de "
                    f"concentratiegrens (ruimte {room[code]} personen)",
                )
            )
    return problems


def _pause() -> None:
    """The test hook of :data:`PAUSE_ENV`: never set in normal use."""
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        print(PAUSE_MARK, file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def confirm(ledger: Ledger, decisions: DecisionFile, user: str) -> Confirmed:
    """Record the decisions of ``decisions`` in one transaction, or nothing.

    Raises
    ------
    InputError
        With every problem (see the module docstring); nothing is recorded then.
    """
    file = decisions.file
    try:
        with ledger.transaction() as session:
            found = session.get(ProposalRecord, decisions.proposal_id)
            if found is None:
                raise InputError(
                    [
                        Problem(
                            file,
                            None,
                            PROPOSAL_COLUMN,
                            f"voorstel {decisions.proposal_id} staat niet in deze ledger "
                            f"({ledger.location.shown})",
                        )
                    ]
                )
            period = lock_period(session, found.period_id)
            proposal = _load(session, found)
            state = load_state(session, period)
            problems = _check(decisions, proposal, state, file)
            if period.version != found.period_version or period.status != "open":
                problems.insert(0, Problem(file, None, None, _stale(session, period, found)))
            if problems:
                raise InputError(problems)
            counts = _apply(session, period, proposal, decisions, user)
            period.version += 1
            session.flush()
            _pause()
            state = load_state(session, period)
            return Confirmed(
                found.id,
                PeriodInfo.of(period),
                counts[ACCEPTED],
                counts["persons"],
                counts[REFUSED],
                counts[PINNED],
                counts["undecided"],
                state,
            )
    except IntegrityError:  # the database's own guard: another writer got there first
        raise InputError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "de ledger weigerde deze bevestiging: een woning of huishouden is intussen "
                    "al bevestigd of toegezegd; er is niets vastgelegd. Maak een nieuw voorstel",
                )
            ]
        ) from None


def _end_pins(
    session: Session, household: HouseholdRecord, user: str, reason: str, at: Any
) -> list[Pin]:
    pins = list(
        session.scalars(
            select(Pin).where(Pin.household_ref == household.id, Pin.ended_at.is_(None))
        )
    )
    for pin in pins:
        pin.ended_at, pin.ended_by, pin.end_reason = at, user, reason
    return pins


def _apply(
    session: Session,
    period: PeriodRecord,
    proposal: _Proposal,
    decisions: DecisionFile,
    user: str,
) -> Counter[str]:
    """Write the checked decisions: placements, refusals, pins, one event each."""
    at = now()
    number = proposal.record.id
    counts: Counter[str] = Counter()
    decided = {d.household_id: d for d in decisions.decisions if d.decision is not None}
    counts["undecided"] = sum(hid not in decided for hid in proposal.rows)
    for hid, d in sorted(decided.items(), key=lambda item: item[1].line):
        household = proposal.households[hid]
        did = str(d.dwelling_id)
        row = proposal.rows[hid]
        changed = "" if did == row.dwelling_id else f" (voorgesteld was {row.dwelling_id})"
        if d.decision == ACCEPTED:
            info = proposal.dwellings[did]
            session.add(
                Placement(
                    period_id=period.id,
                    household_ref=household.id,
                    proposal_id=number,
                    dwelling_id=did,
                    persons=row.persons,
                    area_code=info.area_code,
                    area_name=info.area_name,
                    buurt_code=info.buurt_code,
                    wijk_code=info.wijk_code,
                    complex_id=info.complex_id,
                    concentrated=info.concentrated,
                    matching_date=proposal.record.matching_date,
                    confirmed_at=at,
                    confirmed_by=user,
                )
            )
            _end_pins(session, household, user, "bevestigd", at)
            area = f"{info.area_name} ({info.area_code})" if info.area_code else "onbekend gebied"
            record(
                session,
                "confirmed",
                period,
                user,
                f"plaatsing bevestigd: woning {did}{changed}, {persons_word(row.persons)}, {area}",
                at=at,
                proposal_id=number,
                household=household,
                dwelling_id=did,
                persons=row.persons,
                area_code=info.area_code,
            )
            counts[ACCEPTED] += 1
            counts["persons"] += row.persons
        elif d.decision == REFUSED:
            already = session.scalars(
                select(Refusal).where(
                    Refusal.household_ref == household.id,
                    Refusal.dwelling_id == did,
                    Refusal.withdrawn_at.is_(None),
                )
            ).first()
            if already is None:
                session.add(
                    Refusal(
                        household_ref=household.id,
                        dwelling_id=did,
                        period_id=period.id,
                        proposal_id=number,
                        recorded_at=at,
                        recorded_by=user,
                    )
                )
            ended = [p for p in _active_pins(session, household) if p.dwelling_id == did]
            for pin in ended:
                pin.ended_at, pin.ended_by, pin.end_reason = at, user, "geweigerd"
            record(
                session,
                "refused",
                period,
                user,
                f"woning {did}{changed} geweigerd: dit paar wordt niet meer voorgesteld"
                + (" (de toezegging vervalt)" if ended else ""),
                at=at,
                proposal_id=number,
                household=household,
                dwelling_id=did,
            )
            counts[REFUSED] += 1
        else:
            current = _active_pins(session, household)
            if any(p.dwelling_id == did for p in current):
                counts[PINNED] += 1
                continue  # the promise stands already
            for pin in current:
                pin.ended_at, pin.ended_by, pin.end_reason = at, user, "vervangen"
            session.flush()  # the old pin ends before the new one is unique
            session.add(
                Pin(
                    municipality=period.municipality,
                    household_ref=household.id,
                    dwelling_id=did,
                    period_id=period.id,
                    proposal_id=number,
                    created_at=at,
                    created_by=user,
                )
            )
            replaced = f" (vervangt de toezegging van {current[0].dwelling_id})" if current else ""
            record(
                session,
                "pinned",
                period,
                user,
                f"woning {did}{changed} toegezegd (vastgezet){replaced}: volgende voorstellen "
                "houden dit paar vast",
                at=at,
                proposal_id=number,
                household=household,
                dwelling_id=did,
            )
            counts[PINNED] += 1
    record(
        session,
        "confirmed",
        period,
        user,
        f"besluiten over voorstel {number} vastgelegd ({Path(decisions.file).name}): "
        f"{counts[ACCEPTED]} akkoord ({counts['persons']} personen), {counts[REFUSED]} "
        f"geweigerd, {counts[PINNED]} vastgezet, {counts['undecided']} zonder besluit",
        at=at,
        proposal_id=number,
        accepted=counts[ACCEPTED],
        persons=counts["persons"],
        refused=counts[REFUSED],
        pinned=counts[PINNED],
        undecided=counts["undecided"],
    )
    return counts


def _active_pins(session: Session, household: HouseholdRecord) -> list[Pin]:
    return list(
        session.scalars(
            select(Pin).where(Pin.household_ref == household.id, Pin.ended_at.is_(None))
        )
    )
