"""Streaming reader for OCDS files as published.

Accepts release packages, record packages (with or without compiledRelease), single
releases, single records, JSON Lines and concatenated JSON, optionally gzip-compressed,
OCDS 1.0 and 1.1 mixed. Large packages are streamed item by item with ijson, JSON Lines
line by line with orjson, so memory stays bounded by the largest single release.

`read_file` yields `Entry` objects; any problem raises `OcdsFileError` (see errors.py:
a code, its parameters and where in the file), which the caller turns into a per-file
error report (the file's partial output is discarded).
"""

from __future__ import annotations

import codecs
import io
import logging
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import ijson
import orjson
from isal import igzip, isal_zlib
from ocdskit.upgrade import upgrade_release_10_11

from bhrplan.procurement.ocds.errors import Location, OcdsFileError, reason_of
from bhrplan.procurement.ocds.projection import check_line
from bhrplan.procurement.ocds.sources import UNSUPPORTED, ZIP_MAGIC, Source, file_sources

__all__ = ["Entry", "Location", "OcdsFileError", "ReadStats", "read_file"]

# A first line longer than this is not treated as JSON Lines (it may be a whole
# package written on one line): the streaming parser takes it instead.
JSONL_FIRST_LINE_LIMIT = 8 * 1024 * 1024

# ocdskit logs every differing copy of a party while upgrading 1.0 data (common in real
# data, e.g. Paraguay); the merged party is what the screening uses.
logging.getLogger("ocdskit").setLevel(logging.ERROR)


# What a damaged gzip file, or a damaged file in a ZIP archive, raises while it is read.
DECOMPRESS_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    cast(type[Exception], isal_zlib.error),
    zipfile.BadZipFile,
    zlib.error,
)


@dataclass
class Entry:
    kind: str  # "release" or "compiled" (a record's compiledRelease)
    ocid: str
    date: str
    data: dict[str, Any]
    # The release's JSON text (a JSON Lines line), when the reader was asked for the
    # projection only and the line is a plain OCDS 1.1 release whose projection
    # `projection.project_text` decodes from that text; `data` is then empty. `line`:
    # its line number (`project_text` may still find a value it cannot decode).
    text: bytes | None = None
    line: int = 0


@dataclass
class ReadStats:
    releases: int = 0
    compiled: int = 0
    records: int = 0
    linked_releases: int = 0  # releases given only by URL inside records
    upgraded: int = 0  # OCDS 1.0 releases upgraded to 1.1


def _open(source: Source) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzip; OcdsFileError for what cannot be
    opened, and for archives and compressions that are recognised but not read."""
    raw = source.open()
    try:
        head = raw.peek(8)[:8]  # type: ignore[attr-defined]
    except DECOMPRESS_ERRORS as exc:
        raw.close()
        raise decompress_error(source, exc) from exc
    if head.startswith(ZIP_MAGIC) or (kind := _unsupported(head)):
        raw.close()
        if head.startswith(ZIP_MAGIC):
            raise OcdsFileError("archive_nested")
        raise OcdsFileError("archive_unsupported", format=kind)
    if head.startswith(b"\x1f\x8b"):
        # ISA-L's gzip (same format, same API) decompresses about 2.5× faster than zlib.
        return igzip.IGzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


# A tar archive's header: the name of its first file, then this at byte 257 (POSIX and
# GNU); the NUL byte cannot occur in JSON text.
_TAR_MAGIC = (b"ustar\x00", b"ustar  \x00")


def _unsupported(head: bytes) -> str:
    return next((name for magic, name in UNSUPPORTED.items() if head.startswith(magic)), "")


def decompress_error(source: Source, exc: Exception) -> OcdsFileError:
    """What a file that stops decompressing midway is reported as."""
    if source.member:
        return OcdsFileError("archive_damaged", reason=reason_of(exc))
    return OcdsFileError("cannot_decompress", reason=reason_of(exc))


def _check_list_of_objects(value: Any, where: Location, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, list) or any(not isinstance(v, dict) for v in value):
        raise OcdsFileError("field_not_list_of_objects", where, field=name)


def _check_release(release: Any, where: Location) -> dict[str, Any]:
    if not isinstance(release, dict):
        raise OcdsFileError("release_not_object", where)
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise OcdsFileError("release_without_ocid", where)
    date = release.get("date")
    if date is not None and not isinstance(date, str):
        raise OcdsFileError("date_not_text", where)
    tender = release.get("tender")
    if tender is not None:
        if not isinstance(tender, dict):
            raise OcdsFileError("field_not_object", where, field="tender")
        _check_list_of_objects(tender.get("items"), where, "tender.items")
    for section in ("awards", "contracts", "parties"):
        _check_list_of_objects(release.get(section), where, section)
    for section in ("awards", "contracts"):
        for n, obj in enumerate(release.get(section) or ()):
            _check_list_of_objects(obj.get("items"), where, f"{section}[{n}].items")
    return release


def _upgrade(release: dict[str, Any], where: Location) -> None:
    """OCDS 1.0 → 1.1 with ocdskit (organisations moved into `parties`, …)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ocdskit warns about differing party copies
            upgrade_release_10_11(release, reorder=False)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise OcdsFileError("upgrade_failed", where, reason=reason_of(exc)) from exc


