"""AVG erasure: forget a household, keep the counts the taakstelling needs.

A household may ask to be forgotten (AVG art. 17), but the municipality must
still account for its taakstelling. So the household's own attributes go — its
id, its koppeling date, its expected reunification, the reasons the engine gave
it and the eligible pairs that reflected its needs — while what the counts need
stays, anonymous: a placement of so many persons in an area on a date.
Promises in force for it end. The history keeps every event, but shows
"(vergeten)" where the id was (events refer to households by row, never by id),
and the ``forgotten`` event itself names no household.

The web app keeps its own copies in the same database (:mod:`allocatie.ledger.schema`,
``web_`` tables): the files the coordinator uploaded, which *are* the month's
households, and the meeting's draft decisions. Forgetting deletes every stored
upload of the municipality that names the household in any cell (of any sheet
of a workbook), rather than editing the coordinator's file: a copy that no
longer matches what was uploaded (and its SHA-256 in the proposals) would be a
file nobody gave. The app then asks for a new households file, which is what
the coordinator must make anyway, or the household would come back with the
next proposal. Drafts of the household go too. A household that is only in
an upload (no proposal named it yet) is forgotten the same way.

Files written earlier (``plan.csv``, exports) are outside the ledger; the
command's message reminds the user of them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.table import nfc
from allocatie.ledger.events import now, record
from allocatie.ledger.schema import (
    HouseholdRecord,
    PeriodRecord,
    Pin,
    Placement,
    ProposalOption,
    ProposedRow,
    WebDraft,
    WebUpload,
)
from allocatie.ledger.store import Ledger, lock_period

__all__ = ["Forgotten", "forget_household", "names_household"]


#: What separates the cells of a text table (any delimiter the readers accept).
_CELL_BREAK = re.compile(r"[,;\t\r\n]")
_TEXT_TABLES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class Forgotten:
    """What forgetting kept (placements, persons) and what it deleted beside the ledger rows."""

    municipality: str
    placements_kept: int
    persons_kept: int
    proposal_rows: int
    uploads_deleted: int = 0
    drafts_deleted: int = 0


def _cells(filename: str, content: bytes) -> list[str] | None:
    """Every cell of an uploaded table as text, or ``None`` when it is not a table.

    A workbook's every sheet is read, hidden ones too: a households list of
    last month on another sheet is the household's data as much as this
    month's. A text table is cut at every delimiter the readers accept, so a
    cell is found whichever one the file uses.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        from allocatie.inputs.workbook import cell_text

        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
        try:
            return [
                text
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for text in map(cell_text, row)
                if text is not None
            ]
        finally:
            book.close()
    if suffix in _TEXT_TABLES:
        text = content.decode("utf-8-sig", errors="replace")
        return [cell.strip().strip('"').strip() for cell in _CELL_BREAK.split(text)]
    return None


def names_household(filename: str, content: bytes, household_id: str) -> bool:
    """Whether an uploaded file names the household: a cell that is its id.

    Files that are not tables (the policy) are searched as text. A file that
    cannot be read (it was checked when uploaded, so this means damage) counts
    as naming it: it cannot be shown not to, and it is of no use any more.
    """
    wanted = nfc(household_id.strip())
    try:
        cells = _cells(filename, content)
    except Exception:  # a damaged workbook fails in many ways; all mean "cannot tell"
        return True
    if cells is None or _CELL_BREAK.search(wanted):
        text = content.decode("utf-8-sig", errors="replace")
        return wanted in nfc(text)
    return any(nfc(cell) == wanted for cell in cells)


def _uploads_naming(
    session: Session, household_id: str, municipality: str | None
) -> dict[int, str]:
    """Stored uploads (of ``municipality``, else all) naming the household: id → municipality."""
    statement = select(
        WebUpload.id, WebUpload.municipality, WebUpload.filename, WebUpload.content
    ).order_by(WebUpload.id)
    if municipality is not None:
        statement = statement.where(WebUpload.municipality == municipality)
    return {
        row.id: row.municipality
        for row in session.execute(statement)
        if names_household(row.filename, bytes(row.content), household_id)
    }


