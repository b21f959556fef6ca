"""AVG erasure: forget a household, keep the counts the taakstelling needs.

A household may ask to be forgotten (AVG art. 17), but the municipality must
still account for its taakstelling. So the household's own attributes go — its
id, its koppeling date, its expected reunification, the reasons the engine gave
it and the eligible pairs that reflected its needs — while what the counts need
stays, anonymous: a placement of so many persons in an area on a date.
Promises in force for it end. The history keeps every event, but shows
"(vergeten)" where the id was (events refer to households by row, never by id),
and the ``forgotten`` event itself names no household.

Files written earlier (``plan.csv``, exports) are outside the ledger; the
command's message reminds the user of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import now, record
from allocatie.ledger.schema import (
    HouseholdRecord,
    PeriodRecord,
    Pin,
    Placement,
    ProposalOption,
    ProposedRow,
)
from allocatie.ledger.store import Ledger, lock_period

__all__ = ["Forgotten", "forget_household"]


@dataclass(frozen=True)
class Forgotten:
    """What forgetting kept: placements (persons) that still count."""

    municipality: str
    placements_kept: int
    persons_kept: int
    proposal_rows: int


def forget_household(
    ledger: Ledger, household_id: str, *, municipality: str | None, user: str
) -> Forgotten:
    """Erase the household's personal attributes from the ledger (see module docstring).

    Raises
    ------
    InputError
        When the id is unknown, or known in several municipalities and
        ``municipality`` is not given.
    """
    with ledger.transaction() as session:
        statement = select(HouseholdRecord).where(HouseholdRecord.household_id == household_id)
        if municipality is not None:
            statement = statement.where(HouseholdRecord.municipality == municipality)
        found = list(session.scalars(statement))
        if not found:
            raise InputError(
                [Problem("HOUSEHOLD_ID", None, None, f"{household_id} staat niet in de ledger")]
            )
        if len(found) > 1:
            where = ", ".join(sorted(h.municipality for h in found))
            raise InputError(
                [
                    Problem(
                        "--municipality",
                        None,
                        None,
                        f"{household_id} staat in de ledger bij {where}; kies met --municipality",
                    )
                ]
            )
        household = found[0]
        current = session.scalars(
            select(PeriodRecord).where(
                PeriodRecord.municipality == household.municipality, PeriodRecord.status == "open"
            )
        ).first()
        if current is not None:  # the period's lock, then its version (see below)
            current = lock_period(session, current.id)
        at = now()
        for pin in session.scalars(
            select(Pin).where(Pin.household_ref == household.id, Pin.ended_at.is_(None))
        ):
            pin.ended_at, pin.ended_by, pin.end_reason = at, user, "vergeten"
        session.execute(delete(ProposalOption).where(ProposalOption.household_ref == household.id))
        rows = session.execute(
            update(ProposedRow).where(ProposedRow.household_ref == household.id).values(reason=None)
        )
        placements = list(
            session.scalars(
                select(Placement).where(
                    Placement.household_ref == household.id, Placement.undone_at.is_(None)
                )
            )
        )
        household.household_id = None
        household.linked_on = None
        household.expected_reunification = None
        household.forgotten_at = at
        record(
            session,
            "forgotten",
            current,
            user,
            "een huishouden is vergeten (AVG): id, koppeldatum, verwachte gezinshereniging en "
            "redenen zijn verwijderd; bevestigde plaatsingen tellen anoniem mee",
            municipality=household.municipality,
            at=at,
            placements_kept=len(placements),
        )
        if current is not None:  # a proposal naming the household can no longer be confirmed
            current.version += 1
        return Forgotten(
            household.municipality,
            len(placements),
            sum(p.persons for p in placements),
            int(getattr(rows, "rowcount", 0) or 0),
        )
