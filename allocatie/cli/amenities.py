"""``allocatie amenities``: turn an OpenStreetMap export into an ``amenities.csv``.

Tier 3 of the matching scores a dwelling by the amenities near it (sports clubs,
schools, places of worship, ...). Municipalities rarely have such a list, but
OpenStreetMap does; this command maps its tags to the interest keys so a
coordinator needs no GIS tools. Input problems end with exit code 2 and every
problem listed. The OSM reader is imported inside the command, so
``allocatie --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from allocatie.cli.errors import EXIT_INPUT
from allocatie.inputs.errors import InputError

__all__ = ["amenities"]

_EXISTING = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option(
    "--from-osm",
    "source",
    required=True,
    type=_EXISTING,
    help="GeoJSON export of OpenStreetMap features (e.g. from overpass-turbo).",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def amenities(source: Path, out: Path) -> None:
    """Make an amenities.csv for `allocatie match --amenities` from an OSM export.

    Sports grounds and clubs, schools and libraries, universities, employment
    agencies, theatres and museums, places of worship, community centres and
    health care are mapped to the interest keys of the potentieelanalyse; the
    full tag list is in allocatie/areas/osm.py. Data © OpenStreetMap contributors (ODbL).
    """
    from allocatie.areas.osm import amenities_from_osm
    from allocatie.report.output_set import write_csv, write_outputs

    try:
        table = amenities_from_osm(source)
    except InputError as error:
        click.echo(error.render(), err=True)
        sys.exit(EXIT_INPUT)
    target = out.resolve()
    write_outputs(
        target.parent,
        {target.name: lambda p: write_csv(table, p)},
        inputs=[source],
    )
    counts = table["category"].value_counts().sort_index()
    click.echo(f"{len(table)} amenities written to {out}: " + ", ".join(
        f"{k} {v}" for k, v in counts.items()))  # fmt: skip
