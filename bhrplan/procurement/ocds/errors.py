"""Why an OCDS file cannot be used (or a whole screening stopped), kept as data and put
into words when shown.

The reader and the pipeline raise `OcdsFileError`, which carries a `FileProblem`: a code,
its parameters and a `Location` (the line of a JSON Lines file or the number of a
top-level JSON value, plus a JSON path such as `releases[2].awards[0]`, which needs no
translation). The problem is plain data: it can be pickled (it crosses from worker
processes), stored as JSON with the screening, and rendered in the reader's language
only when a page or the command shows it.

The msgids are English, so the English text is the msgid itself, formatted without
Django's translation machinery (`str(exc)`, logs, workers that never set Django up).
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext, override


def gettext_noop(message: str) -> str:
    """Mark a msgid for makemessages. Django's own needs settings, which a worker process
    may not have; this module must import (and say things in English) without them."""
    return message


# One message per code, written for people who are not programmers: what is wrong and,
# where it helps, what to do.
MESSAGES: dict[str, str] = {
    "cannot_open": gettext_noop("The file cannot be opened (%(reason)s)."),
    "cannot_decompress": gettext_noop(
        "The file is compressed but cannot be decompressed (%(reason)s). It may be damaged "
        "or incomplete: download it again."
    ),
    "empty": gettext_noop("The file is empty (0 bytes)."),
    "blank": gettext_noop("The file holds only blank lines or spaces, no data."),
    "truncated": gettext_noop(
        "The file ends before the JSON is complete (truncated download?). Download it "
        "again or ask the publisher for a complete copy."
    ),
    "invalid_json": gettext_noop(
        "This is not valid JSON (%(reason)s). Check that the file holds OCDS data in "
        "JSON, not a web page or a spreadsheet."
    ),
    "not_utf8": gettext_noop(
        "The text is not encoded as UTF-8 (it may be Latin-1, Windows-1252 or UTF-16). "
        "Save the file as UTF-8 and try again."
    ),
    "top_level_not_object": gettext_noop(
        "The file must hold JSON objects {…} (release or record packages, releases or "
        "records) or lists of them, but it holds a single value."
    ),
    "not_object": gettext_noop(
        "Expected a JSON object {…} (a release or record package, a release or a "
        "record), found something else."
    ),
    "release_not_object": gettext_noop("A release must be a JSON object {…}."),
    "record_not_object": gettext_noop("A record must be a JSON object {…}."),
    "release_without_ocid": gettext_noop(
        "The release has no ocid (the identifier of the contracting process), so it cannot be used."
    ),
    "record_without_ocid": gettext_noop(
        "The record has no ocid (the identifier of the contracting process), so it cannot be used."
    ),
    "ocid_not_text": gettext_noop(
        "The ocid (the identifier of the contracting process) must be text in double quotes, "
        "such as “ocds-213czf-000-00001”, not a number or another kind of value."
    ),
    "date_not_text": gettext_noop("The release date must be text, such as “2020-01-31T00:00:00Z”."),
    "field_not_object": gettext_noop("The field “%(field)s” must be a JSON object {…}."),
    "field_not_list": gettext_noop("The field “%(field)s” must be a list […]."),
    "field_not_list_of_objects": gettext_noop(
        "The field “%(field)s” must be a list of JSON objects [{…}, …]."
    ),
    "upgrade_failed": gettext_noop(
        "This OCDS 1.0 release cannot be converted to OCDS 1.1 (%(reason)s)."
    ),
    "not_a_file": gettext_noop(
        "This is not a file that can be read (it may have been moved or deleted)."
    ),
    "no_releases": gettext_noop("No release or record was found in the file."),
    "versioned_release": gettext_noop(
        "This is a versioned release (each field lists its values release by release), "
        "which cannot be screened as it is. Screen the releases, or records with a "
        "compiledRelease, instead."
    ),
    "only_versioned_releases": gettext_noop(
        "No usable release: the records give only a versionedRelease. Screen the "
        "releases, or records with a compiledRelease, instead."
    ),
    "only_linked_releases": gettext_noop(
        "No usable release: the records only link to releases published elsewhere. "
        "Download those releases (or records with a compiledRelease) and screen them."
    ),
    "unreadable": gettext_noop(
        "Part of the data cannot be read (%(reason)s). Check that the file holds OCDS data."
    ),
    "archive_damaged": gettext_noop(
        "The archive cannot be read (%(reason)s). It may be damaged or incomplete: "
        "download it again."
    ),
    "archive_empty": gettext_noop(
        "The archive holds no data files (only folders, hidden files or notes)."
    ),
    "archive_encrypted": gettext_noop(
        "The archive, or this file in it, is protected by a password. Extract the files "
        "and upload them without the password."
    ),
    "archive_method": gettext_noop(
        "This file in the ZIP archive is compressed with a method that cannot be read "
        "(%(method)s). Extract it, or compress it again as a standard ZIP or as gzip."
    ),
    "compressed_twice": gettext_noop(
        "The file is compressed twice (a compressed file inside a compressed file). "
        "Decompress it once and screen the result."
    ),
    "archive_nested": gettext_noop(
        "This is an archive inside the archive. Extract it and screen the files it holds."
    ),
    "archive_split": gettext_noop(
        "This is one part of an archive (or of a file) split into several files, which "
        "cannot be read part by part. Join the parts with the program that made them "
        "(7-Zip, WinRAR, zip), then screen the archive or the files it holds."
    ),
    "archive_unsupported": gettext_noop(
        "This file is compressed or archived as %(format)s, which cannot be read. Extract "
        "the files, or compress them as ZIP or gzip."
    ),
    "office_document": gettext_noop(
        "This is a spreadsheet or a text document, not OCDS data in JSON. Download the "
        "publisher's JSON files instead."
    ),
    # Why a whole screening stopped (not one file): kept with the screening.
    "disk_too_small": gettext_noop(
        "The server does not have enough free disk space to screen this dataset: it needs "
        "at least %(needed)s GB while screening, and %(free)s GB are free. Ask the "
        "administrator to free space, or screen the files in smaller groups."
    ),
    "disk_full": gettext_noop(
        "The server ran out of disk space while screening (a screening needs about as much "
        "free space as the data takes uncompressed). Ask the administrator to free space, "
        "then start the screening again."
    ),
    "out_of_memory": gettext_noop(
        "The server ran out of memory while screening. Ask the administrator to give it "
        "more memory, then start the screening again."
    ),
    "worker_stopped": gettext_noop(
        "A process of the screening stopped unexpectedly (the server may have run out of "
        "memory). Start the screening again; if it fails again, tell the administrator."
    ),
    "unexpected": gettext_noop(
        "An unexpected error stopped the screening (%(reason)s). Start the screening "
        "again; if it fails again, tell the administrator."
    ),
}

# The `reason` of a message. Libraries (JSON parsers, gzip, zipfile, libarchive, the
# system) word their errors in English: `library_reason` and `json_reason` turn the ones
# known here into the project's own reasons (below), which are translated when shown; any
# other text is shown as it is, introduced in the reader's language as a technical
# detail (`_reason_in`).
REASON_NO_FILE = gettext_noop("no file found in it")
REASON_UNREADABLE = gettext_noop("unreadable data")
REASON_REOPENED = gettext_noop("the file was opened again while it was read")
REASON_ENDS_EARLY = gettext_noop("the archive ends before the file's data")
REASON_TOO_LONG = gettext_noop("the file holds more data than the archive declares")
REASON_CHECKSUM = gettext_noop("the file's data does not match its checksum (CRC-32)")
REASON_DATA_ENDS = gettext_noop("the %(method)s data ends too soon")
REASON_DATA_DAMAGED = gettext_noop("the %(method)s data is damaged")
REASON_ENDS_SOON = gettext_noop("the data ends too soon")
REASON_DAMAGED = gettext_noop("the data is damaged")
REASON_WRONG_SIZE = gettext_noop("the data is not the size the file declares")
REASON_NOT_COMPRESSED_AFTER = gettext_noop("the file goes on with data that is not compressed")
REASON_FORMAT = gettext_noop("its format is not recognised")
REASON_NOT_FOUND = gettext_noop("the file was not found")
REASON_PERMISSION = gettext_noop("the server is not allowed to read it")
REASON_FOLDER = gettext_noop("it is a folder")
REASON_DISK = gettext_noop("the disk could not be read")
REASON_TOO_DEEP = gettext_noop("the data is nested too deeply")
# What a JSON parser found (where: the message's location, see Location).
REASON_JSON_KEY = gettext_noop("a field name in double quotes was expected")
REASON_JSON_COLON = gettext_noop("a colon (:) was expected after the field name")
REASON_JSON_OBJECT_COMMA = gettext_noop("a comma (,) or a closing brace (}) was expected")
REASON_JSON_ARRAY_COMMA = gettext_noop("a comma (,) or a closing bracket (]) was expected")
REASON_JSON_VALUE = gettext_noop(
    "a value was expected: text in double quotes, a number, true, false, null, {…} or […]"
)
REASON_JSON_CHARACTER = gettext_noop("a character that does not belong there")
REASON_JSON_WORD = gettext_noop("a word without quotes (JSON allows only true, false and null)")
REASON_JSON_ESCAPE = gettext_noop("a backslash (\\) that does not start a valid escape in a text")
REASON_JSON_CONTROL = gettext_noop(
    "a control character (such as a tab or a line break) inside a text"
)
REASON_JSON_NUMBER = gettext_noop("a number written in a form JSON does not allow")
REASON_JSON_HUGE = gettext_noop("a number too large to be read")
REASON_JSON_TRAILING_COMMA = gettext_noop("a comma before a closing bracket or brace")
REASON_JSON_AFTER_END = gettext_noop("more data after the end of the JSON value")
REASON_JSON_ENDS = gettext_noop("the text ends before the JSON value is complete")
REASON_JSON_COMMENT = gettext_noop("a comment, which JSON does not allow")
REASON_JSON_BOM = gettext_noop(
    "a byte order mark (BOM) inside the data, as when files saved with one are joined: "
    "save them as UTF-8 without it, or screen them apart"
)
# Any other reason: a library's own words, shown as they are.
REASON_TECHNICAL = gettext_noop("technical detail: %(detail)s")
# The reasons shown translated: every REASON_ text above but the templates with a
# placeholder (which `_reason_in` fills), and a few constant ones of zipfile.
REASONS = frozenset(
    {
        *(text for name, text in globals().items() if name.startswith("REASON_")),
        gettext_noop("File is not a zip file"),
        gettext_noop("Truncated file header"),
        gettext_noop("Bad magic number for file header"),
    }
    - {REASON_DATA_ENDS, REASON_DATA_DAMAGED, REASON_TECHNICAL}
)
# Reasons about one compression method ("the Deflate64 data is damaged").
_METHOD_REASONS = tuple(
    (re.compile(re.escape(template).replace(re.escape("%(method)s"), "(.+)")), template)
    for template in (REASON_DATA_ENDS, REASON_DATA_DAMAGED)
)


def _reason_in(tr: Callable[[str], str], reason: str) -> str:
    """A `reason` in the reader's language: the project's own words translated (see
    REASONS), a library's introduced as a technical detail."""
    if reason in REASONS:
        return tr(reason)
    for pattern, template in _METHOD_REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return tr(template) % {"method": found.group(1)}
    return tr(REASON_TECHNICAL) % {"detail": reason} if reason else reason


