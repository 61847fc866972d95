"""Files in a ZIP archive compressed with a method that Python's zipfile does not read.

Windows Explorer's "Compress to ZIP file" uses Deflate64 (method 9) instead of Deflate
for large files (about 2 GB and more): exactly the size of a year of a national
publisher's data, zipped by whoever downloaded it. 7-Zip and WinZip also write members
with Zstandard (93) and xz (95). zipfile refuses all three, so these members are read
here: their compressed bytes straight from the archive file, decompressed with inflate64
(Deflate64, the library py7zr reads 7-Zip's Deflate64 with), libarchive (Zstandard,
as for .zst files) or lzma (xz), and checked against the size and CRC-32 that the archive
declares, as zipfile checks the members it reads. Damaged data raises
`zipfile.BadZipFile`, which the reader reports as a damaged archive.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any, cast

import inflate64

from bhrplan.procurement.ocds import archives
from bhrplan.procurement.ocds.errors import (
    REASON_CHECKSUM,
    REASON_DATA_DAMAGED,
    REASON_DATA_ENDS,
    REASON_ENDS_EARLY,
    REASON_TOO_LONG,
)

METHODS = {9: "Deflate64", 93: "Zstandard", 95: "xz"}
CHUNK_BYTES = 1 << 16
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra length


def open_member(path: Path, info: zipfile.ZipInfo) -> IO[bytes]:
    """The uncompressed bytes of `info` (a member compressed with one of `METHODS`)."""
    raw = _compressed_bytes(path, info)
    name = METHODS[info.compress_type]
    stream: io.RawIOBase | io.BufferedIOBase
    if info.compress_type == 93:
        stream = cast(io.BufferedReader, archives.zstd_stream(io.BufferedReader(raw, CHUNK_BYTES)))
    elif info.compress_type == 9:
        stream = _Inflating(raw, inflate64.Inflater(), name)
    else:
        stream = _Inflating(raw, lzma.LZMADecompressor(lzma.FORMAT_XZ), name)
    return io.BufferedReader(_Checked(stream, info), CHUNK_BYTES)


def _compressed_bytes(path: Path, info: zipfile.ZipInfo) -> _Slice:
    """The member's compressed bytes, after its local header (as zipfile finds them)."""
    fh = path.open("rb")
    try:
        fh.seek(info.header_offset)
        header = fh.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size:
            raise zipfile.BadZipFile("Truncated file header")  # (zipfile's words)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile("Bad magic number for file header")
        fh.seek(name_length + extra_length, io.SEEK_CUR)
    except BaseException:
        fh.close()
        raise
    return _Slice(fh, info.compress_size)


class _Slice(io.RawIOBase):
    """`size` bytes of a file from where it stands (closes the file when closed)."""

    def __init__(self, fh: io.BufferedReader, size: int) -> None:
        super().__init__()
        self._fh = fh
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._left)
        if wanted <= 0:
            return 0
        got = self._fh.readinto(memoryview(buffer)[:wanted])
        if not got:
            raise zipfile.BadZipFile(REASON_ENDS_EARLY)
        self._left -= got
        return got

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Inflating(io.RawIOBase):
    """The decompressed bytes of a raw stream (Deflate64 or xz)."""

    def __init__(self, raw: io.RawIOBase, decompressor: Any, method: str) -> None:
        super().__init__()
        self._raw = raw
        self._decompressor = decompressor
        self._decompress = getattr(decompressor, "inflate", None) or decompressor.decompress
        self._method = method
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._decompressor.eof:  # (bytes after the end are ignored, as by zipfile)
                return 0
            data = self._raw.read(CHUNK_BYTES)
            if not data:
                raise zipfile.BadZipFile(REASON_DATA_ENDS % {"method": self._method})
            try:
                self._pending = memoryview(self._decompress(data))
            except (ValueError, lzma.LZMAError) as exc:
                raise zipfile.BadZipFile(REASON_DATA_DAMAGED % {"method": self._method}) from exc
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Checked(io.RawIOBase):
    """A member's uncompressed bytes, checked at their end against the declared size and
    CRC-32; tell() counts the bytes given (the reader tells an empty file by it)."""

    def __init__(self, stream: io.RawIOBase | io.BufferedIOBase, info: zipfile.ZipInfo) -> None:
        super().__init__()
        self._stream = stream
        self._expected = (info.file_size, info.CRC)
        self._size = 0
        self._crc = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._size

    def readinto(self, buffer: Any) -> int:
        read = getattr(self._stream, "readinto1", None) or self._stream.readinto
        got = read(buffer)
        if got:
            self._size += got
            self._crc = zlib.crc32(memoryview(buffer)[:got], self._crc)
            if self._size > self._expected[0]:
                raise zipfile.BadZipFile(REASON_TOO_LONG)
        elif (self._size, self._crc) != self._expected:
            raise zipfile.BadZipFile(REASON_CHECKSUM)
        return got

    def close(self) -> None:
        self._stream.close()
        super().close()
