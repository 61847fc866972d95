"""Archives read from beginning to end, with libarchive: tar (plain or compressed with
gzip, bzip2, xz or Zstandard), RAR and 7-Zip; and single files compressed with Zstandard.

Publishers distribute bulk OCDS in these too: the Dominican Republic's DGCP publishes a
RAR archive of JSON per year, DIGIWHIST (opentender.eu) a tar.gz of JSON Lines per
country. ZIP archives stay with Python's zipfile (sources.py), which opens any file by
its directory. These formats have no such directory: a file is reached by reading
every file before it. So each process keeps a cursor per archive (`_Cursor`) that only
moves forward; the screening reads an archive's files in their order, so each process
decompresses an archive about once. The first 16 MB given of the current file are kept,
so that opening the same file again (the screening peeks at a file's first line, then
reads it) does not start the archive over.

libarchive is a C library (Debian's libarchive13; `make system-deps` installs it) used
through libarchive-c. Without it, these archives are refused with a message that says
what to do, as before.
"""

from __future__ import annotations

import atexit
import bz2
import ctypes
import functools
import gzip
import io
import lzma
import re
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bhrplan.lib import signatures
from bhrplan.procurement.ocds.errors import (
    REASON_NO_FILE,
    REASON_REOPENED,
    REASON_UNREADABLE,
    OcdsFileError,
    library_reason,
    text_reason,
)

BLOCK_BYTES = 1 << 20
REPLAY_BYTES = 16 << 20


def _format_of(head: bytes) -> str:
    """libarchive's name of the format of an archive that `kind_of` recognised. Never
    "all": with every format on, libarchive takes a RAR or tar archive that holds a ZIP
    archive near its end for that ZIP archive (it looks for a ZIP directory there)."""
    if head.startswith(signatures.RAR):
        return "rar5" if head[6:8] == b"\x01\x00" else "rar"
    return "7zip" if head.startswith(signatures.SEVEN_ZIP) else "tar"


def _reader(libarchive: Any, path: Path) -> Any:
    """libarchive's reader of the archive at `path` (a context manager)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    return libarchive.file_reader(str(path), _format_of(head), "all", block_size=BLOCK_BYTES)


@functools.cache
def _libarchive() -> Any | None:
    """libarchive-c, or None when the C library is not installed (it is loaded when the
    module is imported; a failed import is not remembered by Python, so it is here:
    every file of a dataset asks)."""
    try:
        import libarchive
    except (ImportError, OSError, AttributeError, TypeError):
        return None
    return libarchive


class ArchiveReadError(OSError):
    """A file in an archive stopped decompressing (reported as a damaged archive); an
    OSError without errno, as a damaged gzip file raises."""


def _reason(exc: BaseException) -> str:
    """libarchive's message (its errors add codes and a pointer after it; some have no
    message at all), as one of the project's reasons when it is a known one."""
    text = str(getattr(exc, "msg", None) or _CODES.sub("", str(exc))).strip()
    if not text or text == "None":
        text = REASON_UNREADABLE
    return text_reason(text.splitlines()[0][:160])


_CODES = re.compile(r"\s*\(errno=.*\)\s*$", re.DOTALL)


def _problem(exc: Exception) -> OcdsFileError:
    """What an error of libarchive means for the user."""
    said = str(exc).lower()
    if "ncrypt" in said or "passphrase" in said or "password" in said:
        return OcdsFileError("archive_encrypted")
    return OcdsFileError("archive_damaged", reason=_reason(exc))


def _errors() -> tuple[type[Exception], ...]:
    libarchive = _libarchive()
    return (libarchive.ArchiveError, OSError) if libarchive else (OSError,)


# The compressions of a tar archive that Python's library reads (its first block only).
_DECOMPRESSORS: tuple[tuple[bytes, Callable[..., Any]], ...] = (
    (signatures.GZIP, gzip.open),
    (signatures.BZIP2, bz2.open),
    (signatures.XZ, lzma.open),
)


