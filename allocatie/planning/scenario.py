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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.areas.geo import amenity_distances, resolve_dwelling_areas
from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import SOURCE_LINE
from allocatie.inputs.policy import Policy, policy_from_dict, read_toml
from allocatie.inputs.schema import read_amenities, read_dwellings, read_households
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

__all__ = [
    "BASE",
    "COMPARISON_COLUMNS",
    "Arrivals",
    "Comparison",
    "ExtraDwellings",
    "Offers",
    "Run",
    "Scenario",
    "build_streams",
    "load_scenario",
    "run_scenario",
    "scenario_from_dict",
    "summarise",
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
)
_CODE = re.compile(r"GM\d{4}")
_AREA = re.compile(r"BU\d{8}|WK\d{6}")


@dataclass(frozen=True)
class Arrivals:
    """How households are linked to the municipality during the period.

    ``households`` koppelingen are expected in the period (the count is
    Poisson, dates uniform); ``waiting_at_start`` households were linked in
    the 90 days before the period and still wait. With ``file`` the
    households are read from that file instead (``linked_on`` = koppeling
    date) and the other settings are unused.
    """

    households: float = 0.0
    waiting_at_start: int = 0
    file: str | None = None
    mix: HouseholdMix = field(default_factory=HouseholdMix)


@dataclass(frozen=True)
class Offers:
    """What the corporations offer during the period.

    ``dwellings`` offers are expected (Poisson count, ``available_from``
    uniform); with ``file`` the dwellings are read from that file instead
    (``available_from`` = offer date).
    """

    dwellings: float = 0.0
    file: str | None = None
    mix: DwellingMix = field(default_factory=DwellingMix)


@dataclass(frozen=True)
class ExtraDwellings:
    """Dwellings a variant adds: ``count`` of one size in one wijk or buurt.

    In a wijk, they are spread over its buurten like other offers; their
    ``available_from`` is spread over the period. ``rent`` and ``accessible``
    fix those attributes; floor, lift and floor area are drawn as usual.
    """

    count: int
    bedrooms: int
    area: str
    rent: float | None = None
    accessible: bool | None = None
    corporation: str | None = None


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
    municipality: str
    seeds: int
    amenities: str
    runs: tuple[Run, ...]
    file: str
    households: pd.DataFrame | None = None
    dwellings: pd.DataFrame | None = None
    amenity_points: pd.DataFrame | None = None


# --------------------------------------------------------------------------
# validation


