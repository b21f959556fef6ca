"""Compile validated tables into an :class:`Instance`: report tables, solver arrays.

This is the one place where the rules of DESIGN §3 meet the data: eligibility,
spreading areas and their caps, quality scores, pins and refusals. Everything
after it (solvers, explanations, reports) reads the result and never goes back
to the raw tables, so a rule cannot be applied twice in two slightly different
ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocatie.areas.concentration import dwelling_areas
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.policy import Policy
from allocatie.model.eligibility import funnel, pair_table, people_to_house
from allocatie.model.problem import ProblemData
from allocatie.model.scores import PARTS, preference_score, quality_parts, quality_score


@dataclass(frozen=True)
class Instance:
    """A compiled matching problem together with the tables that explain it.

    Attributes
    ----------
    households
        Validated households in input order, with ``people`` (persons plus
        expected reunification) and ``wait_days`` added.
    dwellings
        Validated, area-resolved dwellings in input order, with the spreading
        columns of :func:`allocatie.areas.concentration.dwelling_areas`.
    pairs
        Every size-fitting pair with its rule columns; the eligible ones also
        carry their quality parts and score. ``pairs.problem_index`` is the
        position of an eligible pair in ``problem``'s pair arrays (-1 otherwise).
    funnel
        Per household, dwellings left after each rule.
    policy, date, date_note
        The policy and the matching date (with where that date came from).
    problem
        The solver-facing arrays.
    area_codes
        Code of each spreading area, by area index of ``problem``.
    """

    households: pd.DataFrame
    dwellings: pd.DataFrame
    pairs: pd.DataFrame
    funnel: pd.DataFrame
    policy: Policy
    date: dt.date
    date_note: str
    problem: ProblemData
    area_codes: np.ndarray


def matching_date(
    households: pd.DataFrame, policy: Policy, override: dt.date | None = None
) -> tuple[dt.date, str]:
    """The day the plan is made and a note saying where it came from."""
    if override is not None:
        return override, "given on the command line"
    if policy.matching.date is not None:
        return policy.matching.date, "from the policy ([matching] date)"
    latest = pd.Timestamp(households["linked_on"].max()).date()
    return latest, "latest linked_on among the households ([matching] date not set)"


def index_pairs(
    table: pd.DataFrame | None,
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    kind: str,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Translate pin/refusal ids into positions, reporting ids that do not exist."""
    empty = pd.DataFrame({"household": [], "dwelling": [], "source_line": []}, dtype=np.int64)
    if table is None or table.empty:
        return empty, []
    file = table.attrs.get("file", kind)
    h_pos = pd.Series(np.arange(len(households)), index=households["household_id"].astype(str))
    d_pos = pd.Series(np.arange(len(dwellings)), index=dwellings["dwelling_id"].astype(str))
    h = table["household_id"].astype(str).map(h_pos)
    d = table["dwelling_id"].astype(str).map(d_pos)
    # A row left out of its file for a problem of its own is not unknown: that problem
    # is reported already, and the pair is simply not used.
    h_unknown = h.isna() & ~table["household_id"].astype(str).isin(_ids_with_problems(households))
    d_unknown = d.isna() & ~table["dwelling_id"].astype(str).isin(_ids_with_problems(dwellings))
    problems = [
        Problem(file, int(line), "household_id", f"unknown household '{hid}'")
        for hid, line in zip(table["household_id"][h_unknown], table["source_line"][h_unknown])
    ] + [
        Problem(file, int(line), "dwelling_id", f"unknown dwelling '{did}'")
        for did, line in zip(table["dwelling_id"][d_unknown], table["source_line"][d_unknown])
    ]
    ok = h.notna() & d.notna()
    out = pd.DataFrame(
        {
            "household": h[ok].astype(np.int64).to_numpy(),
            "dwelling": d[ok].astype(np.int64).to_numpy(),
            "source_line": table["source_line"][ok].astype(np.int64).to_numpy(),
        }
    )
    return out, problems


def _ids_with_problems(table: pd.DataFrame) -> list[str]:
    """Ids of the rows a parser left out for a problem of their own (see ``schema``)."""
    column = "household_id" if "household_id" in table.columns else "dwelling_id"
    return list(table.attrs.get("ids_with_problems", {}).get(column, []))


