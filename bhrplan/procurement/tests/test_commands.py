import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bhrplan.procurement.screening.run import escape_cell


def test_it_screens_files_and_writes_one_csv_row_per_flag(ocds_samples, tmp_path):
    out, err = StringIO(), StringIO()
    csv_path = tmp_path / "flags.csv"
    call_command(
        "screen_ocds",
        str(ocds_samples / "paraguay"),
        "--out",
        str(csv_path),
        "--store",
        str(tmp_path / "store.duckdb"),
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    assert "Files: 84 read, 5 skipped." in text
    assert "with a supplier country: " in text
    assert "Flagged (due diligence needed" in text
    assert "empty file" in err.getvalue()
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert rows
    assert {
        "ocid",
        "buyer",
        "suppliers",
        "item_id",
        "description",
        "scheme",
        "classification_id",
        "category",
        "risk_types",
        "evidence",
        "supplier_country",
        "source",
        "confidence",
    } <= set(rows[0])
    assert "unknown" in {r["supplier_country"] for r in rows}
    assert "missing" in {r["suppliers"] for r in rows}


def test_it_refuses_an_unknown_backend(tmp_path):
    with pytest.raises(CommandError):
        call_command("screen_ocds", str(tmp_path), "--backend", "spark")


def test_it_escapes_spreadsheet_formulas():
    assert escape_cell("=HYPERLINK()") == "'=HYPERLINK()"
    assert escape_cell("+1") == "'+1"
    assert escape_cell("@x") == "'@x"
    assert escape_cell("Uniformes") == "Uniformes"
    assert escape_cell(3) == 3
