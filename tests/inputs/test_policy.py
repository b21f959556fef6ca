"""Policy TOML: defaults of DESIGN §3, validation of every key at once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import (
    Affordability,
    Matching,
    Occupancy,
    Period,
    Policy,
    SolverSettings,
    Spreading,
    Weights,
    load_policy,
    policy_from_dict,
)
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


# --------------------------------------------------------------------------
# every section refuses a bad value where it is built, not only when read


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: Period(start=dt.date(2019, 7, 1), end=dt.date(2019, 6, 30)), "end"),
        (lambda: Period(quota_persons=-1), "quota_persons"),
        (lambda: Period(housed_so_far=-1), "housed_so_far"),
        (lambda: Period(start="2019-07-01"), "start"),
        (lambda: Matching(window_days=-1), "window_days"),
        (lambda: Matching(date="tomorrow"), "date"),
        (lambda: Spreading(lq_threshold=-1), "lq_threshold"),
        (lambda: Spreading(lq_threshold=0), "lq_threshold"),
        (lambda: Spreading(level="stad"), "level"),
        (lambda: Spreading(min_residents=-5), "min_residents"),
        (lambda: Spreading(max_households_per_area=-1), "max_households_per_area"),
        (lambda: Spreading(max_per_complex=1.5), "max_per_complex"),
        (lambda: Spreading(placed_this_period={"BU01530606": -1}), "placed_this_period"),
        (lambda: Affordability(cap_low=0), "cap_low"),
        (lambda: Affordability(cap_high=-651.03), "cap_high"),
        (lambda: Occupancy(max_extra_bedrooms=-1), "max_extra_bedrooms"),
        (lambda: Weights(fit=-2), "fit"),
        (lambda: Weights(interest_radius_m=0), "interest_radius_m"),
        (lambda: SolverSettings(method="magic"), "method"),
        (lambda: SolverSettings(time_limit_seconds=0), "time_limit_seconds"),
        (lambda: Policy(municipality="Enschede"), "municipality"),
        (lambda: Policy(spreading={"lq_threshold": 1.5}), "spreading"),
    ],
)
def test_each_section_refuses_a_bad_field_when_built(build, key):
    with pytest.raises(InputError) as caught:
        build()
    assert [p.column for p in caught.value.problems] == [key]


def test_a_bad_field_names_its_class_and_the_rule():
    with pytest.raises(InputError) as caught:
        Spreading(lq_threshold=-1)
    (problem,) = caught.value.problems
    assert str(problem) == (
        "Spreading, column 'lq_threshold': must be greater than 0 (the default is 1.5), got -1"
    )


def test_the_file_and_the_dataclass_share_one_rule():
    """A value the file reader refuses is refused by the constructor with the same words."""
    with pytest.raises(InputError) as from_file:
        policy_from_dict({"solver": {"method": "magic"}}, "policy.toml")
    with pytest.raises(InputError) as built:
        SolverSettings(method="magic")
    assert from_file.value.problems[0].message == built.value.problems[0].message
    assert from_file.value.problems[0].column == "solver.method"


def test_replace_checks_again():
    with pytest.raises(InputError, match="lq_threshold"):
        dataclasses.replace(Spreading(), lq_threshold=-1)


def test_placed_this_period_codes_are_upper_case():
    assert Spreading(placed_this_period={"bu01530606": 2}).placed_this_period == {"BU01530606": 2}
    policy = policy_from_dict({"spreading": {"placed_this_period": {"bu01530606": 2}}})
    assert policy.spreading.placed_this_period == {"BU01530606": 2}
    with pytest.raises(InputError, match="like BU01530606 = 2"):
        policy_from_dict({"spreading": {"placed_this_period": 3}})


def test_the_defaults_pass_every_rule():
    for section in (Period, Matching, Spreading, Affordability, Occupancy, Weights):
        section()
    assert Policy().solver == SolverSettings()
