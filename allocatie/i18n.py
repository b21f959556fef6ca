"""Dutch and English from one message catalogue (GNU gettext, maintained with Babel).

A coordinator reads Dutch; a researcher or a developer may want English. Every
sentence a person reads is written once in English in the code, wrapped in
:func:`_` (or :func:`ngettext` for counts), and translated in
``allocatie/locale/nl/LC_MESSAGES/allocatie.po``. The compiled ``.mo`` file ships
in the package; ``tests/test_i18n.py`` checks that it matches the ``.po`` file and
that no message lacks a Dutch translation. To add or change messages::

    python scripts/catalogue.py update              # take new messages into the .po
    python scripts/catalogue.py missing             # list what lacks a translation
    python scripts/catalogue.py translate nl.json   # {"English": "Nederlands"}; compiles

The language is a context variable, so a web request or a test can use its own
without touching anyone else's; commands set it from ``--lang`` (Dutch by
default). Numbers and money follow the language too (``€ 1.234,56`` in Dutch),
via Babel's CLDR data; files meant for machines (CSV, JSON) keep plain numbers.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Literal

from babel.numbers import format_currency, format_decimal, format_percent

Language = Literal["nl", "en"]
#: Languages with a full catalogue; the first is the default.
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DOMAIN = "allocatie"
_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
_current: contextvars.ContextVar[Language] = contextvars.ContextVar("language", default="nl")


@cache
def _catalogue(language: Language) -> _gettext.NullTranslations:
    folder = resources.files("allocatie") / "locale"
    if language == "en":  # the messages are written in English
        return _gettext.NullTranslations()
    with resources.as_file(folder) as path:
        return _gettext.translation(DOMAIN, localedir=str(path), languages=[language])


def check_language(language: str) -> Language:
    """``language`` if it is one of :data:`LANGUAGES`, else a ``ValueError`` naming them."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    return language


def language() -> Language:
    """The language of the current context."""
    return _current.get()


def set_language(language: str) -> None:
    """Use ``language`` from now on in this context (a command sets it once)."""
    _current.set(check_language(language))


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Use ``language`` inside the block only."""
    token = _current.set(check_language(language))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` (English) in the current language."""
    return _catalogue(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _catalogue(_current.get()).ngettext(singular, plural, n)


def number(value: float, decimals: int | None = None) -> str:
    """A number as the reader writes it: ``1.234,5`` in Dutch, ``1,234.5`` in English."""
    pattern = None if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=pattern, locale=_LOCALES[_current.get()])


def money(value: float) -> str:
    """An amount in euros: ``€ 1.234,56`` in Dutch, ``€1,234.56`` in English."""
    return format_currency(value, "EUR", locale=_LOCALES[_current.get()])


def percent(share: float) -> str:
    """A share as a whole percentage: ``76%`` (``76 %`` where the language spaces it)."""
    return format_percent(share, locale=_LOCALES[_current.get()])
