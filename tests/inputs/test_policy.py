"""Policy TOML: defaults of DESIGN §3, validation of every key at once."""

from __future__ import annotations

import datetime as dt

import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import Policy, load_policy
from tests.paths import EXAMPLE, FIXTURES

FIXTURES = FIXTURES / "policy"


def test_defaults_are_those_of_the_design():
    policy = Policy()
    assert policy.spreading.lq_threshold == 1.5
    assert policy.spreading.indicator == "migration_non_western"
    assert policy.occupancy.max_extra_bedrooms == 2
    assert (policy.affordability.cap_low, policy.affordability.cap_high) == (607.46, 651.03)


def test_minimal_policy_reads_and_fills_defaults():
    policy = load_policy(FIXTURES / "minimal.toml")
    assert policy.period.quota_persons == 52
    assert policy.period.start == dt.date(2019, 7, 1)
    assert policy.spreading.max_households_per_area == 3
    assert policy.spreading.max_per_complex is None
    assert policy.solver.method == "auto"


def test_bundled_example_policy_reads():
    policy = load_policy(EXAMPLE / "policy.toml")
    assert policy.period.quota_persons == 52
    assert policy.affordability.cap_low == 607.46


def test_syntax_error_names_the_line():
    with pytest.raises(InputError) as caught:
        load_policy(FIXTURES / "policy_syntax_error.toml")
    (problem,) = caught.value.problems
    assert problem.line == 4
    assert "TOML syntax error" in problem.message


def test_out_of_range_values_are_all_reported():
    with pytest.raises(InputError) as caught:
        load_policy(FIXTURES / "policy_out_of_range_values.toml")
    keys = {p.column for p in caught.value.problems}
    assert keys == {
        "period.end",
        "spreading.lq_threshold",
        "affordability.cap_low",
        "solver.method",
        "weights.fit",
    }


def test_wrong_types_and_unknown_keys_are_reported():
    with pytest.raises(InputError) as caught:
        load_policy(FIXTURES / "policy_wrong_types_and_unknown_keys.toml")
    messages = {p.column: p.message for p in caught.value.problems}
    assert "expected a whole number" in messages["period.quota_persons"]
    assert "expected a date" in messages["matching.date"]
    assert "unknown setting" in messages["spreading.max_household_per_area"]
    assert "unknown setting" in messages["extra"]


def test_missing_file_is_an_input_error():
    with pytest.raises(InputError, match="file not found"):
        load_policy(FIXTURES / "does_not_exist.toml")
