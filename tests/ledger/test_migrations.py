"""The ledger's schema: migrations match the models, old ledgers are upgraded, never recreated."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    inspect,
    text,
)

from allocatie.inputs.errors import InputError
from allocatie.ledger.schema import WEB_TABLES, Base
from allocatie.ledger.store import head_revision, open_ledger, resolve, upgrade
from tests.ledger.conftest import invoke, ok, status


def _differences(engine: Engine) -> list[object]:
    """What Alembic would change to make the database match the models (ledger and web)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_the_migrations_create_exactly_the_models(ledger_url):
    ledger = open_ledger(resolve(ledger_url), create=True)
    assert set(WEB_TABLES) <= set(Base.metadata.tables)  # the comparison covers the web tables
    assert _differences(ledger.engine) == []
    with ledger.engine.connect() as connection:
        names = {i["name"] for i in inspect(connection).get_indexes("placement")}
        tables = set(inspect(connection).get_table_names())
        draft_keys = {u["name"] for u in inspect(connection).get_unique_constraints("web_draft")}
    ledger.dispose()
    assert {"uq_placement_dwelling_active", "uq_placement_household_active"} <= names
    assert set(WEB_TABLES) <= tables
    assert draft_keys == {"uq_web_draft_proposal_id_household_ref"}


def test_a_ledger_made_at_the_first_revision_is_upgraded_in_place_with_its_data(ledger_url):
    engine = create_engine(ledger_url)
    upgrade(engine, "0001")
    at = dt.datetime(2019, 7, 1, 9, 0)
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO period (id, municipality, start, "end", quota_persons, '
                "backlog_persons, backlog_source, status, version, opened_at, opened_by) "
                "VALUES (1, 'GM0153', :start, :end, 52, 3, 'gegeven met --backlog', 'open', 4, "
                ":at, 'oud')"
            ),
            {"start": dt.date(2019, 7, 1), "end": dt.date(2019, 12, 31), "at": at},
        )
        connection.execute(
            text(
                'INSERT INTO event (id, at, "user", kind, municipality, period_id, detail) '
                "VALUES (1, :at, 'oud', 'opened', 'GM0153', 1, '{\"message\": \"geopend\"}')"
            ),
            {"at": at},
        )
        assert "app_version" not in {c["name"] for c in inspect(connection).get_columns("event")}
    engine.dispose()

    ledger = open_ledger(resolve(ledger_url))  # not create: the old ledger is found and upgraded
    with ledger.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        kept = connection.execute(text("SELECT version, opened_by FROM period")).one()
        event = connection.execute(text("SELECT app_version, detail FROM event")).one()
        assert "kpis" in {c["name"] for c in inspect(connection).get_columns("proposal")}
    ledger.dispose()
    assert version == head_revision() == "0004"
    assert tuple(kept) == (4, "oud")
    assert tuple(event) == ("onbekend", '{"message": "geopend"}')
    figures = status(ledger_url)
    assert (figures["quota_persons"], figures["backlog_persons"]) == (52, 3)
    assert figures["version"] == 4
    # revision 0004: the command line's words became the plain fact the web app shows too
    assert figures["backlog_source"] == "gegeven bij het openen"


