"""Corrections and AVG erasure: events, never silent deletes; counts kept."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from tests.ledger.conftest import (
    NOVEMBER,
    decide,
    history,
    invoke,
    ok,
    open_half_year,
    plan_rows,
    propose,
    status,
)


def _confirmed(url, tmp_path, decisions):
    open_half_year(url)
    path = propose(url, tmp_path / "oktober")
    plan = dict(zip(*(plan_rows(path)[c] for c in ("household_id", "dwelling_id"))))
    ok(invoke("month", "confirm", decide(path, decisions), "--ledger", url))
    return plan


def test_a_placement_that_fell_through_is_undone_as_an_event(ledger_url, tmp_path):
    plan = _confirmed(ledger_url, tmp_path, {"HH-2019-001": "akkoord", "HH-2019-003": "vastgezet"})
    housed = status(ledger_url)["persons_housed"]
    done = ok(
        invoke(
            "month",
            "undo",
            "HH-2019-001",
            "--reason",
            "woning-vervallen",
            "--refused",
            "--ledger",
            ledger_url,
            "--user",
            "marieke",
        )
    )
    assert "ongedaan" in done.output
    after = status(ledger_url)
    assert after["households_housed"] == 0 and after["persons_housed"] == housed - 1
    lines = history(ledger_url, household="HH-2019-001")
    assert [line["kind"] for line in lines][-3:] == ["confirmed", "corrected", "refused"]
    assert lines[-2]["user"] == "marieke" and lines[-2]["details"]["reason"] == "woning-vervallen"
    ok(invoke("month", "undo", "HH-2019-003", "--pin", "--ledger", ledger_url))
    assert status(ledger_url)["open_pins"] == []
    nov = plan_rows(propose(ledger_url, tmp_path / "november", date=NOVEMBER))
    again = dict(zip(nov["household_id"], nov["dwelling_id"]))
    assert "HH-2019-001" in again and again["HH-2019-001"] != plan["HH-2019-001"]
    ok(
        invoke(
            "month",
            "undo",
            "HH-2019-001",
            "--refusal",
            plan["HH-2019-001"],
            "--reason",
            "vergissing",
            "--ledger",
            ledger_url,
        )
    )
    assert status(ledger_url)["refusals_in_force"] == 0
    missing = invoke("month", "undo", "HH-2019-001", "--ledger", ledger_url)
    assert missing.exit_code == 2 and "geen bevestigde plaatsing" in missing.output


def test_forgetting_a_household_keeps_the_counts_and_removes_the_id(ledger_url, tmp_path):
    _confirmed(ledger_url, tmp_path, {"HH-2019-017": "akkoord", "HH-2019-002": "vastgezet"})
    before = status(ledger_url)
    ok(invoke("ledger", "forget", "HH-2019-017", "--yes", "--ledger", ledger_url))
    after = status(ledger_url)
    assert after["persons_housed"] == before["persons_housed"]
    assert after["households_housed"] == before["households_housed"]
    assert history(ledger_url, household="HH-2019-017") == []
    trail = json.dumps(history(ledger_url))
    assert "HH-2019-017" not in trail and "(vergeten)" in trail
    assert [e for e in history(ledger_url) if e["kind"] == "forgotten"][0]["household_id"] is None
    engine = create_engine(ledger_url)
    with engine.connect() as connection:
        for table in ("household", "proposal_row", "event", "proposal", "placement"):
            dump = json.dumps(
                [list(map(str, r)) for r in connection.execute(text(f"SELECT * FROM {table}"))]
            )
            assert "HH-2019-017" not in dump, table
    engine.dispose()
    ok(invoke("ledger", "forget", "HH-2019-002", "--yes", "--ledger", ledger_url))
    assert status(ledger_url)["open_pins"] == []
    unknown = invoke("ledger", "forget", "HH-2019-002", "--yes", "--ledger", ledger_url)
    assert unknown.exit_code == 2