@dataclass(frozen=True)
class _Key:
    """Type and range of one setting.

    ``kind``: ``int``, ``float``, ``bool``, ``str``, ``date``, ``shares``
    (table of whole-number keys to numbers ≥ 0, not all 0), ``amounts``
    (whole-number keys to numbers > 0) or ``names`` (text keys to numbers ≥ 0,
    not all 0). ``low``/``high`` bound numbers, or the keys of a table.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    open_low: bool = False


_SHARE = _Key("float", 0.0, 1.0)
_SCENARIO_KEYS = {
    "name": _Key("str"),
    "title": _Key("str"),
    "municipality": _Key("str"),
    "seeds": _Key("int", 1, 1000),
    "amenities": _Key("str"),
}
_PERIOD_KEYS = {
    "start": _Key("date"),
    "end": _Key("date"),
    "quota_persons": _Key("int", 0),
    "backlog_persons": _Key("int"),
}
_SIMULATION_KEYS = {
    "meeting_day": _Key("int", 1, 28),
    "offer_days": _Key("int", 0, 366),
    "refusal_rate": _Key("float", 0.0, 0.95),
    "lookahead": _Key("bool"),
    "pace_first": _Key("bool"),
}
_ARRIVAL_KEYS = {
    "households": _Key("float", 0.0, 100_000),
    "waiting_at_start": _Key("int", 0, 100_000),
    "file": _Key("str"),
    "persons": _Key("shares", 1, 20),
    "single_parent_share": _SHARE,
    "reunification_share": _SHARE,
    "reunification_persons": _Key("shares", 1, 10),
    "needs_accessible_share": _SHARE,
    "max_floor_share": _SHARE,
    "above_income_limit_share": _SHARE,
    "interest_counts": _Key("shares", 0, 8),
    "preferred_share": _SHARE,
    "excluded_share": _SHARE,
}
_OFFER_KEYS = {
    "dwellings": _Key("float", 0.0, 100_000),
    "file": _Key("str"),
    "bedrooms": _Key("shares", 0, 10),
    "rent": _Key("amounts", 0, 10),
    "rent_sd": _Key("float", 0.0, 500.0),
    "area_m2": _Key("amounts", 0, 10),
    "upper_floor_share": _SHARE,
    "elevator_share": _SHARE,
    "accessible_share": _SHARE,
    "corporations": _Key("names"),
    "concentrated_tilt": _Key("float", 0.0, 100.0, open_low=True),
    "min_residents": _Key("int", 0),
}
_EXTRA_KEYS = {
    "count": _Key("int", 1, 10_000),
    "bedrooms": _Key("int", 0, 10),
    "area": _Key("str"),
    "rent": _Key("float", 0.0, 5000.0, open_low=True),
    "accessible": _Key("bool"),
    "corporation": _Key("str"),
}
_VARIANT_KEYS = {
    "name",
    "description",
    "quota_factor",
    "period",
    "simulation",
    "arrivals",
    "offers",
    "policy",
    "extra_dwellings",
}
_TOP_KEYS = ("scenario", "period", "simulation", "arrivals", "offers", "policy", "variant")
_SECTIONS = {
    "period": _PERIOD_KEYS,
    "simulation": _SIMULATION_KEYS,
    "arrivals": _ARRIVAL_KEYS,
    "offers": _OFFER_KEYS,
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value(value: Any, spec: _Key) -> tuple[Any, str | None]:
    """Convert one TOML value, or say what is wrong with it."""
    kind = spec.kind
    if kind == "str":
        return (value, None) if isinstance(value, str) else (None, f"expected text, got {value!r}")
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        return None, f"expected true or false, got {value!r}"
    if kind == "date":
        value = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.date):
            return value, None
        return None, f"expected a date like 2019-07-01, got {value!r}"
    if kind in ("int", "float"):
        if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
            return None, f"expected a whole number, got {value!r}"
        if not _number(value):
            return None, f"expected a number, got {value!r}"
        return _in_range(value if kind == "int" else float(value), spec)
    if not isinstance(value, dict):
        return None, "expected a table such as {1 = 55, 2 = 10}"
    out: dict[Any, float] = {}
    for key, share in value.items():
        if kind == "names":
            name = key
        else:
            try:
                name = int(key)
            except ValueError:
                return None, f"key {key!r} is not a whole number"
            if (spec.low is not None and name < spec.low) or (
                spec.high is not None and name > spec.high
            ):
                return None, f"key {key} is outside {spec.low:g}–{spec.high:g}"
        if not _number(share):
            return None, f"value of {key!r} is not a number"
        if share < 0 or (kind == "amounts" and share <= 0):
            return (
                None,
                f"value of {key!r} must be {'above' if kind == 'amounts' else 'at least'} 0",
            )
        out[name] = float(share)
    if not out or (kind != "amounts" and sum(out.values()) <= 0):
        return None, "needs at least one share above 0"
    return dict(sorted(out.items()) if kind != "names" else out.items()), None


def _in_range(value: float, spec: _Key) -> tuple[Any, str | None]:
    low, high = spec.low, spec.high
    if low is not None and (value < low or (spec.open_low and value <= low)):
        return None, f"must be {'above' if spec.open_low else 'at least'} {low:g}, got {value!r}"
    if high is not None and value > high:
        return None, f"must be at most {high:g}, got {value!r}"
    return value, None


def _read_table(
    data: Any, keys: Mapping[str, _Key], where: str, file: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Check one TOML table against ``keys``; return the valid values and the problems."""
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(file, None, where, "expected a table (a [section])")]
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        name = f"{where}.{key}"
        if key not in keys:
            known = ", ".join(sorted(keys))
            problems.append(Problem(file, None, name, f"unknown setting; known: {known}"))
            continue
        converted, error = _value(value, keys[key])
        if error:
            problems.append(Problem(file, None, name, error))
        else:
            out[key] = converted
    return out, problems


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


