"""Streaming reader for OCDS files as published.

Accepts release packages, record packages (with or without compiledRelease), single
releases, single records, JSON Lines and concatenated JSON, optionally compressed with
gzip, bzip2 or xz,
OCDS 1.0 and 1.1 mixed. A package or record is cut into its releases or records by
msgspec without decoding them (each is then parsed on its own with orjson): read whole
into memory up to WHOLE_FILE_BYTES; above that, when the caller gives a folder for it,
copied there uncompressed and mapped into memory (the kernel's file cache, not the
process's own memory); otherwise streamed item by item with ijson. JSON Lines are read
line by line with orjson. Memory stays bounded by the largest single release.

`read_file` yields `Entry` objects; any problem raises `OcdsFileError` (see errors.py:
a code, its parameters and where in the file), which the caller turns into a per-file
error report (the file's partial output is discarded).
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import io
import logging
import lzma
import mmap
import re
import shutil
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import ijson
import msgspec
import orjson
from isal import igzip, isal_zlib
from ocdskit.upgrade import upgrade_release_10_11

from bhrplan.lib import signatures
from bhrplan.procurement.ocds import archives
from bhrplan.procurement.ocds.errors import (
    REASON_JSON_BOM,
    REASON_JSON_KEY,
    REASON_JSON_TRAILING_COMMA,
    REASON_JSON_VALUE,
    Location,
    OcdsFileError,
    json_reason,
    library_reason,
    reason_of,
)
from bhrplan.procurement.ocds.projection import check_line
from bhrplan.procurement.ocds.sources import UNSUPPORTED, ZIP_MAGIC, Source, file_sources

__all__ = ["Entry", "Location", "OcdsFileError", "ReadStats", "read_file"]

# A first line longer than this is not treated as JSON Lines (it may be a whole
# package written on one line): the streaming parser takes it instead.
JSONL_FIRST_LINE_LIMIT = 8 * 1024 * 1024
# A file that is not JSON Lines and holds up to this much JSON is read whole (see
# `_Reader._read_whole`: about four times faster than streaming it with ijson, whose
# events are handled one by one in Python); a larger one is copied to the spool folder
# and mapped, or streamed when there is none.
WHOLE_FILE_BYTES = 64 * 1024 * 1024

# ocdskit logs every differing copy of a party while upgrading 1.0 data (common in real
# data, e.g. Paraguay); the merged party is what the screening uses.
logging.getLogger("ocdskit").setLevel(logging.ERROR)


# What a damaged gzip file, or a damaged file in a ZIP archive, raises while it is read.
DECOMPRESS_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    lzma.LZMAError,
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
    versioned: int = 0  # records giving only a versionedRelease (nothing to screen)


def _open(source: Source) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzip, bzip2, xz or Zstandard; OcdsFileError
    for what cannot be opened, for an archive inside an archive, and for archives that
    are recognised but cannot be read here (without libarchive, see archives.py)."""
    raw = source.open()
    try:
        head = raw.peek(8)[:8]  # type: ignore[attr-defined]
    except DECOMPRESS_ERRORS as exc:
        raw.close()
        raise decompress_error(source, exc) from exc
    if head.startswith(ZIP_MAGIC) or (kind := _unsupported(head)):
        raw.close()
        if head.startswith(ZIP_MAGIC) or source.member:
            raise OcdsFileError("archive_nested")
        raise OcdsFileError("archive_unsupported", format=kind)
    if head.startswith(signatures.ZSTD):
        return archives.zstd_stream(raw)
    if head.startswith(signatures.GZIP):
        # ISA-L's gzip (same format, same API) decompresses about 2.5× faster than zlib.
        return igzip.IGzipFile(fileobj=raw)  # type: ignore[return-value]
    if head.startswith(signatures.BZIP2):
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if head.startswith(signatures.XZ):
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    return raw


# What a file decompressed once may still be (compressed twice).
_COMPRESSED = (signatures.GZIP, signatures.BZIP2, signatures.XZ, signatures.ZSTD)


def _unsupported(head: bytes) -> str:
    return next((name for magic, name in UNSUPPORTED.items() if head.startswith(magic)), "")


