"""``allocatie areas``: how segregated a municipality's neighbourhoods are today.

For everyone who wants to see the numbers behind the spreading rule before a
plan is made: the city-wide indices and each buurt's or wijk's location
quotient, from the bundled CBS data or the municipality's own area file. Input
problems end with exit code 2 and a message, never a traceback. pandas and the
area data are imported inside the command, so ``allocatie --help`` stays fast.

The table is in the language of ``--lang`` (Dutch by default), numbers included;
``--format json`` keeps English keys and plain numbers, for scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocatie.cli.errors import EXIT_INPUT
from allocatie.i18n import _, ngettext, number, use_language
from allocatie.inputs.errors import InputError

__all__ = ["areas"]

_EXISTING = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--gemeente", required=True, help="CBS municipality code, e.g. GM0153 (Enschede).")
@click.option("--level", type=click.Choice(["buurt", "wijk"]), default="buurt", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--indicator",
    default="migration_non_western",
    show_default=True,
    help="Count column of the area data used as the spreading indicator.",
)
@click.option("--threshold", type=float, default=1.5, show_default=True, help="LQ threshold.")
@click.option(
    "--min-residents", type=int, default=100, show_default=True,
    help="Buurten with fewer residents are judged by their wijk, as in matching.",
)  # fmt: skip
@click.option("--areas", "areas_file", type=_EXISTING, default=None, help="Your own area file.")
@click.option(
    "--map", "map_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Also write a PNG map of the wijken coloured by location quotient.",
)  # fmt: skip
@click.option(
    "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
    help="Language of the table and the map (nl: Nederlands, en: English); JSON keeps "
    "English keys.",
)  # fmt: skip
def areas(
    gemeente: str,
    level: str,
    fmt: str,
    indicator: str,
    threshold: float,
    min_residents: int,
    areas_file: Path | None,
    map_file: Path | None,
    lang: str,
) -> None:
    """Segregation indices and location quotients of one municipality's areas.

    Prints the city-wide indices (dissimilarity, isolation, exposure, entropy,
    Gini; at wijk level also the spatial dissimilarity over the queen-contiguity
    graph) and, per area, residents, indicator share, location quotient and
    whether it counts as concentrated. Bron: CBS.

    Example: allocatie areas --gemeente GM0153 --level wijk --format json
    """
    with use_language(lang):
        _areas(gemeente, level, fmt, indicator, threshold, areas_file, map_file, min_residents)


def _areas(
    gemeente: str,
    level: str,
    fmt: str,
    indicator: str,
    threshold: float,
    areas_file: Path | None,
    map_file: Path | None,
    min_residents: int = 100,
) -> None:
    """The body of :func:`areas`, inside the chosen language."""
    import json

    import pandas as pd

    from allocatie.areas.concentration import judged_areas
    from allocatie.areas.data import load_areas
    from allocatie.areas.neighbourhood import before_after
    from allocatie.inputs.policy import Spreading

    try:
        data = load_areas(areas_file)
        if indicator not in data.stats.columns:
            raise click.BadParameter(
                _("no column '{indicator}' in the area data").format(indicator=indicator),
                param_hint="--indicator",
            )
        empty = pd.Series(dtype=int)
        indices, table = before_after(data, gemeente, level, indicator, threshold, empty, empty)
        # concentrated as matching judges it: small buurten by their wijk (one rule for both)
        rule = Spreading(indicator=indicator, lq_threshold=threshold, level=level,  # type: ignore[arg-type]
                         min_residents=min_residents)  # fmt: skip
        judged = judged_areas(table["code"], data.stats, rule)
    except InputError as error:
        click.echo(error.render(), err=True)
        sys.exit(EXIT_INPUT)
    if table.empty:
        click.echo(
            _("No {level} statistics for {gemeente}; check the code (e.g. GM0153).").format(
                level=level, gemeente=gemeente
            ),
            err=True,
        )
        sys.exit(EXIT_INPUT)
    table = table.rename(columns={"share_before": "share", "lq_before": "lq",
                                  "concentrated_before": "concentrated"})  # fmt: skip
    table["concentrated"] = judged["concentrated"].to_numpy(dtype=bool)
    table["judged_at"] = judged["area_code"].to_numpy(dtype=object)
    table["judged_lq"] = judged["lq"].round(3).to_numpy()
    columns = ["code", "name", "residents", "share", "lq", "concentrated"]
    name = data.stats.loc[gemeente, "name"] if gemeente in data.stats.index else gemeente
    if fmt == "json":
        result = {
            "gemeente": gemeente,
            "name": str(name),
            "level": level,
            "indicator": indicator,
            "lq_threshold": threshold,
            "source": data.source,
            **indices["before"],
            "min_residents": min_residents,
            "areas": table[[*columns, "judged_at", "judged_lq"]].to_dict(orient="records"),
        }
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        _print_table(str(name), gemeente, level, indicator, indices["before"], table[columns],
                     data.source)  # fmt: skip
        by_wijk = table[table["judged_at"] != table["code"]]
        if len(by_wijk):
            shown = ", ".join(f"{c} ({w}, LQ {number(q, 2)})" for c, w, q in zip(
                by_wijk["code"], by_wijk["judged_at"], by_wijk["judged_lq"]))  # fmt: skip
            click.echo(_("Judged by their wijk, as in matching (fewer than {n} residents): "
                         "{areas}").format(n=min_residents, areas=shown))  # fmt: skip
    if map_file is not None:
        from allocatie.report.maps import PLACEMENT_COLUMNS, indicator_label, wijk_layer
        from allocatie.report.static_map import write_png_map

        wijk = before_after(data, gemeente, "wijk", indicator, threshold, empty, empty)[1]
        layer = wijk_layer(data, gemeente, wijk.set_index("code")["lq_before"], threshold=threshold)
        nothing_placed = pd.DataFrame(columns=list(PLACEMENT_COLUMNS))
        title = _("{name}: location quotient per wijk").format(name=name)
        label = indicator_label(indicator)
        layer["lq"] = layer["lq_before"]
        write_png_map(map_file, layer, nothing_placed, column="lq", threshold=threshold,
                      title=title, indicator_label=label)  # fmt: skip
        click.echo(_("Map written: {file}").format(file=map_file), err=True)


def _print_table(
    name: str,
    gemeente: str,
    level: str,
    indicator: str,
    indices: dict,
    table: Any,
    source: str,
) -> None:
    """The indices and one row per area, in the reader's words and number format."""
    from allocatie.report.columns import (
        areas_source_text,
        header,
        index_name,
        indicator_label,
        yes_no,
    )

    console = Console()
    console.print(
        ngettext(
            "[bold]{name} ({code})[/bold], {level} level, indicator {indicator}, {n} area",
            "[bold]{name} ({code})[/bold], {level} level, indicator {indicator}, {n} areas",
            len(table),
        ).format(
            name=escape(name),
            code=gemeente,
            level=level,
            indicator=escape(indicator_label(indicator)),
            n=len(table),
        )  # fmt: skip
    )
    for key, value in indices.items():
        shown = "–" if value is None else number(value, 4)
        console.print(f"  {index_name(key):30} {shown}")
    grid = Table(header_style="bold")
    for column in table.columns:
        right = column in ("residents", "share", "lq")
        grid.add_column(header(column), justify="right" if right else "left")
    for row in table.itertuples(index=False):
        flag = yes_no(row.concentrated) or "–"
        grid.add_row(
            row.code, escape(row.name), number(row.residents, 0), number(100 * row.share, 1) + "%",
            number(row.lq, 2), f"[red]{flag}[/red]" if row.concentrated else flag,
        )  # fmt: skip
    console.print(grid)
    console.print(_("Source: {source}").format(source=areas_source_text(source)), style="dim")
