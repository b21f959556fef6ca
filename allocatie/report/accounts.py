"""The region's accounts in sentences: what a pooled run housed, per municipality.

One definition for the terminal summary and report.html, read from kpis.json's
``region`` and ``municipalities`` (:mod:`allocatie.solve.region`), so both say
the same in the same words.
"""

from __future__ import annotations

from typing import Any

from allocatie.i18n import _, ngettext, number, percent

__all__ = ["region_lines"]


def _persons(n: int) -> str:
    return ngettext("{n} person", "{n} persons", n).format(n=number(n))


def region_lines(k: dict[str, Any]) -> list[str]:
    """The pooled region's totals, then one line per municipality (empty without a region)."""
    lines = []
    region = k.get("region")
    if region and region.get("pooling"):
        lines.append(
            _("Region (pooled): {persons} housed, {moves}; lowest attainment {lowest}.").format(
                persons=_persons(region["persons_housed"]),
                moves=ngettext(
                    "{n} herkoppeling", "{n} herkoppelingen", region["herkoppelingen"]
                ).format(n=number(region["herkoppelingen"])),
                lowest=percent(region["lowest_attainment"]),
            )
        )
    for m in k.get("municipalities") or []:
        lines.append(
            _(
                "  {name}: {housed} housed ({received} received, {sent} sent elsewhere), "
                "{attainment} of its target of {target}."
            ).format(
                name=m["name"] or m["municipality"],
                housed=_persons(m["persons_housed"]),
                received=number(m["persons_received"]),
                sent=number(m["persons_sent"]),
                attainment=percent(m["attainment"]) if m["attainment"] is not None else "–",
                target=number(m["target"]),
            )
        )
    return lines
