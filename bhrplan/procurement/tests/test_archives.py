"""ZIP archives as publishers distribute them: every file inside is read on its own."""

import bz2
import gzip
import io
import json
import lzma
import struct
import tarfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from django.utils import translation

from bhrplan.procurement.ocds import pipeline, sources
from bhrplan.procurement.ocds.errors import file_error_message, stored_error
from bhrplan.procurement.ocds.pipeline import build_items
from bhrplan.procurement.ocds.sources import Source, expand_paths
from bhrplan.procurement.tests.conftest import release

ITEM = {
    "id": "1",
    "description": "Guantes de nitrilo",
    "classification": {"scheme": "UNSPSC", "id": "42132203"},
}


def package(*releases: dict) -> bytes:
    return json.dumps({"version": "1.1", "releases": list(releases)}).encode()


def tender(ocid: str) -> dict:
    return release(ocid, tender={"id": "t", "items": [ITEM]})


def items(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    columns = ", ".join(pipeline.ROW_NAMES)
    return con.execute(f"SELECT {columns} FROM items ORDER BY ALL").fetchall()  # noqa: S608


def screen(*paths: Path, workers: int = 1) -> tuple[pipeline.IngestResult, list[tuple]]:
    con = duckdb.connect()
    result = build_items(list(paths), con, workers=workers)
    return result, items(con)


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_of_the_real_samples_gives_the_same_items_and_reports_as_the_folder(
    ocds_samples, tmp_path
):
    archive = tmp_path / "ocds.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(ocds_samples.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(ocds_samples).as_posix())
    from_folder, folder_items = screen(ocds_samples)
    from_zip, zip_items = screen(archive)
    assert zip_items == folder_items and len(zip_items) == 1077
    assert [f.ok for f in from_zip.files] == [f.ok for f in from_folder.files]
    assert [f.error_code for f in from_zip.files] == [f.error_code for f in from_folder.files]
    assert {f.name for f in from_zip.failed} == {
        "ocds.zip › paraguay/sample/records/283826.json",
        "ocds.zip › paraguay/sample/records/283906.json",
        "ocds.zip › paraguay/sample/records/284437.json",
        "ocds.zip › paraguay/sample/records/284453.json",
        "ocds.zip › paraguay/sample/records/284456.json",
    }
    assert all(f.path == str(archive) for f in from_zip.files)


def test_each_file_in_an_archive_is_used_or_reported_on_its_own(tmp_path):
    nested = write_zip(tmp_path / "inner.zip", {"x.json": package(tender("ocds-x-9"))})
    archive = write_zip(
        tmp_path / "datos.zip",
        {
            "2023/a.json": package(tender("ocds-x-1")),
            "2023/b.jsonl.gz": gzip.compress(json.dumps(tender("ocds-x-2")).encode() + b"\n"),
            "2023/c.json": b'{"releases": [',  # cut short
            "2023/d.csv": b"ocid,id\nocds-x-3,1\n",
            "2023/otro.zip": nested.read_bytes(),
            "2023/": b"",
            "__MACOSX/2023/._a.json": b"\x00\x05\x16\x07",
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
            "LEEME.txt": b"Datos de compras",
        },
    )
    result, rows = screen(archive)
    assert [(f.member, f.ok, f.error_code) for f in result.files] == [
        ("2023/a.json", True, ""),
        ("2023/b.jsonl.gz", True, ""),
        ("2023/c.json", False, "truncated"),
        ("2023/d.csv", False, "invalid_json"),
        ("2023/otro.zip", False, "archive_nested"),
    ]
    assert {row[0] for row in rows} == {"ocds-x-1", "ocds-x-2"}
    nested_report = result.files[4]
    assert nested_report.error == (
        "This is a ZIP archive inside the archive. Extract it and screen the files it holds."
    )
    with translation.override("es"):
        assert "Es un ZIP dentro del ZIP" in file_error_message(stored_error(nested_report))


def test_a_damaged_file_in_an_archive_fails_alone_and_leaves_nothing(tmp_path):
    archive = write_zip(
        tmp_path / "datos.zip",
        {"bueno.json": package(tender("ocds-x-1")), "malo.json": package(tender("ocds-x-2"))},
        method=zipfile.ZIP_STORED,
    )
    data = bytearray(archive.read_bytes())
    at = data.rfind(b"ocds-x-2")  # the stored bytes of the second file: its checksum fails
    data[at + 7 : at + 8] = b"9"
    archive.write_bytes(bytes(data))
    result, rows = screen(archive)
    assert [(f.member, f.error_code) for f in result.files] == [
        ("bueno.json", ""),
        ("malo.json", "archive_damaged"),
    ]
    assert "Bad CRC-32" in result.files[1].error
    assert {row[0] for row in rows} == {"ocds-x-1"}


def test_a_big_json_lines_file_in_an_archive_is_cut_into_chunks_like_one_on_disk(
    tmp_path, monkeypatch
):
    lines = b"".join(
        json.dumps(tender(f"ocds-x-{n % 40}") | {"id": str(n)}).encode() + b"\n" for n in range(400)
    )
    plain = tmp_path / "plain" / "releases.jsonl"
    plain.parent.mkdir()
    plain.write_bytes(lines)
    archive = write_zip(tmp_path / "datos.zip", {"releases.jsonl": lines})
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 4096)
    chunks = []
    real = pipeline._jsonl_chunks
    monkeypatch.setattr(pipeline, "_jsonl_chunks", lambda s: chunks.append(s) or real(s))
    _result, from_disk = screen(plain, workers=2)
    result, from_zip = screen(archive, workers=2)
    assert result.files[0].ok and result.files[0].releases == 400
    assert from_zip == from_disk and len(from_zip) == 40
    assert [s.member for s in chunks] == ["", "releases.jsonl"]


