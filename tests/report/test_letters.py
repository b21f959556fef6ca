"""The household's letter: its own offer or wait, in Dutch and English, and nobody else's data."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.match import Inputs, run_match
from allocatie.report.letters import (
    LETTER_FILES,
    MANIFEST,
    letter,
    letter_facts,
    letter_names,
    write_letters,
)
from allocatie.report.output_set import verify_outputs, write_outputs
from tests.paths import EXAMPLE, FIXTURES

TINY = FIXTURES / "tiny"
DUTCH, ENGLISH = "Wij hebben een woning voor u.", "We have a dwelling for you."
DUTCH_WAIT, ENGLISH_WAIT = (
    "Wij hebben nog geen woning voor u.",
    "We do not have a dwelling for you yet.",
)


@cache
def _outcome(folder: Path = TINY):
    return run_match(Inputs.from_scenario(folder))


def _letters(outcome) -> dict[str, str]:
    return {f.household_id: letter(f) for f in letter_facts(outcome)}


def _flat(text: str) -> str:
    """The text with its line breaks (and the no-break space in ``€ 600,00``) as spaces."""
    return " ".join(text.replace("\xa0", " ").split())


# --- what a letter says -------------------------------------------------------------------


def test_tiny_letters_name_the_own_dwelling_and_rent_or_say_it_waits():
    """Hand-checked (tests/test_match.py): T1 gets A (€600), T2 gets C (€450), T3 waits."""
    letters = _letters(_outcome())
    t1, t2, t3 = (_flat(letters[h]) for h in ("T1", "T2", "T3"))
    assert DUTCH in t1 and ENGLISH in t1
    lines = letters["T1"].splitlines()
    assert re.sub(" +", " ", lines[10]) == "Woning: A"
    assert any(re.fullmatch("Dwelling: +A", line) for line in lines)
    assert "€ 600,00 per maand" in t1 and "€600.00 a month" in t1
    assert "Wesselerbrink Noord-West, Enschede" in t1 and "1 oktober 2019" in t1
    assert "€ 450,00 per maand" in t2 and "een studio" in t2 and "a studio" in t2
    assert DUTCH_WAIT in t3 and ENGLISH_WAIT in t3
    assert "Dwelling:" not in t3 and "€600" not in t3
    # T3's only dwelling went to T1: the coordinator's reason names T1, the letter does not
    assert "T1" in _outcome().plan.set_index("household_id").loc["T3", "reason"]
    assert "There were not enough dwellings that fit you" in t3 and "T1" not in t3
    for text in (t1, t2, t3):
        assert "bezwaar maken" in text and "within 6 weeks" in text and "binnen 6 weken" in text
        assert "Mention your reference: T" in text and "Noem uw kenmerk: T" in text
    for text in (t1, t2):
        assert "kan een weigering betekenen" in text and "a refusal can mean" in text
        assert "talk to your coordinator first" in text


def test_dutch_comes_first_then_the_same_letter_in_english():
    text = _letters(_outcome())["T1"]
    dutch, english = text.split("\nEnglish\n")
    assert DUTCH in dutch and ENGLISH not in dutch
    assert ENGLISH in english and DUTCH not in english
    assert dutch.count("Kenmerk:") == 1 and english.count("Reference:") == 1


def test_letters_are_printable_and_fit_the_page():
    for text in _letters(_outcome(EXAMPLE)).values():
        lines = text.splitlines()
        # the no-break space keeps "€ 600,00" on one line
        assert all(line.replace("\xa0", " ").isprintable() for line in lines)
        assert max(len(line) for line in lines) <= 72


def test_the_why_of_a_waiting_household_agrees_with_the_coordinators_reason():
    """Two independent derivations: the letter's reason key against explain's sentence."""
    outcome = _outcome(EXAMPLE)
    expected = {"rent": "within the rent cap", "caps": "still free, but", "taken": "went to"}
    with_english = run_match(Inputs.from_scenario(EXAMPLE), lang="en").plan
    reasons = with_english.set_index("household_id")["reason"]
    waiting = [f for f in letter_facts(outcome) if f.offer is None]
    assert {f.waiting for f in waiting} >= {"rent", "caps"}  # the example has both
    for facts in waiting:
        assert expected[facts.waiting] in reasons[facts.household_id]


def test_a_placed_households_why_uses_its_own_wish_rank():
    facts = {f.household_id: f for f in letter_facts(_outcome(EXAMPLE))}
    text = _flat(letter(facts["HH-2019-019"]))
    assert facts["HH-2019-019"].wish_rank == 2
    assert "your choice number 2" in text and "uw keuze nummer 2" in text
    assert "including the family members you expect" in text  # reunification counts


# --- no other household's data ------------------------------------------------------------


def _no_other_ids(letters: dict[str, str]) -> None:
    for own, text in letters.items():
        assert text.count(own) >= 2  # the reference, in both languages
        for other in letters:
            if other != own:
                assert other not in text, (own, other)


def test_no_letter_of_the_example_names_another_household():
    outcome = _outcome(EXAMPLE)
    letters = _letters(outcome)
    assert len(letters) == 23
    _no_other_ids(letters)


_ID = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789-_/", min_size=1, max_size=8).map(
    lambda s: "QX" + s
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ID, min_size=3, max_size=3, unique=True))
def test_no_letter_holds_another_households_id(ids):
    """For every pair of households, the id of one is not in the other's letter."""
    if any(a != b and a in b for a in ids for b in ids):
        return  # an id inside another id is in its letter by construction
    with tempfile.TemporaryDirectory() as folder:
        households = pd.read_csv(TINY / "households.csv", dtype=str)
        households["household_id"] = ids
        households.to_csv(Path(folder) / "households.csv", index=False)
        outcome = run_match(
            Inputs(Path(folder) / "households.csv", TINY / "dwellings.csv", TINY / "policy.toml")
        )
    letters = _letters(outcome)
    assert set(letters) == set(ids)
    _no_other_ids(letters)


