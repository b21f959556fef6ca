"""Outcomes per household type: who a plan houses, by size and need, never by who they are.

A plan that is good on average can still leave large families or households
needing a wheelchair dwelling behind. This table shows it, per type:

========================  ===============================================================
``single``                1 person to house (``people`` = persons + expected reunification)
``couple``                2 people (a couple, or a parent with one child)
``family_3_4``            3 or 4 people
``family_5_plus``         5 people or more
``needs_accessible``      needs a wheelchair-accessible dwelling (``needs_accessible``)
``expected_reunification`` expects family members to join (``expected_reunification`` > 0)
========================  ===============================================================

The four size groups split every household by ``people``, the number the
dwelling must fit — the engine's own measure of need (DESIGN §3): a person
awaiting three family members needs a family home and is counted with the
families of 3–4, not with the singles. The last two rows are *not* further
groups: they overlap the size groups (a family of five needing an accessible
dwelling is in both rows), so the rows do not add up to the whole run.

The types use only the household file's size and needs columns: no
nationality, religion, age or sex is ever an input (DESIGN §3), and nothing is
read from a single member of the household. The engine's scores
(:mod:`allocatie.model.scores`) are household-level in the same way — the
interest share over the household's own list, the rank of the dwelling's area
in the household's list of wishes, the spare bedrooms for all ``people``
together, the waiting time since the household's koppeling — so every member
counts, and no member's prospects (employability or otherwise) score the
household.

Figures per type
----------------
``households``, ``persons``
    In the run (``persons`` = persons to house now, as the taakstelling counts them).
``households_housed``, ``persons_housed``, ``share_housed``
    Placed by this plan; the share is of the type's households.
``mean_wait_days``
    Mean waiting time of all the type's households (placed or not), as
    ``kpis.json``'s ``mean_wait_days``: to the matching date in a monthly run,
    to the move-in or the end of the period in a simulated half year.
``share_outside_concentrated``
    Of the type's placed households, the share placed outside concentrated areas.
``housed_with_wishes``, ``share_in_wished_area``
    The type's placed households that named wishes (``preferred_areas``), and
    the share of them placed in one of those areas.
``mean_wish_rank``
    Of those placed in a wished area, the mean place of that area in the
    household's list (1 = first wish). A household placed outside all its
    wishes has no rank: it lowers ``share_in_wished_area`` instead, so the two
    figures together say how well wishes were met.

A figure without households to count over (no placed household of the type,
say) is missing (``None`` in ``kpis.json``, empty in the tables), never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocatie.i18n import _
from allocatie.model.builder import Instance
from allocatie.model.eligibility import people_to_house

__all__ = [
    "FIGURES",
    "HOUSEHOLD_TYPES",
    "by_household_type",
    "half_year_outcomes",
    "household_outcomes",
    "household_type_frame",
    "household_type_kpis",
    "household_type_label",
    "household_type_note",
    "household_type_table",
    "readable_household_types",
    "type_members",
]

#: The household types, in report order (see the module docstring).
HOUSEHOLD_TYPES = (
    "single",
    "couple",
    "family_3_4",
    "family_5_plus",
    "needs_accessible",
    "expected_reunification",
)
#: The figures per type, in table order (after ``household_type``).
FIGURES = (
    "households",
    "persons",
    "households_housed",
    "persons_housed",
    "share_housed",
    "mean_wait_days",
    "share_outside_concentrated",
    "housed_with_wishes",
    "share_in_wished_area",
    "mean_wish_rank",
)
#: Columns of a per-household outcome frame (:func:`household_outcomes`).
_OUTCOME_COLUMNS = (
    "persons",
    "people",
    "needs_accessible",
    "expected_reunification",
    "housed",
    "wait_days",
    "concentrated",
    "has_wishes",
    "wish_rank",
)


def household_type_label(key: str) -> str:
    """A household type in the reader's words ("gezin van 5 of meer personen")."""
    labels = {
        "single": _("single (1 person)"),
        "couple": _("2 persons (couple, or parent and child)"),
        "family_3_4": _("family of 3–4 persons"),
        "family_5_plus": _("family of 5 or more persons"),
        "needs_accessible": _("needs an accessible dwelling"),
        "expected_reunification": _("expects family reunification"),
    }
    return labels.get(key, key)


