"""Shortfall diagnosis: supply against demand, and which policy setting binds."""

from __future__ import annotations

import pandas as pd

from allocatie.i18n import use_language
from allocatie.match import Inputs, run_match
from allocatie.report.diagnose import class_label, setting_text
from tests.paths import EXAMPLE, FIXTURES

TINY = FIXTURES / "tiny"


def test_tiny_supply_demand_by_hand():
    # T1 needs 2–4 bedrooms (A, D offered), T2 0–2 (A, B, C), T3 1–3 (A, B, D); dwelling C
    # comes 2019-10-15, inside the default 31-day window.
    with use_language("en"):
        shortfall = run_match(Inputs.from_scenario(TINY)).kpis["shortfall"]
    table = pd.DataFrame(shortfall["supply_demand"]).set_index(["class_type", "class"])
    assert table.loc[
        ("size", "needs 2–4 bedrooms"), ["households", "dwellings_offered"]
    ].tolist() == [1, 2]
    assert table.loc[
        ("size", "needs 1–3 bedrooms"), ["households", "households_waiting"]
    ].tolist() == [1, 1]
    # rent: A 600, B 500, C 450 are within 607.46; D 700 is above both caps
    assert table.loc[("rent", "1–2 persons, rent ≤ €607.46"), "dwellings_offered"] == 3
    assert table.loc[("rent", "3+ persons, rent ≤ €651.03"), "dwellings_offered"] == 3
    assert shortfall["persons_short_of_taakstelling"] == 52 - 5
    # no household or building caps; the default headroom rule is checked and costs nothing
    (headroom,) = shortfall["binding_settings"]
    assert headroom["setting"].startswith("projected_composition") and not headroom["binds"]


def test_labels_and_sentences_follow_the_reader_not_the_run():
    """A row made in English is written again in Dutch from its structured fields."""
    with use_language("en"):
        shortfall = run_match(Inputs.from_scenario(EXAMPLE)).kpis["shortfall"]
    rent = next(r for r in shortfall["supply_demand"] if r["class_key"] == "rent_low")
    area = next(
        r for r in shortfall["binding_settings"] if r["setting_key"] == "max_households_per_area"
    )
    assert rent["class"] == "1–2 persons, rent ≤ €607.46"
    assert area["text"].startswith("max_households_per_area = 3 leaves 2 households (2 persons)")
    with use_language("nl"):
        assert class_label(rent) == "1–2 personen, huur ≤ €\xa0607,46"
        assert setting_text(area).startswith(
            "max_households_per_area = 3 laat 2 huishoudens (2 personen) ongeplaatst"
        )


def test_binding_area_cap_matches_a_run_without_it(tmp_path):
    with_cap = run_match(Inputs.from_scenario(EXAMPLE))
    binding = {row["setting"]: row for row in with_cap.kpis["shortfall"]["binding_settings"]}
    area = binding["max_households_per_area = 3"]
    assert area["binds"]
    # the same month solved by the whole pipeline without that one setting
    policy = (EXAMPLE / "policy.toml").read_text().replace("max_households_per_area = 3\n", "")
    (tmp_path / "policy.toml").write_text(policy)
    without = run_match(Inputs.from_scenario(EXAMPLE, policy=tmp_path / "policy.toml"))
    gained = without.kpis["persons_housed"] - with_cap.kpis["persons_housed"]
    assert area["extra_persons_without_it"] == gained
    assert gained > 0
