"""The input problems in Dutch, the coordinator's language (the default of every command)."""

from __future__ import annotations

import pytest

from allocatie.i18n import use_language
from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import load_policy
from allocatie.inputs.schema import read_households
from allocatie.match import Inputs, read_inputs
from tests.paths import FIXTURES


def rendered(action) -> str:
    with use_language("nl"), pytest.raises(InputError) as caught:
        action()
    with use_language("nl"):
        return caught.value.render()


def test_household_problems_in_dutch():
    text = rendered(lambda: read_households(FIXTURES / "inputs" / "households_several_defects.csv"))
    assert text.startswith("9 problemen gevonden in de invoer:")
    assert ", regel 4, kolom 'persons': '1,5' is geen heel getal; schrijf het aantal personen" in (
        text
    )
    assert "'2019-13-01' is een datum die niet bestaat; schrijf de koppeldatum als JJJJ-MM-DD" in (
        text
    )
    assert "deze cel is leeg" in text
    for english in ("line", "column", "is not", "write "):
        assert english not in text


def test_one_problem_is_one_probleem():
    text = rendered(lambda: read_households(FIXTURES / "inputs" / "households_header_only.csv"))
    assert text.startswith("1 probleem gevonden in de invoer:")
    assert "voeg één regel per huishouden toe" in text


def test_policy_problems_in_dutch():
    text = rendered(lambda: load_policy(FIXTURES / "policy" / "policy_misspelt_key.toml"))
    assert "regel 11, kolom 'spreading.lq_treshold': onbekende instelling; bedoelt u " in text
    text = rendered(
        lambda: load_policy(FIXTURES / "policy" / "policy_date_written_dutch_style.toml")
    )
    assert "schrijf datums als JJJJ-MM-DD: end = 2019-12-31" in text


def test_location_problems_in_dutch():
    dwellings = FIXTURES / "bad" / "dwellings_unknown_wijk_and_other_municipality.csv"
    text = rendered(
        lambda: read_inputs(Inputs.from_scenario(FIXTURES / "tiny", dwellings=dwellings))
    )
    assert (
        "wijk WK999999 staat niet in de gebiedsgegevens; een wijkcode is WK + de 4 cijfers" in text
    )
    assert (
        "deze woning ligt in GM0164, niet in GM0153: buurtcode BU01640001 ligt in Hengelo" in text
    )
