"""The monthly meeting on the ledger: propose, decide row by row, re-solve, confirm.

"Voorstel maken" is the ledger's own ``month propose``
(:func:`allocatie.ledger.proposals.propose`) on the stored uploads: the
proposal is stored, with its rows and every eligible pair, and its id guards
the screen from then on.

During the meeting a decision on a row (accept, refuse, pin) is a *draft*
(:class:`~allocatie.web.tables.WebDraft`), not yet a ledger fact. After each
draft the month is solved again, at once, from the same files and the same
ledger state, with the drafts added: a refusal forbids its pair, and a pin or
an accepted row is held fixed (what the meeting settled stays settled while
it goes on). The screen then shows the plan with every draft, and what
changed against the plan without the latest one.

Every re-solved plan is a restriction of the stored proposal (refusals and
pins only take pairs away), so every draft decision is a pair the stored
proposal knows as eligible; confirming therefore records all drafts against
the stored proposal in the ledger's one locked transaction
(:func:`allocatie.ledger.confirm.confirm`), which refuses a proposal that is
no longer the latest or whose period moved on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.confirm import (
    ACCEPTED,
    PINNED,
    REFUSED,
    Confirmed,
    Decision,
    DecisionFile,
    confirm,
)
from allocatie.ledger.events import now
from allocatie.ledger.monthly import LedgerMonth, read_month, run_month, shape
from allocatie.ledger.proposals import DECISION_COLUMN, PROPOSAL_COLUMN, propose
from allocatie.ledger.schema import Event, HouseholdRecord, PeriodRecord, ProposalRecord
from allocatie.ledger.state import PeriodInfo, PeriodState, load_state
from allocatie.ledger.store import Ledger
from allocatie.match import Inputs, Outcome, report_result
from allocatie.model.problem import ProblemData
from allocatie.web.files import current_set, laid_out, read_set
from allocatie.web.tables import WebDraft, WebProposal

__all__ = [
    "ACTIONS",
    "Change",
    "Draft",
    "Working",
    "confirm_meeting",
    "decide",
    "make_proposal",
    "working",
]

#: What a row's buttons do, and the ledger decision each records.
ACTIONS = {"accept": ACCEPTED, "refuse": REFUSED, "pin": PINNED}
#: The Dutch word of each decision, as written in the ``besluit`` column.
DECISION_NL = {ACCEPTED: "akkoord", REFUSED: "geweigerd", PINNED: "vastgezet"}
#: Name of the decisions in the ledger's problems and events.
MEETING_FILE = "het overleg (webapp)"
_CACHE_SIZE = 48


@dataclass(frozen=True)
class Draft:
    """A decision of the meeting on one household, not yet confirmed."""

    household_ref: int
    household_id: str
    dwelling_id: str
    decision: str
    sequence: int
    by: str

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.household_ref, self.dwelling_id, self.decision)


@dataclass(frozen=True)
class Change:
    """A household whose dwelling changed with the latest decision (``None``: waiting)."""

    household_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Working:
    """The plan on the screen: the stored proposal with the meeting's drafts.

    Attributes
    ----------
    proposal_id, period
        The stored proposal and its period as it was then.
    outcome
        The plan (``besluit`` filled with the drafts), instance and result.
    month
        The month as the ledger shaped it (what it removed, and why).
    drafts
        The decisions taken so far, oldest first.
    changes
        What the latest draft changed.
    seconds
        How long the re-solve took.
    """

    proposal_id: int
    period: PeriodInfo
    outcome: Outcome
    month: LedgerMonth
    drafts: tuple[Draft, ...]
    changes: tuple[Change, ...]
    seconds: float
    refs: dict[str, int]

    def draft_of(self, household_id: str) -> Draft | None:
        return next((d for d in self.drafts if d.household_id == household_id), None)


@dataclass(frozen=True)
class Stale:
    """A proposal that can no longer be decided on, and why (in Dutch)."""

    proposal_id: int
    reason: str
    confirmed: bool
    exists: bool = True


_lock = threading.Lock()
#: The last plan of each confirmed proposal (the ledger state moved on, so it cannot be
#: made again): what its downloads are made from; in memory only, a few meetings long.
_confirmed: OrderedDict[tuple[str, int], Working] = OrderedDict()


def _remember(ledger: Ledger, plan: Working) -> None:
    with _lock:
        _confirmed[(str(ledger.location.url), plan.proposal_id)] = plan
        while len(_confirmed) > 4:
            _confirmed.popitem(last=False)


def confirmed_plan(ledger: Ledger, proposal_id: int) -> Working | None:
    """The plan a confirmation recorded, while this server still has it."""
    with _lock:
        return _confirmed.get((str(ledger.location.url), proposal_id))


def make_proposal(
    ledger: Ledger, municipality: str, date: dt.date | None, user: str
) -> tuple[int | None, list[Problem]]:
    """Make and store this month's proposal from the uploads in force.

    Returns
    -------
    The proposal id (``None`` when there are problems) and the problems.
    """
    with ledger.transaction() as session:
        month = current_set(session, municipality)
        session.expunge_all()
    if month.missing:
        words = {"households": "huishoudens", "dwellings": "aanbod", "policy": "beleid"}
        return None, [
            Problem("upload", None, None, f"er is nog geen {words[k]} geüpload")
            for k in month.missing
        ]
    with laid_out(month) as laid:
        if laid.inputs is None:
            return None, laid.translate(laid.problems)
        try:
            proposed = propose(
                ledger,
                laid.inputs,
                date=date,
                municipality=municipality,
                user=user,
                lang="nl",
            )
        except InputError as error:
            return None, laid.translate(error.problems)
    with ledger.transaction() as session:
        session.add(
            WebProposal(
                proposal_id=proposed.proposal_id,
                uploads=json.dumps(month.ids),
                matching_date=proposed.month.date,
            )
        )
    return proposed.proposal_id, []


def _drafts(session: Session, proposal_id: int) -> tuple[Draft, ...]:
    rows = session.execute(
        select(WebDraft, HouseholdRecord.household_id)
        .join(HouseholdRecord, WebDraft.household_ref == HouseholdRecord.id)
        .where(WebDraft.proposal_id == proposal_id)
        .order_by(WebDraft.sequence)
    )
    return tuple(
        Draft(d.household_ref, str(hid), d.dwelling_id, d.decision, d.sequence, d.decided_by)
        for d, hid in rows
        if hid is not None
    )


def stale_reason(ledger: Ledger, proposal_id: int) -> Stale | None:
    """Why a proposal can no longer be decided on, or ``None`` when it still can."""
    with ledger.transaction() as session:
        proposal = session.get(ProposalRecord, proposal_id)
        made_here = session.get(WebProposal, proposal_id)
        if proposal is None or made_here is None:
            return Stale(proposal_id, "dit voorstel bestaat niet", False, exists=False)
        period = session.get_one(PeriodRecord, proposal.period_id)
        if period.status != "open":
            return Stale(proposal_id, "de periode is gesloten", False)
        if period.version == proposal.period_version:
            return None
        confirmed = session.scalars(
            select(Event).where(
                Event.proposal_id == proposal_id,
                Event.kind == "confirmed",
                Event.household_ref.is_(None),
            )
        ).first()
        if confirmed is not None:
            return Stale(
                proposal_id,
                f"de besluiten over voorstel {proposal_id} zijn vastgelegd door {confirmed.user}",
                True,
            )
        latest = session.scalars(
            select(ProposalRecord.id)
            .where(ProposalRecord.period_id == period.id)
            .order_by(ProposalRecord.id.desc())
        ).first()
        if latest != proposal_id:
            return Stale(
                proposal_id,
                f"er is intussen een nieuwer voorstel ({latest}); ga verder met dat voorstel",
                False,
            )
        return Stale(
            proposal_id,
            "na dit voorstel is de ledger gewijzigd; maak een nieuw voorstel",
            False,
        )


def _pairs_frame(rows: list[tuple[str, str, int]], like: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "household_id": pd.Series([r[0] for r in rows], dtype="str"),
            "dwelling_id": pd.Series([r[1] for r in rows], dtype="str"),
            "source_line": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )
    frame.attrs.update(like.attrs)
    return frame


def with_drafts(month: LedgerMonth, drafts: Sequence[Draft]) -> LedgerMonth:
    """The shaped month with the meeting's drafts: refusers out, the rest held fixed.

    The ledger records one decision per household and meeting, so a household
    that refused its dwelling gets no other in this meeting (it waits, and
    the next proposal offers it what fits, never the refused dwelling): every
    pair of it is left out, and the dwellings it leaves go to others. A draft
    replaces what it contradicts: a pin in force for the same household or
    dwelling (the confirmation ends or replaces it the same way).
    """
    fixed = [d for d in drafts if d.decision in (ACCEPTED, PINNED)]
    refused = {(d.household_id, d.dwelling_id) for d in drafts if d.decision == REFUSED}
    taken_h = {d.household_id for d in fixed}
    taken_d = {d.dwelling_id for d in fixed}
    pins = [
        (str(h), str(w), int(line))
        for h, w, line in zip(
            month.pins["household_id"], month.pins["dwelling_id"], month.pins["source_line"]
        )
        if str(h) not in taken_h and str(w) not in taken_d and (str(h), str(w)) not in refused
    ]
    pins += [(d.household_id, d.dwelling_id, -(100_000 + d.sequence)) for d in fixed]
    refusals = [
        (str(h), str(w), int(line))
        for h, w, line in zip(
            month.refusals["household_id"],
            month.refusals["dwelling_id"],
            month.refusals["source_line"],
        )
    ]
    known = {(h, w) for h, w, _ in refusals}
    done = {d.household_id: d.sequence for d in drafts if d.decision == REFUSED}
    offered = month.dwellings["dwelling_id"].astype(str).tolist()
    refusals += [
        (h, w, -(100_000 + sequence))
        for h, sequence in done.items()
        for w in offered
        if (h, w) not in known
    ]
    return dataclasses.replace(
        month,
        pins=_pairs_frame(pins, month.pins),
        refusals=_pairs_frame(refusals, month.refusals),
    )


def _decided_plan(outcome: Outcome, proposal_id: int, drafts: Sequence[Draft]) -> Outcome:
    """The outcome with the proposal's id and the drafts in the ``besluit`` column."""
    plan = outcome.plan.copy()
    words = pd.Series(pd.NA, index=plan.index, dtype="string")
    by_id = {d.household_id: d for d in drafts}
    reasons = plan["reason"].astype(str).tolist()
    for i, (hid, did) in enumerate(zip(plan["household_id"], plan["dwelling_id"])):
        draft = by_id.get(str(hid))
        if draft is not None and draft.decision != REFUSED and str(did) == draft.dwelling_id:
            words.iloc[i] = DECISION_NL[draft.decision]
        elif draft is not None and draft.decision == REFUSED:
            reasons[i] = (
                f"Wacht: weigerde {draft.dwelling_id} in dit overleg; komt terug in het volgende "
                "voorstel (één besluit per huishouden per overleg)."
            )
    plan["reason"] = reasons
    if DECISION_COLUMN in plan.columns:
        plan[DECISION_COLUMN] = words
    else:
        plan.insert(int(plan.columns.get_loc("dwelling_id")) + 1, DECISION_COLUMN, words)
    plan[PROPOSAL_COLUMN] = proposal_id
    figures = {**outcome.kpis, PROPOSAL_COLUMN: proposal_id}
    return dataclasses.replace(outcome, plan=plan, kpis=figures)


