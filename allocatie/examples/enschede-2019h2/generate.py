"""Generate the bundled SYNTHETIC example scenario: Enschede (GM0153), 2019 H2.

Households, dwellings, amenities, pins and refusals are SYNTHETIC. They are made
up to look like a realistic monthly matching meeting in Enschede and describe no
real person, dwelling or facility. Only the buurt and wijk codes, names,
polygons and migration-background statistics are real CBS open data
("Bron: CBS", CC-BY 4.0), read from the shared CBS folder.

Usage (from the repository root)::

    python allocatie/examples/enschede-2019h2/generate.py            # writes next to this file
    python allocatie/examples/enschede-2019h2/generate.py --cbs DIR --out DIR

The output is deterministic: the random generator is ``numpy.random.default_rng``
with the fixed ``SEED`` below, so re-running writes byte-identical files. After
writing, :func:`check` reads the files back with pandas, verifies that the
example exercises the rules it is meant to exercise and prints a summary; it
raises ``AssertionError`` if any property is violated.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from allocatie.inputs.vocabulary import INTERESTS
from allocatie.planning.synth import AMENITY_NOUNS

SEED = 20191001

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_CBS = REPO.parent / "shared" / "data" / "cbs"

GEMEENTE = "GM0153"
BUURT_PREFIX = "BU0153"
WIJK_CODES = tuple(f"WK0153{i:02d}" for i in range(10))
MIN_RESIDENTS = 300  # dwellings only in buurten with at least this many residents

MATCHING_DATE = dt.date(2019, 10, 1)
WINDOW_DAYS = 45
QUOTA = 52
BACKLOG = 0
CAP_LOW = 607.46  # lower aftoppingsgrens 2019 (1-2 persons)
CAP_HIGH = 651.03  # higher aftoppingsgrens 2019 (3+ persons)
LQ_THRESHOLD = 1.5
MAX_PER_AREA = 3
MAX_PER_COMPLEX = 2
MAX_EXTRA_BEDROOMS = 2

AMENITIES_PER_CATEGORY = 5

#: Buurten with >= MIN_RESIDENTS that still get no dwellings: rural hamlets
#: ("Buurtschap ...") and the university campus hold hardly any corporation homes.
EXCLUDED_DWELLING_BUURTEN = {"BU01530406"}  # Drienerveld-U.T. (campus)

HOUSEHOLD_COLUMNS = [
    "household_id",
    "persons",
    "adults",
    "children",
    "expected_reunification",
    "linked_on",
    "needs_accessible",
    "max_floor",
    "income_below_rent_benefit_limit",
    "interests",
    "preferred_areas",
    "excluded_areas",
    "notes_intake",
]
DWELLING_COLUMNS = [
    "dwelling_id",
    "corporation",
    "buurt_code",
    "wijk_code",
    "lon",
    "lat",
    "bedrooms",
    "area_m2",
    "floor",
    "elevator",
    "accessible",
    "rent",
    "available_from",
    "complex_id",
]
AMENITY_COLUMNS = ["category", "name", "lon", "lat"]
PAIR_COLUMNS = ["household_id", "dwelling_id"]

# --------------------------------------------------------------------------
# The design of the example. Tags (S1, F7, d18, ...) are internal handles; the
# ids written to the files are assigned after shuffling.
# --------------------------------------------------------------------------

#: tag, adults, children, expected_reunification, needs_accessible, max_floor,
#: income_below_rent_benefit_limit
HOUSEHOLD_DESIGN: list[tuple[str, int, int, int, bool, int | None, bool]] = [
    # singles (over half), some expecting family (gezinshereniging)
    ("S1", 1, 0, 0, False, None, True),
    ("S2", 1, 0, 0, False, None, True),  # refused d02 last month
    ("S3", 1, 0, 0, False, None, True),  # excludes Enschede-Zuid (WK015306)
    ("S4", 1, 0, 0, False, None, True),
    ("S5", 1, 0, 0, False, None, True),
    ("S6", 1, 0, 0, False, 0, True),  # cannot climb stairs
    ("S7", 1, 0, 0, False, None, True),
    ("S8", 1, 0, 0, False, None, False),  # has a job: income above the limit
    ("S9", 1, 0, 0, False, None, True),
    ("R1", 1, 0, 1, False, None, True),
    ("R2", 1, 0, 2, False, None, True),
    ("R3", 1, 0, 3, False, None, True),  # refused d20 last month
    ("R4", 1, 0, 3, False, None, True),
    # couples
    ("C1", 2, 0, 0, False, None, True),
    ("C2", 2, 0, 0, True, None, True),  # wheelchair user
    ("C3", 2, 0, 0, False, None, False),
    # families
    ("F1", 2, 2, 0, False, None, True),  # pinned to d18
    ("F2", 1, 3, 0, False, 1, True),
    ("F3", 2, 3, 0, False, None, True),  # excludes the buurt of d16
    ("F4", 2, 3, 1, False, None, True),
    ("F5", 2, 4, 0, False, None, True),
    ("F6", 2, 4, 0, False, None, False),
    ("F7", 2, 5, 1, False, None, True),  # p = 8: needs 4 bedrooms, none affordable
]
PREFERRING = ("S5", "R2", "C1", "F1", "F5")

#: tag, bedrooms, floor, elevator, accessible, rent band, location
#: location: "conc" = a buurt with LQ >= threshold, "norm" = a buurt below it,
#: "A4" / "W4" = a buurt below / above the threshold that gets four dwellings
#: (so the per-area cap binds), "CX" = the complex (4 dwellings, cap 2),
#: "wijk:<code>" = wijk code only, "point:<code>" = lon/lat only (inside that wijk)
DWELLING_DESIGN: list[tuple[str, int, int, bool, bool, str, str]] = [
    ("d01", 0, 3, True, False, "studio", "norm"),
    ("d02", 1, 2, False, False, "low", "conc"),
    ("d03", 1, 0, False, False, "mid", "A4"),
    ("d04", 1, 4, True, False, "low", "CX"),
    ("d05", 2, 1, True, False, "mid", "CX"),
    ("d06", 2, 2, True, False, "mid", "CX"),
    ("d07", 2, 3, True, False, "mid", "CX"),
    ("d08", 2, 0, False, True, "mid", "norm"),
    ("d09", 2, 1, False, False, "mid", "W4"),
    ("d10", 2, 2, False, False, "low", "W4"),
    ("d11", 2, 0, False, False, "mid", "A4"),
    ("d12", 2, 3, False, False, "upper", "conc"),
    ("d13", 2, 1, True, False, "upper", "point:WK015300"),
    ("d14", 2, 2, False, False, "mid", "wijk:WK015306"),
    ("d15", 2, 0, False, False, "upper", "A4"),
    ("d16", 3, 0, False, False, "mid", "W4"),
    ("d17", 3, 0, False, False, "upper", "norm"),
    ("d18", 3, 0, False, False, "upper", "norm"),
    ("d19", 3, 2, True, True, "mid", "norm"),
    ("d20", 3, 1, False, False, "mid", "W4"),
    ("d21", 3, 0, False, False, "mid", "A4"),
    ("d22", 3, 0, False, False, "mid", "point:WK015308"),
    ("d23", 3, 3, False, False, "mid", "wijk:WK015302"),
    ("d24", 4, 0, False, False, "high", "norm"),
    ("d25", 4, 0, False, False, "high", "conc"),
    ("d26", 4, 1, False, False, "high", "point:WK015304"),
]
RENT_BANDS = {  # kale huur, EUR/month
    "studio": (420.0, 470.0),
    "low": (440.0, 520.0),
    "mid": (520.0, 600.0),  # below the lower cap
    "upper": (612.0, 648.0),  # between the caps: only for 3+ persons
    "high": (660.0, 720.0),  # above the higher cap
}
AREA_M2 = {0: (28, 38), 1: (40, 55), 2: (55, 75), 3: (72, 95), 4: (92, 118)}
CORPORATIONS = ("De Woonplaats", "Domijn", "Ons Huis")
CORPORATION_WEIGHTS = (0.45, 0.35, 0.20)

PIN = ("F1", "d18")
REFUSALS = [("S2", "d02"), ("R3", "d20")]
EXCLUSIONS = {"S3": ["WK015306"], "F3": ["<buurt of d16>"]}
LAST_AVAILABLE = "d24"  # available exactly at the end of the matching window

NOTES = (  # neutral intake remarks, no personal data
    "wil graag Nederlands leren",
    "volgt inburgeringscursus",
    "zoekt werk, heeft ervaring in de bouw",
    "wil vrijwilligerswerk doen",
    "sport graag, zoekt een voetbalclub",
    "wil een opleiding in de zorg volgen",
    "heeft een rijbewijs",
    "voorkeur voor een rustige straat",
    "wil dicht bij een bibliotheek wonen",
)
FAMILY_NOTES = (
    "kinderen gaan naar de basisschool",
    "oudste kind zoekt een plek op het voortgezet onderwijs",
    "zoekt kinderopvang",
)


# --------------------------------------------------------------------------
# CBS input
# --------------------------------------------------------------------------


def load_cbs(cbs: Path) -> tuple[pd.DataFrame, dict[str, BaseGeometry], float]:
    """Return Enschede buurten (with LQ), wijk polygons and the city share."""
    cols = ["code", "naam", "inwoners", "niet_westers", "westers"]
    rows = json.loads((cbs / "buurt_migratieachtergrond_2022.json").read_text("utf-8"))
    buurten = pd.DataFrame(
        [r[:5] for r in rows if str(r[0]).startswith(BUURT_PREFIX)], columns=cols
    )
    gm = json.loads((cbs / "gemeente_migratieachtergrond_2022.json").read_text("utf-8"))
    (city,) = [r for r in gm if r[0] == GEMEENTE]
    city_share = city[3] / city[2]
    buurten["share"] = buurten["niet_westers"] / buurten["inwoners"].where(buurten["inwoners"] > 0)
    buurten["lq"] = buurten["share"] / city_share
    buurten["wijk_code"] = "WK" + buurten["code"].str[2:8]
    buurten = buurten.sort_values("code", ignore_index=True)

    geo = json.loads((cbs / "wijken_2024.geojson").read_text("utf-8"))
    wijken = {
        f["properties"]["wijkcode"]: shape(f["geometry"])
        for f in geo["features"]
        if f["properties"]["gemeentecode"] == GEMEENTE
    }
    wijken = dict(sorted(wijken.items()))
    assert len(buurten) == 70, f"expected 70 Enschede buurten, got {len(buurten)}"
    assert tuple(wijken) == WIJK_CODES, f"unexpected Enschede wijken {list(wijken)}"
    return buurten, wijken, city_share


def wijk_shares(cbs: Path, city_share: float) -> dict[str, float]:
    """Location quotient per Enschede wijk (for dwellings located by wijk only)."""
    rows = json.loads((cbs / "wijk_migratieachtergrond_2022.json").read_text("utf-8"))
    return {r[0]: (r[3] / r[2]) / city_share for r in rows if r[0] in WIJK_CODES}


def wijk_populations(cbs: Path) -> dict[str, int]:
    geo = json.loads((cbs / "wijken_2024.geojson").read_text("utf-8"))
    return {
        f["properties"]["wijkcode"]: int(f["properties"]["aantal_inwoners"])
        for f in geo["features"]
        if f["properties"]["gemeentecode"] == GEMEENTE
    }


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def point_inside(
    rng: np.random.Generator,
    polygon: BaseGeometry,
    start: tuple[float, float] | None = None,
    jitter: float = 0.002,
    margin: float = 0.0005,
) -> tuple[float, float]:
    """A point (rounded to 5 decimals) inside ``polygon``, ``margin`` deg from its edge.

    With ``start`` the point is ``start`` plus Gaussian jitter, otherwise uniform
    in the bounding box; candidates are re-checked after rounding.
    """
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(10_000):
        if start is None:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        else:
            x, y = start[0] + rng.normal(0, jitter), start[1] + rng.normal(0, jitter)
        pt = Point(round(x, 5), round(y, 5))
        if polygon.contains(pt) and polygon.boundary.distance(pt) > margin:
            return pt.x, pt.y
    raise RuntimeError("could not place a point inside the polygon")


def draw_date(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def make_dwellings(
    rng: np.random.Generator,
    buurten: pd.DataFrame,
    wijken: dict[str, BaseGeometry],
) -> tuple[list[dict], dict[str, str]]:
    """Return dwelling rows and the mapping tag -> dwelling_id."""
    usable = buurten[
        (buurten["inwoners"] >= MIN_RESIDENTS)
        & ~buurten["naam"].str.startswith("Buurtschap")
        & ~buurten["code"].isin(EXCLUDED_DWELLING_BUURTEN)
    ]
    conc = usable[usable["lq"] >= LQ_THRESHOLD]
    w4 = str(rng.choice(list(conc.loc[conc["inwoners"] >= 3000, "code"])))
    conc_pool = [c for c in conc["code"] if c != w4]
    norm = usable[usable["lq"] < LQ_THRESHOLD]
    big_norm = list(norm.loc[norm["inwoners"] >= 2000, "code"])
    a4, cx = (str(c) for c in rng.choice(big_norm, size=2, replace=False))
    norm_pool = [c for c in norm["code"] if c not in (a4, cx)]
    conc_order = list(rng.permutation(conc_pool))
    norm_order = list(rng.permutation(norm_pool))

    order = rng.permutation(len(DWELLING_DESIGN))
    ids = {DWELLING_DESIGN[i][0]: f"W-2019-10-{n:02d}" for n, i in enumerate(order, 1)}
    complex_id = f"CX-{cx[2:]}-A"  # flat building in buurt ``cx``
    complex_corp = str(rng.choice(CORPORATIONS, p=CORPORATION_WEIGHTS))
    first, last = dt.date(2019, 9, 15), MATCHING_DATE + dt.timedelta(WINDOW_DAYS)
    refused = {d for _, d in REFUSALS}

    rows = []
    for tag, bedrooms, floor, elevator, accessible, band, loc in DWELLING_DESIGN:
        row = dict.fromkeys(DWELLING_COLUMNS, "")
        row["dwelling_id"] = ids[tag]
        row["corporation"] = str(rng.choice(CORPORATIONS, p=CORPORATION_WEIGHTS))
        if loc == "conc":
            row["buurt_code"] = str(conc_order.pop(0))
            conc_order.append(row["buurt_code"])
        elif loc == "norm":
            row["buurt_code"] = str(norm_order.pop(0))
        elif loc == "A4":
            row["buurt_code"] = a4
        elif loc == "W4":
            row["buurt_code"] = w4
        elif loc == "CX":
            row["buurt_code"] = cx
            row["complex_id"] = complex_id
            row["corporation"] = complex_corp
        elif loc.startswith("wijk:"):
            row["wijk_code"] = loc[5:]
        elif loc.startswith("point:"):
            poly = wijken[loc[6:]]
            rep = poly.representative_point()
            lon, lat = point_inside(rng, poly, start=(rep.x, rep.y), margin=0.001)
            row["lon"], row["lat"] = f"{lon:.5f}", f"{lat:.5f}"
        else:
            raise ValueError(loc)
        lo, hi = RENT_BANDS[band]
        row["rent"] = f"{rng.uniform(lo, hi):.2f}"
        row["area_m2"] = str(int(rng.integers(*AREA_M2[bedrooms], endpoint=True)))
        row["bedrooms"] = str(bedrooms)
        row["floor"] = str(floor)
        row["elevator"] = fmt_bool(elevator)
        row["accessible"] = fmt_bool(accessible)
        if tag in refused:  # offered last month already, refused, offered again
            avail = draw_date(rng, first, dt.date(2019, 9, 20))
        elif tag == LAST_AVAILABLE:
            avail = last
        else:
            avail = draw_date(rng, first, last)
        row["available_from"] = avail.isoformat()
        rows.append(row)
    rows.sort(key=lambda r: r["dwelling_id"])
    return rows, ids


def make_households(
    rng: np.random.Generator,
    dwellings: list[dict],
    dwelling_ids: dict[str, str],
) -> tuple[list[dict], dict[str, str]]:
    """Return household rows and the mapping tag -> household_id."""
    n = len(HOUSEHOLD_DESIGN)
    # Most households were linked in the last 10 weeks; about a quarter wait longer.
    ten_weeks = MATCHING_DATE - dt.timedelta(weeks=10)
    dates = sorted(
        draw_date(rng, dt.date(2019, 5, 1), ten_weeks - dt.timedelta(days=1))
        if rng.random() < 0.25
        else draw_date(rng, ten_weeks, dt.date(2019, 9, 25))
        for _ in range(n)
    )
    order = rng.permutation(n)  # which design row gets the n-th linking date
    ids = {HOUSEHOLD_DESIGN[i][0]: f"HH-2019-{k:03d}" for k, i in enumerate(order, 1)}
    linked = {HOUSEHOLD_DESIGN[i][0]: dates[k] for k, i in enumerate(order)}

    by_id = {r["dwelling_id"]: r for r in dwellings}
    d16 = by_id[dwelling_ids["d16"]]["buurt_code"]
    d18 = by_id[dwelling_ids["d18"]]["buurt_code"]
    area_choices = sorted({r["buurt_code"] for r in dwellings if r["buurt_code"]})
    area_choices += list(WIJK_CODES[:7]) + [WIJK_CODES[8]]

    rows = []
    for tag, adults, children, reun, accessible, max_floor, below in HOUSEHOLD_DESIGN:
        row = dict.fromkeys(HOUSEHOLD_COLUMNS, "")
        row["household_id"] = ids[tag]
        row["persons"] = str(adults + children)
        row["adults"] = str(adults)
        row["children"] = str(children)
        row["expected_reunification"] = str(reun)
        row["linked_on"] = linked[tag].isoformat()
        row["needs_accessible"] = fmt_bool(accessible)
        row["max_floor"] = "" if max_floor is None else str(max_floor)
        row["income_below_rent_benefit_limit"] = fmt_bool(below)
        k = int(rng.choice(4, p=[0.1, 0.3, 0.35, 0.25]))
        picked = set(rng.choice(INTERESTS, size=k, replace=False).tolist())
        row["interests"] = ";".join(i for i in INTERESTS if i in picked)
        if tag == "F1":  # the pinned family wanted to live in that wijk
            row["preferred_areas"] = "WK" + d18[2:8]
        elif tag in PREFERRING:
            k = int(rng.integers(1, 3))
            row["preferred_areas"] = ";".join(
                sorted(rng.choice(area_choices, size=k, replace=False).tolist())
            )
        if tag in EXCLUSIONS:
            codes = [d16 if c == "<buurt of d16>" else c for c in EXCLUSIONS[tag]]
            row["excluded_areas"] = ";".join(codes)
        if rng.random() < 0.7:
            notes = NOTES + (FAMILY_NOTES if children else ())
            row["notes_intake"] = str(rng.choice(notes))
        rows.append(row)
    rows.sort(key=lambda r: r["household_id"])
    return rows, ids


def make_amenities(
    rng: np.random.Generator, wijken: dict[str, BaseGeometry], population: dict
) -> list[dict]:
    codes = list(wijken)
    weights = np.array([population[c] for c in codes], dtype=float)
    weights /= weights.sum()
    rows = []
    for category in INTERESTS:
        for k in range(1, AMENITIES_PER_CATEGORY + 1):
            wijk = codes[int(rng.choice(len(codes), p=weights))]
            lon, lat = point_inside(rng, wijken[wijk], margin=0.0003)
            rows.append(
                {
                    "category": category,
                    "name": f"{AMENITY_NOUNS[category]} (voorbeeld) {k}",
                    "lon": f"{lon:.5f}",
                    "lat": f"{lat:.5f}",
                }
            )
    return rows


POLICY = f"""\
# allocatie policy — bundled SYNTHETIC example, Enschede 2019 H2 (see README)
municipality = "{GEMEENTE}"