# Words of libraries' errors (lower case) → the project's reason. Checked in order:
# gzip, zlib, bz2 and lzma (also ISA-L's gzip), zipfile and libarchive.
_LIBRARY_WORDS: tuple[tuple[str, str], ...] = (
    ("crc", REASON_CHECKSUM),
    ("incorrect length of data produced", REASON_WRONG_SIZE),
    ("end-of-stream marker", REASON_ENDS_SOON),
    ("not a gzipped file", REASON_NOT_COMPRESSED_AFTER),
    ("while decompressing data", REASON_DAMAGED),
    ("invalid data stream", REASON_DAMAGED),
    ("corrupt input data", REASON_DAMAGED),
    ("input format not supported by decoder", REASON_DAMAGED),
    ("truncated", REASON_ENDS_SOON),
    ("premature end", REASON_ENDS_SOON),
    ("unexpected end", REASON_ENDS_SOON),
    ("damaged", REASON_DAMAGED),
    ("corrupt", REASON_DAMAGED),
    ("unrecognized archive format", REASON_FORMAT),
)
_OS_REASONS = {
    errno.ENOENT: REASON_NOT_FOUND,
    errno.EACCES: REASON_PERMISSION,
    errno.EPERM: REASON_PERMISSION,
    errno.EISDIR: REASON_FOLDER,
    errno.EIO: REASON_DISK,
}


