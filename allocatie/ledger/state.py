"""What the ledger knows of a period right now, as plain frozen values.

Every command that needs the ledger's memory (a proposal, a confirmation, the
status, the planner's start) reads it through :func:`load_state`, so that "what
is already confirmed" means the same everywhere: placements not undone, pins
not ended, refusals not withdrawn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocatie.ledger.events import FORGOTTEN
from allocatie.ledger.schema import (
    HouseholdRecord,
    PeriodRecord,
    Pin,
    Placement,
    ProposalRecord,
    Refusal,
)

__all__ = [
    "PeriodInfo",
    "PeriodState",
    "PinFact",
    "PlacementFact",
    "PlannerStart",
    "load_state",
    "pace_persons",
    "planner_start",
]


@dataclass(frozen=True)
class PeriodInfo:
    """A period's row, detached from the database session."""

    id: int
    municipality: str
    start: dt.date
    end: dt.date
    quota_persons: int
    backlog_persons: int
    backlog_source: str
    status: str
    version: int
    carry_over_persons: int | None

    @classmethod
    def of(cls, record: PeriodRecord) -> PeriodInfo:
        return cls(
            record.id,
            record.municipality,
            record.start,
            record.end,
            record.quota_persons,
            record.backlog_persons,
            record.backlog_source,
            record.status,
            record.version,
            record.carry_over_persons,
        )

    @property
    def target_persons(self) -> int:
        """Taakstelling plus achterstand, as :class:`allocatie.inputs.policy.Period` counts it."""
        return max(self.quota_persons + self.backlog_persons, 0)

    @property
    def label(self) -> str:
        return f"{self.municipality} {self.start.isoformat()}–{self.end.isoformat()}"


@dataclass(frozen=True)
class PlacementFact:
    """A confirmed placement in force."""

    household_id: str
    dwelling_id: str
    persons: int
    area_code: str | None
    area_name: str | None
    buurt_code: str | None
    wijk_code: str | None
    complex_id: str | None
    concentrated: bool | None
    matching_date: dt.date
    confirmed_at: dt.datetime
    confirmed_by: str
    proposal_id: int


@dataclass(frozen=True)
class PinFact:
    """A promise in force: this household keeps this dwelling in every next proposal."""

    household_id: str
    dwelling_id: str
    since: dt.datetime
    by: str
    proposal_id: int | None


@dataclass(frozen=True)
class PeriodState:
    """The period and everything in force in it (and, for households, before it).

    Attributes
    ----------
    placements
        Confirmed placements of this period not undone.
    housed_before
        Ids of households housed in an earlier period of the municipality (they
        never come back either).
    refusals
        (household id, dwelling id) pairs refused and not withdrawn, from any
        period of the municipality: a refusal holds until withdrawn.
    pins
        Promises in force.
    proposals, latest_proposal
        How many proposals the period has and the id of the newest.
    """

    period: PeriodInfo
    placements: tuple[PlacementFact, ...] = ()
    housed_before: frozenset[str] = frozenset()
    refusals: tuple[tuple[str, str], ...] = ()
    pins: tuple[PinFact, ...] = ()
    proposals: int = 0
    latest_proposal: int | None = None

    @property
    def persons_housed(self) -> int:
        return sum(p.persons for p in self.placements)

    @property
    def households_housed(self) -> int:
        return len(self.placements)

    @property
    def persons_remaining(self) -> int:
        return max(self.period.target_persons - self.persons_housed, 0)

    @property
    def housed_ids(self) -> frozenset[str]:
        """Households that must not be proposed again: housed now or before."""
        return frozenset(p.household_id for p in self.placements) | self.housed_before

    @property
    def let_dwellings(self) -> dict[str, PlacementFact]:
        """Dwelling id → its placement this period."""
        return {p.dwelling_id: p for p in self.placements}

    @property
    def placed_per_area(self) -> dict[str, int]:
        """Spreading area code → households placed this period."""
        return dict(sorted(Counter(p.area_code for p in self.placements if p.area_code).items()))

    @property
    def placed_per_complex(self) -> dict[str, int]:
        """Building → households placed this period."""
        return dict(sorted(Counter(p.complex_id for p in self.placements if p.complex_id).items()))

    @property
    def persons_per_code(self) -> dict[str, int]:
        """Buurt and wijk code → persons placed there this period (both levels)."""
        out: Counter[str] = Counter()
        for p in self.placements:
            for code in (p.buurt_code, p.wijk_code):
                if code:
                    out[code] += p.persons
        return dict(sorted(out.items()))

    def area_table(self) -> list[dict[str, Any]]:
        """Placements per spreading area: code, name, households, persons (for status/export)."""
        rows: dict[str, dict[str, Any]] = {}
        for p in self.placements:
            code = p.area_code or "onbekend"
            row = rows.setdefault(
                code,
                {
                    "area_code": code,
                    "area_name": p.area_name or "",
                    "concentrated": p.concentrated,
                    "households": 0,
                    "persons": 0,
                },
            )
            row["households"] += 1
            row["persons"] += p.persons
        return [rows[code] for code in sorted(rows)]


def pace_persons(period: PeriodInfo, today: dt.date) -> int:
    """Persons that should be housed by ``today`` at an even pace over the period.

    The straight line from 0 on the day before ``start`` to the target on
    ``end`` (taakstelling plus achterstand), rounded up: a municipality on this
    line houses its target exactly by the end of the half year.
    """
    days = (period.end - period.start).days + 1
    elapsed = min(max((today - period.start).days + 1, 0), days)
    return math.ceil(period.target_persons * elapsed / days - 1e-9)


