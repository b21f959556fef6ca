"""``month propose``: a monthly plan that starts where the last meeting ended, stored.

The plan is made from the month's files shaped by the ledger
(:mod:`allocatie.ledger.monthly`), then stored with everything a confirmation
and a later question need: the rows it proposed (household id, dwelling,
persons, quality, reason), the dwellings on offer with their area and building,
every eligible pair (so a meeting may choose another eligible dwelling and the
confirmation can still check the rules), the policy as used and the manifest
(input hashes, never file content). The proposal's id goes into ``kpis.json``,
``manifest.json`` and a ``proposal_id`` column of the plan, next to an empty
``besluit`` column for the meeting's decisions.

Solving happens outside any transaction; the proposal is stored in a second
one that locks the period and checks nothing changed meanwhile (else the month
is made again from the new state). The files are written inside that second
transaction, so either both the proposal and its files exist or neither.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from allocatie.ledger.decisions import DECISION_COLUMN, PROPOSAL_COLUMN
from allocatie.ledger.events import now, record
from allocatie.ledger.monthly import LedgerMonth, read_month, run_month, shape
from allocatie.ledger.periods import select_period
from allocatie.ledger.schema import (
    HouseholdRecord,
    PeriodRecord,
    ProposalDwelling,
    ProposalOption,
    ProposalRecord,
    ProposedRow,
)
from allocatie.ledger.state import PeriodInfo, load_state
from allocatie.ledger.store import Ledger, lock_period
from allocatie.match import Inputs, Outcome

__all__ = ["DECISION_COLUMN", "DECISION_HELP", "PROPOSAL_COLUMN", "Proposed", "propose"]

#: What to write in the decision column, in the kpis and the summary.
DECISION_HELP = (
    "vul per huishouden de kolom besluit in: akkoord, geweigerd of vastgezet "
    "(leeg: nog geen besluit); bevestig daarna met 'allocatie month confirm' op dit bestand"
)
#: How often a proposal is made again when the ledger changed while it was solved.
ATTEMPTS = 3


@dataclass(frozen=True)
class Proposed:
    """A stored proposal: its id, the period, the outcome as written, and what the ledger did."""

    proposal_id: int
    period: PeriodInfo
    outcome: Outcome
    month: LedgerMonth
    written: list[Path]


class _Changed(Exception):
    """The period changed between reading its state and storing the proposal."""


def propose(
    ledger: Ledger,
    inputs: Inputs,
    *,
    date: Any = None,
    municipality: str | None = None,
    user: str,
    method: str | None = None,
    lang: str | None = None,
    map_parts: Callable[..., Any] | None = None,
    write: Callable[[Outcome], list[Path]] | None = None,
) -> Proposed:
    """Make, store and (with ``write``) write this month's proposal.

    Parameters
    ----------
    ledger
        The open ledger.
    inputs
        The month's files.
    date
        The meeting's date (else the policy's ``[matching] date``).
    municipality
        Which open period (else the policy's municipality, else the only one).
    user
        Recorded with the proposal.
    write
        Writes the outputs (e.g. :func:`allocatie.report.outputs.write_plan`);
        called inside the storing transaction, so a failure stores nothing.

    Raises
    ------
    InputError
        For any problem of the files or with what the ledger adds to them.
    """
    files = read_month(inputs)
    for _ in range(ATTEMPTS):
        with ledger.transaction() as session:
            period = select_period(session, municipality or files.policy.municipality)
            state = load_state(session, period)
        month = shape(files, state, date)
        outcome = run_month(inputs, files, month, method=method, map_parts=map_parts, lang=lang)
        try:
            return _store(ledger, state.period, month, outcome, user, write)
        except _Changed:
            continue
    raise RuntimeError("the ledger kept changing while the proposal was made; try again")


def _store(
    ledger: Ledger,
    seen: PeriodInfo,
    month: LedgerMonth,
    outcome: Outcome,
    user: str,
    write: Callable[[Outcome], list[Path]] | None,
) -> Proposed:
    with ledger.transaction() as session:
        period = lock_period(session, seen.id)
        if period.version != seen.version or period.status != "open":
            raise _Changed
        period.version += 1
        plan = outcome.plan
        placed = plan["dwelling_id"].notna().to_numpy()
        proposal = ProposalRecord(
            period_id=period.id,
            period_version=period.version,
            created_at=now(),
            created_by=user,
            matching_date=month.date,
            policy=json.dumps(outcome.instance.policy.to_dict(), sort_keys=True),
            manifest="{}",
            households=len(plan),
            households_placed=int(placed.sum()),
            persons_placed=int(plan.loc[placed, "persons"].sum()),
        )
        session.add(proposal)
        session.flush()
        info = _ledger_info(period, proposal.id, month)
        done = _with_proposal(outcome, proposal.id, info)
        proposal.manifest = json.dumps(
            {**outcome.manifest, "ledger": _counts_only(info)}, sort_keys=True, default=str
        )
        proposal.kpis = json.dumps(
            {**outcome.kpis, "ledger": _counts_only(info)}, sort_keys=True, default=str
        )
        _store_rows(session, period, proposal.id, outcome)
        record(
            session,
            "proposed",
            period,
            user,
            f"voorstel {proposal.id} voor het overleg van {month.date}: "
            f"{proposal.households_placed} van {proposal.households} huishoudens geplaatst "
            f"({proposal.persons_placed} personen)",
            proposal_id=proposal.id,
            matching_date=month.date.isoformat(),
            households=proposal.households,
            households_placed=proposal.households_placed,
            persons_placed=proposal.persons_placed,
            households_removed=sum(r.kind == "household" for r in month.removed),
            dwellings_removed=sum(r.kind == "dwelling" for r in month.removed),
            pins_from_ledger=len(month.ledger_pins),
            refusals_from_ledger=month.ledger_refusals,
        )
        written = write(done) if write is not None else []
        return Proposed(proposal.id, PeriodInfo.of(period), done, month, written)


def _ledger_info(period: PeriodRecord, proposal_id: int, month: LedgerMonth) -> dict[str, Any]:
    """What the ledger contributed, for ``kpis.json`` and ``manifest.json``."""
    return {
        "proposal_id": proposal_id,
        "period": period.label,
        "period_version": period.version,
        "housed_so_far": month.policy.period.housed_so_far,
        "placed_this_period": dict(month.policy.spreading.placed_this_period),
        "pins_from_ledger": [f"{h} → {d}" for h, d in month.ledger_pins],
        "refusals_from_ledger": month.ledger_refusals,
        "removed": [r.to_json() for r in month.removed],
        "notes": list(month.notes),
    }


def _counts_only(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` without household ids, as the ledger stores it (forgetting stays complete)."""
    out = dict(info)
    out["pins_from_ledger"] = len(info["pins_from_ledger"])
    removed = info["removed"]
    out["removed"] = {
        kind: sum(r["kind"] == kind for r in removed)
        for kind in ("household", "dwelling", "pin", "refusal")
    }
    out["notes"] = len(info["notes"])
    return out


def _with_proposal(outcome: Outcome, proposal_id: int, info: dict[str, Any]) -> Outcome:
    """The outcome with the proposal's id and an empty decision column for the meeting."""
    plan = outcome.plan.copy()
    plan.insert(
        int(plan.columns.get_loc("dwelling_id")) + 1,
        DECISION_COLUMN,
        pd.Series(pd.NA, index=plan.index, dtype="string"),
    )
    plan[PROPOSAL_COLUMN] = proposal_id
    figures = {
        **outcome.kpis,
        PROPOSAL_COLUMN: proposal_id,
        "decision_column": DECISION_HELP,
        "ledger": info,
    }
    record = {**outcome.manifest, "ledger": info}
    return dataclasses.replace(outcome, plan=plan, kpis=figures, manifest=record)


def _households(
    session: Session, municipality: str, table: pd.DataFrame
) -> dict[str, HouseholdRecord]:
    """The household rows of ``table``'s ids, made or brought up to date (size, date)."""
    ids = table["household_id"].astype(str).tolist()
    known = {
        str(h.household_id): h
        for h in session.scalars(
            select(HouseholdRecord).where(
                HouseholdRecord.municipality == municipality, HouseholdRecord.household_id.in_(ids)
            )
        )
    }
    linked = pd.to_datetime(table["linked_on"]).dt.date.tolist()
    for hid, persons, extra, on in zip(
        ids, table["persons"].tolist(), table["expected_reunification"].tolist(), linked
    ):
        row = known.get(hid)
        if row is None:
            row = HouseholdRecord(municipality=municipality, household_id=hid)
            session.add(row)
            known[hid] = row
        row.persons = int(persons)
        row.expected_reunification = int(extra)
        row.linked_on = on
    session.flush()
    return known


def _optional(value: Any) -> Any:
    return None if value is None or pd.isna(value) else value


def _store_rows(session: Session, period: PeriodRecord, proposal_id: int, outcome: Outcome) -> None:
    """The proposal's rows, its dwellings on offer and its eligible pairs."""
    instance = outcome.instance
    households = _households(session, period.municipality, instance.households)
    plan = outcome.plan
    refs = [households[str(h)].id for h in plan["household_id"]]
    session.execute(
        insert(ProposedRow),
        [
            {
                "proposal_id": proposal_id,
                "household_ref": ref,
                "position": i,
                "dwelling_id": _optional(dwelling),
                "persons": int(persons),
                "pinned": bool(pinned),
                "quality": None if pd.isna(quality) else int(quality),
                "reason": str(reason),
            }
            for i, (ref, dwelling, persons, pinned, quality, reason) in enumerate(
                zip(
                    refs,
                    plan["dwelling_id"],
                    plan["persons"],
                    plan["pinned"],
                    plan["quality"],
                    plan["reason"],
                )
            )
        ],
    )
    dwellings = instance.dwellings
    room = instance.problem.area_max_persons
    area_index = dwellings["area_index"].to_numpy(dtype=np.int64)
    if len(dwellings):
        session.execute(
            insert(ProposalDwelling),
            [
                {
                    "proposal_id": proposal_id,
                    "dwelling_id": str(did),
                    "area_code": _optional(code),
                    "area_name": _optional(name),
                    "buurt_code": _optional(buurt),
                    "wijk_code": _optional(wijk),
                    "complex_id": _optional(cx),
                    "concentrated": None if pd.isna(conc) else bool(conc),
                    "headroom_persons": int(room[a]) if room[a] >= 0 else None,
                }
                for did, code, name, buurt, wijk, cx, conc, a in zip(
                    dwellings["dwelling_id"],
                    dwellings["area_code"],
                    dwellings["area_name"],
                    dwellings["buurt_code"],
                    dwellings["wijk_code"],
                    dwellings["complex_id"],
                    dwellings["concentrated"],
                    area_index,
                )
            ],
        )
    eligible = instance.pairs[instance.pairs["problem_index"].to_numpy() >= 0]
    if len(eligible):
        h_refs = np.asarray(refs, dtype=np.int64)[eligible["household"].to_numpy(dtype=np.int64)]
        d_ids = (
            dwellings["dwelling_id"]
            .astype(str)
            .to_numpy()[eligible["dwelling"].to_numpy(dtype=np.int64)]
        )
        session.execute(
            insert(ProposalOption),
            [
                {"proposal_id": proposal_id, "household_ref": int(h), "dwelling_id": str(d)}
                for h, d in zip(h_refs, d_ids)
            ],
        )