def _objective(problem: ProblemData, selected: np.ndarray) -> tuple[int, int, int]:
    """The three tiers of a selection, as the solvers count them."""
    s = np.asarray(selected, dtype=bool)
    return (
        int(problem.pair_persons[s].sum()),
        int(problem.pair_outside[s].sum()),
        int(problem.pair_quality[s].sum()),
    )


def _stable(new: Outcome, old: Outcome, inputs: Inputs, sheets: dict[str, str]) -> Outcome:
    """The previous plan when it is still feasible and still optimal, else the new one.

    Holding a row fixed that the plan already had (an accept, a pin of the
    proposed dwelling) leaves the previous plan optimal, but the solver may
    break ties differently and move households for nothing; the meeting
    should see only what the decision really changed. The previous selection
    is then reported on the new instance by :func:`allocatie.match.report_result`,
    the same function that reports every run (``inputs`` and ``sheets`` are
    the month's, for its manifest), so the kept plan cannot differ from a
    fresh one in anything but the choice among equal optima.
    """
    if new.instance.policy.fairness.no_harm:
        # the kept plan ties with the new one on the tiers but need not keep the no_harm
        # rule's floor (it was found on the unrestricted problem's ties): report the new one
        return new
    problem, before = new.instance.problem, old.instance.problem
    same = (
        problem.pair_household.shape == before.pair_household.shape
        and np.array_equal(problem.pair_household, before.pair_household)
        and np.array_equal(problem.pair_dwelling, before.pair_dwelling)
    )
    selected = np.asarray(old.result.selected, dtype=bool)
    if not same or problem.violations(selected):
        return new
    if _objective(problem, selected) != tuple(new.result.objective):
        return new
    result = dataclasses.replace(new.result, selected=selected)
    return report_result(inputs, new.instance, new.areas, result, lang="nl", sheets=sheets)