def library_reason(exc: BaseException) -> str:
    """The `reason` for a library's error (decompressing, reading an archive, opening a
    file): the project's words when the error is a known one, else its own first line."""
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, RecursionError):
        return REASON_TOO_DEEP
    return text_reason(reason_of(exc))


def text_reason(text: str) -> str:
    """`library_reason` for the text of an error (libarchive's)."""
    if text in REASONS or any(pattern.fullmatch(text) for pattern, _t in _METHOD_REASONS):
        return text
    lower = text.lower()
    return next((reason for words, reason in _LIBRARY_WORDS if words in lower), text)


# Words of the errors of orjson, yajl (ijson's C parser) and ijson's Python parser → what
# the parser found. In order: the more precise first ("unexpected character, expected ':'
# after key").
_JSON_WORDS: tuple[tuple[str, str], ...] = (
    ("expected a string key", REASON_JSON_KEY),
    ("invalid object key", REASON_JSON_KEY),
    ("expected ':'", REASON_JSON_COLON),
    ("separated by a colon", REASON_JSON_COLON),
    ("expected ',' or '}'", REASON_JSON_OBJECT_COMMA),
    ("i expect ',' or '}'", REASON_JSON_OBJECT_COMMA),
    ("expected ',' or ']'", REASON_JSON_ARRAY_COMMA),
    ("i expect ',' or ']'", REASON_JSON_ARRAY_COMMA),
    ("expected a json value", REASON_JSON_VALUE),
    ("trailing comma", REASON_JSON_TRAILING_COMMA),
    ("invalid literal", REASON_JSON_WORD),
    ("invalid string in json text", REASON_JSON_WORD),
    ("escape", REASON_JSON_ESCAPE),
    ("occurs before a character", REASON_JSON_ESCAPE),
    ("after '\\u'", REASON_JSON_ESCAPE),
    ("surrogate", REASON_JSON_ESCAPE),
    ("control character", REASON_JSON_CONTROL),
    ("invalid character inside string", REASON_JSON_CONTROL),
    ("infinity", REASON_JSON_HUGE),
    ("overflow", REASON_JSON_HUGE),
    ("number", REASON_JSON_NUMBER),
    ("digit", REASON_JSON_NUMBER),
    ("comment", REASON_JSON_COMMENT),
    ("content after document", REASON_JSON_AFTER_END),
    ("trailing garbage", REASON_JSON_AFTER_END),
    ("additional data found", REASON_JSON_AFTER_END),
    ("end of data", REASON_JSON_ENDS),
    ("premature eof", REASON_JSON_ENDS),
    ("incomplete json", REASON_JSON_ENDS),
    ("empty", REASON_JSON_ENDS),
    ("unexpected character", REASON_JSON_CHARACTER),
    ("invalid char", REASON_JSON_CHARACTER),
    ("unallowed token", REASON_JSON_CHARACTER),
    ("unexpected symbol", REASON_JSON_CHARACTER),
    ("byte order mark", REASON_JSON_CHARACTER),
)


