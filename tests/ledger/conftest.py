"""Fixtures of the ledger tests: every test runs on SQLite and on PostgreSQL.

The PostgreSQL cases read a server URL from ``ALLOCATIE_TEST_POSTGRES`` (``.ci/postgres.sh``
starts a server and prints it). Without it they are skipped on a developer's machine, but
fail when ``CI`` is set, so CI can never pass by silently skipping them. Each PostgreSQL
case gets a schema of its own (``search_path`` in the URL), dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from allocatie.cli.main import cli
from allocatie.ledger.decisions import plan_column_names
from tests.paths import EXAMPLE

PG_ENV = "ALLOCATIE_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")
#: The meeting dates of the walkthrough (the example is set in 2019 H2).
OCTOBER, NOVEMBER = dt.date(2019, 10, 1), dt.date(2019, 11, 1)


def postgres_url() -> str:
    """The test server's URL, or skip (locally) / fail (on CI) without one."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set on CI: run .ci/postgres.sh before the tests")
        pytest.skip(f"{PG_ENV} not set: the PostgreSQL cases run on CI (.ci/postgres.sh)")
    return url


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty ledger database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def invoke(*args: Any, cwd: Path | None = None) -> Result:
    """Run ``allocatie ARGS`` in-process, as a coordinator would type it."""
    runner = CliRunner()
    words = [str(a) for a in args]
    if cwd is None:
        return runner.invoke(cli, words, catch_exceptions=False)
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, words, catch_exceptions=False)
    finally:
        os.chdir(here)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def open_half_year(url: str, **extra: Any) -> Result:
    args = ["period", "open", "--municipality", "GM0153", "--start", "2019-07-01"]
    args += ["--end", "2019-12-31", "--quota", "52", "--ledger", url, "--user", "opener"]
    for key, value in extra.items():
        args += [f"--{key}", value]
    return ok(invoke(*args))


def propose(url: str, out: Path, date: dt.date = OCTOBER, scenario: Path = EXAMPLE) -> Path:
    """``month propose`` on the example; returns ``out/plan.xlsx``."""
    ok(
        invoke(
            "month",
            "propose",
            "--scenario",
            scenario,
            "--date",
            date.isoformat(),
            "--out",
            out,
            "--no-maps",
            "--ledger",
            url,
            "--user",
            "coordinator",
        )
    )
    return out / "plan.xlsx"


def plan_rows(path: Path) -> pd.DataFrame:
    """The proposed plan as text, from the ``plan.csv`` beside ``path`` (the machine's file).

    ``plan.xlsx`` shows headers and flags in the coordinator's language; the CSV
    keeps the engine's column names and values, so the tests read that one.
    """
    return pd.read_csv(path.with_suffix(".csv"), dtype=str, keep_default_na=False)


def decide(
    path: Path,
    decisions: dict[str, str],
    dwellings: dict[str, str] | None = None,
    extra_rows: list[dict[str, str]] | None = None,
    out: Path | None = None,
) -> Path:
    """Fill the ``besluit`` column (and optionally change ``dwelling_id``) as Excel would.

    ``.xlsx`` files are edited in place with openpyxl (the coordinator's Excel);
    ``.csv`` files are rewritten. Returns the file written (``out`` or ``path``).
    """
    dwellings = dwellings or {}
    target = out or path
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for hid, value in decisions.items():
            frame.loc[frame["household_id"] == hid, "besluit"] = value
        for hid, did in dwellings.items():
            frame.loc[frame["household_id"] == hid, "dwelling_id"] = did
        if extra_rows:
            frame = pd.concat([frame, pd.DataFrame(extra_rows)], ignore_index=True).fillna("")
        frame.to_csv(target, index=False)
        return target
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]  # the plan, under headers in the run's language
    names = plan_column_names()
    header = [names.get(str(cell.value).strip().lower(), cell.value) for cell in sheet[1]]
    h, b, d = (header.index(c) for c in ("household_id", "besluit", "dwelling_id"))
    for row in sheet.iter_rows(min_row=2):
        hid = row[h].value
        if hid in decisions:
            row[b].value = decisions[hid]
        if hid in dwellings:
            row[d].value = dwellings[hid]
    for extra in extra_rows or []:
        sheet.append([extra.get(str(c), None) for c in header])
    workbook.save(target)
    return target


def status(url: str, date: dt.date = OCTOBER) -> dict[str, Any]:
    result = ok(invoke("period", "status", "--json", "--date", date, "--ledger", url))
    return json.loads(result.stdout)


def history(url: str, household: str | None = None) -> list[dict[str, Any]]:
    args = ["ledger", "history", "--json", "--ledger", url]
    if household is not None:
        args += ["--household", household]
    return json.loads(ok(invoke(*args)).stdout)
