"""Two coordinators confirming at once, a crash mid-confirm, and the database's own guards.

The confirmations run as real processes (``python -m allocatie month confirm``) with
the test hook :data:`~allocatie.ledger.confirm.PAUSE_ENV`, which holds each one
inside its transaction after every row is written and before the commit. Two such
processes overlap for certain; killing one there with SIGKILL is a crash at the
worst moment.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from allocatie.ledger.confirm import PAUSE_ENV, PAUSE_MARK
from allocatie.ledger.schema import HouseholdRecord, Placement
from allocatie.ledger.store import open_ledger, resolve
from tests.ledger.conftest import decide, history, invoke, ok, open_half_year, propose, status


def _confirm_process(url: str, plan: Path, user: str, pause: float) -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_ENV: str(pause)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "allocatie",
            "month",
            "confirm",
            str(plan),
            "--ledger",
            url,
            "--user",
            user,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _placed(url: str) -> dict[str, str]:
    return {p["household_id"]: p["dwelling_id"] for p in _placements(url)}


def _placements(url: str) -> list[dict[str, str]]:
    figures = status(url)
    engine_url = url
    ledger = open_ledger(resolve(engine_url))
    with ledger.transaction() as session:
        from sqlalchemy import select

        rows = session.execute(
            select(HouseholdRecord.household_id, Placement.dwelling_id)
            .join(HouseholdRecord, Placement.household_ref == HouseholdRecord.id)
            .where(Placement.undone_at.is_(None))
        ).all()
    ledger.dispose()
    assert len(rows) == figures["households_housed"]
    return [{"household_id": str(h), "dwelling_id": str(d)} for h, d in rows]


def test_two_coordinators_confirming_at_once_one_wins_nothing_is_lost(ledger_url, tmp_path):
    open_half_year(ledger_url)
    plan = propose(ledger_url, tmp_path / "oktober")
    # both accept the pinned pair HH-2019-017 → W-2019-10-02, each with other decisions too
    first = decide(
        plan, {"HH-2019-017": "akkoord", "HH-2019-001": "akkoord"}, out=tmp_path / "anna.xlsx"
    )
    second = decide(
        plan,
        {"HH-2019-017": "akkoord", "HH-2019-005": "akkoord", "HH-2019-002": "geweigerd"},
        out=tmp_path / "bram.xlsx",
    )
    runs = [
        _confirm_process(ledger_url, first, "anna", 1.5),
        _confirm_process(ledger_url, second, "bram", 1.5),
    ]
    answers = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in answers)
    assert codes == [0, 2], answers
    winner = next(i for i, (code, _, _) in enumerate(answers) if code == 0)
    loser_output = answers[1 - winner][2]
    assert "gewijzigd" in loser_output or "niet het laatste" in loser_output
    expected = (
        {"HH-2019-017": "W-2019-10-02", "HH-2019-001": "W-2019-10-26"}
        if winner == 0
        else {"HH-2019-017": "W-2019-10-02", "HH-2019-005": "W-2019-10-21"}
    )
    placed = _placed(ledger_url)
    assert set(placed) == set(expected)
    assert placed["HH-2019-017"] == "W-2019-10-02"
    refusals = status(ledger_url)["refusals_in_force"]
    assert refusals == (0 if winner == 0 else 1)
    who = {line["user"] for line in history(ledger_url) if line["kind"] == "confirmed"}
    assert who == {["anna", "bram"][winner]}


def test_a_crash_mid_confirm_leaves_the_ledger_as_before(ledger_url, tmp_path):
    open_half_year(ledger_url)
    plan = decide(
        propose(ledger_url, tmp_path / "oktober"),
        {"HH-2019-017": "akkoord", "HH-2019-002": "geweigerd", "HH-2019-003": "vastgezet"},
    )
    before, trail = status(ledger_url), history(ledger_url)
    run = _confirm_process(ledger_url, plan, "anna", 60)
    deadline = time.monotonic() + 60
    assert run.stderr is not None
    while time.monotonic() < deadline:
        line = run.stderr.readline()
        if PAUSE_MARK in line or not line:
            break
    assert run.poll() is None, run.communicate()
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL
    assert status(ledger_url) == before
    assert history(ledger_url) == trail
    # nothing is held: the same decisions are recorded by the next confirmation
    done = ok(invoke("month", "confirm", plan, "--ledger", ledger_url))
    assert "1 akkoord" in done.output
    assert _placed(ledger_url) == {"HH-2019-017": "W-2019-10-02"}


def test_the_database_refuses_a_dwelling_let_twice_or_a_household_housed_twice(
    ledger_url, tmp_path
):
    open_half_year(ledger_url)
    plan = decide(propose(ledger_url, tmp_path / "oktober"), {"HH-2019-017": "akkoord"})
    ok(invoke("month", "confirm", plan, "--ledger", ledger_url))
    ledger = open_ledger(resolve(ledger_url))
    try:
        with ledger.transaction() as session:
            existing = session.query(Placement).one()
            other = HouseholdRecord(municipality="GM0153", household_id="HH-X", persons=1)
            session.add(other)
            session.flush()
            fields = {
                c: getattr(existing, c)
                for c in ("period_id", "proposal_id", "persons", "matching_date", "confirmed_by")
            }
            now = dt.datetime.now(dt.UTC)
        for household, dwelling in (
            (other.id, existing.dwelling_id),
            (existing.household_ref, "W-OTHER"),
        ):
            with pytest.raises(IntegrityError):
                with ledger.transaction() as session:
                    session.add(
                        Placement(
                            household_ref=household,
                            dwelling_id=dwelling,
                            confirmed_at=now,
                            **fields,
                        )
                    )
        # once undone, the dwelling may be let again (the index covers rows in force only)
        with ledger.transaction() as session:
            session.query(Placement).one().undone_at = now
            session.add(
                Placement(
                    household_ref=other.id,
                    dwelling_id=existing.dwelling_id,
                    confirmed_at=now,
                    **fields,
                )
            )
    finally:
        ledger.dispose()
