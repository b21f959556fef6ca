"""The message catalogue: every message has a Dutch translation, and the shipped .mo is current."""

from __future__ import annotations

import io

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from allocatie import i18n
from tests.paths import ROOT

PACKAGE = ROOT / "allocatie"
PO = PACKAGE / "locale" / "nl" / "LC_MESSAGES" / "allocatie.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def _catalogue():
    with open(PO, "rb") as handle:
        return read_po(handle, locale="nl")


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_in_the_code_has_a_dutch_translation():
    catalogue = _catalogue()
    missing = sorted(
        m
        for m in _messages_in_code()
        if m not in catalogue
        or catalogue[m].fuzzy
        or not (
            catalogue[m].string
            if isinstance(catalogue[m].string, str)
            else all(catalogue[m].string)
        )
    )
    assert not missing, "untranslated (see scripts/catalogue.py):\n" + "\n".join(missing)


def test_the_shipped_mo_file_is_compiled_from_the_po_file():
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert MO.read_bytes() == compiled.getvalue(), "run: python scripts/catalogue.py update"


def test_language_is_per_context_and_checked():
    assert i18n.language() == "nl"
    with i18n.use_language("en"):
        assert i18n.money(1234.56) == "€1,234.56"
        assert i18n.number(0.5, 2) == "0.50"
    assert i18n.money(1234.56) == "€\xa01.234,56"
    assert i18n.number(1234.5, 1) == "1.234,5"
    with pytest.raises(ValueError, match="choose one of nl, en"):
        i18n.set_language("fr")
