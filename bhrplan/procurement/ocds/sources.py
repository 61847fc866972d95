"""What a dataset is made of: files on disk, and the files inside archives.

Publishers often distribute bulk OCDS as ZIP archives (Kingfisher Collect, the Open
Contracting Partnership's collector, reads ZIP archives for many of them), some as RAR,
7-Zip or tar archives (archives.py reads those). Each file in an archive is a `Source`
of its own: it is read, reported and, when it fails, left out on its own, exactly like a
file on disk; the archive is never extracted to disk.

`expand_paths` turns what the user gives (files and folders) into sources and never
raises: an archive that cannot be listed becomes one source carrying its problem, which
reading it raises, so that it is reported like any other file that cannot be used.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

from bhrplan.lib import signatures
from bhrplan.procurement.ocds import archives, zipmethods
from bhrplan.procurement.ocds.errors import (
    FileProblem,
    OcdsFileError,
    error_of,
    library_reason,
    reason_of,
)

ZIP_MAGIC = (signatures.ZIP, signatures.ZIP_EMPTY, *signatures.ZIP_SPANNED)
# The archives read by archives.py, refused when libarchive is missing (their files must
# then be extracted, or compressed again as ZIP or gzip).
UNSUPPORTED = {signatures.RAR: "RAR", signatures.SEVEN_ZIP: "7-Zip"}
# The name endings of compressed files (their uncompressed size is estimated, see
# Source.estimated_size).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
# Files that are documentation, not data: not read (in folders and in archives).
SKIPPED_SUFFIXES = (".txt", ".md")
# OOXML (xlsx, docx) and OpenDocument files are ZIP archives too: they are reported as
# documents, not opened as archives of data.
_DOCUMENT_PARTS = ("[Content_Types].xml", "mimetype")
# ZIP's compression methods that Python's zipfile reads: stored, deflate, bzip2, lzma
# (zipmethods.py reads Deflate64, Zstandard and xz).
_READABLE_METHODS = frozenset((0, 8, 12, 14))


@dataclass(frozen=True)
class Source:
    """A file of a dataset: `path` on disk, or the file `member` of the archive at `path`.

    `size` is the member's uncompressed size as the archive declares it (zipfile refuses
    to read more than that). `problem`: why the source cannot be read at all, found while
    listing (a damaged archive); reading it raises it. `position`: the member's place in
    an archive read from beginning to end (tar, RAR, 7-Zip; see archives.py), -1 for a
    file on disk or in a ZIP archive.
    """

    path: Path
    member: str = ""
    size: int = 0
    problem: FileProblem | None = None
    position: int = -1

    @property
    def name(self) -> str:
        """How people are shown the file: its name, or archive name › member."""
        return f"{self.path.name} › {self.member}" if self.member else self.path.name

    @property
    def label(self) -> str:
        """The full path (the command line shows it), with the member if any."""
        return f"{self.path} › {self.member}" if self.member else str(self.path)

    def estimated_size(self, gzip_ratio: int = 10) -> int:
        """Uncompressed size (gzip, bzip2 and xz counted as `gzip_ratio` times larger:
        about 10 for OCDS JSON with gzip, more with the others)."""
        if self.member:
            size = self.size
            name = self.member
        else:
            try:
                size = self.path.stat().st_size
            except OSError:
                return 0
            name = self.path.name
        return size * gzip_ratio if name.lower().endswith(COMPRESSED_SUFFIXES) else size

    def open(self) -> IO[bytes]:
        """The raw bytes (still gzip-compressed if the file is); OcdsFileError if the file
        or the archive member cannot be opened."""
        if self.problem is not None:
            raise error_of(self.problem)
        if not self.path.is_file():
            raise OcdsFileError("not_a_file")
        if not self.member:
            try:
                return self.path.open("rb")
            except OSError as exc:
                raise OcdsFileError("cannot_open", reason=library_reason(exc)) from exc
        if self.position >= 0:
            return archives.CURSORS.member(self.path, self.position)
        try:
            archive = _ARCHIVES.get(self.path)
        except OSError as exc:
            raise OcdsFileError("cannot_open", reason=library_reason(exc)) from exc
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise OcdsFileError("archive_damaged", reason=library_reason(exc)) from exc
        info = None
        try:
            info = archive.getinfo(self.member)
            if info.flag_bits & 0x1:
                raise OcdsFileError("archive_encrypted")
            if info.compress_type in zipmethods.METHODS:
                return zipmethods.open_member(self.path, info)
            if info.compress_type not in _READABLE_METHODS:
                raise OcdsFileError("archive_method", method=_method_name(info.compress_type))
            return cast(IO[bytes], archive.open(info))
        except KeyError as exc:
            raise OcdsFileError("not_a_file") from exc
        except (NotImplementedError, RuntimeError) as exc:  # other methods, encryption
            method = reason_of(exc) if info is None else _method_name(info.compress_type)
            raise OcdsFileError("archive_method", method=method) from exc
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise OcdsFileError("archive_damaged", reason=library_reason(exc)) from exc


class _OpenArchives:
    """The archives a process is reading, kept open: opening an archive reads its whole
    directory, so opening it again for each of its files made an archive of 5 000
    files take minutes. Reopened when the file on disk changes; the least recently used
    is closed beyond a few. Files are read one after the other in a process (the
    readers of a process never share an archive at the same time)."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self.open: OrderedDict[Path, tuple[tuple[int, int], zipfile.ZipFile]] = OrderedDict()

    def get(self, path: Path) -> zipfile.ZipFile:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        known = self.open.pop(path, None)
        if known is not None and known[0] == version:
            self.open[path] = known
            return known[1]
        if known is not None:
            known[1].close()
        archive = zipfile.ZipFile(path)
        self.open[path] = (version, archive)
        while len(self.open) > self.keep:
            self.open.popitem(last=False)[1][1].close()
        return archive

    def close(self) -> None:
        while self.open:
            self.open.popitem()[1][1].close()