# --- file names ---------------------------------------------------------------------------


def test_file_names_keep_plain_ids_readable():
    names = letter_names(["HH-2019-001", "HH/1", "HH_1", "../etc", "hh-2019-001"])
    assert names[1] == "brief-HH_2f1.txt" and names[2] == "brief-HH_5f1.txt"
    assert names[3] == "brief-.._2fetc.txt"
    # differing only in case: one file on Windows and macOS, so both are told apart by a hash
    assert names[0].startswith("brief-HH-2019-001~") and names[4].startswith("brief-hh-2019-001~")


@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=20, unique=True))
def test_file_names_are_safe_and_distinct_for_any_ids(ids):
    names = letter_names(ids)
    assert len({n.casefold() for n in names}) == len(ids)
    for name in names:
        assert re.fullmatch(r"brief-[A-Za-z0-9._~-]+\.txt", name), name
        assert len(name.encode()) <= 255


def test_the_same_id_twice_is_refused():
    with pytest.raises(ValueError, match="same file name"):
        letter_names(["A", "A"])


# --- the set of files ---------------------------------------------------------------------


def test_a_second_run_with_fewer_households_leaves_no_stale_letter(tmp_path):
    out = tmp_path / "letters"
    first = write_letters(out, _outcome())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["brief-T1.txt", "brief-T2.txt", "brief-T3.txt", "letters.csv", MANIFEST]
    )
    assert len(first) == 5
    households = pd.read_csv(TINY / "households.csv", dtype=str)
    households[households["household_id"] != "T3"].to_csv(tmp_path / "h.csv", index=False)
    fewer = run_match(Inputs(tmp_path / "h.csv", TINY / "dwellings.csv", TINY / "policy.toml"))
    write_letters(out, fewer)
    assert not (out / "brief-T3.txt").exists()
    assert (out / "brief-T1.txt").exists()
    assert verify_outputs(out, MANIFEST, LETTER_FILES) == []
    index = pd.read_csv(out / "letters.csv", dtype=str)
    assert index["household_id"].tolist() == ["T1", "T2"]
    assert index["dwelling_id"].tolist() == ["A", "C"]


def test_letters_and_the_plan_share_a_folder_without_removing_each_other(tmp_path):
    from allocatie.report.outputs import PLAN_FILES, write_plan

    out = tmp_path / "out"
    write_plan(out, _outcome(), maps=False)
    write_letters(out, _outcome())
    write_plan(out, _outcome(), maps=False)
    assert (out / "brief-T1.txt").exists() and (out / "plan.csv").exists()
    assert verify_outputs(out, MANIFEST, LETTER_FILES) == []
    assert verify_outputs(out, "manifest.json", PLAN_FILES) == []


def test_owned_patterns_remove_stale_files_but_never_an_input(tmp_path):
    """write_outputs: a pattern in ``owned`` covers a varying set of files."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("x-old.txt", "x-input.txt", "y.txt"):
        (out / name).write_text(name)
    write_outputs(
        out,
        {"x-new.txt": lambda p: p.write_text("new")},
        owned=("x-*.txt",),
        inputs=[out / "x-input.txt"],
    )
    assert sorted(p.name for p in out.iterdir()) == ["x-input.txt", "x-new.txt", "y.txt"]
    assert verify_outputs(out, "m.json", ("x-*.txt", "m.json"))  # no manifest: not whole
