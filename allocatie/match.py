"""The monthly matching job, from file paths to a plan: read, check, build, solve, report.

Every input is read and checked before anything is solved, and the problems of
all files are raised together, so a coordinator fixes one list rather than
re-running once per mistake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas, load_areas
from allocatie.areas.geo import amenity_distances, resolve_dwelling_areas
from allocatie.areas.neighbourhood import plan_effect
from allocatie.i18n import _, language, use_language
from allocatie.inputs.columns import dutch_name
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.policy import Policy, SolverMethod, SolverSettings, load_policy
from allocatie.inputs.schema import parse_amenities, parse_dwellings, parse_households, parse_pairs
from allocatie.model.builder import Instance, build_instance, index_pairs
from allocatie.model.region import region_data
from allocatie.report import harm
from allocatie.report import region as region_report
from allocatie.report.diagnose import diagnose
from allocatie.report.household_types import (
    household_type_kpis,
    household_type_table,
    readable_household_types,
)
from allocatie.report.manifest import manifest
from allocatie.report.outputs import kpis, plan_table
from allocatie.report.why import alternatives
from allocatie.solve import Result, Status, solve
from allocatie.solve.region import solve_region

PathLike = str | Path


#: File names looked for in a scenario folder, per input.
SCENARIO_FILES = {
    "households": ("households.csv", "households.xlsx"),
    "dwellings": ("dwellings.csv", "dwellings.xlsx"),
    "policy": ("policy.toml",),
    "amenities": ("amenities.csv", "amenities.xlsx"),
    "pins": ("pins.csv", "pins.xlsx"),
    "refusals": ("refusals.csv", "refusals.xlsx"),
}


@dataclass(frozen=True)
class Inputs:
    """Paths of one run's inputs; only households, dwellings and policy are required."""

    households: PathLike
    dwellings: PathLike
    policy: PathLike
    areas: PathLike | None = None
    amenities: PathLike | None = None
    pins: PathLike | None = None
    refusals: PathLike | None = None

    @classmethod
    def from_scenario(cls, folder: PathLike | None, **given: PathLike | None) -> Inputs:
        """Inputs from a folder with the standard file names; ``given`` paths take precedence.

        Coordinators keep a month's files together; naming them once by
        convention beats six options on every run.

        Raises
        ------
        InputError
            When households, dwellings or policy are neither given nor in the folder.
        """
        paths: dict[str, PathLike] = {k: v for k, v in given.items() if v is not None}
        problems: list[Problem] = []
        for option, names in SCENARIO_FILES.items():
            if option in paths or folder is None:
                continue
            found = [Path(folder) / n for n in names if (Path(folder) / n).is_file()]
            if len(found) > 1:  # choosing one would be a guess about which is current
                problems.append(
                    Problem(
                        str(folder),
                        None,
                        None,
                        _(
                            "both {first} and {second} are in this folder; keep the one to "
                            "plan with, or name it with --{option}"
                        ).format(first=found[0].name, second=found[1].name, option=option),
                    )
                )
            elif found:
                paths[option] = found[0]
        for option in ("households", "dwellings", "policy"):
            if option in paths:
                continue
            if folder is None:
                message = _("no {option} file given").format(option=option)
            else:
                message = _("no {option} file given and not found in {folder}").format(
                    option=option, folder=folder
                )
            unread = _unreadable_variant(folder, option)
            if unread is not None:
                message += "; " + _(
                    "{file} is there, but {suffix} files are not read: open it in Excel and "
                    "save it as .xlsx ('Excel-werkmap') or as 'CSV UTF-8'"
                ).format(file=unread, suffix=Path(unread).suffix)
            problems.append(Problem(str(folder or "."), None, None, message))
        if problems:
            raise InputError(problems)
        return cls(**paths)


def _unreadable_variant(folder: PathLike | None, option: str) -> str | None:
    """The name of a standard input saved in a format that is not read, if any."""
    if folder is None:
        return None
    for suffix in (".xls", ".ods", ".numbers", ".xlsb"):
        if (Path(folder) / f"{option}{suffix}").is_file():
            return f"{option}{suffix}"
    return None


