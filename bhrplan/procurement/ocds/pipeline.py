"""From OCDS files to one row per item (the input of the screening engine).

1. ingest: each file is read by `reader.read_file` and its releases written to its own
   Parquet staging file; a file that fails is reported and its staging file deleted,
   so nothing partial is kept; the other files go on.
2. compile: DuckDB sorts all staged releases by ocid (spilling to disk if needed); the
   releases of each ocid are merged with ocdsmerge (see merge.py). A record's
   compiledRelease is used only when no release of its ocid is available.
3. extract: one row per item of tender, awards and contracts, with buyer, suppliers,
   supplier identifiers and countries, classification and value.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from bhrplan.lib.text import normalize_key
from bhrplan.procurement.ocds.errors import FileProblem
from bhrplan.procurement.ocds.merge import compile_releases
from bhrplan.procurement.ocds.reader import OcdsFileError, read_file
from bhrplan.procurement.reference import country_code

Progress = Callable[[str, int, int], None]

STAGING_SCHEMA = pa.schema(
    [("kind", pa.string()), ("ocid", pa.string()), ("date", pa.string()), ("doc", pa.binary())]
)
BATCH_ROWS = 2000

ITEM_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("row_id", pa.int64()),
    ("ocid", pa.string()),
    ("source", pa.string()),  # "releases" (compiled here) or "compiledRelease" (publisher's)
    ("stage", pa.string()),  # tender | award | contract
    ("stage_id", pa.string()),
    ("item_id", pa.string()),
    ("description", pa.string()),
    ("description_norm", pa.string()),
    ("scheme", pa.string()),  # UNSPSC | CPV | DNCP | other text | None
    ("classification_id", pa.string()),
    ("unspsc", pa.string()),  # digits, for UNSPSC and DNCP codes
    ("code_origin", pa.string()),  # classification | item id (see classification_fields)
    ("cpv", pa.string()),  # digits without check digit
    ("buyer", pa.string()),
    ("buyer_id", pa.string()),
    ("tender_title", pa.string()),
    ("suppliers", pa.string()),
    ("supplier_ids", pa.string()),
    ("supplier_country", pa.string()),  # ISO alpha-2 of the first supplier with a country
    ("country_source", pa.string()),
    ("value_amount", pa.float64()),
    ("currency", pa.string()),
)
ITEMS_SCHEMA = pa.schema(list(ITEM_COLUMNS))


@dataclass
class FileReport:
    path: str
    ok: bool
    error: str = ""  # in English; shown translated from error_code/params/location
    releases: int = 0
    compiled: int = 0
    records: int = 0
    linked_releases: int = 0
    upgraded: int = 0
    error_code: str = ""
    error_params: dict[str, Any] = field(default_factory=dict)
    error_location: dict[str, Any] = field(default_factory=dict)

    def fail(self, error: BaseException | FileProblem) -> None:
        """The file cannot be used: keep why as data (errors.py renders it when shown)."""
        problem = error if isinstance(error, FileProblem) else FileProblem.from_exception(error)
        self.ok, self.error = False, problem.english()
        data = problem.as_dict()
        self.error_code, self.error_params = data["code"], data["params"]
        self.error_location = data["location"]


@dataclass
class IngestResult:
    files: list[FileReport] = field(default_factory=list)
    staging: list[Path] = field(default_factory=list)
    buckets: int = 1

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.files]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and every file under directories given (sorted, hidden skipped)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(
                    Path(root) / name
                    for name in sorted(files)
                    if not name.startswith(".") and not name.lower().endswith((".txt", ".md"))
                )
        else:
            out.append(path)
    return out


# Releases are hash-partitioned by ocid into buckets of about this much JSON, so that
# each bucket can be sorted by ocid within DuckDB's memory limit.
BUCKET_BYTES = 64 * 1024 * 1024


def bucket_count(files: list[Path]) -> int:
    """Buckets for a dataset, estimated from file sizes (gzip counted as ~10× larger)."""
    estimate = 0
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            continue
        estimate += size * 10 if path.name.lower().endswith(".gz") else size
    return max(1, min(512, -(-estimate // BUCKET_BYTES)))


def _bucket_of(ocid: str, buckets: int) -> int:
    if buckets == 1:
        return 0
    return zlib.crc32(ocid.encode()) % buckets


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ").strip()


def ingest(
    paths: Iterable[str | Path], workdir: Path, progress: Progress | None = None
) -> IngestResult:
    files = expand_paths(paths)
    result = IngestResult()
    workdir.mkdir(parents=True, exist_ok=True)
    result.buckets = buckets = bucket_count(files)
    for n, path in enumerate(files):
        staging = workdir / f"staging-{n:06d}"
        report = FileReport(path=str(path), ok=True)
        written: list[Path] = []
        try:
            if not path.is_file():
                raise OcdsFileError("not_a_file")
            entries, stats = read_file(path)
            written = _write_staging(entries, staging, buckets)
            report.releases, report.compiled = stats.releases, stats.compiled
            report.records, report.linked_releases = stats.records, stats.linked_releases
            report.upgraded = stats.upgraded
            if stats.releases == 0 and stats.compiled == 0:
                raise OcdsFileError(
                    "only_linked_releases" if stats.linked_releases else "no_releases"
                )
            result.staging.extend(written)
        except (OcdsFileError, UnicodeDecodeError, ValueError, TypeError, RecursionError) as exc:
            report.fail(exc)
            _remove(staging)
        result.files.append(report)
        if progress:
            progress("read", n + 1, len(files))
    return result


def _remove(staging: Path) -> None:
    """Delete everything a failed file staged (nothing partial is kept)."""
    for part in staging.parent.glob(staging.name + "-b*.parquet"):
        part.unlink(missing_ok=True)


def _write_staging(entries: Iterator[Any], staging: Path, buckets: int) -> list[Path]:
    """Write a file's entries to one Parquet file per bucket; return the files written."""
    writers: dict[int, pq.ParquetWriter] = {}
    batches: dict[int, dict[str, list[Any]]] = {}

    def flush(bucket: int) -> None:
        batch = batches[bucket]
        if not batch["kind"]:
            return
        if bucket not in writers:
            path = staging.parent / f"{staging.name}-b{bucket:03d}.parquet"
            writers[bucket] = pq.ParquetWriter(path, STAGING_SCHEMA, compression="zstd")
        writers[bucket].write_table(pa.table(batch, schema=STAGING_SCHEMA))
        for values in batch.values():
            values.clear()

    try:
        for entry in entries:
            ocid = _clean(entry.ocid)
            bucket = _bucket_of(ocid, buckets)
            batch = batches.setdefault(bucket, {"kind": [], "ocid": [], "date": [], "doc": []})
            batch["kind"].append(entry.kind)
            batch["ocid"].append(ocid)
            batch["date"].append(_clean(entry.date))
            batch["doc"].append(orjson.dumps(entry.data))
            if len(batch["kind"]) >= BATCH_ROWS:
                flush(bucket)
        for bucket in list(batches):
            flush(bucket)
    finally:
        for writer in writers.values():
            writer.close()
    return [staging.parent / f"{staging.name}-b{b:03d}.parquet" for b in sorted(writers)]


