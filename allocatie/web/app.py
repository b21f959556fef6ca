"""The app factory: one Starlette app on one ledger.

Starlette rather than a larger framework: the app serves HTML forms and page
fragments, not a JSON API, so routing, sessions, form parsing and Jinja2
templates are all it needs. The session cookie is Starlette's
``SessionMiddleware`` (signed with itsdangerous, ``HttpOnly`` always,
``SameSite=Strict``, ``Secure`` when :attr:`WebSettings.https_only`); it holds
the user name and the CSRF token only, never a household id.

The signing key comes from ``ALLOCATIE_SESSION_KEY`` when set (several servers
behind one address need the same key), else it is made once and kept in the
database (``web_secret``), so a restart does not log everyone out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from allocatie.ledger.store import Ledger
from allocatie.web.security import BodyLimit, Throttle, csrf_token, current_user, guard, headers
from allocatie.web.tables import WebSecret

__all__ = ["SESSION_KEY_ENV", "WebSettings", "create_app"]

#: Environment variable with the key that signs session cookies.
SESSION_KEY_ENV = "ALLOCATIE_SESSION_KEY"
log = logging.getLogger("allocatie.web")


@dataclass(frozen=True)
class WebSettings:
    """How the app runs.

    Attributes
    ----------
    https_only
        Send the session cookie only over HTTPS (set it behind a TLS proxy).
    session_hours
        How long a login lasts without activity.
    today
        The date the screens count to when the policy names no meeting date
        (tests fix it; default: the real today).
    """

    https_only: bool = False
    session_hours: int = 10
    today: dt.date | None = None


def _session_key(ledger: Ledger) -> str:
    given = os.environ.get(SESSION_KEY_ENV)
    if given:
        return given
    with ledger.transaction() as session:
        found = session.get(WebSecret, "session")
        if found is None:
            found = WebSecret(name="session", value=secrets.token_urlsafe(48))
            session.add(found)
        return found.value


def _prune_all(ledger: Ledger) -> None:
    """Delete the uploads of every municipality's closed half years (personal data)."""
    from sqlalchemy import select

    from allocatie.web.files import prune
    from allocatie.web.tables import WebUpload

    with ledger.engine.connect() as connection:
        municipalities = set(connection.scalars(select(WebUpload.municipality).distinct()))
    for municipality in sorted(municipalities):
        prune(ledger, municipality)


def templates() -> Jinja2Templates:
    """The Jinja2 templates, autoescaping every value (ids and names are user input)."""
    folder = Path(str(resources.files("allocatie.web") / "templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["csrf_token"] = csrf_token
    env.globals["current_user"] = current_user
    return Jinja2Templates(env=env)


def _error_page(view: Jinja2Templates) -> object:
    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            code, text = exc.status_code, str(exc.detail)
        else:  # never the exception's text: it may hold data
            log.error(
                "onverwachte fout (%s) bij %s %s",
                type(exc).__name__,
                request.method,
                request.url.path,
            )
            code, text = 500, "Er ging iets mis in de app. Probeer het opnieuw of meld het beheer."
        known = {
            401: "Log eerst in.",
            403: "Dit mag u met uw rol niet, of de pagina is verlopen.",
            404: "Deze pagina bestaat niet.",
            405: "Dit kan hier niet.",
            413: "De upload is te groot.",
        }
        if code != 403 or not text:
            text = known.get(code, text)
        response = view.TemplateResponse(
            request, "error.html", {"code": code, "message": text}, status_code=code
        )
        return headers(response)

    return handler


def create_app(ledger: Ledger, settings: WebSettings | None = None) -> Starlette:
    """The coordinator's web app on ``ledger`` (opening the ledger made its ``web_`` tables)."""
    from allocatie.web import routes

    settings = settings or WebSettings()
    _prune_all(ledger)
    view = templates()
    static = Path(str(resources.files("allocatie.web") / "static"))
    handler = _error_page(view)
    app = Starlette(
        routes=[*routes.routes(), Mount("/static", StaticFiles(directory=static), name="static")],
        middleware=[
            Middleware(BodyLimit),
            Middleware(
                SessionMiddleware,
                secret_key=_session_key(ledger),
                session_cookie="allocatie_sessie",
                max_age=settings.session_hours * 3600,
                same_site="strict",
                https_only=settings.https_only,
            ),
            Middleware(BaseHTTPMiddleware, dispatch=guard(ledger)),
        ],
        exception_handlers={HTTPException: handler, Exception: handler},  # type: ignore[dict-item]
    )
    app.state.ledger = ledger
    app.state.settings = settings
    app.state.templates = view
    app.state.throttle = Throttle()
    return app


def page(
    request: Request, name: str, context: dict[str, object], status: int = 200
) -> HTMLResponse:
    """Render a template for this request."""
    view: Jinja2Templates = request.app.state.templates
    return view.TemplateResponse(request, name, context, status_code=status)