@dataclass(frozen=True)
class Outcome:
    """Everything a run produced, for the CLI and for tests."""

    instance: Instance
    result: Result
    plan: pd.DataFrame
    kpis: dict[str, Any]
    areas_source: str
    manifest: dict[str, Any]
    areas: Areas
    area_effects: pd.DataFrame
    #: More sheets for the workbook, by sheet name (in the run's language), after the
    #: plan and the KPIs: what a coordinator looks up beside the plan (e.g. the
    #: waiting households' alternatives).
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _read(
    path: PathLike,
    parse: Callable[..., tuple[pd.DataFrame, list[Problem]]],
    problems: list[Problem],
    required: tuple[str, ...],
    *args: Any,
) -> pd.DataFrame | None:
    """Read and parse one table, adding its problems to ``problems``."""
    try:
        raw = read_table(path, display_name=str(path), required=required)
    except InputError as error:
        problems.extend(error.problems)
        return None
    frame, found = parse(raw, *args)
    problems.extend(found)
    frame.attrs["file"] = str(path)
    frame.attrs["sheet"] = raw.sheet  # the worksheet read, for the manifest and summary
    return frame


def _header(frame: pd.DataFrame, column: str) -> str:
    """A contract column as the user's file spells it (``buurtcode``), for messages.

    A column the file does not have is named in the language of its header row.
    """
    headers: dict[str, str] = frame.attrs.get("headers", {})
    if column in headers:
        return headers[column]
    return dutch_name(column) if frame.attrs.get("dutch_headers") else column


def _gemeente_of(code: str, areas: Areas, policy: Policy | None) -> str | None:
    """The municipality a (possibly wrong) area code points to, else the policy's."""
    guess = f"GM{code[2:6]}"
    if guess in areas.stats.index and areas.stats.loc[guess, "level"] == "gemeente":
        return guess
    return policy.municipality if policy is not None else None


def _area_name(code: str, areas: Areas | None) -> str:
    """``Enschede`` for GM0153; the code itself when the area data has no name."""
    if areas is not None and code in areas.stats.index and "name" in areas.stats.columns:
        return str(areas.stats.loc[code, "name"])
    return code


def _one_slip(code: str, other: str) -> bool:
    """Whether ``other`` is ``code`` with one digit mistyped or two neighbours swapped."""
    if len(code) != len(other):
        return False
    differ = [i for i, (a, b) in enumerate(zip(code, other)) if a != b]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and code[differ[0]] == other[differ[1]]
        and code[differ[1]] == other[differ[0]]
    )


def _close_codes(code: str, level: str | None, gemeente: str | None, areas: Areas) -> str | None:
    """Codes one slip off ``code``: "BU01530606 (Wesselerbrink Noord-West)", else ``None``.

    Area codes are digits, so "close" means one digit mistyped or two
    neighbouring digits swapped, not a string similarity. Only codes of the
    same municipality (and level) are compared: a suggestion in another city
    would mislead. At most three are named.
    """
    stats = areas.stats
    rows = stats[stats["gemeente_code"] == gemeente] if gemeente is not None else stats.iloc[:0]
    if level is not None:
        rows = rows[rows["level"] == level]
    found = [c for c in rows.index.astype(str) if _one_slip(code, c)][:3]
    if not found:
        return None
    return _(" or ").join(f"{c} ({_area_name(c, areas)})" for c in found)


def _where_to_look(level: str, gemeente: str | None, areas: Areas) -> str:
    """What a valid code looks like, and the command that lists the municipality's codes."""
    gemeente = gemeente or "GM0153"
    stats = areas.stats
    codes = stats.index[(stats["gemeente_code"] == gemeente) & (stats["level"] == level)]
    digits = gemeente[2:]
    example = str(codes[0]) if len(codes) else ("BU" + digits + "0101" if level == "buurt"
                                                else "WK" + digits + "01")  # fmt: skip
    if level == "buurt":
        shape = _(
            "a buurt code is BU + the 4 digits of the municipality + 4 digits, such as {code}"
        )
    else:
        shape = _("a wijk code is WK + the 4 digits of the municipality + 2 digits, such as {code}")
    command = _("`allocatie areas --gemeente {gemeente} --level {level}` lists those of {name}")
    return (
        shape.format(code=example)
        + " ("
        + command.format(gemeente=gemeente, level=level, name=_area_name(gemeente, areas))
        + ")"
    )


