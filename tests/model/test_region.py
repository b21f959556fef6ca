"""The region's inputs and building: [region] policy, binding column, pooled pairs, RegionData."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import Region, policy_from_dict
from allocatie.inputs.schema import BINDINGS, read_households
from allocatie.match import Checked, Inputs, build, read_inputs
from allocatie.model.builder import Instance
from allocatie.model.region import region_data
from tests.language import english  # noqa: F401  (autouse: messages in English)
from tests.paths import EXAMPLES

TWENTE = EXAMPLES / "twente-2019h2"


def _problems(data: dict) -> list[tuple[str | None, str]]:
    with pytest.raises(InputError) as caught:
        policy_from_dict(data)
    return [(p.column, p.message) for p in caught.value.problems]


def test_no_region_is_todays_behaviour() -> None:
    assert policy_from_dict({}).region == Region()
    assert not Region().pooling and Region().municipalities == ()


def test_region_reads_and_computes_targets() -> None:
    policy = policy_from_dict(
        {
            "region": {
                "municipalities": ["GM0153", "gm0141"],
                "pooling": True,
                "quota": {"GM0153": 52, "GM0141": 24},
                "backlog": {"GM0153": 6, "GM0141": -30},
                "housed_so_far": {"GM0153": 20},
            }
        }
    )
    region = policy.region
    assert region.municipalities == ("GM0153", "GM0141")
    assert region.target("GM0153") == 52 + 6 - 20
    assert region.target("GM0141") == 0  # a voorsprong larger than the quota: nothing to do


@pytest.mark.parametrize(
    ("region", "key", "words"),
    [
        ({"municipalities": ["GM0153"], "pooling": True}, "region.pooling", "at least two"),
        (
            {"municipalities": ["GM0153", "GM0141"], "quota": {"GM0999": 3}},
            "region.quota",
            "GM0999",
        ),
        ({"municipalities": ["GM015"]}, "region.municipalities", "GM0153"),
        ({"municipalities": ["GM0153", "GM0153"]}, "region.municipalities", "twice"),
        ({"municipalities": ["GM0153", "GM0141"], "quota": {"GM0153": -1}}, "region.quota", "0 or"),
        ({"municipalities": ["GM0153", "GM0141"], "backlog": {"GM0164": 1}}, "region.backlog", ""),
    ],
)
def test_region_problems_name_their_key(region: dict, key: str, words: str) -> None:
    found = _problems({"region": region})
    assert any(column == key and words in message for column, message in found), found


def test_binding_is_a_known_criterion(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "households.csv"
    path.write_text(
        "household_id,persons,linked_on,binding\n"
        "H1,1,2019-01-01,Werk\nH2,2,2019-01-01,\nH3,1,2019-01-01,school\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_households(path)
    (problem,) = caught.value.problems
    assert problem.line == 4 and problem.column == "binding"
    assert all(value in problem.message for value in BINDINGS)
    path.write_text("household_id,persons,linked_on,koppelcriterium\nH1,1,2019-01-01,Werk\n")
    assert read_households(path)["binding"].tolist() == ["werk"]


@cache
def _checked() -> Checked:
    return read_inputs(Inputs.from_scenario(TWENTE))


def _built(pooling: bool) -> Instance:
    checked = _checked()
    region = dataclasses.replace(checked.policy.region, pooling=pooling)
    return build(
        dataclasses.replace(checked, policy=dataclasses.replace(checked.policy, region=region))
    )


def test_pooling_pairs_cross_municipalities_but_a_binding_does_not() -> None:
    pooled, alone = _built(True), _built(False)
    for instance, crossing in ((pooled, True), (alone, False)):
        pairs = instance.pairs
        home = instance.households["gemeente_code"].to_numpy()[pairs["household"]]
        there = instance.dwellings["gemeente_code"].to_numpy()[pairs["dwelling"]]
        assert (home != there).any() == crossing
        bound = instance.households["binding"].notna().to_numpy()[pairs["household"]]
        eligible = pairs["eligible"].to_numpy()
        assert not (eligible & bound & (home != there)).any()
        assert not pairs["keeps_binding"].to_numpy()[bound & (home != there)].any()
    # the funnel counts the rule; without pooling it never removes a dwelling
    assert "keeps_binding" in pooled.funnel.columns
    assert (alone.funnel["keeps_binding"] == alone.funnel["not_refused"]).all()


def test_region_data_of_the_twente_example() -> None:
    instance = _built(True)
    region = region_data(instance)
    policy = instance.policy.region
    assert region.codes == policy.municipalities
    assert region.target.tolist() == [policy.target(c) for c in region.codes]
    region.check(instance.problem)
    moved = region.pair_herkoppeling
    assert moved.any() and not moved.all()
    assert (region.pair_penalty[~moved] == 0).all()
    assert (region.pair_penalty[moved] > 0).all()  # the three cities lie kilometres apart
    # a table of municipality → region: two regions, each solved on its own
    two = region_data(instance, {"GM0153": "a", "GM0164": "a", "GM0141": "b"})
    assert two.municipality_region.tolist() == [0, 0, 1]
    assert np.array_equal(two.pair_herkoppeling, moved)
