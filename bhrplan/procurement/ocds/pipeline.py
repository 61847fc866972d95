"""From OCDS files to one row per item (the input of the screening engine).

1. stage: every file is read (`reader.read_file`; big JSON Lines files in chunks of
   lines; each file inside a ZIP archive as a file of its own, see sources.py) and
   each release is appended to the staging file of its bucket (a hash of the ocid):
   a JSON Lines line holding a plain OCDS 1.1 release as it is, once its
   structure is checked (`projection.check_line`), anything else as the JSON of its
   projection. A file that fails is reported and everything it staged is left out of
   step 2, so nothing partial is kept; the other files go on.
2. compile: each bucket (about 64 MB of JSON) is read on its own; the releases of each
   ocid are projected (`projection.project_text`) and merged into one compiled release
   (`merge.compile_tree`: `compile_fast`, equal to ocdsmerge's, before it becomes plain
   values). A record's compiledRelease is used
   only when no release of its ocid is available. One row per item of tender, awards
   and contracts is extracted, with buyer, suppliers, supplier identifiers and
   countries, classification and value. A release staged as text whose values turn
   out not to decode fails its file now: steps 1 and 2 run again without that file.
3. the rows of all buckets become the DuckDB table `items`, in ocid order.

Steps 1 and 2 run in worker processes (one per CPU core) when the dataset is big
enough to gain from it; memory stays bounded by the chunk and bucket sizes, whatever
the size of the dataset.
"""

from __future__ import annotations

import codecs
import gc
import logging
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import accumulate, count
from multiprocessing import get_context, shared_memory
from pathlib import Path
from typing import IO, Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from ocdsmerge.exceptions import InconsistentTypeError, OCDSMergeError

from bhrplan.procurement.ocds.errors import FileProblem, ScreeningStopped
from bhrplan.procurement.ocds.extract import extract_rows
from bhrplan.procurement.ocds.merge import compile_fast, compile_tree
from bhrplan.procurement.ocds.projection import project, project_text
from bhrplan.procurement.ocds.reader import (
    DECOMPRESS_ERRORS,
    Entry,
    OcdsFileError,
    ReadStats,
    _line_error,
    _NotWalked,
    _open,
    _Reader,
    decompress_error,
    item_spans,
    mapped_file,
    read_file,
)
from bhrplan.procurement.ocds.sources import Source, close_archives, expand_paths

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
    versioned: int = 0
    upgraded: int = 0
    error_code: str = ""
    error_params: dict[str, Any] = field(default_factory=dict)
    error_location: dict[str, Any] = field(default_factory=dict)
    member: str = ""  # the file inside the ZIP archive at `path`, if any

    @property
    def name(self) -> str:
        """How people are shown the file (see sources.Source.name)."""
        return Source(Path(self.path), self.member).name

    @property
    def label(self) -> str:
        return Source(Path(self.path), self.member).label

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
        self.versioned += stats.versioned
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


# Releases are hash-partitioned by ocid into buckets of about this much JSON, so that
# one bucket at a time fits in a worker's memory.
BUCKET_BYTES = 64 * 1024 * 1024
# Big JSON Lines files are cut into chunks of lines of about this size for the workers.
CHUNK_BYTES = 8 * 1024 * 1024
# Small files go to the workers together, up to this many (or CHUNK_BYTES) a task.
SMALL_FILES_PER_TASK = 64
# A worker writes its staged releases out when it holds this much.
FLUSH_BYTES = 16 * 1024 * 1024
# A bucket's items are written out this many rows at a time (4 096: the rows waiting
# and their Arrow copy cost a worker ~50 MB less than at 16 384, for the same CPU).
WRITE_ROWS = 4096
# Below this much (estimated) JSON, everything runs in the calling process.
PARALLEL_MIN_BYTES = 48 * 1024 * 1024


