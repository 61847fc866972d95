import bz2
import errno
import gzip
import io
import lzma
import os
import subprocess
import sys
import zlib
from pathlib import Path

import ijson
import orjson
import pytest
from django.utils import translation

from bhrplan.procurement.ocds.errors import (
    MESSAGES,
    REASON_CHECKSUM,
    REASON_DAMAGED,
    REASON_DATA_ENDS,
    REASON_ENDS_SOON,
    REASON_JSON_AFTER_END,
    REASON_JSON_ARRAY_COMMA,
    REASON_JSON_CHARACTER,
    REASON_JSON_COLON,
    REASON_JSON_COMMENT,
    REASON_JSON_CONTROL,
    REASON_JSON_ENDS,
    REASON_JSON_ESCAPE,
    REASON_JSON_HUGE,
    REASON_JSON_KEY,
    REASON_JSON_NUMBER,
    REASON_JSON_OBJECT_COMMA,
    REASON_JSON_TRAILING_COMMA,
    REASON_JSON_VALUE,
    REASON_JSON_WORD,
    REASON_NOT_COMPRESSED_AFTER,
    REASON_NOT_FOUND,
    REASON_PERMISSION,
    REASONS,
    FileProblem,
    Location,
    OcdsFileError,
    file_error_message,
    json_reason,
    library_reason,
)


def test_it_reads_locations_in_the_older_text_form():
    assert Location.of("line 3.releases[2]") == Location(line=3, path="releases[2]")
    assert Location.of("object 2.records[0].compiledRelease") == Location(
        value=2, path="records[0].compiledRelease"
    )
    assert Location.of("line 7") == Location(line=7)
    assert Location(value=1).at("records[0]").at("releases[1]").path == "records[0].releases[1]"


def test_it_numbers_top_level_values_only_when_there_is_more_than_one():
    problem = FileProblem("release_without_ocid", location=Location(value=1, path="releases[0]"))
    assert problem.english().startswith("releases[0]: The release has no ocid")
    second = FileProblem("release_without_ocid", location=Location(value=2))
    assert second.english().startswith("Object 2: The release has no ocid")
    assert second.message("es").startswith("Objeto 2: La entrega no tiene ocid")


def test_it_renders_every_message_in_both_languages():
    params = {"reason": "x", "field": "tender", "method": "Deflate64", "format": "RAR"}
    params |= {"needed": 12, "free": 3}
    for code, msgid in MESSAGES.items():
        problem = FileProblem(code, {k: v for k, v in params.items() if f"%({k})s" in msgid})
        assert problem.english() == problem.message("en"), code
        assert problem.message("es") != problem.english(), code


def test_it_shows_text_of_older_callers_and_stored_rows_as_it_is():
    assert str(OcdsFileError("line 2: invalid JSON (x)")) == "line 2: invalid JSON (x)"
    with translation.override("es"):
        assert file_error_message({"path": "a.json", "error": "empty file"}) == "empty file"
        stored = {"error": "…", **FileProblem("empty").as_dict()}
        assert file_error_message(stored) == "El archivo está vacío (0 bytes)."


def test_reasons_in_the_project_s_words_are_translated_and_a_library_s_own_are_marked():
    def spanish(reason: str) -> str:
        return FileProblem("archive_damaged", {"reason": reason}).message("es")

    assert "(los datos del archivo no coinciden con su suma de verificación (CRC-32))" in (
        spanish(REASON_CHECKSUM)
    )
    assert "(los datos xz terminan antes de tiempo)" in spanish(REASON_DATA_ENDS % {"method": "xz"})
    assert "(no es un archivo ZIP)" in spanish("File is not a zip file")
    assert "(los datos terminan antes de tiempo)" in spanish(
        library_reason(OSError("Truncated RAR file data"))
    )
    assert "(detalle técnico: Unsupported RAR5 filter)" in spanish("Unsupported RAR5 filter")
    assert "()" in spanish("")  # (not the catalog's header, which gettext gives for "")
    english = FileProblem("archive_damaged", {"reason": REASON_CHECKSUM}).english()
    assert "(the file's data does not match its checksum (CRC-32))" in english


def test_it_describes_other_data_errors():
    assert FileProblem.from_exception(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "x")).code == (
        "not_utf8"
    )
    problem = FileProblem.from_exception(RecursionError())
    assert problem.english().startswith(
        "Part of the data cannot be read (the data is nested too deeply)."
    )
    assert problem.message("es").startswith("Una parte de los datos no se puede leer")


def test_every_reason_in_the_project_s_words_has_its_spanish():
    for reason in REASONS:
        english = FileProblem("archive_damaged", {"reason": reason}).english()
        spanish = FileProblem("archive_damaged", {"reason": reason}).message("es")
        assert f"({reason})" in english
        assert reason not in spanish and "detalle técnico" not in spanish, reason


def _orjson_says(raw: bytes) -> str:
    with pytest.raises(orjson.JSONDecodeError) as caught:
        orjson.loads(raw)
    return caught.value.msg


def _ijson_says(backend: str, raw: bytes) -> str:
    parse = ijson.get_backend(backend).parse
    with pytest.raises((ijson.JSONError, ValueError)) as caught:
        list(parse(io.BytesIO(raw), multiple_values=True, use_float=True))
    said = caught.value.args[0]
    text = said.decode() if isinstance(said, bytes) else str(said)
    return text.strip().splitlines()[0].split("error:", 1)[-1]