def test_archives_that_cannot_be_read_are_reported_with_what_to_do(tmp_path):
    good = package(tender("ocds-x-1"))
    whole = write_zip(tmp_path / "entero.zip", {"a.json": good})
    (tmp_path / "cortado.zip").write_bytes(whole.read_bytes()[:40])
    write_zip(tmp_path / "vacio.zip", {"docs/": b"", "LEEME.md": b"#"})
    write_zip(tmp_path / "hoja.xlsx", {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
    deflate64 = write_zip(tmp_path / "d64.zip", {"a.json": good})
    data = bytearray(deflate64.read_bytes())
    data[8:10] = struct.pack("<H", 9)  # the method, in the file's header and the directory
    central = data.find(b"PK\x01\x02")
    data[central + 10 : central + 12] = struct.pack("<H", 9)
    deflate64.write_bytes(bytes(data))
    encrypted = write_zip(tmp_path / "clave.zip", {"a.json": good})
    data = bytearray(encrypted.read_bytes())
    data[6] |= 1  # the "encrypted" flag (zipfile cannot write encrypted archives)
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1
    encrypted.write_bytes(bytes(data))
    whole.unlink()
    result, rows = screen(tmp_path)
    assert rows == []
    reports = {f.name: f for f in result.files}
    assert {name: f.error_code for name, f in reports.items()} == {
        "clave.zip › a.json": "archive_encrypted",
        "cortado.zip": "archive_damaged",
        "d64.zip › a.json": "archive_method",
        "hoja.xlsx": "office_document",
        "vacio.zip": "archive_empty",
    }
    assert reports["d64.zip › a.json"].error_params == {"method": "Deflate64"}
    with translation.override("es"):
        assert file_error_message(stored_error(reports["hoja.xlsx"])).startswith(
            "Es una hoja de cálculo o un documento de texto"
        )


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.rar", b"Rar!\x1a\x07\x01\x00" + bytes(40), "RAR"),
        ("a.7z", b"7z\xbc\xaf\x27\x1c" + bytes(40), "7-Zip"),
        ("a.json.zst", b"\x28\xb5\x2f\xfd" + bytes(40), "Zstandard"),
        ("a.tar", None, "tar"),
        ("a.tar.gz", None, "tar"),
    ],
)
def test_compressions_and_archives_that_are_not_read_say_so(tmp_path, name, data, kind):
    path = tmp_path / name
    if data is None:
        body = package(tender("ocds-x-1"))
        member = tarfile.TarInfo("releases.json")
        member.size = len(body)
        gz = name.endswith(".gz")  # GNU's header for one, POSIX's for the other
        form = tarfile.GNU_FORMAT if gz else tarfile.PAX_FORMAT
        with tarfile.open(path, "w:gz" if gz else "w", format=form) as out:
            out.addfile(member, io.BytesIO(body))
    else:
        path.write_bytes(data)
    result, rows = screen(path)
    assert rows == []
    assert (result.files[0].error_code, result.files[0].error_params) == (
        "archive_unsupported",
        {"format": kind},
    )


