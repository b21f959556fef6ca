"""``ledger export``: the period as a workbook for the council's half-year report.

Five sheets: ``voortgang`` (progress against the taakstelling and the pace),
``plaatsingen`` (every confirmed placement, also those undone, with why),
``gebieden`` (placements per buurt/wijk against the cap), ``overleggen`` (each
proposal: proposed and confirmed) and ``gebeurtenissen`` (the audit trail).

A council needs figures, not pseudonyms, so household ids are left out unless
``include_household_ids`` is set (for the coordinator's own reconciliation).
The file is written next to its target and renamed into place, so a reader
never opens half a workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import FORGOTTEN, KIND_NL, history, local_time
from allocatie.ledger.periods import area_cap, select_period, status_figures
from allocatie.ledger.schema import HouseholdRecord, Placement, ProposalRecord
from allocatie.ledger.state import load_state
from allocatie.ledger.store import Ledger

__all__ = ["export_period"]


def _progress(figures: dict[str, Any], today: dt.date) -> list[list[Any]]:
    carry = figures["carry_over_persons"]
    rows = [
        ["gemeente", figures["municipality"]],
        ["periode", f"{figures['period_start']} t/m {figures['period_end']}"],
        ["status", "open" if figures["status"] == "open" else "gesloten"],
        ["taakstelling (personen)", figures["quota_persons"]],
        ["achterstand bij de start (negatief: voorsprong)", figures["backlog_persons"]],
        ["herkomst achterstand", figures["backlog_source"]],
        ["te huisvesten (taakstelling + achterstand)", figures["target_persons"]],
        ["gehuisvest (personen)", figures["persons_housed"]],
        ["gehuisvest (huishoudens)", figures["households_housed"]],
        ["nog te huisvesten (personen)", figures["persons_remaining"]],
        [f"verwacht bij gelijk tempo op {today}", figures["pace_persons"]],
        ["voor (+) of achter (−) op het tempo", figures["persons_ahead_of_pace"]],
        ["openstaande toezeggingen", len(figures["open_pins"])],
        ["weigeringen die gelden", figures["refusals_in_force"]],
        ["voorstellen", figures["proposals"]],
    ]
    if carry is not None:
        rows.append(["naar de volgende periode (achterstand; negatief: voorsprong)", carry])
    rows.append(["gemaakt op", local_time(dt.datetime.now(dt.UTC))])
    return rows


def _yes_no(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")


def _sheet(workbook: Any, name: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["" if v is None else v for v in row])
    for j, title in enumerate(header):
        longest = max([len(str(title))] + [len(str(r[j])) for r in rows[:200]])
        sheet.set_column(j, j, min(longest + 2, 80))


def export_period(
    ledger: Ledger,
    out: Path,
    *,
    municipality: str | None,
    start: dt.date | None,
    today: dt.date,
    include_household_ids: bool = False,
) -> Path:
    """Write the period's workbook to ``out`` (see the module docstring).

    Raises
    ------
    InputError
        When ``out`` is not an ``.xlsx`` file in an existing folder, or the
        period cannot be found.
    """
    if out.suffix.lower() != ".xlsx":
        raise InputError([Problem("--out", None, None, "geef een bestandsnaam op .xlsx")])
    if not out.parent.is_dir():
        raise InputError([Problem("--out", None, None, f"de map {out.parent} bestaat niet")])
    with ledger.transaction() as session:
        period = select_period(session, municipality, start, open_only=False)
        state = load_state(session, period)
        figures = status_figures(state, today, ledger.location.shown, area_cap(session, state))
        placements = session.execute(
            select(Placement, HouseholdRecord)
            .join(HouseholdRecord, Placement.household_ref == HouseholdRecord.id)
            .where(Placement.period_id == period.id)
            .order_by(Placement.id)
        ).all()
        proposals = list(
            session.scalars(
                select(ProposalRecord)
                .where(ProposalRecord.period_id == period.id)
                .order_by(ProposalRecord.id)
            )
        )
        events = [line for line in history(session) if line.period == period.label]
    confirmed: Counter[int] = Counter()
    confirmed_persons: Counter[int] = Counter()
    for p, _ in placements:
        if p.undone_at is None:
            confirmed[p.proposal_id] += 1
            confirmed_persons[p.proposal_id] += p.persons

    ids = include_household_ids
    placement_rows: list[list[Any]] = [
        ([(h.household_id or FORGOTTEN)] if ids else [])
        + [
            str(p.matching_date),
            p.proposal_id,
            p.dwelling_id,
            p.persons,
            p.area_code,
            p.area_name,
            _yes_no(p.concentrated),
            local_time(p.confirmed_at),
            p.confirmed_by,
            "telt mee" if p.undone_at is None else f"ongedaan ({p.undo_reason})",
        ]
        for p, h in placements
    ]
    area_rows = [
        [
            a["area_code"],
            a["area_name"],
            _yes_no(a["concentrated"]),
            a["households"],
            a["persons"],
            a["cap"],
        ]
        for a in figures["placements_per_area"]
    ]
    proposal_rows = [
        [
            p.id,
            str(p.matching_date),
            local_time(p.created_at),
            p.created_by,
            p.households,
            p.households_placed,
            p.persons_placed,
            confirmed[p.id],
            confirmed_persons[p.id],
        ]
        for p in proposals
    ]
    event_rows = [
        [local_time(e.at), e.user, KIND_NL.get(e.kind, e.kind), e.proposal_id]
        + ([e.household_id] if ids else [])
        + [e.dwelling_id, e.message]
        for e in events
    ]
    handle, temporary = tempfile.mkstemp(
        dir=out.parent, prefix=".allocatie-export-", suffix=".xlsx"
    )
    os.close(handle)
    try:
        options = {"strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(temporary, options)
        try:
            _sheet(workbook, "voortgang", ["onderwerp", "waarde"], _progress(figures, today))
            _sheet(
                workbook,
                "plaatsingen",
                (["huishouden"] if ids else [])
                + [
                    "overleg",
                    "voorstel",
                    "woning",
                    "personen",
                    "gebied",
                    "naam",
                    "geconcentreerd",
                    "bevestigd op",
                    "door",
                    "status",
                ],
                placement_rows,
            )
            _sheet(
                workbook,
                "gebieden",
                ["gebied", "naam", "geconcentreerd", "huishoudens", "personen", "maximum"],
                area_rows,
            )
            _sheet(
                workbook,
                "overleggen",
                [
                    "voorstel",
                    "overleg",
                    "gemaakt op",
                    "door",
                    "huishoudens",
                    "voorgesteld geplaatst",
                    "personen voorgesteld",
                    "bevestigd",
                    "personen bevestigd",
                ],
                proposal_rows,
            )
            _sheet(
                workbook,
                "gebeurtenissen",
                ["tijd", "gebruiker", "soort", "voorstel"]
                + (["huishouden"] if ids else [])
                + ["woning", "wat"],
                event_rows,
            )
        finally:
            workbook.close()
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out