def decompress_error(source: Source, exc: Exception) -> OcdsFileError:
    """What a file that stops decompressing midway is reported as."""
    if source.member:
        return OcdsFileError("archive_damaged", reason=library_reason(exc))
    return OcdsFileError("cannot_decompress", reason=library_reason(exc))


def _check_list_of_objects(value: Any, where: Location, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, list) or any(not isinstance(v, dict) for v in value):
        raise OcdsFileError("field_not_list_of_objects", where, field=name)


def _no_ocid(ocid: Any, missing: str) -> str:
    """The problem of an ocid that is not usable text: missing (or blank), or another
    kind of value (some publishers write a number)."""
    return missing if ocid is None or isinstance(ocid, str) else "ocid_not_text"


def _check_release(release: Any, where: Location) -> dict[str, Any]:
    if not isinstance(release, dict):
        raise OcdsFileError("release_not_object", where)
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise OcdsFileError(_no_ocid(ocid, "release_without_ocid"), where)
    date = release.get("date")
    if date is not None and not isinstance(date, str):
        raise OcdsFileError("date_not_text", where)
    if _is_versioned(release):
        raise OcdsFileError("versioned_release", where)
    # (organisations checked before an OCDS 1.0 upgrade, which fails on a list with a
    # programmer's message)
    buyer = release.get("buyer")
    if buyer is not None and not isinstance(buyer, dict):
        raise OcdsFileError("field_not_object", where, field="buyer")
    tender = release.get("tender")
    if tender is not None:
        if not isinstance(tender, dict):
            raise OcdsFileError("field_not_object", where, field="tender")
        entity = tender.get("procuringEntity")
        if entity is not None and not isinstance(entity, dict):
            raise OcdsFileError("field_not_object", where, field="tender.procuringEntity")
        _check_list_of_objects(tender.get("items"), where, "tender.items")
    for section in ("awards", "contracts", "parties"):
        _check_list_of_objects(release.get(section), where, section)
    for section in ("awards", "contracts"):
        for n, obj in enumerate(release.get(section) or ()):
            _check_list_of_objects(obj.get("items"), where, f"{section}[{n}].items")
    return release


def _organisation(org: dict[str, Any]) -> dict[str, Any]:
    """An OCDS 1.0 organisation whose identifier, address or contact point is not an
    object, in the shape ocdskit's upgrade reads (it fails on text there): an identifier
    written as text or a number is its id, a list gives its first object, an address
    written as text is its street address; any other such value is left out."""
    for key in ("identifier", "address", "contactPoint"):
        value = org.get(key)
        if value is None or isinstance(value, dict):
            continue
        if key == "identifier" and isinstance(value, str | int | float) and str(value).strip():
            org[key] = {"id": str(value).strip()}
        elif key == "identifier" and isinstance(value, list):
            first = next((v for v in value if isinstance(v, dict)), None)
            if first is None:
                del org[key]
            else:
                org[key] = first
        elif key == "address" and isinstance(value, str) and value.strip():
            org[key] = {"streetAddress": value.strip()}
        else:
            del org[key]
    return org