def _arrivals(values: Mapping[str, Any]) -> Arrivals:
    mix_fields = {f.name for f in dataclasses.fields(HouseholdMix)}
    mix = HouseholdMix(**{k: v for k, v in values.items() if k in mix_fields})
    return Arrivals(
        households=float(values.get("households", 0.0)),
        waiting_at_start=int(values.get("waiting_at_start", 0)),
        file=values.get("file"),
        mix=mix,
    )


def _offers(values: Mapping[str, Any]) -> Offers:
    mix_fields = {f.name for f in dataclasses.fields(DwellingMix)}
    mix = DwellingMix(**{k: v for k, v in values.items() if k in mix_fields})
    return Offers(dwellings=float(values.get("dwellings", 0.0)), file=values.get("file"), mix=mix)


def _policy(
    municipality: str, period: Mapping[str, Any], overrides: Any, file: str
) -> tuple[Policy | None, list[Problem]]:
    """The run's policy from ``[period]`` and the ``[policy]`` overrides."""
    if not isinstance(overrides, dict):
        return None, [Problem(file, None, "policy", "expected a [policy] table")]
    problems = [
        Problem(
            file,
            None,
            f"policy.{key}",
            f"set this in [{'scenario' if key == 'municipality' else key}], not in [policy]",
        )
        for key in ("municipality", "period")
        if key in overrides
    ]
    data = {k: v for k, v in overrides.items() if k not in ("municipality", "period")}
    try:
        policy = policy_from_dict(
            {"municipality": municipality, "period": dict(period), **data}, file
        )
    except InputError as error:
        for p in error.problems:
            key = p.column or ""
            column = key if key.startswith("period.") or key == "municipality" else f"policy.{key}"
            if key == "municipality":
                column = "scenario.municipality"
            problems.append(Problem(file, None, column, p.message))
        return None, problems
    return policy, problems


def _simulation(values: Mapping[str, Any]) -> SimulationSettings:
    return SimulationSettings(**values)


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
    folder = folder or Path(".")
    problems: list[Problem] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                Problem(file, None, key, f"unknown section; known: {', '.join(_TOP_KEYS)}")
            )
    head, found = _read_table(data.get("scenario", {}), _SCENARIO_KEYS, "scenario", file)
    problems += found
    for key in ("name", "municipality"):
        if key not in head and not any(p.column == f"scenario.{key}" for p in found):
            problems.append(Problem(file, None, f"scenario.{key}", "required setting is missing"))
    municipality = head.get("municipality", "")
    if "municipality" in head and not _CODE.fullmatch(municipality):
        problems.append(
            Problem(
                file,
                None,
                "scenario.municipality",
                f"expected a CBS code like GM0153, got {municipality!r}",
            )
        )
        municipality = ""
    amenities = head.get("amenities", "illustrative")

    base: dict[str, dict[str, Any]] = {}
    for section, keys in _SECTIONS.items():
        base[section], found = _read_table(data.get(section, {}), keys, section, file)
        problems += found
    for key in ("start", "end", "quota_persons"):
        if key not in base["period"] and not any(p.column == f"period.{key}" for p in problems):
            problems.append(Problem(file, None, f"period.{key}", "required setting is missing"))
    problems += _cross_checks(base, file)
    base_policy = data.get("policy", {})
    policy, found = _policy(municipality or "GM0000", base["period"], base_policy, file)
    if municipality:
        problems += found
    else:
        problems += [p for p in found if p.column != "scenario.municipality"]
    runs: list[Run] = []
    if policy is not None:
        runs.append(
            Run(
                BASE,
                "the base scenario",
                policy,
                _simulation(base["simulation"]),
                _arrivals(base["arrivals"]),
                _offers(base["offers"]),
            )
        )

    variants = data.get("variant", [])
    if not isinstance(variants, list):
        problems.append(Problem(file, None, "variant", "write each variant as [[variant]]"))
        variants = []
    seen: set[str] = {BASE}
    for number, variant in enumerate(variants, 1):
        run, found = _variant(number, variant, base, base_policy, municipality, seen, file)
        problems += found
        if run is not None and policy is not None:
            runs.append(run)

    scenario = Scenario(
        name=head.get("name", ""),
        title=head.get("title", head.get("name", "")),
        municipality=municipality,
        seeds=head.get("seeds", 5),
        amenities=amenities,
        runs=tuple(runs),
        file=file,
    )
    if areas is not None and not problems:
        scenario, found = _with_files_and_areas(scenario, folder, areas)
        problems += found
    elif areas is None and not problems:
        problems += _files_exist(scenario, folder)
    if problems:
        raise InputError(problems)
    return scenario


