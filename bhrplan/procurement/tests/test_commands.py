import csv
import json
from io import StringIO

import duckdb
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from bhrplan.procurement.screening.run import CSV_COLUMNS, write_flags_csv, write_flags_xlsx
from bhrplan.procurement.tests.conftest import release


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
    assert "Files read: 84; skipped: 5." in text
    assert "with a supplier country: " in text
    assert "Flagged (due diligence needed" in text
    assert "The file is empty (0 bytes)." in err.getvalue()
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


def test_it_says_why_files_were_skipped_in_the_active_language(
    write_json, tmp_path, tmp_path_factory
):
    gloves = {"id": "t", "items": [{"id": "1", "description": "guantes de nitrilo"}]}
    write_json("good.json", {"releases": [release(tender=gloves)]})
    write_json("empty.json", None, raw=b"")
    write_json("cut.json", None, raw=b'{"releases": [{"ocid": "ocds-1"')
    write_json("no-ocid.jsonl", None, raw=json.dumps(release()).encode() + b'\n{"id": "2"}\n')
    store = tmp_path_factory.mktemp("out") / "store.duckdb"
    out, err = StringIO(), StringIO()
    with translation.override("es"):
        call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out, stderr=err)
    lines = err.getvalue()
    assert f"Se omitió {tmp_path / 'empty.json'}: El archivo está vacío (0 bytes)." in lines
    assert "cut.json: El archivo termina antes de que el JSON esté completo" in lines
    assert "no-ocid.jsonl: Línea 2: La entrega no tiene ocid" in lines
    assert "Archivos leídos: 1; omitidos: 3." in out.getvalue()
    assert "Cobertura: 1 ítem en 1 proceso." in out.getvalue()
    assert "abuso): 1 ítem en 1 proceso de 0 compradores." in out.getvalue()
    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute(
        "SELECT error_code, error_location FROM files WHERE NOT ok ORDER BY path"
    ).fetchall()
    con.close()
    assert [(code, json.loads(where)["line"]) for code, where in rows] == [
        ("truncated", None),
        ("empty", None),
        ("release_without_ocid", 2),
    ]
    out, err = StringIO(), StringIO()
    call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out, stderr=err)
    assert "no-ocid.jsonl: Line 2: The release has no ocid" in err.getvalue()


def test_it_fails_when_no_file_could_be_read(write_json, tmp_path, tmp_path_factory):
    write_json("empty.json", None, raw=b"")
    store = tmp_path_factory.mktemp("out") / "store.duckdb"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="every file was skipped"):
        call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out, stderr=err)
    assert "empty.json: The file is empty" in err.getvalue()
    assert "Files read: 0; skipped: 1." in out.getvalue()


def test_it_says_a_file_of_versioned_releases_only_has_nothing_to_screen(
    write_json, tmp_path, tmp_path_factory
):
    versioned = {"tender": {"title": [{"releaseID": "1", "releaseDate": "2020", "value": "T"}]}}
    record = {"ocid": "ocds-x-1", "versionedRelease": {"ocid": "ocds-x-1", **versioned}}
    write_json("records.json", {"version": "1.1", "records": [record]})
    store = tmp_path_factory.mktemp("out") / "store.duckdb"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out, stderr=err)
    assert "the records give only a versionedRelease" in err.getvalue()


