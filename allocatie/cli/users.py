"""``allocatie users add``: make (or update) a user of the web app.

The password comes from ``ALLOCATIE_PASSWORD`` (for scripts) or is asked for
twice without echo; it is never an option, so it does not end up in a shell
history or a process list. The user is stored with an Argon2id hash in the
ledger's database; when there is no ledger yet, this command makes one (an
empty ledger, no period), since a first user is how a new installation starts.
"""

from __future__ import annotations

import os

import click

from allocatie.cli.errors import user_errors

__all__ = ["PASSWORD_ENV", "users"]

#: Environment variable holding the new user's password.
PASSWORD_ENV = "ALLOCATIE_PASSWORD"


@click.group()
def users() -> None:
    """Users of the web app (allocatie serve)."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["coordinator", "corporatie", "viewer"]),
    help="coordinator: everything; corporatie: its own offer; viewer: figures only.",
)
@click.option("--corporation", help="The corporation of a 'corporatie' user, as in the offer.")
@click.option(
    "--ledger", "ledger_url", help="SQLAlchemy URL or SQLite file (else ALLOCATIE_LEDGER)."
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def add(name: str, role: str, corporation: str | None, ledger_url: str | None, debug: bool) -> None:
    """Add user NAME (or give an existing one a new password and role)."""
    with user_errors(debug):
        from allocatie.ledger.store import open_ledger, resolve
        from allocatie.web.users import add_user

        password = os.environ.get(PASSWORD_ENV)
        if not password:
            password = click.prompt(
                f"Wachtwoord voor {name}", hide_input=True, confirmation_prompt=True
            )
        location = resolve(ledger_url)
        click.echo(location.describe(), err=True)
        ledger = open_ledger(location, create=True)
        try:
            user = add_user(ledger, name, password, role, corporation)
        finally:
            ledger.dispose()
        where = f" van {user.corporation}" if user.corporation else ""
        click.echo(f"Gebruiker {user.username} ({user.role.label}{where}) staat klaar.")
