"""Login, sessions, CSRF, limits and escaping, through the app with Starlette's TestClient."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, client, example_files, login, token

#: One example of every route, with a POST body where it needs one.
ROUTES = [
    ("GET", "/"),
    ("GET", "/upload"),
    ("GET", "/voorstel"),
    ("GET", "/voorstel/1"),
    ("GET", "/voorstel/1/kaart"),
    ("GET", "/voorstel/1/plan.xlsx"),
    ("GET", "/voorstel/1/rapport.html"),
    ("GET", "/huishouden"),
    ("GET", "/huishouden/1"),
    ("POST", "/logout"),
    ("POST", "/periode"),
    ("POST", "/upload"),
    ("POST", "/voorstel"),
    ("POST", "/voorstel/1/besluit"),
    ("POST", "/voorstel/1/waarom"),
    ("POST", "/voorstel/1/alles-akkoord"),
    ("POST", "/voorstel/1/bevestigen"),
    ("POST", "/huishouden"),
]


def test_the_route_list_above_is_every_route(app: Any) -> None:
    from starlette.routing import Route

    for route in app.routes:
        if not isinstance(route, Route) or route.path == "/login":
            continue
        pattern = re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path)) + "$")
        for method in (route.methods or set()) - {"HEAD"}:
            assert any(m == method and pattern.match(p) for m, p in ROUTES), (method, route.path)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_page_or_answer_without_a_login(app: Any, proposal: int, method: str, path: str) -> None:
    anonymous = client(app)
    response = anonymous.request(
        method, path, headers={"accept": "text/html"}, follow_redirects=False
    )
    if method == "GET":
        assert response.status_code == 303 and response.headers["location"] == "/login"
    else:
        assert response.status_code == 401
    assert "HH-2019" not in response.text
    api = anonymous.request(method, path, headers={"accept": "application/json"})
    assert api.status_code == 401


def test_static_files_and_the_login_form_need_no_login(app: Any) -> None:
    anonymous = client(app)
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/static/app.js").status_code == 200


def test_a_wrong_password_is_refused_and_says_not_which_part(app: Any) -> None:
    anonymous = client(app)
    csrf = token(anonymous.get("/login").text)
    for name, password in (("coco", "verkeerd-wachtwoord"), ("niemand", PASSWORD)):
        response = anonymous.post(
            "/login", data={"username": name, "password": password, "csrf_token": csrf}
        )
        assert response.status_code == 401
        assert "Onbekende gebruikersnaam of verkeerd wachtwoord" in response.text
    assert anonymous.get("/", follow_redirects=False).status_code in (303, 401)


def test_repeated_failures_lock_the_name_for_a_while(app: Any) -> None:
    anonymous = client(app)
    csrf = token(anonymous.get("/login").text)
    for _ in range(5):
        anonymous.post(
            "/login", data={"username": "raad", "password": "x" * 12, "csrf_token": csrf}
        )
    right = anonymous.post(
        "/login", data={"username": "raad", "password": PASSWORD, "csrf_token": csrf}
    )
    assert right.status_code == 429


def test_the_start_page_names_the_taakstelling(coordinator: Any) -> None:
    page = coordinator.get("/").text
    assert "Taakstelling" in page and "52 personen" in page


def test_the_session_cookie_is_signed_httponly_and_samesite(app: Any) -> None:
    anonymous = client(app)
    cookie = anonymous.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    browser = login(app, "coco")
    assert browser.get("/").status_code == 200
    value = browser.client.cookies["allocatie_sessie"]
    forged = value[:-3] + ("abc" if not value.endswith("abc") else "xyz")
    browser.client.cookies.set("allocatie_sessie", forged)  # a forged signature: no session
    assert browser.get("/", follow_redirects=False).status_code == 401


def test_the_session_holds_no_household_id(coordinator: Any, proposal: int) -> None:
    import base64

    coordinator.get(f"/voorstel/{proposal}")
    for value in coordinator.client.cookies.values():
        payload = value.split(".")[0]
        decoded = base64.b64decode(payload + "=" * (-len(payload) % 4))
        assert b"HH-" not in decoded


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "POST"])
def test_every_form_needs_its_csrf_token(
    coordinator: Any, proposal: int, method: str, path: str
) -> None:
    path = path.replace("/1/", f"/{proposal}/")
    response = coordinator.client.post(path, data={"row": "0", "action": "refuse"})
    assert response.status_code == 403
    wrong = coordinator.client.post(path, data={"csrf_token": "x" * 43, "row": "0"})
    assert wrong.status_code == 403


def test_the_login_form_needs_its_csrf_token(app: Any) -> None:
    anonymous = client(app)
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "coco", "password": PASSWORD})
    assert response.status_code == 403


def test_a_new_login_gets_a_new_csrf_token(app: Any) -> None:
    anonymous = client(app)
    before = token(anonymous.get("/login").text)
    after = anonymous.post(
        "/login", data={"username": "coco", "password": PASSWORD, "csrf_token": before}
    )
    assert token(after.text) != before


def test_a_too_large_upload_is_refused_before_it_is_read(coordinator: Any) -> None:
    big = b"household_id,persons\n" + b"x,1\n" * (6 * 1024 * 1024 // 4)
    response = coordinator.upload({"households": ("groot.csv", big)})
    assert response.status_code == 422
    assert "groter dan 5 MB" in response.text
    huge = coordinator.client.post(
        "/upload",
        content=b"x" * 100,
        headers={"content-length": str(30 * 1024 * 1024), "content-type": "text/plain"},
    )
    assert huge.status_code == 413


def test_security_headers(coordinator: Any, proposal: int) -> None:
    page = coordinator.get("/")
    csp = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    map_page = coordinator.get(f"/voorstel/{proposal}/kaart")
    assert "default-src 'none'" in map_page.headers["content-security-policy"]
    assert "https://" not in re.sub(
        r"https://(leafletjs\.com|bugzilla[^\"' ]*)", "", map_page.text.split("<body")[0]
    )


def test_a_script_household_id_renders_as_text(coordinator: Any) -> None:
    files = example_files()
    households = files["households"][1].replace(b"HH-2019-001", b"<script>alert(1)</script>")
    files["households"] = ("households.csv", households)
    assert coordinator.upload(files).status_code == 200
    page = coordinator.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    made = coordinator.post("/voorstel", {"date": ""}, follow_redirects=False)
    plan = coordinator.get(made.headers["location"]).text
    assert "<script>alert" not in plan and "&lt;script&gt;alert(1)&lt;/script&gt;" in plan


def test_error_pages_and_logs_carry_no_household_id(
    coordinator: Any, proposal: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    missing = coordinator.get("/voorstel/999")
    assert missing.status_code == 404
    bad_row = coordinator.post(
        f"/voorstel/{proposal}/besluit", {"row": "HH-2019-001", "action": "x"}
    )
    assert bad_row.status_code == 400 and "HH-2019" not in bad_row.text
    found = coordinator.post("/huishouden", {"household_id": "HH-2019-001"}, follow_redirects=False)
    assert found.status_code == 303 and "HH-" not in found.headers["location"]
    assert "?" not in found.headers["location"]
    assert "HH-2019" not in caplog.text


def test_urls_of_the_pages_carry_no_household_id_or_query(coordinator: Any, proposal: int) -> None:
    for path in ("/", f"/voorstel/{proposal}", "/upload"):
        html = coordinator.get(path).text
        for url in re.findall(r'(?:href|action|src)="([^"]+)"', html):
            assert "?" not in url and "HH-" not in url, url


def test_login_page_works_again_after_logout(coordinator: Any) -> None:
    out = coordinator.post("/logout", follow_redirects=False)
    assert out.status_code == 303
    assert coordinator.get("/", follow_redirects=False).status_code == 401
    page = coordinator.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.headers["location"] == "/login"


def test_a_user_removed_or_changed_takes_effect_at_once(app: Any, ledger: Any) -> None:
    from allocatie.web.users import add_user

    viewer = login(app, "raad")
    assert viewer.get("/upload").status_code == 403
    add_user(ledger, "raad", PASSWORD, "coordinator")
    assert viewer.get("/upload").status_code == 200