def _previous_web_tables() -> MetaData:
    """The ``web_`` tables as the previous version's app made them with ``create_all``.

    A frozen copy of that version's ``allocatie/web/tables.py`` (its own metadata
    and naming convention), so this test keeps meaning what it says when the
    models change later.
    """
    metadata = MetaData(
        naming_convention={
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    Table(
        "web_user",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("username", String(100), unique=True, nullable=False),
        Column("role", String(20), nullable=False),
        Column("corporation", String(200), nullable=True),
        Column("password_hash", String(200), nullable=False),
        Column("created_at", DateTime(), nullable=False),
        Column("active", Boolean, nullable=False),
    )
    Table(
        "web_upload",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("municipality", String(6), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("corporation", String(200), nullable=True),
        Column("filename", String(200), nullable=False),
        Column("content", LargeBinary, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("uploaded_at", DateTime(), nullable=False),
        Column("uploaded_by", String(100), nullable=False),
        Column("superseded", Boolean, nullable=False),
    )
    Table(
        "web_proposal",
        metadata,
        Column("proposal_id", Integer, primary_key=True),
        Column("uploads", Text, nullable=False),
        Column("matching_date", Date, nullable=False),
    )
    Table(
        "web_draft",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("proposal_id", Integer, nullable=False),
        Column("household_ref", Integer, nullable=False),
        Column("dwelling_id", String(100), nullable=False),
        Column("decision", String(10), nullable=False),
        Column("sequence", Integer, nullable=False),
        Column("decided_at", DateTime(), nullable=False),
        Column("decided_by", String(100), nullable=False),
        UniqueConstraint("proposal_id", "household_ref"),
    )
    Table(
        "web_secret",
        metadata,
        Column("name", String(50), primary_key=True),
        Column("value", String(200), nullable=False),
    )
    return metadata


@pytest.mark.parametrize("used_by_the_app", [False, True], ids=["cli-only", "app-used"])
def test_a_ledger_of_the_previous_version_gains_the_web_tables_with_its_data_kept(
    ledger_url, used_by_the_app
):
    engine = create_engine(ledger_url)
    upgrade(engine, "0002")
    at = dt.datetime(2019, 10, 1, 9, 0)
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO period (id, municipality, start, "end", quota_persons, '
                "backlog_persons, backlog_source, status, version, opened_at, opened_by) "
                "VALUES (1, 'GM0153', :start, :end, 52, 0, "
                "'geen eerdere periode in de ledger: 0 (geef --backlog als er een is)', "
                "'open', 2, :at, 'oud')"
            ),
            {"start": dt.date(2019, 7, 1), "end": dt.date(2019, 12, 31), "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO household (id, municipality, household_id, persons) "
                "VALUES (7, 'GM0153', 'HH-7', 3)"
            )
        )
        if used_by_the_app:
            _previous_web_tables().create_all(connection)
            connection.execute(
                text(
                    "INSERT INTO web_user (id, username, role, password_hash, created_at, active) "
                    "VALUES (1, 'coco', 'coordinator', 'argon2-hash', :at, :yes)"
                ),
                {"at": at, "yes": True},
            )
            connection.execute(
                text(
                    "INSERT INTO web_upload (id, municipality, kind, filename, content, sha256, "
                    "uploaded_at, uploaded_by, superseded) VALUES (1, 'GM0153', 'households', "
                    "'hh.csv', :content, 'abc', :at, 'coco', :no)"
                ),
                {"content": b"household_id\nHH-7\n", "at": at, "no": False},
            )
            connection.execute(
                text(
                    "INSERT INTO web_draft (id, proposal_id, household_ref, dwelling_id, "
                    "decision, sequence, decided_at, decided_by) "
                    "VALUES (1, 1, 7, 'W-1', 'accepted', 1, :at, 'coco')"
                ),
                {"at": at},
            )
            connection.execute(text("INSERT INTO web_secret VALUES ('session', 'sleutel')"))
    engine.dispose()

    ledger = open_ledger(resolve(ledger_url))  # upgraded in place, not recreated
    assert _differences(ledger.engine) == []
    with ledger.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        period = connection.execute(text("SELECT version, backlog_source FROM period")).one()
        household = connection.execute(text("SELECT household_id FROM household")).scalar()
        counts = {
            name: connection.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()
            for name in WEB_TABLES
        }
        if used_by_the_app:
            upload = connection.execute(text("SELECT content FROM web_upload")).scalar()
            secret = connection.execute(text("SELECT value FROM web_secret")).scalar()
    ledger.dispose()
    assert version == head_revision()
    assert tuple(period) == (2, "geen eerdere periode in de ledger: 0")
    assert household == "HH-7"
    if used_by_the_app:
        assert counts == dict.fromkeys(WEB_TABLES, 1) | {"web_proposal": 0}
        assert bytes(upload) == b"household_id\nHH-7\n" and secret == "sleutel"
    else:
        assert counts == dict.fromkeys(WEB_TABLES, 0)


def test_a_ledger_of_a_newer_allocatie_is_refused(ledger_url):
    open_ledger(resolve(ledger_url), create=True).dispose()
    engine = create_engine(ledger_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(InputError, match="nieuwere allocatie"):
        open_ledger(resolve(ledger_url))


def test_a_database_with_other_tables_is_not_taken_over(ledger_url):
    engine = create_engine(ledger_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE klanten (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(InputError, match="andere tabellen"):
        open_ledger(resolve(ledger_url), create=True)


def test_only_period_open_makes_a_ledger(tmp_path):
    missing = tmp_path / "typo.sqlite"
    result = invoke("period", "status", "--ledger", missing)
    assert result.exit_code == 2 and "nog geen ledger" in result.output
    assert not missing.exists()
    ok(
        invoke(
            "period",
            "open",
            "--municipality",
            "GM0153",
            "--start",
            "2019-07-01",
            "--end",
            "2019-12-31",
            "--quota",
            "52",
            "--ledger",
            missing,
        )
    )
    assert missing.is_file()
