"""Users of the web app: roles, Argon2 password hashes, checking a login.

Three roles, enforced on the server for every page and every action:

``coordinator``
    the municipality's housing coordinator: everything (uploads, proposals,
    decisions, confirmation, a household's history).
``corporatie``
    a housing corporation's planner: uploads its own offer, sees and decides
    on the rows of its own dwellings only.
``viewer``
    e.g. a council member or an alderman's adviser: the period's figures and
    the plan in aggregate, never a household id.

Passwords are hashed with Argon2id (argon2-cffi's defaults, the RFC 9106 low
memory profile); a hash made with older parameters is upgraded at the next
successful login. An unknown user name costs the same hash check as a wrong
password, so the answer time does not tell which names exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import now
from allocatie.ledger.store import Ledger
from allocatie.web.tables import WebUser, ensure_tables

__all__ = ["MIN_PASSWORD", "Role", "User", "add_user", "authenticate", "get_user"]

#: Shortest password accepted; a passphrase of a few words is what we ask for.
MIN_PASSWORD = 10
_NAME = re.compile(r"[A-Za-z0-9._@-]{2,100}")
_HASHER = PasswordHasher()
#: Checked when the user name is unknown, so both answers take as long.
_DUMMY = _HASHER.hash("allocatie: geen gebruiker met deze naam")


class Role(StrEnum):
    """What a user may do (see the module docstring)."""

    COORDINATOR = "coordinator"
    CORPORATION = "corporatie"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role in the Dutch of the screens."""
        return {"coordinator": "coördinator", "corporatie": "corporatie", "viewer": "meekijker"}[
            self.value
        ]


@dataclass(frozen=True)
class User:
    """A logged-in user, detached from the database."""

    username: str
    role: Role
    corporation: str | None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def sees_households(self) -> bool:
        """Viewers see aggregates only: no household id ever reaches their screen."""
        return self.role is not Role.VIEWER

    def owns(self, corporation: object) -> bool:
        """May this user see and decide on a dwelling of ``corporation``?"""
        if self.role is Role.COORDINATOR:
            return True
        if self.role is Role.CORPORATION:
            return isinstance(corporation, str) and corporation == self.corporation
        return False


def _user(row: WebUser) -> User:
    return User(row.username, Role(row.role), row.corporation)


def add_user(
    ledger: Ledger,
    username: str,
    password: str,
    role: str,
    corporation: str | None = None,
) -> User:
    """Add a user, or give an existing one a new password, role and corporation.

    Raises
    ------
    InputError
        For a bad name, an unknown role, a short password, a corporation user
        without corporation or another role with one.
    """
    problems = []
    if not _NAME.fullmatch(username):
        problems.append(
            Problem(
                "NAME",
                None,
                None,
                "een gebruikersnaam heeft 2 tot 100 tekens: letters, cijfers en . _ @ -",
            )
        )
    if role not in {r.value for r in Role}:
        problems.append(Problem("--role", None, None, "kies coordinator, corporatie of viewer"))
    if len(password) < MIN_PASSWORD:
        problems.append(
            Problem(
                "wachtwoord",
                None,
                None,
                f"het wachtwoord moet minstens {MIN_PASSWORD} tekens hebben",
            )
        )
    if role == Role.CORPORATION and not (corporation or "").strip():
        problems.append(
            Problem(
                "--corporation", None, None, "een corporatie-gebruiker hoort bij een corporatie"
            )
        )
    if role != Role.CORPORATION and corporation:
        problems.append(
            Problem("--corporation", None, None, "alleen de rol corporatie heeft een corporatie")
        )
    if problems:
        raise InputError(problems)
    ensure_tables(ledger)
    hashed = _HASHER.hash(password)
    with ledger.transaction() as session:
        row = session.scalars(select(WebUser).where(WebUser.username == username)).first()
        if row is None:
            row = WebUser(username=username, created_at=now())
            session.add(row)
        row.role = role
        row.corporation = corporation.strip() if corporation else None
        row.password_hash = hashed
        row.active = True
        return _user(row)


def get_user(ledger: Ledger, username: str) -> User | None:
    """The active user of that name, if any (read on every request: roles may change)."""
    with ledger.engine.connect() as connection:
        row = connection.execute(
            select(WebUser.username, WebUser.role, WebUser.corporation).where(
                WebUser.username == username, WebUser.active.is_(True)
            )
        ).first()
    return None if row is None else User(row[0], Role(row[1]), row[2])


def authenticate(ledger: Ledger, username: str, password: str) -> User | None:
    """The user when the password is right, else ``None`` (never says which part was wrong)."""
    with ledger.engine.connect() as connection:
        row = connection.execute(
            select(WebUser.password_hash).where(
                WebUser.username == username, WebUser.active.is_(True)
            )
        ).first()
    stored = row[0] if row is not None else _DUMMY
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        with ledger.transaction() as session:
            found = session.scalars(select(WebUser).where(WebUser.username == username)).one()
            found.password_hash = _HASHER.hash(password)
    return get_user(ledger, username)
