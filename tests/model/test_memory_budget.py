"""Runs too large for the machine are refused before a pair is built, with numbers and advice."""

from __future__ import annotations

import resource

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.inputs.errors import InputError
from allocatie.model import eligibility
from allocatie.model.eligibility import size_pair_count, size_pairs
from tests.paths import FIXTURES


def test_the_count_equals_the_pairs_made():
    rng = np.random.default_rng(3)
    for _ in range(20):
        people = rng.integers(1, 9, 60)
        bedrooms = rng.integers(0, 6, 80)
        groups = (rng.integers(-1, 3, 60), rng.integers(0, 3, 80))
        for g in (groups, (None, None)):
            assert size_pair_count(people, bedrooms, 2, *g) == len(
                size_pairs(people, bedrooms, 2, *g)[0]
            )


def test_ten_thousand_identical_households_and_dwellings_are_refused_before_building(
    tmp_path, monkeypatch
):
    """100 million pairs once ran past 8 GB in 40 s and were killed without a word."""
    n = 10_000
    households = tmp_path / "households.csv"
    households.write_text(
        "household_id,persons,linked_on\n" + "".join(f"H{i},2,2019-06-01\n" for i in range(n)),
        encoding="utf-8",
    )
    dwellings = tmp_path / "dwellings.csv"
    dwellings.write_text(
        "dwelling_id,corporation,buurt_code,bedrooms,rent,available_from\n"
        + "".join(f"D{i},Domijn,BU01530606,1,500,2019-10-01\n" for i in range(n)),
        encoding="utf-8",
    )
    monkeypatch.setattr(eligibility, "available_memory", lambda: 16 * 2**30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = CliRunner().invoke(cli, [
        "match", "--households", str(households), "--dwellings", str(dwellings),
        "--policy", str(FIXTURES / "tiny" / "policy.toml"), "--out", str(tmp_path / "out"),
    ])  # fmt: skip
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.exit_code == 2, result.output
    assert "100,000,000 pairs that fit on size" in result.output
    assert "gemeente_code" in result.output and "window_days" in result.output
    assert not (tmp_path / "out").exists()
    assert grown_mib < 1024  # refused long before the 28 GiB it would have taken


def test_a_run_that_fits_is_not_refused_and_one_that_does_not_is(monkeypatch):
    monkeypatch.setattr(eligibility, "available_memory", lambda: 2**30)
    fits = int(eligibility.MEMORY_SHARE * 2**30 / eligibility.BYTES_PER_PAIR)
    eligibility.check_memory(fits, pd.DataFrame(), pd.DataFrame())
    with pytest.raises(InputError, match="pairs that fit on size"):
        eligibility.check_memory(fits + 1, pd.DataFrame(), pd.DataFrame())