def kind_of(path: Path, head: bytes) -> str:
    """The kind of archive ("RAR", "7-Zip", or "tar", plain or compressed) of the file at
    `path`, whose first 512 bytes are `head`, when libarchive can read it; "" otherwise."""
    libarchive = _libarchive()
    if libarchive is None:
        return ""
    if head.startswith(signatures.RAR):
        return "RAR"
    if head.startswith(signatures.SEVEN_ZIP):
        return "7-Zip"
    opener = next((o for magic, o in _DECOMPRESSORS if head.startswith(magic)), None)
    if opener is None and not head.startswith(signatures.ZSTD):
        return "tar" if signatures.is_tar(head) else ""
    try:
        if head.startswith(signatures.ZSTD):
            with path.open("rb") as raw, zstd_stream(raw) as stream:
                first = stream.read(512)
        else:
            with opener(path, "rb") as stream:  # type: ignore[misc]
                first = stream.read(512)
    except (*_errors(), EOFError, ValueError, lzma.LZMAError, OcdsFileError):  # type: ignore[misc]
        return ""  # not readable as such: the reader reports the file
    return "tar" if signatures.is_tar(first) else ""


def is_volume(head: bytes) -> bool:
    """Whether these first bytes are those of a RAR archive split into volumes (WinRAR's
    datos.part1.rar, datos.part2.rar …: every volume carries the flag, the first too)."""
    try:
        if head.startswith(signatures.RAR + b"\x01\x00"):  # RAR 5: variable-length numbers
            at = len(signatures.RAR) + 2 + 4  # after the signature, the header's CRC-32
            _size, at = _number(head, at)
            kind, at = _number(head, at)
            flags, at = _number(head, at)
            if kind != 1:  # not the main archive header
                return False
            for present in (0x0001, 0x0002):  # extra area size, data size
                if flags & present:
                    _skipped, at = _number(head, at)
            archive_flags, _at = _number(head, at)
            return bool(archive_flags & 0x0001)
        if head.startswith(signatures.RAR + b"\x00"):  # RAR 4: main header type 0x73
            return head[9] == 0x73 and bool(struct.unpack_from("<H", head, 10)[0] & 0x0001)
    except (IndexError, struct.error):
        return False
    return False


