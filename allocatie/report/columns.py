"""What every column of an output is called, means and holds, in the reader's language.

The engine's tables keep stable English snake_case column names: ``plan.csv``,
``areas.csv`` and ``kpis.json`` are read back by scripts and by the ledger, so
their names never change with the language. What a *person* reads — the
workbook, the report page, the terminal — shows the same columns under a header
in the reader's language, with a legend line per column. This module holds
those headers and meanings, once, through the message catalogue
(:mod:`allocatie.i18n`): in English a header *is* the column name (the same word
as in ``plan.csv``), in Dutch it is the Dutch word (``household_id`` →
``huishouden_id``) — for the columns the input files share, the same Dutch name
the input template uses (``allocatie.inputs.columns``), so one word means one
column everywhere a coordinator meets it.

Readers of a Dutch ``plan.xlsx`` (the ledger's ``month confirm`` reads the
``besluit`` column back, with the id columns) turn its headers back into the
column names with :data:`PLAN_COLUMN_OF_HEADER`::

    frame = frame.rename(columns=PLAN_COLUMN_OF_HEADER)   # huishouden_id → household_id

It maps the Dutch and the English header of every plan column (and the names
themselves) to the column name; columns it does not know (passthrough columns
of the user's households file) keep their names in every language.

Each column also has a *kind* (:func:`column_kind`), which decides how a value
is shown: whole numbers, quotients with two decimals, scores with three, rents
as money, shares as percentages, flags as yes/no. The workbook turns a kind
into an Excel number format (the value stays a number), the report page into
text in the reader's number format.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from allocatie.i18n import _, number, use_language

__all__ = [
    "INDICES",
    "LEDGER_COLUMNS",
    "PLAN_COLUMNS",
    "PLAN_COLUMN_OF_HEADER",
    "PLAN_HEADERS_NL",
    "SHARE_KPIS",
    "Kind",
    "areas_source_text",
    "column_kind",
    "date_source_text",
    "header",
    "index_name",
    "indicator_label",
    "kpi_label",
    "kpi_value_text",
    "passthrough_meaning",
    "plan_meanings",
    "readable_headers",
    "status_text",
    "yes_no",
]

#: The columns of the plan table (``plan.csv``), in order; the households file's
#: extra columns follow them.
PLAN_COLUMNS: tuple[str, ...] = (
    "household_id",
    "dwelling_id",
    "persons",
    "people_incl_reunification",
    "wait_days",
    "corporation",
    "buurt_code",
    "wijk_code",
    "spreading_area",
    "area_name",
    "area_lq",
    "area_concentrated",
    "bedrooms",
    "rent",
    "score_interest",
    "score_wishes",
    "score_fit",
    "score_waiting",
    "quality",
    "pinned",
    "reason",
)
#: Columns the ledger adds to a proposal's plan (``allocatie.ledger.proposals``):
#: the meeting's decision and the proposal's number.
LEDGER_COLUMNS: tuple[str, ...] = ("besluit", "proposal_id")

Kind = Literal["integer", "decimal", "quotient", "score", "money", "share", "flag", "date", "text"]

#: How each known column's values are shown; unknown columns follow their dtype.
_KINDS: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "persons",
            "people_incl_reunification",
            "wait_days",
            "bedrooms",
            "quality",
            "residents",
            "indicator_count",
            "households",
            "dwellings_offered",
            "households_placed",
            "households_waiting",
            "persons_placed",
            "extra_persons_without_it",
            "extra_households_without_it",
            "proposal_id",
        ),
        "integer",
    ),
    **dict.fromkeys(("area_lq", "lq_before", "lq_after", "lq"), "quotient"),
    **dict.fromkeys(
        ("score_interest", "score_wishes", "score_fit", "score_waiting", "before", "after"),
        "score",
    ),
    "rent": "money",
    "share_before": "share",
    "share": "share",
    # outcomes per household type (allocatie.report.household_types)
    **dict.fromkeys(("households_housed", "persons_housed", "housed_with_wishes"), "integer"),
    **dict.fromkeys(
        ("share_housed", "share_outside_concentrated", "share_in_wished_area"), "share"
    ),
    "mean_wait_days": "decimal",
    "mean_wish_rank": "quotient",
    # regional pooling (allocatie.report.region)
    **dict.fromkeys(
        (
            "quota",
            "backlog",
            "housed_so_far",
            "target",
            "persons_housed_own",
            "persons_received",
            "persons_sent",
        ),
        "integer",
    ),  # fmt: skip
    **dict.fromkeys(("attainment", "period_attainment"), "share"),
    "herkoppeling": "flag",
    **dict.fromkeys(
        (
            "area_concentrated",
            "pinned",
            "concentrated_before",
            "concentrated_after",
            "concentrated",
            "binds",
        ),
        "flag",
    ),
}


def column_kind(name: str, values: pd.Series | None = None) -> Kind:
    """How the values of column ``name`` are shown; unknown columns by their dtype."""
    if name in _KINDS:
        return _KINDS[name]
    if values is None:
        return "text"
    if pd.api.types.is_bool_dtype(values) or values.dtype == "boolean":
        return "flag"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "quotient"
    return "text"


def _headers() -> dict[str, str]:
    """Column name → header in the current language (these literal ``_()`` are the catalogue's)."""
    return {
        # plan
        "household_id": _("household_id"),
        "dwelling_id": _("dwelling_id"),
        "persons": _("persons"),
        "people_incl_reunification": _("people_incl_reunification"),
        "wait_days": _("wait_days"),
        "corporation": _("corporation"),
        "buurt_code": _("buurt_code"),
        "wijk_code": _("wijk_code"),
        "spreading_area": _("spreading_area"),
        "area_name": _("area_name"),
        "area_lq": _("area_lq"),
        "area_concentrated": _("area_concentrated"),
        "bedrooms": _("bedrooms"),
        "rent": _("rent"),
        "score_interest": _("score_interest"),
        "score_wishes": _("score_wishes"),
        "score_fit": _("score_fit"),
        "score_waiting": _("score_waiting"),
        "quality": _("quality"),
        "pinned": _("pinned"),
        "reason": _("reason"),
        # a regional plan (allocatie.report.region)
        "housing_municipality": _("housing_municipality"),
        "herkoppeling": _("herkoppeling"),
        "municipality": _("municipality"),
        "quota": _("quota"),
        "backlog": _("backlog"),
        "housed_so_far": _("housed_so_far"),
        "target": _("target"),
        "persons_housed_own": _("persons_housed_own"),
        "persons_received": _("persons_received"),
        "persons_sent": _("persons_sent"),
        "attainment": _("attainment"),
        "period_attainment": _("period_attainment"),
        # ledger
        "besluit": _("decision"),
        "proposal_id": _("proposal_id"),
        # areas (report.html, areas command)
        "level": _("level"),
        "code": _("code"),
        "name": _("name"),
        "residents": _("residents"),
        "indicator_count": _("indicator_count"),
        "share_before": _("share_before"),
        "share": _("share"),
        "lq_before": _("lq_before"),
        "lq_after": _("lq_after"),
        "lq": _("lq"),
        "concentrated_before": _("concentrated_before"),
        "concentrated_after": _("concentrated_after"),
        "concentrated": _("concentrated"),
        "households_placed": _("households_placed"),
        "persons_placed": _("persons_placed"),
        # segregation indices (report.html)
        "index": _("index"),
        "before": _("before"),
        "after": _("after_this_plan"),
        # shortfall (workbook)
        "class_type": _("class_type"),
        "class": _("class"),
        "households": _("households"),
        "dwellings_offered": _("dwellings_offered"),
        "households_waiting": _("households_waiting"),
        "setting": _("setting"),
        "binds": _("binds"),
        "extra_persons_without_it": _("extra_persons_without_it"),
        "extra_households_without_it": _("extra_households_without_it"),
        "text": _("explanation"),
        # outcomes per household type (workbook, report.html)
        "household_type": _("household_type"),
        "households_housed": _("households_housed"),
        "persons_housed": _("persons_housed"),
        "share_housed": _("share_housed"),
        "mean_wait_days": _("mean_wait_days"),
        "share_outside_concentrated": _("share_outside_concentrated"),
        "housed_with_wishes": _("housed_with_wishes"),
        "share_in_wished_area": _("share_in_wished_area"),
        "mean_wish_rank": _("mean_wish_rank"),
        # kpis and legend sheets
        "kpi": _("kpi"),
        "value": _("value"),
        "column": _("column"),
        "meaning": _("meaning"),
    }


def header(name: str) -> str:
    """The header of column ``name`` in the current language (unknown names unchanged)."""
    return _headers().get(name, name)


def readable_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns renamed to their headers in the current language."""
    names = _headers()
    return frame.rename(columns={c: names.get(c, c) for c in frame.columns})


def _dutch_headers() -> dict[str, str]:
    with use_language("nl"):
        return {name: header(name) for name in (*PLAN_COLUMNS, *LEDGER_COLUMNS)}


#: The Dutch header of every plan column in ``plan.xlsx`` (``household_id`` → ``huishouden_id``).
PLAN_HEADERS_NL: dict[str, str] = _dutch_headers()
#: Any header of a plan column (Dutch, English, or the column name) → the column name;
#: for reading a filled-in ``plan.xlsx`` back whatever its language.
PLAN_COLUMN_OF_HEADER: dict[str, str] = (
    {name: name for name in (*PLAN_COLUMNS, *LEDGER_COLUMNS)}
    | {"decision": "besluit"}
    | {dutch: name for name, dutch in PLAN_HEADERS_NL.items()}
)


def plan_meanings(figures: dict[str, Any]) -> dict[str, str]:
    """What each plan column means, in the current language, for the workbook's legend.

    Parameters
    ----------
    figures
        The run's KPIs (``kpis.json``): the legend names the indicator and the
        threshold the plan was made with.
    """
    threshold = figures.get("lq_threshold")
    indicator = indicator_label(str(figures.get("indicator", "")))
    lq = header("area_lq")
    return {
        "household_id": _("Your pseudonymous id of the household, from the households file."),
        "dwelling_id": _(
            "The dwelling this plan proposes for the household; empty while it waits."
        ),
        "persons": _("Persons to house now; they count toward the taakstelling."),
        "people_incl_reunification": _(
            "Persons the dwelling must fit: persons plus the family members expected to join "
            "(gezinshereniging)."
        ),
        "wait_days": _("Days from the koppeling (linked_on) to the matching date."),
        "corporation": _("Housing corporation offering the dwelling."),
        "buurt_code": _("CBS code of the dwelling's buurt (empty when unknown)."),
        "wijk_code": _("CBS code of the dwelling's wijk."),
        "spreading_area": _(
            "Code of the area the spreading rule judges: the buurt where it has statistics "
            "and enough residents, else the wijk."
        ),
        "area_name": _("Name of that spreading area."),
        "area_lq": _(
            "Location quotient of the spreading area: its share of {indicator} divided by the "
            "municipality's share; 1 = the municipal average."
        ).format(indicator=indicator),
        "area_concentrated": _(
            "Yes when {lq} ≥ {threshold}: the area counts as concentrated, and the plan "
            "places households there only when no dwelling outside is left for them."
        ).format(lq=lq, threshold="–" if threshold is None else number(threshold)),
        "bedrooms": _("Bedrooms of the dwelling."),
        "rent": _("Kale huur of the dwelling, in euros per month."),
        "score_interest": _(
            "Share of the household's interests (from the potentieelanalyse) with a matching "
            "amenity near the dwelling, 0–1."
        ),
        "score_wishes": _("1 when the dwelling lies in one of the household's preferred areas."),
        "score_fit": _("1 for no spare bedrooms, lower with every extra bedroom."),
        "score_waiting": _("Waiting time in days divided by 365, at most 1."),
        "quality": _(
            "Quality of the match, 0–1000: the weighted mean of the four scores, with the "
            "policy's weights (the third goal, after persons housed and spreading)."
        ),
        "pinned": _("Yes when the coordinator pinned this pair: a promise every plan keeps."),
        "reason": _("Why this dwelling, or why the household still waits, in one sentence."),
        "housing_municipality": _(
            "Regional plan: the municipality whose dwelling houses the household; its "
            "taakstelling receives the persons."
        ),
        "herkoppeling": _(
            "Regional plan: yes when the household is housed outside the municipality it is "
            "linked to (a proposed herkoppeling)."
        ),
        "besluit": _(
            "For the meeting: akkoord, geweigerd or vastgezet (empty: no decision yet); "
            "read back by 'allocatie month confirm'."
        ),
        "proposal_id": _("Number of the stored proposal this plan belongs to."),
    }


def indicator_label(indicator: str) -> str:
    """The spreading indicator in words, for legends, titles and the workbook.

    Known CBS columns get a sentence fragment ("inwoners met een niet-westerse
    migratieachtergrond" in Dutch); any other column (a municipality's own
    indicator) is returned as it is.
    """
    labels = {
        "migration_non_western": _("residents with a non-western migration background"),
        "migration_western": _("residents with a western migration background"),
        "migration_marokko": _("residents with a Moroccan migration background"),
        "migration_antillen_aruba": _("residents with an Antillean or Aruban migration background"),
        "migration_suriname": _("residents with a Surinamese migration background"),
        "migration_turkije": _("residents with a Turkish migration background"),
    }
    return labels.get(indicator, indicator)


#: The segregation indices of the report, in order.
INDICES = ("dissimilarity", "isolation", "exposure", "entropy", "gini", "spatial_dissimilarity")


def index_name(key: str) -> str:
    """A segregation index in words, in the current language."""
    names = {
        "dissimilarity": _("dissimilarity (D)"),
        "isolation": _("isolation"),
        "exposure": _("exposure"),
        "entropy": _("entropy (Theil H)"),
        "gini": _("Gini"),
        "spatial_dissimilarity": _("spatial dissimilarity"),
    }
    return names.get(key, key)


def passthrough_meaning() -> str:
    """The legend line of a column taken over from the user's households file."""
    return _(
        "Taken over unchanged from your households file; allocatie does not use it and "
        "never puts it in report.html."
    )


def yes_no(value: Any) -> str | None:
    """A flag in words ("ja"/"nee" in Dutch); ``None`` when it is missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return _("yes") if bool(value) else _("no")


def status_text(status: str) -> str:
    """A solver status (``OPTIMAL``, ...) in words."""
    words = {
        "OPTIMAL": _("optimal (proven)"),
        "FEASIBLE": _("valid, stopped by the time limit before proven optimal"),
        "INFEASIBLE": _("impossible: no plan keeps every rule"),
        "UNKNOWN": _("no plan found within the time limit"),
    }
    return words.get(str(status), str(status))


def kpi_label(key: str) -> str:
    """A KPI of ``kpis.json`` in words (unknown keys unchanged)."""
    labels = {
        "matching_date": _("matching date"),
        "matching_date_source": _("where the matching date comes from"),
        "persons_housed": _("persons housed by this plan"),
        "households_housed": _("households housed by this plan"),
        "households_unplaced": _("households still waiting"),
        "persons_unplaced": _("persons still waiting"),
        "quota_persons": _("taakstelling (persons)"),
        "backlog_persons": _("achterstand (persons)"),
        "housed_so_far_this_period": _("persons housed earlier this period"),
        "quota_attainment": _("taakstelling met, with this plan"),
        "persons_still_to_house": _("persons still to house this period"),
        "households_outside_concentrated": _("households placed outside concentrated areas"),
        "share_outside_concentrated": _("share placed outside concentrated areas"),
        "mean_wait_days": _("mean waiting time (days)"),
        "max_wait_days": _("longest waiting time (days)"),
        "households_waiting_over_10_weeks": _("households waiting longer than 10 weeks"),
        "dwellings_offered": _("dwellings offered"),
        "dwellings_unused": _("dwellings not used"),
        "eligible_pairs": _("eligible household–dwelling pairs"),
        "indicator": _("spreading indicator"),
        "lq_threshold": _("LQ threshold (concentrated from)"),
        "solve_status": _("solver status"),
        "solve_method": _("solver method"),
        "objective_tier1_persons_housed": _("goal 1: persons housed"),
        "objective_tier2_outside_concentrated": _("goal 2: households outside concentrated areas"),
        "objective_tier3_quality": _("goal 3: total quality"),
        "solve_seconds": _("solving time (seconds)"),
        "areas_source": _("area data"),
        "amenities": _("amenities"),
        "persons_short_of_taakstelling": _("persons short of the taakstelling"),
        "proposal_id": _("proposal number"),
        "solve_gap_tier": _("goal where the plan may fall short (unproven plans only)"),
        "solve_gap": _("how far it may fall short on that goal"),
        "affordability_source": _("rent caps used"),
        "blocking_swaps": _("pairs of households who would rather trade dwellings"),
        "blocking_vacancies": _("households who would rather have a dwelling left empty"),
        "stability_swaps": _("trades made so that no two households would rather trade"),
        "stability_moves": _("moves to a dwelling left empty that the household wanted more"),
        "stability_tier3_cost": _("goal 3 given up for those trades and moves"),
        "harmed_vs_fcfs": _("households worse off than under first come, first served"),
        "harmed_vs_fcfs_waiting": _("of whom waiting where first come, first served houses them"),
        "fcfs_persons_housed": _("persons first come, first served would house"),
        "fcfs_households_housed": _("households first come, first served would house"),
    }
    return labels.get(key, key)


#: KPIs shown as a percentage.
SHARE_KPIS = frozenset({"quota_attainment", "share_outside_concentrated"})


def kpi_value_text(key: str, value: Any) -> Any:
    """A KPI's value as a reader wants it: words for codes, numbers left as numbers."""
    if key == "solve_status":
        return status_text(value)
    if key == "indicator":
        return indicator_label(str(value))
    if key == "matching_date_source":
        return date_source_text(str(value))
    if key == "areas_source":
        return areas_source_text(str(value))
    if key == "amenities":
        return {"given": _("given"), "not given": _("not given")}.get(value, value)
    return value


def date_source_text(note: str) -> str:
    """Where the matching date came from (the model's note), in the current language."""
    known = {
        "given on the command line": _("given on the command line"),
        "from the policy ([matching] date)": _("from the policy ([matching] date)"),
        "latest linked_on among the households ([matching] date not set)": _(
            "latest linked_on among the households ([matching] date not set)"
        ),
    }
    return known.get(note, note)


def areas_source_text(source: str) -> str:
    """The area data's source line, in the current language."""
    from allocatie.areas.data import BUNDLED_SOURCE

    if source == BUNDLED_SOURCE:
        return _(
            "CBS Kerncijfers wijken en buurten 2022/2024 and Wijk- en Buurtkaart 2024 "
            "(Bron: CBS, CC-BY 4.0)"
        )
    if source.startswith("user area file "):
        return _("your area file {file}").format(file=source.removeprefix("user area file "))
    return source