def _unknown_codes(
    households: pd.DataFrame, areas: Areas, file: str, policy: Policy | None = None
) -> list[Problem]:
    """Preferred and excluded areas must be codes the area data knows."""
    known = set(areas.stats.index.astype(str))
    out = []
    for column in ("preferred_areas", "excluded_areas"):
        codes = households[column].explode().dropna()
        unknown = codes[~codes.astype(str).isin(known)]
        lines = households["source_line"].reindex(unknown.index)
        for code, line in zip(unknown.astype(str), lines):
            level = {"BU": "buurt", "WK": "wijk"}.get(code[:2])
            gemeente = _gemeente_of(code, areas, policy)
            message = _("there is no area {code} in the area data").format(code=code)
            close = _close_codes(code, level, gemeente, areas)
            if close is not None:
                message += "; " + _("did you mean {codes}?").format(codes=close)
            message += "; " + _where_to_look(level or "buurt", gemeente, areas)
            out.append(Problem(file, int(line), _header(households, column), message))
    return out


def _unknown_dwelling_codes(
    dwellings: pd.DataFrame, areas: Areas, policy: Policy | None, file: str
) -> tuple[list[Problem], np.ndarray]:
    """Buurt and wijk codes the area data does not know, and the rows without such a code.

    Checked here, before the geographic join, so that each message can say
    what to write instead: a code one digit off, the command that lists the
    municipality's codes, or the other ways to locate a dwelling. A code is
    known as :func:`~allocatie.areas.geo.resolve_dwelling_areas` knows it (a
    buurt of the statistics; a wijk of the statistics or of the polygons).
    """
    stats = areas.stats
    level = stats["level"]
    known = {
        "buurt_code": set(stats.index[level.eq("buurt")].astype(str)),
        "wijk_code": set(stats.index[level.eq("wijk")].astype(str)) | set(areas.wijken.index),
    }
    others = {
        "buurt_code": _("or leave {column} empty and fill in {wijk_code}, or {lon} and {lat}"),
        "wijk_code": _("or leave {column} empty and fill in {buurt_code}, or {lon} and {lat}"),
    }
    names = {c: _header(dwellings, c) for c in ("buurt_code", "wijk_code", "lon", "lat")}
    problems: list[Problem] = []
    good = np.ones(len(dwellings), dtype=bool)
    for column, codes in known.items():
        if column not in dwellings.columns:
            continue
        given = dwellings[column].astype("string")
        bad = (given.notna() & ~given.isin(codes)).to_numpy()
        good &= ~bad
        kind = column.removesuffix("_code")
        for code, line in zip(given[bad].astype(str), dwellings["source_line"][bad]):
            gemeente = _gemeente_of(code, areas, policy)
            if kind == "buurt":
                message = _("there is no buurt {code} in the area data").format(code=code)
            else:
                message = _("there is no wijk {code} in the area data").format(code=code)
            close = _close_codes(code, kind, gemeente, areas)
            if close is not None:
                message += "; " + _("did you mean {codes}?").format(codes=close)
            message += "; " + _where_to_look(kind, gemeente, areas)
            message += "; " + others[column].format(column=names[column], **names)
            problems.append(Problem(file, int(line), names[column], message))
    return problems, good