def json_reason(text: str) -> str:
    """The `reason` of an `invalid_json` problem from a JSON parser's message."""
    lower = text.lower()
    return next((reason for words, reason in _JSON_WORDS if words in lower), text)


LINE = gettext_noop("Line %(line)s")
LINE_PATH = gettext_noop("Line %(line)s, %(path)s")
VALUE = gettext_noop("Object %(number)s")
VALUE_PATH = gettext_noop("Object %(number)s, %(path)s")
LINE_COLUMN = gettext_noop("Line %(line)s, character %(column)s")
NEAR = gettext_noop("Near “%(near)s”")
WHERE_NEAR = gettext_noop("%(where)s, near “%(near)s”")
WHERE = gettext_noop("%(where)s: %(message)s")

_OLD_WHERE = re.compile(r"(line|object) (\d+)(?:\.(.*))?", re.DOTALL)


@dataclass(frozen=True)
class Location:
    """Where in a file: a JSON Lines line or a top-level value, and a JSON path in it;
    where a JSON parser stopped: the character of the line, or the text around it."""

    line: int | None = None
    value: int | None = None  # number of the top-level JSON value (1 for most files)
    path: str = ""  # e.g. "records[0].compiledRelease"
    column: int | None = None  # the character of the line (from 1)
    near: str = ""  # the text where the parser stopped (when there is no line to count)

    def at(self, suffix: str) -> Location:
        """The location of something inside this one (`suffix` like "releases[2]")."""
        if not self.path:
            path = suffix
        elif suffix.startswith("["):
            path = self.path + suffix
        else:
            path = f"{self.path}.{suffix}"
        return Location(self.line, self.value, path, self.column, self.near)

    @classmethod
    def of(cls, where: Location | str | None) -> Location:
        """A Location, also from the older text form ("line 3.releases[2]")."""
        if where is None:
            return cls()
        if isinstance(where, Location):
            return where
        match = _OLD_WHERE.fullmatch(where)
        if not match:
            return cls(path=where)
        kind, number, path = match.groups()
        if kind == "line":
            return cls(line=int(number), path=path or "")
        return cls(value=int(number), path=path or "")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "value": self.value, "path": self.path}
        if self.column is not None:
            data["column"] = self.column
        if self.near:
            data["near"] = self.near
        return data

    def label(self, tr: Callable[[str], str]) -> str:
        where = self._where(tr)
        if not self.near:
            return where
        if where:
            return tr(WHERE_NEAR) % {"where": where, "near": self.near}
        return tr(NEAR) % {"near": self.near}

    def _where(self, tr: Callable[[str], str]) -> str:
        if self.line is not None:
            if self.column is not None:
                return tr(LINE_COLUMN) % {"line": self.line, "column": self.column}
            return tr(LINE_PATH if self.path else LINE) % {"line": self.line, "path": self.path}
        if self.value is not None and self.value > 1:
            return tr(VALUE_PATH if self.path else VALUE) % {
                "number": self.value,
                "path": self.path,
            }
        return self.path  # the first (usually only) value of a file needs no number