def _check_pins(pins: pd.DataFrame, pairs: pd.DataFrame, file: str) -> list[Problem]:
    """Pins must name distinct households and dwellings and respect every hard rule."""
    problems: list[Problem] = []
    for column, what in (("household", "household"), ("dwelling", "dwelling")):
        repeated = pins[column].duplicated(keep="first")
        problems += [
            Problem(file, int(line), f"{what}_id", f"this {what} is pinned twice")
            for line in pins["source_line"][repeated]
        ]
    merged = pins.merge(pairs, on=["household", "dwelling"], how="left")
    for line, eligible, rent, access, avail, excl, refused, bound in zip(
        merged["source_line"],
        merged["eligible"],
        merged["fits_rent"],
        merged["fits_access"],
        merged["available"],
        merged["not_excluded"],
        merged["not_refused"],
        merged["keeps_binding"],
    ):
        if pd.notna(eligible) and bool(eligible):
            continue
        if pd.isna(eligible):
            why = "the dwelling's bedrooms do not fit the household's size"
        else:
            broken = [
                text
                for ok, text in (
                    (rent, "the rent is above the household's cap"),
                    (access, "the dwelling is not accessible enough"),
                    (avail, "the dwelling is not available in the matching window"),
                    (excl, "the dwelling is in an area the household excluded"),
                    (refused, "the household refused this dwelling"),
                    (bound, "the household's binding keeps it in its own municipality"),
                )
                if not ok
            ]
            why = "; ".join(broken)
        problems.append(Problem(file, int(line), None, f"pinned pair breaks a rule: {why}"))
    return problems