def iter_compiled(
    staging: list[Path], con: duckdb.DuckDBPyConnection, progress: Progress | None = None
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(ocid, source, compiled release) for every ocid; ocid order within each bucket."""
    if not staging:
        return
    by_bucket: dict[str, list[str]] = {}
    for path in staging:
        by_bucket.setdefault(path.stem.rsplit("-b", 1)[-1], []).append(str(path))
    total_row = con.execute(
        "SELECT count(DISTINCT ocid) FROM read_parquet($files)",
        {"files": [str(p) for p in staging]},
    ).fetchone()
    total = int(total_row[0]) if total_row else 0
    done = 0
    for bucket in sorted(by_bucket):
        for out in _compile_bucket(by_bucket[bucket], con):
            yield out
            done += 1
            if progress and done % 500 == 0:
                progress("compile", done, total)
    if progress:
        progress("compile", total, total)


def _compile_bucket(
    files: list[str], con: duckdb.DuckDBPyConnection
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    cursor = con.cursor()
    cursor.execute(
        "SELECT ocid, kind, doc FROM read_parquet($files) ORDER BY ocid, kind DESC, date",
        {"files": files},
    )
    current: str | None = None
    releases: list[dict[str, Any]] = []
    compiled: dict[str, Any] | None = None

    def emit() -> tuple[str, str, dict[str, Any]] | None:
        if current is None:
            return None
        if releases:
            return current, "releases", compile_releases(releases)
        if compiled is not None:
            return current, "compiledRelease", compiled
        return None

    while True:
        rows = cursor.fetchmany(2000)
        if not rows:
            break
        for ocid, kind, doc in rows:
            if ocid != current:
                out = emit()
                if out:
                    yield out
                current, releases, compiled = ocid, [], None
            if kind == "release":
                releases.append(orjson.loads(doc))
            else:
                compiled = orjson.loads(doc)
    out = emit()
    if out:
        yield out
    cursor.close()


# -- extraction ---------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def normalize_scheme(scheme: str, uri: str = "") -> str:
    key = normalize_key(scheme)
    if "unspsc" in key:
        return "UNSPSC"
    if "cpv" in key:
        return "CPV"
    if "contrataciones" in key or "dncp" in key or "contrataciones.gov.py" in uri:
        return "DNCP"
    return scheme.strip()


def classification_fields(item: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """(scheme, id, unspsc digits, cpv digits, code origin) from the item's classifications.

    Colombia's SECOP I data gives the UNSPSC scheme without a classification id and puts
    the UNSPSC code in the item id (e.g. 78000000, 801116): that code is used for
    matching with origin "item id", while `id` stays empty (not published).
    """
    candidates = [item.get("classification")]
    extra = item.get("additionalClassifications")
    if isinstance(extra, list):
        candidates.extend(extra)
    first_scheme = ""
    for cls in candidates:
        if not isinstance(cls, dict):
            continue
        # Paraguay's DNCP publishes `schema` instead of `scheme`.
        raw_scheme = _text(cls.get("scheme") or cls.get("schema"))
        scheme = normalize_scheme(raw_scheme, _text(cls.get("uri"))) if raw_scheme else ""
        first_scheme = first_scheme or scheme
        code = _text(cls.get("id"))
        if not code:
            continue
        unspsc = cpv = ""
        if scheme == "UNSPSC":
            unspsc = _digits(code)[:8]
        elif scheme == "DNCP":
            unspsc = _digits(code.split("-")[0])[:8]
        elif scheme == "CPV":
            cpv = _digits(code.split("-")[0])[:8]
        return scheme, code, unspsc, cpv, "classification"
    item_id = _text(item.get("id"))
    if first_scheme == "UNSPSC" and item_id.isdigit() and len(item_id) in (6, 8):
        return first_scheme, "", item_id, "", "item id"
    return first_scheme, "", "", "", ""


def _as_list(value: Any) -> list[dict[str, Any]]:
    # OCDS 1.0 data in the wild sometimes has a single object where an array belongs.
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _org(ref: dict[str, Any], parties: dict[str, dict[str, Any]]) -> tuple[str, str, str, str]:
    """(name, identifier, country code, where the country came from) for an org reference."""
    party = parties.get(_text(ref.get("id")), {}) if ref.get("id") is not None else {}
    name = _text(ref.get("name") or party.get("name"))
    identifier = ref.get("identifier") or party.get("identifier") or {}
    ident = ""
    if isinstance(identifier, dict) and identifier.get("id") not in (None, ""):
        scheme = _text(identifier.get("scheme"))
        ident = _text(identifier.get("id"))
        ident = f"{scheme}:{ident}" if scheme and len(scheme) <= 12 else ident
    country = ""
    source = ""
    for where, holder in (("supplier address", party), ("supplier address", ref)):
        address = holder.get("address") if isinstance(holder, dict) else None
        if isinstance(address, dict):
            country = country_code(_text(address.get("country"))) or country_code(
                _text(address.get("countryName"))
            )
            if country:
                source = where
                break
    return name, ident, country, source


def _value(obj: dict[str, Any]) -> tuple[float | None, str]:
    value = obj.get("value")
    if isinstance(value, dict):
        amount = value.get("amount")
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return float(amount), _text(value.get("currency"))
    return None, ""


def extract_items(ocid: str, source: str, release: dict[str, Any]) -> list[dict[str, Any]]:
    parties = {
        _text(p.get("id")): p for p in _as_list(release.get("parties")) if p.get("id") is not None
    }
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    assert isinstance(tender, dict)
    buyer_ref = release.get("buyer") if isinstance(release.get("buyer"), dict) else None
    if buyer_ref is None:
        buyer_ref = next(
            (p for p in parties.values() if "buyer" in (p.get("roles") or [])),
            tender.get("procuringEntity")
            if isinstance(tender.get("procuringEntity"), dict)
            else {},
        )
    buyer, buyer_id, _c, _s = _org(buyer_ref or {}, parties)
    tender_title = _text(tender.get("title") or tender.get("description"))
    tender_amount, tender_currency = _value(tender)
    awards = {_text(a.get("id")): a for a in _as_list(release.get("awards"))}

    rows: list[dict[str, Any]] = []

    def add(stage: str, stage_id: str, holder: dict[str, Any], suppliers: list[dict[str, Any]]):
        amount, currency = _value(holder)
        if amount is None:
            amount, currency = tender_amount, tender_currency
        orgs = [_org(s, parties) for s in suppliers]
        names = "; ".join(o[0] for o in orgs if o[0])
        idents = "; ".join(o[1] for o in orgs if o[1])
        country, country_source = next(((o[2], o[3]) for o in orgs if o[2]), ("", ""))
        for item in _as_list(holder.get("items")):
            description = _text(item.get("description"))
            if not description and isinstance(item.get("classification"), dict):
                description = _text(item["classification"].get("description"))
            scheme, code, unspsc, cpv, origin = classification_fields(item)
            rows.append(
                {
                    "ocid": ocid,
                    "source": source,
                    "stage": stage,
                    "stage_id": stage_id,
                    "item_id": _text(item.get("id")),
                    "description": description,
                    "description_norm": normalize_key(description),
                    "scheme": scheme or None,
                    "classification_id": code or None,
                    "unspsc": unspsc or None,
                    "cpv": cpv or None,
                    "code_origin": origin or None,
                    "buyer": buyer or None,
                    "buyer_id": buyer_id or None,
                    "tender_title": tender_title or None,
                    "suppliers": names or None,
                    "supplier_ids": idents or None,
                    "supplier_country": country or None,
                    "country_source": country_source or None,
                    "value_amount": amount,
                    "currency": currency or None,
                }
            )

    add("tender", _text(tender.get("id")), tender, [])
    for award_id, award in awards.items():
        add("award", award_id, award, _as_list(award.get("suppliers")))
    for contract in _as_list(release.get("contracts")):
        suppliers = _as_list(contract.get("suppliers"))
        if not suppliers:
            award = awards.get(_text(contract.get("awardID")), {})
            suppliers = _as_list(award.get("suppliers"))
        add("contract", _text(contract.get("id")), contract, suppliers)
    return rows


def build_items(
    paths: Iterable[str | Path],
    con: duckdb.DuckDBPyConnection,
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> IngestResult:
    """Read, compile and extract into the DuckDB table `items` (replaced)."""
    con.execute("DROP TABLE IF EXISTS items")
    _create_items_table(con)
    with tempfile.TemporaryDirectory(dir=workdir, prefix="ocds-") as tmp:
        result = ingest(paths, Path(tmp), progress)
        buffer: list[dict[str, Any]] = []
        row_id = 0
        for ocid, source, release in iter_compiled(result.staging, con, progress):
            for row in extract_items(ocid, source, release):
                row_id += 1
                row["row_id"] = row_id
                buffer.append(row)
            if len(buffer) >= 5000:
                _insert(con, buffer)
                buffer = []
        _insert(con, buffer)
    return result


def _create_items_table(con: duckdb.DuckDBPyConnection) -> None:
    empty = ITEMS_SCHEMA.empty_table()  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("CREATE TABLE items AS SELECT * FROM empty")


def _insert(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    batch = pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA)  # noqa: F841 - DuckDB scan
    con.execute("INSERT INTO items SELECT * FROM batch")