def _variant(
    number: int,
    variant: Any,
    base: Mapping[str, Mapping[str, Any]],
    base_policy: Any,
    municipality: str,
    seen: set[str],
    file: str,
) -> tuple[Run | None, list[Problem]]:
    """Validate one ``[[variant]]`` and resolve it against the base."""
    if not isinstance(variant, dict):
        return None, [Problem(file, None, f"variant[{number}]", "expected a [[variant]] table")]
    name = variant.get("name")
    where = f"variant.{name}" if isinstance(name, str) and name else f"variant[{number}]"
    problems: list[Problem] = []
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(file, None, f"{where}.name", "every variant needs a name"))
    elif name in seen:
        problems.append(Problem(file, None, f"{where}.name", f"the name {name!r} is already used"))
    else:
        seen.add(name)
    for key in variant:
        if key not in _VARIANT_KEYS:
            known = ", ".join(sorted(_VARIANT_KEYS))
            problems.append(
                Problem(file, None, f"{where}.{key}", f"unknown setting; known: {known}")
            )
    description = variant.get("description", "")
    if not isinstance(description, str):
        problems.append(Problem(file, None, f"{where}.description", "expected text"))
        description = ""
    factor = variant.get("quota_factor", 1.0)
    if not _number(factor) or factor <= 0 or factor > 10:
        problems.append(
            Problem(
                file,
                None,
                f"{where}.quota_factor",
                f"expected a number above 0 such as 1.3 (+30 %), got {factor!r}",
            )
        )
        factor = 1.0

    merged: dict[str, dict[str, Any]] = {}
    for section, keys in _SECTIONS.items():
        own, found = _read_table(variant.get(section, {}), keys, f"{where}.{section}", file)
        problems += found
        if section == "period":
            for key in ("start", "end"):
                if key in own:
                    problems.append(
                        Problem(
                            file,
                            None,
                            f"{where}.period.{key}",
                            "a variant cannot move the period; make a new scenario file",
                        )
                    )
        if section in ("arrivals", "offers") and "file" in own:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}.{section}.file",
                    "files can only be given in the base; a variant changes the mix or the count",
                )
            )
        merged[section] = {**base[section], **own}
    if factor != 1.0:
        period = merged["period"]
        if "quota_persons" in period and "quota_persons" not in variant.get("period", {}):
            period["quota_persons"] = int(round(period["quota_persons"] * factor))
        arrivals = merged["arrivals"]
        own_arrivals = variant.get("arrivals", {})
        if "households" in arrivals and "households" not in own_arrivals:
            arrivals["households"] = arrivals["households"] * factor

    extras: list[ExtraDwellings] = []
    blocks = variant.get("extra_dwellings", [])
    if not isinstance(blocks, list):
        problems.append(
            Problem(
                file,
                None,
                f"{where}.extra_dwellings",
                "write each block as [[variant.extra_dwellings]]",
            )
        )
        blocks = []
    for k, block in enumerate(blocks, 1):
        values, found = _read_table(block, _EXTRA_KEYS, f"{where}.extra_dwellings[{k}]", file)
        problems += found
        missing = [
            key
            for key in ("count", "bedrooms", "area")
            if key not in values and key not in {(p.column or "").rsplit(".", 1)[-1] for p in found}
        ]
        problems += [
            Problem(
                file, None, f"{where}.extra_dwellings[{k}].{key}", "required setting is missing"
            )
            for key in missing
        ]
        area = values.get("area")
        if area is not None and not _AREA.fullmatch(area):
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}.extra_dwellings[{k}].area",
                    f"expected a wijk code (WK016402) or buurt code (BU01640201), got {area!r}",
                )
            )
        elif area is not None and municipality and area[2:6] != municipality[2:]:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}.extra_dwellings[{k}].area",
                    f"{area} does not lie in {municipality}",
                )
            )
        elif not missing and not found:
            extras.append(ExtraDwellings(**values))

    own_policy = variant.get("policy", {})
    if not isinstance(own_policy, dict):
        problems.append(Problem(file, None, f"{where}.policy", "expected a [variant.policy] table"))
        own_policy = {}
    touched = {f"policy.{p}" for p in _paths(own_policy)} | {
        f"{s}.{k}"
        for s in _SECTIONS
        for k in variant.get(s, {})
        if isinstance(variant.get(s), dict)
    }
    if factor != 1.0:
        touched.add("period.quota_persons")
    policy_data = _merge(base_policy if isinstance(base_policy, dict) else {}, own_policy)
    policy, found = _policy(municipality or "GM0000", merged["period"], policy_data, file)
    problems += [
        Problem(file, None, f"{where}.{p.column}", p.message)
        for p in found
        if p.column in touched or any(p.column.startswith(t + ".") for t in touched)
    ]
    if problems or policy is None:
        return None, problems
    run = Run(
        name,
        description,
        policy,
        _simulation(merged["simulation"]),
        _arrivals(merged["arrivals"]),
        _offers(merged["offers"]),
        tuple(extras),
    )
    return run, problems


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
    stats = areas.stats
    file = scenario.file
    gm = scenario.municipality
    if gm not in stats.index or stats.loc[gm, "level"] != "gemeente":
        return scenario, [
            Problem(
                file, None, "scenario.municipality", f"{gm} is not a municipality in {areas.source}"
            )
        ]
    base = scenario.runs[0]
    for run in scenario.runs:
        where = "" if run.name == BASE else f"variant.{run.name}."
        indicator = run.policy.spreading.indicator
        if indicator not in stats.columns:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}policy.spreading.indicator",
                    f"the area data has no indicator '{indicator}'",
                )
            )
            continue
        for k, extra in enumerate(run.extra_dwellings, 1):
            if extra.area not in stats.index:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"{where}extra_dwellings[{k}].area",
                        f"unknown area code {extra.area}",
                    )
                )
            elif _buurten(run, gm, stats, extra.area).empty:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"{where}extra_dwellings[{k}].area",
                        f"{extra.area} has no buurt with residents to place dwellings in",
                    )
                )
        if run.offers.file is None and run.offers.dwellings > 0 and _buurten(run, gm, stats).empty:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}offers.min_residents",
                    f"no buurt of {gm} has {run.offers.mix.min_residents} residents or more",
                )
            )
    households = dwellings = points = None
    if base.arrivals.file is not None:
        try:
            households = read_households(
                folder / base.arrivals.file, display_name=base.arrivals.file
            )
        except InputError as error:
            problems += error.problems
        else:
            problems += _unknown_codes(households, stats, base.arrivals.file)
    if base.offers.file is not None:
        try:
            dwellings = read_dwellings(folder / base.offers.file, display_name=base.offers.file)
        except InputError as error:
            problems += error.problems
        else:
            dwellings, found = resolve_dwelling_areas(dwellings, areas, base.offers.file)
            problems += found
            if not found:
                outside = dwellings["gemeente_code"].astype(str) != gm
                problems += [
                    Problem(
                        base.offers.file, int(line), None, f"dwelling lies in {code}, not in {gm}"
                    )
                    for line, code in zip(
                        dwellings["source_line"][outside], dwellings["gemeente_code"][outside]
                    )
                ]
    if scenario.amenities == "illustrative":
        seed = int(gm[2:])
        points = sample_amenities(areas, gm, np.random.default_rng(seed))
    elif scenario.amenities != "none":
        try:
            points = read_amenities(folder / scenario.amenities, display_name=scenario.amenities)
        except InputError as error:
            problems += error.problems
    scenario = dataclasses.replace(
        scenario, households=households, dwellings=dwellings, amenity_points=points
    )
    return scenario, problems


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


