"""``allocatie regions``: the benchmark's contiguous regions, as a region table to edit.

Regional pooling needs a region table (municipality → region); the bundled data
hold no official one (no province, COA-region or veiligheidsregio table). This
command writes the regions the national benchmark uses
(:func:`allocatie.areas.regions.contiguous_regions`: about 25 connected groups of
neighbouring municipalities with about equal numbers of residents) as a CSV or
XLSX table a coordinator can edit and read back (:mod:`allocatie.inputs.regions`),
and optionally a PNG map of them. The engine is imported inside the command, so
``allocatie --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from allocatie.cli.errors import user_errors
from allocatie.i18n import _, ngettext, use_language

__all__ = ["regions"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option(
    "--out", "out_file", type=_FILE, required=True,
    help="Region table to write: .csv or .xlsx, columns gemeente_code, regio, gemeente_naam.",
)  # fmt: skip
@click.option(
    "--count", type=click.IntRange(1, 342), default=25, show_default=True,
    help="Number of regions (25, as many as there are veiligheidsregio's).",
)  # fmt: skip
@click.option("--map", "map_file", type=_FILE, default=None, help="Also write a PNG map.")
@click.option(
    "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
    help="Language of the column names, messages and map (nl: Nederlands, en: English).",
)  # fmt: skip
@click.option("--debug", is_flag=True, hidden=True)
def regions(out_file: Path, count: int, map_file: Path | None, lang: str, debug: bool) -> None:
    """Write contiguous regions of neighbouring municipalities as a region table.

    The benchmark's own construction from the CBS polygons, not an official table:
    each region is connected and holds about the same number of residents; the
    same regions come out on every computer. Edit the table to pool with your
    real partners. Example: allocatie regions --out regio.csv --map regio.png
    """
    with use_language(lang), user_errors(debug):
        _regions(out_file, count, map_file, lang)


def _regions(out_file: Path, count: int, map_file: Path | None, lang: str) -> None:
    """The body of :func:`regions`, inside the chosen language."""
    import pandas as pd

    from allocatie.areas.data import load_areas
    from allocatie.areas.regions import contiguous_regions
    from allocatie.inputs.columns import dutch_name
    from allocatie.inputs.errors import InputError, Problem
    from allocatie.report.output_set import write_csv, write_outputs

    suffix = out_file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError(
            [Problem(str(out_file), None, None, _("write the region table as .csv or .xlsx"))]
        )
    areas = load_areas()
    table = contiguous_regions(areas, count)
    columns = ["gemeente_code", "region", "gemeente_name"]
    out = table[columns].rename(
        columns={c: dutch_name(c) for c in columns if lang == "nl" and c != "gemeente_code"}
    )

    def write_table(path: Path) -> None:
        if suffix == ".csv":
            write_csv(out, path)
        else:
            with pd.ExcelWriter(path, engine="openpyxl") as writer:
                out.to_excel(writer, index=False, sheet_name=_("regions"))

    writers: dict[str, Callable[[Path], None]] = {out_file.name: write_table}
    write_outputs(out_file.parent if str(out_file.parent) else Path("."), writers)
    n = table["region"].nunique()
    click.echo(
        ngettext(
            "{n} region of {m} municipalities written: {file}",
            "{n} regions of {m} municipalities written: {file}",
            n,
        ).format(n=n, m=len(table), file=out_file),
        err=True,
    )
    if map_file is not None:
        from allocatie.report.flows import write_region_map

        note = _(
            "Contiguous regions of neighbouring municipalities with about equal numbers "
            "of residents, built for the benchmark from the CBS polygons: not an official "
            "COA, provincial or veiligheidsregio table."
        )
        write_region_map(map_file, table, areas, note=note)
        click.echo(_("Map written: {file}").format(file=map_file), err=True)
