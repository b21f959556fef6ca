"""``allocatie why`` as a coordinator runs it: the bundled example, and ids that are not there."""

from __future__ import annotations

import openpyxl
import pandas as pd
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.match import Inputs, run_match
from tests.paths import EXAMPLE


def invoke(*args: str):
    return CliRunner().invoke(cli, ["why", *args, "--scenario", str(EXAMPLE)])


def test_why_answers_in_one_dutch_sentence_about_the_plan_match_makes() -> None:
    # HH-2019-016 waits in the example's plan; W-2019-10-19 is its most wanted dwelling
    result = invoke("HH-2019-016", "W-2019-10-19")
    assert result.exit_code == 0, result.output
    sentence = result.output.strip()
    assert "\n" not in sentence and sentence.endswith(".")
    assert sentence.startswith("De woning gaat in dit plan naar HH-")  # the coordinator sees ids
    assert "niveau" in sentence
    plan = run_match(Inputs.from_scenario(EXAMPLE)).plan.set_index("dwelling_id")
    assert sentence.startswith(
        f"De woning gaat in dit plan naar {plan.loc['W-2019-10-19', 'household_id']},"
    )


def test_why_in_english() -> None:
    result = invoke("HH-2019-016", "W-2019-10-19", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("The dwelling goes to HH-")


def test_an_unknown_id_is_one_line_with_a_close_id_and_no_traceback() -> None:
    result = invoke("HH-2019-16", "W-2019-10-19")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Er is geen huishouden HH-2019-16 in het bestand met huishoudens. Bedoelt u HH-2019-016?"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    unknown = invoke("HH-2019-016", "XYZ", "--lang", "en")
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "There is no dwelling XYZ in the dwellings file."
    assert "Traceback" not in unknown.output


def test_the_workbook_has_the_waiting_households_alternatives(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(EXAMPLE), "--out", str(out), "--no-maps", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "plan.csv")
    waiting = set(plan.loc[plan["dwelling_id"].isna(), "household_id"])
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert "alternatieven" in book.sheetnames
    rows = list(book["alternatieven"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["huishouden_id", "keuze", "woning_id"]
    households = {row[0] for row in rows[1:]}
    assert households == waiting
    why = header.index("reden")
    assert all(str(row[why]).endswith(".") for row in rows[1:])
