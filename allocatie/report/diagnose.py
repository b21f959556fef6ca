"""Why the taakstelling is not met: demand against supply, and which policy setting binds.

A council asks "why are people still waiting?" and needs numbers, not "the solver
said so". Two answers: a supply/demand table per size, rent and accessibility
class (is the offer simply wrong for who is waiting?), and for every cap the
policy sets, how many more households and persons the same offer would house
without it (is our own rule the obstacle?). The second is measured by solving
again with that one cap lifted, so it is exact, not an estimate.

Every row carries its class or setting as structured fields (``class_key``,
``bedrooms_min``, ``rent_cap``, ``setting_key``, ...) beside the sentence, which is
written in the language of the current context (:mod:`allocatie.i18n`).
:func:`class_label` and :func:`setting_text` write the sentence again from those
fields, so the summary, the workbook and the report speak their reader's language
whatever the language was when the plan was made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from allocatie.i18n import _, money, ngettext, number
from allocatie.model.builder import Instance
from allocatie.model.eligibility import min_bedrooms
from allocatie.solve import Result, Status, solve

#: The structured fields of a supply/demand class; those a class does not use are ``None``.
_CLASS_FIELDS = ("class_key", "bedrooms_min", "bedrooms_max", "rent_cap")


def _class(key: str, **fields: Any) -> dict[str, Any]:
    """A class's structured fields, every one present so that the rows form a table."""
    return {name: fields.get(name) for name in _CLASS_FIELDS} | {"class_key": key}


def class_type_label(kind: str) -> str:
    """``size``, ``rent`` or ``accessibility`` in the reader's language."""
    labels = {"size": _("size"), "rent": _("rent"), "accessibility": _("accessibility")}
    return labels.get(kind, kind)


def class_label(row: dict[str, Any]) -> str:
    """The class of a supply/demand row in words, in the current language."""
    key = row["class_key"]
    if key == "size":
        return _("needs {low}–{high} bedrooms").format(
            low=int(row["bedrooms_min"]), high=int(row["bedrooms_max"])
        )
    if key == "rent_low":
        return _("1–2 persons, rent ≤ {cap}").format(cap=money(row["rent_cap"]))
    if key == "rent_high":
        return _("3+ persons, rent ≤ {cap}").format(cap=money(row["rent_cap"]))
    labels = {
        "rent_none": _("income above the limit (no cap)"),
        "wheelchair": _("wheelchair-accessible"),
        "floor_limit": _("ground floor or lift (floor limit)"),
    }
    return labels[key]


def _class_rows(
    kind: str,
    classes: Iterable[dict[str, Any]],
    demand_h: Iterable[Any],
    demand_p: Iterable[Any],
    supply: Iterable[Any],
    placed_h: Iterable[Any],
) -> list[dict[str, Any]]:
    """One row per class of a kind; the counts arrive as numpy integers, so convert."""
    return [
        {
            "class_type": kind,
            "class": class_label(fields),
            **fields,
            "households": int(h),
            "persons": int(p),
            "dwellings_offered": int(s),
            "households_placed": int(x),
        }
        for fields, h, p, s, x in zip(classes, demand_h, demand_p, supply, placed_h)
    ]


def supply_demand(instance: Instance, result: Result) -> pd.DataFrame:
    """Households (and persons) against offered dwellings, per class.

    Classes: the minimum bedrooms a household needs (dwellings offered that fit
    that size, counting the allowed extra bedrooms); rent (households under
    passend toewijzen with the low or high cap against dwellings within it);
    accessibility (wheelchair, and floor limits against ground floor or lift).
    Only dwellings available within the matching window count as offered.
    """
    h = instance.households
    d = instance.dwellings
    policy = instance.policy
    placed = result.assignment(instance.problem) >= 0
    last = np.datetime64(instance.date + dt.timedelta(days=policy.matching.window_days), "D")
    offered = d["available_from"].to_numpy().astype("datetime64[D]") <= last
    bedrooms = d["bedrooms"].to_numpy()[offered]
    rent = d["rent"].to_numpy(dtype=float)[offered]
    persons = h["persons"].to_numpy()
    people = h["people"].to_numpy()
    rows: list[dict[str, Any]] = []

    need = min_bedrooms(people)
    extra = policy.occupancy.max_extra_bedrooms
    sizes = np.unique(need)
    rows += _class_rows(
        "size",
        [_class("size", bedrooms_min=int(b), bedrooms_max=int(b + extra)) for b in sizes],
        [(need == b).sum() for b in sizes],
        [persons[need == b].sum() for b in sizes],
        [((bedrooms >= b) & (bedrooms <= b + extra)).sum() for b in sizes],
        [(placed & (need == b)).sum() for b in sizes],
    )

    caps = policy.affordability
    protected = h["income_below_rent_benefit_limit"].to_numpy(dtype=bool)
    low = protected & (people <= 2)
    high = protected & (people >= 3)
    free = ~protected
    rows += _class_rows(
        "rent",
        [
            _class("rent_low", rent_cap=caps.cap_low),
            _class("rent_high", rent_cap=caps.cap_high),
            _class("rent_none"),
        ],
        [low.sum(), high.sum(), free.sum()],
        [persons[low].sum(), persons[high].sum(), persons[free].sum()],
        [(rent <= caps.cap_low).sum(), (rent <= caps.cap_high).sum(), len(rent)],
        [(placed & low).sum(), (placed & high).sum(), (placed & free).sum()],
    )

    wheelchair = h["needs_accessible"].to_numpy(dtype=bool)
    floor_limit = h["max_floor"].notna().to_numpy()
    accessible = d["accessible"].to_numpy(dtype=bool)[offered]
    reachable = (d["floor"].to_numpy()[offered] == 0) | d["elevator"].to_numpy(dtype=bool)[offered]
    rows += _class_rows(
        "accessibility",
        [_class("wheelchair"), _class("floor_limit")],
        [wheelchair.sum(), floor_limit.sum()],
        [persons[wheelchair].sum(), persons[floor_limit].sum()],
        [accessible.sum(), reachable.sum()],
        [(placed & wheelchair).sum(), (placed & floor_limit).sum()],
    )
    table = pd.DataFrame(rows)
    table["households_waiting"] = table["households"] - table["households_placed"]
    return table


