"""Periods: open a half year, find the one a command is about, report and close it.

A period is one municipality's half year with its taakstelling and the
achterstand (or voorsprong) carried in. Opening one without ``--backlog`` takes
the carry-over the municipality's previous period recorded when it was closed,
so nobody copies it by hand; closing records that carry-over.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import local_time, now, record
from allocatie.ledger.schema import PeriodRecord, ProposalRecord
from allocatie.ledger.state import PeriodInfo, PeriodState, load_state, pace_persons
from allocatie.ledger.store import Ledger, lock_period

__all__ = [
    "BACKLOG_GIVEN",
    "BACKLOG_NONE",
    "Closed",
    "Opened",
    "area_cap",
    "close_period",
    "open_period",
    "select_period",
    "status",
    "status_figures",
]

_MUNICIPALITY = re.compile(r"GM\d{4}")


def _problem(where: str, message: str, column: str | None = None) -> Problem:
    return Problem(where, None, column, message)


def select_period(
    session: Session,
    municipality: str | None,
    start: dt.date | None = None,
    *,
    open_only: bool = True,
) -> PeriodRecord:
    """The period a command is about.

    With ``start`` the period of (``municipality``,) that start; else the open
    period of ``municipality`` (or the only open period of the ledger). When
    ``open_only`` is false and nothing is open, the municipality's latest period.

    Raises
    ------
    InputError
        When there is no such period, or several and the command must be told which.
    """
    statement = select(PeriodRecord).order_by(PeriodRecord.start)
    if municipality is not None:
        statement = statement.where(PeriodRecord.municipality == municipality)
    if start is not None:
        found = list(session.scalars(statement.where(PeriodRecord.start == start)))
        what = f"met begindatum {start}"
    else:
        found = list(session.scalars(statement.where(PeriodRecord.status == "open")))
        what = "die open is"
        if not found and not open_only:
            every = list(session.scalars(statement))
            municipalities = {p.municipality for p in every}
            if len(municipalities) == 1:
                found, what = [every[-1]], "in de ledger"
    for_whom = f" voor {municipality}" if municipality else ""
    if not found:
        hint = (
            "open er een met 'allocatie period open'"
            if start is None
            else "kijk met 'allocatie ledger history' welke periodes er zijn"
        )
        raise InputError(
            [_problem("ledger", f"er is geen periode{for_whom} {what}; {hint}", "--municipality")]
        )
    if len(found) > 1:
        names = ", ".join(p.label for p in found)
        raise InputError(
            [
                _problem(
                    "ledger",
                    f"er zijn meerdere periodes {what} ({names}); kies er een met --municipality",
                    "--municipality",
                )
            ]
        )
    return found[0]


#: Where a period's achterstand came from, as stored in ``backlog_source``: plain facts,
#: because the web app's overview shows them too; the CLI adds how to give one
#: (``--backlog``), the app has its own form field.
BACKLOG_GIVEN = "gegeven bij het openen"
BACKLOG_NONE = "geen eerdere periode in de ledger: 0"


@dataclass(frozen=True)
class Opened:
    """A newly opened period and where its achterstand came from.

    ``backlog_note`` is the stored fact (``backlog_source``); ``carried`` tells a
    front end whether a previous closed period gave it, so that it can say
    how to give one when there was none.
    """

    period: PeriodInfo
    backlog_note: str
    carried: bool = False


def _check_new(
    session: Session, municipality: str, start: dt.date, end: dt.date, quota: int
) -> list[Problem]:
    problems = []
    if not _MUNICIPALITY.fullmatch(municipality):
        problems.append(
            _problem("--municipality", f"'{municipality}' is geen CBS-gemeentecode zoals GM0153")
        )
    if end < start:
        problems.append(
            _problem("--end", f"de periode eindigt ({end}) voordat hij begint ({start})")
        )
    if quota < 0:
        problems.append(_problem("--quota", "de taakstelling kan niet negatief zijn"))
    periods = list(
        session.scalars(select(PeriodRecord).where(PeriodRecord.municipality == municipality))
    )
    for other in periods:
        if other.status == "open":
            problems.append(
                _problem(
                    "ledger",
                    f"periode {other.label} is nog open; sluit die eerst met "
                    "'allocatie period close'",
                )
            )
        elif other.start <= end and start <= other.end:
            problems.append(
                _problem("--start", f"deze periode overlapt met de gesloten periode {other.label}")
            )
    return problems


def open_period(
    ledger: Ledger,
    *,
    municipality: str,
    start: dt.date,
    end: dt.date,
    quota: int,
    backlog: int | None,
    user: str,
) -> Opened:
    """Open a half year; without ``backlog``, carry over from the previous closed period.

    Raises
    ------
    InputError
        For a bad code or dates, a period still open, or an overlap.
    """
    try:
        with ledger.transaction() as session:
            problems = _check_new(session, municipality, start, end, quota)
            if problems:
                raise InputError(problems)
            previous = session.scalars(
                select(PeriodRecord)
                .where(PeriodRecord.municipality == municipality, PeriodRecord.end < start)
                .order_by(PeriodRecord.end.desc())
                .limit(1)
            ).first()
            carried = False
            if backlog is not None:
                source = BACKLOG_GIVEN
            elif previous is not None and previous.carry_over_persons is not None:
                backlog = previous.carry_over_persons
                source, carried = f"overgenomen uit periode {previous.label}", True
            else:
                backlog = 0
                source = BACKLOG_NONE
            period = PeriodRecord(
                municipality=municipality,
                start=start,
                end=end,
                quota_persons=quota,
                backlog_persons=backlog,
                backlog_source=source,
                status="open",
                version=0,
                opened_at=now(),
                opened_by=user,
            )
            session.add(period)
            session.flush()
            record(
                session,
                "opened",
                period,
                user,
                f"periode {period.label} geopend: taakstelling {quota} personen, "
                f"{_backlog_words(backlog)} ({source})",
                quota_persons=quota,
                backlog_persons=backlog,
                backlog_source=source,
            )
            return Opened(PeriodInfo.of(period), source, carried)
    except IntegrityError:  # another coordinator opened it at the same moment
        raise InputError(
            [_problem("ledger", f"er is zojuist al een periode voor {municipality} geopend")]
        ) from None


def _backlog_words(backlog: int) -> str:
    if backlog > 0:
        return f"achterstand {backlog} personen"
    if backlog < 0:
        return f"voorsprong {-backlog} personen"
    return "geen achterstand"


@dataclass(frozen=True)
class Closed:
    """A closed period: persons housed and the carry-over the next period starts with."""

    period: PeriodInfo
    persons_housed: int
    households_housed: int
    carry_over_persons: int
    open_pins: int


def close_period(
    ledger: Ledger,
    *,
    municipality: str | None,
    user: str,
    today: dt.date,
    early: bool = False,
) -> Closed:
    """Close the open period and record its carry-over (taakstelling + achterstand − housed).

    Raises
    ------
    InputError
        When there is no open period, or it has not ended and ``early`` is not given.
    """
    with ledger.transaction() as session:
        period = lock_period(session, select_period(session, municipality).id)
        if today < period.end and not early:
            raise InputError(
                [
                    _problem(
                        "--date",
                        f"de periode loopt nog tot {period.end}; sluit hem eerder alleen "
                        "bewust, met --early",
                    )
                ]
            )
        state = load_state(session, period)
        carry = period.quota_persons + period.backlog_persons - state.persons_housed
        period.status = "closed"
        period.closed_at = now()
        period.closed_by = user
        period.persons_housed_at_close = state.persons_housed
        period.carry_over_persons = carry
        period.version += 1
        words = _backlog_words(carry).replace("geen achterstand", "geen achterstand of voorsprong")
        record(
            session,
            "closed",
            period,
            user,
            f"periode {period.label} gesloten: {state.persons_housed} personen gehuisvest "
            f"({state.households_housed} huishoudens); naar de volgende periode: {words}",
            persons_housed=state.persons_housed,
            households_housed=state.households_housed,
            carry_over_persons=carry,
            open_pins=len(state.pins),
        )
        return Closed(
            PeriodInfo.of(period),
            state.persons_housed,
            state.households_housed,
            carry,
            len(state.pins),
        )


def status(
    ledger: Ledger,
    *,
    municipality: str | None,
    start: dt.date | None,
    today: dt.date,
) -> dict[str, Any]:
    """The figures of ``allocatie period status --json``.

    Keys: ``municipality``, ``period_start``, ``period_end``, ``status``,
    ``quota_persons``, ``backlog_persons``, ``backlog_source``, ``target_persons``,
    ``persons_housed``, ``persons_remaining``, ``households_housed``,
    ``pace_date``, ``pace_persons`` (expected by ``today`` at an even pace),
    ``persons_ahead_of_pace``, ``open_pins``, ``placements_per_area``,
    ``refusals_in_force``, ``proposals``, ``latest_proposal_id``, ``version``,
    ``carry_over_persons`` (set once closed) and ``ledger``.
    """
    with ledger.transaction() as session:
        period = select_period(session, municipality, start, open_only=False)
        state = load_state(session, period)
        policy_caps = area_cap(session, state)
    return status_figures(state, today, ledger.location.shown, policy_caps)


def area_cap(session: Session, state: PeriodState) -> int | None:
    """``max_households_per_area`` of the latest proposal's policy, to show beside each area."""
    if state.latest_proposal is None:
        return None
    policy = json.loads(session.get_one(ProposalRecord, state.latest_proposal).policy)
    cap = policy.get("spreading", {}).get("max_households_per_area")
    return None if cap is None else int(cap)


