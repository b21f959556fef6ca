"""Alembic environment of the ledger: migrate the connection it is handed.

:func:`allocatie.ledger.store.upgrade` passes an open connection (inside its
transaction, holding the write lock) in ``config.attributes["connection"]``;
without one (``alembic`` run by hand on a URL) an engine is made from
``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.engine import Connection

from allocatie.ledger.schema import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite changes columns by copying the table
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        _run(connection)