def _organisations(value: Any) -> list[dict[str, Any]]:
    """A 1.0 list of organisations (suppliers, tenderers) as ocdskit's upgrade reads it:
    one object where the list belongs is the list of it, a name written as text is the
    organisation of that name, and nulls and other values are left out."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    orgs = []
    for org in value:
        if isinstance(org, dict):
            orgs.append(_organisation(org))
        elif isinstance(org, str) and org.strip():
            orgs.append({"name": org.strip()})
    return orgs


def _tolerate_10(release: dict[str, Any]) -> None:
    """Organisations of OCDS 1.0 data in the wild in the shapes the upgrade reads (a
    supplier given as one object, tenderers as names …); what has no such shape stays
    as published."""
    tender = release.get("tender")
    for holder, key in ((release, "buyer"), (tender, "procuringEntity")):
        if isinstance(holder, dict) and isinstance(holder.get(key), dict):
            _organisation(holder[key])
    if isinstance(tender, dict) and tender.get("tenderers") is not None:
        tender["tenderers"] = _organisations(tender["tenderers"])
    for award in release.get("awards") or ():
        if isinstance(award, dict) and award.get("suppliers") is not None:
            award["suppliers"] = _organisations(award["suppliers"])


def _upgrade(release: dict[str, Any], where: Location) -> None:
    """OCDS 1.0 → 1.1 with ocdskit (organisations moved into `parties`, …)."""
    _tolerate_10(release)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ocdskit warns about differing party copies
            upgrade_release_10_11(release, reorder=False)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise OcdsFileError("upgrade_failed", where, reason=reason_of(exc)) from exc


def _is_versioned(release: dict[str, Any]) -> bool:
    """Whether a release is a versioned release (OCDS records' `versionedRelease`: each
    field a list of {releaseID, releaseDate, value}), which would read as nonsense."""
    for key, value in release.items():
        if key == "ocid":
            continue
        for field in value.values() if isinstance(value, dict) else (value,):
            if (
                isinstance(field, list)
                and field
                and isinstance(field[0], dict)
                and "value" in field[0]
                and "releaseID" in field[0]
            ):
                return True
    return False


def _is_linked_release(value: Any) -> bool:
    return isinstance(value, dict) and "ocid" not in value and "url" in value


class _Reader:
    def __init__(self, source: Source, projected: bool = False, spool: Path | None = None) -> None:
        self.source = source
        self.stats = ReadStats()
        self.version_hint = ""
        self.projected = projected
        self.spool = spool

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
            raise OcdsFileError(_no_ocid(ocid, "record_without_ocid"), where)
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
        if not compiled and not releases and record.get("versionedRelease"):
            self.stats.versioned += 1
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

    def package_item(self, key: str, item: Any, where: Location, version: str) -> Iterator[Entry]:
        """One item of a package's `releases` or `records` (`key`)."""
        if key == "records":
            yield from self.record_entries(item, where, version)
        elif _is_linked_release(item):
            self.stats.linked_releases += 1
        else:
            yield self.release_entry(item, where, version)

    def value_entries(self, value: Any, where: Location | str) -> Iterator[Entry]:
        """A whole top-level JSON value: package, record or release."""
        where = Location.of(where)
        if not isinstance(value, dict):
            raise OcdsFileError("not_object", where)
        version = str(value.get("version") or "")
        if isinstance(value.get("records"), list) and "ocid" not in value:
            for n, record in enumerate(value["records"]):
                yield from self.record_entries(record, where.at(f"records[{n}]"), version)
            # A package with both (not valid OCDS, seen in the wild): both are read, as
            # when the package is streamed.
            for n, release in enumerate(value.get("releases") or ()):
                yield from self.package_item(
                    "releases", release, where.at(f"releases[{n}]"), version
                )
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
            if signatures.is_tar(first):  # (a tar archive on disk is read by archives.py)
                if self.source.member:
                    raise OcdsFileError("archive_nested")
                raise OcdsFileError("archive_unsupported", format="tar")
            if first.startswith(_COMPRESSED):
                raise OcdsFileError("compressed_twice")
            if b"\x00" in first[:4]:  # UTF-16 without a byte order mark: JSON has no NUL
                raise OcdsFileError("not_utf8")
            value: Any = None
            if len(first) <= JSONL_FIRST_LINE_LIMIT:
                try:
                    value = orjson.loads(first)
                except orjson.JSONDecodeError:
                    value = None
            if isinstance(value, dict):
                # A complete object on the first line: JSON Lines (one value per line).
                yield from self._read_jsonl(value, stream)
                return
            head = [first + stream.read(max(0, WHOLE_FILE_BYTES + 1 - len(first)))]
            del first
            if len(head[0]) <= WHOLE_FILE_BYTES:
                data = head.pop()
                yield from self._read_whole(data, lambda: io.BytesIO(data))
                del data
            elif self.spool is not None:
                yield from self._read_mapped(head, stream)
            else:
                yield from self._read_streaming(io.BufferedReader(_Chain(head.pop(), stream)))

    def line_entries(self, line: bytes, number: int) -> Iterator[Entry]:
        """The entries of one JSON Lines line (none for a blank line). A line may start
        with a UTF-8 byte order mark, as when files saved with one are joined into one."""
        line = line.strip()
        if line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :].lstrip()
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

    def _read_mapped(self, head: list[bytes], stream: IO[bytes]) -> Iterator[Entry]:
        """A file too big to be read whole into memory: its JSON (`head`, then the rest
        of `stream`) is copied to a temporary file in the spool folder (removed when
        closed), which is mapped into memory and read as a whole file."""
        with tempfile.TemporaryFile(dir=self.spool, prefix="spool-") as copy:
            copy.write(head.pop())
            shutil.copyfileobj(stream, copy, 1024 * 1024)
            copy.flush()
            with mapped_file(copy) as (mapped, view):

                def again() -> IO[bytes]:
                    copy.seek(0)
                    return copy

                yield from self._read_whole(view, again, mapped.trim)

    def _read_whole(
        self, data: Any, again: Callable[[], IO[bytes]], trim: Callable[[], None] | None = None
    ) -> Iterator[Entry]:
        """A whole file (bytes, or a mapped file) holding one JSON object: a package, a
        record or a release, walked member by member (`_walk`). Anything the walk does not
        take (a list, several values, JSON that is not valid) is streamed from `again()`
        instead, which reports it as usual; the entries already given are skipped."""
        given = 0
        view = memoryview(data)
        try:
            for entry in self._walk(view, trim):
                given += 1
                yield entry
        except _NotWalked:
            pass
        else:
            return
        finally:
            view.release()
        for name in ReadStats.__dataclass_fields__:
            setattr(self.stats, name, 0)
        self.version_hint = ""
        for number, entry in enumerate(self._read_streaming(again())):
            if number >= given:
                yield entry

    def _walk(self, view: memoryview, trim: Callable[[], None] | None) -> Iterator[Entry]:
        """One top-level JSON object, in the order of its members, as `_top_level_object`
        streams it: `item_spans` finds each value, each is parsed on its own (`_parse`),
        and the `releases` or `records` array item by item. Raises _NotWalked for
        anything else."""
        spans = item_spans(view, 1024 * 1024)
        while True:
            try:
                key, version, first, found = next(spans)
            except StopIteration as done:
                meta: dict[str, Any] = done.value
                break
            if trim is not None:
                trim()
            yield from self.span_entries(view, key, version, first, found)
        if isinstance(meta.get("version"), str):
            self.version_hint = meta["version"]
        yield from self._object_end(meta, Location(value=1))

    def span_entries(
        self, view: memoryview, key: str, version: str, first: int, spans: list[tuple[int, int]]
    ) -> Iterator[Entry]:
        """The entries of items of a package's `releases` or `records` (`key`) found by
        `item_spans`, the first of them its item number `first`."""
        where = Location(value=1)
        for n, (start, end) in enumerate(spans, start=first):
            item = _parse(view[start:end])
            yield from self.package_item(key, item, where.at(f"{key}[{n}]"), version)

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
                    yield from self.package_item(key, item, where.at(f"{key}[{n}]"), version)
                meta[key] = True
            else:
                meta[key] = _build(events, event, value)
                if key == "version" and isinstance(meta[key], str):
                    self.version_hint = meta[key]
        yield from self._object_end(meta, where)

    def _object_end(self, meta: dict[str, Any], where: Location) -> Iterator[Entry]:
        """A top-level object read key by key (its releases or records, if any, given
        already): a bare record's own entries, or the object as a record or release."""
        if "records" in meta or "releases" in meta:
            if "ocid" in meta:  # a bare record whose releases were streamed above
                meta.pop("releases", None)
                yield from self.record_entries(meta, where, str(meta.get("version") or ""))
            return
        yield from self.value_entries(meta, where)


