"""The Twente example through ``allocatie match``: pooling pays, bindings hold, kpis account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.match import Inputs, Outcome, run_match
from allocatie.report.letters import letter, letter_facts
from tests.language import english  # noqa: F401  (autouse: messages in English)
from tests.paths import EXAMPLES

TWENTE = EXAMPLES / "twente-2019h2"


def _scenario(tmp: Path, pooling: bool) -> Path:
    folder = tmp / ("pooled" if pooling else "alone")
    shutil.copytree(TWENTE, folder, ignore=shutil.ignore_patterns("generate.py", "README.md"))
    policy = folder / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("pooling = true", f"pooling = {str(pooling).lower()}"))
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Outcome]:
    tmp = tmp_path_factory.mktemp("twente")
    return {
        pooling: run_match(Inputs.from_scenario(_scenario(tmp, pooling)), lang="en")
        for pooling in (True, False)
    }


def test_pooling_houses_more_persons_than_each_alone(runs: dict[bool, Outcome]) -> None:
    pooled, alone = runs[True], runs[False]
    assert pooled.result.status == alone.result.status == "OPTIMAL"
    assert pooled.kpis["persons_housed"] > alone.kpis["persons_housed"]
    assert pooled.kpis["region"]["lowest_attainment"] > alone.kpis["region"]["lowest_attainment"]
    assert alone.kpis["region"]["herkoppelingen"] == 0
    assert not alone.plan["herkoppeling"].fillna(False).any()


def test_no_household_with_a_binding_leaves_its_municipality(runs: dict[bool, Outcome]) -> None:
    outcome = runs[True]
    plan = outcome.plan
    households = outcome.instance.households
    bound = households["binding"].notna().to_numpy()
    assert bound.any()
    moved = plan["herkoppeling"].fillna(False).to_numpy(dtype=bool)
    assert moved.any() and not (moved & bound).any()
    names = dict(zip(households["gemeente_code"], households["gemeente_name"]))
    placed = plan["dwelling_id"].notna().to_numpy()
    home = households["gemeente_code"].map(names).to_numpy()
    assert (plan["housing_municipality"].to_numpy()[placed & ~moved] == home[placed & ~moved]).all()


def test_kpis_account_per_municipality(runs: dict[bool, Outcome]) -> None:
    outcome = runs[True]
    rows = pd.DataFrame(outcome.kpis["municipalities"])
    policy = outcome.instance.policy.region
    assert rows["municipality"].tolist() == list(policy.municipalities)
    assert rows["quota"].tolist() == [policy.quota[c] for c in policy.municipalities]
    assert (rows["persons_housed"] == rows["persons_housed_own"] + rows["persons_received"]).all()
    assert rows["persons_received"].sum() == rows["persons_sent"].sum()
    assert rows["persons_housed"].sum() == outcome.kpis["persons_housed"]
    region = outcome.kpis["region"]
    assert region["persons_housed"] == outcome.kpis["persons_housed"]
    assert region["herkoppelingen"] == int(outcome.plan["herkoppeling"].fillna(False).sum())
    assert region["lowest_attainment"] == pytest.approx(rows["attainment"].min())
    # per municipality from the plan itself: persons placed in its dwellings
    plan = outcome.plan[outcome.plan["dwelling_id"].notna()]
    by_name = plan.groupby("housing_municipality")["persons"].sum()
    assert by_name.reindex(rows["name"]).tolist() == rows["persons_housed"].tolist()


def test_reasons_say_where_and_why_not_at_home(runs: dict[bool, Outcome]) -> None:
    plan = runs[True].plan
    moved = plan[plan["herkoppeling"].fillna(False).astype(bool)]
    for reason, there in zip(moved["reason"], moved["housing_municipality"]):
        assert reason.startswith(f"Housed in {there} (herkoppeling): in ")
    assert (
        not plan.loc[~plan["herkoppeling"].fillna(False).astype(bool), "reason"]
        .str.contains("herkoppeling")
        .any()
    )


def test_cli_writes_the_region(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["match", "--scenario", str(_scenario(tmp_path, True)), "--out", str(out), "--no-maps"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert {row["municipality"] for row in figures["municipalities"]} == {
        "GM0153",
        "GM0141",
        "GM0164",
    }
    plan = pd.read_csv(out / "plan.csv")
    assert {"housing_municipality", "herkoppeling"} <= set(plan.columns)


def test_households_outside_the_region_are_problems(tmp_path: Path) -> None:
    folder = _scenario(tmp_path, True)
    households = folder / "households.csv"
    text = households.read_text(encoding="utf-8").replace(",GM0164,", ",GM0193,", 1)
    households.write_text(text, encoding="utf-8")
    from allocatie.inputs.errors import InputError

    with pytest.raises(InputError) as caught:
        run_match(Inputs.from_scenario(folder))
    assert any(
        p.column == "gemeente_code" and "one of the region's" in p.message
        for p in caught.value.problems
    )


def test_a_binding_that_leaves_nothing_at_home_is_the_reason(tmp_path: Path) -> None:
    """An Almelo family of 6 needs 3 bedrooms, which only Enschede and Hengelo offer."""
    folder = _scenario(tmp_path, True)
    households = folder / "households.csv"
    lines = households.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("H0141-0002,"))
    cells = lines[row].split(",")
    cells[1], cells[2], cells[3], cells[-1] = "6", "2", "4", "zorg"
    lines[row] = ",".join(cells)
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = run_match(Inputs.from_scenario(folder))
    reason = outcome.plan.set_index("household_id").loc["H0141-0002", "reason"]
    assert "binding (work, study, family or care) keeps it in its own" in reason
    assert outcome.instance.funnel.loc[_row(outcome, "H0141-0002"), "keeps_binding"] == 0
    # and the household's own letter says so, in its words
    facts = letter_facts(outcome)[_row(outcome, "H0141-0002")]
    assert facts.waiting == "binding"
    assert "Because of your work, study, family or care you stay" in letter(facts)


def _row(outcome: Outcome, household_id: str) -> int:
    ids = outcome.instance.households["household_id"].tolist()
    return ids.index(household_id)


def test_dwellings_outside_the_region_are_problems(tmp_path: Path) -> None:
    folder = _scenario(tmp_path, True)
    policy = folder / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace('"GM0153", "GM0141", "GM0164"]', '"GM0153", "GM0141"]')
                      .replace("GM0164 = ", "# GM0164 = "), encoding="utf-8")  # fmt: skip
    from allocatie.inputs.errors import InputError

    with pytest.raises(InputError) as caught:
        run_match(Inputs.from_scenario(folder))
    messages = [p.message for p in caught.value.problems]
    assert any("lies in GM0164, which is not one of the region's" in m for m in messages)
