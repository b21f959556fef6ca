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


# --------------------------------------------------------------------------
# what a coordinator writes by hand: lines, did-you-mean, dates


def problems_of(path) -> dict[str, tuple[int | None, str]]:
    with pytest.raises(InputError) as caught:
        load_policy(path)
    return {p.column or "": (p.line, p.message) for p in caught.value.problems}


def test_misspelt_and_dutch_keys_get_a_did_you_mean_and_their_line():
    found = problems_of(FIXTURES / "policy_misspelt_key.toml")
    assert set(found) == {
        "taakstelling", "period.achterstand", "spreading.lq_treshold",
        "affordability.aftoppingsgrens",
    }  # fmt: skip
    assert found["spreading.lq_treshold"][0] == 11
    assert "did you mean 'lq_threshold'?" in found["spreading.lq_treshold"][1]
    line, message = found["taakstelling"]
    assert line == 3 and "did you mean 'quota_persons' in [period]?" in message
    assert "did you mean 'backlog_persons'?" in found["period.achterstand"][1]
    assert "did you mean 'cap_low' or 'cap_high'?" in found["affordability.aftoppingsgrens"][1]


def test_a_dutch_or_misspelt_section_name_is_recognised(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[periode]\nstart = 2019-07-01\n\n[spreding]\nlq_threshold = 1.5\n")
    found = problems_of(path)
    assert found["periode"][0] == 1 and "did you mean 'period'?" in found["periode"][1]
    assert found["spreding"][0] == 4 and "did you mean 'spreading'?" in found["spreding"][1]


def test_a_date_written_the_dutch_way_says_how_to_write_it():
    ((key, (line, message)),) = problems_of(
        FIXTURES / "policy_date_written_dutch_style.toml"
    ).items()
    assert (key, line) == ("", 3)
    assert "TOML syntax error" in message and "column 9" in message
    assert message.endswith("write dates as YYYY-MM-DD: end = 2019-12-31")


@pytest.mark.parametrize(
    ("line", "fix"),
    [
        ("end = 2019/12/31", "end = 2019-12-31"),
        ("end = 01/02/2019", "write dates as 2019-12-31 (YYYY-MM-DD)"),  # day or month first?
        ("municipality = GM0153", 'put text in quotes: municipality = "GM0153"'),
        ("lq_threshold = 1,5", "write a decimal point, not a comma: lq_threshold = 1.5"),
        ("projected_composition = ja", "write true or false: projected_composition = true"),
    ],
)
def test_the_usual_slips_in_toml_get_their_fix(tmp_path, line, fix):
    path = tmp_path / "p.toml"
    path.write_text(f"# policy\n{line}\n")
    ((_key, (number, message)),) = problems_of(path).items()
    assert number == 2 and fix in message


def test_a_date_in_quotes_is_a_type_problem_with_the_fix(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[period]\nstart = 2019-07-01\nend = "31-12-2019"\n')
    line, message = problems_of(path)["period.end"]
    assert line == 3
    assert "expected a date like 2019-07-01, got '31-12-2019'" in message
    assert "write dates as YYYY-MM-DD without quotes: 2019-12-31" in message


def test_problems_of_valid_toml_get_the_line_of_their_key():
    found = problems_of(FIXTURES / "policy_out_of_range_values.toml")
    assert {k: line for k, (line, _m) in found.items()} == {
        "period.end": 3, "spreading.lq_threshold": 7, "affordability.cap_low": 10,
        "weights.fit": 13, "solver.method": 16,
    }  # fmt: skip


def test_key_lines_follow_sections_dotted_and_quoted_keys():
    from allocatie.inputs.settings import key_lines

    text = (
        'municipality = "GM0153"\n'
        "[spreading]\n"
        'notes = """\nquota_persons = 1\n"""\n'
        "lq_threshold = 1.5\n"
        "[spreading.placed_this_period]\n"
        '"BU01530606" = 2\n'
        "[period]\n"
        "a.b = 1\n"
    )
    lines = key_lines(text)
    assert lines["municipality"] == 1
    assert lines["spreading.lq_threshold"] == 6
    assert "spreading.quota_persons" not in lines  # inside a multi-line string
    assert lines["spreading.placed_this_period.BU01530606"] == 8
    assert lines["period.a.b"] == 10


# --------------------------------------------------------------------------
# passend toewijzen by year


def test_a_policy_without_caps_takes_those_of_the_year_its_period_starts_in(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[period]\nstart = 2025-01-01\nend = 2025-06-30\n")
    caps = load_policy(path).affordability
    assert (caps.cap_low, caps.cap_high, caps.year) == (682.96, 731.93, 2025)
    assert caps.source.startswith("passend toewijzen 2025 (bundled; rijksoverheid.nl")
    assert load_policy(FIXTURES / "minimal.toml").affordability.year == 2019


def test_caps_named_in_the_policy_are_the_policy_files():
    caps = load_policy(EXAMPLE / "policy.toml").affordability
    assert (caps.cap_low, caps.cap_high, caps.source, caps.year) == (
        607.46, 651.03, "policy file", None
    )  # fmt: skip


def test_a_year_without_bundled_caps_names_the_keys_to_set():
    ((key, (line, message)),) = problems_of(
        FIXTURES / "policy_year_without_bundled_caps.toml"
    ).items()
    assert (key, line) == ("period.start", 5)
    assert "no passend-toewijzen rent caps for 2026" in message
    assert "cap_low = … and cap_high = …" in message


def test_one_cap_without_the_other_is_a_problem():
    found = problems_of(FIXTURES / "policy_one_rent_cap_only.toml")
    assert found == {
        "affordability.cap_high": (
            6,
            "cap_low is set but cap_high is not; set both aftoppingsgrenzen, or neither to use "
            "those of the year the period starts in",
        )
    }


def test_source_and_year_are_not_keys_of_the_file():
    with pytest.raises(InputError) as caught:
        policy_from_dict({"affordability": {"cap_low": 1.0, "cap_high": 2.0, "source": "x"}})
    (problem,) = caught.value.problems
    assert problem.column == "affordability.source"
    assert "unknown setting" in problem.message


def test_no_harm_with_a_region_is_refused_rather_than_ignored():
    data = {
        "fairness": {"no_harm": True},
        "region": {"municipalities": ["GM0153", "GM0141"], "pooling": True},
    }
    with pytest.raises(InputError, match="no_harm is not yet available for a region"):
        policy_from_dict(data)