def status_figures(
    state: PeriodState, today: dt.date, ledger: str, area_cap: int | None = None
) -> dict[str, Any]:
    """:func:`status` from a state already read (also used in summaries)."""
    period = state.period
    pace = pace_persons(period, today)
    areas = state.area_table()
    for row in areas:
        row["cap"] = area_cap
    return {
        "municipality": period.municipality,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "status": period.status,
        "quota_persons": period.quota_persons,
        "backlog_persons": period.backlog_persons,
        "backlog_source": period.backlog_source,
        "target_persons": period.target_persons,
        "persons_housed": state.persons_housed,
        "persons_remaining": state.persons_remaining,
        "households_housed": state.households_housed,
        "pace_date": today.isoformat(),
        "pace_persons": pace,
        "persons_ahead_of_pace": state.persons_housed - pace,
        "open_pins": [
            {
                "household_id": pin.household_id,
                "dwelling_id": pin.dwelling_id,
                "since": pin.since.isoformat(),
                "since_local": local_time(pin.since),
                "by": pin.by,
                "proposal_id": pin.proposal_id,
            }
            for pin in state.pins
        ],
        "placements_per_area": areas,
        "refusals_in_force": len(state.refusals),
        "proposals": state.proposals,
        "latest_proposal_id": state.latest_proposal,
        "version": period.version,
        "carry_over_persons": period.carry_over_persons,
        "ledger": ledger,
    }
