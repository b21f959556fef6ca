"""Plan table, KPIs and output files: what the coordinator takes to the meeting.

Outputs are written to a temporary folder next to the target and only then
moved into place, so an interrupted or failed run never leaves a half-written
plan that someone could mistake for a real one.

Two files hold the plan, for two readers. ``plan.csv`` is for machines — scripts,
the ledger, a later run — so it keeps the engine's English snake_case column
names, plain numbers with a decimal point and ``True``/``False`` in every
language; only the ``reason`` sentences follow the run's language. ``plan.xlsx``
is the coordinator's file: sheet names, headers, flags (ja/nee) and legend in
the run's language (Dutch by default), numbers stored as numbers with Dutch
display formats. :mod:`allocatie.report.columns` maps the two sets of headers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from allocatie.i18n import _, language
from allocatie.model.builder import Instance
from allocatie.model.scores import OVERDUE_DAYS, PARTS
from allocatie.report.columns import (
    SHARE_KPIS,
    Kind,
    column_kind,
    header,
    kpi_label,
    kpi_value_text,
    passthrough_meaning,
    plan_meanings,
    yes_no,
)
from allocatie.report.diagnose import class_label, class_type_label, setting_label, setting_text
from allocatie.report.explain import explain
from allocatie.report.output_set import write_csv, write_outputs
from allocatie.solve import Result
from allocatie.solve.stable import blocking_swaps, blocking_vacancies


def plan_table(instance: Instance, result: Result, lang: str | None = None) -> pd.DataFrame:
    """One row per household, in input order, with the match and its reason.

    The columns are the engine's stable names (those of ``plan.csv``); only the
    reasons are sentences, in ``lang`` (``"nl"`` or ``"en"``), or with ``None``
    in the language of the current context (:mod:`allocatie.i18n`).
    """
    households = instance.households
    dwellings = instance.dwellings
    assignment = result.assignment(instance.problem)
    placed = assignment >= 0
    d = dwellings.reindex(np.where(placed, assignment, -1)).reset_index(drop=True)
    d.loc[~placed] = np.nan

    pairs = instance.pairs.set_index(["household", "dwelling"])
    keys = pd.MultiIndex.from_arrays([np.arange(len(households)), assignment])
    chosen = pairs.reindex(keys).reset_index(drop=True)

    plan = pd.DataFrame(
        {
            "household_id": households["household_id"].astype(str),
            "dwelling_id": d["dwelling_id"].astype("string"),
            "persons": households["persons"].astype(int),
            "people_incl_reunification": households["people"].astype(int),
            "wait_days": households["wait_days"].astype(int),
            "corporation": d["corporation"].astype("string"),
            "buurt_code": d["buurt_code"].astype("string"),
            "wijk_code": d["wijk_code"].astype("string"),
            "spreading_area": d["area_code"].astype("string"),
            "area_name": d["area_name"].astype("string"),
            "area_lq": d["lq"].astype(float).round(3),
            "area_concentrated": d["concentrated"].astype("boolean"),
            "bedrooms": d["bedrooms"].astype("Int64"),
            "rent": d["rent"].astype(float),
            **{f"score_{part}": chosen[part].astype(float).round(3) for part in PARTS},
            "quality": chosen["quality"].astype("Int64"),
            "pinned": chosen["pinned"].astype("boolean").fillna(False),
            "reason": explain(instance, result, lang).to_numpy(),
        }
    )
    plan.loc[~placed, "area_concentrated"] = pd.NA
    for column in households.attrs.get("passthrough", []):
        if column in households.columns and column not in plan.columns:
            plan[column] = households[column].to_numpy()
    return plan


def kpis(instance: Instance, result: Result, plan: pd.DataFrame) -> dict[str, Any]:
    """Progress against the taakstelling, spreading and waiting, plus solver facts."""
    period = instance.policy.period
    placed = plan["dwelling_id"].notna().to_numpy()
    persons = int(plan.loc[placed, "persons"].sum())
    housed = int(placed.sum())
    outside = int((placed & (plan["area_concentrated"] == False).fillna(False)).sum())  # noqa: E712
    target = period.target_persons
    wait = plan["wait_days"].to_numpy()
    t1, t2, t3 = result.objective
    return {
        "matching_date": instance.date.isoformat(),
        "matching_date_source": instance.date_note,
        "persons_housed": persons,
        "households_housed": housed,
        "households_unplaced": int((~placed).sum()),
        "persons_unplaced": int(plan.loc[~placed, "persons"].sum()),
        "quota_persons": period.quota_persons,
        "backlog_persons": period.backlog_persons,
        "housed_so_far_this_period": period.housed_so_far,
        "quota_attainment": round((period.housed_so_far + persons) / target, 4) if target else None,
        "persons_still_to_house": max(target - period.housed_so_far - persons, 0),
        "households_outside_concentrated": outside,
        "share_outside_concentrated": round(outside / housed, 4) if housed else None,
        "mean_wait_days": round(float(wait.mean()), 1) if len(wait) else None,
        "max_wait_days": int(wait.max()) if len(wait) else None,
        "households_waiting_over_10_weeks": int((wait[~placed] > OVERDUE_DAYS).sum()),
        "dwellings_offered": instance.problem.n_dwellings,
        "dwellings_unused": instance.problem.n_dwellings - housed,
        "eligible_pairs": instance.problem.n_pairs,
        "indicator": instance.policy.spreading.indicator,
        "lq_threshold": instance.policy.spreading.lq_threshold,
        "solve_status": str(result.status),
        # a plan not proven optimal says by how much it may fall short: the first tier where
        # the solver's bound lies above it, and by how much (None when proven)
        "solve_gap_tier": None if result.gap is None else result.gap[0],
        "solve_gap": None if result.gap is None else result.gap[1],
        "solve_bound": None if result.bound is None else list(result.bound),
        "solve_method": str(result.method),
        "objective_tier1_persons_housed": t1,
        "objective_tier2_outside_concentrated": t2,
        "objective_tier3_quality": t3,
        "solve_seconds": round(result.solve_seconds, 4),
        # stability (allocatie.solve.stable): blocking steps left in the plan, counted afresh
        # (0 after the pass), what the pass did, and the tier 3 it gave up for it
        **_stability(instance, result),
    }


def _stability(instance: Instance, result: Result) -> dict[str, int]:
    """The plan's blocking swaps and vacancies (afresh) and what the stability pass did."""
    done = result.stability
    return {
        "blocking_swaps": len(blocking_swaps(instance.problem, result.selected)),
        "blocking_vacancies": len(blocking_vacancies(instance.problem, result.selected)),
        "stability_swaps": done.swaps if done else 0,
        "stability_moves": done.moves if done else 0,
        "stability_tier3_cost": done.tier3_cost if done else 0,
    }


