"""The region table: Dutch and English headers, CSV and XLSX, every problem with line and column."""

from __future__ import annotations

import pandas as pd
import pytest

from allocatie.inputs.errors import InputError
from allocatie.inputs.regions import members, normalise_gemeente_code, read_regions


def write(tmp_path, text: str, name: str = "regio.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_regions(path, display_name=path.name, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_a_dutch_table_with_a_column_of_its_own(tmp_path):
    path = write(
        tmp_path, "Gemeentecode;Regio;opmerking\nGM0153;Twente;\n141;Twente;x\ngm 0164;Twente;\n"
    )
    table = read_regions(path)
    assert table["gemeente_code"].tolist() == ["GM0153", "GM0141", "GM0164"]
    assert table["region"].tolist() == ["Twente"] * 3
    assert table["source_line"].tolist() == [2, 3, 4]
    assert "opmerking" in table.columns  # kept as written
    assert members(table) == {"Twente": ["GM0141", "GM0153", "GM0164"]}


def test_an_english_workbook_reads_the_same(tmp_path):
    path = tmp_path / "regions.xlsx"
    frame = pd.DataFrame({"gemeente_code": ["GM0153", "GM0363"], "region": ["Twente", "Amsterdam"]})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["regions for 2026"]}).to_excel(writer, sheet_name="notes")
        frame.to_excel(writer, sheet_name="regions", index=False)
    table = read_regions(path)
    assert members(table) == {"Amsterdam": ["GM0363"], "Twente": ["GM0153"]}


def test_every_problem_at_once_with_line_and_column(tmp_path):
    path = write(
        tmp_path,
        "gemeentecode,regio\nGM0153,Twente\nGM0153,Twente\nEnschede,Twente\n,Twente\nGM0141,\n"
        "GM9999,Twente\n",
    )
    found = problems(path, known={"GM0153", "GM0141"})
    assert found == [
        "regio.csv, line 3, column 'gemeentecode': GM0153 is listed on line 2 already; a "
        "municipality belongs to one region, so keep one of the two rows",
        "regio.csv, line 4, column 'gemeentecode': 'Enschede' is not a municipality code; "
        "write the CBS municipality code, such as GM0153 (Enschede)",
        "regio.csv, line 5, column 'gemeentecode': this cell is empty; write the CBS "
        "municipality code, such as GM0153 (Enschede)",
        "regio.csv, line 6, column 'regio': this cell is empty; write the name of the region "
        "the municipality pools its offer with, such as Twente; municipalities with the same "
        "name form one region",
        "regio.csv, line 7, column 'gemeentecode': no municipality in the area data has the "
        "code GM9999; check the code (allocatie regions --out FILE lists every municipality)",
    ]


def test_a_missing_column_is_named_in_the_files_language_with_a_suggestion(tmp_path):
    path = write(tmp_path, "gemeentecode,gemeentenaam,regoi\nGM0153,Enschede,Twente\n")
    assert problems(path) == [
        "regio.csv, line 1, column 'regio': this column is missing from the header line; "
        "region tables need the columns gemeentecode, regio (is 'regoi' meant to be 'regio'?)"
    ]


def test_the_same_column_twice_and_no_rows(tmp_path):
    twice = write(tmp_path, "regio,region,gemeente_code\n", "twice.csv")
    assert problems(twice) == [
        "twice.csv, line 1, column 'region': 'regio' and 'region' are the same column "
        "(region) under two names; keep one of them and delete or rename the other"
    ]
    empty = write(tmp_path, "gemeente_code,regio\n", "empty.csv")
    assert problems(empty) == [
        "empty.csv: the file has column names but no rows; add one row per municipality "
        "with its region"
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [("GM0153", "GM0153"), ("gm0153", "GM0153"), ("0153", "GM0153"), ("153", "GM0153"),
     ("GM 0014", "GM0014"), ("Enschede", None), ("GM153", None), ("12345", None)],
)  # fmt: skip
def test_municipality_codes(text, code):
    assert normalise_gemeente_code(text) == code


def test_the_benchmark_regions_read_back(tmp_path):
    from click.testing import CliRunner

    from allocatie.cli.main import cli

    out = tmp_path / "regio.csv"
    result = CliRunner().invoke(cli, ["regions", "--out", str(out), "--count", "25"])
    assert result.exit_code == 0, result.output
    table = read_regions(out)
    assert table["region"].nunique() == 25
    assert len(table) == 346  # 342 municipalities and 4 merged since
    assert {"GM0153", "GM0141", "GM0164"} <= set(members(table)["08 Enschede"])
