"""Uploaded files: what they are by their content, and whether an app accepts them.

Browsers and file names lie; the bytes do not. `check_upload` accepts a file only when its
extension names an allowed type, its content is that type, and it fits the size limit, and
answers everything else with a translated `ValidationError` (codes "type", "empty", "size",
"content"). Evidence, event minutes and OCDS uploads all go through it.
"""

import bz2
import gzip
import lzma
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from bhrplan.lib import signatures

HEAD_BYTES = 1024  # enough for any magic number and JSON's leading whitespace


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


_TYPES = [
    FileType("pdf", "PDF", "application/pdf", ("pdf",)),
    FileType("png", "PNG", "image/png", ("png",)),
    FileType("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
    FileType("webp", "WebP", "image/webp", ("webp",)),
    FileType(
        "docx",
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
    FileType(
        "xlsx",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
    ),
    FileType(
        "pptx",
        "PPTX",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
    ),
    FileType("odt", "ODT", "application/vnd.oasis.opendocument.text", ("odt",)),
    FileType("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
    FileType("json", "JSON", "application/json", ("json", "jsonl", "ndjson")),
    # Compressions (of a file, or of a tar archive: .tgz, .tbz2, .txz, .tzst).
    FileType("gzip", "gzip", "application/gzip", ("gz", "tgz")),
    FileType("bzip2", "bzip2", "application/x-bzip2", ("bz2", "tbz2", "tbz")),
    FileType("xz", "xz", "application/x-xz", ("xz", "txz")),
    FileType("zstd", "Zstandard", "application/zstd", ("zst", "tzst")),
    # Any other ZIP archive (OOXML and OpenDocument files are told apart by their parts).
    FileType("zip", "ZIP", "application/zip", ("zip",)),
    FileType("tar", "tar", "application/x-tar", ("tar",)),
    FileType("rar", "RAR", "application/vnd.rar", ("rar",)),
    FileType("7z", "7-Zip", "application/x-7z-compressed", ("7z",)),
]
TYPES: dict[str, FileType] = {t.key: t for t in _TYPES}
_BY_EXTENSION = {ext: t for t in _TYPES for ext in t.extensions}

# The part that every well-formed OOXML package of the kind has.
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_ODF_MIMETYPES = {"odt": TYPES["odt"].content_type, "ods": TYPES["ods"].content_type}


def extension_of(name: str) -> str:
    """The last extension of a file name, lower case and without the dot ("" if none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def type_for_name(name: str) -> FileType | None:
    return _BY_EXTENSION.get(extension_of(name))


def _zip_type(upload: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip().decode("ascii", "replace")
                return next((k for k, v in _ODF_MIMETYPES.items() if v == mimetype), None)
            if "[Content_Types].xml" in names:
                return next((k for k, part in _OOXML_PARTS.items() if part in names), None)
    # NotImplementedError: a compression method zipfile cannot read; RuntimeError: encrypted.
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ):
        return None
    return "zip"  # a plain archive whose directory reads


def _decompresses(opener: Any, upload: IO[bytes]) -> bool:
    """A compressed stream (gzip, bzip2, xz) whose first block decompresses (a cut or
    corrupt header does not)."""
    try:
        with opener(upload) as stream:
            stream.read(HEAD_BYTES)
    except (OSError, EOFError, ValueError, lzma.LZMAError):
        return False
    return True


# Formats told by their first bytes alone (a damaged Zstandard, RAR or 7-Zip file, for
# which Python's library has no decoder, is reported by the screening as it reads it).
_BY_SIGNATURE = (
    (signatures.PDF, "pdf"),
    (signatures.PNG, "png"),
    (signatures.JPEG, "jpeg"),
    (signatures.ZSTD, "zstd"),
    (signatures.RAR, "rar"),
    (signatures.SEVEN_ZIP, "7z"),
)
# Compressions whose first block must also decompress.
_COMPRESSED: tuple[tuple[bytes, str, Any], ...] = (
    (signatures.GZIP, "gzip", lambda f: gzip.GzipFile(fileobj=f)),
    (signatures.BZIP2, "bzip2", bz2.BZ2File),
    (signatures.XZ, "xz", lzma.LZMAFile),
)


def sniff(upload: Any) -> str | None:
    """The key in TYPES of what the file's content is, whatever its name says; None if unknown."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    try:
        if kind := next((key for magic, key in _BY_SIGNATURE if head.startswith(magic)), None):
            return kind
        if signatures.is_webp(head):
            return "webp"
        if head.startswith((signatures.ZIP, *signatures.ZIP_SPANNED)):
            return _zip_type(upload)
        for magic, key, opener in _COMPRESSED:
            if head.startswith(magic):
                return key if _decompresses(opener, upload) else None
        if signatures.is_tar(head):
            return "tar"
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text[:1] in (b"{", b"["):
            return "json"
        return None
    finally:
        upload.seek(0)


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def check_upload(
    upload: Any,
    *,
    types: Collection[str],
    max_bytes: int,
    accepted: str,
    field: str | None = None,
    allow_empty: bool = False,
) -> FileType:
    """The file's type when its name and content are one of `types` and it is within `max_bytes`.

    `accepted` completes "Upload …" in the message for a refused type, e.g. "a PDF, DOCX or
    ODT file". With `field`, errors are keyed by that form field. An empty file passes only
    with `allow_empty` (its type is then taken from its name).
    """
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    declared = type_for_name(name)
    if declared is None and signatures.SPLIT_PART.search(name):
        message = _(
            "“%(name)s” is one part of an archive or file split into several files, which "
            "cannot be read part by part. Join the parts with the program that made them "
            "(7-Zip, WinRAR, zip) and upload the result."
        )
        raise _error(field, message % {"name": name}, "split")
    if declared is None or declared.key not in types:
        message = _("“%(name)s” is not an accepted type. Upload %(accepted)s.")
        raise _error(field, message % {"name": name, "accepted": accepted}, "type")
    size = upload.size or 0
    if size == 0:
        if allow_empty:
            return declared
        raise _error(field, _("“%(name)s” is empty.") % {"name": name}, "empty")
    if size > max_bytes:
        message = _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
        values = {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        raise _error(field, message % values, "size")
    if sniff(upload) != declared.key:
        message = _(
            "The content of “%(name)s” does not match its extension: it is not a valid %(type)s "
            "file."
        )
        raise _error(field, message % {"name": name, "type": declared.label}, "content")
    return declared
