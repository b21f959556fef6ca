"""Where the ledger lives and how it is opened: URL, engine, migrations, transactions.

The ledger is a SQLAlchemy URL: ``--ledger URL``, else the environment variable
``ALLOCATIE_LEDGER``, else the SQLite file ``allocatie-ledger.sqlite`` in the
current folder (every command says which one it used). A plain path is read as a
SQLite file; PostgreSQL (``postgresql+psycopg://user:pw@host/db``) serves a
shared deployment.

Opening a ledger brings its tables to the current schema with the Alembic
migrations shipped in :mod:`allocatie.ledger.migrations`: a ledger made by an
older version is upgraded in place, never recreated. Only ``period open`` may
create a new ledger; every other command refuses a missing one, so a typo in a
path does not silently start an empty half year.

Every change is one transaction that holds the period's write lock: ``BEGIN
IMMEDIATE`` on SQLite (one writer at a time, taken before anything is read) and
``SELECT … FOR UPDATE`` of the period row on PostgreSQL (see :func:`lock_period`).
Together with the period's version counter this is what keeps two coordinators
confirming at once from losing a decision or letting a dwelling twice.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.schema import PeriodRecord

__all__ = [
    "DEFAULT_FILE",
    "ENV_VAR",
    "Ledger",
    "LedgerLocation",
    "alembic_config",
    "current_user",
    "head_revision",
    "lock_period",
    "open_ledger",
    "resolve",
]

#: Environment variable naming the ledger when ``--ledger`` is not given.
ENV_VAR = "ALLOCATIE_LEDGER"
#: The SQLite file used when neither ``--ledger`` nor :data:`ENV_VAR` is given.
DEFAULT_FILE = "allocatie-ledger.sqlite"
#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_SECONDS = 60
#: Key of the PostgreSQL advisory lock held while migrating (any fixed number).
_MIGRATION_LOCK = 0x616C6C6F63


@dataclass(frozen=True)
class LedgerLocation:
    """Which ledger a command uses and how it was chosen.

    Attributes
    ----------
    url
        The SQLAlchemy URL.
    source
        ``"--ledger"``, :data:`ENV_VAR` or ``"standaard"`` (the default file).
    """

    url: URL
    source: str

    @property
    def shown(self) -> str:
        """The URL with any password masked, for messages."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file, or ``None`` for another database (or in-memory SQLite)."""
        if not self.is_sqlite or self.url.database in (None, "", ":memory:"):
            return None
        return Path(str(self.url.database))

    def describe(self) -> str:
        """``Ledger: sqlite:///… (standaard: …)``, the line every command prints."""
        why = {
            "--ledger": "gegeven met --ledger",
            ENV_VAR: f"uit {ENV_VAR}",
            "standaard": f"standaard: {DEFAULT_FILE} in de huidige map",
        }[self.source]
        return f"Ledger: {self.shown} ({why})"


def resolve(given: str | None = None, cwd: Path | None = None) -> LedgerLocation:
    """The ledger's location from ``--ledger``, the environment, or the default file.

    A value without ``://`` is a path to a SQLite file.

    Raises
    ------
    InputError
        When the value is not a valid SQLAlchemy URL.
    """
    if given:
        value, source = given, "--ledger"
    elif os.environ.get(ENV_VAR):
        value, source = os.environ[ENV_VAR], ENV_VAR
    else:
        value, source = str((cwd or Path.cwd()) / DEFAULT_FILE), "standaard"
    if "://" not in value:
        value = URL.create("sqlite", database=str(Path(value))).render_as_string()
    try:
        url = make_url(value)
    except ArgumentError as error:
        raise InputError(
            [Problem(source, None, None, f"geen geldige database-URL (SQLAlchemy): {error}")]
        ) from None
    return LedgerLocation(url, source)


def current_user(given: str | None = None) -> str:
    """The user recorded with each event: ``--user``, else the operating-system user."""
    if given:
        return given.strip()[:100]
    try:
        return getpass.getuser()[:100]
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"uid-{os.getuid()}"