def _write_excel(
    plan: pd.DataFrame,
    figures: dict[str, Any],
    path: Path,
    tables: dict[str, pd.DataFrame] | None = None,
) -> None:
    """The coordinator's workbook: the plan, the KPIs, the shortfall, ``tables`` and a legend.

    Written in the language of the current context: sheet names, headers,
    flags (ja/nee) and words are Dutch unless the run asked for English; the
    column names of ``plan.csv`` stay the engine's (:mod:`allocatie.report.columns`).
    Every number is stored as a number with a display format (rents in euros,
    shares as percentages), so Excel can sum, sort and filter them; every table
    has an autofilter and a frozen header row; missing values are empty cells.
    """
    sheets: dict[str, _Sheet] = {
        _("plan"): _table_sheet(plan),
        _("kpis"): _kpi_sheet(figures),
    }
    shortfall = figures.get("shortfall") or {}
    if shortfall:
        sheets[_("supply_demand")] = _table_sheet(_supply_demand_sheet(shortfall))
        sheets[_("binding_settings")] = _table_sheet(_binding_sheet(shortfall))
    for name, table in (tables or {}).items():
        sheets[name] = _table_sheet(table)
    sheets[_("legend")] = _table_sheet(_legend(plan, figures))
    # Text stays text: an id like "=HYPERLINK(...)" must never become a live formula or link.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        formats = _formats(workbook)
        for index, (name, table) in enumerate(sheets.items()):
            sheet = workbook.add_worksheet(name)
            _write_sheet(sheet, table, formats, freeze_columns=1 if index == 0 else 0)
    finally:
        workbook.close()


@dataclass(frozen=True)
class _Sheet:
    """A table for one sheet and how its cells are shown."""

    frame: pd.DataFrame
    #: Column name → kind of its cells (:func:`allocatie.report.columns.column_kind`).
    kinds: dict[str, Kind]
    #: Columns whose rows differ in kind (the KPI values): column → kind per row.
    row_kinds: dict[str, list[Kind]] = field(default_factory=dict)


def _table_sheet(frame: pd.DataFrame) -> _Sheet:
    """A table with readable values (flags in words) and the kind of each column."""
    kinds = {str(c): column_kind(str(c), frame[c]) for c in frame.columns}
    out = frame.copy()
    for column, kind in kinds.items():
        if kind == "flag":
            out[column] = [yes_no(v) for v in frame[column].astype(object)]
    return _Sheet(out, kinds)


