"""The meeting through the app: upload, propose, refuse, pin, confirm; what lands in the ledger."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.ledger.periods import status
from allocatie.web import meeting
from tests.web.conftest import TODAY, example_files


def _plan(ledger: Any, proposal: int) -> meeting.Working:
    plan = meeting.working(ledger, proposal)
    assert isinstance(plan, meeting.Working)
    return plan


def test_upload_problems_are_listed_with_file_line_and_column_and_nothing_is_stored(
    coordinator: Any,
) -> None:
    files = example_files()
    broken = files["households"][1].replace(b"HH-2019-002,5,", b"HH-2019-002,vijf,", 1)
    broken = broken.replace(b"2019-06-25", b"2019-13-45", 1)
    files["households"] = ("huishoudens-oktober.csv", broken)
    files["dwellings"] = ("aanbod.csv", files["dwellings"][1].replace(b"577.39", b"duur", 1))
    response = coordinator.upload(files)
    assert response.status_code == 422
    text = re.sub(r"\s+", " ", response.text)
    assert "er is niets opgeslagen" in text
    assert re.search(r"<td>huishoudens-oktober\.csv[^<]*</td><td>3</td><td>persons</td>", text)
    assert re.search(r"<td>huishoudens-oktober\.csv[^<]*</td><td>4</td><td>linked_on</td>", text)
    assert re.search(r"<td>aanbod\.csv[^<]*</td><td>2</td><td>rent</td>", text)
    assert "/tmp" not in text and "allocatie-web-" not in text
    assert 'id="uploads"' not in coordinator.get("/upload").text  # nothing stored
    assert coordinator.upload(example_files()).status_code == 200
    assert 'id="uploads"' in coordinator.get("/upload").text


def test_a_proposal_needs_the_three_files(coordinator: Any) -> None:
    response = coordinator.post("/voorstel", {"date": ""})
    assert response.status_code == 422
    assert "nog geen huishoudens geüpload" in response.text


def test_refuse_resolves_and_the_pair_is_never_proposed_again(
    ledger: Any, coordinator: Any, proposal: int
) -> None:
    before = _plan(ledger, proposal).outcome.plan
    household, dwelling = before["household_id"][0], before["dwelling_id"][0]
    answer = coordinator.post(
        f"/voorstel/{proposal}/besluit",
        {"row": "0", "action": "refuse"},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<div id="meeting">')
    after = _plan(ledger, proposal)
    row = after.outcome.plan.iloc[0]
    assert row.isna()["dwelling_id"]  # one decision per household and meeting: it waits
    assert f"weigerde {dwelling} in dit overleg" in row["reason"]
    assert any(c.household_id == household and c.after is None for c in after.changes)
    assert 'id="changes"' in answer.text
    assert after.seconds < 2.0


def test_pin_holds_while_others_are_refused(ledger: Any, coordinator: Any, proposal: int) -> None:
    plan = _plan(ledger, proposal).outcome.plan
    pinned = (plan["household_id"][1], plan["dwelling_id"][1])
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "1", "action": "pin"})
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "refuse"})
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "2", "action": "refuse"})
    now = _plan(ledger, proposal).outcome.plan
    assert (now["household_id"][1], now["dwelling_id"][1]) == pinned


def test_undo_takes_a_draft_back(ledger: Any, coordinator: Any, proposal: int) -> None:
    first = _plan(ledger, proposal).outcome.plan["dwelling_id"].tolist()
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "refuse"})
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "undo"})
    again = _plan(ledger, proposal)
    assert not again.drafts and again.outcome.plan["dwelling_id"].tolist() == first


def test_confirm_lands_in_the_ledger_the_cli_reads(
    ledger: Any, coordinator: Any, proposal: int
) -> None:
    plan = _plan(ledger, proposal).outcome.plan
    refused = (plan["household_id"][0], plan["dwelling_id"][0])
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "refuse"})
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "1", "action": "pin"})
    coordinator.post(f"/voorstel/{proposal}/alles-akkoord")
    final = _plan(ledger, proposal).outcome.plan
    accepted = [
        (h, d)
        for h, d, b in zip(final["household_id"], final["dwelling_id"], final["besluit"])
        if str(b) == "akkoord"
    ]
    done = coordinator.post(
        f"/voorstel/{proposal}/bevestigen", {"proposal_id": str(proposal)}, follow_redirects=False
    )
    assert done.status_code == 303
    page = coordinator.get(done.headers["location"]).text
    assert 'id="confirmed"' in page and f"{len(accepted)} akkoord" in page
    figures = status(ledger, municipality=None, start=None, today=TODAY)
    assert figures["households_housed"] == len(accepted)
    assert figures["refusals_in_force"] == 1
    assert [(p["household_id"], p["dwelling_id"]) for p in figures["open_pins"]] == [
        (final["household_id"][1], final["dwelling_id"][1])
    ]
    runner = CliRunner()
    shown = runner.invoke(
        cli, ["period", "status", "--ledger", str(ledger.location.sqlite_file), "--json"]
    )
    assert shown.exit_code == 0, shown.output
    assert f'"persons_housed": {figures["persons_housed"]}' in shown.output
    start = coordinator.get("/").text
    assert f'id="housed">{figures["persons_housed"]} personen' in start
    xlsx = coordinator.get(f"/voorstel/{proposal}/plan.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert refused not in accepted


def test_a_second_proposal_makes_the_first_screen_stale(
    ledger: Any, coordinator: Any, proposal: int
) -> None:
    second = coordinator.post("/voorstel", {"date": ""}, follow_redirects=False)
    assert second.status_code == 303
    old = coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "accept"})
    assert old.status_code == 409 and "nieuwer voorstel" in old.text
    confirm = coordinator.post(f"/voorstel/{proposal}/bevestigen", {"proposal_id": str(proposal)})
    assert confirm.status_code == 409
    mismatch = coordinator.post(f"/voorstel/{proposal}/bevestigen", {"proposal_id": "12345"})
    assert mismatch.status_code == 409


def test_history_shows_every_proposal_and_decision_with_who(
    ledger: Any, coordinator: Any, proposal: int
) -> None:
    household = _plan(ledger, proposal).outcome.plan["household_id"][0]
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "refuse"})
    coordinator.post(f"/voorstel/{proposal}/bevestigen", {"proposal_id": str(proposal)})
    found = coordinator.post("/huishouden", {"household_id": household})
    assert found.status_code == 200
    text = re.sub(r"\s+", " ", found.text)
    assert household in text
    assert "voorgesteld" in text and "geweigerd" in text and "coco" in text


def test_open_a_period_in_the_app(tmp_path: Any) -> None:
    from allocatie.ledger.store import open_ledger, resolve
    from allocatie.web.app import WebSettings, create_app
    from allocatie.web.users import add_user
    from tests.web.conftest import PASSWORD, login

    ledger = open_ledger(resolve(str(tmp_path / "new.sqlite")), create=True)
    add_user(ledger, "coco", PASSWORD, "coordinator")
    browser = login(create_app(ledger, WebSettings(today=dt.date(2020, 2, 1))), "coco")
    assert "Er is geen open periode" in browser.get("/").text
    made = browser.post(
        "/periode",
        {"municipality": "GM0153", "start": "2020-01-01", "end": "2020-06-30", "quota": "40"},
    )
    assert made.status_code == 200 and "40 personen" in made.text


def test_the_downloaded_plan_confirms_with_the_cli_as_well(
    ledger: Any, coordinator: Any, proposal: int, tmp_path: Any
) -> None:
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "0", "action": "refuse"})
    coordinator.post(f"/voorstel/{proposal}/besluit", {"row": "1", "action": "pin"})
    coordinator.post(f"/voorstel/{proposal}/alles-akkoord")
    drafts = _plan(ledger, proposal).drafts
    xlsx = coordinator.get(f"/voorstel/{proposal}/plan.xlsx")
    assert xlsx.status_code == 200
    (tmp_path / "plan.xlsx").write_bytes(xlsx.content)
    result = CliRunner().invoke(
        cli,
        [
            "month",
            "confirm",
            str(tmp_path / "plan.xlsx"),
            "--ledger",
            str(ledger.location.sqlite_file),
            "--date",
            TODAY.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    figures = status(ledger, municipality=None, start=None, today=TODAY)
    assert figures["households_housed"] == sum(d.decision == "accepted" for d in drafts)
    assert figures["refusals_in_force"] == 1 and len(figures["open_pins"]) == 1


def test_uploads_go_when_the_period_is_closed(ledger: Any, proposal: int) -> None:
    from sqlalchemy import func, select

    from allocatie.ledger.periods import close_period
    from allocatie.web.app import WebSettings, create_app
    from allocatie.web.tables import WebUpload

    def count() -> int:
        with ledger.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(WebUpload)) or 0)

    assert count() == 4
    close_period(ledger, municipality="GM0153", user="test", today=dt.date(2020, 1, 1))
    create_app(ledger, WebSettings(today=TODAY))  # the app prunes on start
    assert count() == 0
