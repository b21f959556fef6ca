"""`allocatie areas`: city-wide indices and per-area quotients for the three pilot cities."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from tests.paths import REFERENCE

REFERENCE = json.loads((REFERENCE / "pysal_reference.json").read_text())


@pytest.mark.parametrize("gemeente", ["GM0153", "GM0141", "GM0164"])
@pytest.mark.parametrize("level", ["buurt", "wijk"])
def test_json_matches_the_pysal_reference(gemeente, level):
    result = CliRunner().invoke(
        cli, ["areas", "--gemeente", gemeente, "--level", level, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    reference = REFERENCE["municipalities"][gemeente][level]
    for key in ("dissimilarity", "isolation", "exposure", "entropy", "gini"):
        assert data[key] == pytest.approx(reference[key], abs=1e-6)
    lqs = {a["code"]: a["lq"] for a in data["areas"]}
    for code, lq in reference["location_quotients"].items():
        if lq is not None and code in lqs:
            assert lqs[code] == pytest.approx(lq, abs=1e-3)
    assert {"code", "name", "residents", "share", "lq", "concentrated"} <= set(data["areas"][0])
    # concentrated as matching judges it: by the buurt's own LQ, or its wijk's when it is small
    assert all(a["concentrated"] == (a["judged_lq"] >= 1.5) for a in data["areas"])


def test_table_names_the_concentrated_wijk_of_enschede_in_dutch():
    result = CliRunner().invoke(cli, ["areas", "--gemeente", "GM0153", "--level", "wijk"])
    assert result.exit_code == 0
    text = result.output
    assert "Enschede-Zuid" in text and "ruimtelijke dissimilariteit" in text
    assert "geconcentreerd" in text and "inwoners" in text and "1,55" in text  # Dutch decimals
    assert "27.385" in text  # Dutch thousands: the residents of Wijk 00
    for english in ("residents", "concentrated", "spatial", "level"):
        assert english not in text


def test_table_in_english_on_request():
    result = CliRunner().invoke(
        cli, ["areas", "--gemeente", "GM0153", "--level", "wijk", "--lang", "en"]
    )
    assert result.exit_code == 0
    assert "spatial dissimilarity" in result.output and "1.55" in result.output
    assert "concentrated" in result.output and "27,385" in result.output


def test_map_option_writes_a_png(tmp_path):
    target = tmp_path / "hengelo.png"
    result = CliRunner().invoke(cli, ["areas", "--gemeente", "GM0164", "--map", str(target)])
    assert result.exit_code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_municipality_is_a_clear_error():
    result = CliRunner().invoke(cli, ["areas", "--gemeente", "GM9999"])
    assert result.exit_code == 2
    assert "Geen cijfers op buurtniveau voor GM9999" in result.output
    result = CliRunner().invoke(cli, ["areas", "--gemeente", "GM9999", "--lang", "en"])
    assert "No buurt statistics for GM9999" in result.output


def test_a_small_buurt_is_judged_by_its_wijk_as_in_matching():
    """Almelo's Bedrijventerrein Bornsestraat has 80 residents and its own LQ of 2.66, but
    matching (min_residents = 100) judges it by wijk WK014111 (LQ 1.02): not concentrated.
    With --min-residents 50 it counts on its own again."""
    from allocatie.areas.concentration import dwelling_areas
    from allocatie.areas.data import load_areas
    from allocatie.inputs.policy import Spreading

    def judged(*options: str) -> dict:
        result = CliRunner().invoke(
            cli, ["areas", "--gemeente", "GM0141", "--format", "json", *options]
        )
        assert result.exit_code == 0, result.output
        return {a["code"]: a for a in json.loads(result.output)["areas"]}["BU01411105"]

    small = judged()
    assert (small["residents"], small["lq"], small["judged_at"]) == (80, 2.663, "WK014111")
    assert small["concentrated"] is False
    stats = load_areas().stats
    dwelling = pd.DataFrame({"buurt_code": pd.array(["BU01411105"], dtype="string"),
                             "wijk_code": pd.array(["WK014111"], dtype="string"),
                             "gemeente_code": pd.array(["GM0141"], dtype="string")})  # fmt: skip
    matched = dwelling_areas(dwelling, stats, Spreading())
    assert (matched["area_code"][0], bool(matched["concentrated"][0])) == ("WK014111", False)
    on_its_own = judged("--min-residents", "50")
    assert (on_its_own["judged_at"], on_its_own["concentrated"]) == ("BU01411105", True)
