"""From OCDS files to one row per item (the input of the screening engine).

1. stage: every file is read (`reader.read_file`; big JSON Lines files in chunks of
   lines) and each release is appended, as JSON, to the staging file of its bucket (a
   hash of the ocid). A file that fails is reported and everything it staged is left
   out of step 2, so nothing partial is kept; the other files go on.
2. compile: each bucket (about 64 MB of JSON) is read on its own; the releases of each
   ocid are merged into one compiled release (`merge.compile_fast`, equal to
   ocdsmerge's). A record's compiledRelease is used only when no release of its ocid
   is available. One row per item of tender, awards and contracts is extracted, with
   buyer, suppliers, supplier identifiers and countries, classification and value.
3. the rows of all buckets become the DuckDB table `items`, in ocid order.

Steps 1 and 2 run in worker processes (one per CPU core) when the dataset is big
enough to gain from it; memory stays bounded by the chunk and bucket sizes, whatever
the size of the dataset.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from itertools import accumulate
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from ocdsmerge.exceptions import InconsistentTypeError, OCDSMergeError

from bhrplan.lib.text import normalize_key
from bhrplan.procurement.ocds.errors import FileProblem
from bhrplan.procurement.ocds.merge import compile_fast
from bhrplan.procurement.ocds.reader import (
    DECOMPRESS_ERRORS,
    Entry,
    OcdsFileError,
    ReadStats,
    _open,
    _Reader,
    _reason,
    read_file,
)
from bhrplan.procurement.reference import country_code

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

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
# What a bucket task writes: the item columns without row_id, plus the row's position in
# the bucket (row_id is given once all buckets are done, in ocid order).
BUCKET_SCHEMA = pa.schema([*ITEM_COLUMNS[1:], ("bucket_row", pa.int64())])


@dataclass
class FileReport:
    path: str
    ok: bool
    error: str = ""
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

    def add(self, stats: ReadStats) -> None:
        self.releases += stats.releases
        self.compiled += stats.compiled
        self.records += stats.records
        self.linked_releases += stats.linked_releases
        self.upgraded += stats.upgraded


@dataclass
class IngestResult:
    files: list[FileReport] = field(default_factory=list)
    buckets: int = 1
    workers: int = 1
    ocids: int = 0
    # ocids whose releases could not be merged as published (see _compile_ocid)
    undated: int = 0
    conflicting: int = 0

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
# one bucket at a time fits in a worker's memory.
BUCKET_BYTES = 64 * 1024 * 1024
# Big JSON Lines files are cut into chunks of lines of about this size for the workers.
CHUNK_BYTES = 8 * 1024 * 1024
# A worker writes its staged releases out when it holds this much.
FLUSH_BYTES = 16 * 1024 * 1024
# A bucket's items are written out this many rows at a time.
WRITE_ROWS = 16384
# Below this much (estimated) JSON, everything runs in the calling process.
PARALLEL_MIN_BYTES = 48 * 1024 * 1024


def _estimated_size(path: Path) -> int:
    """Uncompressed size of a file (gzip counted as ~10× larger)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    return size * 10 if path.name.lower().endswith(".gz") else size


