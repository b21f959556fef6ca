"""The passend-toewijzen rent caps of each year, bundled with their sources.

The aftoppingsgrenzen change every January. A coordinator who copies last
year's policy and forgets to update them would refuse dwellings that are
affordable this year (or accept ones that are not), so a policy that names no
caps takes those of the year its period starts in, from
``allocatie/inputs/rules/passend_toewijzen.csv`` (a copy of the shared rules
table; each row names where its figures were read). The table ships inside the
package and is found with :mod:`importlib.resources`, so an installed wheel
needs no data folder.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

__all__ = ["RULES_FILE", "YearCaps", "bundled_caps", "caps_of_year"]

#: The bundled table, relative to the :mod:`allocatie.inputs` package.
RULES_FILE = "rules/passend_toewijzen.csv"


@dataclass(frozen=True)
class YearCaps:
    """The aftoppingsgrenzen of one calendar year (EUR/month, kale huur).

    ``cap_low`` applies to households of one or two persons, ``cap_high`` to
    three or more; ``source`` is where the figures were read.
    """

    year: int
    cap_low: float
    cap_high: float
    source: str


@functools.cache
def bundled_caps() -> dict[int, YearCaps]:
    """Every year of the bundled table, by year (read once)."""
    text = (resources.files("allocatie.inputs") / RULES_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return {
        int(row["year"]): YearCaps(
            year=int(row["year"]),
            cap_low=float(row["cap_low_1_2p"]),
            cap_high=float(row["cap_high_3p"]),
            source=row["source"].strip(),
        )
        for row in rows
        if row["cap_low_1_2p"].strip() and row["cap_high_3p"].strip()
    }


def caps_of_year(year: int) -> YearCaps | None:
    """The bundled caps of ``year``, or ``None`` when the table does not hold them."""
    return bundled_caps().get(year)
