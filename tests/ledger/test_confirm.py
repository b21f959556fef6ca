"""What ``month confirm`` refuses, every problem at once, and what it records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, select

from allocatie.ledger.decisions import read_decisions
from allocatie.ledger.schema import HouseholdRecord, ProposalOption
from allocatie.report.columns import PLAN_HEADERS_NL
from tests.ledger.conftest import (
    decide,
    history,
    invoke,
    ok,
    open_half_year,
    plan_rows,
    propose,
    status,
)


def _alternatives(url: str, plan: dict[str, str]) -> list[tuple[str, str]]:
    """Eligible (household, dwelling) pairs of proposal 1 other than the one proposed."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(HouseholdRecord.household_id, ProposalOption.dwelling_id)
            .join(HouseholdRecord, ProposalOption.household_ref == HouseholdRecord.id)
            .where(ProposalOption.proposal_id == 1)
        ).all()
    engine.dispose()
    return sorted((str(h), str(d)) for h, d in rows if plan.get(str(h)) != d)


def test_every_problem_is_listed_and_nothing_is_recorded(ledger_url, tmp_path):
    open_half_year(ledger_url)
    path = propose(ledger_url, tmp_path / "oktober")
    plan = plan_rows(path)
    proposed = dict(zip(plan["household_id"], plan["dwelling_id"]))
    owner = {d: h for h, d in proposed.items() if d}
    # a household moved onto a dwelling proposed to another, both accepted
    mover, taken = next((h, d) for h, d in _alternatives(ledger_url, proposed) if d in owner)
    waiting = next(h for h, d in proposed.items() if not d)
    filled = decide(
        path,
        {mover: "akkoord", owner[taken]: "akkoord", "HH-2019-005": "misschien", waiting: ""},
        dwellings={mover: taken, "HH-2019-004": "W-2019-10-26"},
        extra_rows=[
            {
                "household_id": "HH-9999",
                "dwelling_id": "W-2019-10-01",
                "besluit": "akkoord",
                "proposal_id": "1",
            }
        ],
    )
    decide(filled, {"HH-2019-004": "akkoord"})
    before, trail = status(ledger_url), history(ledger_url)
    result = invoke("month", "confirm", filled, "--ledger", ledger_url)
    assert result.exit_code == 2
    out = result.output
    assert "onbekend besluit 'misschien'" in out
    # the decision file is checked on its own first; fix it and the ledger's checks follow
    decide(filled, {"HH-2019-005": ""})
    result = invoke("month", "confirm", filled, "--ledger", ledger_url)
    assert result.exit_code == 2
    out = result.output
    assert "HH-9999 staat niet in voorstel 1" in out
    assert f"woning {taken} krijgt op de regels" in out
    assert "geen geschikte woning voor HH-2019-004" in out
    assert status(ledger_url) == before and history(ledger_url) == trail


def test_an_accepted_placement_over_the_area_cap_is_refused(ledger_url, tmp_path):
    open_half_year(ledger_url)
    path = propose(ledger_url, tmp_path / "oktober")
    plan = plan_rows(path)
    proposed = dict(zip(plan["household_id"], plan["dwelling_id"]))
    area = dict(zip(plan["dwelling_id"], plan["spreading_area"]))
    # the area with three proposed placements (the cap of the example), plus one more mover
    counts = plan[plan["spreading_area"] != ""]["spreading_area"].value_counts()
    full = counts.index[counts == 3][0]
    inside = [h for h, d in proposed.items() if d and area[d] == full]
    engine = create_engine(ledger_url)
    with engine.connect() as connection:
        options = connection.execute(
            select(HouseholdRecord.household_id, ProposalOption.dwelling_id).join(
                HouseholdRecord, ProposalOption.household_ref == HouseholdRecord.id
            )
        ).all()
    engine.dispose()
    free = {d for h, d in options} - set(proposed.values())
    from allocatie.ledger.schema import ProposalDwelling
    from allocatie.ledger.store import open_ledger, resolve

    ledger = open_ledger(resolve(ledger_url))
    with ledger.transaction() as session:
        in_full = {
            d.dwelling_id for d in session.scalars(select(ProposalDwelling)) if d.area_code == full
        }
    ledger.dispose()
    mover, target = next(
        (str(h), str(d)) for h, d in options if d in free & in_full and str(h) not in inside
    )
    filled = decide(path, {h: "akkoord" for h in [*inside, mover]}, dwellings={mover: target})
    result = invoke("month", "confirm", filled, "--ledger", ledger_url)
    assert result.exit_code == 2
    assert f"{full}: 0 al bevestigd deze periode + 4 akkoord" in result.output
    assert "max_households_per_area = 3" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_decisions_in_csv_or_xlsx_and_a_changed_dwelling(ledger_url, tmp_path, suffix):
    open_half_year(ledger_url)
    path = propose(ledger_url, tmp_path / "oktober").with_suffix(suffix)
    plan = plan_rows(path)
    proposed = dict(zip(plan["household_id"], plan["dwelling_id"]))
    free = sorted(set(_alternatives(ledger_url, proposed)))
    mover, other = next(
        (h, d) for h, d in free if d not in set(proposed.values()) and h != "HH-2019-017"
    )
    decide(path, {mover: "accepted", "HH-2019-017": "PINNED "}, dwellings={mover: other})
    done = ok(invoke("month", "confirm", path, "--ledger", ledger_url))
    assert "1 akkoord" in done.output and "1 vastgezet" in done.output
    figures = status(ledger_url)
    assert figures["households_housed"] == 1
    lines = history(ledger_url, household=mover)
    assert any(f"voorgesteld was {proposed[mover]}" in line["message"] for line in lines)
    assert [p["household_id"] for p in figures["open_pins"]] == ["HH-2019-017"]


def _headers_as(path: Path, target: Path, rename: Callable[[str], str]) -> Path:
    """A copy of the plan workbook with its header row renamed, as another Excel might keep it."""
    workbook = openpyxl.load_workbook(path)
    for cell in workbook.worksheets[0][1]:
        cell.value = rename(str(cell.value))
    workbook.save(target)
    return target


def test_a_plan_under_dutch_or_english_headers_reads_the_same(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    open_half_year(url)
    path = propose(url, tmp_path / "oktober")
    header = [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]]
    assert {"huishouden_id", "woning_id", "besluit", "voorstel_id"} <= set(header)  # Dutch
    plan = plan_rows(path)
    placed = [h for h, d in zip(plan["household_id"], plan["dwelling_id"]) if d][:2]
    decide(path, {placed[0]: "akkoord", placed[1]: "geweigerd"})
    english = {dutch: name for name, dutch in PLAN_HEADERS_NL.items()} | {"besluit": "decision"}
    variants = {
        "nl": path,
        "en": _headers_as(path, tmp_path / "english.xlsx", lambda h: english.get(h, h)),
        "Nl": _headers_as(path, tmp_path / "shouted.xlsx", lambda h: f" {h.upper()} "),
    }
    assert "proposal_id" in [c.value for c in openpyxl.load_workbook(variants["en"]).active[1]]
    read = {name: read_decisions(p) for name, p in variants.items()}
    assert {r.proposal_id for r in read.values()} == {1}
    decided = {name: [d for d in r.decisions if d.decision] for name, r in read.items()}
    assert decided["en"] == decided["nl"] == decided["Nl"]
    assert [(d.household_id, d.decision) for d in decided["nl"]] == [
        (placed[0], "accepted"),
        (placed[1], "refused"),
    ]
    done = ok(invoke("month", "confirm", variants["en"], "--ledger", url))
    assert "1 akkoord" in done.output and "1 geweigerd" in done.output
