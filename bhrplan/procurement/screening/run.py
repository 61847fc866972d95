"""Run a screening end to end and keep its results in an analytical store (DuckDB file).

The store holds the tables `flags` and `files` (per-file report; the error's code, its
parameters and location as JSON, see ocds/errors.py); the Django database keeps the
metadata, coverage and summary (see models.py). The items (one row per item: ten
million for a national dataset) are needed only to compute the flags and the coverage:
they go to a working database beside the store, deleted at the end.
"""

from __future__ import annotations

import errno
import json
import tempfile
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from bhrplan.procurement.ocds.errors import FileProblem, ScreeningStopped, reason_of
from bhrplan.procurement.ocds.pipeline import FileReport, Progress, build_items
from bhrplan.procurement.screening.engine import (
    FLAG_COLUMNS,
    coverage,
    flag_details,
    item_hits,
    screen,
    summary,
)

BACKENDS = ("duckdb", "pyspark")
# The working database (items) attached beside the store during a screening.
WORK = "screening_work"


class BackendUnavailable(Exception):
    pass


@dataclass
class ScreeningResult:
    store: Path
    backend: str
    coverage: dict[str, Any]
    summary: dict[str, Any]
    files: list[FileReport] = field(default_factory=list)

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]


def pyspark_backend() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise BackendUnavailable("PySpark is not installed") from exc
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bhrplan-screening")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="bhrplan-spark-"))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)


def _items(ib: Any, table: str) -> ibis.Table:
    """The items table, `name` or `catalog.name` (an attached database)."""
    catalog, _dot, name = table.rpartition(".")
    return ib.table(name, database=(catalog, "main")) if catalog else ib.table(name)


def flags_table(
    con: duckdb.DuckDBPyConnection, backend: str = "duckdb", items: str = "items"
) -> pa.Table:
    """Run the Ibis screening over the `items` table on the chosen backend."""
    if backend == "duckdb":
        return screen(_items(ibis.duckdb.from_connection(con), items)).to_pyarrow()
    if backend == "pyspark":
        spark = pyspark_backend()
        arrow_items = con.sql(f"SELECT * FROM {items} ORDER BY row_id").to_arrow_table()  # noqa: S608 - our own name
        # Straight from Arrow into a temporary view, so SQL NULLs stay NULL (the pandas
        # detour of create_table turns them into NaN) and nothing is written to disk.
        frame = spark._session.createDataFrame(arrow_items)
        frame.createOrReplaceTempView("screening_items")
        return screen(spark.table("screening_items")).to_pyarrow()
    raise BackendUnavailable(f"unknown backend {backend!r}")


def _store_flags(con: duckdb.DuckDBPyConnection, ib: Any, items: ibis.Table, work: str) -> None:
    """The flags table, computed inside DuckDB (the flags never pass through Python).

    In two steps, each within the memory limit: what flags each item (narrow rows, kept
    in the working database `work`, on disk whatever the dataset's size), then the
    item's details for each. As one query, the join and the ordering of the wide rows
    spilled to disk at a national scale and took twice as long. Instead of being sorted,
    the flags keep the order of the items they come from (row_id, which follows the
    ocids), so each tender's flags stay together in the file; readers sort.
    """
    ib.create_table("hits", item_hits(items), database=(work, "main"))
    hits = ib.table("hits", database=(work, "main"))
    con.execute("SET preserve_insertion_order = true")
    try:
        ib.create_table("flags", flag_details(hits, items).select(list(FLAG_COLUMNS)))
    finally:
        con.execute("SET preserve_insertion_order = false")


def files_table(reports: list[dict[str, Any]]) -> pa.Table:
    """The per-file report for the store; the error's parameters and location as JSON text."""
    rows = [
        {
            **row,
            "error_params": json.dumps(row["error_params"]),
            "error_location": json.dumps(row["error_location"]),
        }
        for row in reports
    ]
    return pa.Table.from_pylist(rows)


def stopped_problem(exc: BaseException) -> FileProblem:
    """Why a screening stopped, as a problem its page can show in the reader's language."""
    if isinstance(exc, ScreeningStopped):
        return exc.problem
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        "No space left on device" in str(exc)  # as DuckDB and Arrow word it
    ):
        return FileProblem("disk_full")
    if isinstance(exc, MemoryError | duckdb.OutOfMemoryException):
        return FileProblem("out_of_memory")
    if isinstance(exc, BrokenProcessPool):
        return FileProblem("worker_stopped")
    return FileProblem("unexpected", {"reason": f"{type(exc).__name__}: {reason_of(exc)}"})


