"""The first bytes that tell a file's format, whatever its name says (and the names of
the parts of a split file, which no first bytes tell).

One list for the upload checks (uploads.py), spreadsheet imports (tabular.py) and the
procurement screening's reader of OCDS files (procurement/ocds), which once each wrote
their own.
"""

import re

PDF = b"%PDF-"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
ZIP = b"PK\x03\x04"  # an archive whose first member follows (XLSX, DOCX, ODS … too)
ZIP_EMPTY = b"PK\x05\x06"  # an archive with no members: its directory alone
# A ZIP archive made to be split (`zip -s`) that fitted in one part: a marker, then the
# archive (PK00 is older tools' marker). The first part of one that did not fit starts
# the same way, and is not readable alone.
ZIP_SPANNED = (b"PK\x07\x08PK\x03\x04", b"PK00PK\x03\x04")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office files (XLS)
GZIP = b"\x1f\x8b"
BZIP2 = b"BZh"
XZ = b"\xfd7zXZ\x00"
ZSTD = b"\x28\xb5\x2f\xfd"
RAR = b"Rar!\x1a\x07"  # RAR 4 (then \x00) and RAR 5 (then \x01\x00)
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"
# A tar archive's header: the name of its first file, then this at byte 257 (POSIX and
# GNU); the NUL byte cannot occur in JSON text.
TAR_AT, TAR = 257, (b"ustar\x00", b"ustar  \x00")


def is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def is_tar(head: bytes) -> bool:
    """Whether these first bytes (of a file, once decompressed) are a tar header."""
    return any(head[TAR_AT : TAR_AT + len(magic)] == magic for magic in TAR)


# The parts of something split into several files: 7-Zip's and most splitters'
# datos.zip.001, datos.zip.002 … (the bytes cut in pieces; group 1 is the number) and
# zip's datos.z01, datos.z02 … (`zip -s`, whose last part is datos.zip).
SPLIT_PART = re.compile(r"\.(?:(\d{3})|z\d{2})$", re.IGNORECASE)
