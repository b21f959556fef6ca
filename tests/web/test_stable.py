"""A plan the meeting keeps from an earlier solve is reported exactly as a fresh run reports it."""

from __future__ import annotations

import json

from allocatie.match import Inputs, report_result, run_match
from allocatie.web import meeting
from tests.paths import EXAMPLE


def _text(figures: dict[str, object]) -> str:
    return json.dumps(figures, sort_keys=True, default=str)  # NaN == NaN as text


def test_the_kept_plan_and_a_fresh_report_of_the_same_selection_are_identical() -> None:
    inputs = Inputs.from_scenario(EXAMPLE)
    fresh = run_match(inputs, lang="nl")
    again = report_result(
        inputs, fresh.instance, fresh.areas, fresh.result, fresh.instance.policy.solver, "nl"
    )
    kept = meeting._stable(fresh, fresh, inputs, {})
    assert kept is not fresh  # the selection was kept and reported again, not passed through
    for other in (again, kept):
        assert other.plan.equals(fresh.plan)
        assert _text(other.kpis) == _text(fresh.kpis)
        assert other.manifest == fresh.manifest
        assert other.area_effects.equals(fresh.area_effects)
