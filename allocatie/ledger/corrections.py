"""Corrections: a confirmed placement that fell through, a promise withdrawn, a refusal by mistake.

Nothing is ever deleted: a correction marks the row as no longer in force (who,
when, why) and writes a ``corrected`` event, so the history shows both the
decision and its correction. Each correction raises the period's version, so a
proposal made before it can no longer be confirmed.

The reason is a choice from :data:`REASONS`, not free text: the ledger keeps no
prose about a household.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import now, persons_word, record
from allocatie.ledger.periods import select_period
from allocatie.ledger.schema import HouseholdRecord, PeriodRecord, Pin, Placement, Refusal
from allocatie.ledger.store import Ledger, lock_period

__all__ = ["REASONS", "Corrected", "undo_placement", "withdraw_pin", "withdraw_refusal"]

#: Why a decision is corrected (``--reason``), with how the history says it.
REASONS = {
    "woning-vervallen": "de woning is toch niet beschikbaar",
    "huishouden-afgezien": "het huishouden heeft afgezien",
    "vergissing": "per vergissing vastgelegd",
    "anders": "andere reden",
}


@dataclass(frozen=True)
class Corrected:
    """What a correction changed, in words for the summary."""

    message: str
    period: str


def _household(session: Session, period: PeriodRecord, household_id: str) -> HouseholdRecord:
    found = session.scalars(
        select(HouseholdRecord).where(
            HouseholdRecord.municipality == period.municipality,
            HouseholdRecord.household_id == household_id,
        )
    ).first()
    if found is None:
        raise InputError(
            [Problem("HOUSEHOLD_ID", None, None, f"{household_id} staat niet in de ledger")]
        )
    return found


def _reason(reason: str) -> str:
    if reason not in REASONS:
        raise InputError(
            [
                Problem(
                    "--reason",
                    None,
                    None,
                    f"onbekende reden '{reason}'; kies uit {', '.join(REASONS)}",
                )
            ]
        )
    return REASONS[reason]


def undo_placement(
    ledger: Ledger,
    household_id: str,
    *,
    municipality: str | None,
    user: str,
    reason: str,
    refused: bool = False,
) -> Corrected:
    """Undo the household's confirmed placement in the open period.

    The household and the dwelling are available again from the next proposal;
    with ``refused`` the pair is also recorded as refused, so it is not
    proposed again.

    Raises
    ------
    InputError
        When the household has no confirmed placement in the open period.
    """
    words = _reason(reason)
    with ledger.transaction() as session:
        period = lock_period(session, select_period(session, municipality).id)
        household = _household(session, period, household_id)
        placement = session.scalars(
            select(Placement).where(
                Placement.household_ref == household.id,
                Placement.period_id == period.id,
                Placement.undone_at.is_(None),
            )
        ).first()
        if placement is None:
            raise InputError(
                [
                    Problem(
                        "HOUSEHOLD_ID",
                        None,
                        None,
                        f"{household_id} heeft geen bevestigde plaatsing in {period.label}",
                    )
                ]
            )
        at = now()
        placement.undone_at, placement.undone_by, placement.undo_reason = at, user, reason
        message = (
            f"plaatsing in woning {placement.dwelling_id} ongedaan gemaakt ({words}); "
            f"{persons_word(placement.persons)} tellen niet meer mee"
        )
        record(
            session,
            "corrected",
            period,
            user,
            message,
            at=at,
            proposal_id=placement.proposal_id,
            household=household,
            dwelling_id=placement.dwelling_id,
            correction="placement",
            reason=reason,
            persons=placement.persons,
        )
        if refused:
            _refuse(session, period, household, placement.dwelling_id, user, at)
            message += "; het paar geldt als geweigerd"
        period.version += 1
        return Corrected(message, period.label)


def _refuse(
    session: Session,
    period: PeriodRecord,
    household: HouseholdRecord,
    dwelling_id: str,
    user: str,
    at: object,
) -> None:
    exists = session.scalars(
        select(Refusal).where(
            Refusal.household_ref == household.id,
            Refusal.dwelling_id == dwelling_id,
            Refusal.withdrawn_at.is_(None),
        )
    ).first()
    if exists is not None:
        return
    session.add(
        Refusal(
            household_ref=household.id,
            dwelling_id=dwelling_id,
            period_id=period.id,
            recorded_at=at,
            recorded_by=user,
        )
    )
    record(
        session,
        "refused",
        period,
        user,
        f"woning {dwelling_id} geweigerd (na de bevestiging): dit paar wordt niet meer voorgesteld",
        household=household,
        dwelling_id=dwelling_id,
    )


def withdraw_pin(
    ledger: Ledger, household_id: str, *, municipality: str | None, user: str, reason: str
) -> Corrected:
    """End the household's promise (pin) in force.

    Raises
    ------
    InputError
        When the household has no pin in force.
    """
    words = _reason(reason)
    with ledger.transaction() as session:
        period = lock_period(session, select_period(session, municipality).id)
        household = _household(session, period, household_id)
        pin = session.scalars(
            select(Pin).where(Pin.household_ref == household.id, Pin.ended_at.is_(None))
        ).first()
        if pin is None:
            raise InputError(
                [Problem("HOUSEHOLD_ID", None, None, f"{household_id} heeft geen toezegging")]
            )
        at = now()
        pin.ended_at, pin.ended_by, pin.end_reason = at, user, "ingetrokken"
        message = f"toezegging van woning {pin.dwelling_id} ingetrokken ({words})"
        record(
            session,
            "corrected",
            period,
            user,
            message,
            at=at,
            proposal_id=pin.proposal_id,
            household=household,
            dwelling_id=pin.dwelling_id,
            correction="pin",
            reason=reason,
        )
        period.version += 1
        return Corrected(message, period.label)


def withdraw_refusal(
    ledger: Ledger,
    household_id: str,
    dwelling_id: str,
    *,
    municipality: str | None,
    user: str,
    reason: str,
) -> Corrected:
    """Withdraw a refusal: the pair may be proposed again.

    Raises
    ------
    InputError
        When that refusal is not in force.
    """
    words = _reason(reason)
    with ledger.transaction() as session:
        period = lock_period(session, select_period(session, municipality).id)
        household = _household(session, period, household_id)
        refusal = session.scalars(
            select(Refusal).where(
                Refusal.household_ref == household.id,
                Refusal.dwelling_id == dwelling_id,
                Refusal.withdrawn_at.is_(None),
            )
        ).first()
        if refusal is None:
            raise InputError(
                [
                    Problem(
                        "--refusal",
                        None,
                        None,
                        f"{household_id} heeft woning {dwelling_id} niet geweigerd",
                    )
                ]
            )
        at = now()
        refusal.withdrawn_at, refusal.withdrawn_by = at, user
        message = f"weigering van woning {dwelling_id} ingetrokken ({words})"
        record(
            session,
            "corrected",
            period,
            user,
            message,
            at=at,
            proposal_id=refusal.proposal_id,
            household=household,
            dwelling_id=dwelling_id,
            correction="refusal",
            reason=reason,
        )
        period.version += 1
        return Corrected(message, period.label)