class _Mapped(mmap.mmap):
    def trim(self) -> None:
        """Pages read so far leave the process (they stay in the kernel's file cache, and
        come back if read again): its resident memory stays about that of the values in
        hand, not the file's size."""
        self.madvise(mmap.MADV_DONTNEED)


@contextlib.contextmanager
def mapped_file(file: IO[bytes]) -> Iterator[tuple[_Mapped, memoryview]]:
    """A file mapped into memory for reading, read front to back, and a view of it; both
    let go at the end (a mapping that values still refer to, when an error is on its
    way, is closed when they are freed)."""
    mapped = _Mapped(file.fileno(), 0, access=mmap.ACCESS_READ)
    mapped.madvise(mmap.MADV_SEQUENTIAL)
    view = memoryview(mapped)
    try:
        yield mapped, view
    finally:
        with contextlib.suppress(BufferError):
            view.release()
            mapped.close()


class _NotWalked(Exception):
    """What `_Reader._walk` does not take: the file is streamed instead."""


_WHITESPACE = re.compile(rb"[ \t\n\r]*")
_WINDOW = 1 << 20  # bytes, at first, in which `_end` looks for the end of a value
_RAW = msgspec.json.Decoder(msgspec.Raw)
_KEY = msgspec.json.Decoder(str)
# How msgspec says where the text after a complete value starts (the byte after it).
_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")
# Where msgspec found a value malformed: at the window's last byte, a number cut short.
_AT_BYTE = re.compile(r"\(byte (\d+)\)")


