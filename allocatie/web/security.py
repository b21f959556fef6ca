"""What guards every request: login, CSRF tokens, upload size, headers, quiet errors.

- **Login.** Every path except ``/login`` and ``/static/`` needs a user in
  the (signed) session; a page asks for the login form, anything else gets
  401. The user is read from the database on every request, so a role change
  or a removed user takes effect at once.
- **CSRF.** Each session holds a random token; every form carries it and every
  POST is refused (403) unless the token matches (constant-time compare). The
  session cookie is also ``SameSite=Strict``.
- **Size.** A request body larger than :data:`MAX_BODY_BYTES` is refused with
  413 before it is read to the end (by ``Content-Length`` and by counting).
- **Headers.** A Content-Security-Policy without inline scripts (the map page
  sets its own), no framing by other sites, no referrer, ``no-store`` caching
  (pages hold personal data).
- **Errors.** An error page says what happened in general terms only: never a
  traceback, a household id or a query string.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from allocatie.web.users import User, get_user

__all__ = [
    "MAX_BODY_BYTES",
    "BodyLimit",
    "Throttle",
    "checked_form",
    "csrf_token",
    "guard",
    "headers",
]

#: The largest request accepted: four files of at most 5 MB and the form around them.
MAX_BODY_BYTES = 21 * 1024 * 1024
#: Paths that answer without a login.
PUBLIC = ("/login", "/static/")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
log = logging.getLogger("allocatie.web")


class Throttle:
    """Failed logins per user name; after ``limit`` of them the name waits ``seconds``.

    Kept in the app's memory: it slows down guessing from one server, which is
    what matters on a municipality's own machine; a proxy may add its own limit.
    """

    def __init__(self, limit: int = 5, seconds: float = 60.0) -> None:
        self.limit, self.seconds = limit, seconds
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def locked(self, name: str) -> bool:
        with self._lock:
            count, since = self._failures.get(name, (0, 0.0))
            if count < self.limit:
                return False
            if time.monotonic() - since < self.seconds:
                return True
            del self._failures[name]
            return False

    def failed(self, name: str) -> None:
        with self._lock:
            count, _ = self._failures.get(name, (0, 0.0))
            self._failures[name] = (count + 1, time.monotonic())

    def passed(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token was checked (403 otherwise).

    The token may also come in the ``X-CSRF-Token`` header (the small script
    that swaps parts of a page sends the form itself, so the field is there too).
    """
    form = await request.form(max_files=8, max_fields=200)
    given = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    expected = request.session.get("csrf")
    if (
        not isinstance(given, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise HTTPException(403, "De pagina is verlopen of niet door deze app gemaakt.")
    return form


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, "Het bestand is te groot.")
            return message

        await self.app(scope, counted, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(
        "De upload is te groot (hoogstens 5 MB per bestand).", status_code=413
    )
    await response(scope, receive, send)


def headers(response: Response, csp: str = CSP) -> Response:
    """The security headers every answer carries."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def current_user(request: Request) -> User | None:
    """The user of this request, set by :func:`guard`."""
    user = request.scope.get("allocatie.user")
    return user if isinstance(user, User) else None


def guard(ledger: Any) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Any]:
    """Middleware: a login for everything but the public paths, then the headers."""

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if not path.startswith(PUBLIC):
            name = request.session.get("user")
            user = get_user(ledger, name) if isinstance(name, str) else None
            if user is None:
                request.session.pop("user", None)
                wants_page = request.method == "GET" and "text/html" in request.headers.get(
                    "accept", ""
                )
                if wants_page:
                    return headers(RedirectResponse("/login", status_code=303))
                return headers(PlainTextResponse("Log eerst in.", status_code=401))
            request.scope["allocatie.user"] = user
        response = await call_next(request)
        return headers(response)

    return middleware