def _is_linked_release(value: Any) -> bool:
    return isinstance(value, dict) and "ocid" not in value and "url" in value


class _Reader:
    def __init__(self, source: Source, projected: bool = False) -> None:
        self.source = source
        self.stats = ReadStats()
        self.version_hint = ""
        self.projected = projected

    # -- entries -------------------------------------------------------------
    # `where` is a Location; the older text form ("line 3") is still accepted.
    def release_entry(self, release: Any, where: Location | str, version: str = "") -> Entry:
        where = Location.of(where)
        release = _check_release(release, where)
        declared = str(release.get("version") or version or self.version_hint or "1.0")
        if not declared.startswith("1.1"):
            _upgrade(release, where)
            self.stats.upgraded += 1
        self.stats.releases += 1
        return Entry("release", release["ocid"].strip(), str(release.get("date") or ""), release)

    def record_entries(
        self, record: Any, where: Location | str, version: str = ""
    ) -> Iterator[Entry]:
        where = Location.of(where)
        if not isinstance(record, dict):
            raise OcdsFileError("record_not_object", where)
        ocid = record.get("ocid")
        if not isinstance(ocid, str) or not ocid.strip():
            raise OcdsFileError("record_without_ocid", where)
        self.stats.records += 1
        releases = record.get("releases")
        if releases is not None and not isinstance(releases, list):
            raise OcdsFileError("field_not_list", where, field="releases")
        for n, release in enumerate(releases or ()):
            if _is_linked_release(release):
                self.stats.linked_releases += 1
                continue
            yield self.release_entry(release, where.at(f"releases[{n}]"), version)
        compiled = record.get("compiledRelease")
        if compiled:
            if not isinstance(compiled, dict):
                raise OcdsFileError("field_not_object", where, field="compiledRelease")
            compiled.setdefault("ocid", ocid)
            _check_release(compiled, where.at("compiledRelease"))
            declared = str(compiled.get("version") or version or self.version_hint or "1.0")
            if not declared.startswith("1.1"):
                _upgrade(compiled, where.at("compiledRelease"))
            self.stats.compiled += 1
            yield Entry("compiled", ocid.strip(), str(compiled.get("date") or ""), compiled)

    def value_entries(self, value: Any, where: Location | str) -> Iterator[Entry]:
        """A whole top-level JSON value: package, record or release."""
        where = Location.of(where)
        if not isinstance(value, dict):
            raise OcdsFileError("not_object", where)
        version = str(value.get("version") or "")
        if isinstance(value.get("records"), list) and "ocid" not in value:
            for n, record in enumerate(value["records"]):
                yield from self.record_entries(record, where.at(f"records[{n}]"), version)
        elif "ocid" in value and ("compiledRelease" in value or "versionedRelease" in value):
            yield from self.record_entries(value, where, version)
        elif isinstance(value.get("releases"), list) and "ocid" not in value:
            for n, release in enumerate(value["releases"]):
                yield self.release_entry(release, where.at(f"releases[{n}]"), version)
        elif "records" in value or ("releases" in value and "ocid" not in value):
            name = "records" if "records" in value else "releases"
            raise OcdsFileError("field_not_list", where, field=name)
        else:
            yield self.release_entry(value, where, version)

    # -- formats -------------------------------------------------------------
    def read(self) -> Iterator[Entry]:
        stream = _open(self.source)
        with stream:
            try:
                # A UTF-8 byte order mark (written by some Windows tools) is skipped.
                first = stream.readline(JSONL_FIRST_LINE_LIMIT + 1).removeprefix(codecs.BOM_UTF8)
                if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise OcdsFileError("not_utf8")
                while first and not first.strip():
                    first = stream.readline(JSONL_FIRST_LINE_LIMIT + 1)
            except DECOMPRESS_ERRORS as exc:
                raise decompress_error(self.source, exc) from exc
            if not first:
                raise OcdsFileError("blank" if stream.tell() else "empty")
            if first[257:263] in _TAR_MAGIC or first[257:265] in _TAR_MAGIC:
                raise OcdsFileError("archive_unsupported", format="tar")
            value: Any = None
            if len(first) <= JSONL_FIRST_LINE_LIMIT:
                try:
                    value = orjson.loads(first)
                except orjson.JSONDecodeError:
                    value = None
            if isinstance(value, dict):
                # A complete object on the first line: JSON Lines (one value per line).
                yield from self._read_jsonl(value, stream)
            else:
                yield from self._read_streaming(io.BufferedReader(_Chain(first, stream)))

    def line_entries(self, line: bytes, number: int) -> Iterator[Entry]:
        """The entries of one JSON Lines line (none for a blank line)."""
        line = line.strip()
        if not line:
            return
        if self.projected and (fast := check_line(line)) is not None:
            self.stats.releases += 1
            yield Entry("release", fast[0], fast[1], {}, text=line, line=number)
            return
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise _line_error(exc, number) from exc
        yield from self.value_entries(value, Location(line=number))

    def _read_jsonl(self, value: dict[str, Any], stream: IO[bytes]) -> Iterator[Entry]:
        yield from self.value_entries(value, Location(line=1))
        try:
            for number, line in enumerate(_lines(stream), start=2):
                yield from self.line_entries(line, number)
        except DECOMPRESS_ERRORS as exc:
            raise decompress_error(self.source, exc) from exc

    def _read_streaming(self, stream: IO[bytes]) -> Iterator[Entry]:
        events = ijson.parse(stream, multiple_values=True, use_float=True)
        count = 0
        try:
            for prefix, event, _value in events:
                if prefix == "" and event == "start_array":
                    # Some exports are one JSON list of releases, records or packages.
                    count += 1
                    yield from self._top_level_list(events, Location(value=count))
                    continue
                if prefix != "" or event != "start_map":
                    if event in ("string", "number", "boolean", "null"):
                        raise OcdsFileError("top_level_not_object")
                    continue
                count += 1
                yield from self._top_level_object(events, Location(value=count))
        except ijson.common.IncompleteJSONError as exc:
            raise _ijson_error(exc) from exc
        except UnicodeDecodeError as exc:
            raise OcdsFileError("not_utf8") from exc
        if count == 0:
            raise OcdsFileError("blank")

    def _top_level_list(
        self, events: Iterator[tuple[str, str, Any]], where: Location
    ) -> Iterator[Entry]:
        """A list of releases, records or packages: each built and read on its own."""
        for n, (prefix, event, value) in enumerate(events):
            if prefix == "" and event == "end_array":
                return
            yield from self.value_entries(_build(events, event, value), where.at(f"[{n}]"))

    def _top_level_object(
        self, events: Iterator[tuple[str, str, Any]], where: Location
    ) -> Iterator[Entry]:
        meta: dict[str, Any] = {}
        for prefix, event, value in events:
            if prefix == "" and event == "end_map":
                break
            if event != "map_key":
                continue
            key = value
            _prefix, event, value = next(events)
            if key in ("releases", "records") and event == "start_array":
                # Stream package contents item by item (bounded memory).
                version = str(meta.get("version") or "")
                for n, (p, e, v) in enumerate(events):
                    if p == key and e == "end_array":
                        break
                    item = _build(events, e, v)
                    item_where = where.at(f"{key}[{n}]")
                    if key == "records":
                        yield from self.record_entries(item, item_where, version)
                    elif _is_linked_release(item):
                        self.stats.linked_releases += 1
                    else:
                        yield self.release_entry(item, item_where, version)
                meta[key] = True
            else:
                meta[key] = _build(events, event, value)
                if key == "version" and isinstance(meta[key], str):
                    self.version_hint = meta[key]
        if "records" in meta or "releases" in meta:
            if "ocid" in meta:  # a bare record whose releases were streamed above
                meta.pop("releases", None)
                yield from self.record_entries(meta, where, str(meta.get("version") or ""))
            return
        yield from self.value_entries(meta, where)


