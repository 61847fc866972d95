import json
import pickle

import duckdb
from django.utils import translation

from bhrplan.procurement.ocds.errors import file_error_message, stored_error
from bhrplan.procurement.ocds.pipeline import (
    build_items,
    classification_fields,
    extract_items,
    ingest,
)
from bhrplan.procurement.tests.conftest import release


def test_it_reports_each_bad_real_file_and_keeps_the_others(ocds_samples):
    con = duckdb.connect()
    result = build_items([ocds_samples], con)
    failed = {f.path.rsplit("/", 1)[-1]: f for f in result.failed}
    assert {name: f.error_code for name, f in failed.items()} == {
        "283826.json": "empty",
        "283906.json": "empty",
        "284456.json": "empty",
        "284437.json": "only_linked_releases",
        "284453.json": "only_linked_releases",
    }
    linked = failed["284437.json"]
    assert linked.error.startswith(
        "No usable release: the records only link to releases published elsewhere."
    )
    with translation.override("es"):
        assert file_error_message(stored_error(linked)).startswith(
            "No hay entregas utilizables: los registros solo enlazan a entregas publicadas"
        )
        assert file_error_message(stored_error(failed["283826.json"])) == (
            "El archivo está vacío (0 bytes)."
        )
    assert len(result.files) == 120
    assert sum(f.upgraded for f in result.files) == 38  # OCDS 1.0 releases upgraded
    (items, ocids) = con.execute("SELECT count(*), count(DISTINCT ocid) FROM items").fetchone()
    assert items == 1077 and ocids == 32


def test_it_keeps_nothing_from_a_file_that_fails_halfway(write_json):
    good = write_json(
        "good.json",
        {
            "releases": [
                release(tender={"id": "t", "items": [{"id": "1", "description": "Guantes"}]})
            ]
        },
    )
    lines = (
        json.dumps(release(ocid="ocds-bad-1", tender={"id": "t", "items": [{"id": "1"}]}))
        + "\n{broken\n"
    )
    bad = write_json("bad.jsonl", None, raw=lines.encode())
    con = duckdb.connect()
    result = build_items([good, bad], con)
    assert [f.ok for f in result.files] == [True, False]
    report = result.files[1]
    assert report.error_code == "invalid_json"
    assert report.error_location == {"line": 2, "value": None, "path": ""}
    assert report.error.startswith("Line 2: This is not valid JSON (")
    assert json.loads(json.dumps(result.as_dicts()))[1]["error_code"] == "invalid_json"
    assert pickle.loads(pickle.dumps(report)) == report  # noqa: S301 - our own bytes
    assert con.execute("SELECT DISTINCT ocid FROM items").fetchall() == [("ocds-abc-1",)]


def test_it_says_in_both_languages_why_a_path_gives_nothing(write_json, tmp_path):
    nothing = write_json("nothing.json", {"version": "1.1", "releases": []})
    result = ingest([tmp_path / "gone.json", nothing], tmp_path / "work")
    gone, empty_package = result.files
    assert (gone.error_code, empty_package.error_code) == ("not_a_file", "no_releases")
    assert gone.error == "This is not a file that can be read (it may have been moved or deleted)."
    assert empty_package.error == "No release or record was found in the file."
    with translation.override("es"):
        assert file_error_message(stored_error(empty_package)) == (
            "No se encontró ninguna entrega ni ningún registro en el archivo."
        )
        assert file_error_message(stored_error(gone)).startswith("No es un archivo que se pueda")


def test_it_reads_dncp_schema_and_colombian_codes_in_item_ids():
    dncp = {
        "id": "x",
        "classification": {
            "schema": "Catálogo de productos ... Dirección Nacional de Contrataciones Públicas",
            "id": "53102710-001",
        },
    }
    assert classification_fields(dncp) == ("DNCP", "53102710-001", "53102710", "", "classification")
    colombia = {
        "id": 801116,
        "classification": {"scheme": "UNSPSC", "description": "Servicios de personal temporal"},
    }
    assert classification_fields(colombia) == ("UNSPSC", "", "801116", "", "item id")
    cpv = {"id": "1", "classification": {"scheme": "CPV", "id": "18100000-0"}}
    assert classification_fields(cpv)[3] == "18100000"
    assert classification_fields({"id": "1"}) == ("", "", "", "", "")


def test_it_takes_suppliers_and_country_from_parties_and_awards():
    compiled = release(
        parties=[
            {
                "id": "b",
                "name": "Ministerio",
                "roles": ["buyer"],
                "identifier": {"scheme": "RUC", "id": "1"},
            },
            {
                "id": "s",
                "name": "Textiles SA",
                "roles": ["supplier"],
                "identifier": {"scheme": "RUC", "id": "2"},
                "address": {"countryName": "Brasil"},
            },
        ],
        buyer={"id": "b", "name": "Ministerio"},
        awards=[
            {
                "id": "a1",
                "suppliers": [{"id": "s", "name": "Textiles SA"}],
                "items": [{"id": "i", "description": "Uniformes"}],
                "value": {"amount": 10, "currency": "PYG"},
            }
        ],
        contracts=[
            {"id": "c1", "awardID": "a1", "items": [{"id": "i", "description": "Uniformes"}]}
        ],
    )
    rows = extract_items("ocds-abc-1", "releases", compiled)
    assert [
        (r["stage"], r["suppliers"], r["supplier_ids"], r["supplier_country"]) for r in rows
    ] == [
        ("award", "Textiles SA", "RUC:2", "BR"),
        ("contract", "Textiles SA", "RUC:2", "BR"),
    ]
    assert rows[0]["buyer"] == "Ministerio" and rows[0]["value_amount"] == 10


def test_it_gives_the_same_items_when_releases_are_split_into_buckets(ocds_samples, monkeypatch):
    from bhrplan.procurement.ocds import pipeline

    def items(buckets_bytes):
        monkeypatch.setattr(pipeline, "BUCKET_BYTES", buckets_bytes)
        con = duckdb.connect()
        result = build_items([ocds_samples], con)
        rows = con.execute("SELECT * EXCLUDE (row_id) FROM items").fetchall()
        return result.buckets, sorted(rows, key=repr)

    one_bucket, single = items(1024 * 1024 * 1024)
    many_buckets, split = items(100_000)
    assert one_bucket == 1 and many_buckets > 5
    assert split == single
