"""``allocatie serve``: the coordinator's web app on a ledger.

Binds to 127.0.0.1 by default: the app holds personal data and is meant to be
reached through the municipality's own reverse proxy (with TLS, then
``--https-only``), not opened to a network by accident. The ledger must exist
(``allocatie period open`` or ``allocatie users add`` make it), so a typo in
``--ledger`` does not start an empty app. Uvicorn's access log shows method,
path and status only; no path of the app carries a household id.
"""

from __future__ import annotations

import click

from allocatie.cli.errors import user_errors

__all__ = ["serve"]


@click.command()
@click.option(
    "--ledger", "ledger_url", help="SQLAlchemy URL or SQLite file (else ALLOCATIE_LEDGER)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--https-only/--no-https-only",
    default=False,
    help="Send the session cookie over HTTPS only (behind a TLS proxy).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def serve(ledger_url: str | None, host: str, port: int, https_only: bool, debug: bool) -> None:
    """Start the web app for the monthly meeting (Dutch), e.g. http://127.0.0.1:8000/login."""
    with user_errors(debug):
        import uvicorn

        from allocatie.ledger.store import open_ledger, resolve
        from allocatie.web.app import WebSettings, create_app

        location = resolve(ledger_url)
        ledger = open_ledger(location)
        click.echo(location.describe(), err=True)
        app = create_app(ledger, WebSettings(https_only=https_only))
        click.echo(f"De webapp draait op http://{host}:{port}/login (stoppen: Ctrl-C)", err=True)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