def _skip(view: memoryview, pos: int) -> int:
    """The position of the next character that is not JSON whitespace."""
    match = _WHITESPACE.match(view, pos)  # type: ignore[call-overload]
    assert match is not None  # (it matches nothing at worst)
    return int(match.end())


def _expect(view: memoryview, pos: int, char: bytes) -> int:
    """After `char` (and whitespace) at `pos`; _NotWalked if something else is there."""
    pos = _skip(view, pos)
    if view[pos : pos + 1] != char:
        raise _NotWalked
    return _skip(view, pos + 1)


def _end(view: memoryview, pos: int) -> int:
    """Where the JSON value at `pos` ends (its text is then `view[pos:end]`, perhaps with
    whitespace after it). msgspec checks the value without decoding it and says where
    the text after it starts; the window it reads grows until the value fits."""
    size = _WINDOW
    while True:
        stop = min(len(view), pos + size)
        try:
            _RAW.decode(view[pos:stop])
        except msgspec.DecodeError as exc:
            message = str(exc)
            if found := _TRAILING.search(message):
                return pos + int(found.group(1)) - 1
            at = _AT_BYTE.search(message)
            cut = "truncated" in message or (at and pos + int(at.group(1)) >= stop - 1)
            if stop == len(view) or not cut:
                raise _NotWalked from exc  # not valid JSON: streaming reports it
        else:
            if stop == len(view):
                return stop
            # (a number may go on past the window: only what follows it is certain)
        size *= 4


def _decode_key(text: memoryview) -> str:
    try:
        return _KEY.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _NotWalked from exc


