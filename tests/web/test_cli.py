"""``allocatie users add`` and ``allocatie serve`` as commands."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.ledger.store import open_ledger, resolve
from allocatie.web.users import Role, authenticate


def test_users_add_takes_the_password_from_the_environment(tmp_path: Path) -> None:
    url = str(tmp_path / "ledger.sqlite")
    runner = CliRunner()
    made = runner.invoke(
        cli,
        [
            "users",
            "add",
            "planner",
            "--role",
            "corporatie",
            "--corporation",
            "Domijn",
            "--ledger",
            url,
        ],
        env={"ALLOCATIE_PASSWORD": "een-lang-wachtwoord"},
    )
    assert made.exit_code == 0, made.output
    assert "planner" in made.output and "een-lang-wachtwoord" not in made.output
    ledger = open_ledger(resolve(url))
    user = authenticate(ledger, "planner", "een-lang-wachtwoord")
    assert user is not None and user.role is Role.CORPORATION and user.corporation == "Domijn"
    assert authenticate(ledger, "planner", "iets-anders-lang") is None
    ledger.dispose()


def test_users_add_asks_twice_without_the_variable(tmp_path: Path) -> None:
    url = str(tmp_path / "ledger.sqlite")
    runner = CliRunner()
    made = runner.invoke(
        cli,
        ["users", "add", "coco", "--role", "coordinator", "--ledger", url],
        input="een-lang-wachtwoord\neen-lang-wachtwoord\n",
        env={"ALLOCATIE_PASSWORD": ""},
    )
    assert made.exit_code == 0, made.output


def test_users_add_refuses_a_short_password_and_a_corporation_without_name(tmp_path: Path) -> None:
    url = str(tmp_path / "ledger.sqlite")
    runner = CliRunner()
    bad = runner.invoke(
        cli,
        ["users", "add", "x!", "--role", "corporatie", "--ledger", url],
        env={"ALLOCATIE_PASSWORD": "kort"},
    )
    assert bad.exit_code == 2
    assert "minstens 10 tekens" in bad.output and "hoort bij een corporatie" in bad.output
    assert "gebruikersnaam" in bad.output


def test_serve_refuses_a_ledger_that_is_not_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--ledger", str(tmp_path / "typo.sqlite")])
    assert result.exit_code == 2
    assert "geen ledger" in result.output
    assert not (tmp_path / "typo.sqlite").exists()


def test_serve_binds_to_localhost_by_default() -> None:
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--port" in help_text and "--ledger" in help_text
