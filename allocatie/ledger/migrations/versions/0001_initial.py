"""The first ledger schema: periods, households, proposals, decisions, events.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _partial(where: str) -> dict[str, Any]:
    return {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}


def upgrade() -> None:
    op.create_table(
        "period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("quota_persons", sa.Integer(), nullable=False),
        sa.Column("backlog_persons", sa.Integer(), nullable=False),
        sa.Column("backlog_source", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(100), nullable=True),
        sa.Column("persons_housed_at_close", sa.Integer(), nullable=True),
        sa.Column("carry_over_persons", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_period"),
        sa.UniqueConstraint("municipality", "start", name="uq_period_municipality_start"),
        sa.CheckConstraint('"end" >= start', name="ck_period_end_after_start"),
        sa.CheckConstraint("quota_persons >= 0", name="ck_period_quota_not_negative"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_period_status"),
    )
    op.create_index(
        "uq_period_open_municipality",
        "period",
        ["municipality"],
        unique=True,
        **_partial("status = 'open'"),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=False),
        sa.Column("household_id", sa.String(100), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("expected_reunification", sa.Integer(), nullable=True),
        sa.Column("linked_on", sa.Date(), nullable=True),
        sa.Column("forgotten_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
        sa.UniqueConstraint(
            "municipality", "household_id", name="uq_household_municipality_household_id"
        ),
        sa.CheckConstraint("persons >= 1", name="ck_household_persons_positive"),
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("period_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("matching_date", sa.Date(), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("households_placed", sa.Integer(), nullable=False),
        sa.Column("persons_placed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name="fk_proposal_period_id_period"),
        sa.PrimaryKeyConstraint("id", name="pk_proposal"),
    )
    op.create_table(
        "proposal_dwelling",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=False),
        sa.Column("area_code", sa.String(20), nullable=True),
        sa.Column("area_name", sa.String(200), nullable=True),
        sa.Column("buurt_code", sa.String(20), nullable=True),
        sa.Column("wijk_code", sa.String(20), nullable=True),
        sa.Column("complex_id", sa.String(100), nullable=True),
        sa.Column("concentrated", sa.Boolean(), nullable=True),
        sa.Column("headroom_persons", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_proposal_dwelling_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("proposal_id", "dwelling_id", name="pk_proposal_dwelling"),
    )
    op.create_table(
        "proposal_row",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("household_ref", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_proposal_row_household_ref_household"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_proposal_row_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("proposal_id", "household_ref", name="pk_proposal_row"),
    )
    op.create_table(
        "proposal_option",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("household_ref", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_proposal_option_household_ref_household"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_proposal_option_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint(
            "proposal_id", "household_ref", "dwelling_id", name="pk_proposal_option"
        ),
    )
    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("household_ref", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(20), nullable=True),
        sa.Column("area_name", sa.String(200), nullable=True),
        sa.Column("buurt_code", sa.String(20), nullable=True),
        sa.Column("wijk_code", sa.String(20), nullable=True),
        sa.Column("complex_id", sa.String(100), nullable=True),
        sa.Column("concentrated", sa.Boolean(), nullable=True),
        sa.Column("matching_date", sa.Date(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(100), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(100), nullable=True),
        sa.Column("undo_reason", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_placement_household_ref_household"
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name="fk_placement_period_id_period"),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_placement_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_placement"),
        sa.CheckConstraint("persons >= 1", name="ck_placement_persons_positive"),
    )
    op.create_index(
        "uq_placement_dwelling_active",
        "placement",
        ["period_id", "dwelling_id"],
        unique=True,
        **_partial("undone_at IS NULL"),
    )
    op.create_index(
        "uq_placement_household_active",
        "placement",
        ["household_ref"],
        unique=True,
        **_partial("undone_at IS NULL"),
    )
    op.create_table(
        "refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_ref", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_refusal_household_ref_household"
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name="fk_refusal_period_id_period"),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_refusal_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refusal"),
    )
    op.create_index(
        "uq_refusal_pair_active",
        "refusal",
        ["household_ref", "dwelling_id"],
        unique=True,
        **_partial("withdrawn_at IS NULL"),
    )
    op.create_table(
        "pin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=False),
        sa.Column("household_ref", sa.Integer(), nullable=False),
        sa.Column("dwelling_id", sa.String(100), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(100), nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_pin_household_ref_household"
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name="fk_pin_period_id_period"),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_pin_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pin"),
    )
    op.create_index(
        "uq_pin_household_active",
        "pin",
        ["household_ref"],
        unique=True,
        **_partial("ended_at IS NULL"),
    )
    op.create_index(
        "uq_pin_dwelling_active",
        "pin",
        ["municipality", "dwelling_id"],
        unique=True,
        **_partial("ended_at IS NULL"),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("household_ref", sa.Integer(), nullable=True),
        sa.Column("dwelling_id", sa.String(100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_ref"], ["household.id"], name="fk_event_household_ref_household"
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name="fk_event_period_id_period"),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name="fk_event_proposal_id_proposal"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
    )
    op.create_index("ix_event_household_ref", "event", ["household_ref"])


def downgrade() -> None:
    for table in (
        "event",
        "pin",
        "refusal",
        "placement",
        "proposal_option",
        "proposal_row",
        "proposal_dwelling",
        "proposal",
        "household",
        "period",
    ):
        op.drop_table(table)
