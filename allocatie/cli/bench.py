"""``allocatie bench``: time one generated benchmark instance, for researchers.

The same ``--workers``/``--scheduler`` as ``allocatie match`` (shared through
:func:`allocatie.cli.match.parts_runner`), so a benchmark measures the code path
a municipality runs. The instance generator is imported inside the command, so
``allocatie --help`` stays fast. Unlike the coordinator's commands it speaks English
only (no ``--lang``): its readers are researchers and scripts.
"""

from __future__ import annotations

import click

from allocatie.cli.match import parts_runner

__all__ = ["bench"]


@click.command()
@click.argument("instance", type=click.Choice(
    ["city-month", "city-half-year", "national", "national-headroom", "stress"]))  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--cpsat-seconds", type=float, default=0.0,
    help="Also run the plain CP-SAT model on the whole problem with this budget "
    "(CP-SAT deterministic seconds; wall-clock time can be several times longer).",
)  # fmt: skip
@click.option("--workers", type=int, default=None, help="Solve the parts on a local Dask cluster.")
@click.option("--scheduler", default=None, help="Solve the parts on this Dask scheduler.")
def bench(
    instance: str,
    seed: int,
    as_json: bool,
    cpsat_seconds: float,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Time one benchmark instance from files to report, beside the reference solvers.

    Instances are generated from the real CBS areas with the seed: a city month and
    half year (Enschede, taakstelling 52), the whole country for a half year (17,600
    persons, taakstelling per municipality by population), and a 50,000-household
    stress test. "-headroom" keeps the projected-composition rule, which is not a
    network. Example: allocatie bench national --seed 1 --json

    Output is in English, whatever language the coordinator commands speak:
    the benchmark suite is for researchers, and its keys are read by scripts.
    """
    import json

    from allocatie.i18n import use_language
    from allocatie.planning.bench import run

    with use_language("en"), parts_runner(workers, scheduler) as map_parts:
        figures = run(instance, seed, cpsat_seconds=cpsat_seconds, map_parts=map_parts)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        click.echo(f"{key:28} {value}")