def _parse(text: memoryview) -> Any:
    """One JSON value cut out by msgspec. orjson checks the UTF-8 that msgspec skipped;
    what orjson refuses (text that is not UTF-8, a lone surrogate, a number beyond the
    range of floats) is built by ijson instead, which accepts it or raises the error the
    streamed file would have raised."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    events = ijson.parse(io.BytesIO(bytes(text)), use_float=True)
    try:
        _prefix, event, value = next(events)
        return _build(events, event, value)
    except ijson.common.IncompleteJSONError as exc:
        raise _ijson_error(exc) from exc
    except UnicodeDecodeError as exc:
        raise OcdsFileError("not_utf8") from exc


def item_spans(
    view: memoryview, batch_bytes: int
) -> Generator[tuple[str, str, int, list[tuple[int, int]]], None, dict[str, Any]]:
    """Walk one top-level JSON object member by member, as `_top_level_object` streams
    it, without decoding the items of its `releases` or `records` array: yields them in
    batches of about `batch_bytes` as (key, the package's version so far, number of the
    first item, [(start, end) of each item in `view`]); returns the other members,
    parsed (an array walked through shows as True). msgspec finds where each value ends
    (`_end`). Raises _NotWalked for anything else: the file is then streamed."""
    pos = _skip(view, 0)
    if view[pos : pos + 1] != b"{":
        raise _NotWalked
    meta: dict[str, Any] = {}
    pos = _skip(view, pos + 1)
    closing = view[pos : pos + 1] == b"}"
    while not closing:
        end = _end(view, pos)
        key = _decode_key(view[pos:end])
        pos = _expect(view, end, b":")
        if key in ("releases", "records") and view[pos : pos + 1] == b"[":
            version = str(meta.get("version") or "")
            pos = _skip(view, pos + 1)
            n = first = size = 0
            batch: list[tuple[int, int]] = []
            while view[pos : pos + 1] != b"]":
                if n:
                    pos = _expect(view, pos, b",")
                end = _end(view, pos)
                batch.append((pos, end))
                size += end - pos
                n += 1
                if size >= batch_bytes:
                    yield key, version, first, batch
                    first, size, batch = n, 0, []
                pos = _skip(view, end)
            if batch:
                yield key, version, first, batch
            pos += 1
            meta[key] = True
        else:
            end = _end(view, pos)
            meta[key] = _parse(view[pos:end])
            pos = end
        pos = _skip(view, pos)
        closing = view[pos : pos + 1] == b"}"
        if not closing:
            pos = _expect(view, pos, b",")
    if _skip(view, pos + 1) != len(view):
        raise _NotWalked  # more values after it: streamed
    return meta


class _Chain(io.RawIOBase):
    """Re-attach an already-read start in front of the rest of a stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = memoryview(head)
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
    """An error of ijson's parser. yajl (its C parser) says what in its first line
    ("parse error: …" or "lexical error: …") and shows the text around the place in the
    next ones (there is no line or offset to give); the Python parser says it in one."""
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    if "UTF8" in text or "UTF-8" in text:
        return OcdsFileError("not_utf8")
    if "premature EOF" in text or "Incomplete JSON content" in text:
        return OcdsFileError("truncated")
    lines = text.strip().splitlines() or ["syntax error"]
    what = _YAJL_KIND.sub("", lines[0]).strip()
    context = lines[1] if len(lines) > 1 else ""
    reason = REASON_JSON_BOM if "\ufeff" in context else json_reason(what[:120])
    if reason in (REASON_JSON_KEY, REASON_JSON_VALUE) and _TRAILING_COMMA.search(context):
        # yajl's words for a comma before } or ]: the first error stops it, so a comma
        # before a closing brace in the text it shows is the one
        reason = REASON_JSON_TRAILING_COMMA
    return OcdsFileError("invalid_json", Location(near=_near(context)), reason=reason)


_TRAILING_COMMA = re.compile(r",\s*[}\]]")


_YAJL_KIND = re.compile(r"^(?:parse|lexical) error:")


def _near(context: str) -> str:
    """The text yajl shows around an error, fit to be shown: printable, on one line,
    without its pointer ("(right here) ------^", on the same line when the text is
    short)."""
    context = context.split("(right here)", 1)[0]
    shown = "".join(c if c.isprintable() and c != "\ufffd" else " " for c in context)
    return " ".join(shown.split())[:60]


def _line_error(exc: Exception, number: int) -> OcdsFileError:
    """A JSON Lines line orjson cannot parse: not UTF-8, or not JSON."""
    reason = reason_of(exc)
    if "UTF-8" in reason:
        return OcdsFileError("not_utf8", Location(line=number))
    column = getattr(exc, "colno", None)
    message = getattr(exc, "msg", None) or reason
    return OcdsFileError(
        "invalid_json",
        Location(line=number, column=column if isinstance(column, int) else None),
        reason=json_reason(str(message)),
    )


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


def read_file(
    source: Source | Path, projected: bool = False, spool: Path | None = None
) -> tuple[Iterator[Entry], ReadStats]:
    """The entries of a file (a path, or a `Source`: also a file inside a ZIP archive);
    `projected`: the caller reads only the projection, so JSON Lines releases may come as
    their text (`Entry.text`), to be projected later; `spool`: a folder where a big
    package may be copied uncompressed while it is read (see WHOLE_FILE_BYTES)."""
    if isinstance(source, Path):
        sources = file_sources(source)
        # A ZIP archive holds several files: read them one by one (pipeline.expand_paths).
        source = sources[0] if len(sources) == 1 else Source(source)
    reader = _Reader(source, projected, spool)
    return reader.read(), reader.stats
