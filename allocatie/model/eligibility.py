"""Hard eligibility of (household, dwelling) pairs, DESIGN §3, vectorised.

Only pairs that fit on size are ever materialised: dwellings are sorted by
bedrooms and each household's bedroom range is cut out with ``searchsorted``.
That keeps the pair table proportional to the number of plausible pairs rather
than households × dwellings, and every further rule is a column operation on
that table. The rule columns are kept (not only their conjunction) because the
explanation of a waiting household is the first rule that leaves it with
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.policy import SMALL_HOUSEHOLD, Policy

#: Rule columns in the order a coordinator would check them; each builds on the
#: previous ones in :func:`funnel`.
RULES = ("fits_rent", "fits_access", "available", "not_excluded", "not_refused", "keeps_binding")


#: Memory one size-fitting pair costs through the whole run (pair table, problem arrays,
#: solver), measured on the stress benchmark: 3.5 GB for 13.6 million pairs.
BYTES_PER_PAIR = 300
#: Share of the free memory a run may plan to use.
MEMORY_SHARE = 0.8


def people_to_house(households: pd.DataFrame) -> np.ndarray:
    """Persons the dwelling must fit: ``persons + expected_reunification``."""
    extra = households.get("expected_reunification")
    extra = 0 if extra is None else extra.fillna(0).to_numpy(dtype=np.int64)
    return households["persons"].to_numpy(dtype=np.int64) + extra


def min_bedrooms(people: np.ndarray) -> np.ndarray:
    """``ceil((p - 1) / 2)``: two persons per bedroom plus one in the living room."""
    return np.asarray(people, dtype=np.int64) // 2


def _range_bounds(
    keys: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort ``keys`` once; per row, where its range starts and how many keys it holds."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    lo = np.searchsorted(sorted_keys, low, side="left")
    hi = np.searchsorted(sorted_keys, high, side="right")
    return order, lo, np.maximum(hi - lo, 0)


def _in_ranges(
    keys: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (row, key index) with ``low[row] <= keys[index] <= high[row]``, without a loop.

    The keys are sorted once; each row's range is two ``searchsorted`` calls,
    and the ranges are expanded with ``repeat`` arithmetic.
    """
    order, lo, counts = _range_bounds(keys, low, high)
    rows = np.repeat(np.arange(len(low)), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return rows, order[starts + np.arange(counts.sum())]


def _size_searches(
    people: np.ndarray,
    bedrooms: np.ndarray,
    max_extra_bedrooms: int,
    household_group: np.ndarray | None,
    dwelling_group: np.ndarray | None,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The range searches that find size-fitting pairs: (households, keys, low, high).

    With groups (municipality numbers), a household only meets dwellings of its
    own group; a household with group ``-1`` meets every dwelling. The group is
    folded into the sort key (``group · span + bedrooms``) so one search covers
    the whole country.
    """
    bedrooms = np.asarray(bedrooms, dtype=np.int64)
    lowest = min_bedrooms(people)
    highest = lowest + max_extra_bedrooms
    everyone = np.arange(len(lowest))
    if household_group is None or dwelling_group is None:
        return [(everyone, bedrooms, lowest, highest)]
    household_group = np.asarray(household_group, dtype=np.int64)
    span = int(max(bedrooms.max(initial=0), highest.max(initial=0))) + 2
    keyed = household_group >= 0
    group_keys = np.asarray(dwelling_group, dtype=np.int64) * span + bedrooms
    return [
        (
            everyone[keyed],
            group_keys,
            household_group[keyed] * span + lowest[keyed],
            household_group[keyed] * span + highest[keyed],
        ),
        (everyone[~keyed], bedrooms, lowest[~keyed], highest[~keyed]),
    ]


def size_pair_count(
    people: np.ndarray,
    bedrooms: np.ndarray,
    max_extra_bedrooms: int,
    household_group: np.ndarray | None = None,
    dwelling_group: np.ndarray | None = None,
) -> int:
    """How many pairs :func:`size_pairs` would make, without making them.

    Counting costs a sort and two searches, so the memory a run needs can be
    told before a single pair is built.
    """
    searches = _size_searches(people, bedrooms, max_extra_bedrooms, household_group, dwelling_group)
    return int(sum(_range_bounds(keys, low, high)[2].sum() for _, keys, low, high in searches))


def size_pairs(
    people: np.ndarray,
    bedrooms: np.ndarray,
    max_extra_bedrooms: int,
    household_group: np.ndarray | None = None,
    dwelling_group: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """All (household, dwelling) index pairs whose bedroom count fits, sorted.

    See :func:`_size_searches` for how municipalities (groups) are kept apart.

    Returns
    -------
    tuple of numpy.ndarray
        Household and dwelling indices of the pairs, sorted by household, then
        dwelling, so that every later step is deterministic.
    """
    found = [
        (rows[r], d)
        for rows, keys, low, high in _size_searches(
            people, bedrooms, max_extra_bedrooms, household_group, dwelling_group
        )
        for r, d in [_in_ranges(keys, low, high)]
    ]
    household = np.concatenate([h for h, _ in found])
    dwelling = np.concatenate([d for _, d in found])
    # Within a search each household's dwellings come as a few sorted runs (one per
    # bedroom count), so a stable sort of one key (household · dwellings + dwelling)
    # only merges runs; ``lexsort`` sorted 16 million pairs from scratch in 5 s.
    pairs = np.argsort(household * max(len(bedrooms), 1) + dwelling, kind="stable")
    return household[pairs], dwelling[pairs]


def available_memory() -> int:
    """Bytes of memory free for this run (``MemAvailable``), or 8 GiB when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


def check_memory(pairs: int, households: pd.DataFrame, dwellings: pd.DataFrame) -> None:
    """Refuse a run whose pairs would not fit in memory, before building any of them.

    10,000 identical households and 10,000 identical dwellings in one buurt make
    100 million pairs; building them ran past 8 GB and was killed without a word.
    The estimate (:data:`BYTES_PER_PAIR`, measured on the stress benchmark) is
    compared with the memory free now, and the message says how to make the run
    smaller.
    """
    need, free = pairs * BYTES_PER_PAIR, available_memory()
    if need <= MEMORY_SHARE * free:
        return
    raise InputError(
        [
            Problem(
                str(households.attrs.get("file", "households")),
                None,
                None,
                f"{len(households):,} households and {len(dwellings):,} dwellings make "
                f"{pairs:,} pairs that fit on size; matching them needs about "
                f"{need / 2**30:,.1f} GiB of memory and {free / 2**30:,.1f} GiB is free. "
                "Match one municipality at a time (gemeente_code), offer fewer months at "
                "once ([matching] window_days), or run on a larger machine",
            )
        ]
    )


def municipality_groups(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    regions: Mapping[str, str] | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Group numbers for :func:`size_pairs`, or ``None`` when households name no municipality.

    Each municipality is its own group, except that the municipalities ``regions``
    maps to the same region (municipality code → region name) pool their offer:
    they form one group, so their households meet each other's dwellings.
    """
    if "gemeente_code" not in households.columns or households["gemeente_code"].isna().all():
        return None, None
    pooled = dict(regions or {})

    def group(code: object) -> object:
        return f"region {pooled[code]}" if code in pooled else code

    household_codes = households["gemeente_code"].astype(object).map(group, na_action="ignore")
    dwelling_codes = dwellings["gemeente_code"].astype(object).map(group, na_action="ignore")
    codes = pd.Index(sorted(set(dwelling_codes.dropna()) | set(household_codes.dropna())))
    return codes.get_indexer(household_codes), codes.get_indexer(dwelling_codes)


def pooled_regions(policy: Policy) -> dict[str, str]:
    """The policy's pooling region as municipality code → region name (empty: no pooling)."""
    region = policy.region
    return {code: "region" for code in region.municipalities} if region.pooling else {}


def keeps_binding(
    households: pd.DataFrame, dwellings: pd.DataFrame, household: np.ndarray, dwelling: np.ndarray
) -> np.ndarray:
    """Per pair, whether it respects the household's ``binding`` (the COA hard criteria).

    A household with a binding (work, study, family or care nearby) may only be
    housed in its own municipality, also when its region pools its offer; a
    household without one, or without a municipality, may go anywhere it meets.
    """
    if "binding" not in households.columns or "gemeente_code" not in households.columns:
        return np.ones(len(household), dtype=bool)
    bound = households["binding"].notna().to_numpy(dtype=bool)
    home = households["gemeente_code"].astype(object).to_numpy()
    there = dwellings["gemeente_code"].astype(object).to_numpy()
    return ~bound[household] | pd.isna(home[household]) | (home[household] == there[dwelling])


def area_list_rank(
    lists: pd.Series,
    dwelling_codes: pd.DataFrame,
    household: np.ndarray,
    dwelling: np.ndarray,
) -> np.ndarray:
    """Place of a dwelling's area in its household's list, per pair (1 = first, 0 = absent).

    ``lists`` holds a tuple of area codes per household, in the household's
    order; ``dwelling_codes`` has one column per level (buurt, wijk, gemeente)
    of each dwelling's codes. A dwelling named at several levels (its buurt
    third, its wijk first) takes the best place.
    """
    rank = np.zeros(len(household), dtype=np.int64)
    wanted = lists.reset_index(drop=True).explode().dropna()
    if wanted.empty or len(household) == 0:
        return rank
    place = wanted.groupby(level=0).cumcount().to_numpy() + 1
    wanted = pd.DataFrame(
        {"h": wanted.index.to_numpy(), "code": wanted.to_numpy(dtype=str), "place": place}
    )
    located = (
        dwelling_codes.reset_index(drop=True)
        .melt(ignore_index=False, value_name="code")
        .dropna(subset=["code"])
    )
    located = pd.DataFrame({"d": located.index.to_numpy(), "code": located["code"].astype(str)})
    hits = wanted.merge(located, on="code").groupby(["h", "d"], as_index=False)["place"].min()
    n_dwellings = len(dwelling_codes)
    keys = hits["h"].to_numpy(dtype=np.int64) * n_dwellings + hits["d"].to_numpy(dtype=np.int64)
    order = np.argsort(keys)
    keys, places = keys[order], hits["place"].to_numpy(dtype=np.int64)[order]
    asked = household.astype(np.int64) * n_dwellings + dwelling
    at = np.minimum(np.searchsorted(keys, asked), max(len(keys) - 1, 0))
    found = (keys[at] == asked) if len(keys) else np.zeros(len(asked), dtype=bool)
    rank[found] = places[at[found]]
    return rank


def in_area_list(
    lists: pd.Series,
    dwelling_codes: pd.DataFrame,
    household: np.ndarray,
    dwelling: np.ndarray,
) -> np.ndarray:
    """Whether a dwelling's area codes meet its household's list, per pair."""
    return area_list_rank(lists, dwelling_codes, household, dwelling) > 0


def area_codes(dwellings: pd.DataFrame) -> pd.DataFrame:
    """The codes a dwelling is located in, one column per level."""
    return dwellings[["buurt_code", "wijk_code", "gemeente_code"]].astype(object)


def pair_table(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    policy: Policy,
    date: dt.date,
    refusals: pd.DataFrame | None = None,
    regions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Size-fitting pairs with one boolean column per remaining hard rule.

    Parameters
    ----------
    households, dwellings
        Typed, validated and (for dwellings) area-resolved tables, in the row
        order the user gave; their positions are the indices used here.
    policy
        Rule settings (caps, occupancy norm, matching window).
    date
        The matching date: dwellings available up to ``date + window_days``
        are on offer.
    refusals
        Optional ``household``/``dwelling`` index pairs a household refused.
    regions
        Municipalities that pool their offer (code → region name, see
        :func:`municipality_groups`); by default the policy's ``[region]`` when it
        pools (:func:`pooled_regions`), else none.

    Returns
    -------
    pandas.DataFrame
        Columns ``household``, ``dwelling``, ``extra_bedrooms``, the
        :data:`RULES` and ``eligible`` (all rules hold).
    """
    people = people_to_house(households)
    bedrooms = dwellings["bedrooms"].to_numpy(dtype=np.int64)
    groups = municipality_groups(
        households, dwellings, pooled_regions(policy) if regions is None else regions
    )
    extra = policy.occupancy.max_extra_bedrooms
    check_memory(size_pair_count(people, bedrooms, extra, *groups), households, dwellings)
    h, d = size_pairs(people, bedrooms, extra, *groups)

    caps = policy.affordability
    cap = np.where(people <= SMALL_HOUSEHOLD, caps.cap_low, caps.cap_high)
    protected = households["income_below_rent_benefit_limit"].to_numpy(dtype=bool)
    rent = dwellings["rent"].to_numpy(dtype=float)
    fits_rent = ~protected[h] | (rent[d] <= cap[h] + 1e-9)

    needs_access = households["needs_accessible"].to_numpy(dtype=bool)
    accessible = dwellings["accessible"].to_numpy(dtype=bool)
    max_floor = households["max_floor"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    floor = dwellings["floor"].to_numpy(dtype=float)
    elevator = dwellings["elevator"].to_numpy(dtype=bool)
    fits_access = (~needs_access[h] | accessible[d]) & ((floor[d] <= max_floor[h]) | elevator[d])

    last_day = np.datetime64(date + dt.timedelta(days=policy.matching.window_days), "D")
    available = (dwellings["available_from"].to_numpy().astype("datetime64[D]") <= last_day)[d]

    excluded = in_area_list(households["excluded_areas"], area_codes(dwellings), h, d)

    refused = np.zeros(len(h), dtype=bool)
    if refusals is not None and len(refusals):
        n = len(dwellings)
        keys = refusals["household"].to_numpy(dtype=np.int64) * n + refusals["dwelling"]
        refused = np.isin(h.astype(np.int64) * n + d, keys.to_numpy(dtype=np.int64))

    columns = {
        "household": h.astype(np.int32),
        "dwelling": d.astype(np.int32),
        "extra_bedrooms": (bedrooms[d] - min_bedrooms(people)[h]).astype(np.int16),
        "fits_rent": fits_rent,
        "fits_access": fits_access,
        "available": available,
        "not_excluded": ~excluded,
        "not_refused": ~refused,
        "keeps_binding": (binding := keeps_binding(households, dwellings, h, d)),
    }
    columns["eligible"] = fits_rent & fits_access & available & ~excluded & ~refused & binding
    # Column by column rather than from the dict: pandas would stack the boolean
    # columns into one block, a copy of the whole table (a second on the stress run).
    table = pd.DataFrame(index=pd.RangeIndex(len(h)))
    for name, values in columns.items():
        table[name] = values
    return table


def funnel(pairs: pd.DataFrame, n_households: int) -> pd.DataFrame:
    """Per household, how many dwellings survive each successive rule.

    Column ``size`` counts dwellings that fit on bedrooms; each following
    column counts those that also pass that rule and all before it. The first
    column that reaches zero is why a household cannot be placed at all.
    """
    household = pairs["household"].to_numpy()
    running = np.ones(len(pairs), dtype=bool)
    counts = {"size": np.bincount(household, minlength=n_households)}
    for rule in RULES:  # counted with bincount: a groupby over every pair took 0.6 s on stress
        running &= pairs[rule].to_numpy(dtype=bool)
        passed = np.bincount(household, weights=running, minlength=n_households)
        counts[rule] = passed.astype(np.int64)  # whole numbers, far below 2**53
    index = pd.RangeIndex(n_households, name="household")
    return pd.DataFrame(counts, index=index).astype(np.int64)
