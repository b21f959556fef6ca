"""Events record the allocatie version that wrote them; proposals keep their KPIs.

The Algoritmeregister and an objection both ask which version of the algorithm
made a decision, and the council's half-year report shows each meeting's
figures. Events written before this revision get ``app_version = 'onbekend'``
(unknown), never a guess; their proposals have no stored KPIs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("app_version", sa.String(40), nullable=False, server_default="onbekend")
        )
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("kpis", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.drop_column("kpis")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("app_version")