#: Above this many eligible pairs the re-solves are skipped (they would each cost as
#: much as the plan itself); the report says so.
MAX_PAIRS_FOR_RESOLVES = 50_000


def setting_label(row: dict[str, Any]) -> str:
    """The policy setting of a binding-settings row as written in ``policy.toml``."""
    key = row.get("setting_key")
    if key is None:
        return _("(all caps)")
    if key == "projected_composition":
        return _("projected_composition = true (headroom below the LQ threshold)")
    return f"{key} = {row['setting_value']}"


def setting_text(row: dict[str, Any]) -> str:
    """What a setting costs this month, in one sentence in the current language."""
    setting = setting_label(row)
    if row["binds"] is None:
        return _(
            "not measured: {pairs} eligible pairs is more than {limit}; solve per "
            "municipality to see which cap binds"
        ).format(pairs=number(row["eligible_pairs"]), limit=number(MAX_PAIRS_FOR_RESOLVES))
    if not row["binds"]:
        return _("{setting} does not cost any placement this month").format(setting=setting)
    households = row["extra_households_without_it"]
    persons = row["extra_persons_without_it"]
    persons_text = ngettext("{n} person", "{n} persons", persons).format(n=persons)
    if households <= 0:  # more persons in as many (or fewer) households
        return _(
            "{setting} leaves {persons} unplaced that the same offer could house without it"
        ).format(setting=setting, persons=persons_text)
    return ngettext(
        "{setting} leaves {n} household ({persons}) unplaced that the same offer could house "
        "without it",
        "{setting} leaves {n} households ({persons}) unplaced that the same offer could house "
        "without it",
        households,
    ).format(setting=setting, n=households, persons=persons_text)


def _setting_row(key: str | None, value: Any, **figures: Any) -> dict[str, Any]:
    """A binding-settings row: the setting, its figures and the sentence saying them."""
    row = {"setting_key": key, "setting_value": value, **figures}
    return {"setting": setting_label(row), **row, "text": setting_text(row)}


def binding_settings(instance: Instance, result: Result) -> list[dict[str, Any]]:
    """For each cap the policy sets, what lifting it alone would add.

    Each cap is lifted on the compiled problem and the plan solved again with
    the same method; a cap "binds" when more persons (or households) would then
    be housed. Settings that change which pairs are eligible (rent caps,
    occupancy) are covered by :func:`supply_demand` instead.
    """
    problem = instance.problem
    if problem.n_pairs > MAX_PAIRS_FOR_RESOLVES:
        return [_setting_row(None, None, binds=None, eligible_pairs=problem.n_pairs)]
    spreading = instance.policy.spreading
    base_persons = result.objective[0]
    base_households = int(result.selected.sum())
    candidates: list[tuple[str, Any, dict[str, Any]]] = []
    if (problem.area_max_households >= 0).any():
        candidates.append(
            (
                "max_households_per_area",
                spreading.max_households_per_area,
                {"area_max_households": np.full(problem.n_areas, -1)},
            )
        )
    if problem.complex_max >= 0:
        candidates.append(("max_per_complex", spreading.max_per_complex, {"complex_max": -1}))
    if (problem.area_max_persons >= 0).any():
        candidates.append(
            ("projected_composition", True, {"area_max_persons": np.full(problem.n_areas, -1)})
        )
    settings = instance.policy.solver
    out: list[dict[str, Any]] = []
    for key, value, change in candidates:
        relaxed = solve(problem.replace(**change), settings)
        if relaxed.status == Status.INFEASIBLE:
            continue
        more_persons = int(relaxed.objective[0] - base_persons)
        more_households = int(relaxed.selected.sum()) - base_households
        out.append(
            _setting_row(
                key,
                value,
                binds=more_persons > 0 or more_households > 0,
                extra_persons_without_it=more_persons,
                extra_households_without_it=more_households,
            )
        )
    return out


def diagnose(instance: Instance, result: Result) -> dict[str, Any]:
    """The shortfall in numbers, for ``kpis.json`` and the summary."""
    persons = int(result.objective[0]) if result.status != Status.INFEASIBLE else 0
    period = instance.policy.period
    short = max(period.target_persons - period.housed_so_far - persons, 0)
    return {
        "persons_short_of_taakstelling": short,
        "supply_demand": supply_demand(instance, result).to_dict(orient="records"),
        "binding_settings": binding_settings(instance, result),
    }
