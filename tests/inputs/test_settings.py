"""The generic settings reader: TOML tables into frozen dataclasses that check themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.settings import (
    INLINE,
    Pattern,
    Range,
    Table,
    build,
    check,
    read,
    read_table,
    reject,
)

FILE = "settings.toml"


@dataclass(frozen=True)
class Mix:
    shares: Annotated[Mapping[int, float], Table(keys=Range(0, 4))] = field(
        default_factory=lambda: {1: 1.0}
    )
    names: Annotated[Mapping[str, float], Table()] = field(default_factory=lambda: {"a": 1.0})

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class Window:
    start: dt.date = dt.date(2019, 7, 1)
    end: dt.date = dt.date(2019, 12, 31)

    def __post_init__(self) -> None:
        check(self)
        if self.end < self.start:
            reject(self, "end", "ends before it starts")


@dataclass(frozen=True)
class Example:
    count: Annotated[int, Range(1, 10)]
    share: Annotated[float, Range(0.0, 1.0)] = 0.5
    rate: Annotated[float, Range(0.0, above=True, message="a rate must be above 0")] = 1.0
    cap: Annotated[int | None, Range(low=0)] = None
    on: bool = True
    level: Literal["buurt", "wijk"] = "buurt"
    code: Annotated[str | None, Pattern(r"GM\d{4}", "a code like GM0153")] = None
    tags: tuple[str, ...] = ()
    window: Window = field(default_factory=Window)
    mix: Annotated[Mix, INLINE] = field(default_factory=Mix)

    def __post_init__(self) -> None:
        check(self)


def columns(problems) -> dict[str, str]:
    return {p.column: p.message for p in problems}


# --------------------------------------------------------------------------
# checking where built


def test_a_good_object_builds():
    assert Example(count=3).share == 0.5


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"count": 0}, "count", "must be at least 1, got 0"),
        ({"count": 11}, "count", "must be at most 10, got 11"),
        ({"count": 2.5}, "count", "expected a whole number, got 2.5"),
        ({"count": True}, "count", "expected a whole number, got True"),
        ({"share": float("nan")}, "share", "must be a number, got nan"),
        ({"rate": 0.0}, "rate", "a rate must be above 0, got 0.0"),
        ({"cap": -1}, "cap", "must be at least 0, got -1"),
        ({"on": "yes"}, "on", "expected true or false, got 'yes'"),
        ({"level": "stad"}, "level", "must be one of 'buurt', 'wijk', got 'stad'"),
        ({"code": "GM153"}, "code", "expected a code like GM0153, got 'GM153'"),
        ({"tags": ["a"]}, "tags", "expected a list, got ['a']"),
        ({"window": {}}, "window", "expected a Window, got {}"),
    ],
)
def test_a_bad_field_is_refused_where_the_object_is_built(changes, key, message):
    with pytest.raises(InputError) as caught:
        Example(**{"count": 3, **changes})
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.message) == ("Example", key, message)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InputError) as caught:
        Example(count=0, share=2.0, level="stad")
    assert set(columns(caught.value.problems)) == {"count", "share", "level"}


def test_replace_checks_again():
    with pytest.raises(InputError, match="must be at most 1"):
        replace(Example(count=3), share=1.5)


def test_an_int_is_a_float_and_none_is_allowed_only_where_optional():
    assert Example(count=3, share=1).share == 1
    with pytest.raises(InputError, match="got nothing"):
        Example(count=None)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({5: 1.0}, "key 5 must be at most 4"),
        ({1: -1.0}, "value of 1 must be at least 0"),
        ({1: 0.0, 2: 0}, "needs at least one share above 0"),
        ({}, "needs at least one share above 0"),
        ({"one": 1.0}, "key 'one' is not a whole number"),
        ({1: "many"}, "value of 1 is not a number"),
        ([1, 2], "expected a table such as {1 = 55, 2 = 10}, got [1, 2]"),
    ],
)
def test_tables_of_shares(table, message):
    with pytest.raises(InputError) as caught:
        Mix(shares=table)
    assert [p.message for p in caught.value.problems] == [message]


def test_a_rule_across_fields_names_the_field_to_change():
    with pytest.raises(InputError) as caught:
        Window(start=dt.date(2019, 7, 1), end=dt.date(2019, 1, 1))
    assert columns(caught.value.problems) == {"end": "ends before it starts"}


def test_a_range_without_values_is_a_programming_error():
    with pytest.raises(ValueError):
        Range(low=1, high=0)
    with pytest.raises(ValueError):
        Range(above=True)


# --------------------------------------------------------------------------
# reading TOML tables


def test_values_are_converted_by_type_hint():
    data = {
        "count": 2,
        "share": 1,
        "tags": ["x", "y"],
        "window": {"start": dt.datetime(2019, 8, 1, 12, 0)},
        "shares": {"3": 2, "0": 1},
        "names": {"b": 1, "a": 2},
    }
    example = read(Example, data, "example", FILE)
    assert example.problems == ()
    value = example.value
    assert value is not None
    assert value.share == 1.0 and isinstance(value.share, float)
    assert value.tags == ("x", "y")
    assert value.window.start == dt.date(2019, 8, 1)
    # whole-number keys are numbers and sorted, so file order never changes a draw
    assert list(value.mix.shares.items()) == [(0, 1.0), (3, 2.0)]
    assert list(value.mix.names) == ["b", "a"]  # names keep the file's order


def test_every_problem_of_a_table_is_reported_with_file_and_key_path():
    data = {
        "count": 0,
        "share": "half",
        "colour": "blue",
        "level": "stad",
        "shares": {"9": 1},
        "window": {"start": dt.date(2020, 1, 1), "end": dt.date(2019, 1, 1), "x": 1},
    }
    example = read(Example, data, "example", FILE)
    assert example.value is None
    assert {p.file for p in example.problems} == {FILE}
    found = columns(example.problems)
    assert set(found) == {
        "example.count",
        "example.share",
        "example.colour",
        "example.level",
        "example.shares",
        "example.window.x",
        "example.window.end",
    }
    assert found["example.share"] == "expected a number, got 'half'"
    assert found["example.colour"].startswith("unknown setting; known: cap, code, count,")
    assert found["example.shares"] == "key 9 must be at most 4"
    assert found["example.window.end"] == "ends before it starts"


def test_read_table_keeps_only_valid_values():
    table = read_table(Example, {"count": 3, "share": 7}, "", FILE)
    assert table.value == {"count": 3}
    assert columns(table.problems) == {"share": "must be at most 1, got 7.0"}


def test_required_settings_are_named_once():
    assert columns(read(Example, {}, "example", FILE).problems) == {
        "example.count": "required setting is missing"
    }
    # a wrong value is reported as wrong, not also as missing
    assert columns(read(Example, {"count": "x"}, "example", FILE).problems) == {
        "example.count": "expected a whole number, got 'x'"
    }
    window = read_table(Window, {}, "window", FILE, required=("end",))
    assert columns(window.problems) == {"window.end": "required setting is missing"}


def test_a_section_that_is_not_a_table():
    example = read(Example, {"count": 1, "window": 3}, "", FILE)
    assert columns(example.problems) == {"window": "expected a [window] section"}


def test_keys_limit_a_table_and_also_lets_the_caller_read_some_itself():
    table = read_table(Example, {"count": 1, "mine": {}, "share": 0.1}, "x", FILE,
                       keys=("count",), also=("mine",))  # fmt: skip
    assert table.value == {"count": 1}
    assert columns(table.problems) == {"x.share": "unknown setting; known: count, mine"}


def test_build_names_cross_field_problems_by_key_path():
    built = build(Window, {"start": dt.date(2020, 1, 1)}, "variant.a.period", FILE)
    assert built.value is None
    assert columns(built.problems) == {"variant.a.period.end": "ends before it starts"}
    assert build(Example, {}, "x", FILE).value is None  # required value absent: no object
