"""The lazily imported top-level API resolves to the real objects."""

from __future__ import annotations

import pytest

import allocatie
from allocatie.match import run_match
from allocatie.solve import Result


def test_top_level_names_are_the_module_objects():
    assert allocatie.run_match is run_match
    assert allocatie.Result is Result
    assert set(allocatie.__all__) >= {"Inputs", "build_instance", "ProblemData", "load_policy"}


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        allocatie.does_not_exist  # noqa: B018
