"""The web app's own tables, beside the ledger's in the same database.

The app needs four things the ledger does not keep: its users, the month's
uploaded files (the ledger stores only their SHA-256), the meeting's decisions
while the meeting is still deciding, and the key that signs session cookies.
They live in tables prefixed ``web_`` with their own SQLAlchemy metadata, made
with ``create_all`` once the ledger exists (the ledger refuses a database that
holds other tables but no ledger, so they are never made first). A migration of
the ledger may adopt them later; the names and columns are chosen so that it
can do so unchanged.

Households are referred to by the ledger's row (``household_ref``), never by
their id, so forgetting a household in the ledger leaves no id behind here.
The uploaded files are the exception the job requires: they *are* the month's
households and offer, as the coordinator gave them; they are deleted when the
next period is opened in the app (:func:`allocatie.web.files.prune`, which also
runs when the app starts).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from allocatie.ledger.schema import UTCDateTime
from allocatie.ledger.store import Ledger

__all__ = [
    "WebBase",
    "WebDraft",
    "WebProposal",
    "WebSecret",
    "WebUpload",
    "WebUser",
    "ensure_tables",
]


class WebBase(DeclarativeBase):
    """Declarative base of the ``web_`` tables (metadata apart from the ledger's)."""

    metadata = MetaData(
        naming_convention={
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class WebUser(WebBase):
    """Someone who may log in: a coordinator, a corporation's planner or a viewer.

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


class WebUpload(WebBase):
    """One uploaded file of a month: households, dwellings, policy or amenities.

    Rows are never changed: a new upload of the same kind (and, for a
    corporation's offer, the same corporation) supersedes the older one, and a
    proposal names the uploads it was made from (:class:`WebProposal`), so a
    re-solve during the meeting reads exactly the files the proposal read.
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


class WebProposal(WebBase):
    """Which uploads a ledger proposal was made from, and for which meeting date.

    ``uploads`` is a JSON list of :class:`WebUpload` ids.
    """

    __tablename__ = "web_proposal"

    proposal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploads: Mapped[str] = mapped_column(Text)
    matching_date: Mapped[dt.date] = mapped_column()


class WebDraft(WebBase):
    """A decision taken in the meeting and not yet confirmed into the ledger.

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


class WebSecret(WebBase):
    """Named secrets of the app: the key that signs session cookies."""

    __tablename__ = "web_secret"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def ensure_tables(ledger: Ledger) -> None:
    """Make the ``web_`` tables that are missing (never touches the ledger's own)."""
    WebBase.metadata.create_all(ledger.engine, checkfirst=True)