def bucket_count(files: list[Source]) -> int:
    """Buckets for a dataset, estimated from file sizes."""
    estimate = sum(source.estimated_size() for source in files)
    return max(1, min(1024, -(-estimate // BUCKET_BYTES)))


def default_workers(files: list[Source]) -> int:
    if sum(source.estimated_size() for source in files) < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _check_disk(files: list[Source], directory: Path) -> None:
    """Stop before reading when the staging cannot fit on the disk even by the lowest
    estimate (gzip 3× smaller than its JSON, staged projections half the JSON, plus the
    uncompressed copy of the biggest package, see stage): rather than fill the disk
    after minutes of work. Above it, a full disk still stops the screening
    (`disk_full`), with everything staged removed."""
    needed = sum(source.estimated_size(gzip_ratio=3) for source in files) // 2
    needed += max(
        (
            source.estimated_size(gzip_ratio=3)
            for source in files
            if source.estimated_size() >= 2 * CHUNK_BYTES and not _is_big_jsonl(source)
        ),
        default=0,
    )
    free = shutil.disk_usage(directory).free
    if needed > free:
        raise ScreeningStopped(
            "disk_too_small", needed=max(1, -(-needed // 10**9)), free=free // 10**9
        )


def _bucket_of(ocid: bytes, buckets: int) -> int:
    if buckets == 1:
        return 0
    return zlib.crc32(ocid) % buckets


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ").strip()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a chunk or bucket is processed.

    What is built here (parsed JSON, merged trees, rows) holds no reference cycles:
    reference counting frees all of it. But the collector runs after every few hundred
    new dicts and lists and walks every live object each time (the whole bucket being
    merged, the rows waiting to be written): it took a quarter of the workers' time.
    Cycles made meanwhile (none expected) are collected once it runs again.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# -- staging ------------------------------------------------------------------
#
# One append-only file per worker process and bucket. Each record: a header (file
# number, chunk number, position in the chunk, line number, kind, lengths), then ocid,
# date and the release: its projection as JSON, or its own JSON text (see the kinds).

_HEADER = struct.Struct("<IIIIBHHI")
# Kinds: a release's projection (JSON), a compiledRelease's projection (JSON), a
# release's own JSON text (its projection is decoded when merged: projection.py).
_KIND_RELEASE, _KIND_COMPILED, _KIND_TEXT = 0, 1, 2


class _Stager:
    def __init__(self, directory: str, buckets: int, file_number: int, chunk: int) -> None:
        self.directory = directory
        self.buckets = buckets
        self.file_number = file_number
        self.chunk = chunk
        self.position = 0
        self.size = 0
        # Per bucket, the pieces to write (joined once when flushed: appending to one
        # growing buffer per bucket copied the staged text over and over).
        self.pending: dict[int, list[bytes]] = {}

    def add(self, entry: Entry) -> None:
        ocid = _clean(entry.ocid).encode()
        date = _clean(entry.date).encode()[:65535]
        doc = entry.text
        if doc is not None:
            kind = _KIND_TEXT
        else:
            doc = orjson.dumps(project(entry.data))
            kind = _KIND_RELEASE if entry.kind == "release" else _KIND_COMPILED
        pieces = self.pending.get(bucket := _bucket_of(ocid, self.buckets))
        if pieces is None:
            pieces = self.pending[bucket] = []
        header = _HEADER.pack(
            self.file_number,
            self.chunk,
            self.position,
            entry.line,
            kind,
            len(ocid),
            len(date),
            len(doc),
        )
        pieces += (header, ocid, date, doc)
        self.position += 1
        self.size += len(doc) + len(ocid) + 32
        if self.size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        pid = os.getpid()
        for bucket, pieces in self.pending.items():
            if pieces:
                with open(Path(self.directory) / f"stage-{pid}-b{bucket:04d}.bin", "ab") as fh:
                    fh.write(b"".join(pieces))
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


@_collector_paused()
def _stage_file(
    directory: str, buckets: int, file_number: int, source: Source, chunk: int = 0
) -> _Staged:
    """Stage a whole file (any format) with the reader; `chunk`: _AGAIN for a package
    whose chunks were dropped (see stage)."""
    stats = ReadStats()
    stager = _Stager(directory, buckets, file_number, chunk)
    # (a big package staged again was found not to be one: no second copy to walk it)
    spool = None if chunk == _AGAIN else Path(directory)
    try:
        entries, stats = read_file(source, projected=True, spool=spool)
        for entry in entries:
            stager.add(entry)
        stager.flush()
    except _FILE_ERRORS as exc:
        return _Staged(file_number, chunk, stats, FileProblem.from_exception(exc))
    except DECOMPRESS_ERRORS as exc:  # while a package is streamed
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the system's error, not the file's (a full disk stops the screening)
        return _Staged(file_number, chunk, stats, decompress_error(source, exc).problem)
    return _Staged(file_number, chunk, stats)


def _stage_files(
    directory: str, buckets: int, _first: int, files: list[tuple[int, Source]]
) -> list[_Staged]:
    """Stage several small files, one after the other (one task: a folder of thousands of
    small files spent more time passing tasks between processes than reading). `_first`:
    the first file's number, where stage's tasks carry their file's."""
    return [_stage_file(directory, buckets, number, source) for number, source in files]


# The chunk number of a big package staged whole after all, by one worker: its chunks of
# items, staged before it turned out not to be a plain package, are dropped (superseded).
_AGAIN = 0xFFFFFFFF


@_collector_paused()
def _stage_spans(
    directory: str,
    buckets: int,
    file_number: int,
    chunk: int,
    spool: str,
    offset: int,
    key: str,
    version: str,
    first: int,
    spans: list[tuple[int, int]],
) -> _Staged:
    """Stage one chunk of the items of a big package's `releases` or `records` (`key`):
    their places in its uncompressed copy `spool` (from `offset`), found by the main
    process (reader.item_spans), the first of them item number `first`."""
    reader = _Reader(Source(Path(spool)), projected=True)
    stager = _Stager(directory, buckets, file_number, chunk)
    with open(spool, "rb") as copy, mapped_file(copy) as (_mapped, view):
        try:
            for entry in reader.span_entries(view[offset:], key, version, first, spans):
                stager.add(entry)
            stager.flush()
        except _FILE_ERRORS as exc:
            return _Staged(file_number, chunk, reader.stats, FileProblem.from_exception(exc))
    return _Staged(file_number, chunk, reader.stats)


@_collector_paused()
def _stage_lines(
    directory: str,
    buckets: int,
    file_number: int,
    chunk: int,
    first_line: int,
    block: bytes | tuple[str, int],
) -> _Staged:
    """Stage one chunk of a JSON Lines file (whole lines, numbered from first_line); the
    chunk comes as bytes or as (name, size) of the shared memory holding it."""
    if isinstance(block, tuple):
        block = _SharedBlocks.read(*block)
    reader = _Reader(Source(Path()), projected=True)
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


class _SharedBlocks:
    """Hands chunks of lines to the worker processes through shared memory.

    Sent through the pool's pipe, each chunk is pickled, copied into the kernel and out
    again in 64 KB pieces, and unpickled: at 12 GB that cost more CPU than a tenth of the
    screening. Here the main process copies a chunk into one of a few reused segments
    and the worker copies it out. A chunk too big for a segment, or a machine whose
    shared memory (/dev/shm) is small, falls back to the pipe.
    """

    def __init__(self, slots: int, size: int) -> None:
        self.size = size
        self.free: list[shared_memory.SharedMemory] = []
        self.segments: list[shared_memory.SharedMemory] = []
        self.usable = slots > 0 and _shm_free_bytes() >= 2 * slots * size
        self.slots = slots

    def put(self, block: bytes, rest: bytes = b"") -> tuple[bytes | tuple[str, int], Any]:
        """(what to send, what to give back to release) for one chunk: `block` followed
        by `rest` (given apart, so that the main process never copies the block to join
        them)."""
        size = len(block) + len(rest)
        if not self.usable or size > self.size:
            return block + rest, None
        if self.free:
            segment = self.free.pop()
        elif len(self.segments) < self.slots:
            try:
                segment = shared_memory.SharedMemory(create=True, size=self.size)
            except OSError:
                self.usable = False
                return block + rest, None
            self.segments.append(segment)
        else:  # every segment is in flight (should not happen: callers wait first)
            return block + rest, None
        buffer = segment.buf
        assert buffer is not None
        buffer[: len(block)] = block
        buffer[len(block) : size] = rest
        return (segment.name, size), segment

    def release(self, segment: Any) -> None:
        if segment is not None:
            self.free.append(segment)

    def close(self) -> None:
        for segment in self.segments:
            segment.close()
            segment.unlink()
        self.segments.clear()
        self.free.clear()

    @staticmethod
    def read(name: str, size: int) -> bytes:
        segment = shared_memory.SharedMemory(name)
        try:
            buffer = segment.buf
            assert buffer is not None
            return bytes(buffer[:size])
        finally:
            segment.close()


def _shm_free_bytes() -> int:
    try:
        stat = os.statvfs("/dev/shm")  # noqa: S108 - where Linux keeps shared memory
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize


def _jsonl_chunks(source: Source) -> Iterator[tuple[int, bytes, bytes]]:
    """(number of the first line, block, rest) of a JSON Lines file, CHUNK_BYTES at a
    time: the block and the rest of its last line are whole lines together (kept apart:
    joining them would copy every block once more)."""
    first_line = 1
    with _open(source) as stream:
        while block := stream.read(CHUNK_BYTES):
            rest = b"" if block.endswith(b"\n") else stream.readline()
            yield first_line, block, rest
            first_line += block.count(b"\n") + rest.count(b"\n")


_CHUNKING_ERRORS: tuple[type[Exception], ...] = (*DECOMPRESS_ERRORS, OcdsFileError)
_PEEK_ERRORS: tuple[type[Exception], ...] = (*_CHUNKING_ERRORS, orjson.JSONDecodeError)


def _is_big_jsonl(source: Source) -> bool:
    """A file worth cutting into chunks: big, and its first line is a whole JSON object."""
    if source.estimated_size() < 2 * CHUNK_BYTES:
        return False
    try:
        with _open(source) as stream:
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
    files: list[Source],
    directory: Path,
    buckets: int,
    pool: Executor,
    workers: int,
    progress: Progress | None = None,
    skip: dict[int, FileProblem] | None = None,
) -> tuple[list[FileReport], frozenset[int]]:
    """Stage every file; `skip`: files already known to fail (not read again). Also
    returns the files whose chunks are superseded (staged whole again, as _AGAIN)."""
    reports = [FileReport(path=str(s.path), ok=True, member=s.member) for s in files]
    for number, problem in (skip or {}).items():
        reports[number].fail(problem)
    total_mb = max(1, sum(source.estimated_size() for source in files) // 1_000_000)
    done_mb = 0
    pending: list[tuple[Future[_Staged], Any, int]] = []
    failed_chunk: dict[int, int] = {}  # file → first failing chunk
    shared = _SharedBlocks(2 * workers if workers > 1 else 0, 2 * CHUNK_BYTES)
    spools: dict[int, Path] = {}  # file → its uncompressed copy, while its items are staged
    superseded: set[int] = set()

    def release_spool(number: int) -> None:
        if number in spools and all(n != number for _f, _s, n in pending):
            spools.pop(number).unlink(missing_ok=True)

    def collect(future: Future[Any], segment: Any, number: int) -> None:
        try:
            result = future.result()
        finally:
            shared.release(segment)
        for staged in result if isinstance(result, list) else [result]:
            report = reports[staged.file_number]
            report.add(staged.stats)
            if staged.problem and staged.chunk < failed_chunk.get(staged.file_number, 1 << 62):
                failed_chunk[staged.file_number] = staged.chunk
                report.fail(staged.problem)
        release_spool(number)

    def wait_for_room(room: int = 2 * workers) -> None:
        # At most two tasks per worker in flight: memory stays bounded by the chunk size.
        while len(pending) >= room:
            collect(*pending.pop(0))

    def submit(fn: Callable[..., Any], number: int, *args: Any, segment: Any = None) -> None:
        pending.append((pool.submit(fn, str(directory), buckets, number, *args), segment, number))

    small: list[tuple[int, Source]] = []  # small files, staged together (_stage_files)
    small_bytes = 0

    def submit_small() -> None:
        nonlocal small, small_bytes
        if small:
            wait_for_room()
            submit(_stage_files, small[0][0], small)
            small, small_bytes = [], 0

    def stage_package(number: int, source: Source) -> None:
        """A big file that is not JSON Lines: copied uncompressed into the staging folder
        (even when it is plain JSON on disk: a mapped file that someone shortens while it
        is read kills the process that reads it), where the main process finds its items
        (reader.item_spans) and the workers stage them chunk by chunk. Anything but a
        plain release or record package is staged whole by one worker instead (what the
        chunks staged of it is dropped), unless a chunk already failed the file: that is
        its first problem in the file's order."""
        spool = directory / f"spool-{number:05d}.json"
        try:
            with _open(source) as stream, spool.open("wb") as copy:
                _copy(stream, copy)
        except _CHUNKING_ERRORS as exc:
            spool.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # the system's error (a full disk stops the screening)
            wait_for_room()
            submit(_stage_file, number, source)  # which reports the problem
            return
        spools[number] = spool
        try:
            _submit_spans(number, spool)
        except (_NotWalked, OcdsFileError, ValueError):
            # Not a plain package (or a member, or an empty copy, that the whole file's
            # reading reports): staged whole again.
            wait_for_room(room=1)  # this file's chunks done
            if number not in failed_chunk:
                superseded.add(number)
                reports[number] = FileReport(path=str(source.path), ok=True, member=source.member)
                submit(_stage_file, number, source, _AGAIN)
        release_spool(number)

    def _copy(stream: IO[bytes], copy: IO[bytes]) -> None:
        """The uncompressed copy; half of the file's share of the "read" progress (the
        walk gives the other half)."""
        nonlocal done_mb
        copied = 0
        while piece := stream.read(CHUNK_BYTES):
            copy.write(piece)
            copied += len(piece)
            if copied >= 2_000_000:
                done_mb += copied // 2_000_000
                copied %= 2_000_000
                if progress:
                    progress("read", min(done_mb, total_mb), total_mb)

    def _submit_spans(number: int, spool: Path) -> None:
        nonlocal done_mb
        with spool.open("rb") as copy, mapped_file(copy) as (mapped, view):
            offset = len(codecs.BOM_UTF8) if view[:3] == codecs.BOM_UTF8 else 0
            walk = item_spans(view[offset:], CHUNK_BYTES)
            try:
                for chunk in count():
                    try:
                        key, version, first, spans = next(walk)
                    except StopIteration as done:
                        meta: dict[str, Any] = done.value
                        if "ocid" in meta or not ("releases" in meta or "records" in meta):
                            raise _NotWalked from None  # a record or a release: whole
                        return
                    if number in failed_chunk:
                        return  # the file already failed: no need to read on
                    wait_for_room()
                    submit(
                        _stage_spans, number, chunk, str(spool), offset, key, version, first, spans
                    )
                    done_mb += (spans[-1][1] - spans[0][0]) // 2_000_000
                    if progress:
                        progress("read", min(done_mb, total_mb), total_mb)
                    mapped.trim()  # (the workers read it from here)
            finally:
                walk.close()

    try:
        for number, source in enumerate(files):
            if skip and number in skip:
                continue
            if _is_big_jsonl(source):
                try:
                    for chunk, (first_line, block, rest) in enumerate(_jsonl_chunks(source)):
                        if number in failed_chunk:
                            break  # the file already failed: no need to read on
                        wait_for_room()
                        sent, segment = shared.put(block, rest)
                        submit(_stage_lines, number, chunk, first_line, sent, segment=segment)
                        done_mb += (len(block) + len(rest)) // 1_000_000
                        if progress:
                            progress("read", min(done_mb, total_mb), total_mb)
                except _CHUNKING_ERRORS as exc:
                    failed_chunk[number] = -1
                    if not isinstance(exc, OcdsFileError):
                        exc = decompress_error(source, exc)
                    reports[number].fail(exc)
            elif workers > 1 and source.estimated_size() >= 2 * CHUNK_BYTES:
                stage_package(number, source)
            else:
                size = source.estimated_size()
                small.append((number, source))
                small_bytes += size
                if small_bytes >= CHUNK_BYTES or len(small) >= SMALL_FILES_PER_TASK:
                    submit_small()
                done_mb += size // 1_000_000
        submit_small()
        while pending:
            collect(*pending.pop(0))
    finally:
        # (on an error, the caller's pool shutdown cancels what has not started)
        shared.close()
        for spool in spools.values():
            spool.unlink(missing_ok=True)
    for report in reports:
        if report.ok and report.releases == 0 and report.compiled == 0:
            code = "no_releases"
            if report.versioned:
                code = "only_versioned_releases"
            elif report.linked_releases:
                code = "only_linked_releases"
            report.fail(FileProblem(code))
    if progress:
        progress("read", total_mb, total_mb)
    return reports, frozenset(superseded)


# -- compile ------------------------------------------------------------------


@dataclass
class _Compiled:
    bucket: int
    path: str
    ocids: int = 0
    items: int = 0
    undated: int = 0
    conflicting: int = 0
    # Files found to fail only now (a value in a release's text that cannot be decoded):
    # file number → ((chunk, line), why), the first such line of each file in the bucket.
    problems: dict[int, tuple[tuple[int, int], FileProblem]] = field(default_factory=dict)

    def fail(self, key: tuple[int, int, int], line: int, exc: Exception) -> None:
        problem = FileProblem.from_exception(_line_error(exc, line))
        _keep_first(self.problems, key[0], (key[1], line), problem)


def _keep_first(
    problems: dict[int, tuple[tuple[int, int], FileProblem]],
    file_number: int,
    where: tuple[int, int],
    problem: FileProblem,
) -> None:
    """Keep, per file, the problem found first in it (chunk, line)."""
    known = problems.get(file_number)
    if known is None or where < known[0]:
        problems[file_number] = (where, problem)


# A staged release: (file number, chunk, position), kind, JSON, line number.
_StagedRelease = tuple[tuple[int, int, int], int, memoryview, int]


def _read_bucket(
    directory: str, bucket: int, failed: frozenset[int], superseded: frozenset[int] = frozenset()
) -> dict[str, list[_StagedRelease]]:
    groups: dict[str, list[_StagedRelease]] = {}
    size = _HEADER.size
    for path in sorted(Path(directory).glob(f"stage-*-b{bucket:04d}.bin")):
        data = memoryview(path.read_bytes())
        # Read once: removed now, by the worker, rather than by the main process at the
        # end (gigabytes at a national scale, while nothing else runs).
        path.unlink()
        offset = 0
        while offset < len(data):
            file_number, chunk, position, line, kind, n_ocid, n_date, n_doc = _HEADER.unpack_from(
                data, offset
            )
            offset += size
            ocid = bytes(data[offset : offset + n_ocid]).decode()
            offset += n_ocid + n_date
            doc = data[offset : offset + n_doc]
            offset += n_doc
            if file_number not in failed and (file_number not in superseded or chunk == _AGAIN):
                groups.setdefault(ocid, []).append(
                    ((file_number, chunk, position), kind, doc, line)
                )
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
        return compile_tree(releases)
    except InconsistentTypeError:
        return _latest_alone(releases, out)
    except OCDSMergeError:  # before the plain errors: some of its dating errors are KeyErrors
        out.undated += 1
        for release in releases:
            release["date"] = _date_key(release)
        try:
            return compile_tree(releases)
        except _SHAPE_ERRORS:
            return _latest_alone(releases, out)
    except _SHAPE_ERRORS:
        return _latest_alone(releases, out)


def _releases(entries: list[_StagedRelease], out: _Compiled) -> list[dict[str, Any]] | None:
    """The (projected) releases of one ocid; None when one of them cannot be decoded."""
    releases = []
    for key, kind, doc, line in entries:
        if kind == _KIND_RELEASE:
            releases.append(orjson.loads(doc))
        elif kind == _KIND_TEXT:
            try:
                releases.append(project_text(doc))
            except orjson.JSONDecodeError as exc:
                out.fail(key, line, exc)
    return None if out.problems and any(e[0][0] in out.problems for e in entries) else releases


@_collector_paused()
def _compile_bucket(
    directory: str, bucket: int, failed: frozenset[int], superseded: frozenset[int] = frozenset()
) -> _Compiled:
    out = _Compiled(bucket, str(Path(directory) / f"items-b{bucket:04d}.parquet"))
    groups = _read_bucket(directory, bucket, failed, superseded)
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
            releases = _releases(entries, out)
            if releases is None:
                continue  # its file fails: the caller runs again without it
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


# -- extraction (extract.py) ----------------------------------------------

ROW_NAMES = tuple(name for name, _type in ITEM_COLUMNS[1:])


def extract_items(ocid: str, source: str, release: dict[str, Any]) -> list[dict[str, Any]]:
    """One dict per item (see ITEM_COLUMNS)."""
    rows: list[tuple[Any, ...]] = []
    extract_rows(ocid, source, release, rows)
    return [dict(zip(ROW_NAMES, row, strict=True)) for row in rows]


def build_items(
    paths: Iterable[str | Path],
    con: duckdb.DuckDBPyConnection,
    progress: Progress | None = None,
    workdir: Path | None = None,
    workers: int | None = None,
    table: str = "items",
) -> IngestResult:
    """Read, compile and extract into the DuckDB table `items` (or `table`; replaced)."""
    files = expand_paths(paths)
    result = IngestResult(buckets=bucket_count(files))
    result.workers = workers if workers is not None else default_workers(files)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    directory = Path(tempfile.mkdtemp(dir=workdir, prefix="ocds-"))
    try:
        _check_disk(files, directory)
        pool = _executor(result.workers)
        try:
            late: dict[int, FileProblem] = {}
            while (
                parts := _stage_and_compile(files, directory, result, pool, late, progress)
            ) is None:
                pass  # files failed while compiling: once more without them
        finally:
            # The workers exit before DuckDB loads the items: their memory is not needed.
            pool.shutdown(wait=True, cancel_futures=True)
            close_archives()
        _create_items_table(con, parts, table)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if result.undated or result.conflicting:
        logger.info(
            "%s ocids had undated releases, %s had conflicting releases",
            result.undated,
            result.conflicting,
        )
    return result


def _stage_and_compile(
    files: list[Source],
    directory: Path,
    result: IngestResult,
    pool: Executor,
    late: dict[int, FileProblem],
    progress: Progress | None,
) -> list[tuple[str, int]] | None:
    """Stage and compile every file but those in `late`: the items' Parquet files and
    their row counts. None when compiling found that more files fail (a release whose
    text held a value that cannot be decoded, see projection.check_line): they are
    added to `late`, the pass's output is removed, and the caller runs a pass again
    without them, so that nothing of a failed file is kept."""
    result.ocids = result.undated = result.conflicting = 0
    result.files, superseded = stage(
        files, directory, result.buckets, pool, result.workers, progress, late
    )
    failed = frozenset(n for n, report in enumerate(result.files) if not report.ok)
    buckets = sorted({int(p.stem.rsplit("-b", 1)[1]) for p in directory.glob("stage-*-b*.bin")})
    futures = [pool.submit(_compile_bucket, str(directory), b, failed, superseded) for b in buckets]
    parts: list[tuple[str, int]] = []
    found: dict[int, tuple[tuple[int, int], FileProblem]] = {}
    for done, future in enumerate(futures, start=1):
        compiled = future.result()
        result.ocids += compiled.ocids
        result.undated += compiled.undated
        result.conflicting += compiled.conflicting
        if compiled.items:
            parts.append((compiled.path, compiled.items))
        for number, (where, problem) in compiled.problems.items():
            _keep_first(found, number, where, problem)
        if progress:
            progress("compile", done, len(futures))
    if not found:
        return parts
    late.update((number, problem) for number, (_where, problem) in found.items())
    for path in directory.iterdir():
        path.unlink()
    return None


def _create_items_table(
    con: duckdb.DuckDBPyConnection, parts: list[tuple[str, int]], table: str
) -> None:
    """The items of all buckets, row_id numbering them bucket after bucket."""
    if not parts:
        empty = ITEMS_SCHEMA.empty_table()  # noqa: F841 - read by DuckDB's replacement scan
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM empty")  # noqa: S608 - our own name
        return
    bases = pa.table(  # noqa: F841 - read by DuckDB's replacement scan
        {
            "filename": [path for path, _count in parts],
            "base": list(accumulate((count for _path, count in parts), initial=0))[:-1],
        }
    )
    columns = ", ".join(f"p.{name}" for name in ROW_NAMES)
    con.execute(
        f"CREATE TABLE {table} AS SELECT (b.base + p.bucket_row + 1)::BIGINT AS row_id, {columns} "  # noqa: S608 - our own names
        "FROM read_parquet($files, filename = true) AS p JOIN bases AS b USING (filename)",
        {"files": [path for path, _count in parts]},
    )
