"""Every problem of every file in one round (allocatie.match.read_inputs).

The area-code and municipality checks of the dwellings used to run only once the
dwellings file had no other problem, so an unknown wijk and a dwelling in another
municipality appeared only after the other problems were fixed. They now run on
the rows that parsed, in the same pass, and say what to write instead.
"""

from __future__ import annotations

import pytest

from allocatie.inputs.errors import InputError
from allocatie.match import Inputs, read_inputs
from tests.paths import FIXTURES

TINY = FIXTURES / "tiny"
MIXED = FIXTURES / "bad" / "dwellings_unknown_wijk_and_other_municipality.csv"


def problems(**given):
    with pytest.raises(InputError) as caught:
        read_inputs(Inputs.from_scenario(TINY, **given))
    return caught.value.problems


def test_unknown_codes_and_another_municipality_come_with_a_bad_rent():
    found = {(p.line, p.column): p.message for p in problems(dwellings=MIXED)}
    assert set(found) == {(2, "wijkcode"), (3, "buurtcode"), (4, "huur"), (5, "buurtcode")}
    wijk = found[(2, "wijkcode")]
    assert wijk.startswith("there is no wijk WK999999 in the area data")
    assert "WK + the 4 digits of the municipality + 2 digits, such as WK015300" in wijk
    assert "`allocatie areas --gemeente GM0153 --level wijk` lists those of Enschede" in wijk
    assert "or leave wijkcode empty and fill in buurtcode, or lengtegraad and breedtegraad" in wijk
    other = found[(3, "buurtcode")]
    assert other.startswith("this dwelling lies in GM0164, not in GM0153: buurtcode BU01640001")
    assert "is in Hengelo, and the policy is for Enschede" in other
    assert "'veel' is not a number" in found[(4, "huur")]


def test_a_code_one_digit_off_gets_a_did_you_mean(tmp_path):
    path = tmp_path / "dwellings.csv"
    path.write_text(
        "dwelling_id,corporation,buurt_code,bedrooms,rent,available_from\n"
        "A,Domijn,BU01530660,2,600,2019-10-01\n"
    )
    (problem,) = problems(dwellings=path)
    assert "did you mean " in problem.message  # two digits swapped, or one digit off:
    assert "BU01530606 (Wesselerbrink Noord-West)" in problem.message
    assert "BU01530600 (Stroinkslanden Noord-Oost)" in problem.message
    assert "BU01530609" not in problem.message  # two digits off


def test_coordinates_in_another_municipality_name_the_coordinates():
    path = FIXTURES / "bad" / "dwellings_coordinates_outside_municipality.csv"
    (problem,) = problems(dwellings=path)
    assert (problem.line, problem.column) == (2, "lon")
    assert "its coordinates are in Hengelo" in problem.message


def test_an_unknown_preferred_area_says_what_a_code_looks_like():
    path = FIXTURES / "bad" / "households_unknown_interest_and_area.csv"
    found = {p.column: p.message for p in problems(households=path)}
    assert found["preferred_areas"].startswith("there is no area BU99999999 in the area data")
    assert "BU + the 4 digits of the municipality + 4 digits" in found["preferred_areas"]


def test_a_pin_naming_a_dwelling_with_an_unknown_code_is_not_also_unknown(tmp_path):
    pins = tmp_path / "pins.csv"
    pins.write_text("household_id,dwelling_id\nT1,X4\n")
    found = problems(dwellings=MIXED, pins=pins)
    assert not any("pins.csv" in p.file for p in found), found


def test_a_clean_run_returns_every_input_checked():
    checked = read_inputs(Inputs.from_scenario(TINY))
    assert checked.policy.municipality == "GM0153"
    assert checked.dwellings["gemeente_code"].eq("GM0153").all()
    assert checked.pins is None and checked.refusals is None
