"""The whole monthly meeting in a real browser: Debian's Chromium driven by Selenium.

The server is the real command (``python -m allocatie serve``) on a free port of
127.0.0.1 and a fresh SQLite ledger with the example's period open. Without
``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (``.ci/browser.sh`` installs
them) the tests skip, but fail when ``CI`` is set, so CI can never pass by
skipping them. Nothing is downloaded: the driver is given by path, so Selenium
Manager is never asked for one.

A screenshot of each step goes to ``$ALLOCATIE_WEB_SHOTS`` (default: a
temporary folder), so a person can look at what a coordinator sees.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.paths import EXAMPLE
from tests.web.conftest import PASSWORD, make_ledger

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
_missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
if _missing:
    if os.environ.get("CI"):
        raise RuntimeError(f"{', '.join(_missing)} missing on CI: run .ci/browser.sh first")
    pytest.skip(f"{', '.join(_missing)} not installed (.ci/browser.sh)", allow_module_level=True)
if not os.environ.get("CI"):
    pytest.importorskip("selenium", reason="selenium not installed (pip install -e '.[test]')")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(folder: Path) -> Iterator[dict[str, Any]]:
    """``allocatie serve`` on a new ledger in ``folder``, on a free port of 127.0.0.1."""
    ledger = make_ledger(folder)
    ledger.dispose()
    port = _free_port()
    log = (folder / "server.log").open("w")
    env = {k: v for k, v in os.environ.items() if k != "ALLOCATIE_LEDGER"}
    command = [
        sys.executable,
        "-m",
        "allocatie",
        "serve",
        "--ledger",
        str(folder / "ledger.sqlite"),
    ]
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((folder / "server.log").read_text()) from None
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the server did not start")
    try:
        yield {"url": f"http://127.0.0.1:{port}", "folder": folder, "log": folder / "server.log"}
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with _serving(tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with _serving(tmp_path_factory.mktemp("web-fresh")) as running:
        yield running


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("ALLOCATIE_WEB_SHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--window-size=1440,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.downloads = downloads
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver: Any, folder: Path, name: str) -> None:
    """A screenshot of the whole page (not only the window)."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    picture = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": min(size["height"], 4000),
                "scale": 1,
            },
        },
    )
    (folder / f"{name}.png").write_bytes(base64.b64decode(picture["data"]))


def _wait(driver: Any, condition: Any) -> Any:
    return WebDriverWait(driver, WAIT).until(condition)


def _login(driver: Any, url: str, name: str, password: str = PASSWORD) -> None:
    driver.delete_all_cookies()
    driver.get(url + "/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form.who, p.error"))


def _swapped(driver: Any, before: str | None) -> Any:
    """Wait until the page's script has swapped in the server's answer."""
    return _wait(
        driver, lambda d: d.execute_script("return document.body.dataset.swapped") != before
    )


def _row(driver: Any, number: int) -> Any:
    return driver.find_element(By.ID, f"row-{number}")


def _dwelling(driver: Any, number: int) -> str:
    return str(_row(driver, number).find_element(By.CSS_SELECTOR, "td.dw").text)