_ARCHIVES = _OpenArchives()


def close_archives() -> None:
    """Close the archives this process keeps open (at the end of a screening)."""
    _ARCHIVES.close()
    archives.CURSORS.close()


def _method_name(method: int) -> str:
    names = {6: "Implode", 97: "WavPack", 98: "PPMd", 99: "AES"}
    return names.get(method, str(method))


def _head(path: Path) -> bytes:
    """The first bytes of a file: enough for a tar archive's header."""
    try:
        with path.open("rb") as fh:
            return fh.read(512)
    except OSError:
        return b""


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(SKIPPED_SUFFIXES)


def _data_member(name: str) -> bool:
    """Whether a file in an archive may hold data: not the resource forks that macOS adds
    to archives, hidden files or notes."""
    parts = PurePosixPath(name).parts
    if not parts or parts[0] == "__MACOSX":
        return False
    return not any(part.startswith(".") for part in parts) and not _skipped(parts[-1])


def _archive_sources(path: Path) -> list[Source]:
    """The data files of a ZIP archive (sorted by name), or the archive with its problem."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        problem = FileProblem("archive_damaged", {"reason": library_reason(exc)})
        return [Source(path, problem=problem)]
    names = {info.filename for info in infos}
    if any(part in names for part in _DOCUMENT_PARTS):
        return [Source(path, problem=FileProblem("office_document"))]
    sources = [
        Source(path, info.filename, info.file_size)
        for info in sorted(infos, key=lambda i: i.filename)
        if not info.is_dir() and _data_member(info.filename)
    ]
    if not sources:
        return [Source(path, problem=FileProblem("archive_empty"))]
    return sources


def _sequential_sources(path: Path) -> list[Source]:
    """The data files of a tar, RAR or 7-Zip archive (in the archive's order, in which
    they are read), or the archive with its problem."""
    try:
        found = archives.members(path)
    except OcdsFileError as exc:
        return [Source(path, problem=exc.problem)]
    sources = [
        Source(
            path,
            member.name,
            member.size,
            FileProblem("archive_encrypted") if member.encrypted else None,
            member.position,
        )
        for member in found
        if _data_member(member.name)
    ]
    if not sources:
        return [Source(path, problem=FileProblem("archive_empty"))]
    return sources


# The end of a ZIP archive's central directory: signature, disk numbers.
_ZIP_END = struct.Struct("<4sHH")


def _is_split_part(path: Path, head: bytes) -> bool:
    """Whether the file is one of the parts of something split into several files, which
    cannot be read one by one: named as such (signatures.SPLIT_PART), a RAR volume
    (WinRAR's datos.part1.rar …, told by its header) or the last part of a `zip -s`
    archive (its directory names another disk)."""
    name = path.name
    if part := signatures.SPLIT_PART.search(name):
        # A .001 alone is whole (7-Zip writes it when the data fits in one part).
        return part.group(1) != "001" or path.with_name(name[:-3] + "002").exists()
    if archives.is_volume(head):
        return True
    return name.lower().endswith(".zip") and _zip_spans_disks(path)


def _zip_spans_disks(path: Path) -> bool:
    """Whether a ZIP archive's directory says it spans several files (the last part of an
    archive split by `zip -s`, whose first bytes are anywhere in the compressed data)."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - (1 << 16) - _ZIP_END.size - 18))
            tail = fh.read()
    except OSError:
        return False
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _ZIP_END.size > len(tail):
        return False
    _signature, disk, directory_disk = _ZIP_END.unpack_from(tail, at)
    return disk > 0 or directory_disk > 0


def file_sources(path: Path) -> list[Source]:
    """One file given: itself, or the data files inside it when it is an archive."""
    head = _head(path)
    if _is_split_part(path, head):
        return [Source(path, problem=FileProblem("archive_split"))]
    if head.startswith(ZIP_MAGIC):
        sources = _archive_sources(path)
    elif archives.kind_of(path, head):
        sources = _sequential_sources(path)
    else:
        return [Source(path)]
    # The first part of a split archive without the others (zip's, or a .001 whose .002
    # is missing) reads as an archive without its end.
    problem = sources[0].problem
    first_part = path.name.endswith(".001") or head.startswith(signatures.ZIP_SPANNED)
    if first_part and problem is not None and problem.code == "archive_damaged":
        return [Source(path, problem=FileProblem("archive_split"))]
    return sources


def expand_paths(paths: Iterable[str | Path]) -> list[Source]:
    """Files given, every file under folders given (sorted; hidden files, .txt and .md
    skipped), and the data files inside the archives among them."""
    out: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not _skipped(name):
                        out.extend(file_sources(Path(root) / name))
        else:
            out.extend(file_sources(path))
    return out