def _solve(
    ledger: Ledger,
    proposal_id: int,
    drafts: tuple[Draft, ...],
    previous: Outcome | None = None,
) -> tuple[Outcome, LedgerMonth, PeriodInfo, dict[str, int], float]:
    """The stored proposal's month solved again with ``drafts``."""
    started = time.perf_counter()
    with ledger.transaction() as session:
        record = session.get_one(WebProposal, proposal_id)
        ids = json.loads(record.uploads)
        date = record.matching_date
        month_set = read_set(session, ids)
        proposal = session.get_one(ProposalRecord, proposal_id)
        period = session.get_one(PeriodRecord, proposal.period_id)
        state: PeriodState = load_state(session, period)
        refs = {
            str(hid): ref
            for hid, ref in session.execute(
                select(HouseholdRecord.household_id, HouseholdRecord.id).where(
                    HouseholdRecord.municipality == period.municipality,
                    HouseholdRecord.household_id.is_not(None),
                )
            )
        }
        session.expunge_all()
    with laid_out(month_set) as laid:
        assert laid.inputs is not None
        try:
            files = read_month(laid.inputs)
            month = with_drafts(shape(files, state, date), drafts)
            outcome = run_month(laid.inputs, files, month, lang="nl")
            if previous is not None:
                outcome = _stable(outcome, previous, laid.inputs, files.sheets)
        except InputError as error:
            raise InputError(laid.translate(error.problems)) from None
    outcome = _decided_plan(outcome, proposal_id, drafts)
    return outcome, month, state.period, refs, time.perf_counter() - started


