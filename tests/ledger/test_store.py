"""Which ledger a command uses: --ledger, else ALLOCATIE_LEDGER, else a file here."""

from __future__ import annotations

from allocatie.ledger.store import DEFAULT_FILE, ENV_VAR, current_user, resolve
from tests.ledger.conftest import invoke, ok


def test_the_option_wins_then_the_environment_then_the_default_file(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://u:geheim@db.example/ledger")
    assert resolve("x.sqlite").source == "--ledger"
    from_env = resolve(None)
    assert from_env.source == ENV_VAR and "geheim" not in from_env.describe()
    assert "***" in from_env.shown
    monkeypatch.delenv(ENV_VAR)
    default = resolve(None, cwd=tmp_path)
    assert default.sqlite_file == tmp_path / DEFAULT_FILE
    assert "standaard" in default.describe()


def test_a_plain_path_is_a_sqlite_file(tmp_path):
    location = resolve(str(tmp_path / "mijn ledger.sqlite"))
    assert location.is_sqlite and location.sqlite_file == tmp_path / "mijn ledger.sqlite"


def test_the_default_ledger_is_made_in_the_current_folder_and_named(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    result = ok(
        invoke(
            "period",
            "open",
            "--municipality",
            "GM0153",
            "--start",
            "2019-07-01",
            "--end",
            "2019-12-31",
            "--quota",
            "52",
            cwd=tmp_path,
        )
    )
    assert (tmp_path / DEFAULT_FILE).is_file()
    assert DEFAULT_FILE in result.output and "standaard" in result.output


def test_the_user_is_given_or_the_system_user():
    assert current_user(" marieke ") == "marieke"
    assert current_user(None)
