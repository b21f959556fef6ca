"""The interest vocabulary of the potentieelanalyse and its accepted spellings.

The Münster/Enschede potentieelanalyse asks what a newcomer would like to do
locally. Households list interests by these keys; amenities carry a
``category`` from the same vocabulary so that tier 3 of the objective can count
which interests are served near a dwelling. English aliases are accepted
because intake forms are often filled in by COA or VluchtelingenWerk staff in
either language.
"""

from __future__ import annotations

#: Canonical interest keys (Dutch, as used in the potentieelanalyse).
INTERESTS: tuple[str, ...] = (
    "sport",
    "opleiding",
    "werk",
    "cultuur",
    "geloof",
    "vrijwilligerswerk",
    "wetenschap",
    "zorg",
)

#: Accepted spellings mapped to their canonical key.
ALIASES: dict[str, str] = {
    **{key: key for key in INTERESTS},
    "education": "opleiding",
    "school": "opleiding",
    "onderwijs": "opleiding",
    "work": "werk",
    "arbeid": "werk",
    "culture": "cultuur",
    "faith": "geloof",
    "religion": "geloof",
    "religie": "geloof",
    "volunteering": "vrijwilligerswerk",
    "vrijwilliger": "vrijwilligerswerk",
    "science": "wetenschap",
    "care": "zorg",
    "healthcare": "zorg",
    "gezondheid": "zorg",
}


def canonical_interest(text: str) -> str | None:
    """Return the canonical key for ``text``, or ``None`` if it is unknown."""
    return ALIASES.get(text.strip().lower())