[period]
start = 2019-07-01
end = 2019-12-31
quota_persons = {QUOTA}
backlog_persons = {BACKLOG}      # achterstand from 2019 H1: not known here, see README

[matching]
date = {MATCHING_DATE.isoformat()}        # the monthly matching meeting; \
waiting time is counted to this date
window_days = {WINDOW_DAYS}         # dwellings available up to this many days \
after `date` are offered

[spreading]
indicator = "migration_non_western"
lq_threshold = {LQ_THRESHOLD}
max_households_per_area = {MAX_PER_AREA}
max_per_complex = {MAX_PER_COMPLEX}

[affordability]
cap_low = {CAP_LOW}
cap_high = {CAP_HIGH}

[occupancy]
max_extra_bedrooms = {MAX_EXTRA_BEDROOMS}

[weights]        # tier 3 quality parts
interest = 1.0
wishes = 1.0
fit = 1.0
waiting = 1.0

[solver]
seed = 1
time_limit_seconds = 30
"""


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(cbs: Path, out: Path) -> None:
    rng = np.random.default_rng(SEED)
    buurten, wijken, _ = load_cbs(cbs)
    dwellings, dwelling_ids = make_dwellings(rng, buurten, wijken)
    households, household_ids = make_households(rng, dwellings, dwelling_ids)
    amenities = make_amenities(rng, wijken, wijk_populations(cbs))

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "households.csv", HOUSEHOLD_COLUMNS, households)
    write_csv(out / "dwellings.csv", DWELLING_COLUMNS, dwellings)
    write_csv(out / "amenities.csv", AMENITY_COLUMNS, amenities)
    pins = [{"household_id": household_ids[PIN[0]], "dwelling_id": dwelling_ids[PIN[1]]}]
    write_csv(out / "pins.csv", PAIR_COLUMNS, pins)
    refusals = [
        {"household_id": household_ids[h], "dwelling_id": dwelling_ids[d]} for h, d in REFUSALS
    ]
    write_csv(out / "refusals.csv", PAIR_COLUMNS, refusals)
    (out / "policy.toml").write_text(POLICY, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------


def _bool(series: pd.Series) -> pd.Series:
    assert series.isin(["true", "false"]).all(), f"{series.name}: not true/false"
    return series == "true"


def _list(cell: str) -> list[str]:
    return [x for x in cell.split(";") if x]


def eligible_pairs(hh: pd.DataFrame, dw: pd.DataFrame, policy: dict) -> pd.DataFrame:
    """All (household, dwelling) pairs passing the hard rules (pins/refusals aside)."""
    pairs = hh.merge(dw, how="cross")
    minimum = np.ceil((pairs["p"] - 1) / 2)
    extra = policy["occupancy"]["max_extra_bedrooms"]
    size = (pairs["bedrooms"] >= minimum) & (pairs["bedrooms"] <= minimum + extra)
    access = ~pairs["needs_accessible"] | pairs["accessible"]
    floor = pairs["max_floor"].isna() | (pairs["floor"] <= pairs["max_floor"]) | pairs["elevator"]
    aff = policy["affordability"]
    cap = np.where(pairs["p"] <= 2, aff["cap_low"], aff["cap_high"])
    afford = ~pairs["income_below"] | (pairs["rent"] <= cap)
    excluded = [
        bool(set(ex) & {b, w})
        for ex, b, w in zip(pairs["excluded"], pairs["buurt_code"], pairs["wijk"], strict=True)
    ]
    ok = size & access & floor & afford & ~np.array(excluded, dtype=bool)
    return pairs.loc[ok, ["household_id", "dwelling_id"]].reset_index(drop=True)


def persons_max_matching(
    hh: pd.DataFrame, dw: pd.DataFrame, pairs: pd.DataFrame, pin: tuple[str, str]
) -> set[str]:
    """Households placed in one matching maximising persons housed (tier 1 only).

    Respects the per-area and per-complex caps; the pin is forced. An upper bound
    for what any solver can achieve with these data.
    """
    g = nx.DiGraph()
    n = len(hh)
    g.add_node("S", demand=-n)
    g.add_node("T", demand=n)
    g.add_edge("S", "T", capacity=n, weight=0)  # households left waiting
    persons = dict(zip(hh["household_id"], hh["persons"], strict=True))
    for h in hh["household_id"]:
        g.add_edge("S", ("h", h), capacity=1, weight=0)
    for h, d in zip(pairs["household_id"], pairs["dwelling_id"], strict=True):
        if h == pin[0] and d != pin[1]:
            continue
        weight = -1000 if (h, d) == pin else -int(persons[h])
        g.add_edge(("h", h), ("d", d), capacity=1, weight=weight)
    for d, area, cx in zip(dw["dwelling_id"], dw["area"], dw["complex_id"], strict=True):
        if cx:
            g.add_edge(("d", d), ("c", cx), capacity=1, weight=0)
            g.add_edge(("c", cx), ("a", area), capacity=MAX_PER_COMPLEX, weight=0)
        else:
            g.add_edge(("d", d), ("a", area), capacity=1, weight=0)
    for area in sorted(set(dw["area"])):
        g.add_edge(("a", area), "T", capacity=MAX_PER_AREA, weight=0)
    flow = nx.min_cost_flow(g)
    return {h for h in hh["household_id"] if any(v > 0 for k, v in flow[("h", h)].items())}


def check(out: Path, cbs: Path) -> None:
    """Read the written files back and verify the properties the example needs."""
    problems: list[str] = []

    def need(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    policy = tomllib.loads((out / "policy.toml").read_text("utf-8"))
    buurten, wijken, city_share = load_cbs(cbs)
    wijk_lq = wijk_shares(cbs, city_share)
    read = dict(dtype=str, keep_default_na=False, encoding="utf-8")
    hh = pd.read_csv(out / "households.csv", **read)
    dw = pd.read_csv(out / "dwellings.csv", **read)
    am = pd.read_csv(out / "amenities.csv", **read)
    pins = pd.read_csv(out / "pins.csv", **read)
    refusals = pd.read_csv(out / "refusals.csv", **read)
    date = policy["matching"]["date"]
    window_end = date + dt.timedelta(days=policy["matching"]["window_days"])

    # ---- households
    need(list(hh.columns) == HOUSEHOLD_COLUMNS, f"household columns {list(hh.columns)}")
    need(hh["household_id"].is_unique, "household ids not unique")
    need(hh["household_id"].str.fullmatch(r"HH-2019-\d{3}").all(), "household id form")
    for c in ("persons", "adults", "children", "expected_reunification"):
        hh[c] = hh[c].astype(int)
    need((hh["adults"] + hh["children"] == hh["persons"]).all(), "adults+children")
    hh["p"] = hh["persons"] + hh["expected_reunification"]
    hh["needs_accessible"] = _bool(hh["needs_accessible"])
    hh["income_below"] = _bool(hh["income_below_rent_benefit_limit"])
    hh["max_floor"] = pd.to_numeric(hh["max_floor"].replace("", np.nan))
    hh["linked"] = pd.to_datetime(hh["linked_on"], format="%Y-%m-%d").dt.date
    hh["excluded"] = hh["excluded_areas"].map(_list)
    single = (hh["adults"] == 1) & (hh["children"] == 0)
    known_areas = set(buurten["code"]) | set(WIJK_CODES)
    n_hh = len(hh)
    need(20 <= n_hh <= 25, f"{n_hh} households")
    need(55 <= hh["persons"].sum() <= 65, f"{hh['persons'].sum()} persons waiting")
    need(single.sum() > n_hh / 2, "singles are not over half")
    need((single & (hh["expected_reunification"] > 0)).sum() >= 2, "reunification")
    need(hh["expected_reunification"].between(0, 3).all(), "reunification 0-3")
    need(((hh["adults"] == 2) & (hh["children"] == 0)).sum() >= 2, "couples")
    need((hh["persons"] == 7).sum() == 1, "one family of 7")
    need(hh["needs_accessible"].sum() == 1, "one household needs accessibility")
    need(hh["max_floor"].isin([0, 1]).sum() == 2, "two households with max_floor")
    need(hh["income_below"].mean() > 0.8, "most below the rent benefit limit")
    need(
        hh["linked"].between(dt.date(2019, 5, 1), dt.date(2019, 9, 25)).all(),
        "linked_on range",
    )
    long_wait = hh["linked"] < date - dt.timedelta(weeks=10)
    need(3 <= long_wait.sum() <= 8, "some households waiting longer than 10 weeks")
    interests = hh["interests"].map(_list)
    need(interests.map(len).le(3).all(), "at most 3 interests")
    need(interests.map(lambda x: set(x) <= set(INTERESTS)).all(), "interest vocab")
    preferred = hh["preferred_areas"].map(_list)
    need(3 <= (preferred.map(len) > 0).sum() <= 6, "a few preferred areas")
    need(hh["excluded"].map(len).gt(0).sum() in (1, 2), "1-2 excluded areas")
    all_codes = set().union(*preferred, *hh["excluded"])
    need(all_codes <= known_areas, f"unknown area codes {all_codes - known_areas}")

    # ---- dwellings
    need(list(dw.columns) == DWELLING_COLUMNS, f"dwelling columns {list(dw.columns)}")
    need(dw["dwelling_id"].is_unique, "dwelling ids not unique")
    need(set(dw["corporation"]) == set(CORPORATIONS), "corporations")
    for c in ("bedrooms", "floor"):
        dw[c] = dw[c].astype(int)
    dw["rent"] = dw["rent"].astype(float)
    dw["elevator"] = _bool(dw["elevator"])
    dw["accessible"] = _bool(dw["accessible"])
    need(24 <= len(dw) <= 28, f"{len(dw)} dwellings")
    need(dw["bedrooms"].le(1).sum() == 4, "four small (0-1 bedroom) dwellings")
    need(dw["bedrooms"].between(2, 3).mean() > 0.6, "most 2-3 bedrooms")
    need(dw["bedrooms"].eq(4).sum() >= 2, "a few 4-bedroom dwellings")
    need(dw["rent"].between(420, 720).all(), "rents 420-720")
    above = (dw["rent"] > CAP_LOW).sum()
    need(4 <= above <= 8 and (dw["rent"] > CAP_HIGH).sum() >= 2, "above the caps")
    need(set(dw["floor"]) == {0, 1, 2, 3, 4}, "floors 0-4")
    need(dw["accessible"].sum() == 2, "two accessible dwellings")
    avail = pd.to_datetime(dw["available_from"], format="%Y-%m-%d").dt.date
    need(avail.between(dt.date(2019, 9, 15), window_end).all(), "available_from")
    has_b, has_w = dw["buurt_code"] != "", dw["wijk_code"] != ""
    has_pt = (dw["lon"] != "") & (dw["lat"] != "")
    need((has_b & ~has_w & ~has_pt).sum() == len(dw) - 5, "buurt-only rows")
    need((~has_b & has_w & ~has_pt).sum() == 2, "two wijk-only rows")
    need((~has_b & ~has_w & has_pt).sum() == 3, "three lon/lat-only rows")
    residents = dict(zip(buurten["code"], buurten["inwoners"], strict=True))
    need(
        all(residents.get(b, 0) >= MIN_RESIDENTS for b in dw.loc[has_b, "buurt_code"]),
        "dwelling buurt unknown or under 300 residents",
    )
    need(dw.loc[has_w, "wijk_code"].isin(WIJK_CODES).all(), "wijk codes")

    def wijk_of(row: pd.Series) -> str:
        if row["buurt_code"]:
            return "WK" + row["buurt_code"][2:8]
        if row["wijk_code"]:
            return row["wijk_code"]
        pt = Point(float(row["lon"]), float(row["lat"]))
        inside = [c for c, poly in wijken.items() if poly.contains(pt)]
        need(len(inside) == 1, f"{row['dwelling_id']}: point in wijken {inside}")
        return inside[0] if inside else ""

    dw["wijk"] = dw.apply(wijk_of, axis=1)
    dw["area"] = np.where(has_b, dw["buurt_code"], dw["wijk"])
    lq = dict(zip(buurten["code"], buurten["lq"], strict=True)) | wijk_lq
    dw["lq"] = dw["area"].map(lq)
    dw["concentrated"] = dw["lq"] >= policy["spreading"]["lq_threshold"]
    conc_buurten = set(dw.loc[has_b & dw["concentrated"], "buurt_code"])
    need(len(conc_buurten) >= 4, "several concentrated buurten")
    need((~dw["concentrated"]).sum() >= 15, "many dwellings in other areas")
    cx_sizes = dw.loc[dw["complex_id"] != "", "complex_id"].value_counts()
    need(len(cx_sizes) == 1 and 3 <= cx_sizes.iloc[0] <= 4, "one complex of 3-4")
    need(dw["area"].value_counts().gt(MAX_PER_AREA).sum() >= 2, "areas over cap")

    # ---- amenities
    need(list(am.columns) == AMENITY_COLUMNS, "amenity columns")
    need(set(am["category"]) == set(INTERESTS), "every category represented")
    need(am["name"].str.contains("(voorbeeld)", regex=False).all(), "amenity names")
    union = [wijken[c] for c in WIJK_CODES]
    need(
        all(
            any(p.contains(Point(float(x), float(y))) for p in union)
            for x, y in zip(am["lon"], am["lat"], strict=True)
        ),
        "amenity outside Enschede",
    )

    # ---- eligibility, pins, refusals
    pairs = eligible_pairs(hh, dw, policy)
    refused = set(zip(refusals["household_id"], refusals["dwelling_id"], strict=True))
    need(list(pins.columns) == PAIR_COLUMNS and len(pins) == 1, "pins.csv shape")
    need(list(refusals.columns) == PAIR_COLUMNS and len(refusals) == 2, "refusals")
    pin = (pins["household_id"].iloc[0], pins["dwelling_id"].iloc[0])
    pair_set = set(zip(pairs["household_id"], pairs["dwelling_id"], strict=True))
    need(pin in pair_set, "the pinned dwelling is not eligible for its household")
    need(pin not in refused, "the pin is refused")
    need(refused <= pair_set, "a refusal concerns a pair that is ineligible anyway")
    keep = [
        pr not in refused for pr in zip(pairs["household_id"], pairs["dwelling_id"], strict=True)
    ]
    pairs = pairs[keep]
    count = pairs.groupby("household_id").size().reindex(hh["household_id"]).fillna(0)
    conc_ids = set(dw.loc[dw["concentrated"], "dwelling_id"])
    calm = (
        pairs[~pairs["dwelling_id"].isin(conc_ids)]
        .groupby("household_id")
        .size()
        .reindex(hh["household_id"])
        .fillna(0)
    )
    need((count >= 3).mean() >= 0.7, "most households have several eligible dwellings")
    need((count == 0).sum() >= 1, "some household has no eligible dwelling")
    seven = hh.loc[hh["persons"] == 7, "household_id"]
    need((count[seven] == 0).all(), "the family of 7 should have no eligible dwelling")
    for h in refusals["household_id"]:
        need(count[h] >= 1, f"{h} has nothing left after its refusal")

    placed = persons_max_matching(hh, dw, pairs, pin)
    most = len(persons_max_matching(hh.assign(persons=1), dw, pairs, pin))
    waiting = hh[~hh["household_id"].isin(placed)]
    need(n_hh - most >= 2, "supply should not house every household")
    need((single & ~hh["household_id"].isin(placed)).sum() >= 2, "some singles wait")
    small = int(dw["bedrooms"].le(1).sum())
    need(small < single.sum(), "small dwellings should be scarce for singles")

    # ---- summary
    table = pd.DataFrame(
        {
            "household_id": hh["household_id"],
            "persons": hh["persons"],
            "p": hh["p"],
            "linked_on": hh["linked_on"],
            "wait_wk": [(date - d).days // 7 for d in hh["linked"]],
            "flags": [
                ",".join(
                    f
                    for f, on in (
                        ("acc", r.needs_accessible),
                        (f"floor<={r.max_floor:.0f}", not math.isnan(r.max_floor)),
                        ("income>limit", not r.income_below),
                        ("excl", bool(r.excluded)),
                        ("pin", r.household_id == pin[0]),
                        ("refusal", r.household_id in set(refusals["household_id"])),
                    )
                    if on
                )
                for r in hh.itertuples()
            ],
            "eligible": count.to_numpy().astype(int),
            "non_conc": calm.to_numpy().astype(int),
            "tier1_ub": np.where(hh["household_id"].isin(placed), "placed", "waits"),
        }
    )
    print(f"Enschede {GEMEENTE}, matching {date}, window to {window_end}; ", end="")
    print(f"city non-western share {city_share:.1%}, LQ threshold share ", end="")
    print(f"{city_share * LQ_THRESHOLD:.1%}")
    print(
        f"{n_hh} households, {hh['persons'].sum()} persons ({hh['p'].sum()} incl. "
        f"expected reunification), {int(single.sum())} singles, "
        f"{int(long_wait.sum())} waiting > 10 weeks; quota {QUOTA} + backlog {BACKLOG}"
    )
    print(
        f"{len(dw)} dwellings: bedrooms "
        f"{dw['bedrooms'].value_counts().sort_index().to_dict()}, "
        f"{int(dw['concentrated'].sum())} in concentrated areas "
        f"({len(conc_buurten)} buurten + wijk-level), {above} above the lower cap, "
        f"{int((dw['rent'] > CAP_HIGH).sum())} above the higher cap"
    )
    print(f"{len(am)} illustrative amenities, {len(pairs)} eligible pairs")
    print("Eligible dwellings per household (after refusals; non_conc = outside")
    print("concentrated areas; tier1_ub = one persons-maximising matching):")
    print(table.to_string(index=False))
    print(
        f"Persons-maximising matching (caps {MAX_PER_AREA}/area, "
        f"{MAX_PER_COMPLEX}/complex, pin forced): {len(placed)} households, "
        f"{int(hh.loc[hh['household_id'].isin(placed), 'persons'].sum())} persons "
        f"placed; {len(waiting)} wait. No matching places more than {most} "
        "households."
    )
    if problems:
        raise AssertionError("example properties violated:\n  " + "\n  ".join(problems))
    print("All checks passed.")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cbs", type=Path, default=DEFAULT_CBS, help="CBS data folder")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    generate(args.cbs, args.out)
    check(args.out, args.cbs)


if __name__ == "__main__":
    main()