def _changes(before: Outcome, after: Outcome) -> tuple[Change, ...]:
    old = dict(zip(before.plan["household_id"].astype(str), before.plan["dwelling_id"]))
    out = []
    for hid, did in zip(after.plan["household_id"].astype(str), after.plan["dwelling_id"]):
        was = old.get(hid)
        was = None if was is None or pd.isna(was) else str(was)
        now_ = None if pd.isna(did) else str(did)
        if was != now_:
            out.append(Change(hid, was, now_))
    return tuple(out)


@dataclass(frozen=True)
class _Solved:
    outcome: Outcome
    month: LedgerMonth
    period: PeriodInfo
    refs: dict[str, int]
    seconds: float


_solved: OrderedDict[tuple[object, ...], _Solved] = OrderedDict()


def _already(outcome: Outcome, draft: Draft) -> bool:
    """Is ``draft`` an accept of the dwelling the plan already gives that household?"""
    if draft.decision != ACCEPTED:
        return False
    plan = outcome.plan
    row = plan[plan["household_id"].astype(str) == draft.household_id]
    return len(row) == 1 and str(row["dwelling_id"].iloc[0]) == draft.dwelling_id


def _solved_for(
    ledger: Ledger, proposal_id: int, drafts: tuple[Draft, ...], version: int
) -> _Solved:
    """The month solved with ``drafts``, remembered (a page view does not solve again)."""
    key = (str(ledger.location.url), proposal_id, version, tuple(d.key for d in drafts))
    with _lock:
        found = _solved.get(key)
        if found is not None:
            _solved.move_to_end(key)
            return found
    before = _solved_for(ledger, proposal_id, drafts[:-1], version) if drafts else None
    if before is not None and _already(before.outcome, drafts[-1]):
        # accepting what the plan proposes changes no plan: no solve needed
        outcome = _decided_plan(before.outcome, proposal_id, drafts)
        solved = _Solved(outcome, before.month, before.period, before.refs, 0.0)
    else:
        previous = before.outcome if before is not None else None
        solved = _Solved(*_solve(ledger, proposal_id, drafts, previous))
    with _lock:
        _solved[key] = solved
        while len(_solved) > _CACHE_SIZE:
            _solved.popitem(last=False)
    return solved


