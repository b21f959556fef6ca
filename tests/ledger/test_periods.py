"""Where a period's achterstand came from: a plain fact in the ledger, the CLI's hint on top."""

from __future__ import annotations

import json

from allocatie.ledger.periods import BACKLOG_GIVEN, BACKLOG_NONE
from tests.ledger.conftest import invoke, ok, open_half_year


def _source(url: str, municipality: str) -> str:
    args = ["period", "status", "--json", "--municipality", municipality, "--ledger", url]
    return str(json.loads(ok(invoke(*args)).stdout)["backlog_source"])


def test_the_ledger_stores_a_plain_fact_and_the_command_line_adds_its_hint(ledger_url):
    opened = open_half_year(ledger_url)
    assert f"({BACKLOG_NONE}; geef --backlog als er een is)" in opened.output
    assert _source(ledger_url, "GM0153") == BACKLOG_NONE
    given = ok(
        invoke(
            "period",
            "open",
            "--municipality",
            "GM0363",
            "--start",
            "2019-07-01",
            "--end",
            "2019-12-31",
            "--quota",
            "300",
            "--backlog",
            "5",
            "--ledger",
            ledger_url,
        )
    )
    assert "achterstand 5 (gegeven met --backlog)" in given.output
    assert _source(ledger_url, "GM0363") == BACKLOG_GIVEN
    assert "--backlog" not in BACKLOG_NONE + BACKLOG_GIVEN
