"""Alembic migrations of the ledger, shipped inside the package.

Run programmatically by :func:`allocatie.ledger.store.open_ledger` (no
``alembic.ini``). A new revision for a schema change::

    python -c "from alembic import command; from allocatie.ledger.store import alembic_config; \
command.revision(alembic_config(), 'what changes', rev_id='0003')"

then write its ``upgrade`` by hand (batch operations for SQLite) and run
``tests/ledger/test_migrations.py``: it checks the models and the migrations agree
and that a ledger made at the first revision is upgraded with its data kept.
"""