def _kpi_sheet(figures: dict[str, Any]) -> _Sheet:
    """One row per KPI: the KPI in words and its value, numbers stored as numbers."""
    scalars = {k: v for k, v in figures.items() if not isinstance(v, (dict, list))}
    shortfall = figures.get("shortfall") or {}
    if "persons_short_of_taakstelling" in shortfall:
        scalars["persons_short_of_taakstelling"] = shortfall["persons_short_of_taakstelling"]
    frame = pd.DataFrame(
        {
            "kpi": [kpi_label(k) for k in scalars],
            "value": [_kpi_value(k, v) for k, v in scalars.items()],
        }
    )
    row_kinds = {"value": [_kpi_kind(k, v) for k, v in scalars.items()]}
    return _Sheet(frame, {"kpi": "text", "value": "text"}, row_kinds)


def _kpi_value(key: str, value: Any) -> Any:
    """A KPI's value for the sheet: the matching date as a date, codes in words."""
    if key == "matching_date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return kpi_value_text(key, value)


def _kpi_kind(key: str, value: Any) -> Kind:
    """How a KPI's value is shown: a date, a percentage, a count, a decimal or words."""
    if key == "matching_date":
        return "date"
    if key in SHARE_KPIS:
        return "share"
    if key == "mean_wait_days":
        return "decimal"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "text"
    if isinstance(value, int):
        return "integer"
    return "score" if key == "solve_seconds" else "quotient"


def _supply_demand_sheet(shortfall: dict[str, Any]) -> pd.DataFrame:
    """Demand against supply per class, the classes in the reader's words."""
    rows = shortfall.get("supply_demand", [])
    table = pd.DataFrame(
        {
            "class_type": [class_type_label(r["class_type"]) for r in rows],
            "class": [class_label(r) for r in rows],
            **{
                column: [r[column] for r in rows]
                for column in (
                    "households",
                    "persons",
                    "dwellings_offered",
                    "households_placed",
                    "households_waiting",
                )
            },
        }
    )
    return table


def _binding_sheet(shortfall: dict[str, Any]) -> pd.DataFrame:
    """Each cap and what lifting it would add, said in the reader's language."""
    rows = shortfall.get("binding_settings", [])
    return pd.DataFrame(
        {
            "setting": [setting_label(r) for r in rows],
            "binds": pd.array([r["binds"] for r in rows], dtype="boolean"),
            "extra_persons_without_it": [r.get("extra_persons_without_it") for r in rows],
            "extra_households_without_it": [r.get("extra_households_without_it") for r in rows],
            "text": [setting_text(r) for r in rows],
        }
    )


def _legend(plan: pd.DataFrame, figures: dict[str, Any]) -> pd.DataFrame:
    """A line for every column of the plan sheet, under the header the sheet shows."""
    meanings = plan_meanings(figures)
    return pd.DataFrame(
        {
            "column": [header(str(c)) for c in plan.columns],
            "meaning": [meanings.get(str(c), passthrough_meaning()) for c in plan.columns],
        }
    )


def _money_format() -> str:
    """Euros as the reader writes them: ``€ 1.234,56`` in Dutch Excel, ``€1,234.56`` in English.

    Excel stores ``,`` and ``.`` in a format code and shows the separators of the
    computer's own settings; the locale tag (413 = nl-NL, 1809 = en-IE) fixes the
    symbol's place and spacing.
    """
    if language() == "nl":
        return "[$€-413] #,##0.00;[$€-413] -#,##0.00"
    return "[$€-1809]#,##0.00;-[$€-1809]#,##0.00"


#: Excel number format per column kind (``None``: text, general).
_NUMBER_FORMATS: dict[str, str | None] = {
    "integer": "0",
    "decimal": "0.0",
    "date": "yyyy-mm-dd",
    "quotient": "0.00",
    "score": "0.000",
    "share": "0%",
    "flag": None,
    "text": None,
}