def _ambiguous(household_id: str, municipalities: set[str], found_in: str) -> InputError:
    """The id is known in several municipalities: which one is meant is the user's to say."""
    where = ", ".join(sorted(municipalities))
    return InputError(
        [
            Problem(
                "--municipality",
                None,
                None,
                f"{household_id} staat {found_in} bij {where}; kies met --municipality",
            )
        ]
    )


def forget_household(
    ledger: Ledger, household_id: str, *, municipality: str | None, user: str
) -> Forgotten:
    """Erase the household's personal data from the ledger and the app's tables (module docstring).

    Raises
    ------
    InputError
        When the id is neither in the ledger nor in a stored upload, or is
        known in several municipalities and ``municipality`` is not given.
    """
    with ledger.transaction() as session:
        statement = select(HouseholdRecord).where(HouseholdRecord.household_id == household_id)
        if municipality is not None:
            statement = statement.where(HouseholdRecord.municipality == municipality)
        found = list(session.scalars(statement))
        if len(found) > 1:
            raise _ambiguous(household_id, {h.municipality for h in found}, "in de ledger")
        household = found[0] if found else None
        where = household.municipality if household is not None else municipality
        uploads = _uploads_naming(session, household_id, where)
        if household is None:
            places = set(uploads.values())
            if not places:
                raise InputError(
                    [
                        Problem(
                            "HOUSEHOLD_ID",
                            None,
                            None,
                            f"{household_id} staat niet in de ledger en in geen geüpload bestand",
                        )
                    ]
                )
            if len(places) > 1:
                raise _ambiguous(household_id, places, "in geüploade bestanden")
            where = places.pop()
        assert where is not None
        current = session.scalars(
            select(PeriodRecord).where(
                PeriodRecord.municipality == where, PeriodRecord.status == "open"
            )
        ).first()
        if current is not None:  # the period's lock, then its version (see below)
            current = lock_period(session, current.id)
        at = now()
        if uploads:
            session.execute(delete(WebUpload).where(WebUpload.id.in_(list(uploads))))
        drafts = 0
        rows = 0
        placements: list[Placement] = []
        if household is not None:
            drafts = _count(
                session.execute(delete(WebDraft).where(WebDraft.household_ref == household.id))
            )
            for pin in session.scalars(
                select(Pin).where(Pin.household_ref == household.id, Pin.ended_at.is_(None))
            ):
                pin.ended_at, pin.ended_by, pin.end_reason = at, user, "vergeten"
            session.execute(
                delete(ProposalOption).where(ProposalOption.household_ref == household.id)
            )
            rows = _count(
                session.execute(
                    update(ProposedRow)
                    .where(ProposedRow.household_ref == household.id)
                    .values(reason=None)
                )
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
        message = (
            "een huishouden is vergeten (AVG): id, koppeldatum, verwachte gezinshereniging en "
            "redenen zijn verwijderd; bevestigde plaatsingen tellen anoniem mee"
            if household is not None
            else "een huishouden is vergeten (AVG) dat nog in geen voorstel stond"
        )
        if uploads or drafts:
            message += (
                f"; uit de webapp verwijderd: {len(uploads)} geüpload(e) bestand(en) waarin het "
                f"stond en {drafts} conceptbesluit(en)"
            )
        record(
            session,
            "forgotten",
            current,
            user,
            message,
            municipality=where,
            at=at,
            placements_kept=len(placements),
            uploads_deleted=len(uploads),
            drafts_deleted=drafts,
        )
        if current is not None:  # a proposal naming the household (or its files) is stale
            current.version += 1
        return Forgotten(
            where,
            len(placements),
            sum(p.persons for p in placements),
            rows,
            len(uploads),
            drafts,
        )


def _count(result: object) -> int:
    """Rows a bulk ``UPDATE``/``DELETE`` touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)
