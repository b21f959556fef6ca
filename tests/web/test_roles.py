"""Roles on the server: a corporation sees and decides on its own dwellings only, a viewer
sees figures without a household id."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from tests.paths import EXAMPLE
from tests.web.conftest import login

WOONPLAATS = "De Woonplaats"


def _offer() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / "dwellings.csv", dtype=str)


def _rows(html: str) -> dict[int, dict[str, str]]:
    """Row number → household, dwelling and corporation, from the plan table."""
    rows = {}
    for number, body in re.findall(r'<tr id="row-(\d+)"[^>]*>(.*?)</tr>', html, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
        rows[int(number)] = {
            "household": re.sub(r"<.*", "", cells[0], flags=re.S).strip(),
            "dwelling": cells[3].strip(),
            "corporation": cells[4].strip(),
        }
    return rows


def test_a_corporation_sees_only_rows_of_its_own_dwellings(app: Any, proposal: int) -> None:
    everyone = _rows(login(app, "coco").get(f"/voorstel/{proposal}").text)
    theirs = _rows(login(app, "domijn").get(f"/voorstel/{proposal}").text)
    assert theirs and all(r["corporation"] == "Domijn" for r in theirs.values())
    assert {n for n, r in everyone.items() if r["corporation"] == "Domijn"} == set(theirs)
    page = login(app, "domijn").get(f"/voorstel/{proposal}").text
    for row in everyone.values():
        if row["corporation"] not in ("Domijn", ""):
            assert row["dwelling"] not in page  # not in the table, not among the why-not choices


def test_a_corporation_cannot_decide_on_another_corporations_dwelling(
    app: Any, proposal: int
) -> None:
    rows = _rows(login(app, "coco").get(f"/voorstel/{proposal}").text)
    other = next(n for n, r in rows.items() if r["corporation"] == WOONPLAATS)
    own = next(n for n, r in rows.items() if r["corporation"] == "Domijn")
    domijn = login(app, "domijn")
    for action in ("accept", "refuse", "pin"):
        refused = domijn.post(
            f"/voorstel/{proposal}/besluit", {"row": str(other), "action": action}
        )
        assert refused.status_code == 403
    why = domijn.post(
        f"/voorstel/{proposal}/waarom", {"row": str(other), "dwelling": rows[other]["dwelling"]}
    )
    assert why.status_code == 403
    mine = domijn.post(f"/voorstel/{proposal}/besluit", {"row": str(own), "action": "accept"})
    assert mine.status_code == 200
    assert (
        domijn.post(f"/voorstel/{proposal}/bevestigen", {"proposal_id": str(proposal)}).status_code
        == 403
    )
    coordinator = login(app, "coco")
    assert "akkoord" in coordinator.get(f"/voorstel/{proposal}").text


def test_a_corporation_accepts_all_of_its_own_rows_only(app: Any, proposal: int) -> None:
    domijn = login(app, "domijn")
    domijn.post(f"/voorstel/{proposal}/alles-akkoord")
    coordinator = login(app, "coco").get(f"/voorstel/{proposal}").text
    rows = _rows(coordinator)
    decided = set(re.findall(r'<tr id="row-(\d+)" class="[^"]*decided', coordinator))
    assert decided and {rows[int(n)]["corporation"] for n in decided} == {"Domijn"}


def test_a_corporation_uploads_its_own_offer_only(app: Any, proposal: int) -> None:
    offer = _offer()
    domijn = login(app, "domijn")
    whole = domijn.upload({"dwellings": ("alles.csv", offer.to_csv(index=False).encode())})
    assert whole.status_code == 422
    assert "niet van Domijn" in whole.text
    lines = re.findall(r"<td>alles\.csv</td><td>(\d+)</td><td>corporation</td>", whole.text)
    expected = [str(i + 2) for i, c in enumerate(offer["corporation"]) if c != "Domijn"]
    assert lines == expected
    own = offer[offer["corporation"] == "Domijn"]
    done = domijn.upload({"dwellings": ("domijn.csv", own.to_csv(index=False).encode())})
    assert done.status_code == 200 and 'id="upload-ok"' in done.text
    households = domijn.upload({"households": ("h.csv", b"household_id\n")})
    assert "HH-2019" not in households.text
    upload_page = domijn.get("/upload").text
    assert 'name="households"' not in upload_page


def test_a_corporation_sees_only_its_own_offer_and_pins_on_the_start_page(
    app: Any, proposal: int
) -> None:
    page = login(app, "domijn").get("/").text
    offer = _offer()
    for did, corp in zip(offer["dwelling_id"], offer["corporation"]):
        assert (did in page) == (corp == "Domijn"), did
    assert "HH-2019" not in page.split('id="offer"')[0].split("Wachtende")[1]


def test_a_viewer_sees_figures_and_no_household_id(app: Any, proposal: int) -> None:
    viewer = login(app, "raad")
    for path in ("/", f"/voorstel/{proposal}", f"/voorstel/{proposal}/kaart"):
        response = viewer.get(path)
        assert response.status_code == 200
        assert "HH-2019" not in response.text, path
    assert "Taakstelling" in viewer.get("/").text
    assert "Geplaatst" in viewer.get(f"/voorstel/{proposal}").text
    for path in ("/upload", f"/voorstel/{proposal}/plan.xlsx", "/huishouden"):
        assert viewer.get(path).status_code == 403, path
    for path, data in (
        (f"/voorstel/{proposal}/besluit", {"row": "0", "action": "accept"}),
        (f"/voorstel/{proposal}/alles-akkoord", {}),
        (f"/voorstel/{proposal}/bevestigen", {"proposal_id": str(proposal)}),
        ("/voorstel", {}),
        ("/upload", {}),
    ):
        assert viewer.post(path, data).status_code == 403, path


def test_only_a_coordinator_makes_a_proposal_or_opens_a_period(app: Any) -> None:
    domijn = login(app, "domijn")
    assert domijn.post("/voorstel", {"date": ""}).status_code == 403
    assert domijn.post("/periode", {"municipality": "GM0153"}).status_code == 403
