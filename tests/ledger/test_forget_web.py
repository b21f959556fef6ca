"""Forgetting a household also erases it from the web app's tables in the ledger's database."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
from sqlalchemy import select

from allocatie.ledger.forget import names_household
from allocatie.ledger.schema import HouseholdRecord, WebDraft, WebUpload
from allocatie.ledger.store import Ledger, open_ledger, resolve
from tests.ledger.conftest import history, invoke, ok, open_half_year, propose, status
from tests.paths import EXAMPLE

FORGOTTEN = "HH-2019-017"
AT = dt.datetime(2019, 10, 1, 9, 0, tzinfo=dt.UTC)


def _workbook(sheets: dict[str, list[list[object]]], hidden: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title == hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(municipality: str, kind: str, filename: str, content: bytes) -> WebUpload:
    return WebUpload(
        municipality=municipality,
        kind=kind,
        corporation=None,
        filename=filename,
        content=content,
        sha256="0" * 64,
        uploaded_at=AT,
        uploaded_by="coco",
        superseded=False,
    )


def _store(ledger: Ledger, uploads: dict[str, WebUpload]) -> dict[str, int]:
    with ledger.transaction() as session:
        session.add_all(uploads.values())
        session.flush()
        return {name: upload.id for name, upload in uploads.items()}


def test_forgetting_deletes_the_uploads_that_name_the_household_and_its_drafts(
    ledger_url, tmp_path
):
    open_half_year(ledger_url)
    propose(ledger_url, tmp_path / "oktober")
    households = (EXAMPLE / "households.csv").read_bytes()
    assert FORGOTTEN.encode() in households
    others = [line for line in households.splitlines() if FORGOTTEN.encode() not in line]
    ledger = open_ledger(resolve(ledger_url))
    ids = _store(
        ledger,
        {
            "in force": _upload("GM0153", "households", "huishoudens.csv", households),
            # this month's sheet without it, last month's (hidden) with it, ids as Excel shows them
            "old sheet": _upload(
                "GM0153",
                "households",
                "huishoudens.xlsx",
                _workbook(
                    {
                        "oktober": [["huishouden_id", "personen"], ["HH-2019-001", 1]],
                        "september": [["huishouden_id", "personen"], [FORGOTTEN, 2]],
                    },
                    hidden="september",
                ),
            ),
            "semicolons": _upload(
                "GM0153", "households", "oud.csv", f'id;personen\r\n"{FORGOTTEN}";2\r\n'.encode()
            ),
            "without it": _upload("GM0153", "households", "zonder.csv", b"\n".join(others)),
            "longer id": _upload(
                "GM0153", "households", "ander.csv", f"household_id\n{FORGOTTEN}0\n".encode()
            ),
            "offer": _upload(
                "GM0153", "dwellings", "aanbod.csv", (EXAMPLE / "dwellings.csv").read_bytes()
            ),
            "policy": _upload(
                "GM0153", "policy", "policy.toml", (EXAMPLE / "policy.toml").read_bytes()
            ),
            "elsewhere": _upload("GM0363", "households", "amsterdam.csv", households),
        },
    )
    with ledger.transaction() as session:
        rows = session.execute(select(HouseholdRecord.household_id, HouseholdRecord.id))
        refs = {str(hid): int(ref) for hid, ref in rows}
        session.add_all(
            WebDraft(
                proposal_id=1,
                household_ref=refs[hid],
                dwelling_id="W-2019-10-01",
                decision="accepted",
                sequence=k,
                decided_at=AT,
                decided_by="coco",
            )
            for k, hid in enumerate((FORGOTTEN, "HH-2019-001"), start=1)
        )
    ledger.dispose()
    before = status(ledger_url)["version"]

    ok(invoke("ledger", "forget", FORGOTTEN, "--yes", "--ledger", ledger_url))

    ledger = open_ledger(resolve(ledger_url))
    with ledger.transaction() as session:
        kept = set(session.scalars(select(WebUpload.id)))
        drafts = list(session.scalars(select(WebDraft.household_ref)))
        contents = [(u.municipality, bytes(u.content)) for u in session.scalars(select(WebUpload))]
    ledger.dispose()
    gone = {"in force", "old sheet", "semicolons"}
    assert kept == {i for name, i in ids.items() if name not in gone}
    assert drafts == [refs["HH-2019-001"]]
    for municipality, content in contents:  # nothing of GM0153 names it any more
        if municipality == "GM0153":
            assert not names_household("x.csv", content, FORGOTTEN)
    event = [e for e in history(ledger_url) if e["kind"] == "forgotten"][0]
    assert "3 geüpload(e) bestand(en)" in event["message"] and FORGOTTEN not in json.dumps(event)
    assert status(ledger_url)["version"] == before + 1  # a proposal that read them is stale


def test_a_household_only_in_an_upload_is_forgotten_too(ledger_url):
    open_half_year(ledger_url)
    ledger = open_ledger(resolve(ledger_url))
    ids = _store(
        ledger,
        {
            "with it": _upload(
                "GM0153", "households", "nieuw.xlsx", _workbook({"lijst": [["id"], ["HH-NIEUW"]]})
            ),
            "without it": _upload("GM0153", "households", "ander.csv", b"household_id\nHH-1\n"),
        },
    )
    ledger.dispose()
    done = ok(invoke("ledger", "forget", "HH-NIEUW", "--yes", "--ledger", ledger_url))
    assert "Vergeten" in done.output
    ledger = open_ledger(resolve(ledger_url))
    with ledger.transaction() as session:
        assert set(session.scalars(select(WebUpload.id))) == {ids["without it"]}
        assert list(session.scalars(select(HouseholdRecord))) == []
    ledger.dispose()
    again = invoke("ledger", "forget", "HH-NIEUW", "--yes", "--ledger", ledger_url)
    assert again.exit_code == 2 and "in geen geüpload bestand" in again.output


def test_a_damaged_or_unreadable_upload_counts_as_naming_the_household():
    assert names_household("kapot.xlsx", b"PK\x03\x04 not a workbook", "HH-1")
    assert names_household(
        "policy.toml", b'# HH-1 kreeg voorrang\nmunicipality = "GM0153"\n', "HH-1"
    )
    assert not names_household("policy.toml", b'municipality = "GM0153"\n', "HH-1")