def bucket_count(files: list[Path]) -> int:
    """Buckets for a dataset, estimated from file sizes."""
    estimate = sum(_estimated_size(path) for path in files)
    return max(1, min(1024, -(-estimate // BUCKET_BYTES)))


def default_workers(files: list[Path]) -> int:
    if sum(_estimated_size(path) for path in files) < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _bucket_of(ocid: bytes, buckets: int) -> int:
    if buckets == 1:
        return 0
    return zlib.crc32(ocid) % buckets


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ").strip()


# -- projection ---------------------------------------------------------------
#
# Only these fields of a release are screened; the rest (documents, milestones,
# quantities, transactions …) is dropped before staging, which makes staging, merging
# and extraction several times lighter. `None` keeps a value whole. Merging is by path,
# so the merge of the projected releases gives the projection of the merge; an object
# without `id` from which something was dropped and nothing with a value is left is
# kept whole, so that it exists in the compiled release exactly when it would have
# (a test compares the items extracted both ways on generated releases).

_Spec = dict[str, "_Spec | None"]
_ORG_SPEC: _Spec = {"id": None, "name": None, "identifier": None, "address": None}
_ITEM_SPEC: _Spec = {
    "id": None,
    "description": None,
    "classification": None,
    "additionalClassifications": None,
}
_STAGE_SPEC: _Spec = {
    "id": None,
    "value": None,
    "awardID": None,
    "suppliers": _ORG_SPEC,
    "items": _ITEM_SPEC,
}
RELEASE_SPEC: _Spec = {
    "ocid": None,
    "id": None,
    "date": None,
    "buyer": _ORG_SPEC,
    "parties": {**_ORG_SPEC, "roles": None},
    "tender": {
        "id": None,
        "title": None,
        "description": None,
        "value": None,
        "procuringEntity": _ORG_SPEC,
        "items": _ITEM_SPEC,
    },
    "awards": _STAGE_SPEC,
    "contracts": _STAGE_SPEC,
}
_DROP: Any = object()


def _has_leaf(value: Any) -> bool:
    """Whether merging this value writes anything (ocdsmerge skips empty objects/arrays)."""
    if type(value) is dict:
        return any(_has_leaf(v) for v in value.values())
    if type(value) is list:
        return any(type(v) is not dict or _has_leaf(v) for v in value) if value else False
    return True


def project(obj: dict[str, Any], spec: _Spec = RELEASE_SPEC) -> dict[str, Any]:
    """The part of a release (or of one of its objects) that the screening reads."""
    if id(spec) in _FLAT_SPECS:  # only whole values below: one comprehension
        out = {key: value for key, value in obj.items() if key in spec}
    else:
        out = {}
        for key, value in obj.items():
            if key not in spec:
                continue
            sub = spec[key]
            kind = type(value)
            if sub is None or not value:
                out[key] = value
            elif kind is dict:
                out[key] = project(value, sub)
            elif kind is list and all(type(v) is dict for v in value):
                out[key] = [project(v, sub) for v in value]
            else:
                out[key] = value
    if len(out) < len(obj) and "id" not in obj and not _has_leaf(out):
        return obj
    return out


_FLAT_SPECS = {id(_ORG_SPEC), id(_ITEM_SPEC), id(RELEASE_SPEC["parties"])}


# -- staging ------------------------------------------------------------------
#
# One append-only file per worker process and bucket. Each record: a header (file
# number, chunk number, position in the chunk, kind, lengths), then ocid, date and the
# projected release as JSON.

_HEADER = struct.Struct("<IIIBHHI")
_KIND_RELEASE, _KIND_COMPILED = 0, 1


class _Stager:
    def __init__(self, directory: str, buckets: int, file_number: int, chunk: int) -> None:
        self.directory = directory
        self.buckets = buckets
        self.file_number = file_number
        self.chunk = chunk
        self.position = 0
        self.size = 0
        self.pending: dict[int, bytearray] = {}

    def add(self, entry: Entry) -> None:
        ocid = _clean(entry.ocid).encode()
        date = _clean(entry.date).encode()[:65535]
        doc = orjson.dumps(project(entry.data))
        kind = _KIND_RELEASE if entry.kind == "release" else _KIND_COMPILED
        buffer = self.pending.get(bucket := _bucket_of(ocid, self.buckets))
        if buffer is None:
            buffer = self.pending[bucket] = bytearray()
        buffer += _HEADER.pack(
            self.file_number, self.chunk, self.position, kind, len(ocid), len(date), len(doc)
        )
        buffer += ocid
        buffer += date
        buffer += doc
        self.position += 1
        self.size += len(doc) + len(ocid) + 32
        if self.size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        pid = os.getpid()
        for bucket, buffer in self.pending.items():
            if buffer:
                with open(Path(self.directory) / f"stage-{pid}-b{bucket:04d}.bin", "ab") as fh:
                    fh.write(buffer)
        self.pending.clear()
        self.size = 0


@dataclass
class _Staged:
    """What a staging task reports back: its counts, or why its file cannot be used."""

    file_number: int
    chunk: int
    stats: ReadStats
    problem: FileProblem | None = None  # picklable, unlike the exception


_FILE_ERRORS = (OcdsFileError, UnicodeDecodeError, ValueError, TypeError, RecursionError)


def _stage_file(directory: str, buckets: int, file_number: int, path: str) -> _Staged:
    """Stage a whole file (any format) with the streaming reader."""
    stats = ReadStats()
    stager = _Stager(directory, buckets, file_number, 0)
    try:
        if not Path(path).is_file():
            raise OcdsFileError("not_a_file")
        entries, stats = read_file(Path(path))
        for entry in entries:
            stager.add(entry)
        stager.flush()
    except _FILE_ERRORS as exc:
        return _Staged(file_number, 0, stats, FileProblem.from_exception(exc))
    return _Staged(file_number, 0, stats)


def _stage_lines(
    directory: str, buckets: int, file_number: int, chunk: int, first_line: int, block: bytes
) -> _Staged:
    """Stage one chunk of a JSON Lines file (whole lines, numbered from first_line)."""
    reader = _Reader(Path())
    stats = reader.stats
    stager = _Stager(directory, buckets, file_number, chunk)
    try:
        for number, line in enumerate(block.split(b"\n"), start=first_line):
            for entry in reader.line_entries(line, number):
                stager.add(entry)
        stager.flush()
    except _FILE_ERRORS as exc:
        return _Staged(file_number, chunk, stats, FileProblem.from_exception(exc))
    return _Staged(file_number, chunk, stats)


def _jsonl_chunks(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, whole lines) of a JSON Lines file, CHUNK_BYTES at a time."""
    first_line = 1
    with _open(path) as stream:
        while block := stream.read(CHUNK_BYTES):
            if not block.endswith(b"\n"):
                block += stream.readline()
            yield first_line, block
            first_line += block.count(b"\n")


_PEEK_ERRORS: tuple[type[Exception], ...] = (*DECOMPRESS_ERRORS, orjson.JSONDecodeError)


def _is_big_jsonl(path: Path) -> bool:
    """A file worth cutting into chunks: big, and its first line is a whole JSON object."""
    if _estimated_size(path) < 2 * CHUNK_BYTES:
        return False
    try:
        with _open(path) as stream:
            first = stream.readline(CHUNK_BYTES)
            while first and not first.strip():
                first = stream.readline(CHUNK_BYTES)
        return isinstance(orjson.loads(first), dict)
    except _PEEK_ERRORS:
        return False


class _Inline(Executor):
    """Runs tasks in the calling process (small datasets, tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _executor(workers: int) -> Executor:
    if workers <= 1:
        return _Inline()
    # "spawn": the workers start clean, without the caller's database connections or
    # DuckDB threads (forking those is unsafe).
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def stage(
    files: list[Path],
    directory: Path,
    buckets: int,
    pool: Executor,
    workers: int,
    progress: Progress | None = None,
) -> list[FileReport]:
    reports = [FileReport(path=str(path), ok=True) for path in files]
    total_mb = max(1, sum(_estimated_size(p) for p in files) // 1_000_000)
    done_mb = 0
    pending: list[Future[_Staged]] = []
    failed_chunk: dict[int, int] = {}  # file → first failing chunk

    def collect(future: Future[_Staged]) -> None:
        staged = future.result()
        report = reports[staged.file_number]
        report.add(staged.stats)
        if staged.problem and staged.chunk < failed_chunk.get(staged.file_number, 1 << 62):
            failed_chunk[staged.file_number] = staged.chunk
            report.fail(staged.problem)

    def submit(fn: Callable[..., _Staged], *args: Any) -> None:
        # At most two tasks per worker in flight: memory stays bounded by the chunk size.
        while len(pending) >= 2 * workers:
            collect(pending.pop(0))
        pending.append(pool.submit(fn, str(directory), buckets, *args))

    for number, path in enumerate(files):
        if _is_big_jsonl(path):
            try:
                for chunk, (first_line, block) in enumerate(_jsonl_chunks(path)):
                    if number in failed_chunk:
                        break  # the file already failed: no need to read on
                    submit(_stage_lines, number, chunk, first_line, block)
                    done_mb += len(block) // 1_000_000
                    if progress:
                        progress("read", min(done_mb, total_mb), total_mb)
            except DECOMPRESS_ERRORS as exc:
                failed_chunk[number] = -1
                reports[number].fail(OcdsFileError("cannot_decompress", reason=_reason(exc)))
        else:
            submit(_stage_file, number, str(path))
            done_mb += _estimated_size(path) // 1_000_000
    while pending:
        collect(pending.pop(0))
    for report in reports:
        if report.ok and report.releases == 0 and report.compiled == 0:
            report.fail(
                FileProblem("only_linked_releases" if report.linked_releases else "no_releases")
            )
    if progress:
        progress("read", total_mb, total_mb)
    return reports


# -- compile ------------------------------------------------------------------


@dataclass
class _Compiled:
    bucket: int
    path: str
    ocids: int = 0
    items: int = 0
    undated: int = 0
    conflicting: int = 0


def _read_bucket(
    directory: str, bucket: int, failed: frozenset[int]
) -> dict[str, list[tuple[tuple[int, int, int], int, memoryview]]]:
    groups: dict[str, list[tuple[tuple[int, int, int], int, memoryview]]] = {}
    size = _HEADER.size
    for path in sorted(Path(directory).glob(f"stage-*-b{bucket:04d}.bin")):
        data = memoryview(path.read_bytes())
        offset = 0
        while offset < len(data):
            file_number, chunk, position, kind, n_ocid, n_date, n_doc = _HEADER.unpack_from(
                data, offset
            )
            offset += size
            ocid = bytes(data[offset : offset + n_ocid]).decode()
            offset += n_ocid + n_date
            doc = data[offset : offset + n_doc]
            offset += n_doc
            if file_number not in failed:
                groups.setdefault(ocid, []).append(((file_number, chunk, position), kind, doc))
    return groups


def _date_key(release: dict[str, Any]) -> str:
    date = release.get("date")
    return date if isinstance(date, str) else ""


# What merging raises on shapes it cannot merge: ocdsmerge's own error, and the plain
# errors it meets on, e.g., an object given as an award's `id`.
_SHAPE_ERRORS = (InconsistentTypeError, TypeError, ValueError, KeyError, AttributeError)


def _latest_alone(releases: list[dict[str, Any]], out: _Compiled) -> dict[str, Any]:
    out.conflicting += 1
    latest = max(releases, key=_date_key)
    try:
        return compile_fast([latest])
    except _SHAPE_ERRORS:
        return latest  # one release, screened as published


def _compile_ocid(releases: list[dict[str, Any]], out: _Compiled) -> dict[str, Any]:
    """Merge the releases of one ocid; data that ocdsmerge refuses is still screened.

    Releases without a date are ordered first (ocdsmerge refuses them); when two
    releases give one field incompatible shapes (or a shape ocdsmerge cannot merge at
    all), the latest release is used alone.
    """
    try:
        return compile_fast(releases)
    except InconsistentTypeError:
        return _latest_alone(releases, out)
    except OCDSMergeError:  # before the plain errors: some of its dating errors are KeyErrors
        out.undated += 1
        for release in releases:
            release["date"] = _date_key(release)
        try:
            return compile_fast(releases)
        except _SHAPE_ERRORS:
            return _latest_alone(releases, out)
    except _SHAPE_ERRORS:
        return _latest_alone(releases, out)


def _compile_bucket(directory: str, bucket: int, failed: frozenset[int]) -> _Compiled:
    out = _Compiled(bucket, str(Path(directory) / f"items-b{bucket:04d}.parquet"))
    groups = _read_bucket(directory, bucket, failed)
    rows: list[tuple[Any, ...]] = []
    with pq.ParquetWriter(out.path, BUCKET_SCHEMA, compression="zstd") as writer:

        def write() -> None:
            columns = [list(c) for c in zip(*rows, strict=True)]
            columns.append(list(range(out.items, out.items + len(rows))))
            writer.write_table(pa.table(columns, schema=BUCKET_SCHEMA))
            out.items += len(rows)
            rows.clear()

        for ocid in sorted(groups):
            entries = sorted(groups.pop(ocid), key=lambda e: e[0])
            releases = [orjson.loads(d) for _key, kind, d in entries if kind == _KIND_RELEASE]
            if releases:
                source, compiled = "releases", _compile_ocid(releases, out)
            else:
                source, compiled = "compiledRelease", orjson.loads(entries[-1][2])
            out.ocids += 1
            extract_rows(ocid, source, compiled, rows)
            if len(rows) >= WRITE_ROWS:  # bounded memory: rows go out in batches
                write()
        if rows:
            write()
    return out


# -- extraction ---------------------------------------------------------------


def _text(value: Any) -> str:
    if type(value) is str:
        # Already clean (the common case): no need to split and join again.
        if value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
            return value
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dict | list):
        # An object or list where text belongs: as JSON with sorted keys, so that it reads
        # the same whichever merge (ours or ocdsmerge's) ordered its keys.
        value = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return " ".join(str(value).split())


_NOT_DIGITS = re.compile(r"\D+")


def _digits(value: str) -> str:
    return _NOT_DIGITS.sub("", value)


# CPV as publishers write it: "CPV", "CPV 2008", "EU-CPV", "cpv:2008"; Ukraine's
# Prozorro names it ДК021 (DK 021:2015 is the CPV). Not "CPVS": the CPV's supplementary
# vocabulary (AA01-1 …), whose codes are not CPV codes.
_CPV_SCHEME = re.compile(r"(eu[\s_:-]*)?cpv([\s_:-]*v?\d{4})?|(дк|dk)[\s_:-]*021([\s_:-]*\d{4})?")


@cache
def normalize_scheme(scheme: str, uri: str = "") -> str:
    key = normalize_key(scheme)
    if "unspsc" in key:
        return "UNSPSC"
    if _CPV_SCHEME.fullmatch(key):
        return "CPV"
    if "contrataciones" in key or "dncp" in key or "contrataciones.gov.py" in uri:
        return "DNCP"
    return scheme.strip()


@lru_cache(maxsize=65536, typed=True)
def _classification(raw_scheme: Any, raw_uri: Any, raw_id: Any) -> tuple[str, str, str, str]:
    """(scheme, id, unspsc digits, cpv digits) of one classification (codes repeat a lot)."""
    text = _text(raw_scheme)
    scheme = normalize_scheme(text, _text(raw_uri)) if text else ""
    code = _text(raw_id)
    unspsc = cpv = ""
    if code:
        if scheme == "UNSPSC":
            unspsc = _digits(code)[:8]
        elif scheme == "DNCP":
            unspsc = _digits(code.split("-")[0])[:8]
        elif scheme == "CPV":
            cpv = _digits(code.split("-")[0])[:8]
    return scheme, code, unspsc, cpv


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
        raw = (cls.get("scheme") or cls.get("schema"), cls.get("uri"), cls.get("id"))
        try:
            scheme, code, unspsc, cpv = _classification(*raw)
        except TypeError:  # an object or array where text belongs: not cacheable
            scheme, code, unspsc, cpv = _classification.__wrapped__(*raw)
        first_scheme = first_scheme or scheme
        if code:
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


# An amount some publishers write as text: plain digits with an optional decimal point.
# Anything else ("1.234,56", "USD 10") is not read: its meaning depends on a locale.
_AMOUNT_TEXT = re.compile(r"-?\d+(\.\d+)?")


def _value(obj: dict[str, Any]) -> tuple[float | None, str]:
    value = obj.get("value")
    if isinstance(value, dict):
        amount = value.get("amount")
        if type(amount) is str and _AMOUNT_TEXT.fullmatch(amount.strip()):
            amount = float(amount)
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return float(amount), _text(value.get("currency"))
    return None, ""


ROW_NAMES = tuple(name for name, _type in ITEM_COLUMNS[1:])


def extract_items(ocid: str, source: str, release: dict[str, Any]) -> list[dict[str, Any]]:
    """One dict per item (see ITEM_COLUMNS)."""
    rows: list[tuple[Any, ...]] = []
    extract_rows(ocid, source, release, rows)
    return [dict(zip(ROW_NAMES, row, strict=True)) for row in rows]


def extract_rows(
    ocid: str, source: str, release: dict[str, Any], rows: list[tuple[Any, ...]]
) -> None:
    """Append one tuple per item of tender, awards and contracts, in ROW_NAMES order."""
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
    tender_title = _text(tender.get("title") or tender.get("description")) or None
    tender_amount, tender_currency = _value(tender)
    awards = {_text(a.get("id")): a for a in _as_list(release.get("awards"))}
    # The same items usually come back in the award and the contract: normalise once.
    normalized: dict[str, str] = {}

    def add(stage: str, stage_id: str, holder: dict[str, Any], suppliers: list[dict[str, Any]]):
        amount, currency = _value(holder)
        if amount is None:
            amount, currency = tender_amount, tender_currency
        orgs = [_org(s, parties) for s in suppliers]
        names = "; ".join(o[0] for o in orgs if o[0]) or None
        idents = "; ".join(o[1] for o in orgs if o[1]) or None
        country, country_source = next(((o[2], o[3]) for o in orgs if o[2]), ("", ""))
        common = (
            buyer or None,
            buyer_id or None,
            tender_title,
            names,
            idents,
            country or None,
            country_source or None,
            amount,
            currency or None,
        )
        for item in _as_list(holder.get("items")):
            description = _text(item.get("description"))
            if not description and isinstance(item.get("classification"), dict):
                description = _text(item["classification"].get("description"))
            norm = normalized.get(description)
            if norm is None:
                norm = normalized[description] = normalize_key(description)
            scheme, code, unspsc, cpv, origin = classification_fields(item)
            rows.append(
                (
                    ocid,
                    source,
                    stage,
                    stage_id,
                    _text(item.get("id")),
                    description,
                    norm,
                    scheme or None,
                    code or None,
                    unspsc or None,
                    origin or None,
                    cpv or None,
                    *common,
                )
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


def build_items(
    paths: Iterable[str | Path],
    con: duckdb.DuckDBPyConnection,
    progress: Progress | None = None,
    workdir: Path | None = None,
    workers: int | None = None,
) -> IngestResult:
    """Read, compile and extract into the DuckDB table `items` (replaced)."""
    files = expand_paths(paths)
    result = IngestResult(buckets=bucket_count(files))
    result.workers = workers if workers is not None else default_workers(files)
    con.execute("DROP TABLE IF EXISTS items")
    directory = Path(tempfile.mkdtemp(dir=workdir, prefix="ocds-"))
    try:
        parts: list[tuple[str, int]] = []
        pool = _executor(result.workers)
        try:
            result.files = stage(files, directory, result.buckets, pool, result.workers, progress)
            failed = frozenset(n for n, report in enumerate(result.files) if not report.ok)
            buckets = sorted(
                {int(p.stem.rsplit("-b", 1)[1]) for p in directory.glob("stage-*-b*.bin")}
            )
            futures = [pool.submit(_compile_bucket, str(directory), b, failed) for b in buckets]
            for done, future in enumerate(futures, start=1):
                compiled = future.result()
                result.ocids += compiled.ocids
                result.undated += compiled.undated
                result.conflicting += compiled.conflicting
                if compiled.items:
                    parts.append((compiled.path, compiled.items))
                if progress:
                    progress("compile", done, len(futures))
        finally:
            # The workers exit before DuckDB loads the items: their memory is not needed.
            pool.shutdown(wait=True, cancel_futures=True)
        _create_items_table(con, parts)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if result.undated or result.conflicting:
        logger.info(
            "%s ocids had undated releases, %s had conflicting releases",
            result.undated,
            result.conflicting,
        )
    return result


def _create_items_table(con: duckdb.DuckDBPyConnection, parts: list[tuple[str, int]]) -> None:
    """The items of all buckets, row_id numbering them bucket after bucket."""
    if not parts:
        empty = ITEMS_SCHEMA.empty_table()  # noqa: F841 - read by DuckDB's replacement scan
        con.execute("CREATE TABLE items AS SELECT * FROM empty")
        return
    bases = pa.table(  # noqa: F841 - read by DuckDB's replacement scan
        {
            "filename": [path for path, _count in parts],
            "base": list(accumulate((count for _path, count in parts), initial=0))[:-1],
        }
    )
    columns = ", ".join(f"p.{name}" for name in ROW_NAMES)
    con.execute(
        f"CREATE TABLE items AS SELECT (b.base + p.bucket_row + 1)::BIGINT AS row_id, {columns} "  # noqa: S608 - our own column names
        "FROM read_parquet($files, filename = true) AS p JOIN bases AS b USING (filename)",
        {"files": [path for path, _count in parts]},
    )