def _number(data: bytes, at: int) -> tuple[int, int]:
    """A RAR 5 variable-length number at `at`, and where the next field starts."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80 or shift > 63:
            return value, at
        shift += 7


@dataclass(frozen=True)
class Member:
    position: int  # its place among the archive's entries (folders and links included)
    name: str
    size: int  # uncompressed, as the archive declares it (0 when it does not say)
    encrypted: bool = False


def _is_encrypted(libarchive: Any, entry: Any) -> bool:
    """Whether the entry's data is protected by a password (libarchive-c does not wrap
    the C function). libarchive reads some encrypted RAR files without a word, giving
    the encrypted bytes."""
    function = getattr(libarchive.ffi.libarchive, "archive_entry_is_data_encrypted", None)
    if function is None:
        return False
    function.argtypes, function.restype = [ctypes.c_void_p], ctypes.c_int
    return bool(function(entry._entry_p) > 0)


def _name(entry: Any) -> str:
    name = entry.pathname
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name or "")


def members(path: Path) -> list[Member]:
    """The regular files of the archive at `path`, in its order (reading it once);
    OcdsFileError when it cannot be read through."""
    libarchive = _libarchive()
    assert libarchive is not None  # (kind_of found the archive)
    found = []
    entries = 0
    try:
        with _reader(libarchive, path) as archive:
            for position, entry in enumerate(archive):
                entries += 1
                if entry.isreg and not entry.islnk and not entry.issym:
                    encrypted = _is_encrypted(libarchive, entry)
                    found.append(Member(position, _name(entry), entry.size or 0, encrypted))
    except _errors() as exc:
        raise _problem(exc) from exc
    if not entries:  # (libarchive finds nothing, rather than an error, in some damage)
        raise OcdsFileError("archive_damaged", reason=REASON_NO_FILE)
    return found


class _BlockStream(io.RawIOBase):
    """A readable stream over blocks of bytes (given first: `replay`)."""

    def __init__(
        self,
        next_block: Callable[[], bytes],
        replay: list[bytes] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._next_block = next_block
        self._replay = list(replay or ())
        self._pending = memoryview(b"")
        self._on_close = on_close
        self._position = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        """Bytes given so far (the reader tells an empty file from a blank one by it)."""
        return self._position

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._replay:
                self._pending = memoryview(self._replay.pop(0))
                continue
            try:
                block = self._next_block()
            except ArchiveReadError:
                raise
            except _errors() as exc:
                raise ArchiveReadError(_reason(exc)) from exc
            if not block:
                return 0
            self._pending = memoryview(block)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self._position += size
        return size

    def close(self) -> None:
        if not self.closed and self._on_close is not None:
            self._on_close()
        super().close()


class _Cursor:
    """An archive open in this process, at one of its entries, moving only forward."""

    def __init__(self, path: Path, version: tuple[int, int]) -> None:
        libarchive = _libarchive()
        assert libarchive is not None
        self.version = version
        self._stack = ExitStack()
        archive = self._stack.enter_context(_reader(libarchive, path))
        self._entries = iter(archive)
        self.position = -1
        self._entry: Any = None
        self._blocks: Iterator[bytes] | None = None
        # What the current entry's readers were given, while it may be given again.
        self._given: list[bytes] | None = []
        self._given_bytes = 0
        self._reader = 0  # the stream that may read on (an older one raises)
        self.broken = False

    def can_open(self, position: int) -> bool:
        if self.broken:
            return False
        return position > self.position or (position == self.position and self._given is not None)

    def open(self, position: int) -> IO[bytes]:
        while self.position < position:
            try:
                self._entry = next(self._entries)
            except StopIteration:
                raise OcdsFileError("not_a_file") from None
            self.position += 1
            self._blocks, self._given, self._given_bytes = None, [], 0
        if self._blocks is None:
            self._blocks = self._entry.get_blocks(BLOCK_BYTES)
        self._reader += 1
        reader = self._reader
        replay = list(self._given or ())
        return io.BufferedReader(
            _BlockStream(lambda: self._next_block(reader), replay), BLOCK_BYTES
        )

    def _next_block(self, reader: int) -> bytes:
        if reader != self._reader or self._blocks is None:
            raise ArchiveReadError(REASON_REOPENED)
        try:
            block = next(self._blocks, b"")
        except BaseException:
            self.broken = True  # libarchive may not go on: the next file starts it over
            raise
        if self._given is not None and block:
            self._given_bytes += len(block)
            if self._given_bytes <= REPLAY_BYTES:
                self._given.append(block)
            else:
                self._given = None
        return block

    def close(self) -> None:
        self._blocks = None
        self._stack.close()


class _Cursors:
    """The cursors of this process, by archive; a cursor is made again when the file on
    disk changed or when it is past the entry asked for; beyond a few, the least
    recently used is closed."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self.open: OrderedDict[Path, _Cursor] = OrderedDict()

    def member(self, path: Path, position: int) -> IO[bytes]:
        try:
            stat = path.stat()
        except OSError as exc:
            raise OcdsFileError("cannot_open", reason=library_reason(exc)) from exc
        version = (stat.st_mtime_ns, stat.st_size)
        cursor = self.open.pop(path, None)
        if cursor is not None and (cursor.version != version or not cursor.can_open(position)):
            cursor.close()
            cursor = None
        try:
            if cursor is None:
                cursor = _Cursor(path, version)
            stream = cursor.open(position)
        except OcdsFileError:
            if cursor is not None:
                cursor.close()
            raise
        except _errors() as exc:
            if cursor is not None:
                cursor.close()
            raise _problem(exc) from exc
        self.open[path] = cursor
        while len(self.open) > self.keep:
            self.open.popitem(last=False)[1].close()
        return stream

    def close(self) -> None:
        while self.open:
            self.open.popitem()[1].close()


CURSORS = _Cursors()
# Closed before the interpreter takes libarchive-c apart (worker processes keep theirs).
atexit.register(CURSORS.close)


def zstd_stream(raw: IO[bytes]) -> IO[bytes]:
    """The decompressed bytes of a file compressed with Zstandard (`raw`: its bytes);
    OcdsFileError when libarchive is missing or the file cannot be opened."""
    libarchive = _libarchive()
    if libarchive is None:
        raw.close()
        raise OcdsFileError("archive_unsupported", format="Zstandard")
    stack = ExitStack()
    stack.callback(raw.close)
    try:
        archive = stack.enter_context(
            libarchive.stream_reader(raw, "raw", "zstd", block_size=BLOCK_BYTES)
        )
        blocks = next(iter(archive)).get_blocks(BLOCK_BYTES)
    except (*_errors(), StopIteration) as exc:  # type: ignore[misc]
        stack.close()
        raise OcdsFileError("cannot_decompress", reason=_reason(exc)) from exc
    return io.BufferedReader(
        _BlockStream(lambda: next(blocks, b""), on_close=stack.close), BLOCK_BYTES
    )