def _spread(rows: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """``values`` at positions ``rows`` of an array of ``size``, NaN elsewhere."""
    out = np.full(size, np.nan, dtype=values.dtype)
    out[rows] = values
    return out


@dataclass(frozen=True)
class _Dated:
    """The households on the matching date: who waits how long, who is linked too late."""

    households: pd.DataFrame  # with ``people`` and ``wait_days`` (never negative) added
    date: dt.date
    note: str
    wait: np.ndarray  # days from linked_on to the date; negative when linked later
    problems: list[Problem]


@dataclass(frozen=True)
class _Indexed:
    """Pins and refusals as positions, with the ids that name no household or dwelling."""

    pins: pd.DataFrame
    refusals: pd.DataFrame
    problems: list[Problem]


@dataclass(frozen=True)
class _Scored:
    """The pair table with quality, pin and problem-index columns; ``rows`` are the eligible.

    The solver's columns of the eligible pairs are kept as they are made (read-only
    ``int64``/``bool`` arrays that :class:`ProblemData` takes without a copy), so
    that no second table of the eligible pairs is ever built: on the stress
    benchmark that copy was a gigabyte.
    """

    pairs: pd.DataFrame
    rows: np.ndarray
    household: np.ndarray
    dwelling: np.ndarray
    quality: np.ndarray
    pinned: np.ndarray
    preference: np.ndarray


@dataclass(frozen=True)
class _AreaCaps:
    """Spreading areas: code per area index, area index per dwelling, caps per area."""

    codes: np.ndarray
    area: np.ndarray
    max_households: np.ndarray
    max_persons: np.ndarray


def _gemeente_names(codes: pd.Series, stats: pd.DataFrame) -> np.ndarray:
    """The area data's name of each municipality code (the code itself when it has none)."""
    names = stats["name"] if "name" in stats.columns else pd.Series(dtype=object)
    values = codes.astype(object)
    found = values.map(names.astype(object).to_dict(), na_action="ignore")
    return found.where(found.notna(), values).to_numpy(dtype=object)


def _file(table: pd.DataFrame | None, default: str) -> str:
    """The file a table came from (``attrs["file"]``), for problems that point at it."""
    return table.attrs.get("file", default) if table is not None else default


def _check_indicator(stats: pd.DataFrame, policy: Policy) -> None:
    """The spreading indicator must be a column of the area data; nothing works without it."""
    indicator = policy.spreading.indicator
    if indicator in stats.columns:
        return
    known = [c for c in stats.columns if c.startswith("migration_")]
    raise InputError(
        [
            Problem(
                "policy",
                None,
                "spreading.indicator",
                f"the area data has no indicator '{indicator}'; available: {', '.join(known)}",
            )
        ]
    )


def _dated(households: pd.DataFrame, policy: Policy, override: dt.date | None) -> _Dated:
    """Waiting time up to the matching date; households linked after it are problems."""
    when, note = matching_date(households, policy, override)
    linked = households["linked_on"].to_numpy().astype("datetime64[D]")
    wait = (np.datetime64(when, "D") - linked).astype(np.int64)
    late = wait < 0
    hfile = households.attrs.get("file", "households")
    problems = [
        Problem(hfile, int(line), "linked_on", f"linked after the matching date {when}")
        for line in households["source_line"][late]
    ]
    households["people"] = people_to_house(households)
    households["wait_days"] = np.maximum(wait, 0)
    return _Dated(households, when, note, wait, problems)


def _indexed(
    pins: pd.DataFrame | None,
    refusals: pd.DataFrame | None,
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
) -> _Indexed:
    """Refusals, then pins, as positions (problems in that order)."""
    refusal_idx, refusal_problems = index_pairs(refusals, households, dwellings, "refusals")
    pin_idx, pin_problems = index_pairs(pins, households, dwellings, "pins")
    return _Indexed(pin_idx, refusal_idx, refusal_problems + pin_problems)


def _scored(
    pairs: pd.DataFrame,
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    policy: Policy,
    wait: np.ndarray,
    distances: pd.DataFrame | None,
    pins: pd.DataFrame,
) -> _Scored:
    """Quality parts and score, pin flag and problem index, added as columns of ``pairs``.

    Written straight into compact columns (not joined): at national scale the pair
    table is the largest object of a run. Size-fitting pairs that are not eligible
    keep NaN scores, ``pinned`` false and ``problem_index`` -1.
    """
    rows = np.flatnonzero(pairs["eligible"].to_numpy())
    household = _solver_array(pairs["household"].to_numpy()[rows], np.int64)
    dwelling = _solver_array(pairs["dwelling"].to_numpy()[rows], np.int64)
    # the scores need only these columns of the eligible pairs (not a copy of the table)
    eligible = pd.DataFrame(
        {
            "household": household,
            "dwelling": dwelling,
            "extra_bedrooms": pairs["extra_bedrooms"].to_numpy()[rows],
        },
        index=pairs.index[rows],
    )
    parts = quality_parts(households, dwellings, eligible, policy, wait, distances)
    del eligible
    for column in PARTS:
        pairs[column] = _spread(rows, parts[column].to_numpy(dtype=np.float32), len(pairs))
    score = quality_score(parts, policy)
    preference = _solver_array(preference_score(parts, policy), np.int64)
    pairs["wish_rank"] = _spread(rows, parts["wish_rank"].to_numpy(dtype=np.float32), len(pairs))
    del parts
    pairs["quality"] = _spread(rows, score.astype(np.float32), len(pairs))
    pairs["preference"] = _spread(rows, preference.astype(np.float32), len(pairs))
    quality = _solver_array(score, np.int64)
    n_d = len(dwellings)
    pin_keys = pins["household"].to_numpy() * n_d + pins["dwelling"].to_numpy()
    pinned_rows = _solver_array(np.isin(household * n_d + dwelling, pin_keys), np.bool_)
    pinned = np.zeros(len(pairs), dtype=bool)
    pinned[rows] = pinned_rows
    pairs["pinned"] = pinned
    index = np.full(len(pairs), -1, dtype=np.int32)
    index[rows] = np.arange(len(rows), dtype=np.int32)
    pairs["problem_index"] = index
    return _Scored(pairs, rows, household, dwelling, quality, pinned_rows, preference)


def _solver_array(values: np.ndarray, dtype: type[np.generic]) -> np.ndarray:
    """``values`` as a new read-only array of ``dtype``, which :class:`ProblemData` shares."""
    out = np.array(values, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


def _area_caps(dwellings: pd.DataFrame, policy: Policy) -> _AreaCaps:
    """Area index per dwelling, and per-area household and persons caps."""
    codes, area = np.unique(dwellings["area_code"].astype(str).to_numpy(), return_inverse=True)
    cap = policy.spreading.max_households_per_area
    max_households = np.full(len(codes), -1 if cap is None else cap, dtype=np.int64)
    if cap is not None:  # earlier runs of the period used part of each area's cap
        earlier = pd.Series(policy.spreading.placed_this_period, dtype=np.int64)
        used = earlier.reindex(codes, fill_value=0).to_numpy()
        max_households = np.maximum(max_households - used, 0)
    room = pd.Series(dwellings["headroom_persons"].to_numpy(), index=area).groupby(level=0).first()
    room = room.reindex(range(len(codes)))
    max_persons = np.where(np.isfinite(room), room, -1).astype(np.int64)
    return _AreaCaps(codes, area, max_households, max_persons)


def _buildings(dwellings: pd.DataFrame) -> np.ndarray:
    """Building index per dwelling (numbered by sorted ``complex_id``), -1 without one."""
    complex_ids = dwellings["complex_id"].astype("string")
    building = np.full(len(dwellings), -1, dtype=np.int64)
    has = complex_ids.notna().to_numpy()
    if has.any():
        building[has] = np.unique(complex_ids[has].to_numpy(dtype=str), return_inverse=True)[1]
    return building


def _problem_data(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    scored: _Scored,
    areas: _AreaCaps,
    policy: Policy,
) -> ProblemData:
    """The solver arrays of the eligible pairs (validated by :class:`ProblemData` itself)."""
    cap = policy.spreading.max_per_complex
    h, d = scored.household, scored.dwelling
    outside = ~dwellings["concentrated"].to_numpy(dtype=bool)
    return ProblemData(
        n_households=len(households),
        n_dwellings=len(dwellings),
        pair_household=h,
        pair_dwelling=d,
        pair_persons=_solver_array(households["persons"].to_numpy(dtype=np.int64)[h], np.int64),
        pair_outside=_solver_array(outside[d], np.int64),
        pair_quality=scored.quality,
        pair_pinned=scored.pinned,
        pair_preference=scored.preference,
        dwelling_area=areas.area,
        dwelling_complex=_buildings(dwellings),
        area_max_households=areas.max_households,
        area_max_persons=areas.max_persons,
        complex_max=-1 if cap is None else cap,
    )


def _check_pinned_caps(problem: ProblemData, pins: pd.DataFrame | None) -> None:
    """Pins that each respect the rules may still, together, break a cap: refuse them."""
    conflicts = problem.violations(problem.pair_pinned)
    if conflicts:
        file = _file(pins, "pins")
        raise InputError(
            Problem(file, None, None, f"the pins alone break a cap of the policy: {conflict}")
            for conflict in conflicts
        )


def build_instance(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    policy: Policy,
    stats: pd.DataFrame,
    *,
    pins: pd.DataFrame | None = None,
    refusals: pd.DataFrame | None = None,
    distances: pd.DataFrame | None = None,
    date: dt.date | None = None,
    regions: Mapping[str, str] | None = None,
) -> Instance:
    """Apply the rules and compile the solver arrays.

    The steps, each a function of its own: check the indicator, date the
    households, resolve the dwellings' areas, index pins and refusals, build
    the pair table (raising every problem found so far together), score the
    eligible pairs, then compile the solver arrays and check the pins against
    the caps.

    Parameters
    ----------
    households, dwellings
        Validated tables (dwellings already resolved to buurt/wijk/gemeente).
    policy
        The run's policy.
    stats
        Area statistics indexed by code (see :mod:`allocatie.areas.data`).
    pins, refusals
        Optional tables of ``household_id``/``dwelling_id`` with ``source_line``
        (``attrs["file"]`` names their file in problems).
    distances
        Optional metres from each dwelling (row, positional) to the nearest
        amenity of each category (columns).
    date
        Matching date overriding the policy's.
    regions
        Municipalities that pool their offer (code → region name); by default the
        policy's ``[region]`` when it pools (see
        :func:`allocatie.model.eligibility.pair_table`).

    Raises
    ------
    InputError
        For problems that only show when files are combined: unknown ids in
        pins or refusals, pins that break a rule, households linked after the
        matching date, a spreading indicator the area data lacks.
    """
    _check_indicator(stats, policy)
    dated = _dated(households.reset_index(drop=True).copy(), policy, date)
    households = dated.households
    dwellings = dwellings.reset_index(drop=True).copy()
    dwellings = pd.concat([dwellings, dwelling_areas(dwellings, stats, policy.spreading)], axis=1)
    for table in (households, dwellings):  # for reasons that name a municipality
        if "gemeente_code" in table.columns:
            table["gemeente_name"] = _gemeente_names(table["gemeente_code"], stats)
    indexed = _indexed(pins, refusals, households, dwellings)
    problems = dated.problems + indexed.problems
    pairs = pair_table(households, dwellings, policy, dated.date, indexed.refusals, regions)
    if len(indexed.pins):
        problems += _check_pins(indexed.pins, pairs, _file(pins, "pins"))
    if problems:
        raise InputError(problems)

    scored = _scored(pairs, households, dwellings, policy, dated.wait, distances, indexed.pins)
    areas = _area_caps(dwellings, policy)
    problem = _problem_data(households, dwellings, scored, areas, policy)
    dwellings["area_index"] = areas.area
    _check_pinned_caps(problem, pins)
    return Instance(
        households=households,
        dwellings=dwellings,
        pairs=scored.pairs,
        funnel=funnel(scored.pairs, len(households)),
        policy=policy,
        date=dated.date,
        date_note=dated.note,
        problem=problem,
        area_codes=areas.codes,
    )