@dataclass(frozen=True)
class FileProblem:
    """Why a file cannot be used: picklable and JSON-serialisable (see `as_dict`)."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)
    location: Location = field(default_factory=Location)

    def english(self) -> str:
        return self._compose(lambda text: text)

    def message(self, language: str | None = None) -> str:
        """The message in `language`, or in the active language."""
        if language is None:
            return self._compose(gettext)
        with override(language):
            return self._compose(gettext)

    def _compose(self, tr: Callable[[str], str]) -> str:
        template = MESSAGES.get(self.code)
        # An unknown code (text from an older caller) is shown as it is.
        params = dict(self.params)
        if isinstance(params.get("reason"), str):
            params["reason"] = _reason_in(tr, str(params["reason"]))
        message = tr(template) % params if template else self.code
        where = self.location.label(tr)
        return tr(WHERE) % {"where": where, "message": message} if where else message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "location": self.location.as_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileProblem:
        location = data.get("location") or {}
        return cls(
            code=str(data["code"]),
            params=dict(data.get("params") or {}),
            location=Location(
                location.get("line"),
                location.get("value"),
                location.get("path") or "",
                location.get("column"),
                location.get("near") or "",
            ),
        )

    @classmethod
    def from_exception(cls, exc: BaseException) -> FileProblem:
        """The problem of an OcdsFileError; any other data error is described generically."""
        if isinstance(exc, OcdsFileError):
            return exc.problem
        if isinstance(exc, UnicodeDecodeError):
            return cls("not_utf8")
        if isinstance(exc, RecursionError):
            return cls("unreadable", {"reason": REASON_TOO_DEEP})
        return cls("unreadable", {"reason": type(exc).__name__})


class OcdsFileError(Exception):
    """The file cannot be used. `str(exc)` is the English message; `exc.problem` the data.

    `OcdsFileError("release_without_ocid", Location(line=3, path="releases[2]"))`;
    parameters of the message are keyword arguments (`reason=...`, `field=...`).
    """

    def __init__(
        self, code: str, where: Location | str | None = None, /, **params: str | int
    ) -> None:
        self.problem = FileProblem(code, dict(params), Location.of(where))
        super().__init__(code)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problem,))

    def __str__(self) -> str:
        return self.problem.english()


class ScreeningStopped(Exception):
    """The whole screening cannot go on (not just one file); `problem` says why."""

    def __init__(self, code: str, /, **params: str | int) -> None:
        self.problem = FileProblem(code, dict(params))
        super().__init__(code)

    def __str__(self) -> str:
        return self.problem.english()


def reason_of(exc: BaseException) -> str:
    """The first line of an exception's text (its type's name if it has none), for the
    `reason` of a message."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]


def _rebuild(problem: FileProblem) -> OcdsFileError:
    """The error that carries `problem` (also how it crosses from worker processes)."""
    exc = OcdsFileError(problem.code)
    exc.problem = problem
    return exc


error_of = _rebuild


class FailedReport(Protocol):
    error: str
    error_code: str
    error_params: dict[str, Any]
    error_location: dict[str, Any]


def stored_error(report: FailedReport) -> dict[str, Any]:
    """What to keep of a failed file report (JSON): its English text and its problem."""
    return {
        "error": report.error,
        "code": report.error_code,
        "params": report.error_params,
        "location": report.error_location,
    }


def file_error_message(entry: Mapping[str, Any]) -> str:
    """A stored file error ({"code", "params", "location", "error"}) in the active language.

    Errors stored before codes existed have only their English "error" text.
    """
    if entry.get("code"):
        return FileProblem.from_dict(entry).message()
    return str(entry.get("error") or "")