def _formats(workbook: Any) -> dict[str, Any]:
    """The cell formats of the workbook: one per column kind, the header, wrapped text."""
    formats = {
        kind: workbook.add_format({"num_format": code} if code else {})
        for kind, code in _NUMBER_FORMATS.items()
    }
    formats["money"] = workbook.add_format({"num_format": _money_format()})
    formats["header"] = workbook.add_format(
        {"bold": True, "bg_color": "#e8eef4", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    formats["wrap"] = workbook.add_format({"text_wrap": True, "valign": "top"})
    return formats


#: Columns wider than this many characters are wrapped rather than widened further.
_MAX_WIDTH = 80


def _write_sheet(
    sheet: Any, table: _Sheet, formats: dict[str, Any], freeze_columns: int = 0
) -> None:
    """One table: headers in the reader's language, typed cells, autofilter, frozen header.

    Written cell by cell with xlsxwriter directly (``constant_memory`` keeps
    memory flat on a national plan); each cell gets its column's number format,
    so a number is stored as a number and shown as the reader expects. A cell
    without a value stays empty.
    """
    frame, kinds = table.frame, table.kinds
    columns = [str(c) for c in frame.columns]
    sheet.freeze_panes(1, freeze_columns)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))
    widths = []
    for i, column in enumerate(columns):
        text = frame[column].head(200).astype(object).map(_shown_length)
        width = max([len(header(column)) + 3, *text.tolist()])  # + 3: the filter button
        widths.append(min(width + 1, _MAX_WIDTH))
        sheet.set_column(i, i, widths[-1])
    sheet.write_row(0, 0, [header(c) for c in columns], formats["header"])
    per_column = []
    for column, width in zip(columns, widths):
        kind = kinds[column]
        wrap = kind == "text" and width >= _MAX_WIDTH
        per_column.append(formats["wrap"] if wrap else formats[kind])
    writers = [
        _column_writer(sheet, frame[c], table.row_kinds.get(c), per_column[i], formats)
        for i, c in enumerate(columns)
    ]
    for index in range(len(frame)):
        row = index + 1
        for col, (write, values, cell_formats) in enumerate(writers):
            value = values[index]
            if value is not None:
                write(row, col, value, cell_formats[index] if cell_formats else None)


#: Kinds whose cells are numbers.
_NUMERIC: frozenset[str] = frozenset({"integer", "decimal", "quotient", "score", "money", "share"})


def _column_writer(
    sheet: Any,
    values: pd.Series,
    row_kinds: list[Kind] | None,
    cell_format: Any,
    formats: dict[str, Any],
) -> tuple[Callable[..., Any], list[Any], list[Any] | None]:
    """How one column is written: the xlsxwriter call, its values (``None``: empty) and formats.

    A numeric or text column is written with ``write_number``/``write_string``
    directly, deciding the type once per column rather than once per cell (a
    national plan has 200,000 cells); a mixed column (the KPI values) cell by cell.
    """
    cells = values.astype(object).where(values.notna(), None).tolist()
    if row_kinds is not None:
        return _write_cell_of(sheet), cells, [formats[k] for k in row_kinds]
    every = [cell_format] * len(cells)
    present = [v for v in cells if v is not None]
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in present):
        if not any(isinstance(v, (bool, np.bool_)) for v in present):
            return sheet.write_number, cells, every
    if all(isinstance(v, str) for v in present):
        return sheet.write_string, cells, every
    return _write_cell_of(sheet), cells, every


def _write_cell_of(sheet: Any) -> Callable[[int, int, Any, Any], None]:
    def write(row: int, col: int, value: Any, cell_format: Any) -> None:
        _write_cell(sheet, row, col, value, cell_format)

    return write


def _shown_length(value: Any) -> int:
    """About how many characters a value takes on screen (for column widths)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(str(value))


def _write_cell(sheet: Any, row: int, col: int, value: Any, cell_format: Any) -> None:
    """One cell: numbers as numbers, text as text (never a formula), nothing when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), cell_format)
    elif isinstance(value, (bool, np.bool_)):
        sheet.write_string(row, col, str(yes_no(value)), cell_format)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value), cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def _write_json(data: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


#: Every file a monthly run may write into its folder; a run removes those it does not
#: write this time, so no file of an earlier run stands beside a new plan.
PLAN_FILES = (
    "plan.csv",
    "plan.xlsx",
    "kpis.json",
    "areas.csv",
    "report.html",
    "map.png",
    "manifest.json",
)


def write_plan(out_dir: Path, outcome: Any, maps: bool = True) -> list[Path]:
    """Write every output of a run into ``out_dir`` as one set.

    ``plan.csv``, ``plan.xlsx``, ``areas.csv``, ``kpis.json`` and ``manifest.json``;
    with ``maps`` also ``map.png`` and ``report.html``. ``outcome`` is a
    :class:`allocatie.match.Outcome`. See :func:`write_outputs` for how the set is
    kept whole (and why an output may never replace an input).
    """
    plan, figures = outcome.plan, outcome.kpis
    writers: dict[str, Callable[[Path], None]] = {
        "plan.csv": lambda p: write_csv(plan, p),
        "areas.csv": lambda p: write_csv(outcome.area_effects, p),
        "plan.xlsx": lambda p: _write_excel(plan, figures, p, outcome.tables),
        "kpis.json": lambda p: _write_json(figures, p),
        "manifest.json": lambda p: _write_json(outcome.manifest, p),
    }
    if maps:
        # matplotlib and folium only when needed
        from allocatie.report.html_report import report_writers

        writers.update(report_writers(outcome))
    inputs = [entry["path"] for entry in outcome.manifest.get("inputs", {}).values()]
    return write_outputs(
        out_dir, writers, owned=PLAN_FILES, inputs=inputs, manifest="manifest.json"
    )
