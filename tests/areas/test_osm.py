"""OpenStreetMap exports become amenity tables the matching can read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from allocatie.areas.osm import amenities_from_osm
from allocatie.cli.main import cli
from allocatie.inputs.errors import InputError
from allocatie.inputs.schema import read_amenities
from tests.paths import FIXTURES

EXPORT = FIXTURES / "osm" / "enschede_export.geojson"


def test_tags_map_to_interest_categories():
    table = amenities_from_osm(EXPORT)
    assert sorted(table["category"]) == ["geloof", "opleiding", "sport", "zorg"]  # bench dropped
    pitch = table[table["category"] == "sport"].iloc[0]
    assert 6.90 < pitch["lon"] < 6.902 and 52.20 < pitch["lat"] < 52.202  # polygon → point


def test_cli_writes_a_file_the_matching_accepts(tmp_path):
    out = tmp_path / "amenities.csv"
    result = CliRunner().invoke(cli, ["amenities", "--from-osm", str(EXPORT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_amenities(out)) == 4


def test_export_without_useful_tags_is_an_input_error(tmp_path):
    bare = tmp_path / "bare.geojson"
    bare.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"amenity": "bench"}, "geometry": {"type": "Point", "coordinates": [6.9, 52.2]}}]}'
    )
    with pytest.raises(InputError, match="no feature has an OSM tag"):
        amenities_from_osm(bare)
