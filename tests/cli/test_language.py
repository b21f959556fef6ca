"""Dutch for the coordinator, English on request: every output read as a person reads it.

The bundled example is matched twice through the real command, once as a
coordinator runs it (Dutch, the default) and once with ``--lang en``. The
summary, the workbook, the report page (its text and the map's legend,
tooltips and popups) are then searched for words of the other language, the
way a reader would stumble on them; the workbook is read back with openpyxl to
check that numbers are numbers, that every sheet filters and freezes its header
and that the legend explains every plan column. ``plan.csv`` must stay the same
machine-readable file in both languages.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.cli.main import cli
from allocatie.report.columns import PLAN_COLUMN_OF_HEADER, PLAN_COLUMNS, PLAN_HEADERS_NL
from tests.paths import EXAMPLE, ROOT

#: English words that must not reach a Dutch reader (whole words: a policy key such as
#: ``max_households_per_area`` is one token, the name of a setting in policy.toml).
ENGLISH = {
    "household", "households", "household_id", "dwelling", "dwellings", "dwelling_id",
    "waiting", "housed", "persons", "person", "pinned", "concentrated", "placed", "reason",
    "rent", "bedroom", "bedrooms", "share_before", "wait_days", "area_lq", "solver", "written",
    "optimal", "yes", "no", "none", "nan", "legend", "supply_demand", "kpis", "threshold",
    "residents", "level", "before", "after", "map", "source", "outside",
}  # fmt: skip
#: Dutch words that must not reach an English reader (the trade's own terms —
#: taakstelling, achterstand, koppeling, kale huur, "Bron: CBS" — are fine in both, and so
#: are CBS's area names such as "Landelijk gebied en kernen").
DUTCH = {
    "huishouden", "huishoudens", "woning", "woningen", "wacht", "wachten", "personen",
    "persoon", "geplaatst", "gehuisvest", "geconcentreerd", "geconcentreerde", "vastgezet",
    "reden", "slaapkamers", "ja", "nee", "inwoners", "kaart", "drempel", "buiten", "legenda",
    "kengetallen",
}  # fmt: skip
#: What pandas or Python print for a missing or boolean value: never shown to a person.
LEAKS = ("<NA>", "&lt;NA&gt;", "NaN", "nan", "None", "True", "False")


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in re.findall(r"[A-Za-z_]+", text)}


def _foreign(text: str, words: set[str]) -> set[str]:
    return _tokens(text) & words


def _leaks(text: str) -> list[str]:
    return [leak for leak in LEAKS if re.search(rf"(?<![\w<&]){re.escape(leak)}(?![\w>;])", text)]


class _VisibleText(HTMLParser):
    """The text a browser shows: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("alt", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _page_text(page: str) -> str:
    """What a reader of report.html sees: the page's text and the map's own words.

    The map's title, legend, tooltips and popups live as JSON strings inside the
    map script; they are pulled out and stripped of their markup.
    """
    visible = _VisibleText()
    visible.feed(page)
    strings = re.findall(r'"(?:tooltip|popup)": ("(?:[^"\\]|\\.)*")', page)
    strings += re.findall(r'innerHTML = ("(?:[^"\\]|\\.)*");', page)
    strings += re.findall(r'^\s*("(?:[^"\\]|\\.)*") : feature_group_', page, re.MULTILINE)
    words = [re.sub(r"<[^>]+>", " ", json.loads(literal)) for literal in strings]
    assert len(words) > 20  # the map's words were found (23 tooltips, popups, legend, layers)
    return " ".join(visible.parts + words)


def _workbook_text(path: Path) -> tuple[str, openpyxl.Workbook]:
    """Every sheet name and text cell of a workbook, except the user's passthrough column."""
    book = openpyxl.load_workbook(path)
    parts = list(book.sheetnames)
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        keep = [i for i, name in enumerate(rows[0]) if name != "notes_intake"]
        parts += [str(row[i]) for row in rows for i in keep if isinstance(row[i], str)]
    return " ".join(parts), book


def _run(out: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(EXAMPLE), "--out", str(out), *extra],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # file paths are not words of a language; the terminal's line breaks are not either
    return _spaced(result.output.replace(str(out), "OUT"))


def _spaced(text: str) -> str:
    return re.sub(r"[\s\xa0]+", " ", text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("language")
    summaries = {lang: _run(folder / lang, *extra) for lang, extra in (
        ("nl", ()), ("en", ("--lang", "en")))}  # fmt: skip
    return {"folder": folder, "summary": summaries}


def _summary_words(text: str) -> str:
    return re.sub(r"OUT/\S+", "", text)


# --- the terminal summary -------------------------------------------------------------


def test_dutch_summary_has_no_english(runs):
    text = _summary_words(runs["summary"]["nl"])
    assert "47 personen gehuisvest in 20 huishoudens" in text
    assert "wacht" in text and "vastgezet" in text and "geconcentreerd" in text
    assert "LQ-drempel 1,5" in text and "€ 607,46" in text  # Dutch numbers and money
    assert not _foreign(text, ENGLISH), _foreign(text, ENGLISH)
    assert not _leaks(text)


def test_english_summary_on_request(runs):
    text = _summary_words(runs["summary"]["en"])
    assert "Housed 47 persons in 20 households" in text
    assert "waiting" in text and "pinned" in text and "concentrated" in text
    assert "LQ threshold 1.5" in text and "€607.46" in text
    assert not _foreign(text, DUTCH), _foreign(text, DUTCH)
    assert not _leaks(text)


# --- report.html ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "foreign"), [("nl", ENGLISH), ("en", DUTCH)])
def test_report_speaks_one_language_and_shows_no_missing_markers(runs, lang, foreign):
    page = (runs["folder"] / lang / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    text = _page_text(page)
    assert not _foreign(text, foreign), _foreign(text, foreign)
    assert "<NA>" not in page and "&lt;NA&gt;" not in page
    assert not _leaks(text), _leaks(text)


def test_dutch_report_has_dutch_headers_numbers_and_binding_settings(runs):
    page = (runs["folder"] / "nl" / "report.html").read_text(encoding="utf-8")
    text = _page_text(page)
    assert "Plan per huishouden" in text and "huishouden id" in text and "aandeel vóór" in text
    assert "laat 2 huishoudens (2 personen) ongeplaatst" in text  # the binding area cap
    assert "<td>1,24</td>" in page and "€\xa0570,98" in page  # Dutch decimals and money
    assert "Kleur van de wijk" in text and "Geplaatste huishoudens" in page  # the map


# --- plan.xlsx ------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "foreign"), [("nl", ENGLISH), ("en", DUTCH)])
def test_workbook_speaks_one_language(runs, lang, foreign):
    text, _book = _workbook_text(runs["folder"] / lang / "plan.xlsx")
    assert not _foreign(text, foreign), _foreign(text, foreign)
    assert not _leaks(text), _leaks(text)


def test_dutch_workbook_sheets_headers_and_money(runs):
    book = openpyxl.load_workbook(runs["folder"] / "nl" / "plan.xlsx")
    assert book.sheetnames == [
        "plan", "kengetallen", "vraag_en_aanbod", "beleidsregels", "per_huishoudtype",
        "alternatieven", "nadeel_vs_volgorde", "legenda",
    ]  # fmt: skip
    plan = book["plan"]
    headers = [c.value for c in plan[1]]
    assert headers[: len(PLAN_COLUMNS)] == [PLAN_HEADERS_NL[c] for c in PLAN_COLUMNS]
    rent = plan.cell(2, headers.index("huur") + 1)
    assert isinstance(rent.value, float) and "€" in rent.number_format
    assert "413" in rent.number_format  # the Dutch euro format: € 1.234,56


def test_numbers_are_stored_as_numbers(runs):
    book = openpyxl.load_workbook(runs["folder"] / "nl" / "plan.xlsx")
    plan = book["plan"]
    headers = [c.value for c in plan[1]]
    for name in ("personen", "wachtdagen", "lq_gebied", "huur", "score_wachttijd", "kwaliteit"):
        column = headers.index(name) + 1
        values = [plan.cell(r, column).value for r in range(2, plan.max_row + 1)]
        assert all(v is None or isinstance(v, (int, float)) for v in values), name
        assert any(isinstance(v, (int, float)) for v in values), name
    kpis = {row[0].value: row[1] for row in book["kengetallen"].iter_rows(min_row=2)}
    assert kpis["personen gehuisvest met dit plan"].value == 47
    share = kpis["aandeel geplaatst buiten geconcentreerde gebieden"]
    assert share.value == pytest.approx(0.7) and share.number_format == "0%"
    assert isinstance(kpis["matchingdatum"].value, dt.datetime)
    assert kpis["status berekening"].value == "optimaal (bewezen)"
    counts = next(book["vraag_en_aanbod"].iter_rows(min_row=2, values_only=True))
    assert all(isinstance(v, (int, float)) for v in counts[2:])


def test_every_sheet_filters_and_freezes_its_header(runs):
    for lang in ("nl", "en"):
        book = openpyxl.load_workbook(runs["folder"] / lang / "plan.xlsx")
        for sheet in book:
            assert sheet.auto_filter.ref, (lang, sheet.title)
            assert sheet.auto_filter.ref.startswith("A1:")
            assert sheet.freeze_panes in ("A2", "B2"), (lang, sheet.title)
        assert book.worksheets[0].freeze_panes == "B2"  # the household id stays in view


def test_the_legend_explains_every_plan_column(runs):
    for lang in ("nl", "en"):
        book = openpyxl.load_workbook(runs["folder"] / lang / "plan.xlsx")
        plan_headers = [c.value for c in book.worksheets[0][1]]
        legend = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
        assert [row[0] for row in legend] == plan_headers
        assert len(plan_headers) == 22  # 21 plan columns + the example's notes_intake
        assert all(isinstance(row[1], str) and len(row[1]) > 15 for row in legend)


def test_english_workbook_keeps_the_column_names(runs):
    book = openpyxl.load_workbook(runs["folder"] / "en" / "plan.xlsx")
    assert book.sheetnames == [
        "plan", "kpis", "supply_demand", "binding_settings", "per_household_type",
        "alternatives", "harm_vs_fcfs", "legend",
    ]  # fmt: skip
    assert [c.value for c in book["plan"][1]][: len(PLAN_COLUMNS)] == list(PLAN_COLUMNS)
    assert "€" in book["plan"].cell(2, PLAN_COLUMNS.index("rent") + 1).number_format


def test_dutch_headers_read_back_to_the_column_names(runs):
    """What a reader of a filled-in plan.xlsx (the ledger) does with PLAN_COLUMN_OF_HEADER."""
    dutch = pd.read_excel(runs["folder"] / "nl" / "plan.xlsx", sheet_name="plan")
    back = dutch.rename(columns=PLAN_COLUMN_OF_HEADER)
    assert list(back.columns) == [*PLAN_COLUMNS, "notes_intake"]
    csv = pd.read_csv(runs["folder"] / "nl" / "plan.csv")
    assert back["household_id"].tolist() == csv["household_id"].tolist()
    assert back["dwelling_id"].fillna("").tolist() == csv["dwelling_id"].fillna("").tolist()
    assert PLAN_COLUMN_OF_HEADER["besluit"] == PLAN_COLUMN_OF_HEADER["decision"] == "besluit"


# --- plan.csv stays for machines ------------------------------------------------------


def test_plan_csv_keeps_english_names_and_plain_numbers_in_both_languages(runs):
    frames = {lang: pd.read_csv(runs["folder"] / lang / "plan.csv") for lang in ("nl", "en")}
    for frame in frames.values():
        assert list(frame.columns) == [*PLAN_COLUMNS, "notes_intake"]
    raw = (runs["folder"] / "nl" / "plan.csv").read_text(encoding="utf-8")
    assert ",1.243," in raw and ",570.98," in raw and ",False," in raw  # plain numbers
    nl, en = frames["nl"], frames["en"]
    assert nl.drop(columns="reason").equals(en.drop(columns="reason"))
    assert nl["reason"].iloc[0].startswith("Geplaatst:")
    assert en["reason"].iloc[0].startswith("Placed:")


# --- the other coordinator commands -----------------------------------------------------


def test_example_speaks_dutch_by_default_and_english_on_request(tmp_path):
    dutch = CliRunner().invoke(cli, ["example", "--out", str(tmp_path / "a")])
    english = CliRunner().invoke(cli, ["example", "--out", str(tmp_path / "b"), "--lang", "en"])
    assert "voorbeeldbestanden gekopieerd" in dutch.output and "Volgende stappen" in dutch.output
    assert "example files into" in english.output and "Next steps" in english.output


def test_bench_help_says_it_stays_english():
    result = CliRunner().invoke(cli, ["bench", "--help"])
    assert "English" in result.output and "--lang" not in result.output


@pytest.mark.parametrize("command", [["match"], ["areas"], ["scenario", "run"], ["example"]])
def test_coordinator_commands_offer_lang_with_dutch_default(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert "--lang [nl|en]" in result.output and "default: nl" in _spaced(result.output)


@pytest.mark.parametrize(
    ("extra", "words", "foreign"),
    [((), ["optimaal", "volgorde", "wacht-", "achter-"], ENGLISH),
     (("--lang", "en"), ["optimised", "fcfs", "wait", "carry-"], DUTCH)],
)  # fmt: skip
def test_scenario_table_in_dutch_and_english(tmp_path, extra, words, foreign):
    tiny = ROOT / "tests" / "fixtures" / "scenario" / "tiny.toml"
    result = CliRunner().invoke(
        cli, ["scenario", "run", str(tiny), "--out", str(tmp_path), "--seeds", "1",
              "--no-plots", *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = _spaced(result.output.replace(str(tmp_path), "OUT"))
    assert all(word in text for word in words), text
    found = _foreign(re.sub(r"OUT/\S+", "", text), foreign) - {"base", "extra"}  # run names
    assert not found, found


def test_scenario_plots_in_dutch_and_english():
    from allocatie.i18n import use_language
    from allocatie.report.plots import cumulative_figure

    monthly = pd.DataFrame(
        {
            "scenario": "base", "method": ["optimised", "fcfs"] * 2, "seed": 0,
            "meeting": ["2019-07-01", "2019-07-01", "2019-08-01", "2019-08-01"],
            "cumulative_persons": [3, 2, 8, 5], "pace_line": [9, 9, 18, 18],
            "target_persons": 52,
        }
    )  # fmt: skip
    for lang, ylabel, words in (
        ("nl", "gehuisveste personen (cumulatief)", ["geoptimaliseerd", "tempolijn"]),
        ("en", "persons housed (cumulative)", ["optimised plan", "pace line"]),
    ):
        with use_language(lang):
            figure = cumulative_figure(monthly, title="t")
        axes = figure.axes[0]
        assert axes.get_ylabel() == ylabel
        labels = [t.get_text() for t in figure.legends[0].get_texts()]
        assert all(w in labels for w in words), labels
        months = [t.get_text() for t in axes.get_xticklabels()]
        assert months == (["jul", "aug"] if lang == "nl" else ["Jul", "Aug"])


# --- the catalogue can see every message ------------------------------------------------

#: Modules whose words this test guards (the rest of the package has its own owners).
SPEAKING = [
    *sorted((ROOT / "allocatie" / "report").glob("*.py")),
    *(ROOT / "allocatie" / "cli" / f"{name}.py" for name in ("match", "areas", "scenario",
                                                               "example", "bench")),
]  # fmt: skip


@pytest.mark.parametrize("path", SPEAKING, ids=lambda p: p.name)
def test_no_message_hides_inside_an_f_string(path):
    """Babel does not extract ``_()`` inside an f-string: such a message is never translated."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = [
        node.lineno
        for joined in ast.walk(tree)
        if isinstance(joined, ast.JoinedStr)
        for node in ast.walk(joined)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "ngettext")
    ]
    assert not hidden, f"{path.name}: _() inside an f-string on line(s) {hidden}"