def type_members(
    people: np.ndarray, needs_accessible: np.ndarray, reunification: np.ndarray
) -> dict[str, np.ndarray]:
    """Per household type, which households belong to it (a boolean mask each).

    ``people`` is persons plus expected reunification; the size groups split
    every household once, the last two overlap them.
    """
    people = np.asarray(people, dtype=np.int64)
    return {
        "single": people <= 1,
        "couple": people == 2,
        "family_3_4": (people >= 3) & (people <= 4),
        "family_5_plus": people >= 5,
        "needs_accessible": np.asarray(needs_accessible, dtype=bool),
        "expected_reunification": np.asarray(reunification, dtype=np.int64) > 0,
    }


def _column(frame: pd.DataFrame, name: str, default: Any) -> pd.Series:
    """A column of ``frame``, or ``default`` on every row when the file did not have it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index)


def household_outcomes(instance: Instance, plan: pd.DataFrame) -> pd.DataFrame:
    """One row per household of a monthly plan: its size and needs, and what the plan gave it.

    ``plan`` is :func:`allocatie.report.outputs.plan_table` of ``instance`` (one
    row per household, in the instance's order). The rank of the wish met is
    looked up in ``instance.pairs`` (``wish_rank``) for the placed pairs only.
    """
    households = instance.households
    if len(plan) != len(households):
        raise ValueError("the plan must have one row per household of the instance")
    dwellings = pd.Index(instance.dwellings["dwelling_id"].astype(str))
    placed_id = plan["dwelling_id"]
    housed = placed_id.notna().to_numpy()
    dwelling = np.full(len(plan), -1, dtype=np.int64)
    dwelling[housed] = dwellings.get_indexer(placed_id[housed].astype(str))
    pairs = instance.pairs
    n_d = max(len(dwellings), 1)
    pair_keys = pd.Index(
        pairs["household"].to_numpy(dtype=np.int64) * n_d + pairs["dwelling"].to_numpy(np.int64)
    )
    rows = np.flatnonzero(housed)
    at = pair_keys.get_indexer(rows * n_d + dwelling[rows])
    rank = np.zeros(len(plan), dtype=np.int64)
    found = at >= 0
    ranks = pairs["wish_rank"].to_numpy(dtype=float)[at[found]]
    rank[rows[found]] = np.nan_to_num(ranks, nan=0.0).astype(np.int64)
    wishes = _column(households, "preferred_areas", ())
    return pd.DataFrame(
        {
            **_size_and_needs(households),
            "housed": housed,
            "wait_days": plan["wait_days"].to_numpy(dtype=float),
            "concentrated": plan["area_concentrated"].astype("boolean").to_numpy(),
            "has_wishes": wishes.map(len).gt(0).to_numpy(),
            "wish_rank": rank,
        }
    )


def _size_and_needs(households: pd.DataFrame) -> dict[str, np.ndarray]:
    """The household columns that decide its type: size (with reunification) and needs."""
    return {
        "persons": households["persons"].to_numpy(dtype=np.int64),
        "people": people_to_house(households),
        "needs_accessible": _column(households, "needs_accessible", False).to_numpy(bool),
        "expected_reunification": _column(households, "expected_reunification", 0)
        .fillna(0)
        .to_numpy(dtype=np.int64),
    }


def half_year_outcomes(households: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """One row per household of a simulated half year, as :func:`household_outcomes`.

    ``households`` is the stream the simulation was given (its size and needs
    columns), ``outcome`` the simulation's household table
    (:class:`allocatie.planning.planner.HalfYear` ``households``: ``waiting``,
    ``wait_days``, ``concentrated``), in the same order. The simulation does
    not keep the rank of the wish met, so ``has_wishes`` is false throughout
    and the wish figures stay missing.
    """
    if len(households) != len(outcome):
        raise ValueError("the outcome must have one row per household of the stream")
    housed = ~outcome["waiting"].to_numpy(dtype=bool)
    concentrated = outcome["concentrated"].astype("boolean").to_numpy()
    return pd.DataFrame(
        {
            **_size_and_needs(households),
            "housed": housed,
            "wait_days": outcome["wait_days"].to_numpy(dtype=float),
            "concentrated": concentrated,
            "has_wishes": np.zeros(len(outcome), dtype=bool),
            "wish_rank": np.zeros(len(outcome), dtype=np.int64),
        }
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else float("nan")


def by_household_type(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The figures of :data:`FIGURES` per household type, one row per type.

    ``outcomes`` has the columns of :func:`household_outcomes`. Vectorised: one
    pass over the households per type (six), no loop over households.
    """
    missing = [c for c in _OUTCOME_COLUMNS if c not in outcomes.columns]
    if missing:
        raise ValueError(f"outcomes lack the columns {missing}")
    persons = outcomes["persons"].to_numpy(dtype=np.int64)
    housed = outcomes["housed"].to_numpy(dtype=bool)
    wait = outcomes["wait_days"].to_numpy(dtype=float)
    concentrated = outcomes["concentrated"].astype("boolean")
    outside = housed & concentrated.eq(False).fillna(False).to_numpy(dtype=bool)
    with_wishes = housed & outcomes["has_wishes"].to_numpy(dtype=bool)
    rank = outcomes["wish_rank"].to_numpy(dtype=np.int64)
    in_wish = with_wishes & (rank > 0)
    members = type_members(
        outcomes["people"].to_numpy(),
        outcomes["needs_accessible"].to_numpy(),
        outcomes["expected_reunification"].to_numpy(),
    )
    rows = []
    for key, member in members.items():
        n, n_housed = int(member.sum()), int((member & housed).sum())
        n_wishes, n_in_wish = int((member & with_wishes).sum()), int((member & in_wish).sum())
        rows.append(
            {
                "household_type": key,
                "households": n,
                "persons": int(persons[member].sum()),
                "households_housed": n_housed,
                "persons_housed": int(persons[member & housed].sum()),
                "share_housed": _share(n_housed, n),
                "mean_wait_days": round(float(wait[member].mean()), 1) if n else float("nan"),
                "share_outside_concentrated": _share(int((member & outside).sum()), n_housed),
                "housed_with_wishes": n_wishes,
                "share_in_wished_area": _share(n_in_wish, n_wishes),
                "mean_wish_rank": (
                    round(float(rank[member & in_wish].mean()), 2) if n_in_wish else float("nan")
                ),
            }
        )
    return pd.DataFrame(rows, columns=["household_type", *FIGURES])


def household_type_table(instance: Instance, plan: pd.DataFrame) -> pd.DataFrame:
    """The per-type table of a monthly plan (:func:`by_household_type` of its outcomes)."""
    return by_household_type(household_outcomes(instance, plan))


def household_type_kpis(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The table for ``kpis.json``: type → figures, a missing figure as ``None``."""
    out: dict[str, dict[str, Any]] = {}
    for row in table.to_dict("records"):
        figures: dict[str, Any] = {}
        for name in FIGURES:
            value = row[name]
            if isinstance(value, (float, np.floating)) and not np.isfinite(value):
                figures[name] = None
            elif isinstance(value, (np.integer, int)) and not isinstance(value, bool):
                figures[name] = int(value)
            else:
                figures[name] = float(value)
        out[str(row["household_type"])] = figures
    return out


def readable_household_types(table: pd.DataFrame) -> pd.DataFrame:
    """The table with each type in the reader's words, for the workbook and the report."""
    out = table.copy()
    out["household_type"] = [household_type_label(str(k)) for k in table["household_type"]]
    return out


def household_type_frame(by_type: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The table back from ``kpis.json``'s ``by_household_type`` (missing figures as NaN)."""
    rows = [{"household_type": key, **figures} for key, figures in by_type.items()]
    frame = pd.DataFrame(rows, columns=["household_type", *FIGURES])
    return frame.astype({c: float for c in FIGURES if frame[c].isna().any()})


def household_type_note() -> str:
    """The line under the table: how the types are formed and why the rows overlap."""
    return _(
        "Size groups by the persons the dwelling must fit (persons plus expected family "
        "reunification). The last two rows overlap the size groups. Persons = persons to house "
        "now. Mean wait over all households of the type; outside concentrated areas and wishes "
        "over those placed; wish rank 1 = first wish, over those placed in a wished area."
    )
