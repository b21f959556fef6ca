"""Fixtures of the web app tests: a ledger with an open period, users, a logged-in client.

The web stack (Starlette and friends) may be missing on a developer's machine
before ``pip install -e ".[test]"``; the tests then skip, but fail when ``CI`` is
set, so CI can never pass by skipping them.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.paths import EXAMPLE

_NEEDED = ("starlette", "jinja2", "multipart", "argon2", "itsdangerous", "httpx", "uvicorn")
_missing = [m for m in _NEEDED if importlib.util.find_spec(m) is None]
if _missing:
    if os.environ.get("CI"):
        raise RuntimeError(f"the web app's dependencies are missing on CI: {', '.join(_missing)}")
    pytest.skip(f"web stack not installed ({', '.join(_missing)})", allow_module_level=True)

from allocatie.ledger.periods import open_period  # noqa: E402
from allocatie.ledger.store import Ledger, open_ledger, resolve  # noqa: E402
from allocatie.web.users import add_user  # noqa: E402

#: The example is set in 2019 H2; its policy's meeting date is 2019-10-01.
TODAY = dt.date(2019, 10, 1)
PASSWORD = "een-lang-wachtwoord"
#: (name, role, corporation) of the test users.
USERS = (
    ("coco", "coordinator", None),
    ("domijn", "corporatie", "Domijn"),
    ("woonplaats", "corporatie", "De Woonplaats"),
    ("raad", "viewer", None),
)
EXAMPLE_FILES = {
    "households": "households.csv",
    "dwellings": "dwellings.csv",
    "policy": "policy.toml",
    "amenities": "amenities.csv",
}


def make_ledger(folder: Path) -> Ledger:
    """A new SQLite ledger with the example's period open and the test users."""
    ledger = open_ledger(resolve(str(folder / "ledger.sqlite")), create=True)
    open_period(
        ledger,
        municipality="GM0153",
        start=dt.date(2019, 7, 1),
        end=dt.date(2019, 12, 31),
        quota=52,
        backlog=None,
        user="test",
    )
    for name, role, corporation in USERS:
        add_user(ledger, name, PASSWORD, role, corporation)
    return ledger


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Ledger files made once and copied per test (migrating and hashing cost seconds).

    ``base``: the period and the users; ``proposed``: also the example uploaded
    and proposal 1 made from it (through the app's own functions).
    """
    from allocatie.web.files import Upload, check_and_store
    from allocatie.web.meeting import make_proposal

    folder = tmp_path_factory.mktemp("templates")
    made = make_ledger(folder)  # opening the ledger made the web tables (migration 0003)
    made.dispose()
    shutil.copy(folder / "ledger.sqlite", folder / "base.sqlite")
    made = open_ledger(resolve(str(folder / "ledger.sqlite")))
    uploads = [Upload(kind, name, content) for kind, (name, content) in example_files().items()]
    problems, _ = check_and_store(made, "GM0153", uploads, user="coco")
    assert not problems, problems
    proposal, problems = make_proposal(made, "GM0153", None, "coco")
    assert proposal == 1 and not problems, problems
    made.dispose()
    shutil.copy(folder / "ledger.sqlite", folder / "proposed.sqlite")
    return {"base": folder / "base.sqlite", "proposed": folder / "proposed.sqlite"}


@pytest.fixture
def ledger(
    tmp_path: Path, templates: dict[str, Path], request: pytest.FixtureRequest
) -> Iterator[Ledger]:
    """A copy of a template ledger: with proposal 1 when the test asks for ``proposal``."""
    which = "proposed" if "proposal" in request.fixturenames else "base"
    shutil.copy(templates[which], tmp_path / "ledger.sqlite")
    made = open_ledger(resolve(str(tmp_path / "ledger.sqlite")))
    yield made
    made.dispose()


def token(html: str) -> str:
    """The CSRF token of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Browser:
    """A TestClient with its user's CSRF token, for short tests."""

    def __init__(self, client: Any, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def post(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def upload(self, files: dict[str, tuple[str, bytes]]) -> Any:
        return self.client.post("/upload", data={"csrf_token": self.csrf}, files=files)


@pytest.fixture
def app(ledger: Ledger) -> Any:
    from allocatie.web.app import WebSettings, create_app

    return create_app(ledger, WebSettings(today=TODAY))


def client(app: Any) -> Any:
    """Starlette's TestClient (its note that httpx2 will be preferred is not ours to fix)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(app)


def login(app: Any, name: str, password: str = PASSWORD) -> Browser:
    """A client logged in as ``name``."""
    client_ = client(app)
    page = client_.get("/login")
    response = client_.post(
        "/login", data={"username": name, "password": password, "csrf_token": token(page.text)}
    )
    assert response.status_code == 200, response.text
    return Browser(client_, token(response.text))


def example_files() -> dict[str, tuple[str, bytes]]:
    return {kind: (name, (EXAMPLE / name).read_bytes()) for kind, name in EXAMPLE_FILES.items()}


@pytest.fixture
def coordinator(app: Any) -> Browser:
    return login(app, "coco")


@pytest.fixture
def proposal(ledger: Ledger) -> int:
    """The example uploaded and proposed (see ``templates``); the proposal's id."""
    return 1
