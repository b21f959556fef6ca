"""What each screen shows, as plain values, filtered by the user's role.

The routes only render these; every decision about what a user may see is
made here, in one place a test can read: a coordinator sees everything, a
corporation its own dwellings and the households proposed for them, a viewer
counts and sums without any household id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.i18n import money, number, percent, use_language
from allocatie.inputs.errors import InputError
from allocatie.ledger.monthly import MonthFiles, read_month
from allocatie.ledger.periods import select_period, status_figures
from allocatie.ledger.schema import PeriodRecord
from allocatie.ledger.state import PeriodState, load_state, pace_persons
from allocatie.ledger.store import Ledger
from allocatie.web.files import MonthSet, current_set, laid_out, set_summary
from allocatie.web.meeting import DECISION_NL, Stale, Working
from allocatie.web.users import User

__all__ = ["Dashboard", "dashboard", "meeting_date", "pace_chart", "plan_rows"]

#: The koppeling deadline: a household should have a dwelling within 10 weeks.
DEADLINE_WEEKS = 10


def meeting_date(period: Any, policy_date: dt.date | None, today: dt.date) -> dt.date:
    """The day the screens count to: the policy's meeting date, else today, inside the period."""
    when = policy_date or today
    return min(max(when, period.start), period.end)


@dataclass(frozen=True)
class Chart:
    """The pace chart as SVG coordinates (drawn by the template, no script)."""

    width: int
    height: int
    pace: str  # polyline points of the pace line
    housed: str  # polyline points of persons housed (steps)
    end_x: float  # where the housed line ends, for its label
    end_y: float
    today_x: float
    target: int
    ticks: list[tuple[float, str]]  # x, month label
    levels: list[tuple[float, str]]  # y, persons
    housed_now: int
    pace_now: int


def pace_chart(state: PeriodState, today: dt.date, width: int = 640, height: int = 240) -> Chart:
    """Persons housed (by meeting date) against the even pace from 0 to the target."""
    period = state.period
    left, right, top, bottom = 44, 12, 12, 28
    days = max((period.end - period.start).days + 1, 1)
    target = max(period.target_persons, state.persons_housed, 1)

    def x(day: dt.date) -> float:
        return (
            left + (width - left - right) * min(max((day - period.start).days + 1, 0), days) / days
        )

    def y(persons: float) -> float:
        return top + (height - top - bottom) * (1 - persons / target)

    origin = (x(period.start - dt.timedelta(days=1)), y(0))
    pace = f"{origin[0]:.1f},{origin[1]:.1f} {x(period.end):.1f},{y(period.target_persons):.1f}"
    points = [origin]
    total = 0
    for p in sorted(state.placements, key=lambda p: p.matching_date):
        points.append((x(p.matching_date), y(total)))
        total += p.persons
        points.append((x(p.matching_date), y(total)))
    points.append((x(today), y(total)))
    months = []
    day = period.start
    while day <= period.end:
        months.append((x(day), day.strftime("%m-%Y")))
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    step = max(1, round(target / 4))
    levels = [(y(v), str(v)) for v in range(0, target + 1, step)]
    return Chart(
        width,
        height,
        pace,
        " ".join(f"{a:.1f},{b:.1f}" for a, b in points),
        points[-1][0],
        points[-1][1],
        x(today),
        period.target_persons,
        months,
        levels,
        state.persons_housed,
        pace_persons(period, today),
    )


