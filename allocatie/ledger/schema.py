"""The ledger's tables, as typed SQLAlchemy 2 models.

The ledger keeps a half year of monthly meetings: the period and its
taakstelling, every proposal with the rows it proposed, the decisions of the
meeting (placements, refusals, pins) and an event per change. It stores only
what the rules and the audit trail need: the ids the user gave, sizes, dates,
area codes and decisions. No names, no BSN, no free text about a household, no
passthrough columns (intake notes stay in the user's files).

Integrity lives in the database as well as in Python, because two coordinators
may write at once and a bug must not be able to let a dwelling twice:

- one open period per municipality (partial unique index);
- at most one *active* (not undone) placement per dwelling and period, and per
  household over all periods (partial unique indexes on ``undone_at IS NULL``);
- at most one active pin per household and per dwelling, one active refusal
  per pair;
- ``period.version`` is the optimistic-locking counter: every proposal and
  every change of the period's state raises it, and a confirmation is accepted
  only for the proposal made at the current version (see
  :mod:`allocatie.ledger.confirm`).

The web app's tables (prefix ``web_``: its users, the month's uploaded files,
the meeting's draft decisions, the session key) are defined here too, on the
same metadata, so the ledger's migrations make them (revision 0003) and one
definition serves both the app and :mod:`allocatie.ledger.forget`, which must
erase a household from them. The uploaded files are the one place where the
database holds the coordinator's own files (personal data): see
:class:`WebUpload`.

The migrations in ``migrations/versions`` create exactly these tables; a test
compares the two, so a model change without a migration fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ACTIVE",
    "Base",
    "EVENT_KINDS",
    "Event",
    "HouseholdRecord",
    "PeriodRecord",
    "Pin",
    "Placement",
    "ProposalDwelling",
    "ProposalOption",
    "ProposalRecord",
    "ProposedRow",
    "Refusal",
    "UTCDateTime",
    "WEB_TABLES",
    "WebDraft",
    "WebProposal",
    "WebSecret",
    "WebUpload",
    "WebUser",
]

#: Constraint names follow one pattern, so migrations can name what they change.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: What happened, as recorded in :class:`Event` ``kind``.
EVENT_KINDS = (
    "opened",
    "proposed",
    "confirmed",
    "refused",
    "pinned",
    "closed",
    "corrected",
    "forgotten",
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, stored as naive UTC and returned as an aware UTC datetime.

    SQLite has no time zones and PostgreSQL converts ``timestamptz`` to the
    session's zone; storing naive UTC makes both give back the same instant.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("ledger times must be aware (UTC)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # defensive: SQLite without type detection
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with the ledger's constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING)


#: ``WHERE`` of the partial unique indexes: only rows still in force count.
ACTIVE = {
    "placement": "undone_at IS NULL",
    "refusal": "withdrawn_at IS NULL",
    "pin": "ended_at IS NULL",
    "period": "status = 'open'",
}


def _partial(table: str) -> dict[str, Any]:
    """Dialect options of a partial index on the rows of ``table`` in force."""
    where = text(ACTIVE[table])
    return {"sqlite_where": where, "postgresql_where": where}


class PeriodRecord(Base):
    """A half year of one municipality: its taakstelling and where it stands.

    ``backlog_persons`` is the achterstand carried in (negative: voorsprong),
    ``backlog_source`` says where it came from (given when the period was opened,
    carried from the previous closed period, or none), as a plain fact that
    every front end shows (:data:`allocatie.ledger.periods.BACKLOG_GIVEN`).
    ``carry_over_persons`` is set on
    closing: taakstelling + achterstand − persons housed.
    """

    __tablename__ = "period"
    __table_args__ = (
        UniqueConstraint("municipality", "start"),
        CheckConstraint('"end" >= start', name="end_after_start"),
        CheckConstraint("quota_persons >= 0", name="quota_not_negative"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("uq_period_open_municipality", "municipality", unique=True, **_partial("period")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(6))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    quota_persons: Mapped[int] = mapped_column(Integer)
    backlog_persons: Mapped[int] = mapped_column(Integer)
    backlog_source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")
    version: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    persons_housed_at_close: Mapped[int | None] = mapped_column(Integer, nullable=True)
    carry_over_persons: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def target_persons(self) -> int:
        """Persons to house this period: taakstelling plus achterstand (never below 0)."""
        return max(self.quota_persons + self.backlog_persons, 0)

    @property
    def label(self) -> str:
        """``GM0153 2019-07-01–2019-12-31``, for messages."""
        return f"{self.municipality} {self.start.isoformat()}–{self.end.isoformat()}"


class HouseholdRecord(Base):
    """A household as the rules need it: the user's id, its size and its koppeling date.

    ``household_id`` (the user's pseudonymous id), ``expected_reunification``
    and ``linked_on`` are cleared when the household is forgotten (AVG);
    ``persons`` stays, because the taakstelling counts it.
    """

    __tablename__ = "household"
    __table_args__ = (
        UniqueConstraint("municipality", "household_id"),
        CheckConstraint("persons >= 1", name="persons_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(6))
    household_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    persons: Mapped[int] = mapped_column(Integer)
    expected_reunification: Mapped[int | None] = mapped_column(Integer, nullable=True)
    linked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    forgotten_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProposalRecord(Base):
    """One proposed plan of a meeting, and how it came about.

    ``period_version`` is the period's version this proposal set: it can be
    confirmed only while the period is still at that version. ``manifest``
    holds the input files' SHA-256 (never their content), the policy as used
    (with what the ledger contributed) and the run's facts, as JSON.
    """

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    period_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    matching_date: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(Text)
    manifest: Mapped[str] = mapped_column(Text)
    households: Mapped[int] = mapped_column(Integer)
    households_placed: Mapped[int] = mapped_column(Integer)
    persons_placed: Mapped[int] = mapped_column(Integer)
    kpis: Mapped[str | None] = mapped_column(Text, nullable=True)  # revision 0002


class ProposalDwelling(Base):
    """A dwelling on offer in a proposal, with what the caps need to know of it.

    ``headroom_persons`` is the projected-composition room of its spreading
    area at the time of the proposal (NULL: no limit).
    """

    __tablename__ = "proposal_dwelling"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    dwelling_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    area_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    buurt_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    wijk_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    complex_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    concentrated: Mapped[bool | None] = mapped_column(nullable=True)
    headroom_persons: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProposedRow(Base):
    """One household's row of a proposal: the dwelling proposed (NULL: waiting) and why.

    ``reason`` is the engine's sentence; it is cleared when the household is
    forgotten, because it may mention the household's needs.
    """

    __tablename__ = "proposal_row"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    household_ref: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    dwelling_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    persons: Mapped[int] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(default=False)
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProposalOption(Base):
    """An eligible (household, dwelling) pair of a proposal.

    A meeting may decide on another eligible dwelling than the one proposed;
    these rows let a confirmation check that choice against the rules the
    proposal was made with, without keeping any household attribute.
    """

    __tablename__ = "proposal_option"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    household_ref: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    dwelling_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class Placement(Base):
    """A confirmed placement: it counts toward the taakstelling until undone.

    Undoing (the placement fell through) sets ``undone_*``; the row stays, so
    the history can show both.
    """

    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("persons >= 1", name="persons_positive"),
        Index(
            "uq_placement_dwelling_active",
            "period_id",
            "dwelling_id",
            unique=True,
            **_partial("placement"),
        ),
        Index(
            "uq_placement_household_active", "household_ref", unique=True, **_partial("placement")
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    household_ref: Mapped[int] = mapped_column(ForeignKey("household.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    dwelling_id: Mapped[str] = mapped_column(String(100))
    persons: Mapped[int] = mapped_column(Integer)
    area_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    area_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    buurt_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    wijk_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    complex_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    concentrated: Mapped[bool | None] = mapped_column(nullable=True)
    matching_date: Mapped[dt.date] = mapped_column(Date)
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str] = mapped_column(String(100))
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    undo_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Refusal(Base):
    """A household refused a dwelling: the pair is not proposed again.

    Refusals hold across periods; a refusal recorded by mistake is withdrawn
    (``withdrawn_*``), never deleted.
    """

    __tablename__ = "refusal"
    __table_args__ = (
        Index(
            "uq_refusal_pair_active",
            "household_ref",
            "dwelling_id",
            unique=True,
            **_partial("refusal"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_ref: Mapped[int] = mapped_column(ForeignKey("household.id"))
    dwelling_id: Mapped[str] = mapped_column(String(100))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Pin(Base):
    """A promise: this household gets this dwelling; every next proposal keeps it.

    A pin ends (``ended_*``, with ``end_reason``) when the placement is
    confirmed, the pair is refused, it is replaced by another pin of the
    household, it is withdrawn as a correction, or the household is forgotten.
    """

    __tablename__ = "pin"
    __table_args__ = (
        Index("uq_pin_household_active", "household_ref", unique=True, **_partial("pin")),
        Index(
            "uq_pin_dwelling_active", "municipality", "dwelling_id", unique=True, **_partial("pin")
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(6))
    household_ref: Mapped[int] = mapped_column(ForeignKey("household.id"))
    dwelling_id: Mapped[str] = mapped_column(String(100))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Event(Base):
    """One line of the audit trail: what happened, when, by whom.

    A household is referred to by ``household_ref`` only, never by its id in
    ``detail``, so forgetting a household removes its id from the whole
    history at once. ``detail`` is JSON with a Dutch ``message`` and the
    figures of the event. ``app_version`` (revision 0002) is the allocatie
    version that wrote the event, for the Algoritmeregister.
    """

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_household_ref", "household_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    municipality: Mapped[str] = mapped_column(String(6))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"), nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    household_ref: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True)
    dwelling_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    app_version: Mapped[str] = mapped_column(String(40), server_default="onbekend")


# --------------------------------------------------------------------------
# The web app's tables (revision 0003). Households are referred to by the
# ledger's row (``household_ref``), never by their id, so forgetting a household
# leaves no id behind here, except in the uploaded files themselves, which
# :func:`allocatie.ledger.forget.forget_household` deletes.


class WebUser(Base):
    """Someone who may log in to the web app: a coordinator, a corporation's planner or a viewer.

    ``password_hash`` is an Argon2id hash (PHC string); the password itself is
    never stored. ``corporation`` is set for role ``corporatie`` only and is
    compared with the ``corporation`` column of the offer.
    """

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    corporation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebUpload(Base):
    """One file uploaded in the web app for a month: households, dwellings, policy or amenities.

    The ledger stores only the SHA-256 of the files a proposal read; the app
    keeps the files themselves, because a re-solve during the meeting must read
    exactly what the proposal read. They *are* the month's households as the
    coordinator gave them (personal data), so they go when their half year is
    closed (:func:`allocatie.web.files.prune`) and when a household named in
    them is forgotten.

    Rows are never changed: a new upload of the same kind (and, for a
    corporation's offer, the same corporation) supersedes the older one, and a
    proposal names the uploads it was made from (:class:`WebProposal`).
    """

    __tablename__ = "web_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    corporation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)


class WebProposal(Base):
    """Which uploads a ledger proposal made in the app was made from, and for which meeting date.

    ``uploads`` is a JSON list of :class:`WebUpload` ids.
    """

    __tablename__ = "web_proposal"

    proposal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploads: Mapped[str] = mapped_column(Text)
    matching_date: Mapped[dt.date] = mapped_column()


class WebDraft(Base):
    """A decision taken in the meeting in the app and not yet confirmed into the ledger.

    One per household and proposal; ``sequence`` orders them, so "what changed"
    is the plan with every draft against the plan without the latest one.
    """

    __tablename__ = "web_draft"
    __table_args__ = (UniqueConstraint("proposal_id", "household_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(Integer)
    household_ref: Mapped[int] = mapped_column(Integer)
    dwelling_id: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(100))


class WebSecret(Base):
    """Named secrets of the web app: the key that signs session cookies."""

    __tablename__ = "web_secret"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


#: The web app's tables, in the order revision 0003 makes them.
WEB_TABLES = ("web_user", "web_upload", "web_proposal", "web_draft", "web_secret")
