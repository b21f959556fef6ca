"""Turn an OpenStreetMap export into an amenities table for tier 3.

Municipalities rarely have a ready list of sports clubs, schools and places of
worship, but OpenStreetMap does. A user exports the features of their town as
GeoJSON (e.g. with overpass-turbo or QGIS) and this module maps OSM tags to the
interest vocabulary of the potentieelanalyse. The mapping is deliberately small
and listed here in full, so a coordinator can see why a feature counts.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from allocatie.inputs.errors import InputError, Problem

#: (OSM key, accepted values or None for any value) → interest category.
TAG_CATEGORIES: tuple[tuple[str, frozenset[str] | None, str], ...] = (
    (
        "leisure",
        frozenset(
            {
                "sports_centre",
                "pitch",
                "stadium",
                "fitness_centre",
                "swimming_pool",
                "sports_hall",
                "track",
            }
        ),
        "sport",
    ),  # fmt: skip
    ("club", frozenset({"sport"}), "sport"),
    ("amenity", frozenset({"school", "college", "language_school", "library"}), "opleiding"),
    ("amenity", frozenset({"university", "research_institute"}), "wetenschap"),
    ("office", frozenset({"research"}), "wetenschap"),
    ("office", frozenset({"employment_agency"}), "werk"),
    ("amenity", frozenset({"theatre", "arts_centre", "cinema"}), "cultuur"),
    ("tourism", frozenset({"museum", "gallery"}), "cultuur"),
    ("amenity", frozenset({"place_of_worship"}), "geloof"),
    ("amenity", frozenset({"community_centre", "social_facility"}), "vrijwilligerswerk"),
    ("office", frozenset({"ngo", "association"}), "vrijwilligerswerk"),
    ("amenity", frozenset({"doctors", "clinic", "hospital", "pharmacy", "dentist"}), "zorg"),
    ("healthcare", None, "zorg"),
)


def _tags(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """OSM tags as columns, whether the export flattened them or kept a ``tags`` dict."""
    if "tags" in frame.columns:
        nested = pd.DataFrame(
            [t if isinstance(t, dict) else {} for t in frame["tags"]], index=frame.index
        )
        return pd.concat([frame.drop(columns=["tags", "geometry"]), nested], axis=1)
    return pd.DataFrame(frame.drop(columns="geometry"))


def amenities_from_osm(path: str | Path) -> pd.DataFrame:
    """Amenity points (``category``, ``name``, ``lon``, ``lat``, ``osm_id``) from a GeoJSON export.

    A feature matching several rules yields one row per category (a community
    centre with a library counts for both). Areas (buildings, sports grounds)
    become their representative point.

    Raises
    ------
    InputError
        When the file cannot be read as GeoJSON, or no feature carries a tag
        that maps to an interest.
    """
    name = str(path)
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # noqa: BLE001 - any reader failure is a bad input
        raise InputError(
            [Problem(name, None, None, f"not a readable GeoJSON file ({error})")]
        ) from None
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    tags = _tags(frame)
    points = frame.geometry.representative_point()
    rows = []
    for key, values, category in TAG_CATEGORIES:
        if key not in tags.columns:
            continue
        column = tags[key].astype("string")
        hit = column.notna() if values is None else column.isin(values).fillna(False)
        if hit.any():
            rows.append(
                pd.DataFrame(
                    {
                        "category": category,
                        "name": tags["name"][hit] if "name" in tags else pd.NA,
                        "lon": points.x[hit].round(6),
                        "lat": points.y[hit].round(6),
                        "osm_id": tags["id"][hit] if "id" in tags else frame.index[hit],
                    }
                )
            )
    if not rows:
        keys = ", ".join(sorted({k for k, _, _ in TAG_CATEGORIES}))
        raise InputError(
            [Problem(name, None, None, f"no feature has an OSM tag allocatie uses ({keys})")]
        )
    out = pd.concat(rows, ignore_index=True).drop_duplicates(["category", "lon", "lat"])
    return out.sort_values(["category", "lon", "lat"], kind="stable").reset_index(drop=True)
