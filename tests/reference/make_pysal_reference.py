"""Compute reference segregation indices with PySAL and store them as JSON.

Run by hand, not by the test suite (PySAL is not a dependency of allocatie)::

    pip install segregation libpysal
    python tests/reference/make_pysal_reference.py

It reads ``allocatie/areas/bundled/areas.csv`` and the bundled wijk polygons directly (not
through ``allocatie``), computes every index with PySAL ``segregation`` for
Enschede, Almelo and Hengelo at buurt and at wijk level, and writes
``tests/reference/pysal_reference.json``. ``tests/test_segregation.py`` then
checks ``allocatie.areas.segregation`` against the stored numbers to 1e-6, and
``tests/test_adjacency.py`` checks ``allocatie.areas.adjacency.queen_graph`` against
the stored libpysal neighbour pairs.

The contiguity used for the spatial index is libpysal's own
``fuzzy_contiguity`` (polygons in EPSG:28992 buffered by 12.5 m, neighbours
when the buffers intersect, i.e. at most 25 m apart), not ours, so that the
spatial reference does not depend on the code it checks.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from libpysal.weights import W, fuzzy_contiguity
from segregation.local import MultiLocationQuotient
from segregation.multigroup import MultiInfoTheory
from segregation.singlegroup import Dissim, Entropy, Gini, Interaction, Isolation, SpatialDissim

REPO = Path(__file__).resolve().parents[2]
AREAS_CSV = REPO / "allocatie" / "areas" / "bundled" / "areas.csv"
POLYGONS = REPO / "allocatie" / "areas" / "bundled" / "wijken_2024.geojson.gz"
OUTPUT = Path(__file__).resolve().with_name("pysal_reference.json")

MUNICIPALITIES = {"GM0153": "Enschede", "GM0141": "Almelo", "GM0164": "Hengelo"}
GROUP = "migration_non_western"
TOTAL = "residents"
#: Multigroup split: non-western, western and Dutch background (the rest).
MULTIGROUPS = ("migration_non_western", "migration_western", "dutch_background")
#: Neighbours are at most this far apart (m), as allocatie.areas.adjacency's default.
TOLERANCE_M = 25.0

SINGLE = {
    "dissimilarity": Dissim,
    "isolation": Isolation,
    "exposure": Interaction,
    "entropy": Entropy,
    "gini": Gini,
}

NOTE = (
    "Computed by tests/reference/make_pysal_reference.py with PySAL segregation "
    "(singlegroup.Dissim, Isolation, Interaction, Entropy, Gini, SpatialDissim; "
    "multigroup.MultiInfoTheory; local.MultiLocationQuotient) on "
    "allocatie/areas/bundled/areas.csv: "
    "group = migration_non_western, total = residents (CBS Kerncijfers wijken en buurten "
    "2022, counts rounded to 5 by CBS; Bron: CBS, CC-BY 4.0); rows of one gemeente_code "
    "and level. Multigroup groups: migration_non_western, migration_western and "
    "dutch_background = residents - both. Areas with 0 residents are kept in the PySAL "
    "input for the aspatial indices (PySAL weights them by 0, so they do not change the "
    "value; 'zero_total' lists them) and the script asserts that dropping them gives the "
    "same values. Location quotients are column 0 of MultiLocationQuotient with groups "
    "[group, total - group]; null where the area has 0 residents. Spatial dissimilarity "
    "(Morrill's D(adj), SpatialDissim with standardize False and True) is at wijk level "
    "only, with w = libpysal.weights.fuzzy_contiguity of the bundled wijk polygons "
    "(wijken_2024.geojson.gz) projected to EPSG:28992, buffering=True, buffer=12.5 m, "
    "predicate intersects: neighbours at most 25 m apart, bridging the gaps left by the "
    "~40 m simplification. 'queen_pairs' lists those neighbour pairs; "
    "'queen_pairs_strict' the pairs of libpysal Queen.from_dataframe without tolerance."
)


def _pairs(w: W) -> list[list[str]]:
    """Neighbour pairs of a libpysal W as sorted ``[a, b]`` with ``a < b``."""
    return sorted([a, b] for a, neighbours in w.neighbors.items() for b in neighbours if a < b)


def _single(frame: pd.DataFrame) -> dict[str, float]:
    """The five aspatial two-group indices of ``frame`` with PySAL."""
    return {name: float(cls(frame, GROUP, TOTAL).statistic) for name, cls in SINGLE.items()}


def _level(frame: pd.DataFrame) -> dict[str, object]:
    """Every aspatial index for one municipality at one level."""
    frame = frame.assign(dutch_background=frame[TOTAL] - frame[GROUP] - frame["migration_western"])
    assert (frame["dutch_background"] >= 0).all()
    values = _single(frame)
    populated = frame[frame[TOTAL] > 0]
    check = _single(populated)
    for name, value in values.items():
        assert np.isclose(value, check[name], rtol=0, atol=1e-12), (name, value, check[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        multigroup = float(MultiInfoTheory(frame, list(MULTIGROUPS)).statistic)
        two = frame.assign(rest=frame[TOTAL] - frame[GROUP])
        lq = MultiLocationQuotient(two, [GROUP, "rest"]).statistics[:, 0]
    return {
        "n_areas": len(frame),
        "zero_total": frame.index[frame[TOTAL] == 0].tolist(),
        "group_sum": int(frame[GROUP].sum()),
        "total_sum": int(frame[TOTAL].sum()),
        **values,
        "multigroup_entropy": multigroup,
        "location_quotients": {
            code: (None if not np.isfinite(value) else float(value))
            for code, value in zip(frame.index, lq)
        },
    }


def _spatial(frame: pd.DataFrame, polygons: gpd.GeoDataFrame) -> dict[str, object]:
    """Spatial dissimilarity at wijk level with libpysal fuzzy contiguity."""
    assert (frame[TOTAL] > 0).all(), "PySAL gives empty areas share 0; the reference avoids them"
    rd = polygons.loc[frame.index].to_crs("EPSG:28992")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # islands / disconnected components
        fuzzy = fuzzy_contiguity(rd, buffering=True, buffer=TOLERANCE_M / 2, predicate="intersects")
        strict = libpysal.weights.Queen.from_dataframe(rd, use_index=True)
    # fuzzy_contiguity keys by the frame's index (area codes); fix the row order.
    assert set(fuzzy.id_order) == set(frame.index)
    neighbours = {code: sorted(fuzzy.neighbors[code]) for code in frame.index}
    w = W(neighbours, id_order=list(frame.index), silence_warnings=True)
    data = gpd.GeoDataFrame(frame[[GROUP, TOTAL]], geometry=rd.geometry, crs=rd.crs)
    return {
        "spatial_dissimilarity": float(SpatialDissim(data, GROUP, TOTAL, w=w).statistic),
        "spatial_dissimilarity_standardized": float(
            SpatialDissim(data, GROUP, TOTAL, w=w, standardize=True).statistic
        ),
        "queen_pairs": _pairs(w),
        "queen_pairs_strict": _pairs(strict),
    }


def main() -> None:
    """Compute the reference values and write them to ``pysal_reference.json``."""
    stats = pd.read_csv(AREAS_CSV, dtype={"code": str}).set_index("code")
    polygons = gpd.read_file(f"/vsigzip/{POLYGONS.as_posix()}").set_index("wijk_code")
    municipalities: dict[str, object] = {}
    for gemeente, name in MUNICIPALITIES.items():
        entry: dict[str, object] = {"name": name}
        for level in ("buurt", "wijk"):
            frame = stats[(stats["gemeente_code"] == gemeente) & (stats["level"] == level)]
            frame = frame[[TOTAL, GROUP, "migration_western"]].astype("int64").sort_index()
            values = _level(frame)
            if level == "wijk":
                values.update(_spatial(frame, polygons))
            entry[level] = values
        municipalities[gemeente] = entry
    reference = {
        "created": dt.date.today().isoformat(),
        "versions": {
            "segregation": version("segregation"),
            "libpysal": version("libpysal"),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": platform.python_version(),
        },
        "note": NOTE,
        "group": GROUP,
        "total": TOTAL,
        "multigroups": list(MULTIGROUPS),
        "tolerance_m": TOLERANCE_M,
        "municipalities": municipalities,
    }
    OUTPUT.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
