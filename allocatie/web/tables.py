"""The web app's own tables, beside the ledger's in the same database.

The app needs four things the ledger does not keep: its users, the month's
uploaded files (the ledger stores only their SHA-256), the meeting's decisions
while the meeting is still deciding, and the key that signs session cookies.
They live in tables prefixed ``web_``, defined in
:mod:`allocatie.ledger.schema` on the ledger's own metadata and made by the
ledger's migrations (revision 0003) when a ledger is opened, so one definition
serves the app, the migrations and :func:`allocatie.ledger.forget.forget_household`
(which must erase a forgotten household from the uploads and drafts too). This
module names them for the app.

Households are referred to by the ledger's row (``household_ref``), never by
their id. The uploaded files are the exception the job requires: they *are*
the month's households and offer, as the coordinator gave them; they are
deleted when the next period is opened in the app
(:func:`allocatie.web.files.prune`, which also runs when the app starts) and
when a household named in them is forgotten.
"""

from __future__ import annotations

from allocatie.ledger.schema import WebDraft, WebProposal, WebSecret, WebUpload, WebUser
from allocatie.ledger.store import Ledger

__all__ = [
    "WebDraft",
    "WebProposal",
    "WebSecret",
    "WebUpload",
    "WebUser",
    "ensure_tables",
]


def ensure_tables(ledger: Ledger) -> None:
    """Nothing to do: opening the ledger made the ``web_`` tables (migration 0003).

    Kept so that callers written when the app made its tables itself
    (:func:`allocatie.web.users.add_user`) keep working; it creates nothing,
    because a table made outside the migrations is one the schema history
    does not know. It can go once no caller is left.
    """
    del ledger