@dataclass(frozen=True)
class Dashboard:
    """The start page: the period, the pace, who waits, promises, the offer."""

    period: dict[str, Any] | None
    chart: Chart | None
    today: dt.date
    waiting: list[dict[str, Any]] = field(default_factory=list)
    waiting_count: int = 0
    overdue_count: int = 0
    pins: list[dict[str, Any]] = field(default_factory=list)
    pin_count: int = 0
    offer: list[dict[str, Any]] = field(default_factory=list)
    offer_count: int = 0
    offer_per_corporation: dict[str, int] = field(default_factory=dict)
    uploads: list[dict[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    municipality: str | None = None
    latest_proposal: int | None = None
    policy_date: dt.date | None = None


def _files(month: MonthSet) -> MonthFiles | None:
    if month.missing:
        return None
    with laid_out(month) as laid:
        if laid.inputs is None:
            return None
        try:
            return read_month(laid.inputs)
        except InputError:
            return None


def _name(files: MonthFiles | None, code: str) -> str:
    """The municipality's name from the area data (the code when it is not known)."""
    try:
        stats = files.areas.stats if files is not None else load_areas().stats
        return str(stats.loc[code, "name"])
    except (KeyError, InputError):
        return code


def open_period(
    ledger: Ledger, municipality: str | None
) -> tuple[PeriodRecord, PeriodState] | None:
    """The open period the app works on, with its state (``None`` when there is none)."""
    with ledger.transaction() as session:
        try:
            period = select_period(session, municipality)
        except InputError:
            return None
        state = load_state(session, period)
        session.expunge(period)
        return period, state


def dashboard(ledger: Ledger, user: User, municipality: str | None, today: dt.date) -> Dashboard:
    """Everything the start page shows to ``user``."""
    found = open_period(ledger, municipality)
    if found is None:
        return Dashboard(None, None, today)
    period, state = found
    with ledger.transaction() as session:
        month = current_set(session, period.municipality)
        session.expunge_all()
    files = _files(month)
    policy_date = files.policy.matching.date if files is not None else None
    when = meeting_date(period, policy_date, today)
    figures = status_figures(state, when, ledger.location.shown)
    figures["municipality_name"] = _name(files, period.municipality)
    from allocatie.web.meeting import latest_proposal

    board = Dashboard(
        figures,
        pace_chart(state, when),
        when,
        municipality=period.municipality,
        uploads=set_summary(month) if user.is_coordinator else [],
        missing=month.missing,
        latest_proposal=latest_proposal(ledger, period.municipality),
        policy_date=policy_date,
    )
    waiting: list[dict[str, Any]] = []
    offer: list[dict[str, Any]] = []
    if files is not None:
        households = files.households
        housed = state.housed_ids
        linked = pd.to_datetime(households["linked_on"]).dt.date
        for hid, persons, on in zip(
            households["household_id"].astype(str), households["persons"], linked
        ):
            if hid in housed:
                continue
            weeks = (when - on).days // 7
            waiting.append(
                {
                    "household_id": hid,
                    "persons": int(persons),
                    "linked_on": on,
                    "weeks": weeks,
                    "overdue": weeks >= DEADLINE_WEEKS,
                }
            )
        waiting.sort(key=lambda r: (r["linked_on"], r["household_id"]))
        let = set(state.let_dwellings)
        with use_language("nl"):
            for row in files.dwellings.itertuples(index=False):
                did = str(row.dwelling_id)
                if did in let:
                    continue
                offer.append(
                    {
                        "dwelling_id": did,
                        "corporation": str(row.corporation),
                        "area": _text(getattr(row, "buurt_code", None))
                        or _text(getattr(row, "wijk_code", None)),
                        "bedrooms": int(row.bedrooms),
                        "rent": money(float(row.rent)),
                        "available_from": pd.Timestamp(row.available_from).date(),
                    }
                )
    per_corporation: dict[str, int] = {}
    for row in offer:
        per_corporation[row["corporation"]] = per_corporation.get(row["corporation"], 0) + 1
    corporation_of = {r["dwelling_id"]: r["corporation"] for r in offer}
    pins = [
        {
            "household_id": p["household_id"],
            "dwelling_id": p["dwelling_id"],
            "since": p["since_local"],
            "by": p["by"],
        }
        for p in figures["open_pins"]
        if user.owns(corporation_of.get(p["dwelling_id"]))
    ]
    shown_offer = [r for r in offer if user.owns(r["corporation"])]
    return Dashboard(
        board.period,
        board.chart,
        board.today,
        waiting=waiting if user.is_coordinator else [],
        waiting_count=len(waiting),
        overdue_count=sum(r["overdue"] for r in waiting),
        pins=pins if user.sees_households else [],
        pin_count=len(figures["open_pins"]),
        offer=shown_offer if user.sees_households else [],
        offer_count=len(offer),
        offer_per_corporation=per_corporation,
        uploads=board.uploads,
        missing=board.missing,
        municipality=board.municipality,
        latest_proposal=board.latest_proposal,
        policy_date=policy_date,
    )


def plan_rows(plan: Working, user: User) -> list[dict[str, Any]]:
    """The proposal's rows the user may see, in plan order, ready for the table."""
    frame = plan.outcome.plan
    changed = {c.household_id for c in plan.changes}
    rows = []
    with use_language("nl"):
        for i, r in enumerate(frame.to_dict("records")):
            hid = str(r["household_id"])
            corp = None if pd.isna(r["corporation"]) else str(r["corporation"])
            if not user.owns(corp):
                continue
            draft = plan.draft_of(hid)
            placed = not pd.isna(r["dwelling_id"])
            lq = r["area_lq"]
            rows.append(
                {
                    "row": i,
                    "household_id": hid,
                    "persons": int(r["persons"]),
                    "weeks": int(r["wait_days"]) // 7,
                    "overdue": int(r["wait_days"]) >= 7 * DEADLINE_WEEKS,
                    "dwelling_id": str(r["dwelling_id"]) if placed else None,
                    "corporation": corp or "",
                    "area": f"{r['area_name']} ({r['spreading_area']})" if placed else "",
                    "lq": number(float(lq), 2) if placed and not pd.isna(lq) else "",
                    "concentrated": bool(r["area_concentrated"])
                    if placed and not pd.isna(r["area_concentrated"])
                    else False,
                    "bedrooms": int(r["bedrooms"]) if placed else "",
                    "rent": money(float(r["rent"])) if placed else "",
                    "reason": _reason(str(r["reason"]), draft),
                    "pinned": bool(r["pinned"]) and draft is None,
                    "decision": DECISION_NL.get(draft.decision) if draft else None,
                    "decided_on": draft.dwelling_id if draft else None,
                    "decided_by": draft.by if draft else None,
                    "changed": hid in changed,
                }
            )
    return rows


def _text(value: object) -> str:
    """A cell as text, empty for NA."""
    return "" if value is None or pd.isna(value) else str(value)


def _reason(reason: str, draft: Any) -> str:
    """The engine's reason; an accepted row is held fixed, but not a promise."""
    if draft is not None and draft.decision == "accepted":
        return reason.replace("Vastgezet door de coördinator", "Akkoord in het overleg", 1)
    return reason


def summary(plan: Working) -> dict[str, Any]:
    """The plan in figures (what a viewer sees instead of the rows)."""
    k = plan.outcome.kpis
    with use_language("nl"):
        return {
            "households": int(k["households_housed"]) + int(k["households_unplaced"]),
            "placed": int(k["households_housed"]),
            "persons": int(k["persons_housed"]),
            "waiting": int(k["households_unplaced"]),
            "outside": percent(float(k["share_outside_concentrated"] or 0.0)),
            "over_10_weeks": int(k["households_waiting_over_10_weeks"]),
            "seconds": number(plan.seconds, 2),
            "decided": len(plan.drafts),
            "accepted": sum(d.decision == "accepted" for d in plan.drafts),
            "refused": sum(d.decision == "refused" for d in plan.drafts),
            "pinned": sum(d.decision == "pinned" for d in plan.drafts),
        }


def is_stale(plan: Working | Stale) -> bool:
    return isinstance(plan, Stale)
