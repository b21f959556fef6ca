"""The household's letter: the offer or the wait, why, and what the household may do.

Newcomers ask above all to be informed and to have a say (DESIGN §1). So every
household of a run gets its own short letter, first in plain Dutch (B1: short
sentences, common words, "u"), then the same letter in English: the dwelling
offered (its id, the buurt or wijk, bedrooms, rent, from when; never an
address) or that it waits for now; why, in one or two sentences written from
the household's own facts; and what it may do — accept, refuse and what a
refusal can mean, object (bezwaar) within six weeks.

A letter holds the data of one household only. The coordinator's reasons in
the plan name other households and caps in the planners' words; the letter
never uses them. It is built from facts about this household and its own
dwelling, and identifies the household only by its ``household_id``.

The letters are plain UTF-8 text, one file per household
(``brief-<household_id>.txt``, wrapped at :data:`WIDTH` characters), beside an
index ``letters.csv`` (household, file, dwelling) for a mail merge, and a
manifest; all written as one set (:func:`~allocatie.report.output_set.write_outputs`),
so a folder never holds a letter of an earlier run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import string
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date

from allocatie.i18n import _LOCALES, _, language, money, ngettext, use_language
from allocatie.inputs.policy import SMALL_HOUSEHOLD
from allocatie.report.output_set import write_csv, write_outputs

__all__ = [
    "LETTER_FILES",
    "Facts",
    "letter",
    "letter_facts",
    "letter_names",
    "write_letters",
]

#: Characters of a letter's text per line: fits an A4 page in a 12 pt monospaced font.
WIDTH = 72
#: Weeks a household has to object (bezwaartermijn, Algemene wet bestuursrecht art. 6:7).
OBJECTION_WEEKS = 6
#: Start and end of every letter's file name.
PREFIX, SUFFIX = "brief-", ".txt"
#: The index of the letters (one row per household), for a mail merge.
INDEX = "letters.csv"
#: The set's manifest: the run's inputs, policy and versions, and every file's SHA-256.
MANIFEST = "letters-manifest.json"
#: Every file a letters run may write; any other letter in the folder is an earlier run's.
LETTER_FILES = (f"{PREFIX}*{SUFFIX}", INDEX, MANIFEST)

#: Characters kept as they are in a file name; every other is written as ``_`` + hex bytes.
_SAFE = frozenset(string.ascii_letters + string.digits + "-.")
#: Longest encoded id kept whole in a file name (file systems allow 255 bytes).
_LONGEST = 100

#: Why a household waits: the first rule of the funnel (column → reason) that leaves it
#: no dwelling; else "caps" (a dwelling that fits is still free) or "taken" (all went to others).
FUNNEL_REASONS = {
    "size": "size",
    "fits_rent": "rent",
    "fits_access": "access",
    "available": "available",
    "not_excluded": "excluded",
    "not_refused": "refused",
    "keeps_binding": "binding",
}
WAIT_REASONS = (*FUNNEL_REASONS.values(), "caps", "taken")
#: The heading above the English half of every letter (the same in both languages).
ENGLISH_HEADING = "English"


@dataclass(frozen=True)
class Offer:
    """The dwelling offered to one household, without its address."""

    dwelling_id: str
    area_name: str
    area_level: str  # "buurt" or "wijk"
    municipality: str
    corporation: str
    bedrooms: int
    rent: float
    available_from: dt.date
    pinned: bool


@dataclass(frozen=True)
class Facts:
    """What one household's letter says: its own data and its own dwelling, nothing else.

    ``rent_cap`` is the passend-toewijzen cap that applies to it (``None`` when
    its income is above the rent-benefit limit). ``wish_rank`` is the rank of
    the offered dwelling's area among its wishes (0: not wished); ``interests``
    the share of its interests served near the dwelling (0 without any).
    ``waiting`` is one of :data:`WAIT_REASONS` for a household that waits.
    """

    household_id: str
    municipality: str
    matching_date: dt.date
    linked_on: dt.date
    people: int
    reunification: int
    rent_cap: float | None
    offer: Offer | None
    wish_rank: int = 0
    wishes: int = 0
    interests: float = 0.0
    waiting: str | None = None


def _date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _names(codes: pd.Series, stats: pd.DataFrame) -> pd.Series:
    """Area name per code (the code itself where the area data has none)."""
    if "name" not in stats.columns:
        return codes.astype(str)
    names = stats["name"].reindex(codes.astype(str).to_numpy()).to_numpy()
    return pd.Series(np.where(pd.isna(names), codes.astype(str), names), index=codes.index)


def _wait_reasons(outcome: Any, assignment: np.ndarray) -> np.ndarray:
    """Per household, why it waits (one of :data:`WAIT_REASONS`), or ``""`` when placed.

    The rules in the order of the funnel (the first that leaves nothing);
    when dwellings that fit remain, whether one of them is still free (a cap
    keeps the household out) or all went to other households.
    """
    instance = outcome.instance
    funnel = instance.funnel
    reasons = np.full(len(funnel), "taken", dtype=object)
    decided = np.zeros(len(funnel), dtype=bool)
    for column, reason in FUNNEL_REASONS.items():
        empty = ~decided & (funnel[column].to_numpy() == 0)
        reasons[empty] = reason
        decided |= empty
    taken = np.zeros(instance.problem.n_dwellings, dtype=bool)
    taken[assignment[assignment >= 0]] = True
    eligible = instance.pairs[instance.pairs["eligible"]]
    free = eligible["household"][~taken[eligible["dwelling"].to_numpy()]].to_numpy()
    caps = np.zeros(len(funnel), dtype=bool)
    caps[free] = True
    reasons[~decided & caps] = "caps"
    reasons[assignment >= 0] = ""
    return reasons


def letter_facts(outcome: Any) -> list[Facts]:
    """The facts of every household's letter, in input order.

    ``outcome`` is a :class:`allocatie.match.Outcome`: the same plan the
    coordinator's files show.
    """
    instance = outcome.instance
    households = instance.households.reset_index(drop=True)
    dwellings = instance.dwellings.reset_index(drop=True)
    stats = outcome.areas.stats
    assignment = outcome.result.assignment(instance.problem)
    caps = instance.policy.affordability
    people = households["people"].to_numpy(dtype=np.int64)
    cap = np.where(people <= SMALL_HOUSEHOLD, caps.cap_low, caps.cap_high)
    protected = households["income_below_rent_benefit_limit"].to_numpy(dtype=bool)
    gemeente = households.get("gemeente_code")
    if gemeente is None or gemeente.isna().all():
        gemeente = pd.Series(instance.policy.municipality or "", index=households.index)
    municipality = _names(gemeente.fillna(instance.policy.municipality or ""), stats)
    dwelling_municipality = _names(dwellings["gemeente_code"], stats)
    pairs = instance.pairs.set_index(["household", "dwelling"])
    keys = pd.MultiIndex.from_arrays([np.arange(len(households)), assignment])
    chosen = pairs.reindex(keys).reset_index(drop=True)
    waiting = _wait_reasons(outcome, assignment)
    reunification = households.get("expected_reunification", pd.Series(0, index=households.index))
    out = []
    for i, d in enumerate(assignment.tolist()):
        offer = None
        if d >= 0:
            row = dwellings.iloc[d]
            name = row["area_name"] if isinstance(row["area_name"], str) else row["area_code"]
            offer = Offer(
                dwelling_id=str(row["dwelling_id"]),
                area_name=str(name),
                area_level=str(row["area_level"]),
                municipality=str(dwelling_municipality.iloc[d]),
                corporation=str(row["corporation"]),
                bedrooms=int(row["bedrooms"]),
                rent=float(row["rent"]),
                available_from=_date(row["available_from"]),
                pinned=bool(chosen["pinned"].iloc[i]),
            )
        wishes = households["preferred_areas"].iloc[i]
        out.append(
            Facts(
                household_id=str(households["household_id"].iloc[i]),
                municipality=str(municipality.iloc[i]),
                matching_date=instance.date,
                linked_on=_date(households["linked_on"].iloc[i]),
                people=int(people[i]),
                reunification=int(np.nan_to_num(reunification.iloc[i])),
                rent_cap=float(cap[i]) if protected[i] else None,
                offer=offer,
                wish_rank=int(np.nan_to_num(chosen["wish_rank"].iloc[i])) if offer else 0,
                wishes=len(wishes) if isinstance(wishes, (list, tuple)) else 0,
                interests=float(np.nan_to_num(chosen["interest"].iloc[i])) if offer else 0.0,
                waiting=str(waiting[i]) or None,
            )
        )
    return out


# --- the text ----------------------------------------------------------------------------


def _long_date(value: dt.date) -> str:
    """``1 oktober 2019`` in Dutch, ``1 October 2019`` in English."""
    return format_date(value, format="long", locale=_LOCALES[language()])


def _printable(text: str) -> str:
    """``text`` with characters a printer cannot show replaced (ids are the user's text)."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _who(facts: Facts) -> str:
    who = ngettext("{n} person", "{n} persons", facts.people).format(n=facts.people)
    if facts.reunification:
        who = _("{who}, including the family members you expect").format(who=who)
    return who


def _bedrooms(n: int) -> str:
    if n == 0:
        return _("a studio (no separate bedroom)")
    return ngettext("{n} bedroom", "{n} bedrooms", n).format(n=n)


def _why_offer(facts: Facts, offer: Offer) -> list[str]:
    """One or two sentences from the household's facts: size and rent, then its own wishes."""
    who = _who(facts)
    if facts.rent_cap is not None:
        why = [
            _(
                "This dwelling is the right size for {who}, and the rent is not above the "
                "limit for your household ({cap} a month)."
            ).format(who=who, cap=money(facts.rent_cap))
        ]
    else:
        why = [_("This dwelling is the right size for {who}.").format(who=who)]
    wished = facts.wish_rank > 0
    near = facts.interests > 0
    if offer.pinned:
        why.append(_("Your coordinator had already set this dwelling aside for you."))
    elif wished and facts.wishes > 1:
        rank = facts.wish_rank
        if near:
            sentence = _(
                "It is in an area you chose yourself (your choice number {rank}), and close "
                "to places for your interests."
            )
        else:
            sentence = _("It is in an area you chose yourself (your choice number {rank}).")
        why.append(sentence.format(rank=rank))
    elif wished:
        if near:
            why.append(
                _("It is in the area you chose yourself, and close to places for your interests.")
            )
        else:
            why.append(_("It is in the area you chose yourself."))
    elif facts.interests >= 1 - 1e-9:
        why.append(_("It is close to places for all your interests."))
    elif near:
        why.append(_("It is close to places for some of your interests."))
    return why


def _why_waiting(facts: Facts) -> list[str]:
    """Why this household waits, without any other household's data."""
    who = _who(facts)
    reason = facts.waiting
    if reason == "size":
        return [_("This month no dwelling was offered with the right size for {who}.").format(
            who=who
        )]  # fmt: skip
    if reason == "rent":
        return [
            _(
                "This month no dwelling of the right size was offered with a rent within the "
                "limit for your household ({cap} a month)."
            ).format(cap=money(facts.rent_cap or 0.0))
        ]
    if reason == "access":
        return [
            _(
                "This month no dwelling of the right size and rent was offered that is easy "
                "enough to reach for your household."
            )
        ]
    if reason == "available":
        return [_("The dwellings that fit you only become free later.")]
    if reason == "excluded":
        return [_("The dwellings that fit you are all in areas where you do not want to live.")]
    if reason == "refused":
        return [_("You have already said no to the dwellings that fit you.")]
    if reason == "binding":
        return [
            _(
                "Because of your work, study, family or care you stay in our municipality, "
                "and this month no dwelling that fits you was offered here."
            )
        ]
    if reason == "caps":
        return [
            _(
                "There are dwellings that fit you, but no more new households can live in "
                "their neighbourhood or building this period."
            ),
            _("This is how the municipality spreads new residents over the city."),
        ]
    return [
        _("There were not enough dwellings that fit you for everyone who needs one."),
        _(
            "The municipality first houses as many people as possible, and then the "
            "households that have waited longest."
        ),
    ]


def _fields(rows: list[tuple[str, str]]) -> list[str]:
    """``label:  value`` lines, the values aligned under each other."""
    pad = max(len(label) for label, _value in rows) + 2
    return [f"{label + ':':<{pad}}{value}" for label, value in rows]


def _body(facts: Facts) -> str:
    """The letter in the current language (:func:`allocatie.i18n.use_language`)."""
    reference = _printable(facts.household_id)
    lines = _fields(
        [
            (_("From"), _("Municipality of {name}").format(name=facts.municipality)),
            (_("Reference"), reference),
            (_("Matching of"), _long_date(facts.matching_date)),
        ]
    )
    paragraphs: list[str | list[str]] = [lines]
    offer = facts.offer
    if offer is not None:
        level = _("Neighbourhood") if offer.area_level == "buurt" else _("District")
        paragraphs += [
            _("Subject: a dwelling for you"),
            _("Dear Sir or Madam,"),
            _("We have a dwelling for you."),
            _fields(
                [
                    (_("Dwelling"), _printable(offer.dwelling_id)),
                    (level, f"{_printable(offer.area_name)}, {offer.municipality}"),
                    (_("Bedrooms"), _bedrooms(offer.bedrooms)),
                    (_("Rent"), _("{rent} a month (basic rent)").format(rent=money(offer.rent))),
                    (_("Available from"), _long_date(offer.available_from)),
                    (_("Landlord"), _printable(offer.corporation)),
                ]
            ),
            _("Why this dwelling?"),
            " ".join(_why_offer(facts, offer)),
            _("What can you do?"),
            _(
                "Do you want this dwelling? Tell your coordinator. The landlord will then "
                "contact you about the rental contract."
            ),
            _(
                "Do you not want this dwelling? Then you can refuse it. Tell your coordinator "
                "why. The municipality records your refusal, and the dwelling goes to someone "
                "else. If the dwelling suits you, a refusal can mean that the municipality no "
                "longer has to offer you a dwelling. So please talk to your coordinator first."
            ),
        ]
    else:
        paragraphs += [
            _("Subject: no dwelling for you yet"),
            _("Dear Sir or Madam,"),
            _(
                "We do not have a dwelling for you yet. You have been linked to our "
                "municipality since {date}. You stay on our list. At the next matching we "
                "look for a dwelling for you again."
            ).format(date=_long_date(facts.linked_on)),
            _("Why no dwelling yet?"),
            " ".join(_why_waiting(facts)),
            _("What can you do?"),
            _(
                "You do not have to do anything now. Has something changed in your household, "
                "for example the number of people? Then please tell your coordinator."
            ),
        ]
    paragraphs += [
        ngettext(
            "Do you disagree with this decision? Then you can object (in Dutch: bezwaar "
            "maken). Write a letter to the municipality within {weeks} week after the date "
            "this letter was sent. Say why you disagree. Mention your reference: {reference}.",
            "Do you disagree with this decision? Then you can object (in Dutch: bezwaar "
            "maken). Write a letter to the municipality within {weeks} weeks after the date "
            "this letter was sent. Say why you disagree. Mention your reference: {reference}.",
            OBJECTION_WEEKS,
        ).format(weeks=OBJECTION_WEEKS, reference=reference),
        _("Do you have questions? Please ask your coordinator."),
        [
            _("Kind regards,"),
            "",
            _("The housing coordinator of the municipality of {name}").format(
                name=facts.municipality
            ),
        ],
    ]
    return "\n\n".join(_wrap(p) for p in paragraphs)


def _wrap(paragraph: str | list[str]) -> str:
    """A paragraph wrapped at :data:`WIDTH`; lines given as a list are kept as they are.

    Words are never broken, not even at hyphens, so an id such as
    ``HH-2019-001`` stays whole on one line.
    """
    if isinstance(paragraph, list):
        return "\n".join(paragraph)
    return textwrap.fill(paragraph, WIDTH, break_long_words=False, break_on_hyphens=False)


def letter(facts: Facts) -> str:
    """The whole letter: the Dutch text, then the same letter in English."""
    with use_language("nl"):
        dutch = _body(facts)
    with use_language("en"):
        english = _body(facts)
    rule = "-" * WIDTH
    return f"{dutch}\n\n{rule}\n{ENGLISH_HEADING}\n{rule}\n\n{english}\n"


# --- the files ---------------------------------------------------------------------------


def _encode(household_id: str) -> str:
    """The id with every character outside :data:`_SAFE` as ``_`` + its UTF-8 bytes in hex.

    ``_`` itself is encoded, so the encoding can be read back: two ids never
    give the same text.
    """
    return "".join(
        c if c in _SAFE else "".join(f"_{b:02x}" for b in c.encode("utf-8")) for c in household_id
    )


def _hashed(household_id: str, encoded: str) -> str:
    digest = hashlib.sha256(household_id.encode("utf-8")).hexdigest()[:16]
    return f"{encoded[:_LONGEST]}~{digest}"


def letter_names(household_ids: Iterable[str]) -> list[str]:
    """A safe, distinct file name for each household's letter: ``brief-HH-2019-001.txt``.

    Letters, digits, ``-`` and ``.`` are kept; any other character is written
    as ``_`` and its bytes in hex (``HH/1`` → ``brief-HH_2f1.txt``), so a name
    can hold no folder, no control character and no leading dot. An id too
    long for a file name, or two ids that differ only in upper and lower case
    (one file on Windows and macOS), get ``~`` and 16 hex digits of the id's
    SHA-256 instead; ``~`` appears in no other name.

    Raises
    ------
    ValueError
        When two names would still fall together (the same id twice, or a
        hash collision), so a letter can never replace another.
    """
    ids = [str(h) for h in household_ids]
    encoded = [_encode(h) for h in ids]
    names = [_hashed(h, e) if len(e) > _LONGEST else e for h, e in zip(ids, encoded)]
    folded = pd.Series(names).str.casefold()
    clash = folded.duplicated(keep=False).to_numpy()
    names = [_hashed(h, e) if c and "~" not in n else n
             for h, e, n, c in zip(ids, encoded, names, clash)]  # fmt: skip
    files = [f"{PREFIX}{n}{SUFFIX}" for n in names]
    if len({f.casefold() for f in files}) != len(files):
        raise ValueError("two households' letters would get the same file name")
    return files


def _write_text(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8", newline="\n")

    return write


def write_letters(out_dir: Path, outcome: Any) -> list[Path]:
    """Write every household's letter into ``out_dir``, as one set with an index.

    ``outcome`` is a :class:`allocatie.match.Outcome`. The folder may be the
    one ``allocatie match`` wrote: the letters have their own manifest
    (``letters-manifest.json``) and neither set removes the other's files; an
    earlier run's letters are removed in the same swap.

    Returns
    -------
    list of Path
        The letters, then ``letters.csv`` and ``letters-manifest.json``.
    """
    facts = letter_facts(outcome)
    files = letter_names(f.household_id for f in facts)
    writers: dict[str, Callable[[Path], None]] = {
        name: _write_text(letter(f)) for name, f in zip(files, facts)
    }
    index = pd.DataFrame(
        {
            "household_id": [f.household_id for f in facts],
            "letter": files,
            "dwelling_id": pd.array(
                [f.offer.dwelling_id if f.offer else None for f in facts], dtype="string"
            ),
        }
    )
    writers[INDEX] = lambda p: write_csv(index, p)
    record = dict(outcome.manifest)
    writers[MANIFEST] = _write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    inputs = [entry["path"] for entry in outcome.manifest.get("inputs", {}).values()]
    return write_outputs(out_dir, writers, owned=LETTER_FILES, inputs=inputs, manifest=MANIFEST)
