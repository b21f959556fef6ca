"""The half year of issue 13 through the real command line, on SQLite and PostgreSQL.

Open, propose, confirm an accepted, a refused and a pinned decision, propose again
(the housed household, the let dwelling and the refused pair do not come back, the
pin holds, the caps count the earlier placements), a stale proposal refused with
nothing changed, close, and open the next period with the carry-over.
"""

from __future__ import annotations

import json
import shutil

import openpyxl
from sqlalchemy import create_engine, select

from allocatie.ledger.schema import HouseholdRecord, ProposalOption
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

STATUS_KEYS = {
    "quota_persons",
    "backlog_persons",
    "persons_housed",
    "persons_remaining",
    "households_housed",
    "pace_persons",
    "open_pins",
    "placements_per_area",
}


def _options(url: str, proposal: int) -> set[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(HouseholdRecord.household_id, ProposalOption.dwelling_id)
            .join(HouseholdRecord, ProposalOption.household_ref == HouseholdRecord.id)
            .where(ProposalOption.proposal_id == proposal)
        ).all()
    engine.dispose()
    return {(str(h), str(d)) for h, d in rows}


def test_a_half_year_of_meetings(ledger_url, tmp_path):
    url = ledger_url
    opened = open_half_year(url)
    assert "Ledger:" in opened.output and "geopend" in opened.output
    first = status(url)
    assert STATUS_KEYS <= set(first)
    assert (first["quota_persons"], first["persons_housed"], first["persons_remaining"]) == (
        52,
        0,
        52,
    )

    # October: the proposal carries its id and an empty decision column
    october = propose(url, tmp_path / "oktober")
    plan = plan_rows(october)
    assert list(plan.columns[:3]) == ["household_id", "dwelling_id", "besluit"]
    assert set(plan["besluit"]) == {""} and set(plan["proposal_id"]) == {"1"}
    kpis = json.loads((tmp_path / "oktober" / "kpis.json").read_text())
    manifest = json.loads((tmp_path / "oktober" / "manifest.json").read_text())
    assert kpis["proposal_id"] == 1 and manifest["ledger"]["proposal_id"] == 1
    placed = dict(zip(plan["household_id"], plan["dwelling_id"]))
    assert placed["HH-2019-017"] == "W-2019-10-02"  # the example's pin
    stale = tmp_path / "stale.xlsx"
    shutil.copy(october, stale)
    assert ("HH-2019-002", placed["HH-2019-002"]) in _options(url, 1)

    decide(
        october,
        {
            "HH-2019-017": "akkoord",
            "HH-2019-001": "Akkoord",
            "HH-2019-002": "geweigerd",
            "HH-2019-003": "vastgezet",
        },
    )
    confirmed = ok(invoke("month", "confirm", october, "--ledger", url, "--user", "marieke"))
    assert "2 akkoord" in confirmed.output and "1 geweigerd" in confirmed.output
    after = status(url)
    housed_persons = int(
        plan.set_index("household_id")
        .loc[["HH-2019-017", "HH-2019-001"], "persons"]
        .astype(int)
        .sum()
    )
    assert after["persons_housed"] == housed_persons
    assert after["households_housed"] == 2
    assert after["persons_remaining"] == 52 - housed_persons
    assert [(p["household_id"], p["dwelling_id"]) for p in after["open_pins"]] == [
        ("HH-2019-003", placed["HH-2019-003"])
    ]
    per_area = {a["area_code"]: a["households"] for a in after["placements_per_area"]}
    assert sum(per_area.values()) == 2

    # November: the ledger shapes the proposal
    november = propose(url, tmp_path / "november", date=NOVEMBER)
    again = plan_rows(november)
    ids = set(again["household_id"])
    assert "HH-2019-017" not in ids and "HH-2019-001" not in ids
    let = {placed["HH-2019-017"], placed["HH-2019-001"]}
    assert not let & set(again["dwelling_id"])
    refused_pair = ("HH-2019-002", placed["HH-2019-002"])
    assert refused_pair not in _options(url, 2)
    assert dict(zip(again["household_id"], again["dwelling_id"]))["HH-2019-002"] != refused_pair[1]
    row = again.set_index("household_id").loc["HH-2019-003"]
    assert (row["dwelling_id"], row["pinned"]) == (placed["HH-2019-003"], "True")
    second = json.loads((tmp_path / "november" / "manifest.json").read_text())
    assert second["policy"]["period"]["housed_so_far"] == housed_persons
    assert second["policy"]["spreading"]["placed_this_period"] == per_area
    removed = {r["id"] for r in second["ledger"]["removed"]}
    assert {"HH-2019-017", "HH-2019-001"} | let <= removed
    cap = second["policy"]["spreading"]["max_households_per_area"]
    for area, earlier in per_area.items():
        assert (again["spreading_area"] == area).sum() + earlier <= cap

    # the October file is no longer the latest proposal: refused, nothing changes
    before_status, before_history = status(url), history(url)
    decide(stale, {"HH-2019-005": "akkoord"})
    refused = invoke("month", "confirm", stale, "--ledger", url)
    assert refused.exit_code == 2
    assert "niet het laatste" in refused.output
    assert status(url) == before_status and history(url) == before_history

    decide(november, {"HH-2019-003": "akkoord"})
    ok(invoke("month", "confirm", november, "--ledger", url))
    end = status(url)
    assert end["open_pins"] == [] and end["households_housed"] == 3

    export = tmp_path / "halfjaar.xlsx"
    ok(invoke("ledger", "export", "--out", export, "--ledger", url))
    sheets = openpyxl.load_workbook(export).sheetnames
    assert sheets == ["voortgang", "plaatsingen", "gebieden", "overleggen", "gebeurtenissen"]

    closed = ok(invoke("period", "close", "--date", "2019-12-31", "--ledger", url))
    carry = 52 - end["persons_housed"]
    assert f"achterstand {carry} personen" in closed.output
    kinds = {line["kind"] for line in history(url)}
    assert {"opened", "proposed", "confirmed", "refused", "pinned", "closed"} <= kinds

    nxt = ok(
        invoke(
            "period",
            "open",
            "--municipality",
            "GM0153",
            "--start",
            "2020-01-01",
            "--end",
            "2020-06-30",
            "--quota",
            "54",
            "--ledger",
            url,
        )
    )
    assert "overgenomen" in nxt.output
    h1 = status(url, date=NOVEMBER.replace(year=2020, month=1))
    assert (h1["backlog_persons"], h1["target_persons"]) == (carry, 54 + carry)
    assert h1["persons_housed"] == 0 and h1["period_start"] == "2020-01-01"