# What is wrong → (orjson's reason, yajl's, ijson's Python parser's); None: the parser
# accepts it or says it otherwise.
JSON_MISTAKES = [
    (b'{"a": 1 "b": 2}', REASON_JSON_OBJECT_COMMA, REASON_JSON_OBJECT_COMMA, None),
    (b'{"a" 1}', REASON_JSON_COLON, REASON_JSON_COLON, REASON_JSON_CHARACTER),
    (b"{a: 1}", REASON_JSON_KEY, REASON_JSON_CHARACTER, REASON_JSON_CHARACTER),
    (b"[1 2]", REASON_JSON_ARRAY_COMMA, REASON_JSON_ARRAY_COMMA, None),
    (b'{"a": }', REASON_JSON_VALUE, REASON_JSON_CHARACTER, None),
    (b'{"a": tru}', REASON_JSON_WORD, REASON_JSON_WORD, REASON_JSON_ENDS),
    (b'{"a": "x\\q"}', REASON_JSON_ESCAPE, REASON_JSON_ESCAPE, REASON_JSON_ESCAPE),
    (b'{"a": "x\ty"}', REASON_JSON_CONTROL, REASON_JSON_CONTROL, REASON_JSON_CONTROL),
    (b'{"a": 1.}', REASON_JSON_NUMBER, REASON_JSON_NUMBER, REASON_JSON_NUMBER),
    (b'{"a": 1e999}', REASON_JSON_HUGE, REASON_JSON_HUGE, None),
    (b"[1,]", REASON_JSON_TRAILING_COMMA, REASON_JSON_CHARACTER, None),
    (b'{"a":1} x', REASON_JSON_AFTER_END, REASON_JSON_CHARACTER, REASON_JSON_CHARACTER),
    (b'{"a": ', REASON_JSON_ENDS, REASON_JSON_ENDS, REASON_JSON_ENDS),
    (b"// c\n{}", REASON_JSON_VALUE, REASON_JSON_COMMENT, REASON_JSON_CHARACTER),
]


@pytest.mark.parametrize(("raw", "by_orjson", "by_yajl", "by_python"), JSON_MISTAKES)
def test_it_says_what_a_json_parser_found_in_the_project_s_words(
    raw, by_orjson, by_yajl, by_python
):
    assert json_reason(_orjson_says(raw)) == by_orjson
    assert json_reason(_ijson_says("yajl2_c", raw)) == by_yajl
    if by_python is not None:
        assert json_reason(_ijson_says("python", raw)) == by_python
    assert json_reason("a parser's new words") == "a parser's new words"


def _decompressing(opener, raw: bytes) -> BaseException:
    errors = (OSError, EOFError, zlib.error, lzma.LZMAError)
    with pytest.raises(errors) as caught, opener(io.BytesIO(raw)) as stream:
        stream.read()
    return caught.value


def test_it_says_why_a_file_cannot_be_decompressed_or_opened_in_the_project_s_words(tmp_path):
    data = gzip.compress(b'{"ocid": "ocds-1"}\n' * 1000)
    assert library_reason(_decompressing(gzip.open, data[:-40])) == REASON_ENDS_SOON
    damaged = bytearray(data)
    damaged[-6] ^= 0xFF  # the checksum in the trailer
    assert library_reason(_decompressing(gzip.open, bytes(damaged))) == REASON_CHECKSUM
    assert library_reason(_decompressing(gzip.open, data + b"plain text")) == (
        REASON_NOT_COMPRESSED_AFTER
    )
    assert library_reason(_decompressing(bz2.open, bz2.compress(b"x" * 5000)[:-10])) == (
        REASON_ENDS_SOON
    )
    xz = bytearray(lzma.compress(b"x" * 5000))
    xz[30] ^= 0xFF
    assert library_reason(_decompressing(lzma.open, bytes(xz))) == REASON_DAMAGED
    assert library_reason(_missing(tmp_path / "no.json")) == REASON_NOT_FOUND
    assert library_reason(OSError(errno.EACCES, "Permission denied")) == REASON_PERMISSION
    assert library_reason(ValueError("some new words")) == "some new words"


def _missing(path: Path) -> OSError:
    with pytest.raises(OSError) as caught:
        path.open("rb")
    return caught.value


def test_it_says_where_a_parser_stopped_in_both_languages():
    at_line = FileProblem(
        "invalid_json", {"reason": REASON_JSON_COLON}, Location(line=4, column=12)
    )
    assert at_line.english().startswith(
        "Line 4, character 12: This is not valid JSON (a colon (:) was expected after the "
        "field name)."
    )
    assert at_line.message("es").startswith(
        "Línea 4, carácter 12: El contenido no es JSON válido (se esperaban dos puntos (:) "
        "después del nombre del campo)."
    )
    near = FileProblem("invalid_json", {"reason": REASON_JSON_KEY}, Location(near='{"a":1,}'))
    assert near.english().startswith('Near “{"a":1,}”: This is not valid JSON')
    assert near.message("es").startswith('Cerca de “{"a":1,}”: El contenido no es JSON válido')
    inside = Location(value=2, near="x").at("releases[0]")
    assert inside.label(str) == "Object 2, releases[0], near “x”"
    stored = FileProblem.from_dict(at_line.as_dict())
    assert stored == at_line and stored.location.column == 12
    assert Location(line=3).as_dict() == {"line": 3, "value": None, "path": ""}


def test_it_speaks_english_without_django_settings():
    """Worker processes may not set Django up: errors still import, raise and print."""
    code = (
        "from bhrplan.procurement.ocds.errors import OcdsFileError, Location;"
        "print(OcdsFileError('release_without_ocid', Location(line=3)))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("Line 3: The release has no ocid")
