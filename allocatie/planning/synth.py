"""Seeded sampling of realistic statushouder households and dwelling offers.

The half-year planner needs streams of koppelingen (households linked to the
municipality) and of dwelling offers to simulate scenarios, and a national
benchmark generator needs the same for every municipality. Both draw from this
module, so they never disagree on what a plausible household or offer is.

Every sampler is a pure function of its arguments and a
:class:`numpy.random.Generator`: the same generator state gives the same table,
byte for byte. The tables follow the typed data contract of
:mod:`allocatie.inputs.schema` (:data:`~allocatie.inputs.schema.HOUSEHOLD_COLUMNS`,
:data:`~allocatie.inputs.schema.DWELLING_COLUMNS`), so they go straight into
:func:`allocatie.areas.geo.resolve_dwelling_areas` and
:func:`allocatie.model.builder.build_instance`; :func:`households_table` and
:func:`dwellings_table` turn them into the text tables the readers accept, for
writing CSV files a coordinator can open.

API
---
- :class:`HouseholdMix`, :class:`DwellingMix` — the distributions, as shares;
- :func:`sample_households`, :func:`sample_dwellings` — ``n`` rows, dated
  uniformly in a date range;
- :func:`household_stream`, :func:`dwelling_stream` — a Poisson number of rows
  (the count of a period is itself random, as in reality);
- :func:`candidate_buurten` — the real CBS buurten of a municipality where
  corporations offer dwellings, with sampling weights;
- :func:`sample_amenities` — illustrative amenity points in a municipality;
- :func:`households_frame`, :func:`dwellings_frame` — typed tables from a few
  columns, the rest defaulted as the readers default them (for tests and
  hand-made streams).

The default mixes are illustrative, chosen to match what the issue and the
design ask for (over half of statushouders single, small dwellings the scarcest,
some large families, most households below the rent-benefit income limit);
they are not statistics of any real municipality. Only the area codes and their
statistics are real (Bron: CBS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.areas.segregation import is_concentrated, location_quotient
from allocatie.inputs.io import SOURCE_LINE
from allocatie.inputs.schema import DWELLING_COLUMNS, HOUSEHOLD_COLUMNS
from allocatie.inputs.settings import Range, Table, check
from allocatie.inputs.vocabulary import INTERESTS
from allocatie.model.eligibility import min_bedrooms

__all__ = [
    "AMENITY_NOUNS",
    "DwellingMix",
    "HouseholdMix",
    "candidate_buurten",
    "dwelling_stream",
    "dwellings_frame",
    "dwellings_table",
    "household_stream",
    "households_frame",
    "households_table",
    "normalised",
    "sample_amenities",
    "sample_dwellings",
    "sample_households",
]

#: Buurt names where corporations have (almost) no rental stock: business parks,
#: scattered rural houses, hamlets.
_NO_STOCK = r"(?i)bedrijven|bedrijfs|industrie|verspreide huizen|buurtschap|buitengebied"

#: Illustrative amenity names per interest key (the points are made up).
AMENITY_NOUNS: dict[str, str] = {
    "sport": "sportpark",
    "opleiding": "opleidingslocatie",
    "werk": "werklocatie",
    "cultuur": "cultuurcentrum",
    "geloof": "gebedshuis",
    "vrijwilligerswerk": "buurthuis",
    "wetenschap": "kennisinstelling",
    "zorg": "gezondheidscentrum",
}


def normalised(shares: Mapping[int, float] | Mapping[str, float]) -> dict:
    """Shares scaled to sum to 1, so that ``{1: 55, 2: 10}`` and ``{1: .55, 2: .10}`` agree.

    Planners write percentages or counts; only the proportions matter.

    Raises
    ------
    ValueError
        When a share is negative or they sum to zero.
    """
    values = np.array(list(shares.values()), dtype=float)
    if (values < 0).any() or values.sum() <= 0:
        raise ValueError("shares must be 0 or more and not all 0")
    return dict(zip(shares.keys(), (values / values.sum()).tolist(), strict=True))


def _draw(rng: np.random.Generator, shares: Mapping, n: int) -> np.ndarray:
    """``n`` keys drawn with the given (unnormalised) shares."""
    shares = normalised(shares)
    keys = np.array(list(shares.keys()))
    return keys[rng.choice(len(keys), size=n, p=list(shares.values()))]


def _dates(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> np.ndarray:
    """``n`` dates uniform over ``start..end`` (inclusive), as ``datetime64[ns]``."""
    days = rng.integers(0, (end - start).days + 1, size=n)
    return (np.datetime64(start, "D") + days).astype("datetime64[ns]")


#: A share of households or dwellings.
_SHARE = Range(0.0, 1.0)
#: Bedrooms → mean rent or floor area: every value above 0.
_PER_BEDROOMS = Table(keys=Range(0, 10), values=Range(0.0, above=True))


# --------------------------------------------------------------------------
# households


@dataclass(frozen=True)
class HouseholdMix:
    """Who COA links to a municipality, as shares (normalised when drawn).

    Attributes
    ----------
    persons
        Household size (persons to house now) → share.
    single_parent_share
        Of households with children, the share with one adult.
    reunification_share
        Of single adults, the share expecting family members to join
        (gezinshereniging); the dwelling must fit them too, which is why this
        matters for the size classes.
    reunification_persons
        How many members such a single expects → share.
    needs_accessible_share, max_floor_share
        Households that need a wheelchair-accessible dwelling, or cannot
        climb above the first floor (``max_floor`` 0 or 1).
    above_income_limit_share
        Households with an income above the rent-benefit limit (passend
        toewijzen does not apply to them): the few with a job.
    interest_counts
        Number of interests from the potentieelanalyse → share.
    preferred_share, excluded_share
        Households that prefer, or exclude, one wijk.
    """

    persons: Annotated[Mapping[int, float], Table(keys=Range(1, 20))] = field(
        default_factory=lambda: {1: 55, 2: 10, 3: 8, 4: 10, 5: 9, 6: 5, 7: 3}
    )
    single_parent_share: Annotated[float, _SHARE] = 0.15
    reunification_share: Annotated[float, _SHARE] = 0.25
    reunification_persons: Annotated[Mapping[int, float], Table(keys=Range(1, 10))] = field(
        default_factory=lambda: {1: 30, 2: 30, 3: 40}
    )
    needs_accessible_share: Annotated[float, _SHARE] = 0.02
    max_floor_share: Annotated[float, _SHARE] = 0.05
    above_income_limit_share: Annotated[float, _SHARE] = 0.08
    interest_counts: Annotated[Mapping[int, float], Table(keys=Range(0, len(INTERESTS)))] = field(
        default_factory=lambda: {0: 10, 1: 30, 2: 35, 3: 25}
    )
    preferred_share: Annotated[float, _SHARE] = 0.2
    excluded_share: Annotated[float, _SHARE] = 0.05

    def __post_init__(self) -> None:
        check(self)

    def need_shares(self) -> dict[int, float]:
        """Expected share of households by the fewest bedrooms they can live in.

        Exact, from the mix: the need of a household is
        ``min_bedrooms(persons + expected_reunification)``. The planner's
        look-ahead forecasts demand per size class with it.
        """
        persons = normalised(self.persons)
        reunion = normalised(self.reunification_persons)
        out: dict[int, float] = {}
        for size, share in persons.items():
            parts = [(size, share)]
            if size == 1:
                r = self.reunification_share
                parts = [(1, share * (1 - r))] + [
                    (1 + extra, share * r * s) for extra, s in reunion.items()
                ]
            for people, part in parts:
                need = int(min_bedrooms(np.array([people]))[0])
                out[need] = out.get(need, 0.0) + part
        return dict(sorted(out.items()))

    def mean_persons(self) -> float:
        """Expected persons per household (without expected reunification)."""
        persons = normalised(self.persons)
        return float(sum(k * v for k, v in persons.items()))


def sample_households(
    mix: HouseholdMix,
    n: int,
    rng: np.random.Generator,
    *,
    linked_from: dt.date,
    linked_until: dt.date,
    area_codes: Sequence[str] = (),
    id_prefix: str = "H",
    first_id: int = 1,
    gemeente: str | None = None,
) -> pd.DataFrame:
    """Draw ``n`` households linked uniformly between two dates.

    Parameters
    ----------
    mix
        The distributions.
    n
        Number of households.
    rng
        Source of randomness; the only one used.
    linked_from, linked_until
        Range of ``linked_on`` (inclusive).
    area_codes
        Codes (e.g. the municipality's wijken) that preferred and excluded
        areas are drawn from; without them nobody states a wish.
    id_prefix, first_id
        Ids are ``{id_prefix}-{k:04d}`` numbered from ``first_id`` in order of
        ``linked_on`` (so the id tells the order of the koppeling).
    gemeente
        Municipality the households are linked to (``gemeente_code``), for
        tables holding several municipalities; ``None`` leaves it empty.

    Returns
    -------
    pandas.DataFrame
        Typed as :data:`allocatie.inputs.schema.HOUSEHOLD_COLUMNS`, sorted by
        ``linked_on``; ``attrs["file"]`` says the rows are synthetic.
    """
    persons = _draw(rng, mix.persons, n).astype(np.int64)
    single_parent = rng.random(n) < mix.single_parent_share
    adults = np.where(persons == 1, 1, np.where(single_parent, 1, np.minimum(persons, 2)))
    children = persons - adults
    reunite = (persons == 1) & (rng.random(n) < mix.reunification_share)
    extra = _draw(rng, mix.reunification_persons, n).astype(np.int64)
    reunification = np.where(reunite, extra, 0)
    accessible = rng.random(n) < mix.needs_accessible_share
    floor_limited = ~accessible & (rng.random(n) < mix.max_floor_share)
    max_floor = pd.array(np.where(floor_limited, rng.integers(0, 2, n), 0), dtype="Int64")
    max_floor[~floor_limited] = pd.NA
    below_limit = rng.random(n) >= mix.above_income_limit_share
    counts = _draw(rng, mix.interest_counts, n).astype(np.int64)
    order = np.argsort(rng.random((n, len(INTERESTS))), axis=1)
    names = np.array(INTERESTS, dtype=object)
    interests = [
        tuple(sorted(names[order[i, :k]], key=INTERESTS.index)) for i, k in enumerate(counts)
    ]
    codes = np.array(sorted(area_codes), dtype=object)
    wishes = len(codes) > 0
    prefers = wishes & (rng.random(n) < mix.preferred_share)
    excludes = wishes & (rng.random(n) < mix.excluded_share)
    pick = rng.integers(0, max(len(codes), 1), size=(n, 2))
    if len(codes) > 1:  # never prefer and exclude the same area
        same = pick[:, 1] == pick[:, 0]
        pick[same, 1] = (pick[same, 1] + 1) % len(codes)
    preferred = [(codes[pick[i, 0]],) if prefers[i] else () for i in range(n)]
    excluded = [(codes[pick[i, 1]],) if excludes[i] else () for i in range(n)]
    linked = _dates(rng, linked_from, linked_until, n)

    frame = households_frame(
        {
            "household_id": [""] * n,
            "persons": persons,
            "adults": adults,
            "children": children,
            "expected_reunification": reunification,
            "linked_on": linked,
            "needs_accessible": accessible,
            "max_floor": max_floor,
            "income_below_rent_benefit_limit": below_limit,
            "interests": interests,
            "preferred_areas": preferred,
            "excluded_areas": excluded,
            "gemeente_code": [gemeente if gemeente else pd.NA] * n,
        }
    )
    frame = frame.sort_values("linked_on", kind="stable", ignore_index=True)
    frame["household_id"] = [f"{id_prefix}-{k:04d}" for k in range(first_id, first_id + n)]
    frame[SOURCE_LINE] = np.arange(2, n + 2, dtype=np.int64)
    frame.attrs["file"] = "synthetic households"
    return frame


def household_stream(
    mix: HouseholdMix,
    expected: float,
    rng: np.random.Generator,
    *,
    linked_from: dt.date,
    linked_until: dt.date,
    area_codes: Sequence[str] = (),
    id_prefix: str = "H",
    first_id: int = 1,
    gemeente: str | None = None,
) -> pd.DataFrame:
    """Koppelingen of a period: a Poisson(``expected``) number of households.

    Arrivals are a Poisson process, so the count of a period varies around
    its expectation the way a real half year's does; see
    :func:`sample_households` for the rest.
    """
    n = int(rng.poisson(max(expected, 0.0)))
    return sample_households(
        mix,
        n,
        rng,
        linked_from=linked_from,
        linked_until=linked_until,
        area_codes=area_codes,
        id_prefix=id_prefix,
        first_id=first_id,
        gemeente=gemeente,
    )


# --------------------------------------------------------------------------
# dwellings


@dataclass(frozen=True)
class DwellingMix:
    """What the corporations offer, as shares (normalised when drawn).

    Attributes
    ----------
    bedrooms
        Bedrooms → share. Small dwellings (0–1 bedrooms) are the scarcest in
        the default, although most statushouders are single.
    rent
        Bedrooms → mean kale huur (EUR/month); drawn normal with ``rent_sd``.
        The defaults straddle the 2019 aftoppingsgrenzen (607.46 / 651.03),
        so affordability binds for some large dwellings.
    rent_sd
        Standard deviation of the rent.
    area_m2
        Bedrooms → mean floor area; drawn normal with sd 6 m².
    upper_floor_share
        Share of dwellings above the ground floor (floors 1–4).
    elevator_share
        Of upper-floor dwellings, the share with a lift.
    accessible_share
        Share that is wheelchair accessible (always ground floor or lift).
    corporations
        Corporation name → share of the offers.
    concentrated_tilt
        Weight multiplier of buurten whose location quotient is at or above
        the threshold: corporation stock is denser in concentrated buurten,
        which is why the spreading rule matters at all.
    min_residents
        Buurten with fewer residents get no offers (rural hamlets, business
        parks).
    """

    bedrooms: Annotated[Mapping[int, float], Table(keys=Range(0, 10))] = field(
        default_factory=lambda: {0: 3, 1: 9, 2: 38, 3: 36, 4: 14}
    )
    rent: Annotated[Mapping[int, float], _PER_BEDROOMS] = field(
        default_factory=lambda: {0: 430.0, 1: 490.0, 2: 560.0, 3: 600.0, 4: 650.0}
    )
    rent_sd: Annotated[float, Range(0.0, 500.0)] = 45.0
    area_m2: Annotated[Mapping[int, float], _PER_BEDROOMS] = field(
        default_factory=lambda: {0: 32.0, 1: 48.0, 2: 65.0, 3: 82.0, 4: 100.0}
    )
    upper_floor_share: Annotated[float, _SHARE] = 0.4
    elevator_share: Annotated[float, _SHARE] = 0.4
    accessible_share: Annotated[float, _SHARE] = 0.05
    corporations: Annotated[Mapping[str, float], Table()] = field(
        default_factory=lambda: {"Corporatie": 1.0}
    )
    concentrated_tilt: Annotated[float, Range(0.0, 100.0, above=True)] = 2.0
    min_residents: Annotated[int, Range(low=0)] = 300

    def __post_init__(self) -> None:
        check(self)


def candidate_buurten(
    stats: pd.DataFrame,
    gemeente: str,
    *,
    indicator: str = "migration_non_western",
    lq_threshold: float = 1.5,
    min_residents: int = 300,
    concentrated_tilt: float = 1.0,
    within: str | None = None,
) -> pd.DataFrame:
    """The real buurten of ``gemeente`` where offers are drawn, with weights.

    The weight is the buurt's residents (a proxy for its housing stock; CBS
    gives dwelling stock only per wijk), times ``concentrated_tilt`` where the
    location quotient of ``indicator`` is at least ``lq_threshold``.

    Parameters
    ----------
    stats
        Area statistics indexed by code (:attr:`allocatie.areas.data.Areas.stats`).
    gemeente
        CBS municipality code such as ``GM0153``.
    within
        Optional wijk or buurt code: only buurten inside it (a wijk) or that
        buurt itself. Used for "20 more dwellings in Hengelo-Noord".

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``wijk_code``, ``name``, ``residents``, ``lq``,
        ``concentrated``, ``weight``, sorted by code; empty when nothing fits.
    """
    buurten = stats[(stats["level"] == "buurt") & (stats["gemeente_code"] == gemeente)]
    residents = buurten["residents"].astype(float).fillna(0.0)
    keep = (residents >= min_residents) & ~buurten["name"].astype(str).str.contains(_NO_STOCK)
    if within is not None:
        keep &= (buurten.index == within) | (buurten["wijk_code"] == within)
        if within.startswith("BU"):  # a named buurt is used even if it is small
            keep = buurten.index == within
    chosen = buurten[keep]
    if gemeente in stats.index:
        total = stats.loc[gemeente]
        lq = location_quotient(
            chosen[indicator].astype(float).to_numpy(),
            chosen["residents"].astype(float).to_numpy(),
            float(total[indicator]),
            float(total["residents"]),
        )
    else:
        lq = np.full(len(chosen), np.nan)
    concentrated = is_concentrated(lq, lq_threshold)
    weight = chosen["residents"].astype(float).to_numpy() * np.where(
        concentrated, concentrated_tilt, 1.0
    )
    return pd.DataFrame(
        {
            "code": chosen.index.astype(str),
            "wijk_code": chosen["wijk_code"].astype(str).to_numpy(),
            "name": chosen["name"].astype(str).to_numpy(),
            "residents": chosen["residents"].astype(float).to_numpy(),
            "lq": lq,
            "concentrated": concentrated,
            "weight": weight,
        }
    ).sort_values("code", ignore_index=True)


def sample_dwellings(
    mix: DwellingMix,
    n: int,
    rng: np.random.Generator,
    *,
    buurten: pd.DataFrame,
    available_from: dt.date,
    available_until: dt.date,
    id_prefix: str = "W",
    first_id: int = 1,
    bedrooms: int | None = None,
    rent: float | None = None,
    accessible: bool | None = None,
) -> pd.DataFrame:
    """Draw ``n`` offers becoming available uniformly between two dates.

    Parameters
    ----------
    mix
        The distributions.
    n
        Number of dwellings.
    rng
        Source of randomness; the only one used.
    buurten
        Where to put them: ``code`` and ``weight`` columns, as from
        :func:`candidate_buurten`. Each dwelling gets a ``buurt_code`` only;
        :func:`allocatie.areas.geo.resolve_dwelling_areas` adds its wijk, gemeente
        and a point (the wijk's representative point, so amenity distances of
        synthetic dwellings are at wijk resolution).
    available_from, available_until
        Range of ``available_from`` (inclusive).
    id_prefix, first_id
        Ids are ``{id_prefix}-{k:04d}`` in order of ``available_from``.
    bedrooms, rent, accessible
        Fix these instead of drawing them (e.g. "20 extra two-bedroom
        dwellings at 560 EUR"); the other attributes are drawn as usual.

    Returns
    -------
    pandas.DataFrame
        Typed as :data:`allocatie.inputs.schema.DWELLING_COLUMNS` (not yet resolved
        to areas), sorted by ``available_from``.

    Raises
    ------
    ValueError
        When ``buurten`` is empty but dwellings are asked for.
    """
    if n and buurten.empty:
        raise ValueError("no buurten to place dwellings in")
    weights = buurten["weight"].to_numpy(dtype=float) if n else np.ones(1)
    where = rng.choice(len(buurten), size=n, p=weights / weights.sum()) if n else np.zeros(0, int)
    beds = _draw(rng, mix.bedrooms, n).astype(np.int64)
    if bedrooms is not None:
        beds = np.full(n, bedrooms, dtype=np.int64)
    mean_rent = np.array([mix.rent.get(int(b), mix.rent[max(mix.rent)]) for b in beds], float)
    rents = np.round(np.clip(rng.normal(mean_rent, mix.rent_sd), 300.0, 900.0), 2)
    if rent is not None:
        rents = np.full(n, float(rent))
    mean_m2 = np.array([mix.area_m2.get(int(b), mix.area_m2[max(mix.area_m2)]) for b in beds])
    area = np.round(np.clip(rng.normal(mean_m2, 6.0), 20.0, None))
    upper = rng.random(n) < mix.upper_floor_share
    floor = np.where(upper, rng.integers(1, 5, n), 0)
    elevator = upper & (rng.random(n) < mix.elevator_share)
    access = rng.random(n) < mix.accessible_share
    if accessible is not None:
        access = np.full(n, accessible)
    floor = np.where(access & ~elevator, 0, floor)  # accessible: ground floor or a lift
    corporation = _draw(rng, mix.corporations, n).astype(object)
    dates = _dates(rng, available_from, available_until, n)

    frame = dwellings_frame(
        {
            "dwelling_id": [""] * n,
            "corporation": corporation,
            "buurt_code": buurten["code"].to_numpy(dtype=object)[where],
            "bedrooms": beds,
            "area_m2": area,
            "floor": floor,
            "elevator": elevator,
            "accessible": access,
            "rent": rents,
            "available_from": dates,
        }
    )
    frame = frame.sort_values("available_from", kind="stable", ignore_index=True)
    frame["dwelling_id"] = [f"{id_prefix}-{k:04d}" for k in range(first_id, first_id + n)]
    frame[SOURCE_LINE] = np.arange(2, n + 2, dtype=np.int64)
    frame.attrs["file"] = "synthetic dwellings"
    return frame


def dwelling_stream(
    mix: DwellingMix,
    expected: float,
    rng: np.random.Generator,
    *,
    buurten: pd.DataFrame,
    available_from: dt.date,
    available_until: dt.date,
    id_prefix: str = "W",
    first_id: int = 1,
) -> pd.DataFrame:
    """Offers of a period: a Poisson(``expected``) number of dwellings.

    See :func:`sample_dwellings`.
    """
    n = int(rng.poisson(max(expected, 0.0)))
    return sample_dwellings(
        mix,
        n,
        rng,
        buurten=buurten,
        available_from=available_from,
        available_until=available_until,
        id_prefix=id_prefix,
        first_id=first_id,
    )


# --------------------------------------------------------------------------
# amenities


def sample_amenities(
    areas: Areas, gemeente: str, rng: np.random.Generator, per_category: int = 5
) -> pd.DataFrame:
    """Illustrative amenity points, ``per_category`` per interest key, in ``gemeente``.

    Points fall inside the municipality's wijk polygons, wijken drawn by
    residents, so busy wijken get more. Names end in "(voorbeeld)": these are
    not real facilities, only stand-ins so that the interest part of the
    objective has something to measure in synthetic scenarios.

    Returns
    -------
    pandas.DataFrame
        Columns ``category``, ``name``, ``lon``, ``lat`` (WGS84), as
        :func:`allocatie.areas.geo.amenity_distances` takes them.
    """
    wijken = areas.wijken[areas.wijken["gemeente_code"] == gemeente].sort_index()
    if wijken.empty:
        return pd.DataFrame({"category": [], "name": [], "lon": [], "lat": []})
    residents = areas.stats["residents"].reindex(wijken.index).astype(float).fillna(1.0)
    weights = residents.to_numpy() / residents.sum()
    rows: list[dict[str, object]] = []
    for category in INTERESTS:
        for k in range(1, per_category + 1):
            polygon = wijken.geometry.iloc[int(rng.choice(len(wijken), p=weights))]
            lon, lat = _point_in(polygon, rng)
            name = f"{AMENITY_NOUNS[category]} (voorbeeld) {k}"
            rows.append({"category": category, "name": name, "lon": lon, "lat": lat})
    return pd.DataFrame(rows)


def _point_in(polygon: object, rng: np.random.Generator) -> tuple[float, float]:
    """A uniform point inside ``polygon`` (rejection sampling in its bounds)."""
    import shapely

    minx, miny, maxx, maxy = polygon.bounds  # type: ignore[attr-defined]
    for _ in range(100):
        xs = rng.uniform(minx, maxx, 64)
        ys = rng.uniform(miny, maxy, 64)
        inside = shapely.contains_xy(polygon, xs, ys)
        if inside.any():
            i = int(np.argmax(inside))
            return round(float(xs[i]), 5), round(float(ys[i]), 5)
    point = polygon.representative_point()  # type: ignore[attr-defined]
    return round(point.x, 5), round(point.y, 5)


# --------------------------------------------------------------------------
# typed tables from a few columns, and back to text


#: A column given to :func:`households_frame` or :func:`dwellings_frame`.
Column = Sequence[Any] | np.ndarray


def _column(data: Mapping[str, Column], name: str, n: int, default: object) -> Column:
    value = data.get(name)
    return [default] * n if value is None else value


def households_frame(data: Mapping[str, Column]) -> pd.DataFrame:
    """A typed households table from ``household_id``, ``persons``, ``linked_on`` and any others.

    Missing optional columns get the reader's defaults (no reunification,
    no access needs, below the income limit, no interests or wishes);
    ``linked_on`` may be dates or ISO strings. Lets tests and generators make
    hand-checkable streams without writing CSV files.
    """
    n = len(data["household_id"])
    frame = pd.DataFrame(
        {
            "household_id": list(data["household_id"]),
            "persons": np.asarray(data["persons"], dtype=np.int64),
            "adults": pd.array(_column(data, "adults", n, pd.NA), dtype="Int64"),
            "children": pd.array(_column(data, "children", n, pd.NA), dtype="Int64"),
            "expected_reunification": np.asarray(
                _column(data, "expected_reunification", n, 0), dtype=np.int64
            ),
            "linked_on": pd.to_datetime(pd.Series(list(data["linked_on"]))).astype(
                "datetime64[ns]"
            ),
            "needs_accessible": np.asarray(_column(data, "needs_accessible", n, False), dtype=bool),
            "max_floor": pd.array(_column(data, "max_floor", n, pd.NA), dtype="Int64"),
            "income_below_rent_benefit_limit": np.asarray(
                _column(data, "income_below_rent_benefit_limit", n, True), dtype=bool
            ),
            "interests": pd.Series(_tuples(_column(data, "interests", n, ())), dtype=object),
            "preferred_areas": pd.Series(
                _tuples(_column(data, "preferred_areas", n, ())), dtype=object
            ),
            "excluded_areas": pd.Series(
                _tuples(_column(data, "excluded_areas", n, ())), dtype=object
            ),
            SOURCE_LINE: np.arange(2, n + 2, dtype=np.int64),
        }
    )
    return _contract(frame, data, HOUSEHOLD_COLUMNS, "households")


def dwellings_frame(data: Mapping[str, Column]) -> pd.DataFrame:
    """A typed dwellings table from ``dwelling_id``, ``bedrooms``, ``rent``, ``available_from``,
    a location (``buurt_code``, ``wijk_code`` or ``lon``/``lat``) and any others.

    Missing optional columns get the reader's defaults (ground floor, no lift,
    not accessible, no building); ``corporation`` defaults to "Corporatie".
    """
    n = len(data["dwelling_id"])
    frame = pd.DataFrame(
        {
            "dwelling_id": list(data["dwelling_id"]),
            "corporation": list(_column(data, "corporation", n, "Corporatie")),
            "buurt_code": pd.array(_column(data, "buurt_code", n, pd.NA), dtype="string"),
            "wijk_code": pd.array(_column(data, "wijk_code", n, pd.NA), dtype="string"),
            "lon": np.asarray(_column(data, "lon", n, np.nan), dtype=float),
            "lat": np.asarray(_column(data, "lat", n, np.nan), dtype=float),
            "bedrooms": np.asarray(data["bedrooms"], dtype=np.int64),
            "area_m2": np.asarray(_column(data, "area_m2", n, np.nan), dtype=float),
            "floor": np.asarray(_column(data, "floor", n, 0), dtype=np.int64),
            "elevator": np.asarray(_column(data, "elevator", n, False), dtype=bool),
            "accessible": np.asarray(_column(data, "accessible", n, False), dtype=bool),
            "rent": np.asarray(data["rent"], dtype=float),
            "available_from": pd.to_datetime(pd.Series(list(data["available_from"]))).astype(
                "datetime64[ns]"
            ),
            "complex_id": pd.array(_column(data, "complex_id", n, pd.NA), dtype="string"),
            SOURCE_LINE: np.arange(2, n + 2, dtype=np.int64),
        }
    )
    return _contract(frame, data, DWELLING_COLUMNS, "dwellings")


def _contract(
    frame: pd.DataFrame, data: Mapping[str, Column], columns: Mapping[str, str], file: str
) -> pd.DataFrame:
    """Columns in contract order and dtypes; contract columns not built above
    (e.g. a household's ``gemeente_code``) taken from ``data`` or left empty."""
    for name in columns:
        if name not in frame.columns:
            frame[name] = _column(data, name, len(frame), pd.NA)
    frame = frame[list(columns)]
    text = {k: v for k, v in columns.items() if v == "str"}
    frame = frame.astype(text)
    frame.attrs["file"] = file
    return frame


def _tuples(values: Column) -> list[tuple[str, ...]]:
    """Cells as tuples of text: tuples kept, ``"a;b"`` split, empty → ``()``."""
    out: list[tuple[str, ...]] = []
    for value in values:
        if isinstance(value, str):
            out.append(tuple(v.strip() for v in value.split(";") if v.strip()))
        else:
            out.append(tuple(str(v) for v in value))
    return out


def _text_bool(values: pd.Series) -> pd.Series:
    return values.map({True: "true", False: "false"}).astype(object)


def _text_optional(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def households_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The households as text cells in the data contract, for ``to_csv``.

    Lists are ``;``-separated, booleans ``true``/``false``, dates ISO, absent
    values empty: what :func:`allocatie.inputs.schema.read_households` reads back to
    the same typed table.
    """
    table = pd.DataFrame(
        {
            "household_id": frame["household_id"].astype(str),
            "persons": frame["persons"].astype(str),
            "adults": _text_optional(frame["adults"]),
            "children": _text_optional(frame["children"]),
            "expected_reunification": frame["expected_reunification"].astype(str),
            "linked_on": frame["linked_on"].dt.strftime("%Y-%m-%d"),
            "needs_accessible": _text_bool(frame["needs_accessible"]),
            "max_floor": _text_optional(frame["max_floor"]),
            "income_below_rent_benefit_limit": _text_bool(frame["income_below_rent_benefit_limit"]),
            "interests": frame["interests"].map(";".join),
            "preferred_areas": frame["preferred_areas"].map(";".join),
            "excluded_areas": frame["excluded_areas"].map(";".join),
        }
    )
    if "gemeente_code" in frame.columns and frame["gemeente_code"].notna().any():
        table["gemeente_code"] = _text_optional(frame["gemeente_code"])
    return table


def dwellings_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The dwellings as text cells in the data contract, for ``to_csv``."""
    number = frame["area_m2"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return pd.DataFrame(
        {
            "dwelling_id": frame["dwelling_id"].astype(str),
            "corporation": frame["corporation"].astype(str),
            "buurt_code": _text_optional(frame["buurt_code"]),
            "wijk_code": _text_optional(frame["wijk_code"]),
            "lon": frame["lon"].map(lambda v: "" if pd.isna(v) else f"{v:.5f}"),
            "lat": frame["lat"].map(lambda v: "" if pd.isna(v) else f"{v:.5f}"),
            "bedrooms": frame["bedrooms"].astype(str),
            "area_m2": number,
            "floor": frame["floor"].astype(str),
            "elevator": _text_bool(frame["elevator"]),
            "accessible": _text_bool(frame["accessible"]),
            "rent": frame["rent"].map(lambda v: f"{v:.2f}"),
            "available_from": frame["available_from"].dt.strftime("%Y-%m-%d"),
            "complex_id": _text_optional(frame["complex_id"]),
        }
    )
