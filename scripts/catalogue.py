"""Keep the message catalogue current: extract, merge translations, compile (for developers).

    python scripts/catalogue.py update                 # new messages from the code into the .po
    python scripts/catalogue.py translate new.json     # {"English msgid": "Nederlands", ...}
    python scripts/catalogue.py missing                # msgids still without a translation

Every command holds a lock, so several developers (or agents) working in one tree
never overwrite each other's translations, and ends by compiling the .mo file.
Plural messages take a list of two Dutch forms in the JSON file.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "allocatie"
PO = PACKAGE / "locale" / "nl" / "LC_MESSAGES" / "allocatie.po"
LOCK = Path("/tmp/allocatie-catalogue.lock")
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def _read() -> Catalog:
    with open(PO, "rb") as handle:
        return read_po(handle, locale="nl")


def _write(catalogue: Catalog) -> None:
    with open(PO, "wb") as handle:
        write_po(handle, catalogue, sort_output=True, omit_header=False, width=100)
    with open(PO.with_suffix(".mo"), "wb") as handle:
        write_mo(handle, catalogue)


def _extracted() -> Catalog:
    template = Catalog(locale="nl", project="allocatie")
    for file, line, message, comments, context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(message, None, [(file, line)], auto_comments=comments, context=context)
    return template


def update() -> None:
    catalogue = _read()
    catalogue.update(_extracted(), no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    _write(catalogue)


def translate(path: str) -> None:
    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    catalogue = _read()
    catalogue.update(_extracted(), no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    for msgid, text in pairs.items():
        key = msgid if msgid in catalogue else None
        if key is None:
            plural = next(
                (m.id for m in catalogue if isinstance(m.id, tuple) and m.id[0] == msgid), None
            )
            if plural is None:
                raise SystemExit(f"not in the code (wrap it in _() first): {msgid!r}")
            key = plural
        entry = catalogue[key]
        entry.string = tuple(text) if isinstance(text, list) else text
        entry.flags.discard("fuzzy")
    _write(catalogue)


def missing() -> None:
    catalogue = _read()
    catalogue.update(_extracted(), no_fuzzy_matching=True)
    for entry in catalogue:
        if entry.id and (
            not entry.string or (isinstance(entry.string, tuple) and not all(entry.string))
        ):
            print(json.dumps(entry.id, ensure_ascii=False))


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["missing"]
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        {"update": update, "translate": translate, "missing": missing}[command](*args)
