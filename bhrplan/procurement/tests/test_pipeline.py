import json

import duckdb

from bhrplan.procurement.ocds.pipeline import build_items, classification_fields, extract_items
from bhrplan.procurement.tests.conftest import release


def test_it_reports_each_bad_real_file_and_keeps_the_others(ocds_samples):
    con = duckdb.connect()
    result = build_items([ocds_samples], con)
    failed = {f.path.rsplit("/", 1)[-1]: f.error for f in result.failed}
    assert failed == {
        "283826.json": "empty file",
        "283906.json": "empty file",
        "284456.json": "empty file",
        "284437.json": "no usable release (records only link to releases published elsewhere)",
        "284453.json": "no usable release (records only link to releases published elsewhere)",
    }
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
    assert "line 2" in result.files[1].error
    assert con.execute("SELECT DISTINCT ocid FROM items").fetchall() == [("ocds-abc-1",)]


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
