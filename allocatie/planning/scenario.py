"""Scenario files: a half year to simulate, and the variants a planner compares.

A scenario is one TOML file (format in ``scenarios/README.md``): a **base** —
municipality, period with taakstelling and achterstand, how households arrive
(``[arrivals]``: a mix to draw from, or a households file), what the
corporations offer (``[offers]``: a mix or a dwellings file), refusals and
offer duration (``[simulation]``), and policy overrides (``[policy]``, the
sections of ``policy.toml``) — followed by named **variants** (``[[variant]]``)
that each change a few of those: extra dwellings by size and area, the
taakstelling, the spreading rule, the refusal rate.

:func:`load_scenario` validates the file the way :mod:`allocatie.inputs.policy` does:
every unknown key, wrong type and out-of-range value is reported at once with
its key (``variant.<name>.<key>`` inside a variant), and, given the area data,
every code that is not a buurt or wijk of the municipality. A scenario that
loads can be run: :func:`run_scenario` simulates every run (base and
variants) for every seed with both methods of :data:`allocatie.planning.planner.METHODS`
on the same streams.

Streams are drawn with :mod:`allocatie.planning.synth` from independent random streams
per purpose (arrivals, households waiting at the start, offers, each block of
extra dwellings), so two variants that differ only in extra dwellings share
every other household and dwelling: their difference is the extra dwellings,
not chance.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.areas.geo import amenity_distances, resolve_dwelling_areas
from allocatie.i18n import _
from allocatie.i18n import number as number_text
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import SOURCE_LINE
from allocatie.inputs.policy import MUNICIPALITY_CODE, Period, Policy
from allocatie.inputs.schema import read_amenities, read_dwellings, read_households
from allocatie.inputs.settings import (
    INLINE,
    Pattern,
    Range,
    Read,
    build,
    check,
    key_path,
    read,
    read_table,
    read_toml,
)
from allocatie.planning.planner import (
    METHODS,
    Forecast,
    HalfYear,
    SimulationSettings,
    Streams,
    meeting_dates,
    simulate,
)
from allocatie.planning.synth import (
    DwellingMix,
    HouseholdMix,
    candidate_buurten,
    dwelling_stream,
    household_stream,
    normalised,
    sample_amenities,
    sample_dwellings,
    sample_households,
)
from allocatie.report.household_types import FIGURES, by_household_type, half_year_outcomes

__all__ = [
    "BASE",
    "COMPARISON_COLUMNS",
    "Arrivals",
    "Comparison",
    "ExtraDwellings",
    "HOUSEHOLD_TYPE_COLUMNS",
    "Offers",
    "Run",
    "Scenario",
    "build_streams",
    "household_type_summary",
    "load_scenario",
    "run_scenario",
    "scenario_from_dict",
    "summarise",
    "why_fewer_persons",
    "WHY_FEWER_COLUMN",
]

#: Name of the run without any variant's changes.
BASE = "base"
#: Days before the period start over which households already waiting were linked.
WAITING_SPREAD_DAYS = 90
#: Metrics of ``comparison.csv``, in order (after ``scenario, method, seed``).
COMPARISON_COLUMNS = (
    "quota_attainment",
    "share_outside_concentrated",
    "mean_wait_days",
    "share_waiting_over_10_weeks",
    "interest_match_rate",
    "mean_vacancy_days",
    "persons_housed",
    "households_housed",
    "target_persons",
    "carry_over_persons",
    "households",
    "households_waiting_at_end",
    "dwellings_offered",
    "dwellings_to_market",
    "refusals",
    "mean_extra_bedrooms",
    "dwelling_holds",
    "months_lookahead_lifted",
    "households_outside_concentrated",
    "households_in_concentrated",
    "persons_in_concentrated",
)
#: Column of the summary that says why the optimiser housed fewer persons than FCFS.
WHY_FEWER_COLUMN = "why_fewer_persons"


@dataclass(frozen=True)
class Arrivals:
    """How households are linked to the municipality during the period.

    ``households`` koppelingen are expected in the period (the count is
    Poisson, dates uniform); ``waiting_at_start`` households were linked in
    the 90 days before the period and still wait. With ``file`` the
    households are read from that file instead (``linked_on`` = koppeling
    date) and the other settings are unused. In a scenario file the mix's
    keys sit in ``[arrivals]`` itself.
    """

    households: Annotated[float, Range(0.0, 100_000)] = 0.0
    waiting_at_start: Annotated[int, Range(0, 100_000)] = 0
    file: str | None = None
    mix: Annotated[HouseholdMix, INLINE] = field(default_factory=HouseholdMix)

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Offers:
    """What the corporations offer during the period.

    ``dwellings`` offers are expected (Poisson count, ``available_from``
    uniform); with ``file`` the dwellings are read from that file instead
    (``available_from`` = offer date). In a scenario file the mix's keys sit
    in ``[offers]`` itself.
    """

    dwellings: Annotated[float, Range(0.0, 100_000)] = 0.0
    file: str | None = None
    mix: Annotated[DwellingMix, INLINE] = field(default_factory=DwellingMix)

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class ExtraDwellings:
    """Dwellings a variant adds: ``count`` of one size in one wijk or buurt.

    In a wijk, they are spread over its buurten like other offers; their
    ``available_from`` is spread over the period. ``rent`` and ``accessible``
    fix those attributes; floor, lift and floor area are drawn as usual.
    Whether ``area`` exists and lies in the municipality is checked against
    the area data when the scenario is loaded.
    """

    count: Annotated[int, Range(1, 10_000)]
    bedrooms: Annotated[int, Range(0, 10)]
    area: Annotated[
        str,
        Pattern(r"BU\d{8}|WK\d{6}", "a wijk code (WK016402) or buurt code (BU01640201)"),
    ]
    rent: Annotated[float | None, Range(0.0, 5000.0, above=True)] = None
    accessible: bool | None = None
    corporation: str | None = None

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Run:
    """One fully resolved run: the base, or the base with one variant's changes."""

    name: str
    description: str
    policy: Policy
    simulation: SimulationSettings
    arrivals: Arrivals
    offers: Offers
    extra_dwellings: tuple[ExtraDwellings, ...] = ()

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario file.

    Attributes
    ----------
    name, title, municipality
        From ``[scenario]``.
    seeds
        Default number of seeds per run (the CLI's ``--seeds`` overrides it).
    amenities
        ``"illustrative"`` (generated points, labelled as such), ``"none"``,
        or the path of an amenities file.
    runs
        The base first, then every variant, resolved.
    file
        The scenario file as the user named it.
    households, dwellings
        The tables read from ``[arrivals] file`` / ``[offers] file`` (dwellings
        resolved to areas), or ``None`` when drawn.
    amenity_points
        The amenity table used for the interest score, or ``None``.
    """

    name: str
    title: str
    municipality: Annotated[str, MUNICIPALITY_CODE]
    seeds: Annotated[int, Range(1, 1000)]
    amenities: str
    runs: tuple[Run, ...]
    file: str
    households: pd.DataFrame | None = None
    dwellings: pd.DataFrame | None = None
    amenity_points: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        check(self)


# --------------------------------------------------------------------------
# validation

#: The keys of ``[scenario]`` (fields of :class:`Scenario`), and those that must be given.
_HEAD_KEYS = ("name", "title", "municipality", "seeds", "amenities")
_HEAD_REQUIRED = ("name", "municipality")
#: The sections of the base that a variant may change, and the settings they are read into.
_SECTIONS: dict[str, type[Any]] = {
    "period": Period,
    "simulation": SimulationSettings,
    "arrivals": Arrivals,
    "offers": Offers,
}
#: ``[period]`` holds the half year and its taakstelling; the rest of the policy's
#: period (``housed_so_far``) belongs to the monthly engine.
_PERIOD_KEYS = ("start", "end", "quota_persons", "backlog_persons")
_PERIOD_REQUIRED = ("start", "end", "quota_persons")
_TOP_KEYS = ("scenario", *_SECTIONS, "policy", "variant")
#: Keys of a ``[[variant]]``: its own settings (:class:`_VariantSettings`), and the parts
#: each read by a step of their own.
_VARIANT_OWN = ("description", "quota_factor")
_VARIANT_PARTS = ("name", *_SECTIONS, "policy", "extra_dwellings")


@dataclass(frozen=True)
class _VariantSettings:
    """A variant's own settings besides its name and the sections it changes."""

    description: str = ""
    quota_factor: Annotated[
        float,
        Range(0.0, 10.0, above=True, message="expected a number above 0 such as 1.3 (+30 %)"),
    ] = 1.0

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class _Base:
    """What every variant starts from.

    Attributes
    ----------
    municipality
        The ``[scenario]`` code, or ``""`` when it is missing or wrong (its
        problem is reported once, for ``[scenario]``).
    sections
        The valid values of each of :data:`_SECTIONS`, by key.
    policy
        The base's ``[policy]`` table as written (``{}`` when it is not a table).
    """

    municipality: str
    sections: Mapping[str, Mapping[str, Any]]
    policy: Mapping[str, Any]


def _merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied; nested tables merged key by key."""
    out = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _paths(data: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Every dotted key path in a nested table (tables themselves included)."""
    out: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        out.add(path)
        if isinstance(value, dict):
            out |= _paths(value, path + ".")
    return out


def _read_section(
    section: str, data: Any, where: str, file: str, required: tuple[str, ...] = ()
) -> Read[dict[str, Any]]:
    """The valid values of one of :data:`_SECTIONS` as written at ``where``."""
    keys = _PERIOD_KEYS if section == "period" else None
    return read_table(_SECTIONS[section], data, where, file, keys=keys, required=required)


def _policy(
    municipality: str, period: Mapping[str, Any], overrides: Any, file: str
) -> Read[Policy | None]:
    """The run's policy from ``[period]`` and the ``[policy]`` overrides."""
    if not isinstance(overrides, dict):
        return Read(None, (Problem(file, None, "policy", "expected a [policy] table"),))
    misplaced = tuple(
        Problem(
            file,
            None,
            f"policy.{key}",
            f"set this in [{'scenario' if key == 'municipality' else key}], not in [policy]",
        )
        for key in ("municipality", "period")
        if key in overrides
    )
    data = {k: v for k, v in overrides.items() if k not in ("municipality", "period")}
    policy = read(Policy, {"municipality": municipality, "period": dict(period), **data}, "", file)
    return Read(policy.value, misplaced + tuple(_in_scenario(p) for p in policy.problems))


def _in_scenario(problem: Problem) -> Problem:
    """A policy problem under the key it has in the scenario file."""
    key = problem.column or ""
    if key == "municipality":
        column = "scenario.municipality"
    elif key.startswith("period."):
        column = key
    else:
        column = f"policy.{key}"
    return dataclasses.replace(problem, column=column)


def _cross_checks(run_values: Mapping[str, Mapping[str, Any]], file: str) -> list[Problem]:
    """Checks that need a whole section: a stream must have a source."""
    problems: list[Problem] = []
    arrivals, offers = run_values["arrivals"], run_values["offers"]
    if "file" not in arrivals and "households" not in arrivals:
        problems.append(
            Problem(
                file,
                None,
                "arrivals.households",
                "give the expected number of koppelingen in the period (households = 24) "
                'or a households file (file = "koppelingen.csv")',
            )
        )
    if "file" not in offers and "dwellings" not in offers:
        problems.append(
            Problem(
                file,
                None,
                "offers.dwellings",
                "give the expected number of offers in the period (dwellings = 30) "
                'or a dwellings file (file = "aanbod.csv")',
            )
        )
    return problems


def _run(
    name: str,
    description: str,
    policy: Policy,
    sections: Mapping[str, Mapping[str, Any]],
    extras: tuple[ExtraDwellings, ...],
    where: str,
    file: str,
) -> Read[Run | None]:
    """A :class:`Run` from resolved section values (``where``: its key prefix)."""
    simulation = build(
        SimulationSettings, sections["simulation"], key_path(where, "simulation"), file
    )
    arrivals = build(Arrivals, sections["arrivals"], key_path(where, "arrivals"), file)
    offers = build(Offers, sections["offers"], key_path(where, "offers"), file)
    problems = simulation.problems + arrivals.problems + offers.problems
    if simulation.value is None or arrivals.value is None or offers.value is None:
        return Read(None, problems)
    run = Run(name, description, policy, simulation.value, arrivals.value, offers.value, extras)
    return Read(run, problems)


def scenario_from_dict(
    data: Mapping[str, Any],
    file: str = "scenario",
    *,
    folder: Path | None = None,
    areas: Areas | None = None,
) -> Scenario:
    """Validate parsed TOML into a :class:`Scenario`.

    Parameters
    ----------
    data
        The parsed TOML.
    file
        Name for the problems.
    folder
        Where relative file names (``[arrivals] file``, ``[offers] file``,
        ``amenities``) are looked up; default the current directory.
    areas
        Area data to check codes against and to resolve dwellings files; also
        needed for ``amenities = "illustrative"``. Without it only the file's
        own structure is checked.

    Raises
    ------
    InputError
        With every problem at once.
    """
    unknown = tuple(
        Problem(file, None, key, f"unknown section; known: {', '.join(_TOP_KEYS)}")
        for key in data
        if key not in _TOP_KEYS
    )
    head = read_table(
        Scenario,
        data.get("scenario", {}),
        "scenario",
        file,
        keys=_HEAD_KEYS,
        required=_HEAD_REQUIRED,
    )
    sections = _base_sections(data, file)
    overrides = data.get("policy", {})
    base = _Base(
        municipality=head.value.get("municipality", ""),
        sections=sections.value,
        policy=overrides if isinstance(overrides, dict) else {},
    )
    base_run = _base_run(overrides, base, file)
    variants = _variants(data.get("variant", []), base, file)
    problems = unknown + head.problems + sections.problems + base_run.problems + variants.problems
    if problems or base_run.value is None:
        raise InputError(problems)
    name = head.value["name"]
    scenario = Scenario(
        name=name,
        title=head.value.get("title", name),
        municipality=base.municipality,
        seeds=head.value.get("seeds", 5),
        amenities=head.value.get("amenities", "illustrative"),
        runs=(base_run.value, *variants.value),
        file=file,
    )
    folder = folder or Path(".")
    if areas is None:
        found = _files_exist(scenario, folder)
    else:
        scenario, found = _with_files_and_areas(scenario, folder, areas)
    if found:
        raise InputError(found)
    return scenario


def _base_sections(data: Mapping[str, Any], file: str) -> Read[dict[str, dict[str, Any]]]:
    """The valid values of the base's sections; the half year and its quota are required."""
    values: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for section in _SECTIONS:
        required = _PERIOD_REQUIRED if section == "period" else ()
        table = _read_section(section, data.get(section, {}), section, file, required)
        values[section] = table.value
        problems += table.problems
    problems += _cross_checks(values, file)
    return Read(values, tuple(problems))


def _base_run(overrides: Any, base: _Base, file: str) -> Read[Run | None]:
    """The base run. A wrong municipality was reported for ``[scenario]`` already."""
    policy = _policy(base.municipality or "GM0000", base.sections["period"], overrides, file)
    problems = tuple(
        p for p in policy.problems if base.municipality or p.column != "scenario.municipality"
    )
    if policy.value is None:
        return Read(None, problems)
    run = _run(BASE, "the base scenario", policy.value, base.sections, (), "", file)
    return Read(run.value, problems + run.problems)


def _variants(variants: Any, base: _Base, file: str) -> Read[tuple[Run, ...]]:
    """Every ``[[variant]]``, resolved against the base, in file order."""
    if not isinstance(variants, list):
        return Read((), (Problem(file, None, "variant", "write each variant as [[variant]]"),))
    runs: list[Run] = []
    problems: list[Problem] = []
    seen: set[str] = {BASE}
    for number, variant in enumerate(variants, 1):
        run = _variant(number, variant, base, frozenset(seen), file)
        problems += run.problems
        if run.value is not None:
            runs.append(run.value)
        name = variant.get("name") if isinstance(variant, dict) else None
        if isinstance(name, str) and name.strip():
            seen.add(name)
    return Read(tuple(runs), tuple(problems))


def _variant(
    number: int, variant: Any, base: _Base, seen: frozenset[str], file: str
) -> Read[Run | None]:
    """Validate the ``number``-th ``[[variant]]`` and resolve it against the base."""
    if not isinstance(variant, dict):
        wrong = Problem(file, None, f"variant[{number}]", "expected a [[variant]] table")
        return Read(None, (wrong,))
    where = _variant_where(number, variant)
    name = _variant_name(variant, where, seen, file)
    own = read(_VariantSettings, variant, where, file, keys=_VARIANT_OWN, also=_VARIANT_PARTS)
    settings = own.value or _VariantSettings()
    sections = _variant_sections(variant, base, settings.quota_factor, where, file)
    extras = _extra_dwellings(variant.get("extra_dwellings", []), where, base.municipality, file)
    policy = _variant_policy(
        variant, sections.value["period"], base, settings.quota_factor, where, file
    )
    problems = name.problems + own.problems + sections.problems + extras.problems + policy.problems
    if problems or name.value is None or policy.value is None:
        return Read(None, problems)
    return _run(
        name.value, settings.description, policy.value, sections.value, extras.value, where, file
    )


def _variant_where(number: int, variant: Mapping[str, Any]) -> str:
    """The key prefix of a variant: ``variant.<name>``, or ``variant[<number>]`` without a name."""
    name = variant.get("name")
    return f"variant.{name}" if isinstance(name, str) and name else f"variant[{number}]"


def _variant_name(
    variant: Mapping[str, Any], where: str, seen: frozenset[str], file: str
) -> Read[str | None]:
    """The variant's name: given, not blank, and not used by the base or an earlier variant."""
    name = variant.get("name")
    if not isinstance(name, str) or not name.strip():
        return Read(None, (Problem(file, None, f"{where}.name", "every variant needs a name"),))
    if name in seen:
        message = f"the name {name!r} is already used"
        return Read(None, (Problem(file, None, f"{where}.name", message),))
    return Read(name)


def _variant_sections(
    variant: Mapping[str, Any], base: _Base, factor: float, where: str, file: str
) -> Read[dict[str, dict[str, Any]]]:
    """The base's section values with the variant's own on top, and the quota factor applied."""
    merged: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for section in _SECTIONS:
        own = _read_section(section, variant.get(section, {}), key_path(where, section), file)
        problems += own.problems
        problems += _only_in_base(section, own.value, where, file)
        merged[section] = {**base.sections[section], **own.value}
    return Read(_scaled(merged, factor, variant), tuple(problems))


def _only_in_base(section: str, own: Mapping[str, Any], where: str, file: str) -> list[Problem]:
    """A variant may not move the period, nor replace a stream's file."""
    if section == "period":
        message = "a variant cannot move the period; make a new scenario file"
        return [
            Problem(file, None, f"{where}.period.{key}", message)
            for key in ("start", "end")
            if key in own
        ]
    if section in ("arrivals", "offers") and "file" in own:
        message = "files can only be given in the base; a variant changes the mix or the count"
        return [Problem(file, None, f"{where}.{section}.file", message)]
    return []


def _scaled(
    sections: dict[str, dict[str, Any]], factor: float, variant: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """``quota_factor`` applied to the base's taakstelling and expected koppelingen.

    A value the variant sets itself is kept as written.
    """
    if factor == 1.0:
        return sections
    out = {section: dict(values) for section, values in sections.items()}
    for section, key in (("period", "quota_persons"), ("arrivals", "households")):
        own = variant.get(section, {})
        if key in out[section] and not (isinstance(own, dict) and key in own):
            scaled = out[section][key] * factor
            out[section][key] = int(round(scaled)) if section == "period" else scaled
    return out


def _extra_dwellings(
    blocks: Any, where: str, municipality: str, file: str
) -> Read[tuple[ExtraDwellings, ...]]:
    """The variant's ``[[variant.extra_dwellings]]`` blocks."""
    path = key_path(where, "extra_dwellings")
    if not isinstance(blocks, list):
        message = "write each block as [[variant.extra_dwellings]]"
        return Read((), (Problem(file, None, path, message),))
    extras: list[ExtraDwellings] = []
    problems: list[Problem] = []
    for k, block in enumerate(blocks, 1):
        extra = _extra_block(block, f"{path}[{k}]", municipality, file)
        problems += extra.problems
        if extra.value is not None:
            extras.append(extra.value)
    return Read(tuple(extras), tuple(problems))


def _extra_block(
    block: Any, where: str, municipality: str, file: str
) -> Read[ExtraDwellings | None]:
    """One block of extra dwellings, which must lie in the scenario's municipality."""
    values = read_table(ExtraDwellings, block, where, file)
    area = values.value.get("area")
    if area is not None and municipality and area[2:6] != municipality[2:]:
        outside = Problem(file, None, f"{where}.area", f"{area} does not lie in {municipality}")
        return Read(None, (*values.problems, outside))
    if values.problems:
        return Read(None, values.problems)
    return build(ExtraDwellings, values.value, where, file)


def _variant_policy(
    variant: Mapping[str, Any],
    period: Mapping[str, Any],
    base: _Base,
    factor: float,
    where: str,
    file: str,
) -> Read[Policy | None]:
    """The base's ``[policy]`` with the variant's on top, over the variant's period.

    A problem is reported under the variant only when the variant set (or, by
    its quota factor, changed) the key: the base's own problems are reported
    once, for the base.
    """
    own = variant.get("policy", {})
    wrong: tuple[Problem, ...] = ()
    if not isinstance(own, dict):
        wrong = (Problem(file, None, f"{where}.policy", "expected a [variant.policy] table"),)
        own = {}
    touched = _touched(variant, own, factor)
    policy = _policy(base.municipality or "GM0000", period, _merge(base.policy, own), file)
    mine = tuple(
        dataclasses.replace(p, column=f"{where}.{p.column}")
        for p in policy.problems
        if _under(p.column, touched)
    )
    return Read(None if wrong else policy.value, wrong + mine)


def _touched(variant: Mapping[str, Any], own_policy: Mapping[str, Any], factor: float) -> set[str]:
    """Key paths (in the base's terms, ``policy.spreading.lq_threshold``) a variant changes."""
    touched = {f"policy.{path}" for path in _paths(own_policy)}
    for section in _SECTIONS:
        own = variant.get(section)
        if isinstance(own, dict):
            touched |= {f"{section}.{key}" for key in own}
    if factor != 1.0:
        touched.add("period.quota_persons")
    return touched


def _under(column: str | None, touched: set[str]) -> bool:
    """Whether ``column`` is one of the ``touched`` key paths or lies inside one."""
    return column is not None and (
        column in touched or any(column.startswith(t + ".") for t in touched)
    )


def _files_exist(scenario: Scenario, folder: Path) -> list[Problem]:
    base = scenario.runs[0] if scenario.runs else None
    if base is None:
        return []
    names = [("arrivals.file", base.arrivals.file), ("offers.file", base.offers.file)]
    if scenario.amenities not in ("illustrative", "none"):
        names.append(("scenario.amenities", scenario.amenities))
    return [
        Problem(scenario.file, None, key, f"file not found: {name}")
        for key, name in names
        if name is not None and not (folder / name).is_file()
    ]


def _with_files_and_areas(
    scenario: Scenario, folder: Path, areas: Areas
) -> tuple[Scenario, list[Problem]]:
    """Read the stream files and check every code against the area data."""
    problems = _files_exist(scenario, folder)
    if problems:
        return scenario, problems
    gm, stats = scenario.municipality, areas.stats
    if gm not in stats.index or stats.loc[gm, "level"] != "gemeente":
        message = f"{gm} is not a municipality in {areas.source}"
        return scenario, [Problem(scenario.file, None, "scenario.municipality", message)]
    for run in scenario.runs:
        problems += _area_problems(run, gm, stats, scenario.file)
    base = scenario.runs[0]
    households = _households_file(base.arrivals.file, folder, stats)
    dwellings = _dwellings_file(base.offers.file, folder, areas, gm)
    points = _amenity_points(scenario, folder, areas)
    problems += [*households.problems, *dwellings.problems, *points.problems]
    scenario = dataclasses.replace(
        scenario,
        households=households.value,
        dwellings=dwellings.value,
        amenity_points=points.value,
    )
    return scenario, problems


def _area_problems(run: Run, gm: str, stats: pd.DataFrame, file: str) -> list[Problem]:
    """The run's indicator, extra dwellings' areas and offers, against the area data."""
    where = "" if run.name == BASE else f"variant.{run.name}."
    indicator = run.policy.spreading.indicator
    if indicator not in stats.columns:
        message = f"the area data has no indicator '{indicator}'"
        return [Problem(file, None, f"{where}policy.spreading.indicator", message)]
    problems: list[Problem] = []
    for k, extra in enumerate(run.extra_dwellings, 1):
        key = f"{where}extra_dwellings[{k}].area"
        if extra.area not in stats.index:
            problems.append(Problem(file, None, key, f"unknown area code {extra.area}"))
        elif _buurten(run, gm, stats, extra.area).empty:
            message = f"{extra.area} has no buurt with residents to place dwellings in"
            problems.append(Problem(file, None, key, message))
    if run.offers.file is None and run.offers.dwellings > 0 and _buurten(run, gm, stats).empty:
        message = f"no buurt of {gm} has {run.offers.mix.min_residents} residents or more"
        problems.append(Problem(file, None, f"{where}offers.min_residents", message))
    return problems


def _households_file(
    name: str | None, folder: Path, stats: pd.DataFrame
) -> Read[pd.DataFrame | None]:
    """The ``[arrivals] file``, its preferred and excluded areas checked (``None``: drawn)."""
    if name is None:
        return Read(None)
    try:
        households = read_households(folder / name, display_name=name)
    except InputError as error:
        return Read(None, tuple(error.problems))
    return Read(households, tuple(_unknown_codes(households, stats, name)))


def _dwellings_file(
    name: str | None, folder: Path, areas: Areas, gm: str
) -> Read[pd.DataFrame | None]:
    """The ``[offers] file``, resolved to areas, every dwelling in the municipality."""
    if name is None:
        return Read(None)
    try:
        dwellings = read_dwellings(folder / name, display_name=name)
    except InputError as error:
        return Read(None, tuple(error.problems))
    dwellings, found = resolve_dwelling_areas(dwellings, areas, name)
    if found:
        return Read(dwellings, tuple(found))
    outside = dwellings["gemeente_code"].astype(str) != gm
    lines, codes = dwellings["source_line"][outside], dwellings["gemeente_code"][outside]
    return Read(
        dwellings,
        tuple(
            Problem(name, int(line), None, f"dwelling lies in {code}, not in {gm}")
            for line, code in zip(lines, codes)
        ),
    )


def _amenity_points(scenario: Scenario, folder: Path, areas: Areas) -> Read[pd.DataFrame | None]:
    """The amenities of the interest score: illustrative points, none, or a file."""
    if scenario.amenities == "illustrative":
        gm = scenario.municipality
        return Read(sample_amenities(areas, gm, np.random.default_rng(int(gm[2:]))))
    if scenario.amenities == "none":
        return Read(None)
    try:
        return Read(read_amenities(folder / scenario.amenities, display_name=scenario.amenities))
    except InputError as error:
        return Read(None, tuple(error.problems))


def _unknown_codes(households: pd.DataFrame, stats: pd.DataFrame, file: str) -> list[Problem]:
    out: list[Problem] = []
    for column in ("preferred_areas", "excluded_areas"):
        codes = households[column].explode().dropna()
        unknown = codes[~codes.astype(str).isin(stats.index)]
        lines = households["source_line"].reindex(unknown.index)
        out += [
            Problem(file, int(line), column, f"unknown area code '{code}'")
            for code, line in zip(unknown, lines)
        ]
    return out


def load_scenario(path: str | Path, areas: Areas | None = None) -> Scenario:
    """Read and validate a scenario TOML file (see :func:`scenario_from_dict`).

    Raises
    ------
    InputError
        When the file is missing, is not valid TOML (with line and column), or
        holds invalid settings — all problems at once.
    """
    name = str(path)
    data = read_toml(path, name)
    return scenario_from_dict(data, name, folder=Path(path).parent, areas=areas)


# --------------------------------------------------------------------------
# streams


def _buurten(
    run: Run, gemeente: str, stats: pd.DataFrame, within: str | None = None
) -> pd.DataFrame:
    mix = run.offers.mix
    return candidate_buurten(
        stats,
        gemeente,
        indicator=run.policy.spreading.indicator,
        lq_threshold=run.policy.spreading.lq_threshold,
        min_residents=mix.min_residents if within is None or within.startswith("WK") else 0,
        concentrated_tilt=mix.concentrated_tilt,
        within=within,
    )


@dataclass(frozen=True)
class _Side:
    """One side of a run's streams: the table, and what is expected per meeting.

    ``expected`` is keyed by size class: fewest bedrooms needed (households)
    or bedrooms (dwellings).
    """

    table: pd.DataFrame
    expected: dict[int, float]


def build_streams(scenario: Scenario, run: Run, seed: int, areas: Areas) -> Streams:
    """The koppelingen, offers and forecast of one run and seed.

    Each purpose draws from its own generator seeded with ``[seed, purpose]``
    (1 arrivals, 2 households waiting at the start, 3 offers, 10 + k the k-th
    block of extra dwellings), so variants share whatever they do not change.
    """
    n_meetings = max(len(meeting_dates(run.policy.period, run.simulation.meeting_day)), 1)
    households = _household_side(scenario, run, seed, areas.stats, n_meetings)
    dwellings = _dwelling_side(scenario, run, seed, areas, n_meetings)
    distances = None
    if scenario.amenity_points is not None and len(scenario.amenity_points):
        distances = amenity_distances(
            dwellings.table["x"].to_numpy(dtype=float),
            dwellings.table["y"].to_numpy(dtype=float),
            scenario.amenity_points,
        )
    forecast = Forecast(households.expected, dwellings.expected)
    return Streams(households.table, dwellings.table, distances, forecast)


def _household_side(
    scenario: Scenario, run: Run, seed: int, stats: pd.DataFrame, n_meetings: int
) -> _Side:
    """The households file, or those waiting at the start and the period's koppelingen."""
    period = run.policy.period
    if scenario.households is not None:
        households = scenario.households
        arriving = households[households["linked_on"] >= pd.Timestamp(period.start)]
        return _Side(households, dict(Forecast.from_streams(arriving, None, n_meetings).demand))
    gm = scenario.municipality
    wijken = sorted(stats.index[(stats["level"] == "wijk") & (stats["gemeente_code"] == gm)])
    arrivals = run.arrivals
    waiting = sample_households(
        arrivals.mix,
        arrivals.waiting_at_start,
        np.random.default_rng([seed, 2]),
        linked_from=period.start - dt.timedelta(days=WAITING_SPREAD_DAYS),
        linked_until=period.start - dt.timedelta(days=1),
        area_codes=wijken,
        id_prefix="HW",
    )
    stream = household_stream(
        arrivals.mix,
        arrivals.households,
        np.random.default_rng([seed, 1]),
        linked_from=period.start,
        linked_until=period.end,
        area_codes=wijken,
    )
    households = pd.concat([waiting, stream], ignore_index=True)
    households[SOURCE_LINE] = np.arange(2, len(households) + 2, dtype=np.int64)
    rate = arrivals.households / n_meetings
    return _Side(households, {k: v * rate for k, v in arrivals.mix.need_shares().items()})


def _dwelling_side(scenario: Scenario, run: Run, seed: int, areas: Areas, n_meetings: int) -> _Side:
    """The dwellings file or the drawn offers, then every block of extra dwellings."""
    period = run.policy.period
    parts, supply = _drawn_dwellings(scenario, run, seed, areas.stats, n_meetings)
    dwellings = None
    if parts:
        drawn = pd.concat(parts, ignore_index=True)
        dwellings, problems = resolve_dwelling_areas(drawn, areas, "synthetic dwellings")
        if problems:  # codes come from the area data itself
            raise RuntimeError(f"synthetic dwellings do not resolve: {problems[:3]}")
    if scenario.dwellings is not None:
        from_file = scenario.dwellings
        in_period = from_file[from_file["available_from"] <= pd.Timestamp(period.end)]
        for k, v in Forecast.from_streams(None, in_period, n_meetings).supply.items():
            supply[k] = supply.get(k, 0.0) + v
        dwellings = (
            from_file if dwellings is None else pd.concat([from_file, dwellings], ignore_index=True)
        )
    assert dwellings is not None  # a dwellings file, or drawn offers (validated)
    return _Side(dwellings, supply)


def _drawn_dwellings(
    scenario: Scenario, run: Run, seed: int, stats: pd.DataFrame, n_meetings: int
) -> tuple[list[pd.DataFrame], dict[int, float]]:
    """The drawn offers (without a dwellings file) and each block of extra dwellings.

    Returns the tables, not yet resolved to areas, and the expected offers per
    meeting by bedrooms.
    """
    period, gm = run.policy.period, scenario.municipality
    parts: list[pd.DataFrame] = []
    supply: dict[int, float] = {}
    if scenario.dwellings is None:
        offers = run.offers
        parts.append(
            dwelling_stream(
                offers.mix,
                offers.dwellings,
                np.random.default_rng([seed, 3]),
                buurten=_buurten(run, gm, stats),
                available_from=period.start,
                available_until=period.end,
            )
        )
        rate = offers.dwellings / n_meetings
        supply = {k: v * rate for k, v in normalised(offers.mix.bedrooms).items()}
    for k, extra in enumerate(run.extra_dwellings, 1):
        block = sample_dwellings(
            run.offers.mix,
            extra.count,
            np.random.default_rng([seed, 10 + k]),
            buurten=_buurten(run, gm, stats, extra.area),
            available_from=period.start,
            available_until=period.end,
            id_prefix=f"X{k}",
            bedrooms=extra.bedrooms,
            rent=extra.rent,
            accessible=extra.accessible,
        )
        if extra.corporation:
            block["corporation"] = extra.corporation
        parts.append(block)
        supply[extra.bedrooms] = supply.get(extra.bedrooms, 0.0) + extra.count / n_meetings
    return parts, supply


# --------------------------------------------------------------------------
# running


@dataclass(frozen=True)
class Comparison:
    """Everything one ``scenario run`` produces, as tables.

    Attributes
    ----------
    comparison
        One row per run × method × seed: ``scenario``, ``method``, ``seed`` and
        :data:`COMPARISON_COLUMNS`.
    summary
        Means over seeds per run and method (see :func:`summarise`).
    monthly
        One row per run × method × seed × meeting (pace and progress).
    placements
        One row per household housed, with its area, per run × method × seed.
    household_types
        One row per run × method × household type: the half year's outcomes per
        type, all seeds pooled (see :func:`household_type_summary`).
    """

    comparison: pd.DataFrame
    summary: pd.DataFrame
    monthly: pd.DataFrame
    placements: pd.DataFrame
    household_types: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_scenario(
    scenario: Scenario,
    areas: Areas,
    *,
    seeds: int | None = None,
    methods: Iterable[str] = METHODS,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Simulate every run of ``scenario`` for seeds ``1..seeds`` with every method.

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`load_scenario` with ``areas``).
    areas
        The area data the scenario was checked against.
    seeds
        Number of seeds; default the scenario's ``seeds``.
    methods
        Which of :data:`allocatie.planning.planner.METHODS` to run.
    progress
        Called after each simulation with a label, e.g. to advance a bar.
    """
    methods = tuple(methods)
    rows: list[dict[str, Any]] = []
    monthly: list[pd.DataFrame] = []
    placed: list[pd.DataFrame] = []
    per_type: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for run in scenario.runs:
        for seed in range(1, (seeds or scenario.seeds) + 1):
            streams = build_streams(scenario, run, seed, areas)
            for method in methods:
                outcome = simulate(
                    streams, run.policy, areas.stats, run.simulation, method=method, seed=seed
                )
                key = {"scenario": run.name, "method": method, "seed": seed}
                rows.append({**key, **{c: outcome.kpis[c] for c in COMPARISON_COLUMNS}})
                monthly.append(outcome.months.assign(**key))
                placed.append(_placements(outcome).assign(**key))
                per_type.setdefault((run.name, method), []).append(
                    half_year_outcomes(streams.households, outcome.households)
                )
                if progress is not None:
                    progress(f"{run.name} · {method} · seed {seed}")
    comparison = pd.DataFrame(rows, columns=["scenario", "method", "seed", *COMPARISON_COLUMNS])
    lead = ["scenario", "method", "seed"]
    monthly_table = pd.concat(monthly, ignore_index=True) if monthly else pd.DataFrame()
    if len(monthly_table):
        monthly_table = monthly_table[lead + [c for c in monthly_table if c not in lead]]
    placements = pd.concat(placed, ignore_index=True) if placed else pd.DataFrame()
    if len(placements):
        placements = placements[lead + [c for c in placements if c not in lead]]
    types = household_type_summary(per_type)
    return Comparison(comparison, summarise(comparison), monthly_table, placements, types)


#: Figures of ``household_types.csv`` (after ``scenario, method, household_type, seeds``):
#: the counts are means per seed, the shares and the mean wait pool all seeds.
#: (the figures of :data:`allocatie.report.household_types.FIGURES` before the wish
#: figures, which a simulated half year does not keep).
HOUSEHOLD_TYPE_COLUMNS = FIGURES[: FIGURES.index("housed_with_wishes")]


def household_type_summary(
    outcomes: Mapping[tuple[str, str], list[pd.DataFrame]],
) -> pd.DataFrame:
    """Per run and method, the half year's outcomes per household type over all seeds.

    ``outcomes`` maps (run, method) to one frame per seed
    (:func:`allocatie.report.household_types.half_year_outcomes`). The seeds'
    households are pooled before counting, as :func:`summarise` pools the
    share outside concentrated areas: a share housed is households housed
    over all seeds ÷ households over all seeds, the mean wait is over every
    household of every seed; the counts are then divided by the seeds, to
    read as "per half year". Types as in :mod:`allocatie.report.household_types`
    (the accessible and reunification rows overlap the size groups).
    """
    lead = ["scenario", "method", "household_type", "seeds"]
    frames = []
    for (name, method), seeds in outcomes.items():
        table = by_household_type(pd.concat(seeds, ignore_index=True))
        counts = ["households", "persons", "households_housed", "persons_housed"]
        table[counts] = (table[counts] / len(seeds)).round(2)
        table.insert(0, "seeds", len(seeds))
        table.insert(0, "method", method)
        table.insert(0, "scenario", name)
        frames.append(table[[*lead, *HOUSEHOLD_TYPE_COLUMNS]])
    if not frames:
        return pd.DataFrame(columns=[*lead, *HOUSEHOLD_TYPE_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def _placements(outcome: HalfYear) -> pd.DataFrame:
    households = outcome.households
    housed = households[~households["waiting"]]
    columns = [
        "household_id",
        "persons",
        "linked_on",
        "housed_on",
        "wait_days",
        "area_code",
        "area_name",
        "wijk_code",
        "buurt_code",
        "lq",
        "concentrated",
        "interest",
        "extra_bedrooms",
    ]
    return housed[columns].reset_index(drop=True)


def summarise(comparison: pd.DataFrame) -> pd.DataFrame:
    """Means over seeds per scenario run and method, runs in file order, and why.

    ``seeds`` counts the seeds; every metric of :data:`COMPARISON_COLUMNS`
    is averaged (NaN values, e.g. no household housed, are left out), except
    ``share_outside_concentrated``: that is **pooled** — households housed
    outside concentrated areas over all seeds ÷ households housed over all
    seeds — the one definition the table, ``summary.csv`` and the
    placements chart (which counts placements) share. A mean of per-seed
    shares would weigh a seed that housed 10 households like one that housed
    40, and disagree with the chart by a point or two.

    :data:`WHY_FEWER_COLUMN` is empty, except on the optimised row of a run
    in which the optimiser housed fewer persons per half year than FCFS: then
    it says why, with numbers (:func:`why_fewer_persons`).
    """
    if comparison.empty:
        return pd.DataFrame(
            columns=["scenario", "method", "seeds", *COMPARISON_COLUMNS, WHY_FEWER_COLUMN]
        )
    order = {name: i for i, name in enumerate(dict.fromkeys(comparison["scenario"]))}
    method_order = {m: i for i, m in enumerate(METHODS)}
    grouped = comparison.groupby(["scenario", "method"], sort=False)
    summary = grouped[list(COMPARISON_COLUMNS)].mean().round(4).reset_index()
    summary.insert(2, "seeds", grouped["seed"].nunique().to_numpy())
    pooled = grouped[["households_outside_concentrated", "households_housed"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = pooled["households_outside_concentrated"] / pooled["households_housed"]
    summary["share_outside_concentrated"] = (
        share.where(pooled["households_housed"] > 0).round(4).to_numpy()
    )
    summary = summary.sort_values(
        ["scenario", "method"],
        key=lambda s: s.map(order) if s.name == "scenario" else s.map(method_order),
        ignore_index=True,
    )
    summary[WHY_FEWER_COLUMN] = why_fewer_persons(summary)
    return summary


def why_fewer_persons(summary: pd.DataFrame) -> pd.Series:
    """Per summary row: why the optimiser housed fewer persons than FCFS, or ``""``.

    FCFS gives every dwelling to the longest-waiting household that fits,
    wherever the dwelling is; the optimiser does not place a household in a
    concentrated area while it can meet the taakstelling otherwise (tier 2),
    and its look-ahead holds dwellings for larger households expected later.
    Both can cost persons within one half year. The sentence puts numbers on
    each, as means per half year over the seeds: the persons FCFS placed in
    concentrated areas against the optimiser's, the dwellings the optimiser
    held, and how many more dwellings went to the market under it.
    """
    out = pd.Series("", index=summary.index, dtype=object)
    for _run, group in summary.groupby("scenario", sort=False):
        rows = group.set_index("method")
        if not {"optimised", "fcfs"} <= set(rows.index):
            continue
        opt, fcfs = rows.loc["optimised"], rows.loc["fcfs"]
        gap = float(fcfs["persons_housed"]) - float(opt["persons_housed"])
        if not gap > 0.05:
            continue
        parts = [
            _(
                "The optimiser houses {gap} persons fewer per half year than FCFS "
                "({opt} against {fcfs})."
            ).format(
                gap=number_text(gap, 1),
                opt=number_text(float(opt["persons_housed"]), 1),
                fcfs=number_text(float(fcfs["persons_housed"]), 1),
            )
        ]
        refused = float(fcfs["persons_in_concentrated"]) - float(opt["persons_in_concentrated"])
        if refused > 0.05:
            parts.append(
                _(
                    "FCFS places {fcfs_h} households ({fcfs_p} persons) in concentrated areas, "
                    "the optimiser {opt_h} ({opt_p} persons): the spreading rule refuses "
                    "{refused} persons' worth of those placements."
                ).format(
                    fcfs_h=number_text(float(fcfs["households_in_concentrated"]), 1),
                    fcfs_p=number_text(float(fcfs["persons_in_concentrated"]), 1),
                    opt_h=number_text(float(opt["households_in_concentrated"]), 1),
                    opt_p=number_text(float(opt["persons_in_concentrated"]), 1),
                    refused=number_text(refused, 1),
                )
            )
        holds = float(opt["dwelling_holds"])
        if holds > 0.05:
            parts.append(
                _(
                    "Its look-ahead holds a dwelling back {holds} times per half year for "
                    "households expected later."
                ).format(holds=number_text(holds, 1))
            )
        market = float(opt["dwellings_to_market"]) - float(fcfs["dwellings_to_market"])
        if market > 0.05:
            parts.append(
                _("{market} more dwellings per half year go back to the corporation unlet.").format(
                    market=number_text(market, 1)
                )
            )
        out[group.index[group["method"].eq("optimised")]] = " ".join(parts)
    return out