def test_the_whole_monthly_meeting(server: dict[str, Any], driver: Any, shots: Path) -> None:
    url = server["url"]
    # no page without a login
    driver.get(url + "/voorstel")
    assert driver.current_url.endswith("/login")
    # a wrong password is refused
    _login(driver, url, "coco", "verkeerd-wachtwoord")
    error = _wait(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, "p.error")))
    assert "verkeerd wachtwoord" in error.text
    assert driver.current_url.endswith("/login")
    _shot(driver, shots, "01-wrong-password")
    # log in: the start page names the taakstelling
    _login(driver, url, "coco")
    _wait(driver, ec.presence_of_element_located((By.ID, "taakstelling")))
    assert driver.find_element(By.ID, "taakstelling").text == "52 personen"
    _shot(driver, shots, "02-start-before-upload")
    # upload with a mistake: every problem listed, nothing stored
    driver.get(url + "/upload")
    broken = server["folder"] / "huishoudens-fout.csv"
    text = (EXAMPLE / "households.csv").read_text(encoding="utf-8")
    broken.write_text(text.replace("HH-2019-002,5,", "HH-2019-002,vijf,", 1), encoding="utf-8")
    driver.find_element(By.NAME, "households").send_keys(str(broken))
    driver.find_element(By.NAME, "dwellings").send_keys(str(EXAMPLE / "dwellings.csv"))
    driver.find_element(By.NAME, "policy").send_keys(str(EXAMPLE / "policy.toml"))
    driver.find_element(By.ID, "upload-button").click()
    problems = _wait(driver, ec.presence_of_element_located((By.ID, "problems")))
    assert "huishoudens-fout.csv" in problems.text and "persons" in problems.text
    assert not driver.find_elements(By.ID, "uploads")
    _shot(driver, shots, "03-upload-problems")
    # the right files
    for name, file in (
        ("households", "households.csv"),
        ("dwellings", "dwellings.csv"),
        ("policy", "policy.toml"),
        ("amenities", "amenities.csv"),
    ):
        driver.find_element(By.NAME, name).send_keys(str(EXAMPLE / file))
    driver.find_element(By.ID, "upload-button").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "upload-ok")))
    _shot(driver, shots, "04-upload-ok")
    driver.get(url + "/")
    waiting = driver.find_elements(By.CSS_SELECTOR, "#waiting tbody tr")
    assert len(waiting) == 23
    assert driver.find_elements(By.CSS_SELECTOR, "#waiting tr.overdue")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#offer tbody tr")) == 26
    _shot(driver, shots, "05-start-with-files")
    # Voorstel maken
    driver.find_element(By.ID, "make-proposal").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "plan")))
    proposal = driver.current_url.rsplit("/", 1)[1]
    assert proposal.isdigit()
    rows = driver.find_elements(By.CSS_SELECTOR, "#plan tbody tr")
    assert len(rows) == 23
    assert all(r.find_element(By.CSS_SELECTOR, "td.reason").text for r in rows)
    first_reason = rows[0].find_element(By.CSS_SELECTOR, "td.reason").text
    assert first_reason.startswith(("Geplaatst", "Vastgezet", "Wacht"))
    _shot(driver, shots, "06-proposal")
    # the map: Leaflet from the package, markers, no network
    frame = driver.find_element(By.ID, "map")
    driver.execute_script("arguments[0].scrollIntoView()", frame)
    driver.switch_to.frame(frame)
    _wait(driver, ec.presence_of_element_located((By.CSS_SELECTOR, ".leaflet-container")))
    assert driver.execute_script("return typeof L") == "object"
    assert driver.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive")
    driver.switch_to.default_content()
    time.sleep(0.3)
    driver.save_screenshot(str(shots / "07-map.png"))
    # refuse row 0: re-solved at once, the change shown
    before = _dwelling(driver, 0)
    refused = str(_row(driver, 0).get_attribute("data-household"))
    stamp = driver.execute_script("return document.body.dataset.swapped")
    started = time.monotonic()
    _row(driver, 0).find_element(By.CSS_SELECTOR, "button[value=refuse]").click()
    _swapped(driver, stamp)
    resolved = time.monotonic() - started
    assert _dwelling(driver, 0) != before
    changes = driver.find_element(By.ID, "changes")
    assert "veranderde" in changes.text
    assert resolved < 5
    _shot(driver, shots, "08-refused")
    # pin row 1
    pinned = _dwelling(driver, 1)
    stamp = driver.execute_script("return document.body.dataset.swapped")
    _row(driver, 1).find_element(By.CSS_SELECTOR, "button[value=pin]").click()
    _swapped(driver, stamp)
    assert "vastgezet" in _row(driver, 1).find_element(By.CSS_SELECTOR, "td.decision").text
    assert _dwelling(driver, 1) == pinned
    _shot(driver, shots, "09-pinned")
    # why not this dwelling? (row 2 asks about row 1's pinned dwelling, then another)
    form = _row(driver, 2).find_element(By.CSS_SELECTOR, "form.why-form")
    choice = Select(form.find_element(By.NAME, "dwelling"))
    choice.select_by_value(pinned)
    stamp = driver.execute_script("return document.body.dataset.swapped")
    form.find_element(By.CSS_SELECTOR, "button").click()
    _swapped(driver, stamp)
    answer = driver.find_element(By.CSS_SELECTOR, "#why-2 .why-answer")
    assert pinned in answer.text
    assert any(word in answer.text for word in ("Vastgezet", "Grootte", "Huur", "Plafond"))
    _shot(driver, shots, "10-why-not")
    # accept the rest, confirm into the ledger
    stamp = driver.execute_script("return document.body.dataset.swapped")
    driver.find_element(By.ID, "accept-rest").click()
    _swapped(driver, stamp)
    decided = driver.find_element(By.ID, "decided").text
    assert int(decided) >= 3
    driver.find_element(By.ID, "confirm").click()
    driver.switch_to.alert.accept()
    done = _wait(driver, ec.presence_of_element_located((By.ID, "confirmed")))
    assert "akkoord" in done.text and "1 geweigerd" in done.text and "1 vastgezet" in done.text
    _shot(driver, shots, "11-confirmed")
    # downloads
    driver.find_element(By.ID, "download-xlsx").click()
    driver.find_element(By.ID, "download-report").click()
    deadline = time.monotonic() + WAIT
    names: set[str] = set()
    while time.monotonic() < deadline:
        names = {p.name for p in driver.downloads.iterdir() if not p.name.endswith(".crdownload")}
        if {f"voorstel-{proposal}-plan.xlsx", f"voorstel-{proposal}-rapport.html"} <= names:
            break
        time.sleep(0.2)
    assert (
        f"voorstel-{proposal}-plan.xlsx" in names and f"voorstel-{proposal}-rapport.html" in names
    )
    assert (driver.downloads / f"voorstel-{proposal}-plan.xlsx").read_bytes()[:2] == b"PK"
    # the period status moved
    driver.get(url + "/")
    housed = driver.find_element(By.ID, "housed").text
    assert int(housed.split()[0]) > 0
    _shot(driver, shots, "12-start-after-confirm")
    # the history of the refused household
    driver.get(url + "/huishouden")
    driver.find_element(By.NAME, "household_id").send_keys(refused)
    driver.find_element(By.CSS_SELECTOR, "form.inline button").click()
    table = _wait(driver, ec.presence_of_element_located((By.ID, "history")))
    assert "geweigerd" in table.text and "voorgesteld" in table.text and "coco" in table.text
    assert "?" not in driver.current_url and refused not in driver.current_url
    _shot(driver, shots, "13-history")


