"""Generate the bundled SYNTHETIC regional example: Enschede, Almelo and Hengelo pool their offer.

Households and dwellings are SYNTHETIC (drawn with :mod:`allocatie.planning.synth`);
only the buurt codes and their statistics are real CBS open data ("Bron: CBS",
CC-BY 4.0), read from the area data bundled with allocatie. The picture is a
monthly matching meeting of the three Twente cities on 2019-10-01 with the
mismatch the regional exchange is for: Enschede is linked mostly single
statushouders while its corporations free mostly family homes, Almelo the
reverse; Hengelo is in between. Some households have a binding (work, study,
family, care nearby) that keeps them in their own municipality.

Usage (from the repository root)::

    python allocatie/examples/twente-2019h2/generate.py            # writes next to this file
    python allocatie/examples/twente-2019h2/generate.py --out DIR

Deterministic: one ``numpy.random.default_rng(SEED)``; re-running writes
byte-identical files. After writing, :func:`check` matches the region pooled and
each municipality alone and raises ``AssertionError`` unless pooling houses more
persons and no household with a binding leaves its municipality.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.planning import synth

SEED = 20191001
HERE = Path(__file__).resolve().parent

MATCHING_DATE = dt.date(2019, 10, 1)
LINKED_FROM = dt.date(2019, 4, 1)
WINDOW_DAYS = 45

#: Per municipality: households and dwellings this month, who is linked, what is offered,
#: the half year's taakstelling (persons, about proportional to residents) and the persons
#: housed by the earlier runs of the half year.
CITIES = {
    "GM0153": {  # Enschede: singles linked, family homes offered
        "households": 16,
        "dwellings": 14,
        "persons": {1: 75, 2: 10, 4: 10, 5: 5},
        "bedrooms": {2: 15, 3: 55, 4: 30},
        "quota": 52,
        "backlog": 6,
        "housed_so_far": 20,
    },
    "GM0141": {  # Almelo: families linked, small homes offered
        "households": 10,
        "dwellings": 11,
        "persons": {1: 15, 3: 20, 4: 30, 5: 25, 6: 10},
        "bedrooms": {0: 15, 1: 55, 2: 30},
        "quota": 24,
        "backlog": 0,
        "housed_so_far": 8,
    },
    "GM0164": {  # Hengelo: in between
        "households": 10,
        "dwellings": 10,
        "persons": {1: 50, 2: 15, 3: 10, 4: 15, 5: 10},
        "bedrooms": {1: 20, 2: 40, 3: 30, 4: 10},
        "quota": 26,
        "backlog": 2,
        "housed_so_far": 10,
    },
}
#: Share of households with a binding, and which (the COA kansrijke-koppeling criteria).
BINDING_SHARE = 0.25
BINDINGS = ("werk", "studie", "familie", "zorg")

POLICY = """\
# allocatie policy — bundled SYNTHETIC example: Twente region 2019 H2 (see README)
# Enschede, Almelo and Hengelo match together; no top-level municipality.

[period]
start = 2019-07-01
end = 2019-12-31

[matching]
date = {date}
window_days = {window}

[region]
municipalities = ["GM0153", "GM0141", "GM0164"]
pooling = true

[region.quota]          # taakstelling 2019 H2 per municipality, persons
{quota}

[region.backlog]        # achterstand carried in from 2019 H1
{backlog}

[region.housed_so_far]  # persons housed by the earlier monthly runs of this half year
{housed}

[spreading]
indicator = "migration_non_western"
lq_threshold = 1.5
max_households_per_area = 3
max_per_complex = 2

[affordability]
cap_low = 607.46
cap_high = 651.03

[occupancy]
max_extra_bedrooms = 2

[solver]
seed = 1
time_limit_seconds = 30
"""


def generate(out: Path) -> None:
    """Write households.csv, dwellings.csv and policy.toml into ``out``."""
    rng = np.random.default_rng(SEED)
    stats = load_areas().stats
    households, dwellings = [], []
    for code, city in CITIES.items():
        mix = synth.HouseholdMix(persons=city["persons"], preferred_share=0.0, excluded_share=0.0)
        drawn = synth.sample_households(
            mix, city["households"], rng, linked_from=LINKED_FROM, linked_until=MATCHING_DATE,
            id_prefix=f"H{code[2:]}", gemeente=code,
        )  # fmt: skip
        bound = rng.random(len(drawn)) < BINDING_SHARE
        drawn["binding"] = np.where(bound, rng.choice(BINDINGS, len(drawn)), "")
        households.append(drawn)
        buurten = synth.candidate_buurten(stats, code, min_residents=300)
        offer = synth.DwellingMix(bedrooms=city["bedrooms"], corporations={"Corporatie": 1.0})
        dwellings.append(
            synth.sample_dwellings(
                offer,
                city["dwellings"],
                rng,
                buurten=buurten,
                available_from=MATCHING_DATE - dt.timedelta(days=10),
                available_until=MATCHING_DATE + dt.timedelta(days=WINDOW_DAYS),
                id_prefix=f"W{code[2:]}",
            )  # fmt: skip
        )
    h = pd.concat(households, ignore_index=True)
    table = synth.households_table(h)
    table["binding"] = h["binding"].to_numpy()
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "households.csv", index=False, lineterminator="\n")
    d = pd.concat(dwellings, ignore_index=True)
    synth.dwellings_table(d).to_csv(out / "dwellings.csv", index=False, lineterminator="\n")

    def rows(key: str) -> str:
        return "\n".join(f"{code} = {city[key]}" for code, city in CITIES.items())

    text = POLICY.format(
        date=MATCHING_DATE.isoformat(), window=WINDOW_DAYS, quota=rows("quota"),
        backlog=rows("backlog"), housed=rows("housed_so_far"),
    )  # fmt: skip
    (out / "policy.toml").write_text(text, encoding="utf-8")


def check(out: Path) -> dict[str, int]:
    """Match pooled and separately; assert what the example is for; return the persons housed."""
    import dataclasses

    from allocatie.match import Inputs, build, read_inputs
    from allocatie.model.region import region_data
    from allocatie.solve.region import solve_region

    checked = read_inputs(Inputs.from_scenario(out))
    pooled = build(checked)
    alone = dataclasses.replace(
        checked,
        policy=dataclasses.replace(
            checked.policy,
            region=dataclasses.replace(checked.policy.region, pooling=False),
        ),
    )
    separate = build(alone)
    together = solve_region(pooled.problem, region_data(pooled), pooled.policy.solver)
    apart = solve_region(separate.problem, region_data(separate), separate.policy.solver)
    assert together.result.status == apart.result.status == "OPTIMAL"
    gained = together.result.objective[0] - apart.result.objective[0]
    assert gained > 0, "pooling must house more persons than the municipalities alone"
    assert together.herkoppelingen > 0
    region = region_data(pooled)
    s = together.result.selected
    bound = pooled.households["binding"].notna().to_numpy()
    moved = region.pair_herkoppeling[s] & bound[pooled.problem.pair_household[s]]
    assert not moved.any(), "a household with a binding left its municipality"
    summary = {
        "persons_pooled": together.result.objective[0],
        "persons_separate": apart.result.objective[0],
        "herkoppelingen": together.herkoppelingen,
    }
    print(summary)
    return summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    generate(args.out)
    check(args.out)


if __name__ == "__main__":
    main()