class _Chain(io.RawIOBase):
    """Re-attach an already-read first line in front of the rest of a stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    while True:
        line = stream.readline()
        if not line:
            return
        yield line


def _ijson_error(exc: Exception) -> OcdsFileError:
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    if "UTF8" in text or "UTF-8" in text:
        return OcdsFileError("not_utf8")
    if "premature EOF" in text:
        return OcdsFileError("truncated")
    first = text.strip().splitlines()[0] if text.strip() else "syntax error"
    return OcdsFileError("invalid_json", reason=first[:120])


def _line_error(exc: Exception, number: int) -> OcdsFileError:
    """A JSON Lines line orjson cannot parse: not UTF-8, or not JSON."""
    reason = reason_of(exc)
    if "UTF-8" in reason:
        return OcdsFileError("not_utf8", Location(line=number))
    return OcdsFileError("invalid_json", Location(line=number), reason=reason)


def _build(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """Build one JSON value from ijson events, given its first event."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, ev, val in events:
        builder.event(ev, val)
        if ev in ("start_map", "start_array"):
            depth += 1
        elif ev in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value


def read_file(source: Source | Path, projected: bool = False) -> tuple[Iterator[Entry], ReadStats]:
    """The entries of a file (a path, or a `Source`: also a file inside a ZIP archive);
    `projected`: the caller reads only the projection, so JSON Lines releases may come as
    their text (`Entry.text`), to be projected later."""
    if isinstance(source, Path):
        sources = file_sources(source)
        # A ZIP archive holds several files: read them one by one (pipeline.expand_paths).
        source = sources[0] if len(sources) == 1 else Source(source)
    reader = _Reader(source, projected)
    return reader.read(), reader.stats
