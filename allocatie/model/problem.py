"""Immutable, numpy-backed problem data: what every solver sees.

The builder (:func:`allocatie.model.builder.build_instance`) turns typed tables
into this compact form once; the CP-SAT model, the min-cost-flow formulation and
the brute-force checker all read the same arrays, so when they agree on the
optimum they agree on the same question.

This module is the contract between the two layers: the solvers import nothing
from the builder side (scores, eligibility, builder), only this. That is why the
constants both sides must agree on, such as :data:`QUALITY_SCALE`, live here, and
why :class:`ProblemData` checks its own invariants: a solver may rely on them
without re-checking, and a builder bug shows as a clear error at construction
instead of a wrong plan.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

#: A pair's quality (tier 3) is an integer from 0 to this. The flow folds the tiers
#: into one cost with weights derived from it, so a larger coefficient would let
#: tier 3 outweigh tier 2; :class:`ProblemData` therefore refuses one.
QUALITY_SCALE = 1000

#: Pair arrays: one entry per eligible pair.
_PAIR_FIELDS = (
    "pair_household",
    "pair_dwelling",
    "pair_persons",
    "pair_outside",
    "pair_quality",
    "pair_pinned",
    "pair_preference",
)

#: Default of the optional arrays: empty means "none given" and becomes all zeros (no
#: preference, no household that must be housed) of the right length on construction.
_NONE_GIVEN = np.zeros(0, dtype=np.int64)
_NONE_GIVEN.setflags(write=False)


def _frozen(name: str, value: Any, dtype: type[np.generic]) -> np.ndarray:
    """``value`` as a read-only one-dimensional array of ``dtype``.

    An array that is already read-only, of the right dtype and owns its memory
    (as this function's own results do) is shared rather than copied, so that
    :meth:`ProblemData.replace` does not copy the unchanged pair arrays of a
    large problem. Anything else is copied, so no caller keeps a writable handle
    on the data. Converting must not change a value: floats must hold integers
    and booleans must be given as booleans or 0/1.
    """
    if (
        isinstance(value, np.ndarray)
        and value.dtype == dtype
        and not value.flags.writeable
        and value.flags.owndata
        and value.ndim == 1
    ):
        return value
    source = np.asarray(value)
    if source.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {source.shape}")
    out: np.ndarray = np.array(source, dtype=dtype, copy=True)
    if source.dtype != dtype and len(source) and source.dtype.kind not in "iub":
        # float (or object) input: the conversion truncates, so it must be lossless
        same = np.asarray(out == source)
        if not same.all():
            first = int(np.flatnonzero(~same)[0])
            raise ValueError(
                f"{name}[{first}] = {np.asarray(source[first]).item()!r} is not a whole number"
            )
    if dtype is np.bool_ and source.dtype.kind in "iu" and len(source):
        if source.min() < 0 or source.max() > 1:
            raise ValueError(f"{name} must be boolean (0 or 1)")
    out.setflags(write=False)
    return out


def _check_range(name: str, values: np.ndarray, low: int, high: int | None, what: str) -> None:
    """Raise unless every value lies in ``[low, high)`` (``high=None``: no upper end)."""
    if not len(values):
        return
    smallest = int(values.min())
    if smallest < low:
        at = int(np.argmin(values))
        raise ValueError(f"{name}[{at}] = {smallest}: {what}")
    if high is not None:
        largest = int(values.max())
        if largest >= high:
            at = int(np.argmax(values))
            raise ValueError(f"{name}[{at}] = {largest}: {what}")


#: Pairs per block of the order check: enough for numpy to run at full speed, few enough
#: that the temporaries stay in cache (whole-array temporaries cost fresh memory pages and
#: made the check several times slower on 16 million pairs).
_BLOCK = 1 << 16


def _first_unsorted(household: np.ndarray, dwelling: np.ndarray, n_dwellings: int) -> int | None:
    """Index of the first pair not strictly after its predecessor, ``None`` if all are.

    With both indices in range, ``household · n_dwellings + dwelling`` orders pairs as
    (household, dwelling) does, so one key comparison checks both the order and that no
    pair is listed twice. Done block by block (vectorised within each block).
    """
    for start in range(0, len(household) - 1, _BLOCK):
        stop = min(start + _BLOCK + 1, len(household))
        key = household[start:stop] * n_dwellings
        key += dwelling[start:stop]
        behind = key[1:] <= key[:-1]
        if behind.any():
            return start + int(np.argmax(behind)) + 1
    return None


@dataclass(frozen=True)
class ProblemData:
    """One matching problem, in arrays, checked on construction.

    Households and dwellings are numbered by position; eligible pairs are
    listed in long format sorted by household then dwelling. The three
    objective tiers are per-pair integers, maximised lexicographically:
    ``pair_persons`` (tier 1, persons housed), ``pair_outside`` (tier 2,
    1 when the dwelling's area is not concentrated) and ``pair_quality``
    (tier 3, 0…:data:`QUALITY_SCALE`).

    ``pair_preference`` is the household's own view of a pair (0…:data:`QUALITY_SCALE`,
    higher = more wanted: its ranked wishes and interests), which is not an objective
    tier but decides whether two placed households would rather trade dwellings
    (:mod:`allocatie.solve.stable`). ``household_must`` marks households that every
    plan must house (the ``no_harm`` policy: those first-come-first-served houses).

    Caps use ``-1`` for "no cap". ``area_max_persons`` is the projected-
    composition headroom; it is the one rule that is not a network constraint.

    Every array is stored as a read-only copy (``int64``; ``bool`` for
    ``pair_pinned``). Construction raises :class:`ValueError` unless:

    * the pair arrays have one entry per pair, ``dwelling_area`` and
      ``dwelling_complex`` one per dwelling, the two area caps one per area;
    * pair indices lie within ``n_households`` and ``n_dwellings``, and the
      pairs are strictly sorted by household, then dwelling (no pair twice);
    * every dwelling lies in an area (``0 ≤ dwelling_area < n_areas``) and
      ``dwelling_complex ≥ -1``;
    * ``pair_persons ≥ 1``, ``pair_outside ∈ {0, 1}``,
      ``0 ≤ pair_quality ≤ QUALITY_SCALE``, ``0 ≤ pair_preference ≤ QUALITY_SCALE``;
    * ``household_must`` has one entry per household;
    * every cap is ``-1`` or ``≥ 0``.

    These are the assumptions the solvers make without checking: the flow's
    tier weights (which need bounded coefficients), the splitter's and the
    sub-problems' renumbering (which needs the order) and the caps' ``-1``
    sentinel. A problem may still be infeasible (e.g. pins that break a cap);
    that is a property of the data, reported by :meth:`violations` and the
    solvers, not an invalid problem. The checks are vectorised, a handful of
    passes over each array, so they cost little next to the solve even for
    millions of pairs.

    Attributes
    ----------
    n_households, n_dwellings
        Number of households and dwellings.
    pair_household, pair_dwelling
        Indices of each eligible pair.
    pair_persons, pair_outside, pair_quality
        Objective coefficients of each pair, one array per tier.
    pair_pinned
        True for pairs the coordinator fixed; those must be in every plan.
    dwelling_area
        Index of each dwelling's spreading area.
    dwelling_complex
        Index of each dwelling's building, ``-1`` when not given.
    area_max_households, area_max_persons
        Per-area caps (``-1`` = none).
    complex_max
        Per-building cap on placements (``-1`` = none).
    pair_preference
        The household's preference for each pair (optional; all 0 when not given).
    household_must
        Households every plan must house (optional; none when not given).
    """

    n_households: int
    n_dwellings: int
    pair_household: np.ndarray
    pair_dwelling: np.ndarray
    pair_persons: np.ndarray
    pair_outside: np.ndarray
    pair_quality: np.ndarray
    pair_pinned: np.ndarray
    dwelling_area: np.ndarray
    dwelling_complex: np.ndarray
    area_max_households: np.ndarray
    area_max_persons: np.ndarray
    complex_max: int = -1
    pair_preference: np.ndarray = field(default_factory=lambda: _NONE_GIVEN)
    household_must: np.ndarray = field(default_factory=lambda: _NONE_GIVEN)

    def __post_init__(self) -> None:
        for name in ("n_households", "n_dwellings", "complex_max"):
            try:
                number = operator.index(getattr(self, name))
            except TypeError:
                raise ValueError(
                    f"{name} must be an integer, got {getattr(self, name)!r}"
                ) from None
            object.__setattr__(self, name, number)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("n_households", "n_dwellings", "complex_max"):
                dtype = np.bool_ if f.name in ("pair_pinned", "household_must") else np.int64
                object.__setattr__(self, f.name, _frozen(f.name, value, dtype))
        self._fill_optional()
        self._check_lengths()
        self._check_pairs()
        self._check_coefficients()
        self._check_dwellings_and_caps()

    def _fill_optional(self) -> None:
        """Give the optional arrays left out their neutral value (no preference, no must)."""
        for name, size, dtype in (
            ("pair_preference", len(self.pair_household), np.int64),
            ("household_must", self.n_households, np.bool_),
        ):
            if len(getattr(self, name)) == 0 and size > 0:
                object.__setattr__(self, name, _frozen(name, np.zeros(size, dtype=dtype), dtype))

    def _check_lengths(self) -> None:
        if self.n_households < 0 or self.n_dwellings < 0:
            raise ValueError("n_households and n_dwellings must be ≥ 0")
        n = len(self.pair_household)
        for name in _PAIR_FIELDS[1:]:
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"{name} has {len(getattr(self, name))} entries, expected {n} "
                    "(one per pair, as pair_household)"
                )
        for name in ("dwelling_area", "dwelling_complex"):
            if len(getattr(self, name)) != self.n_dwellings:
                raise ValueError(
                    f"{name} has {len(getattr(self, name))} entries, expected "
                    f"n_dwellings = {self.n_dwellings}"
                )
        if len(self.household_must) != max(self.n_households, 0):
            raise ValueError(
                f"household_must has {len(self.household_must)} entries, expected "
                f"n_households = {self.n_households}"
            )
        if len(self.area_max_households) != len(self.area_max_persons):
            raise ValueError(
                f"area_max_households has {len(self.area_max_households)} entries but "
                f"area_max_persons {len(self.area_max_persons)}: one per area each"
            )

    def _check_pairs(self) -> None:
        h, d = self.pair_household, self.pair_dwelling
        if not len(h):
            return
        _check_range("pair_household", h, 0, self.n_households, "not a household index")
        _check_range("pair_dwelling", d, 0, self.n_dwellings, "not a dwelling index")
        if self.n_households * self.n_dwellings >= 2**63:
            raise ValueError("n_households · n_dwellings must fit in a 64-bit integer")
        at = _first_unsorted(h, d, self.n_dwellings)
        if at is not None:
            raise ValueError(
                f"pairs must be sorted by household, then dwelling, each pair once; pair {at} "
                f"(household {h[at]}, dwelling {d[at]}) follows "
                f"(household {h[at - 1]}, dwelling {d[at - 1]})"
            )

    def _check_coefficients(self) -> None:
        _check_range("pair_persons", self.pair_persons, 1, None, "a household has ≥ 1 person")
        _check_range("pair_outside", self.pair_outside, 0, 2, "tier 2 is 0 or 1")
        _check_range(
            "pair_quality", self.pair_quality, 0, QUALITY_SCALE + 1, f"tier 3 is 0…{QUALITY_SCALE}"
        )
        _check_range(
            "pair_preference",
            self.pair_preference,
            0,
            QUALITY_SCALE + 1,
            f"a preference is 0…{QUALITY_SCALE}",
        )

    def _check_dwellings_and_caps(self) -> None:
        _check_range(
            "dwelling_area",
            self.dwelling_area,
            0,
            self.n_areas,
            f"not an area index (n_areas = {self.n_areas})",
        )
        _check_range("dwelling_complex", self.dwelling_complex, -1, None, "-1 or a building index")
        for name in ("area_max_households", "area_max_persons"):
            _check_range(name, getattr(self, name), -1, None, "a cap is ≥ 0, or -1 for none")
        if self.complex_max < -1:
            raise ValueError(f"complex_max = {self.complex_max}: a cap is ≥ 0, or -1 for none")

    def replace(self, **changes: Any) -> ProblemData:
        """A copy with ``changes`` applied, validated like a new problem.

        The one way to derive a problem (a relaxation, a part, a restriction):
        the copy is checked as the original was, so no derived problem can
        break an invariant the solvers rely on. Unchanged arrays are shared,
        not copied (they are read-only).

        Raises
        ------
        ValueError
            When the changed problem breaks an invariant (see the class).
        TypeError
            For a name that is not a field.
        """
        # An optional array left at its neutral value follows a change of size instead of
        # blocking it; one that says something must be given anew with the new size.
        if "household_must" not in changes and not self.household_must.any():
            changes["household_must"] = _NONE_GIVEN
        if "pair_preference" not in changes and not self.pair_preference.any():
            changes["pair_preference"] = _NONE_GIVEN
        return dataclasses.replace(self, **changes)

    def keep_pairs(self, keep: np.ndarray) -> ProblemData:
        """The same problem with only the pairs where ``keep`` is true.

        Households, dwellings, areas and caps are unchanged, so a plan of the
        restricted problem is a plan of this one (a restriction, e.g. the pairs a
        reservation or the ``no_harm`` rule allows).
        """
        keep = np.asarray(keep, dtype=bool)
        return self.replace(**{name: getattr(self, name)[keep] for name in _PAIR_FIELDS})

    @property
    def n_pairs(self) -> int:
        """Number of eligible pairs."""
        return len(self.pair_household)

    @property
    def n_areas(self) -> int:
        """Number of spreading areas."""
        return len(self.area_max_households)

    @property
    def n_complexes(self) -> int:
        """Number of buildings (one more than the largest building index)."""
        return int(self.dwelling_complex.max(initial=-1)) + 1

    def tiers(self, selected: np.ndarray) -> tuple[int, int, int]:
        """Objective value of each tier for a boolean selection of pairs."""
        s = np.asarray(selected, dtype=bool)
        return (
            int(self.pair_persons[s].sum()),
            int(self.pair_outside[s].sum()),
            int(self.pair_quality[s].sum()),
        )

    def violations(self, selected: np.ndarray) -> list[str]:
        """Every constraint a selection of pairs breaks (empty when feasible).

        Used by the solvers' tests and as a last check before a plan is
        reported, so a solver bug can never reach a household.
        """
        s = np.asarray(selected, dtype=bool)
        out: list[str] = []
        h = np.bincount(self.pair_household[s], minlength=self.n_households)
        if (h > 1).any():
            out.append(f"households with several dwellings: {np.flatnonzero(h > 1).tolist()}")
        d = np.bincount(self.pair_dwelling[s], minlength=self.n_dwellings)
        if (d > 1).any():
            out.append(f"dwellings with several households: {np.flatnonzero(d > 1).tolist()}")
        if (self.pair_pinned & ~s).any():
            out.append("a pinned pair is not in the plan")
        if (self.household_must & (h == 0)).any():
            must = np.flatnonzero(self.household_must & (h == 0)).tolist()
            out.append(f"households that must be housed are not: {must}")
        area = self.dwelling_area[self.pair_dwelling[s]]
        per_area = np.bincount(area, minlength=self.n_areas)
        capped = self.area_max_households >= 0
        if (capped & (per_area > self.area_max_households)).any():
            out.append("an area receives more households than max_households_per_area")
        persons = np.bincount(area, weights=self.pair_persons[s], minlength=self.n_areas)
        capped = self.area_max_persons >= 0
        if (capped & (persons > self.area_max_persons)).any():
            out.append("an area is pushed over the concentration threshold")
        if self.complex_max >= 0:
            cx = self.dwelling_complex[self.pair_dwelling[s]]
            per_cx = np.bincount(cx[cx >= 0], minlength=max(self.n_complexes, 1))
            if (per_cx > self.complex_max).any():
                out.append("a building receives more households than max_per_complex")
        return out