def test_it_tells_of_processes_that_list_no_items(write_json, tmp_path, tmp_path_factory):
    gloves = {"id": "t", "items": [{"id": "1", "description": "guantes de nitrilo"}]}
    no_items = release(ocid="ocds-abc-2", contracts=[{"id": "c", "value": {"amount": 5}}])
    titled = release(
        ocid="ocds-abc-3",
        tender={"id": "t", "title": "Adquisición de uniformes escolares"},
        awards=[{"id": "a", "suppliers": [{"name": "Textil SA"}]}],
    )
    write_json("three.json", {"releases": [release(tender=gloves), no_items, titled]})
    store = tmp_path_factory.mktemp("out") / "store.duckdb"
    out = StringIO()
    call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out)
    assert "Coverage: 1 item in 1 process." in out.getvalue()
    assert "1 more process lists no items: its titles were screened instead" in out.getvalue()
    assert "1 more process was read that lists no items and no title to screen" in out.getvalue()
    con = duckdb.connect(str(store), read_only=True)
    flagged = con.execute(
        "SELECT stage, item_id, suppliers, evidence, confidence FROM flags "
        "WHERE ocid = 'ocds-abc-3' ORDER BY stage"
    ).fetchall()
    con.close()
    assert flagged == [
        ("award", None, "Textil SA", "title keyword", "low"),
        ("tender", None, None, "title keyword", "low"),
    ]
    out = StringIO()
    with translation.override("es"):
        call_command("screen_ocds", str(tmp_path), "--store", str(store), stdout=out)
    assert "Se leyó 1 proceso más que no enumera ítems ni un título que analizar" in out.getvalue()
    assert "1 proceso más no enumera ítems: se analizaron sus títulos" in out.getvalue()


def test_it_refuses_an_unknown_backend(tmp_path):
    with pytest.raises(CommandError):
        call_command("screen_ocds", str(tmp_path), "--backend", "spark")


def test_exports_neutralise_spreadsheet_formulas_and_show_missing_data(tmp_path):
    store = tmp_path / "store.duckdb"
    con = duckdb.connect(str(store))
    columns = ", ".join(f"{c} VARCHAR" for c in CSV_COLUMNS if c != "category")
    con.execute(f"CREATE TABLE flags (row_id BIGINT, category VARCHAR, {columns})")
    values = {
        "ocid": "ocds-1",
        "buyer": "+1",
        "suppliers": "@x",
        "supplier_ids": "-3",
        "description": '=HYPERLINK("http://x")',
        "matched": "\tguantes",
        "country_evidence": "CN\x02: trabajo\x0bforzoso",  # control characters (pasted text)
        "scheme": None,
        "classification_id": "",
        "item_id": None,
        "category": "garments",
    }
    selected = ", ".join(f"${name} AS {name}" for name in values)
    con.execute(f"INSERT INTO flags BY NAME SELECT 1 AS row_id, {selected}", values)
    con.execute(
        "INSERT INTO flags BY NAME SELECT 2 AS row_id, 'ocds-2' AS ocid, "
        "'Uniformes' AS description, 'garments' AS category"
    )
    con.close()
    write_flags_csv(store, tmp_path / "flags.csv")
    csv_rows = list(csv.DictReader((tmp_path / "flags.csv").open(encoding="utf-8")))
    write_flags_xlsx(store, tmp_path / "flags.xlsx")
    sheet = load_workbook(tmp_path / "flags.xlsx").active
    header, *xlsx_values = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    xlsx_rows = [dict(zip(header, row, strict=True)) for row in xlsx_values]
    assert [r | {"country_evidence": ""} for r in xlsx_rows] == [
        r | {"country_evidence": ""} for r in csv_rows
    ]
    first, second = csv_rows
    assert (first["buyer"], first["suppliers"], first["supplier_ids"]) == ("'+1", "'@x", "'-3")
    assert first["description"] == '\'=HYPERLINK("http://x")'
    assert first["matched"] == "'\tguantes"
    # missing data reads as missing (never as an empty "no risk") where it matters
    # CSV keeps every character; XLSX drops those XML cannot hold (openpyxl refused the
    # whole workbook for one of them)
    assert first["country_evidence"] == "CN\x02: trabajo\x0bforzoso"
    assert xlsx_values[0][header.index("country_evidence")] == "CN: trabajoforzoso"
    missing = (first["scheme"], first["classification_id"], first["item_id"])
    assert missing == ("missing", "missing", "")
    assert second["description"] == "Uniformes" and second["buyer"] == "missing"


def test_its_progress_bar_names_the_stages_in_the_active_language(write_json, tmp_path, capsys):
    write_json("good.json", {"releases": [release()]})
    store = tmp_path / "out" / "store.duckdb"
    with translation.override("es"):
        call_command(
            "screen_ocds",
            str(tmp_path / "good.json"),
            "--store",
            str(store),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    bar = capsys.readouterr().err  # the bar writes to the terminal's stderr
    assert "lectura de archivos" in bar and "reading files" not in bar
