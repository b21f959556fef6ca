"""A period's ``backlog_source`` is a plain fact, without the command line's hint.

The web app's overview shows where a period's achterstand came from, and the
texts written before this revision spoke to a command-line user ("gegeven met
--backlog", "… (geef --backlog als er een is)"), also for periods opened in
the app. They become the facts the ledger now writes; ``allocatie period
open`` adds its hint itself. The events keep the words they were written
with: the history is never rewritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Text before this revision → text from it (frozen here: a later wording change is
#: a revision of its own).
PLAIN = {
    "gegeven met --backlog": "gegeven bij het openen",
    "geen eerdere periode in de ledger: 0 (geef --backlog als er een is)": (
        "geen eerdere periode in de ledger: 0"
    ),
}


def _rewrite(pairs: dict[str, str]) -> None:
    period = sa.table("period", sa.column("backlog_source", sa.String(200)))
    for old, new in pairs.items():
        op.execute(
            period.update()
            .where(period.c.backlog_source == sa.literal(old))
            .values(backlog_source=sa.literal(new))
        )


def upgrade() -> None:
    _rewrite(PLAIN)


def downgrade() -> None:
    _rewrite({new: old for old, new in PLAIN.items()})
