import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bhrplan.lib.uploads import check_upload, extension_of, sniff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"0" * 20


def package(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in parts:
            body = ODF_TYPES.get(name, "<x/>")
            archive.writestr("mimetype" if name in ODF_TYPES else name, body)
    return out.getvalue()


ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
DOCX = package("[Content_Types].xml", "word/document.xml")
XLSX = package("[Content_Types].xml", "xl/workbook.xml")
PPTX = package("[Content_Types].xml", "ppt/presentation.xml")
ODT = package("odt", "content.xml")
ODS = package("ods", "content.xml")
GZIP = gzip.compress(b'{"releases": []}', mtime=0)  # fixed bytes: stable test ids across workers
BZIP2 = bz2.compress(b'{"releases": []}')
XZ = lzma.compress(b'{"releases": []}')
ZSTD = b"\x28\xb5\x2f\xfd\x00\x38" + bytes([16 << 3 | 1, 0, 0]) + b'{"releases": []}'
RAR = b"Rar!\x1a\x07\x01\x00" + bytes(40)
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40)


def tar(*names: str) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name in names:
            archive.addfile(tarfile.TarInfo(name), io.BytesIO(b""))
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(name: str, content: bytes, types=("pdf", "docx", "odt"), **kwargs):
    kwargs.setdefault("max_bytes", 1000)
    return check_upload(upload(name, content), types=types, accepted="a PDF", **kwargs)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (WEBP, "webp"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (PPTX, "pptx"),
        (ODT, "odt"),
        (ODS, "ods"),
        (GZIP, "gzip"),
        (BZIP2, "bzip2"),
        (XZ, "xz"),
        (ZSTD, "zstd"),
        (RAR, "rar"),
        (SEVEN_ZIP, "7z"),
        (tar("datos.json"), "tar"),
        (gzip.compress(tar("datos.json"), mtime=0), "gzip"),  # a .tar.gz, .tgz
        (b"BZh9 not really bzip2", None),
        (XZ[:12], None),  # cut short
        (b'\xef\xbb\xbf\n  {"version": "1.1"}', "json"),
        (b"[]", "json"),
        (b"PK\x03\x04garbage", None),
        (package("other.txt"), "zip"),  # a plain archive
        (b"PK\x07\x08" + package("other.txt"), "zip"),  # zip -s, all in one part
        (b"PK\x07\x08PK\x03\x04garbage", None),  # the first of several parts
        (package("[Content_Types].xml", "other.xml"), None),  # an OOXML package of no known kind
        (b"\x1f\x8bnot really gzip", None),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_it_sniffs_the_type_from_the_content_alone(content, kind):
    file = upload("whatever.bin", content)
    assert sniff(file) == kind
    assert file.tell() == 0  # left ready to be stored


def test_it_reads_the_extension_from_the_last_part_of_the_name():
    assert extension_of("Informe Final.PDF") == "pdf"
    assert extension_of("datos.json.gz") == "gz"
    assert extension_of("carpeta.v2/informe") == ""
    assert extension_of(".pdf") == ""


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [("acta.pdf", PDF, "pdf"), ("ACTA.DOCX", DOCX, "docx"), ("acta.odt", ODT, "odt")],
)
def test_it_accepts_files_whose_content_matches_their_name(name, content, key):
    kind = check(name, content)
    assert kind.key == key
    assert kind.content_type


def test_it_refuses_a_file_whose_extension_lies_about_its_content():
    for name, content in [("acta.pdf", DOCX), ("acta.docx", ODT), ("acta.odt", PDF)]:
        with pytest.raises(ValidationError) as error:
            check(name, content)
        assert error.value.code == "content"
        assert "does not match its extension" in error.value.messages[0]
        assert name in error.value.messages[0]


def test_a_plain_zip_archive_is_accepted_only_where_asked_and_never_for_a_document():
    archive = package("datos/releases.json")
    assert check("datos.zip", archive, types=("json", "zip")).key == "zip"
    for name, content in [("datos.zip", XLSX), ("datos.zip", b"PK\x03\x04garbage")]:
        with pytest.raises(ValidationError) as error:
            check(name, content, types=("json", "zip"))
        assert error.value.code == "content"
    with pytest.raises(ValidationError) as error:
        check("acta.docx", archive)  # a plain archive renamed as a document
    assert error.value.code == "content"


def test_a_document_whose_mimetype_cannot_be_read_is_refused_not_an_error():
    data = bytearray(ODT)
    data[8:10] = b"\x09\x00"  # Deflate64 for the first part (mimetype), which zipfile cannot read
    central = data.find(b"PK\x01\x02")
    data[central + 10 : central + 12] = b"\x09\x00"
    assert sniff(upload("acta.odt", bytes(data))) is None
    with pytest.raises(ValidationError) as error:
        check("acta.odt", bytes(data))
    assert error.value.code == "content"


def test_it_says_that_a_part_of_a_split_file_must_be_joined_first():
    for name in ("datos.zip.001", "datos.7z.002", "datos.z01", "DATOS.Z02"):
        with pytest.raises(ValidationError) as error:
            check(name, b"PK\x03\x04" + bytes(40), types=("json", "zip"))
        assert error.value.code == "split", name
        assert "split into several files" in error.value.message
    with pytest.raises(ValidationError) as error:
        check("informe.doc", PDF)  # another unknown extension: the usual message
    assert error.value.code == "type"


def test_it_refuses_types_the_caller_does_not_accept():
    for name, content in [("foto.png", PNG), ("programa.exe", b"MZ"), ("informe", PDF)]:
        with pytest.raises(ValidationError) as error:
            check(name, content)
        assert error.value.code == "type"
        assert "Upload a PDF." in error.value.messages[0]


def test_it_refuses_an_empty_file_unless_told_otherwise():
    with pytest.raises(ValidationError) as error:
        check("acta.pdf", b"")
    assert error.value.code == "empty"
    assert "is empty" in error.value.messages[0]
    assert check("datos.json", b"", types=("json",), allow_empty=True).key == "json"


def test_it_refuses_an_oversize_file_before_reading_it():
    with pytest.raises(ValidationError) as error:
        check("acta.pdf", PDF + b"0" * 1000)
    assert error.value.code == "size"
    assert "too large" in error.value.messages[0]
    assert "1000\xa0bytes" in error.value.messages[0]
    assert check("acta.pdf", PDF, max_bytes=len(PDF)).key == "pdf"


def test_it_keys_errors_by_the_form_field_when_asked():
    with pytest.raises(ValidationError) as error:
        check("acta.pdf", DOCX, field="minutes")
    assert list(error.value.message_dict) == ["minutes"]
    assert error.value.error_dict["minutes"][0].code == "content"