def alembic_config(url: URL | str | None = None, connection: Connection | None = None) -> Any:
    """An Alembic configuration for the migrations inside the package.

    No ``alembic.ini`` is needed: the script location is found with
    :mod:`importlib.resources`, so an installed wheel migrates its ledgers too.
    """
    from alembic.config import Config

    config = Config()
    location = resources.files("allocatie.ledger") / "migrations"
    config.set_main_option("script_location", str(location))
    if url is not None:
        rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of allocatie knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _make_engine(location: LedgerLocation) -> Engine:
    """An engine whose transactions on SQLite begin with ``BEGIN IMMEDIATE``.

    pysqlite's own transaction handling begins lazily, so two writers could both
    read the period's version before either writes; taking the write lock at
    ``BEGIN`` makes a transaction see every earlier commit (the documented
    SQLAlchemy recipe). Foreign keys are switched on, which SQLite leaves off.
    """
    if not location.is_sqlite:
        return create_engine(location.url, pool_pre_ping=True)
    engine = create_engine(location.url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # let BEGIN below start transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass(frozen=True, eq=False)
class Ledger:
    """An open ledger: where it is and an engine on it."""

    location: LedgerLocation
    engine: Engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def lock_period(session: Session, period_id: int) -> PeriodRecord:
    """The period row, locked for this transaction, read fresh from the database.

    On PostgreSQL this is ``SELECT … FOR UPDATE``: a second writer waits here
    until the first commits and then reads the version the first one wrote. On
    SQLite the whole transaction already holds the write lock.
    """
    statement = (
        select(PeriodRecord)
        .where(PeriodRecord.id == period_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(statement).scalar_one()


def _missing(location: LedgerLocation) -> InputError:
    return InputError(
        [
            Problem(
                location.shown,
                None,
                None,
                "hier is nog geen ledger; begin een halfjaar met 'allocatie period open' "
                "(of geef de juiste ledger met --ledger of " + ENV_VAR + ")",
            )
        ]
    )


def open_ledger(location: LedgerLocation, *, create: bool = False) -> Ledger:
    """Open (and, when allowed, create) the ledger, migrating it to the current schema.

    Parameters
    ----------
    location
        From :func:`resolve`.
    create
        Make a new ledger when there is none (``period open`` only).

    Raises
    ------
    InputError
        When there is no ledger and ``create`` is false, when the database holds
        other tables but no ledger, when the ledger was made by a newer allocatie,
        or when the database cannot be reached.
    """
    path = location.sqlite_file
    if path is not None and not path.is_file():
        if not create:
            raise _missing(location)
        if not path.parent.is_dir():
            raise InputError(
                [Problem(location.shown, None, None, f"de map {path.parent} bestaat niet")]
            )
    engine = _make_engine(location)
    try:
        _migrate(engine, location, create)
    except OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise InputError(
            [Problem(location.shown, None, None, f"de ledger is niet bereikbaar: {reason}")]
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return Ledger(location, engine)


def _migrate(engine: Engine, location: LedgerLocation, create: bool) -> None:
    """Bring the schema to the head revision; refuse what is not a ledger of ours.

    The revision is read first, so a ledger that is current costs one query and
    no Alembic import. On PostgreSQL an advisory lock keeps two processes from
    migrating at once; on SQLite the migration runs inside ``BEGIN IMMEDIATE``.
    """
    with engine.connect() as connection:
        current = _current_revision(connection)
    head = head_revision() if current is not None else None
    if current is not None and current == head:
        return
    if current is None:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        if tables:
            raise InputError(
                [
                    Problem(
                        location.shown,
                        None,
                        None,
                        "deze database bevat andere tabellen en geen ledger "
                        f"({', '.join(sorted(tables)[:5])}); kies een lege database",
                    )
                ]
            )
        if not create:
            raise _missing(location)
    elif current not in _known_revisions():
        raise InputError(
            [
                Problem(
                    location.shown,
                    None,
                    None,
                    f"deze ledger is gemaakt door een nieuwere allocatie (schema {current}); "
                    "werk allocatie bij voordat u hem gebruikt",
                )
            ]
        )
    upgrade(engine)


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction (tests use older ones)."""
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        command.upgrade(alembic_config(connection=connection), revision)
