import os
import subprocess
import sys
from pathlib import Path

from django.utils import translation

from bhrplan.procurement.ocds.errors import (
    MESSAGES,
    REASON_CHECKSUM,
    REASON_DATA_ENDS,
    FileProblem,
    Location,
    OcdsFileError,
    file_error_message,
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


def test_reasons_the_project_words_are_translated_and_a_library_s_own_words_are_not():
    def spanish(reason: str) -> str:
        return FileProblem("archive_damaged", {"reason": reason}).message("es")

    assert "(los datos del archivo no coinciden con su suma de verificación (CRC-32))" in (
        spanish(REASON_CHECKSUM)
    )
    assert "(los datos xz terminan antes de tiempo)" in spanish(REASON_DATA_ENDS % {"method": "xz"})
    assert "(no es un archivo ZIP)" in spanish("File is not a zip file")
    assert "(Truncated RAR file data)" in spanish("Truncated RAR file data")
    assert "()" in spanish("")  # (not the catalog's header, which gettext gives for "")
    english = FileProblem("archive_damaged", {"reason": REASON_CHECKSUM}).english()
    assert "(the file's data does not match its checksum (CRC-32))" in english


def test_it_describes_other_data_errors():
    assert FileProblem.from_exception(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "x")).code == (
        "not_utf8"
    )
    problem = FileProblem.from_exception(RecursionError())
    assert problem.english().startswith("Part of the data cannot be read (RecursionError).")
    assert problem.message("es").startswith("Una parte de los datos no se puede leer")


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
