"""The audit trail: one event per change, and reading it back.

A council, a household's objection or the Algoritmeregister ask the same
question later: who decided what, when, on which proposal. Every change of the
ledger therefore writes an :class:`~allocatie.ledger.schema.Event` in the same
transaction as the change itself, so there is never a change without its event
or an event without its change.

A household appears in an event only as a reference to its row
(``household_ref``), never by its id inside the text: when the household is
forgotten (AVG) its id disappears from every event at once, and the history
shows "(vergeten)".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocatie import __version__
from allocatie.ledger.schema import (
    EVENT_KINDS,
    Event,
    HouseholdRecord,
    PeriodRecord,
    ProposalRecord,
    ProposedRow,
)

__all__ = ["KIND_NL", "HistoryLine", "history", "local_time", "now", "persons_word", "record"]

#: How each kind of event is called in the Dutch history table.
KIND_NL = {
    "opened": "geopend",
    "proposed": "voorgesteld",
    "confirmed": "bevestigd",
    "refused": "geweigerd",
    "pinned": "vastgezet",
    "closed": "gesloten",
    "corrected": "gecorrigeerd",
    "forgotten": "vergeten",
}

#: Coordinators read times in Dutch local time; the ledger stores UTC.
LOCAL = ZoneInfo("Europe/Amsterdam")

#: Shown instead of the id of a household that was forgotten.
FORGOTTEN = "(vergeten)"


def persons_word(count: int) -> str:
    """``1 persoon``, ``4 personen``."""
    return f"{count} persoon" if count == 1 else f"{count} personen"


def now() -> dt.datetime:
    """The current moment, aware, in UTC (what the ledger stores)."""
    return dt.datetime.now(dt.UTC)


def local_time(moment: dt.datetime) -> str:
    """``2019-10-01 14:03`` in Dutch local time, for tables."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def record(
    session: Session,
    kind: str,
    period: PeriodRecord | None,
    user: str,
    message: str,
    *,
    municipality: str | None = None,
    at: dt.datetime | None = None,
    proposal_id: int | None = None,
    household: HouseholdRecord | None = None,
    dwelling_id: str | None = None,
    **figures: Any,
) -> Event:
    """Add one event to the session (written when the transaction commits).

    Parameters
    ----------
    kind
        One of :data:`allocatie.ledger.schema.EVENT_KINDS`.
    message
        What happened, in Dutch, without any household id (see module docstring).
    figures
        JSON-friendly facts of the event (counts, dates, codes).
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if period is None and municipality is None:
        raise ValueError("an event needs a period or a municipality")
    event = Event(
        at=at or now(),
        user=user,
        kind=kind,
        municipality=municipality or (period.municipality if period else ""),
        period_id=period.id if period is not None else None,
        proposal_id=proposal_id,
        household_ref=household.id if household is not None else None,
        dwelling_id=dwelling_id,
        detail=json.dumps({"message": message, **figures}, ensure_ascii=False, sort_keys=True),
        app_version=__version__,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class HistoryLine:
    """One line of ``allocatie ledger history``.

    ``household_id`` is the user's id, :data:`FORGOTTEN` for a forgotten
    household, or ``None`` for events about the whole period.
    """

    id: int | None
    at: dt.datetime
    user: str
    kind: str
    municipality: str
    period: str | None
    proposal_id: int | None
    household_id: str | None
    dwelling_id: str | None
    message: str
    app_version: str
    figures: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The line as JSON (time in UTC, ISO 8601)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "user": self.user,
            "kind": self.kind,
            "municipality": self.municipality,
            "period": self.period,
            "proposal_id": self.proposal_id,
            "household_id": self.household_id,
            "dwelling_id": self.dwelling_id,
            "message": self.message,
            "app_version": self.app_version,
            "details": self.figures,
        }


def _household_label(household: HouseholdRecord | None) -> str | None:
    if household is None:
        return None
    return household.household_id if household.household_id is not None else FORGOTTEN


def history(
    session: Session,
    *,
    municipality: str | None = None,
    household_id: str | None = None,
) -> list[HistoryLine]:
    """Every event, oldest first; for one household also each proposal's row for it.

    With ``household_id`` the trail answers a household's objection: besides
    the decisions about it, it lists what every proposal offered it (or why it
    waited), with the reason the engine gave then.
    """
    periods = {p.id: p for p in session.scalars(select(PeriodRecord))}
    statement = select(Event, HouseholdRecord).outerjoin(
        HouseholdRecord, Event.household_ref == HouseholdRecord.id
    )
    if municipality is not None:
        statement = statement.where(Event.municipality == municipality)
    refs: list[int] = []
    if household_id is not None:
        found = select(HouseholdRecord.id).where(HouseholdRecord.household_id == household_id)
        if municipality is not None:
            found = found.where(HouseholdRecord.municipality == municipality)
        refs = list(session.scalars(found))
        statement = statement.where(Event.household_ref.in_(refs))
    lines = [_line(event, household, periods) for event, household in session.execute(statement)]
    if household_id is not None and refs:
        lines += _proposal_lines(session, refs, periods)
    lines.sort(key=lambda line: (line.at, line.id or 0, line.kind))
    return lines


def _line(
    event: Event, household: HouseholdRecord | None, periods: dict[int, PeriodRecord]
) -> HistoryLine:
    figures = json.loads(event.detail)
    message = str(figures.pop("message", ""))
    period = periods.get(event.period_id) if event.period_id is not None else None
    return HistoryLine(
        id=event.id,
        at=event.at,
        user=event.user,
        kind=event.kind,
        municipality=event.municipality,
        period=period.label if period is not None else None,
        proposal_id=event.proposal_id,
        household_id=_household_label(household),
        dwelling_id=event.dwelling_id,
        message=message,
        app_version=event.app_version,
        figures=figures,
    )


def _proposal_lines(
    session: Session, refs: list[int], periods: dict[int, PeriodRecord]
) -> list[HistoryLine]:
    """What each proposal offered the household, as history lines of kind ``proposed``."""
    rows = session.execute(
        select(ProposedRow, ProposalRecord, HouseholdRecord)
        .join(ProposalRecord, ProposedRow.proposal_id == ProposalRecord.id)
        .join(HouseholdRecord, ProposedRow.household_ref == HouseholdRecord.id)
        .where(ProposedRow.household_ref.in_(refs))
    )
    out = []
    for row, proposal, household in rows:
        period = periods[proposal.period_id]
        if row.dwelling_id is not None:
            message = f"voorgesteld: woning {row.dwelling_id}" + (
                " (vastgezet)" if row.pinned else ""
            )
        else:
            message = "voorgesteld: wacht"
        if row.reason:
            message += f" — {row.reason}"
        out.append(
            HistoryLine(
                id=None,
                at=proposal.created_at,
                user=proposal.created_by,
                kind="proposed",
                municipality=period.municipality,
                period=period.label,
                proposal_id=proposal.id,
                household_id=_household_label(household),
                dwelling_id=row.dwelling_id,
                message=message,
                app_version="",
                figures={"persons": row.persons, "matching_date": str(proposal.matching_date)},
            )
        )
    return out