def _plan_for(ledger: Ledger, proposal_id: int, drafts: tuple[Draft, ...], version: int) -> Working:
    """The plan with ``drafts`` and what the latest of them changed."""
    solved = _solved_for(ledger, proposal_id, drafts, version)
    changes: tuple[Change, ...] = ()
    if drafts:
        previous = _solved_for(ledger, proposal_id, drafts[:-1], version)
        changes = _changes(previous.outcome, solved.outcome)
    return Working(
        proposal_id,
        solved.period,
        solved.outcome,
        solved.month,
        drafts,
        changes,
        solved.seconds,
        solved.refs,
    )


def _version(ledger: Ledger, proposal_id: int) -> int:
    with ledger.transaction() as session:
        proposal = session.get_one(ProposalRecord, proposal_id)
        return proposal.period_version


def working(ledger: Ledger, proposal_id: int) -> Working | Stale:
    """The plan on the screen for a proposal, or why it can no longer be decided on."""
    stale = stale_reason(ledger, proposal_id)
    if stale is not None:
        return stale
    with ledger.transaction() as session:
        drafts = _drafts(session, proposal_id)
    return _plan_for(ledger, proposal_id, drafts, _version(ledger, proposal_id))


def latest_proposal(ledger: Ledger, municipality: str) -> int | None:
    """The newest proposal of the municipality's open period made through the app."""
    with ledger.transaction() as session:
        found = session.scalars(
            select(ProposalRecord.id)
            .join(PeriodRecord, ProposalRecord.period_id == PeriodRecord.id)
            .join(WebProposal, WebProposal.proposal_id == ProposalRecord.id)
            .where(PeriodRecord.municipality == municipality, PeriodRecord.status == "open")
            .order_by(ProposalRecord.id.desc())
        ).first()
    return found


def decide(
    ledger: Ledger,
    proposal_id: int,
    household_id: str,
    action: str,
    user: str,
    dwelling_id: str | None = None,
) -> tuple[Working | Stale, list[Problem]]:
    """Take (or, with ``action="undo"``, take back) a draft decision and solve again.

    Parameters
    ----------
    household_id
        The row's household.
    action
        ``accept``, ``refuse``, ``pin`` or ``undo``.
    dwelling_id
        The dwelling decided on; default the row's dwelling in the plan on
        the screen. A pin may name another dwelling that is eligible for the
        household.

    Returns
    -------
    The plan after the decision and the problems (a decision that cannot be
    taken leaves the drafts as they were).
    """
    current = working(ledger, proposal_id)
    if isinstance(current, Stale):
        return current, [Problem(MEETING_FILE, None, None, current.reason)]
    plan = current.outcome.plan
    rows = plan.index[plan["household_id"].astype(str) == household_id]
    ref = current.refs.get(household_id)
    if len(rows) != 1 or ref is None:
        return current, [Problem(MEETING_FILE, None, None, "dit huishouden staat niet in het plan")]
    row = plan.loc[rows[0]]
    if action == "undo":
        with ledger.transaction() as session:
            session.execute(
                delete(WebDraft).where(
                    WebDraft.proposal_id == proposal_id, WebDraft.household_ref == ref
                )
            )
        return working(ledger, proposal_id), []
    if action not in ACTIONS:
        return current, [Problem(MEETING_FILE, None, None, f"onbekende handeling '{action}'")]
    target = dwelling_id or (None if pd.isna(row["dwelling_id"]) else str(row["dwelling_id"]))
    if target is None:
        return current, [
            Problem(
                MEETING_FILE,
                None,
                None,
                "dit huishouden wacht: er is geen woning om over te besluiten",
            )
        ]
    if target != row["dwelling_id"] and not _eligible(current, household_id, target):
        return current, [
            Problem(
                MEETING_FILE,
                None,
                None,
                f"woning {target} past volgens de regels niet bij dit huishouden",
            )
        ]
    holder = _pinned_elsewhere(current, household_id, target)
    if holder is not None and action != "refuse":
        return current, [
            Problem(
                MEETING_FILE,
                None,
                None,
                f"woning {target} is al toegezegd aan {holder} (vastgezet in een eerder overleg)",
            )
        ]
    others = tuple(d for d in current.drafts if d.household_ref != ref)
    sequence = max((d.sequence for d in current.drafts), default=0) + 1
    draft = Draft(ref, household_id, target, ACTIONS[action], sequence, user)
    try:
        _plan_for(ledger, proposal_id, (*others, draft), _version(ledger, proposal_id))
    except InputError as error:
        return current, [
            Problem(MEETING_FILE, None, None, f"dit besluit kan niet: {p.message}")
            for p in error.problems
        ]
    with ledger.transaction() as session:
        session.execute(
            delete(WebDraft).where(
                WebDraft.proposal_id == proposal_id, WebDraft.household_ref == ref
            )
        )
        highest = session.scalar(
            select(func.max(WebDraft.sequence)).where(WebDraft.proposal_id == proposal_id)
        )
        session.add(
            WebDraft(
                proposal_id=proposal_id,
                household_ref=ref,
                dwelling_id=target,
                decision=draft.decision,
                sequence=max(int(highest or 0) + 1, sequence),
                decided_at=now(),
                decided_by=user,
            )
        )
    return working(ledger, proposal_id), []


