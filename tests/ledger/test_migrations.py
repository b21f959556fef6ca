"""The ledger's schema: migrations match the models, old ledgers are upgraded, never recreated."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from allocatie.inputs.errors import InputError
from allocatie.ledger.schema import Base
from allocatie.ledger.store import head_revision, open_ledger, resolve, upgrade
from tests.ledger.conftest import invoke, ok, status


def test_the_migrations_create_exactly_the_models(ledger_url):
    ledger = open_ledger(resolve(ledger_url), create=True)
    with ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        names = {i["name"] for i in inspect(connection).get_indexes("placement")}
    ledger.dispose()
    assert {"uq_placement_dwelling_active", "uq_placement_household_active"} <= names


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
    assert version == head_revision() == "0002"
    assert tuple(kept) == (4, "oud")
    assert tuple(event) == ("onbekend", '{"message": "geopend"}')
    figures = status(ledger_url)
    assert (figures["quota_persons"], figures["backlog_persons"]) == (52, 3)
    assert figures["version"] == 4


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
