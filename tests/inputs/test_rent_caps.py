"""The bundled passend-toewijzen caps (allocatie/inputs/rules), found inside the package."""

from __future__ import annotations

from importlib import resources

from allocatie.inputs.policy import Affordability
from allocatie.inputs.rent_caps import RULES_FILE, bundled_caps, caps_of_year


def test_2019_to_2025_are_bundled_with_their_sources():
    caps = bundled_caps()
    assert sorted(caps) == list(range(2019, 2026))
    assert all(c.source and c.cap_low < c.cap_high for c in caps.values())
    assert (caps[2019].cap_low, caps[2019].cap_high) == (607.46, 651.03)
    assert (caps[2024].cap_low, caps[2024].cap_high) == (650.43, 697.07)
    assert caps_of_year(2026) is None and caps_of_year(2018) is None


def test_the_table_ships_in_the_package_with_its_readme():
    folder = resources.files("allocatie.inputs") / "rules"
    assert (resources.files("allocatie.inputs") / RULES_FILE).is_file()
    assert "source" in (folder / "README.md").read_text(encoding="utf-8")


def test_the_code_default_is_2019_and_says_so():
    default = Affordability()
    assert (default.cap_low, default.cap_high, default.year) == (607.46, 651.03, 2019)
    assert "2019" in default.source
    bundled = Affordability.of_year(2023)
    assert bundled is not None and (bundled.cap_low, bundled.year) == (647.19, 2023)
    assert bundled.source.startswith("passend toewijzen 2023 (bundled; ")