def _locate_dwellings(
    dwellings: pd.DataFrame, areas: Areas, policy: Policy | None, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Join the dwellings that parsed to their areas; every location problem of the file.

    Runs on the rows without problems of their own even when other rows have
    some, so that an unknown wijk or a dwelling in another municipality is
    reported in the same round as a bad rent, not after it was fixed.
    """
    if not len(dwellings):
        return dwellings, []
    problems, good = _unknown_dwelling_codes(dwellings, areas, policy, file)
    part = dwellings if good.all() else dwellings[good].reset_index(drop=True)
    part.attrs = dict(dwellings.attrs)
    resolved, found = resolve_dwelling_areas(part, areas, file)
    resolved.attrs = dict(dwellings.attrs)
    problems += [replace(p, column=_header(dwellings, p.column or "") or None) for p in found]
    located = ~resolved["source_line"].isin({p.line for p in found}).to_numpy()
    if policy is not None:
        problems += _outside_municipality(resolved[located], policy, file, areas)
    # a pin naming a dwelling left out here has its problem already: not "unknown" too
    left_out = {p.line for p in problems}
    ids = dwellings.loc[dwellings["source_line"].isin(left_out), "dwelling_id"].astype(str)
    earlier = dwellings.attrs.get("ids_with_problems", {})
    resolved.attrs["ids_with_problems"] = {
        **earlier,
        "dwelling_id": sorted({*earlier.get("dwelling_id", []), *ids}),
    }
    return resolved, problems


def _outside_municipality(
    dwellings: pd.DataFrame, policy: Policy, file: str, areas: Areas | None = None
) -> list[Problem]:
    """Dwellings in another municipality than the policy's, named by the cell that places them."""
    if policy.municipality is None:
        return []
    outside = (dwellings["gemeente_code"].astype(str) != policy.municipality).to_numpy()
    problems = []
    from_point = dwellings.get("point_exact", pd.Series(False, index=dwellings.index))
    for _index, row in dwellings[outside].iterrows():
        gemeente = str(row["gemeente_code"])
        where = {
            "gemeente": gemeente,
            "municipality": policy.municipality,
            "name": _area_name(gemeente, areas),
            "policy_name": _area_name(policy.municipality, areas),
        }
        if pd.isna(row.get("buurt_code")) and bool(from_point[_index]):
            column = "lon"
            message = _(
                "this dwelling lies in {gemeente}, not in {municipality}: its coordinates are "
                "in {name}, and the policy is for {policy_name}; remove this row, correct its "
                "coordinates, or change municipality in the policy if that is the mistake"
            ).format(**where)
        else:
            column = "buurt_code" if pd.notna(row.get("buurt_code")) else "wijk_code"
            message = _(
                "this dwelling lies in {gemeente}, not in {municipality}: {column} {code} is "
                "in {name}, and the policy is for {policy_name}; remove this row, correct its "
                "{column}, or change municipality in the policy if that is the mistake"
            ).format(column=_header(dwellings, column), code=row[column], **where)
        problems.append(Problem(file, int(row["source_line"]), _header(dwellings, column), message))
    return problems


def _outside_region(
    households: pd.DataFrame, dwellings: pd.DataFrame, policy: Policy, files: tuple[str, str]
) -> list[Problem]:
    """With a ``[region]``, every household and dwelling must lie in one of its municipalities."""
    listed = policy.region.municipalities
    if not listed:
        return []
    codes = ", ".join(listed)
    problems = []
    column = _header(households, "gemeente_code")
    home = households.get("gemeente_code", pd.Series(None, index=households.index, dtype=object))
    for line in households["source_line"][~home.astype(object).isin(listed)]:
        message = _(
            "with a [region] in the policy every household names the municipality it is "
            "linked to, one of the region's: {codes}"
        ).format(codes=codes)
        problems.append(Problem(files[0], int(line), column, message))
    outside = ~dwellings["gemeente_code"].astype(object).isin(listed).to_numpy()
    for line, code in zip(dwellings["source_line"][outside], dwellings["gemeente_code"][outside]):
        message = _(
            "this dwelling lies in {gemeente}, which is not one of the region's municipalities "
            "({codes}); remove this row or add {gemeente} to [region] municipalities"
        ).format(gemeente=code, codes=codes)
        problems.append(Problem(files[1], int(line), _header(dwellings, "buurt_code"), message))
    return problems


def _date_outside_period(date: dt.date | None, policy: Policy, file: str) -> list[Problem]:
    """A matching date outside the half year is a typo, not a plan.

    Waiting time counts up to the matching date and the offer window starts
    there, so 2099-01-01 would report a mean wait of eighty years and 9999-12-31
    cannot even be counted to. Only a date the user set is checked; the default
    (the latest ``linked_on``) follows the data.
    """
    when, where = (date, "--date") if date is not None else (policy.matching.date, file)
    if when is None or policy.period.start <= when <= policy.period.end:
        return []
    return [
        Problem(
            where,
            None,
            "matching.date" if date is None else None,
            _(
                "the matching date {date} lies outside the period {start} to {end}; give the "
                "date of this month's meeting (YYYY-MM-DD), or correct [period] start and end"
            ).format(date=when, start=policy.period.start, end=policy.period.end),
        )
    ]


@dataclass(frozen=True)
class Checked:
    """Every input of a run, read and checked against each other, before any building."""

    policy: Policy
    areas: Areas
    households: pd.DataFrame
    dwellings: pd.DataFrame
    pins: pd.DataFrame | None
    refusals: pd.DataFrame | None
    amenities: pd.DataFrame | None

    @property
    def sheets(self) -> dict[str, str]:
        """Input role → the worksheet read, for the inputs that were workbooks.

        A workbook can hold last month's list on another sheet, so the sheet a
        plan was made from is part of how it came about.
        """
        tables = {
            "households": self.households,
            "dwellings": self.dwellings,
            "pins": self.pins,
            "refusals": self.refusals,
            "amenities": self.amenities,
        }
        return {
            role: str(table.attrs["sheet"])
            for role, table in tables.items()
            if table is not None and table.attrs.get("sheet")
        }


def read_inputs(inputs: Inputs, date: dt.date | None = None, *, check_date: bool = True) -> Checked:
    """Read and check every input in one round: each file, then the files together.

    The checks across files (area codes against the area data, dwellings against
    the policy's municipality, pins against both tables) run on the rows that
    parsed, even when other rows of the same file have problems, so that the
    coordinator gets every problem at once. ``check_date`` checks the matching
    date against the policy's period (the ledger checks it against its own).

    Raises
    ------
    InputError
        With every problem of every file.
    """
    problems: list[Problem] = []
    policy: Policy | None = None
    try:
        policy = load_policy(inputs.policy, display_name=str(inputs.policy))
    except InputError as error:
        problems.extend(error.problems)
    try:
        areas = load_areas(inputs.areas)
    except InputError as error:
        problems.extend(error.problems)
        areas = None

    households = _read(
        inputs.households, parse_households, problems, ("household_id", "persons", "linked_on")
    )
    dwellings = _read(
        inputs.dwellings, parse_dwellings, problems, ("dwelling_id", "bedrooms", "rent")
    )
    amenities = pins = refusals = None
    if inputs.amenities is not None:
        amenities = _read(inputs.amenities, parse_amenities, problems, ("category", "lon", "lat"))
    if inputs.pins is not None:
        pins = _read(inputs.pins, parse_pairs, problems, ("household_id", "dwelling_id"), "pins")
    if inputs.refusals is not None:
        refusals = _read(
            inputs.refusals, parse_pairs, problems, ("household_id", "dwelling_id"), "refusals"
        )

    if dwellings is not None and areas is not None:
        dwellings, found = _locate_dwellings(dwellings, areas, policy, str(inputs.dwellings))
        problems.extend(found)
    if households is not None and areas is not None:
        problems += _unknown_codes(households, areas, str(inputs.households), policy)
    if households is not None and dwellings is not None:
        for kind, table in (("pins", pins), ("refusals", refusals)):
            problems += index_pairs(table, households, dwellings, kind)[1]
        if policy is not None and "gemeente_code" in dwellings:
            files = (str(inputs.households), str(inputs.dwellings))
            problems += _outside_region(households, dwellings, policy, files)
    if policy is not None and check_date:
        problems += _date_outside_period(date, policy, str(inputs.policy))
    if problems:
        raise InputError(problems)
    assert policy is not None and areas is not None
    assert households is not None and dwellings is not None
    return Checked(policy, areas, households, dwellings, pins, refusals, amenities)


def build(checked: Checked, date: dt.date | None = None) -> Instance:
    """Build the instance of checked inputs (amenity distances, pairs, scores, caps)."""
    dwellings, amenities = checked.dwellings, checked.amenities
    distances = None
    if amenities is not None and len(amenities) and len(dwellings):
        distances = amenity_distances(
            dwellings["x"].to_numpy(dtype=float), dwellings["y"].to_numpy(dtype=float), amenities
        )
    return build_instance(
        checked.households,
        dwellings,
        checked.policy,
        checked.areas.stats,
        pins=checked.pins,
        refusals=checked.refusals,
        distances=distances,
        date=date,
    )


def prepare(inputs: Inputs, date: dt.date | None = None) -> tuple[Instance, Areas]:
    """Read and check every input (:func:`read_inputs`), then build the instance.

    Raises
    ------
    InputError
        With every problem of every file.
    """
    checked = read_inputs(inputs, date)
    return build(checked, date), checked.areas


def run_match(
    inputs: Inputs,
    date: dt.date | None = None,
    method: str | None = None,
    map_parts: Callable[..., Any] | None = None,
    lang: str | None = None,
) -> Outcome:
    """Read, check, solve and explain one monthly matching.

    Parameters
    ----------
    inputs
        Input paths.
    date
        Matching date overriding the policy's ``[matching] date``.
    method
        Solver overriding the policy's ``[solver] method``.
    map_parts
        How to run the independent parts, e.g. on Dask
        (:func:`allocatie.solve.distributed.dask_map`); the plan is the same either way.
    lang
        Language of the reasons: ``en`` or ``nl``; ``None`` for the current context's
        (:mod:`allocatie.i18n`, Dutch unless a command or caller set another).
    """
    checked = read_inputs(inputs, date)
    instance = build(checked, date)
    return solve_and_report(
        inputs, instance, checked.areas, method, map_parts, lang, sheets=checked.sheets
    )


def solve_and_report(
    inputs: Inputs,
    instance: Instance,
    areas: Areas,
    method: str | None = None,
    map_parts: Callable[..., Any] | None = None,
    lang: str | None = None,
    *,
    sheets: dict[str, str] | None = None,
) -> Outcome:
    """Solve a built instance and report the result (:func:`report_result`).

    Shared by ``allocatie match`` and the ledger's monthly proposal, which
    builds its instance from the ledger's state but must report it the same way.
    ``lang`` is passed on as :func:`run_match` takes it (``None``: the current
    context's language); ``sheets`` (input role → worksheet read) goes into the
    manifest and kpis.
    """
    result, settings, no_harm = solve_with_rules(instance, method, map_parts)
    return report_result(
        inputs, instance, areas, result, settings, lang, sheets=sheets, no_harm=no_harm
    )


def solve_instance(
    instance: Instance, method: str | None = None, map_parts: Callable[..., Any] | None = None
) -> tuple[Result, SolverSettings]:
    """Solve a built instance with the policy's solver settings (``method`` overriding its own).

    The one place a run's solver settings are made, so that ``allocatie why``
    explains the very plan ``allocatie match`` proposes (same method, same seed).
    Returns the result and the settings it was found with.
    """
    result, settings, _cost = solve_with_rules(instance, method, map_parts)
    return result, settings


def solve_with_rules(
    instance: Instance, method: str | None = None, map_parts: Callable[..., Any] | None = None
) -> tuple[Result, SolverSettings, dict[str, Any] | None]:
    """:func:`solve_instance`, with what the ``no_harm`` rule cost when the policy has it on.

    With ``[fairness] no_harm = true`` the instance is solved without the rule and
    with it (:func:`allocatie.report.harm.solve_no_harm`); the plan is the one with
    it, and the third value (``kpis.json``'s ``no_harm``) the tiers of both.
    """
    settings = instance.policy.solver
    if method is not None:
        settings = replace(settings, method=cast(SolverMethod, method))  # checked on creation
    if instance.policy.region.municipalities:  # the region's objective (allocatie.solve.region)
        return (
            solve_region(
                instance.problem,
                region_data(instance),
                settings,
                moves_before_quality=instance.policy.region.moves_before_quality,
            ).result,
            settings,
            None,
        )
    result = solve(instance.problem, settings, map_parts=map_parts)
    if not instance.policy.fairness.no_harm or result.status == Status.INFEASIBLE:
        return result, settings, None
    guarded, cost = harm.solve_no_harm(instance, result, settings, map_parts)
    return guarded, settings, cost


def report_result(
    inputs: Inputs,
    instance: Instance,
    areas: Areas,
    result: Result,
    settings: SolverSettings | None = None,
    lang: str | None = None,
    *,
    sheets: dict[str, str] | None = None,
    no_harm: dict[str, Any] | None = None,
) -> Outcome:
    """Everything a run reports about a result: plan, kpis, shortfall, area effects, manifest.

    The one definition of what a run reports, apart from how the result was
    found, so a plan the web meeting keeps from an earlier solve (the same
    selection, still optimal after a decision) is reported exactly as a fresh
    solve would be. Refuses a result that breaks a rule: a solver bug (or a
    kept selection that no longer fits) must never reach a household.

    Parameters
    ----------
    inputs
        The input paths, for the manifest's hashes.
    instance, areas
        What was solved, and the area data the effects are measured on.
    result
        The solution to report.
    settings
        The solver settings the result was found with (the manifest records
        the seed); default the policy's.
    lang
        Language of the reasons: ``en`` or ``nl``; ``None`` for the current
        context's (:mod:`allocatie.i18n`).
    sheets
        Input role → worksheet read, for the manifest and kpis.
    no_harm
        What the ``no_harm`` rule cost (:func:`solve_with_rules`), when it was applied.
    """
    source = areas.source
    settings = settings if settings is not None else instance.policy.solver
    failed = result.status == Status.INFEASIBLE
    broken = instance.problem.violations(result.selected) if not failed else []
    if broken:
        raise RuntimeError("the solver returned a plan that breaks rules: " + "; ".join(broken))
    plan = plan_table(instance, result, lang)
    figures = kpis(instance, result, plan)
    regional = None
    if instance.policy.region.municipalities and not failed:  # herkoppelingen, per municipality
        plan, region_figures, regional = region_report.region_report(instance, result, plan)
        figures.update(region_figures)
    figures["areas_source"] = source
    figures["affordability_source"] = instance.policy.affordability.source
    figures["amenities"] = "given" if inputs.amenities is not None else "not given"
    figures["input_sheets"] = dict(sheets or {})
    if not failed:
        figures["shortfall"] = diagnose(instance, result)
    figures["segregation"], effects = plan_effect(
        areas,
        instance.dwellings,
        result.assignment(instance.problem),
        instance.households["persons"].to_numpy(),
        instance.policy,
    )
    run = {
        "seed": settings.seed,
        "solver_method": str(result.method),
        "solve_status": str(result.status),
        "matching_date": instance.date.isoformat(),
        "matching_date_source": instance.date_note,
        "areas_source": source,
    }
    paths = {f.name: getattr(inputs, f.name) for f in fields(inputs)}
    record = manifest(paths, instance.policy.to_dict(), run)
    for role, sheet in (sheets or {}).items():
        if role in record["inputs"]:
            record["inputs"][role]["sheet"] = sheet
    tables: dict[str, pd.DataFrame] = {}
    if regional is not None:
        with use_language(lang or language()):
            table = region_report.municipality_table(regional, instance)
            tables[region_report.sheet_name()] = region_report.readable_municipalities(table)
    # outcomes per household type (size and needs only): kpis.json, a sheet, report.html
    types = household_type_table(instance, plan)
    figures["by_household_type"] = household_type_kpis(types)
    tables[_("per_household_type")] = readable_household_types(types)
    if result.status in (Status.OPTIMAL, Status.FEASIBLE):
        # the waiting households' best alternatives by their own wish, each with why not
        with use_language(lang or language()):
            tables[_("alternatives")] = alternatives(instance, result)
    # first come, first served on the same input, household by household (no hidden harm)
    with use_language(lang or language()):
        harm_figures, harmed = harm.report(instance, result, no_harm)
        if harmed is not None:
            tables[harm.sheet_name()] = harmed
    figures.update(harm_figures)
    return Outcome(instance, result, plan, figures, source, record, areas, effects, tables)
