"""The ledger: a half year kept across monthly meetings.

Each meeting starts where the last one ended and every decision can be traced
later. One module per job:

- :mod:`~allocatie.ledger.schema` — the tables (SQLAlchemy 2 typed models), the
  integrity the database itself enforces, and the web app's ``web_`` tables;
- :mod:`~allocatie.ledger.store` — which ledger (URL), opening it, migrations
  (:mod:`allocatie.ledger.migrations`, Alembic, run on open), transactions and locks;
- :mod:`~allocatie.ledger.periods` — open, find, report (status) and close a period;
- :mod:`~allocatie.ledger.state` — what is in force now, for every other module;
- :mod:`~allocatie.ledger.monthly` — the month's files shaped by the ledger, and the run;
- :mod:`~allocatie.ledger.proposals` — ``month propose``: make and store a proposal;
- :mod:`~allocatie.ledger.decisions` — read the ``besluit`` column of a filled-in plan;
- :mod:`~allocatie.ledger.confirm` — ``month confirm``: check all, record all or nothing;
- :mod:`~allocatie.ledger.corrections` — ``month undo``: corrections as events;
- :mod:`~allocatie.ledger.events` — the audit trail;
- :mod:`~allocatie.ledger.export` — the council's workbook;
- :mod:`~allocatie.ledger.forget` — AVG erasure (the web app's uploads and drafts too);
- :mod:`~allocatie.ledger.planning` — the planner's what-if from the ledger's state.

Nothing is imported here, so ``allocatie --help`` and ``month confirm`` stay light.
"""