def run_screening(
    paths: Iterable[str | Path],
    store: Path,
    *,
    backend: str = "duckdb",
    progress: Progress | None = None,
) -> ScreeningResult:
    store.parent.mkdir(parents=True, exist_ok=True)
    work = store.with_name(store.name + ".work")
    leftovers = [work, work.with_name(work.name + ".wal")]
    for path in (store, *leftovers):
        path.unlink(missing_ok=True)
    con = duckdb.connect(str(store))
    try:
        con.execute("SET memory_limit = '512MB'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"ATTACH $path AS {WORK}", {"path": str(work)})
        items_table = f"{WORK}.items"
        ingest = build_items(paths, con, progress, workdir=store.parent, table=items_table)
        if progress:
            progress("screen", 0, 1)
        ib = ibis.duckdb.from_connection(con)
        items = _items(ib, items_table)
        if backend == "duckdb":
            _store_flags(con, ib, items, WORK)
        else:
            flags = flags_table(con, backend, items_table).select(list(FLAG_COLUMNS))
            con.register("flags_arrow", flags)
            con.execute("CREATE OR REPLACE TABLE flags AS SELECT * FROM flags_arrow")
            con.unregister("flags_arrow")
        cov = coverage(items).to_pyarrow().to_pylist()[0]
        # Processes whose releases ocdsmerge refuses, screened with a workaround.
        cov["undated"], cov["conflicting"] = ingest.undated, ingest.conflicting
        # Processes read whose tender, awards and contracts list no items: those with a
        # title were screened by it (titles_only), the others had nothing to screen.
        # Told, not left out of every count.
        screened = int(cov["tenders"] or 0) + int(cov["titles_only"] or 0)
        cov["without_items"] = max(0, ingest.ocids - screened)
        summ = summary(ib.table("flags")).to_pyarrow().to_pylist()[0]
        if ingest.files:
            con.register("files_arrow", files_table(ingest.as_dicts()))
            con.execute("CREATE OR REPLACE TABLE files AS SELECT * FROM files_arrow")
            con.unregister("files_arrow")
        if progress:
            progress("screen", 1, 1)
    except BaseException:
        con.close()
        for path in (store, store.with_name(store.name + ".wal")):
            path.unlink(missing_ok=True)  # nothing half-written is kept
        raise
    finally:
        con.close()
        for path in leftovers:
            path.unlink(missing_ok=True)
    return ScreeningResult(
        store=store,
        backend=backend,
        coverage={k: int(v or 0) for k, v in cov.items()},
        summary={k: int(v or 0) for k, v in summ.items()},
        files=ingest.files,
    )


# -- export -------------------------------------------------------------------

CSV_COLUMNS = (
    "ocid",
    "buyer",
    "suppliers",
    "supplier_ids",
    "stage",
    "item_id",
    "description",
    "scheme",
    "classification_id",
    "category",
    "risk_types",
    "evidence",
    "matched",
    "supplier_country",
    "country_status",
    "country_evidence",
    "source",
    "confidence",
)


# Missing data is shown as missing, never as an empty "no risk".
SHOW_MISSING = {"buyer", "suppliers", "supplier_ids", "description", "scheme", "classification_id"}
# A cell starting with one of these is a formula to a spreadsheet: written after a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An XLSX download is written row by row (about 10 000 rows a second here): beyond this,
# the CSV (written by DuckDB, about a million rows a second) or a narrower view.
XLSX_MAX_ROWS = 100_000


def _export_column(column: str, xml: bool) -> str:
    """The SQL of one exported column: text, "missing" where SHOW_MISSING, and a quote
    before text that a spreadsheet would take for a formula; for XLSX (`xml`), without the
    control characters XML cannot hold (descriptions pasted from other programs have
    some, and openpyxl refuses the whole workbook for one)."""
    empty = "'missing'" if column in SHOW_MISSING else "''"
    text = f"coalesce(nullif(CAST({column} AS VARCHAR), ''), {empty})"
    if xml:
        text = rf"regexp_replace({text}, '[\x00-\x08\x0B\x0C\x0E-\x1F]', '', 'g')"
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    quote = "''''"  # one single quote, in SQL
    return f"CASE WHEN left({text}, 1) IN ({starts}) THEN {quote} || {text} ELSE {text} END"


def export_flags(
    store: Path, where: str = "", params: dict[str, Any] | None = None, *, xml: bool = False
) -> duckdb.DuckDBPyRelation:
    """The exported rows (CSV_COLUMNS) of the flags `where` selects, in row order (the
    connection stays open while the relation is used); `xml`: for an XLSX workbook."""
    con = duckdb.connect(str(store), read_only=True)
    columns = ", ".join(f"{_export_column(c, xml)} AS {c}" for c in CSV_COLUMNS)
    sql = f"SELECT {columns} FROM flags {where} ORDER BY row_id, category"  # noqa: S608
    return con.sql(sql, params=params or None)


def count_flags(store: Path, where: str = "", params: dict[str, Any] | None = None) -> int:
    """How many flags `where` selects (0 when the results are no longer on disk)."""
    if not store.is_file():
        return 0
    con = duckdb.connect(str(store), read_only=True)
    try:
        sql = f"SELECT count(*) FROM flags {where}"  # noqa: S608 - built by the caller
        ((count,),) = con.sql(sql, params=params or None).fetchall()
    finally:
        con.close()
    return int(count)


def write_flags_csv(
    store: Path, out: Path, where: str = "", params: dict[str, Any] | None = None
) -> int:
    """The flags as CSV (all, or those `where` selects), written by DuckDB: bounded memory
    and about a million rows a second, whatever the screening's size."""
    export_flags(store, where, params).write_csv(str(out), header=True)
    return count_flags(store, where, params)


def write_flags_xlsx(
    store: Path, out: Path, where: str = "", params: dict[str, Any] | None = None
) -> int:
    """The flags as an XLSX workbook (one sheet), written a batch of rows at a time."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("flags")
    sheet.append(list(CSV_COLUMNS))
    count = 0
    for batch in export_flags(store, where, params, xml=True).to_arrow_reader(20_000):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=True):
            sheet.append(list(row))
        count += batch.num_rows
    workbook.save(out)
    return count


def read_flags(store: Path, *, ocid: str | None = None) -> pa.Table:
    """All flags of a stored screening, or those of one contracting process."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        if ocid is None:
            return con.sql("SELECT * FROM flags ORDER BY row_id, category").to_arrow_table()
        return con.sql(
            "SELECT * FROM flags WHERE ocid = $ocid ORDER BY row_id, category",
            params={"ocid": ocid},
        ).to_arrow_table()
    finally:
        con.close()
