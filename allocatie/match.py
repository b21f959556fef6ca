"""The monthly matching job, from file paths to a plan: read, check, build, solve, report.

Every input is read and checked before anything is solved, and the problems of
all files are raised together, so a coordinator fixes one list rather than
re-running once per mistake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, cast

import pandas as pd

from allocatie.areas.data import Areas, load_areas
from allocatie.areas.geo import amenity_distances, resolve_dwelling_areas
from allocatie.areas.neighbourhood import plan_effect
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.policy import Policy, SolverMethod, load_policy
from allocatie.inputs.schema import parse_amenities, parse_dwellings, parse_households, parse_pairs
from allocatie.model.builder import Instance, build_instance, index_pairs
from allocatie.report.diagnose import diagnose
from allocatie.report.manifest import manifest
from allocatie.report.outputs import kpis, plan_table
from allocatie.solve import Result, Status, solve

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
                        f"both {found[0].name} and {found[1].name} are in this folder; "
                        f"keep the one to plan with, or name it with --{option}",
                    )
                )
            elif found:
                paths[option] = found[0]
        for option in ("households", "dwellings", "policy"):
            if option in paths:
                continue
            where = f" and not found in {folder}" if folder is not None else ""
            message = f"no {option} file given{where}"
            unread = _unreadable_variant(folder, option)
            if unread is not None:
                message += (
                    f"; {unread} is there, but {Path(unread).suffix} files are not read: "
                    "open it in Excel and save it as .xlsx ('Excel-werkmap') or as "
                    "'CSV UTF-8'"
                )
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
    return frame


def _unknown_codes(households: pd.DataFrame, areas: Areas, file: str) -> list[Problem]:
    """Preferred and excluded areas must be codes the area data knows."""
    known = set(areas.stats.index.astype(str))
    out = []
    for column in ("preferred_areas", "excluded_areas"):
        codes = households[column].explode().dropna()
        unknown = codes[~codes.astype(str).isin(known)]
        lines = households["source_line"].reindex(unknown.index)
        out += [
            Problem(file, int(line), column, f"unknown area code '{code}'")
            for code, line in zip(unknown, lines)
        ]
    return out


def _outside_municipality(dwellings: pd.DataFrame, policy: Policy, file: str) -> list[Problem]:
    if policy.municipality is None:
        return []
    outside = dwellings["gemeente_code"].astype(str) != policy.municipality
    return [
        Problem(file, int(line), None, f"dwelling lies in {gm}, not in {policy.municipality}")
        for line, gm in zip(dwellings["source_line"][outside], dwellings["gemeente_code"][outside])
    ]


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
            f"the matching date {when} lies outside the period {policy.period.start} to "
            f"{policy.period.end}; give the date of this month's meeting (YYYY-MM-DD), "
            "or correct [period] start and end",
        )
    ]


def prepare(inputs: Inputs, date: dt.date | None = None) -> tuple[Instance, Areas]:
    """Read and check every input, then build the instance.

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

    dwellings_ok = dwellings is not None and not any(
        p.file == str(inputs.dwellings) for p in problems
    )
    if dwellings_ok and areas is not None:
        dwellings, found = resolve_dwelling_areas(dwellings, areas, str(inputs.dwellings))
        problems.extend(found)
        if policy is not None and not found:
            problems += _outside_municipality(dwellings, policy, str(inputs.dwellings))
    if households is not None and areas is not None:
        problems += _unknown_codes(households, areas, str(inputs.households))
    if households is not None and dwellings is not None:
        for kind, table in (("pins", pins), ("refusals", refusals)):
            problems += index_pairs(table, households, dwellings, kind)[1]
    if policy is not None:
        problems += _date_outside_period(date, policy, str(inputs.policy))
    if problems:
        raise InputError(problems)
    assert policy is not None and areas is not None
    assert households is not None and dwellings is not None

    distances = None
    if amenities is not None and len(amenities):
        distances = amenity_distances(
            dwellings["x"].to_numpy(dtype=float), dwellings["y"].to_numpy(dtype=float), amenities
        )
    instance = build_instance(
        households,
        dwellings,
        policy,
        areas.stats,
        pins=pins,
        refusals=refusals,
        distances=distances,
        date=date,
    )
    return instance, areas


def run_match(
    inputs: Inputs,
    date: dt.date | None = None,
    method: str | None = None,
    map_parts: Callable[..., Any] | None = None,
    lang: str = "en",
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
        Language of the reasons: ``en`` or ``nl``.
    """
    instance, areas = prepare(inputs, date)
    source = areas.source
    settings = instance.policy.solver
    if method is not None:
        settings = replace(settings, method=cast(SolverMethod, method))  # checked on creation
    result = solve(instance.problem, settings, map_parts=map_parts)
    failed = result.status == Status.INFEASIBLE
    broken = instance.problem.violations(result.selected) if not failed else []
    if broken:  # a solver bug must never reach a household
        raise RuntimeError("the solver returned a plan that breaks rules: " + "; ".join(broken))
    plan = plan_table(instance, result, lang)
    figures = kpis(instance, result, plan)
    figures["areas_source"] = source
    figures["amenities"] = "given" if inputs.amenities is not None else "not given"
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
    return Outcome(instance, result, plan, figures, source, record, areas, effects)