def _label(household: HouseholdRecord) -> str:
    return household.household_id if household.household_id is not None else FORGOTTEN


def load_state(session: Session, period: PeriodRecord) -> PeriodState:
    """Read everything in force for ``period`` in one go."""
    placements = tuple(
        PlacementFact(
            household_id=_label(household),
            dwelling_id=p.dwelling_id,
            persons=p.persons,
            area_code=p.area_code,
            area_name=p.area_name,
            buurt_code=p.buurt_code,
            wijk_code=p.wijk_code,
            complex_id=p.complex_id,
            concentrated=p.concentrated,
            matching_date=p.matching_date,
            confirmed_at=p.confirmed_at,
            confirmed_by=p.confirmed_by,
            proposal_id=p.proposal_id,
        )
        for p, household in session.execute(
            select(Placement, HouseholdRecord)
            .join(HouseholdRecord, Placement.household_ref == HouseholdRecord.id)
            .where(Placement.period_id == period.id, Placement.undone_at.is_(None))
            .order_by(Placement.id)
        )
    )
    before = frozenset(
        hid
        for hid in session.scalars(
            select(HouseholdRecord.household_id)
            .join(Placement, Placement.household_ref == HouseholdRecord.id)
            .where(
                HouseholdRecord.municipality == period.municipality,
                Placement.period_id != period.id,
                Placement.undone_at.is_(None),
                HouseholdRecord.household_id.is_not(None),
            )
        )
        if hid is not None
    )
    refusals = tuple(
        sorted(
            (hid, dwelling)
            for hid, dwelling in session.execute(
                select(HouseholdRecord.household_id, Refusal.dwelling_id)
                .join(HouseholdRecord, Refusal.household_ref == HouseholdRecord.id)
                .where(
                    HouseholdRecord.municipality == period.municipality,
                    Refusal.withdrawn_at.is_(None),
                    HouseholdRecord.household_id.is_not(None),
                )
            )
            if hid is not None
        )
    )
    pins = tuple(
        PinFact(_label(household), pin.dwelling_id, pin.created_at, pin.created_by, pin.proposal_id)
        for pin, household in session.execute(
            select(Pin, HouseholdRecord)
            .join(HouseholdRecord, Pin.household_ref == HouseholdRecord.id)
            .where(Pin.municipality == period.municipality, Pin.ended_at.is_(None))
            .order_by(Pin.id)
        )
    )
    proposal_ids = list(
        session.scalars(
            select(ProposalRecord.id)
            .where(ProposalRecord.period_id == period.id)
            .order_by(ProposalRecord.id)
        )
    )
    return PeriodState(
        PeriodInfo.of(period),
        placements,
        before,
        refusals,
        pins,
        len(proposal_ids),
        proposal_ids[-1] if proposal_ids else None,
    )


@dataclass(frozen=True)
class PlannerStart:
    """Where the rest of a half year starts, for the planner and ``scenario run``.

    ``simulate`` counts its target from the policy's ``[period]``; starting it at
    ``start`` with ``backlog_persons`` lowered by what is already housed makes
    its target the persons still to house, and its ``carry_over_persons`` the
    true carry-over of the whole period.

    Attributes
    ----------
    start, end
        From the first day not yet behind us (``today``) to the period's end.
    quota_persons, backlog_persons
        The period's taakstelling, and its achterstand minus the persons
        already housed (so ``quota + backlog`` is what remains).
    persons_housed, households_housed
        Already confirmed this period.
    placed_this_period
        Spreading area → households placed (for ``[spreading.placed_this_period]``).
    placed_per_complex
        Building → households placed.
    persons_per_code
        Buurt/wijk code → persons placed (for the projected composition).
    housed_household_ids, let_dwelling_ids, refusals
        To take out of the planner's streams (and the pairs it must not propose).
    remaining_months
        Calendar months from ``start`` to ``end``, both included.
    """

    municipality: str
    start: dt.date
    end: dt.date
    quota_persons: int
    backlog_persons: int
    persons_housed: int
    households_housed: int
    placed_this_period: dict[str, int]
    placed_per_complex: dict[str, int]
    persons_per_code: dict[str, int]
    housed_household_ids: frozenset[str]
    let_dwelling_ids: frozenset[str]
    refusals: tuple[tuple[str, str], ...]
    remaining_months: int

    def policy_period(self) -> dict[str, Any]:
        """The ``[period]`` table for the rest of the half year (see class docstring)."""
        return {
            "start": self.start,
            "end": self.end,
            "quota_persons": self.quota_persons,
            "backlog_persons": self.backlog_persons,
        }


def planner_start(state: PeriodState, today: dt.date) -> PlannerStart:
    """The planner's starting point: the rest of the period after what is confirmed."""
    period = state.period
    start = min(max(today, period.start), period.end)
    months = (period.end.year - start.year) * 12 + period.end.month - start.month + 1
    return PlannerStart(
        municipality=period.municipality,
        start=start,
        end=period.end,
        quota_persons=period.quota_persons,
        backlog_persons=period.backlog_persons - state.persons_housed,
        persons_housed=state.persons_housed,
        households_housed=state.households_housed,
        placed_this_period=state.placed_per_area,
        placed_per_complex=state.placed_per_complex,
        persons_per_code=state.persons_per_code,
        housed_household_ids=state.housed_ids,
        let_dwelling_ids=frozenset(state.let_dwellings),
        refusals=state.refusals,
        remaining_months=months,
    )
