import importlib.util
import shutil

import duckdb
import pytest

from bhrplan.procurement.ocds.pipeline import build_items
from bhrplan.procurement.screening.run import flags_table

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
        reason="PySpark or Java is not installed",
    ),
    # One test process for both: they share its Spark session (a JVM that takes many
    # seconds to start) under `pytest -n N --dist loadgroup` (make pytest).
    pytest.mark.xdist_group("spark"),
]


@pytest.mark.dbless
def test_it_gives_identical_flags_on_duckdb_and_pyspark_for_the_real_samples(ocds_samples):
    con = duckdb.connect()
    build_items([ocds_samples], con)
    on_duckdb = flags_table(con, "duckdb").to_pylist()
    on_spark = flags_table(con, "pyspark").to_pylist()
    assert len(on_duckdb) == 243
    assert len(on_spark) == len(on_duckdb)
    for left, right in zip(on_duckdb, on_spark, strict=True):
        assert left == right


@pytest.mark.dbless
def test_a_screening_run_on_pyspark_stores_the_same_flags(ocds_samples, tmp_path):
    from bhrplan.procurement.screening.run import read_flags, run_screening

    on_duckdb = run_screening([ocds_samples], tmp_path / "duckdb.duckdb")
    on_spark = run_screening([ocds_samples], tmp_path / "spark.duckdb", backend="pyspark")
    assert on_spark.summary == on_duckdb.summary and on_spark.coverage == on_duckdb.coverage
    assert read_flags(on_spark.store) == read_flags(on_duckdb.store)
    assert not list(tmp_path.glob("*.work*"))


@pytest.mark.dbless
def test_phrases_that_hide_a_keyword_are_taken_out_alike_on_pyspark():
    import pyarrow as pa

    from bhrplan.lib.text import normalize_key
    from bhrplan.procurement.ocds.pipeline import ITEMS_SCHEMA
    from bhrplan.procurement.tests.test_engine import KEYWORD_CASES, item

    rows = [
        item(n, text, description_norm=normalize_key(text))
        for n, (text, _category) in enumerate(KEYWORD_CASES, start=1)
    ]
    con = duckdb.connect()
    con.register("items_arrow", pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA))
    con.execute("CREATE TABLE items AS SELECT * FROM items_arrow")
    on_duckdb = flags_table(con, "duckdb").to_pylist()
    assert len(on_duckdb) == sum(1 for _text, category in KEYWORD_CASES if category)
    assert flags_table(con, "pyspark").to_pylist() == on_duckdb
