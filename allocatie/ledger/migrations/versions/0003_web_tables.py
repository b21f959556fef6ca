"""The web app's tables join the ledger's schema history.

Until this revision the app made its ``web_`` tables itself with
``create_all`` beside the ledger's; now the ledger's migrations make them, so
the schema of a ledger database is one history (the models and the migrations
are compared by a test) and :mod:`allocatie.ledger.forget` can rely on them.

A ledger the previous version's app already used has these tables, made from
the same definitions, with its users, uploads and drafts in them: such a table
is kept as it is, with its rows; only the missing ones are made.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _tables() -> list[tuple[str, list[SchemaItem]]]:
    """Each web table's columns and constraints, as :mod:`allocatie.ledger.schema` defines them."""
    return [
        (
            "web_user",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("username", sa.String(100), nullable=False),
                sa.Column("role", sa.String(20), nullable=False),
                sa.Column("corporation", sa.String(200), nullable=True),
                sa.Column("password_hash", sa.String(200), nullable=False),
                sa.Column("created_at", sa.DateTime(), nullable=False),
                sa.Column("active", sa.Boolean(), nullable=False),
                sa.PrimaryKeyConstraint("id", name="pk_web_user"),
                sa.UniqueConstraint("username", name="uq_web_user_username"),
            ],
        ),
        (
            "web_upload",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("municipality", sa.String(6), nullable=False),
                sa.Column("kind", sa.String(20), nullable=False),
                sa.Column("corporation", sa.String(200), nullable=True),
                sa.Column("filename", sa.String(200), nullable=False),
                sa.Column("content", sa.LargeBinary(), nullable=False),
                sa.Column("sha256", sa.String(64), nullable=False),
                sa.Column("uploaded_at", sa.DateTime(), nullable=False),
                sa.Column("uploaded_by", sa.String(100), nullable=False),
                sa.Column("superseded", sa.Boolean(), nullable=False),
                sa.PrimaryKeyConstraint("id", name="pk_web_upload"),
            ],
        ),
        (
            "web_proposal",
            [
                sa.Column("proposal_id", sa.Integer(), nullable=False),
                sa.Column("uploads", sa.Text(), nullable=False),
                sa.Column("matching_date", sa.Date(), nullable=False),
                sa.PrimaryKeyConstraint("proposal_id", name="pk_web_proposal"),
            ],
        ),
        (
            "web_draft",
            [
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("proposal_id", sa.Integer(), nullable=False),
                sa.Column("household_ref", sa.Integer(), nullable=False),
                sa.Column("dwelling_id", sa.String(100), nullable=False),
                sa.Column("decision", sa.String(10), nullable=False),
                sa.Column("sequence", sa.Integer(), nullable=False),
                sa.Column("decided_at", sa.DateTime(), nullable=False),
                sa.Column("decided_by", sa.String(100), nullable=False),
                sa.PrimaryKeyConstraint("id", name="pk_web_draft"),
                sa.UniqueConstraint(
                    "proposal_id", "household_ref", name="uq_web_draft_proposal_id_household_ref"
                ),
            ],
        ),
        (
            "web_secret",
            [
                sa.Column("name", sa.String(50), nullable=False),
                sa.Column("value", sa.String(200), nullable=False),
                sa.PrimaryKeyConstraint("name", name="pk_web_secret"),
            ],
        ),
    ]


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, items in _tables():
        if name not in present:  # made by the previous version's app: kept with its rows
            op.create_table(name, *items)


def downgrade() -> None:
    for name, _items in reversed(_tables()):
        op.drop_table(name)
