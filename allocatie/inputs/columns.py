"""The one table of column names: the contract's English names and the Dutch ones coordinators use.

A coordinator's sheet says ``personen`` and ``koppeldatum``, not ``persons`` and
``linked_on``; an export from a corporation's system says ``Woning-ID``. Every
reader resolves a header through :data:`DUTCH_COLUMNS`, so that the same file
is read whichever language its header row speaks, and a header that is *almost*
a known one (``persoonen``, ``interesse``) gets a did-you-mean instead of being
passed through unnoticed, which would silently drop a rule such as
``rolstoeltoegankelijk_nodig``.

Headers are compared by :func:`column_key`: case, spaces, underscores, hyphens,
points, slashes and brackets do not count, so ``Huishouden ID``,
``huishouden-id`` and ``huishouden_id`` are one name. Messages always name a
column as the user wrote it; a column that is missing is named in the language
of the file's own header row (:func:`speaks_dutch`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping

__all__ = [
    "DUTCH_COLUMNS",
    "CLOSE_HEADER",
    "canonical_column",
    "close_spelling",
    "column_key",
    "dutch_name",
    "spellings",
    "speaks_dutch",
]

#: Contract column -> the Dutch names read as the same column. The first name is
#: the one the template (``allocatie template``) writes and messages use in Dutch.
DUTCH_COLUMNS: dict[str, tuple[str, ...]] = {
    # households
    "household_id": ("huishouden_id", "huishoudnummer", "huishoudennummer"),
    "persons": ("personen", "aantal_personen"),
    "adults": ("volwassenen", "aantal_volwassenen"),
    "children": ("kinderen", "aantal_kinderen"),
    "expected_reunification": ("gezinshereniging", "nareizigers"),
    "linked_on": ("koppeldatum", "datum_koppeling", "gekoppeld_op"),
    "needs_accessible": ("rolstoeltoegankelijk_nodig", "toegankelijk_nodig"),
    "max_floor": ("max_verdieping", "hoogste_verdieping"),
    "income_below_rent_benefit_limit": ("inkomen_onder_huurtoeslaggrens", "passend_toewijzen"),
    "interests": ("interesses",),
    "preferred_areas": ("voorkeur_gebieden", "voorkeursgebieden"),
    "excluded_areas": ("uitgesloten_gebieden",),
    "gemeente_code": ("gemeentecode",),
    "binding": ("koppelcriterium", "koppelingscriterium", "gebonden_aan"),
    # dwellings
    "dwelling_id": ("woning_id", "woningnummer"),
    "corporation": ("corporatie", "woningcorporatie"),
    "buurt_code": ("buurtcode",),
    "wijk_code": ("wijkcode",),
    "lon": ("lengtegraad", "longitude"),
    "lat": ("breedtegraad", "latitude"),
    "bedrooms": ("slaapkamers", "aantal_slaapkamers"),
    "area_m2": ("oppervlakte_m2", "woonoppervlakte", "oppervlakte"),
    "floor": ("verdieping",),
    "elevator": ("lift",),
    "accessible": ("rolstoeltoegankelijk",),
    "rent": ("huur", "kale_huur", "huurprijs"),
    "available_from": ("beschikbaar_vanaf", "beschikbaar_per"),
    "complex_id": ("complex", "complexnummer"),
    # amenities (pins and refusals use household_id and dwelling_id)
    "category": ("categorie",),
    "name": ("naam",),
    # region tables (municipality -> region)
    "region": ("regio", "regionaam"),
    "gemeente_name": ("gemeentenaam", "gemeente_naam"),
}

#: Similarity (:func:`difflib.SequenceMatcher` ratio of the keys) above which an
#: unknown header is taken for a misspelt optional column. High on purpose: a
#: column of the user's own must not be mistaken for one of ours.
CLOSE_HEADER = 0.85
#: Similarity above which an unknown header is suggested for a *missing required*
#: column; lower, because the file cannot be read without that column anyway.
_CLOSE_REQUIRED = 0.6

_IGNORED = re.compile(r"[\s_\-./()\[\]]+")


def column_key(header: str) -> str:
    """The form in which two headers are compared: ``Huishouden-ID`` -> ``huishoudenid``."""
    text = unicodedata.normalize("NFC", header).strip().lower().replace("²", "2")
    return _IGNORED.sub("", text)


def spellings(column: str) -> tuple[str, ...]:
    """Every accepted name of a contract column: its own, then the Dutch ones."""
    return (column, *DUTCH_COLUMNS.get(column, ()))


def dutch_name(column: str) -> str:
    """The Dutch name of a contract column (its own name when it has none)."""
    return DUTCH_COLUMNS.get(column, (column,))[0]


def _keys(columns: Iterable[str]) -> dict[str, str]:
    """Comparison key of every spelling of ``columns`` -> the contract column."""
    return {column_key(s): column for column in columns for s in spellings(column)}


def canonical_column(header: str, columns: Collection[str]) -> str | None:
    """The contract column among ``columns`` that ``header`` names, or ``None``."""
    return _keys(columns).get(column_key(header))


def speaks_dutch(headers: Iterable[str], columns: Collection[str]) -> bool:
    """Whether a header row names more of ``columns`` in Dutch than in English.

    Decides the language in which a *missing* column is named: a file headed
    ``huishouden_id;personen`` is told that ``koppeldatum`` is missing, not
    ``linked_on``.
    """
    english = {column_key(c): c for c in columns}
    dutch = {column_key(s): c for c in columns for s in DUTCH_COLUMNS.get(c, ())}
    keys = [column_key(h) for h in headers]
    in_dutch = sum(1 for k in keys if k in dutch and k not in english)
    return in_dutch > sum(1 for k in keys if k in english)


def close_spelling(
    header: str, columns: Collection[str], *, required: bool = False
) -> tuple[str, str] | None:
    """The spelling of one of ``columns`` that ``header`` is close to: (spelling, column).

    ``None`` when nothing is close enough (see :data:`CLOSE_HEADER`). Exact
    matches are not "close": they are the column itself.
    """
    key = column_key(header)
    if len(key) < 3:
        return None
    cutoff = _CLOSE_REQUIRED if required else CLOSE_HEADER
    best: tuple[float, str, str] | None = None
    for column in sorted(columns):
        for spelling in spellings(column):
            other = column_key(spelling)
            if other == key:
                return None
            ratio = difflib.SequenceMatcher(None, key, other).ratio()
            if ratio >= cutoff and (best is None or ratio > best[0]):
                best = (ratio, spelling, column)
    return None if best is None else (best[1], best[2])


def rename_map(headers: Mapping[str, str], columns: Collection[str]) -> dict[str, list[str]]:
    """Contract column -> the frame columns (lower-cased headers) that name it.

    More than one frame column for a contract column means the file holds the
    same column twice under two names (``persons`` and ``personen``).
    """
    keys = _keys(columns)
    found: dict[str, list[str]] = {}
    for low in headers:
        column = keys.get(column_key(low))
        if column is not None:
            found.setdefault(column, []).append(low)
    return found