def build_streams(scenario: Scenario, run: Run, seed: int, areas: Areas) -> Streams:
    """The koppelingen, offers and forecast of one run and seed.

    Each purpose draws from its own generator seeded with ``[seed, purpose]``
    (1 arrivals, 2 households waiting at the start, 3 offers, 10 + k the k-th
    block of extra dwellings), so variants share whatever they do not change.
    """
    period = run.policy.period
    stats = areas.stats
    gm = scenario.municipality
    n_meetings = max(len(meeting_dates(period, run.simulation.meeting_day)), 1)
    wijken = sorted(stats.index[(stats["level"] == "wijk") & (stats["gemeente_code"] == gm)])

    if scenario.households is not None:
        households = scenario.households
        arriving = households[households["linked_on"] >= pd.Timestamp(period.start)]
        demand = dict(Forecast.from_streams(arriving, None, n_meetings).demand)
    else:
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
        demand = {k: v * rate for k, v in arrivals.mix.need_shares().items()}

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
    dwellings = pd.concat(parts, ignore_index=True) if parts else None
    if dwellings is not None:
        dwellings, problems = resolve_dwelling_areas(dwellings, areas, "synthetic dwellings")
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
    assert dwellings is not None

    distances = None
    if scenario.amenity_points is not None and len(scenario.amenity_points):
        distances = amenity_distances(
            dwellings["x"].to_numpy(dtype=float),
            dwellings["y"].to_numpy(dtype=float),
            scenario.amenity_points,
        )
    return Streams(households, dwellings, distances, Forecast(demand, supply))


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
    """

    comparison: pd.DataFrame
    summary: pd.DataFrame
    monthly: pd.DataFrame
    placements: pd.DataFrame


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
    return Comparison(comparison, summarise(comparison), monthly_table, placements)


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
    """Means over seeds per scenario run and method, runs in file order.

    ``seeds`` counts the seeds; every metric of :data:`COMPARISON_COLUMNS`
    is averaged (NaN values, e.g. no household housed, are left out).
    """
    if comparison.empty:
        return pd.DataFrame(columns=["scenario", "method", "seeds", *COMPARISON_COLUMNS])
    order = {name: i for i, name in enumerate(dict.fromkeys(comparison["scenario"]))}
    method_order = {m: i for i, m in enumerate(METHODS)}
    grouped = comparison.groupby(["scenario", "method"], sort=False)
    summary = grouped[list(COMPARISON_COLUMNS)].mean().round(4).reset_index()
    summary.insert(2, "seeds", grouped["seed"].nunique().to_numpy())
    summary = summary.sort_values(
        ["scenario", "method"],
        key=lambda s: s.map(order) if s.name == "scenario" else s.map(method_order),
        ignore_index=True,
    )
    return summary