@pytest.mark.parametrize(
    ("compress", "x"), [(bz2.compress, "bz2"), (lzma.compress, "xz")], ids=["bzip2", "xz"]
)
def test_bzip2_and_xz_files_are_read_like_gzip_on_disk_and_in_archives(tmp_path, compress, x):
    plain = package(tender("ocds-x-1"), tender("ocds-x-2"))
    lines = b"".join(json.dumps(tender(f"ocds-y-{n}")).encode() + b"\n" for n in range(3))
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "a.json").write_bytes(plain)
    (tmp_path / "plain" / "b.jsonl").write_bytes(lines)
    (tmp_path / "packed").mkdir()
    (tmp_path / "packed" / f"a.json.{x}").write_bytes(compress(plain))
    write_zip(tmp_path / "packed" / "b.zip", {f"b.jsonl.{x}": compress(lines)})
    _plain, rows = screen(tmp_path / "plain")
    result, packed_rows = screen(tmp_path / "packed")
    assert packed_rows == rows and len(rows) == 5
    assert [(f.ok, f.releases) for f in result.files] == [(True, 2), (True, 3)]


@pytest.mark.parametrize(
    ("compress", "x"), [(bz2.compress, "bz2"), (lzma.compress, "xz")], ids=["bzip2", "xz"]
)
def test_a_damaged_bzip2_or_xz_file_fails_alone(tmp_path, compress, x):
    good = tmp_path / "good.json"
    good.write_bytes(package(tender("ocds-x-1")))
    bad = tmp_path / f"bad.json.{x}"
    whole = compress(package(*(tender(f"ocds-z-{n}") for n in range(50))))
    bad.write_bytes(whole[: len(whole) // 2])  # cut short, like a broken download
    result, rows = screen(good, bad)
    assert [f.ok for f in result.files] == [True, False]
    assert result.files[1].error_code == "cannot_decompress"
    assert {row[0] for row in rows} == {"ocds-x-1"}


def test_sources_are_listed_in_order_and_survive_the_trip_to_a_worker(tmp_path):
    import pickle

    folder = tmp_path / "datos"
    folder.mkdir()
    write_zip(folder / "b.zip", {"z.json": b"{}", "a/y.json": b"{}", "a/": b""})
    (folder / "a.json").write_bytes(b"{}")
    (folder / "notas.txt").write_bytes(b"-")
    listed = expand_paths([folder])
    assert [(s.path.name, s.member) for s in listed] == [
        ("a.json", ""),
        ("b.zip", "a/y.json"),
        ("b.zip", "z.json"),
    ]
    assert listed[1].size == 2 and listed[1].name == "b.zip › a/y.json"
    assert pickle.loads(pickle.dumps(listed[1])) == listed[1]  # noqa: S301 - our own bytes
    assert Source(folder / "b.zip", "z.json").open().read() == b"{}"


def test_an_archive_of_many_files_is_opened_once_per_process_and_again_when_it_changes(
    tmp_path, monkeypatch
):
    members = {f"r/{n:03d}.json": package(tender(f"ocds-x-{n}")) for n in range(60)}
    archive = write_zip(tmp_path / "datos.zip", members)
    directory_reads = []
    real = zipfile.ZipFile._RealGetContents

    def spy(self):
        directory_reads.append(self.filename)
        return real(self)

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", spy)
    result, rows = screen(archive)
    assert len(rows) == 60 and all(f.ok for f in result.files)
    assert len(directory_reads) <= 2  # listed once, read once (it was once per file)
    assert not sources._ARCHIVES.open  # closed at the end of the screening
    write_zip(archive, {"otro.json": package(tender("ocds-y-1"))})
    _result, rows = screen(archive)
    assert {row[0] for row in rows} == {"ocds-y-1"}  # the new archive, not the kept one