def _eligible(plan: Working, household_id: str, dwelling_id: str) -> bool:
    instance = plan.outcome.instance
    h = np.flatnonzero(instance.households["household_id"].astype(str).to_numpy() == household_id)
    d = np.flatnonzero(instance.dwellings["dwelling_id"].astype(str).to_numpy() == dwelling_id)
    if len(h) != 1 or len(d) != 1:
        return False
    pairs = instance.pairs
    hit = pairs[(pairs["household"] == h[0]) & (pairs["dwelling"] == d[0])]
    return bool(len(hit)) and bool(hit["eligible"].iloc[0])


def _pinned_elsewhere(plan: Working, household_id: str, dwelling_id: str) -> str | None:
    """The household a ledger pin promises this dwelling to, when not this one."""
    for hid, did in plan.month.ledger_pins:
        if did == dwelling_id and hid != household_id:
            if not any(d.household_id == hid for d in plan.drafts):
                return hid
    return None


def accept_rest(
    ledger: Ledger,
    proposal_id: int,
    user: str,
    allowed: Callable[[object], bool] | None = None,
) -> Working | Stale:
    """Accept every placed row without a decision (``allowed(corporation)`` filters rows)."""
    current = working(ledger, proposal_id)
    if isinstance(current, Stale):
        return current
    plan = current.outcome.plan
    decided = {d.household_id for d in current.drafts}
    sequence = max((d.sequence for d in current.drafts), default=0)
    added = []
    for hid, did, corp in zip(plan["household_id"], plan["dwelling_id"], plan["corporation"]):
        if pd.isna(did) or str(hid) in decided or str(hid) not in current.refs:
            continue
        if allowed is not None and not allowed(corp):
            continue
        sequence += 1
        added.append(
            WebDraft(
                proposal_id=proposal_id,
                household_ref=current.refs[str(hid)],
                dwelling_id=str(did),
                decision=ACCEPTED,
                sequence=sequence,
                decided_at=now(),
                decided_by=user,
            )
        )
    if added:
        with ledger.transaction() as session:
            session.add_all(added)
    return working(ledger, proposal_id)


def confirm_meeting(
    ledger: Ledger,
    proposal_id: int,
    user: str,
) -> tuple[Confirmed | None, list[Problem]]:
    """Record every draft of the meeting in the ledger, in one transaction, or nothing.

    The plan confirmed is kept in memory (:func:`confirmed_plan`), so the
    downloads can still be made from it after the ledger moved on.
    """
    current = working(ledger, proposal_id)
    if isinstance(current, Stale):
        return None, [Problem(MEETING_FILE, None, None, current.reason)]
    if not current.drafts:
        return None, [Problem(MEETING_FILE, None, None, "er is nog niets besloten")]
    positions = {hid: i for i, hid in enumerate(current.outcome.plan["household_id"].astype(str))}
    decisions = tuple(
        Decision(d.household_id, d.dwelling_id, d.decision, positions.get(d.household_id, 0) + 2)
        for d in current.drafts
    )
    try:
        done = confirm(ledger, DecisionFile(MEETING_FILE, proposal_id, decisions), user)
    except InputError as error:
        return None, list(error.problems)
    _remember(ledger, current)
    with ledger.transaction() as session:
        session.execute(delete(WebDraft).where(WebDraft.proposal_id == proposal_id))
    return done, []