def test_a_corporation_sees_and_changes_only_its_own_dwellings(
    fresh_server: dict[str, Any], driver: Any, shots: Path
) -> None:
    url = fresh_server["url"]
    _login(driver, url, "coco")
    _wait(driver, ec.presence_of_element_located((By.ID, "taakstelling")))
    driver.get(url + "/upload")
    for name, file in (
        ("households", "households.csv"),
        ("dwellings", "dwellings.csv"),
        ("policy", "policy.toml"),
    ):
        driver.find_element(By.NAME, name).send_keys(str(EXAMPLE / file))
    driver.find_element(By.ID, "upload-button").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "upload-ok")))
    driver.get(url + "/")
    driver.find_element(By.ID, "make-proposal").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "plan")))
    proposal = driver.current_url.rsplit("/", 1)[1]
    everyone = {
        r.get_attribute("id"): r.find_elements(By.TAG_NAME, "td")[4].text
        for r in driver.find_elements(By.CSS_SELECTOR, "#plan tbody tr")
    }
    _login(driver, url, "domijn")
    driver.get(f"{url}/voorstel/{proposal}")
    _wait(driver, ec.presence_of_element_located((By.ID, "plan")))
    mine = driver.find_elements(By.CSS_SELECTOR, "#plan tbody tr")
    assert mine and {r.find_elements(By.TAG_NAME, "td")[4].text for r in mine} == {"Domijn"}
    page = driver.page_source
    others = [row for row, corp in everyone.items() if corp not in ("Domijn", "")]
    assert others
    _shot(driver, shots, "14-corporation-view")
    # a forged form for another corporation's row is refused by the server
    number = others[0].split("-")[1]
    status = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const body = new FormData();
        body.append("csrf_token", document.querySelector("input[name=csrf_token]").value);
        body.append("row", arguments[0]);
        body.append("action", "refuse");
        fetch(arguments[1], {method: "POST", body: body, headers: {"X-Requested-With": "fetch"}})
          .then(r => done(r.status));
        """,
        number,
        f"{url}/voorstel/{proposal}/besluit",
    )
    assert status == 403
    assert "De Woonplaats" not in page.split('id="plan"')[1]


def test_a_script_household_id_renders_as_text(
    server: dict[str, Any], driver: Any, shots: Path
) -> None:
    url = server["url"]
    _login(driver, url, "coco")
    _wait(driver, ec.presence_of_element_located((By.ID, "taakstelling")))
    evil = server["folder"] / "huishoudens.csv"
    text = (EXAMPLE / "households.csv").read_text(encoding="utf-8")
    evil.write_text(
        text.replace("HH-2019-020", "<script>window.__xss=1</script>", 1), encoding="utf-8"
    )
    driver.get(url + "/upload")
    driver.find_element(By.NAME, "households").send_keys(str(evil))
    driver.find_element(By.ID, "upload-button").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "upload-ok")))
    driver.get(url + "/")
    cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#waiting td")]
    assert "<script>window.__xss=1</script>" in cells
    assert driver.execute_script("return window.__xss") is None
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    driver.find_element(By.ID, "make-proposal").click()
    _wait(driver, ec.presence_of_element_located((By.ID, "plan")))
    assert driver.execute_script("return window.__xss") is None
    assert "<script>window.__xss=1</script>" in driver.find_element(By.ID, "plan").text
    _shot(driver, shots, "15-script-id-as-text")


def test_the_server_log_names_no_household(server: dict[str, Any]) -> None:
    log = server["log"].read_text(encoding="utf-8")
    assert "GET /login" in log  # the access log is on
    assert not re.search(r"HH-2019|xss", log), log
