"""``why_not``: the rule, promise, cap or tier that keeps a household from a dwelling.

Runs on the bundled example (with its pins and refusals) through ``run_match``,
so the answers are checked against the very tables the engine built.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from allocatie.match import Inputs, Outcome, run_match
from allocatie.model.eligibility import RULES
from allocatie.solve import solve
from allocatie.web.why import why_not
from tests.paths import EXAMPLE


@cache
def _outcome() -> Outcome:
    return run_match(Inputs.from_scenario(EXAMPLE), lang="nl")


def _ids(outcome: Outcome, h: int, d: int) -> tuple[str, str]:
    instance = outcome.instance
    return (
        str(instance.households["household_id"].iloc[h]),
        str(instance.dwellings["dwelling_id"].iloc[d]),
    )


def test_the_proposed_pair() -> None:
    outcome = _outcome()
    assignment = outcome.result.assignment(outcome.instance.problem)
    h = int(np.flatnonzero(assignment >= 0)[0])
    answer = why_not(outcome.instance, outcome.result, *_ids(outcome, h, int(assignment[h])))
    assert answer.kind == "proposed"


@pytest.mark.parametrize("rule", RULES)
def test_the_first_broken_rule_is_named(rule: str) -> None:
    outcome = _outcome()
    pairs = outcome.instance.pairs
    earlier = [r for r in RULES[: RULES.index(rule)]]
    hit = pairs[~pairs[rule] & pairs[earlier].all(axis=1)] if earlier else pairs[~pairs[rule]]
    if hit.empty:
        pytest.skip(f"the example has no pair that fails {rule} first")
    row = hit.iloc[0]
    answer = why_not(
        outcome.instance, outcome.result, *_ids(outcome, row["household"], row["dwelling"])
    )
    assert answer.kind == rule
    if rule == "fits_rent":
        assert "huurgrens" in answer.text and "€" in answer.text


def test_a_size_that_does_not_fit() -> None:
    outcome = _outcome()
    instance = outcome.instance
    pairs = set(zip(instance.pairs["household"], instance.pairs["dwelling"]))
    h, d = next(
        (h, d)
        for h in range(len(instance.households))
        for d in range(len(instance.dwellings))
        if (h, d) not in pairs
    )
    answer = why_not(instance, outcome.result, *_ids(outcome, h, d))
    assert answer.kind == "size" and "slaapkamer" in answer.text


def test_a_refusal_and_a_pin_of_the_example() -> None:
    outcome = _outcome()
    refused = why_not(outcome.instance, outcome.result, "HH-2019-023", "W-2019-10-23")
    assert refused.kind in ("not_refused", "size", "fits_rent", "fits_access", "available")
    other = next(
        h for h in outcome.instance.households["household_id"].astype(str) if h != "HH-2019-017"
    )
    promised = why_not(outcome.instance, outcome.result, other, "W-2019-10-02")
    assert promised.kind in ("pin", "size", *RULES)
    if promised.kind == "pin":
        assert "HH-2019-017" in promised.text


def test_a_dwelling_not_on_the_table() -> None:
    outcome = _outcome()
    answer = why_not(
        outcome.instance,
        outcome.result,
        "HH-2019-001",
        "W-elders",
        {"W-elders": "al verhuurd: toegewezen aan HH-2019-099"},
    )
    assert answer.kind == "offer" and "al verhuurd" in answer.text
    assert (
        why_not(outcome.instance, outcome.result, "HH-onbekend", "W-2019-10-01").kind == "household"
    )


def test_eligible_pairs_name_the_tier_that_loses_and_that_is_true() -> None:
    outcome = _outcome()
    instance, result = outcome.instance, outcome.result
    problem = instance.problem
    chosen = np.asarray(result.selected, dtype=bool)
    pinned_h = set(problem.pair_household[problem.pair_pinned])
    pinned_d = set(problem.pair_dwelling[problem.pair_pinned])
    seen = set()
    for pair in np.flatnonzero(~chosen):
        h, d = int(problem.pair_household[pair]), int(problem.pair_dwelling[pair])
        if h in pinned_h or d in pinned_d:
            continue
        answer = why_not(instance, result, *_ids(outcome, h, d))
        assert answer.kind in ("cap", "tier1", "tier2", "tier3", "tie"), answer
        if answer.kind.startswith("tier") and answer.kind not in seen:
            pins = problem.pair_pinned.copy()
            pins[pair] = True
            other = solve(problem.replace(pair_pinned=pins), instance.policy.solver)
            tier = int(answer.kind[-1]) - 1
            assert other.objective[:tier] == result.objective[:tier]
            assert other.objective[tier] < result.objective[tier]
        seen.add(answer.kind)
        if len(seen) >= 3:
            break
    assert seen
