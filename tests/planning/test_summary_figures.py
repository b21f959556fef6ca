"""The scenario summary: one definition of "outside concentrated", and why FCFS houses more.

Built on a hand-made comparison table, so the figures are known exactly.
"""

from __future__ import annotations

import pandas as pd
import pytest

from allocatie.i18n import use_language
from allocatie.planning.scenario import COMPARISON_COLUMNS, WHY_FEWER_COLUMN, summarise


def _row(scenario: str, method: str, seed: int, **values: float) -> dict:
    row = dict.fromkeys(COMPARISON_COLUMNS, 0.0)
    row.update(scenario=scenario, method=method, seed=seed, **values)
    return row


def _comparison() -> pd.DataFrame:
    rows = [
        # seed 1 houses 10 households, 9 outside (90 %); seed 2 houses 40, 28 outside (70 %)
        _row("a", "optimised", 1, households_housed=10, households_outside_concentrated=9,
             share_outside_concentrated=0.9, persons_housed=30, persons_in_concentrated=2,
             households_in_concentrated=1, dwelling_holds=3, dwellings_to_market=2),
        _row("a", "optimised", 2, households_housed=40, households_outside_concentrated=28,
             share_outside_concentrated=0.7, persons_housed=30, persons_in_concentrated=20,
             households_in_concentrated=12, dwelling_holds=1, dwellings_to_market=2),
        _row("a", "fcfs", 1, households_housed=12, households_outside_concentrated=6,
             share_outside_concentrated=0.5, persons_housed=34, persons_in_concentrated=12,
             households_in_concentrated=6, dwellings_to_market=1),
        _row("a", "fcfs", 2, households_housed=42, households_outside_concentrated=21,
             share_outside_concentrated=0.5, persons_housed=36, persons_in_concentrated=30,
             households_in_concentrated=21, dwellings_to_market=1),
        _row("b", "optimised", 1, households_housed=5, households_outside_concentrated=5,
             persons_housed=20),
        _row("b", "fcfs", 1, households_housed=5, households_outside_concentrated=4,
             persons_housed=18),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_outside_concentrated_is_pooled_over_seeds() -> None:
    summary = summarise(_comparison()).set_index(["scenario", "method"])
    # pooled: (9 + 28) / (10 + 40) = 0.74, not the mean of shares 0.80
    assert summary.at[("a", "optimised"), "share_outside_concentrated"] == pytest.approx(0.74)
    assert summary.at[("a", "fcfs"), "share_outside_concentrated"] == pytest.approx(27 / 54)


def test_summary_says_why_the_optimiser_houses_fewer_persons() -> None:
    with use_language("en"):
        summary = summarise(_comparison()).set_index(["scenario", "method"])
    why = summary.at[("a", "optimised"), WHY_FEWER_COLUMN]
    assert "houses 5.0 persons fewer per half year than FCFS (30.0 against 35.0)" in why
    assert "FCFS places 13.5 households (21.0 persons) in concentrated areas" in why
    assert "refuses 10.0 persons' worth" in why
    assert "holds a dwelling back 2.0 times" in why
    assert "1.0 more dwellings per half year go back" in why
    # nothing to explain where the optimiser houses as many or more, or on FCFS rows
    assert summary.at[("a", "fcfs"), WHY_FEWER_COLUMN] == ""
    assert summary.at[("b", "optimised"), WHY_FEWER_COLUMN] == ""
