"""Archives as publishers distribute them (ZIP, tar, RAR, 7-Zip): every file inside is
read on its own."""

import bz2
import gzip
import hashlib
import io
import json
import lzma
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import duckdb
import pytest
from django.utils import translation

from bhrplan.procurement.ocds import archives, pipeline, sources
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


def cursor_openings(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Each time this process starts reading a tar, RAR or 7-Zip archive from its start."""
    opened: list[tuple] = []
    real = archives._Cursor.__init__

    def counted(cursor: archives._Cursor, *args: object) -> None:
        opened.append(args)
        real(cursor, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(archives._Cursor, "__init__", counted)
    return opened


def screen(*paths: Path, workers: int = 1) -> tuple[pipeline.IngestResult, list[tuple]]:
    con = duckdb.connect()
    result = build_items(list(paths), con, workers=workers)
    return result, items(con)


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


DEFLATE64_ZIP = Path(__file__).parent / "data" / "deflate64.zip"


def deflate64_sample() -> bytes:
    """What data/deflate64.zip holds (muestra.jsonl: 400 releases, 243 290 bytes), made
    with `7z a -tzip -mm=Deflate64 -mx=9` (p7zip 16.02) from these bytes. Its text repeats
    at distances beyond 32 KB and in runs beyond 258 bytes, which only Deflate64 encodes
    (zlib refuses the data). No Python library writes Deflate64 reliably."""
    lines = []
    for n in range(400):
        text = hashlib.sha256(str(n % 97).encode()).hexdigest() * (1 + n % 5) + "x" * (n % 700)
        item = {"id": "1", "description": text, "classification": ITEM["classification"]}
        value = release(f"ocds-d64-{n}", tender={"id": "t", "items": [item]})
        lines.append(json.dumps(value, separators=(",", ":")).encode() + b"\n")
    return b"".join(lines)


def compress_as(method: int, data: bytes) -> bytes:
    """`data` compressed as a ZIP member with `method` (93 Zstandard, 95 xz; any other:
    left as it is, for methods that are not read, or bytes compressed beforehand)."""
    if method == 93:
        return zstd(data)
    if method == 95:
        return lzma.compress(data, lzma.FORMAT_XZ)
    return data


def write_zip_methods(path: Path, members: dict[str, tuple[int, bytes]], crc: int = -1) -> Path:
    """A ZIP archive whose files are compressed with methods zipfile cannot write: each
    member's compressed bytes are stored, then its method, CRC-32 (or `crc`) and size are
    set in its local header and in the directory."""
    path.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, (method, data) in members.items():
            archive.writestr(name, compress_as(method, data))
    out = bytearray(path.read_bytes())
    directory = struct.unpack_from("<L", out, len(out) - 22 + 16)[0]
    for method, data in (value for value in members.values()):
        fields = (method, crc if crc >= 0 else zlib.crc32(data), len(data))
        local = struct.unpack_from("<L", out, directory + 42)[0]
        struct.pack_into("<H", out, local + 8, fields[0])
        struct.pack_into("<L", out, local + 14, fields[1])
        struct.pack_into("<L", out, local + 22, fields[2])
        struct.pack_into("<H", out, directory + 10, fields[0])
        struct.pack_into("<L", out, directory + 16, fields[1])
        struct.pack_into("<L", out, directory + 24, fields[2])
        lengths = struct.unpack_from("<HHH", out, directory + 28)
        directory += 46 + sum(lengths)
    path.write_bytes(bytes(out))
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
    assert "does not match its checksum (CRC-32)" in result.files[1].error
    assert {row[0] for row in rows} == {"ocds-x-1"}


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "7z"])
def test_a_big_json_lines_file_in_an_archive_is_cut_into_chunks_like_one_on_disk(
    tmp_path, monkeypatch, kind
):
    lines = b"".join(
        json.dumps(tender(f"ocds-x-{n % 40}") | {"id": str(n)}).encode() + b"\n" for n in range(400)
    )
    plain = tmp_path / "plain" / "releases.jsonl"
    plain.parent.mkdir()
    plain.write_bytes(lines)
    members = {"a.json": package(tender("ocds-y-1")), "releases.jsonl": lines}
    archive = write_archive(tmp_path / f"datos.{kind}", members)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 4096)
    chunks = []
    real = pipeline._jsonl_chunks
    monkeypatch.setattr(pipeline, "_jsonl_chunks", lambda s: chunks.append(s) or real(s))
    opened = cursor_openings(monkeypatch)
    _result, from_disk = screen(plain, workers=2)
    result, from_archive = screen(archive, workers=2)
    assert [(f.ok, f.releases) for f in result.files] == [(True, 1), (True, 400)]
    assert from_archive[:40] == from_disk and len(from_archive) == 41
    assert [s.member for s in chunks] == ["", "releases.jsonl"]
    # The main process peeks at the file twice and reads it: the first 16 MB it was
    # given are given again, the archive is not read over.
    assert len(opened) == (0 if kind == "zip" else 1)


def test_archives_that_cannot_be_read_are_reported_with_what_to_do(tmp_path):
    good = package(tender("ocds-x-1"))
    whole = write_zip(tmp_path / "entero.zip", {"a.json": good})
    (tmp_path / "cortado.zip").write_bytes(whole.read_bytes()[:40])
    write_zip(tmp_path / "vacio.zip", {"docs/": b"", "LEEME.md": b"#"})
    write_zip(tmp_path / "hoja.xlsx", {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
    write_zip_methods(tmp_path / "ppmd.zip", {"a.json": (98, good)})
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
        "ppmd.zip › a.json": "archive_method",
        "hoja.xlsx": "office_document",
        "vacio.zip": "archive_empty",
    }
    assert reports["ppmd.zip › a.json"].error_params == {"method": "PPMd"}
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
def test_without_libarchive_its_archives_are_refused_with_what_to_do(
    tmp_path, monkeypatch, name, data, kind
):
    monkeypatch.setattr(archives, "_libarchive", lambda: None)
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


# -- tar, RAR, 7-Zip and Zstandard (archives.py) ---------------------------------------


def write_rar(path: Path, members: dict[str, bytes], encrypted: tuple[str, ...] = ()) -> Path:
    """A RAR 4 archive with its files stored, as WinRAR writes it (no Python library
    writes RAR): marker, archive header, a header per file followed by its bytes, end."""

    def block(kind: int, flags: int, body: bytes, data: bytes = b"") -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head + data

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, bytes(6))
    for name, data in members.items():
        raw = name.encode()
        flags = 0x8000 | (0x04 if name in encrypted else 0)  # long block; password
        # sizes, host (Unix), CRC-32, DOS time, version, method (stored), name, mode
        fields = (len(data), len(data), 3, zlib.crc32(data), 0x5A210000, 29, 0x30, len(raw))
        body = struct.pack("<IIBIIBBHI", *fields, 0o100644) + raw
        out += block(0x74, flags, body, data)
    path.write_bytes(out + block(0x7B, 0x4000, b""))
    return path


def zstd(data: bytes) -> bytes:
    """A Zstandard frame of raw (uncompressed) blocks: the format, without a compressor."""
    out = b"\x28\xb5\x2f\xfd\x00\x38"  # magic; no size, no checksum; a 128 KB window
    pieces = [data[at : at + (1 << 17)] for at in range(0, len(data), 1 << 17)] or [b""]
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        out += (len(piece) << 3 | last).to_bytes(3, "little") + piece
    return out


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    """`members` in a ZIP, tar (plain or compressed), 7-Zip or RAR archive, by `path`'s name."""
    name = path.name
    if name.endswith(".zip"):
        return write_zip(path, members)
    if name.endswith(".rar"):
        return write_rar(path, members)
    if name.endswith((".7z", ".tar.zst")):
        import libarchive

        form, compression = ("7zip", None) if name.endswith(".7z") else ("ustar", "zstd")
        with libarchive.file_writer(str(path), form, compression) as out:
            for member, data in members.items():
                out.add_file_from_memory(member, len(data), data)
        return path
    mode = {".tar": "w", ".gz": "w:gz", ".bz2": "w:bz2", ".xz": "w:xz"}[path.suffix]
    with tarfile.open(path, mode) as out:  # type: ignore[call-overload]
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return path


KINDS = ["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst", "7z", "rar"]


@pytest.mark.parametrize("kind", ["zip", *KINDS])
def test_each_file_in_an_archive_is_used_or_reported_on_its_own_whatever_the_archive(
    tmp_path, kind
):
    nested = write_zip(tmp_path / "inner.zip", {"x.json": package(tender("ocds-x-9"))})
    members = {
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "2023/a.json": package(tender("ocds-x-1")),
        "2023/b.jsonl.gz": gzip.compress(json.dumps(tender("ocds-x-2")).encode() + b"\n"),
        "2023/c.json": b'{"releases": [',  # cut short
        "2023/d.csv": b"ocid,id\nocds-x-3,1\n",
        "2023/e.json.zst": zstd(package(tender("ocds-x-4"), tender("ocds-x-5"))),
        "2023/otro.tar": write_archive(tmp_path / "t.tar", {"y.json": b"{}"}).read_bytes(),
        "2023/otro.zip": nested.read_bytes(),
        "LEEME.txt": b"Datos de compras",
        "__MACOSX/2023/._a.json": b"\x00\x05\x16\x07",
    }
    from_zip, zip_rows = screen(write_zip(tmp_path / "zip" / "datos.zip", members))
    if kind == "zip":
        members["2023/"] = b""  # a folder's entry
    archive = write_archive(tmp_path / f"datos.{kind}", members)
    result, rows = screen(archive)
    assert [(f.member, f.ok, f.error_code) for f in result.files] == [
        ("2023/a.json", True, ""),
        ("2023/b.jsonl.gz", True, ""),
        ("2023/c.json", False, "truncated"),
        ("2023/d.csv", False, "invalid_json"),
        ("2023/e.json.zst", True, ""),
        ("2023/otro.tar", False, "archive_nested"),
        ("2023/otro.zip", False, "archive_nested"),
    ]
    assert [(f.member, f.error_code) for f in from_zip.files] == [
        (f.member, f.error_code) for f in result.files
    ]
    assert rows == zip_rows
    assert {row[0] for row in rows} == {"ocds-x-1", "ocds-x-2", "ocds-x-4", "ocds-x-5"}
    assert result.files[0].name == f"datos.{kind} › 2023/a.json"
    assert not archives.CURSORS.open  # closed at the end of the screening
    assert result.files[5].error == (
        "This is an archive inside the archive. Extract it and screen the files it holds."
    )
    with translation.override("es"):
        message = file_error_message(stored_error(result.files[5]))
    assert message.startswith("Es un archivo comprimido dentro del archivo comprimido.")


@pytest.mark.parametrize("kind", ["tar.gz", "7z"])
def test_the_real_samples_in_a_tar_gz_or_a_7zip_give_what_the_folder_gives(
    ocds_samples, tmp_path, kind
):
    members = {
        path.relative_to(ocds_samples).as_posix(): path.read_bytes()
        for path in sorted(ocds_samples.rglob("*"))
        if path.is_file()
    }
    from_folder, folder_rows = screen(ocds_samples)
    result, rows = screen(write_archive(tmp_path / f"ocds.{kind}", members), workers=2)
    assert rows == folder_rows and len(rows) == 1077
    assert {f.member: (f.ok, f.error_code) for f in result.files} == {
        Path(f.path).relative_to(ocds_samples).as_posix(): (f.ok, f.error_code)
        for f in from_folder.files
    }


def test_a_rar5_archive_as_winrar_writes_it_is_listed_and_read():
    # From libarchive's own tests (libarchive/test/test_read_format_rar5_unicode.rar,
    # BSD-2-Clause): RAR 5, compressed, a file, a hard link, a symbolic link and a
    # folder, all named in Unicode beyond the Basic Multilingual Plane.
    path = Path(__file__).parent / "data" / "rar5-unicode.rar"
    found = archives.members(path)
    assert [(m.position, m.name, m.size, m.encrypted) for m in found] == [
        (0, "\U0001d4bb\U0001d4be\U0001d4c1\U0001d452.txt", 33, False)
    ]
    with Source(path, found[0].name, found[0].size, position=0).open() as stream:
        assert stream.read() == "This is from 𝒻𝒾𝓁𝑒.txt".encode()


def test_a_file_protected_by_a_password_in_a_rar_is_reported_and_the_others_read(tmp_path):
    archive = write_rar(
        tmp_path / "clave.rar",
        {f"{n}.json": package(tender(f"ocds-x-{n}")) for n in range(3)},
        encrypted=("1.json",),
    )
    result, rows = screen(archive)
    assert [(f.member, f.error_code) for f in result.files] == [
        ("0.json", ""),
        ("1.json", "archive_encrypted"),
        ("2.json", ""),
    ]
    assert {row[0] for row in rows} == {"ocds-x-0", "ocds-x-2"}
    with translation.override("es"):
        message = file_error_message(stored_error(result.files[1]))
    assert message.startswith("El archivo comprimido, o este archivo dentro de él")


def test_damaged_tar_and_7zip_archives_fail_alone_and_leave_nothing(tmp_path):
    members = {
        f"{n}.json": package(*(tender(f"ocds-z-{n}-{m}") for m in range(200))) for n in range(2)
    }
    whole = write_archive(tmp_path / "w.tar.gz", members).read_bytes()
    (tmp_path / "cortado.tar.gz").write_bytes(whole[: len(whole) // 2])
    seven = bytearray(write_archive(tmp_path / "w.7z", members).read_bytes())
    seven[len(seven) // 3] ^= 0xFF  # inside the compressed files: the directory still reads
    (tmp_path / "w.tar.gz").unlink()
    (tmp_path / "w.7z").unlink()
    (tmp_path / "malo.7z").write_bytes(bytes(seven))
    (tmp_path / "corto.7z").write_bytes(bytes(seven[:100]))  # its directory is at its end
    (tmp_path / "basura.rar").write_bytes(b"Rar!\x1a\x07\x01\x00" + b"basura" * 20)
    (tmp_path / "bueno.json").write_bytes(package(tender("ocds-x-1")))
    result, rows = screen(tmp_path)
    assert [(f.name, f.error_code) for f in result.files] == [
        ("basura.rar", "archive_damaged"),
        ("bueno.json", ""),
        ("cortado.tar.gz", "archive_damaged"),
        ("corto.7z", "archive_damaged"),
        ("malo.7z › 0.json", "archive_damaged"),
        ("malo.7z › 1.json", "archive_damaged"),
    ]
    assert {row[0] for row in rows} == {"ocds-x-1"}
    for report in result.files[0], *result.files[2:]:
        assert report.error.startswith("The archive cannot be read ("), report.error
        assert "errno" not in report.error and "(None)" not in report.error, report.error


def test_a_tar_of_notes_and_links_holds_no_data_files(tmp_path):
    path = tmp_path / "notas.tar.gz"
    with tarfile.open(path, "w:gz") as out:
        for name, kind in (("LEEME.txt", tarfile.REGTYPE), ("datos", tarfile.DIRTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            out.addfile(info, io.BytesIO(b""))
        link = tarfile.TarInfo("datos/a.json")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        out.addfile(link)
    result, rows = screen(path)
    assert rows == [] and [(f.name, f.error_code) for f in result.files] == [
        ("notas.tar.gz", "archive_empty")
    ]
    assert result.files[0].error == (
        "The archive holds no data files (only folders, hidden files or notes)."
    )


def test_zstandard_files_are_read_on_disk_and_in_a_zip_and_a_damaged_one_fails_alone(tmp_path):
    plain = package(tender("ocds-x-1"), tender("ocds-x-2"))
    lines = b"".join(json.dumps(tender(f"ocds-y-{n}")).encode() + b"\n" for n in range(3))
    (tmp_path / "a.json.zst").write_bytes(zstd(plain))
    write_zip(tmp_path / "b.zip", {"b.jsonl.zst": zstd(lines)})
    (tmp_path / "c.json.zst").write_bytes(zstd(plain)[:-40])  # cut short
    result, rows = screen(tmp_path)
    assert [(f.name, f.releases, f.error_code) for f in result.files] == [
        ("a.json.zst", 2, ""),
        ("b.zip › b.jsonl.zst", 3, ""),
        ("c.json.zst", 0, "cannot_decompress"),
    ]
    assert {row[0] for row in rows} == {"ocds-x-1", "ocds-x-2", "ocds-y-0", "ocds-y-1", "ocds-y-2"}


def test_zip_files_compressed_with_deflate64_zstandard_or_xz_give_what_deflate_gives(tmp_path):
    # Windows Explorer writes Deflate64 for big files; 7-Zip and WinZip offer the others.
    sample = deflate64_sample()
    assert zipfile.ZipFile(DEFLATE64_ZIP).getinfo("muestra.jsonl").compress_type == 9
    lines = b"".join(
        json.dumps(tender(f"ocds-l-{n}") | {"description": "x" * (n % 700)}).encode() + b"\n"
        for n in range(900)
    )  # about 400 KB: many blocks of compressed and of decompressed bytes
    members = {"a.json": package(tender("ocds-x-1")), "b.jsonl": lines}
    reference, expected = screen(write_zip(tmp_path / "deflate" / "datos.zip", members))
    assert len(expected) == 901
    for method in (93, 95):
        archive = write_zip_methods(
            tmp_path / str(method) / "datos.zip",
            {name: (method, data) for name, data in members.items()},
        )
        result, rows = screen(archive)
        assert [f.error for f in result.files] == ["", ""], method
        assert rows == expected, method
        assert [f.releases for f in result.files] == [f.releases for f in reference.files]
    _result, expected = screen(write_zip(tmp_path / "d" / "muestra.zip", {"muestra.jsonl": sample}))
    result, rows = screen(DEFLATE64_ZIP)
    assert [(f.name, f.error, f.releases) for f in result.files] == [
        ("deflate64.zip › muestra.jsonl", "", 400)
    ]
    assert rows == expected and len(rows) == 400


def test_damaged_deflate64_zstandard_and_xz_files_in_a_zip_fail_alone(tmp_path):
    good = package(tender("ocds-x-1"))
    data = package(*(tender(f"ocds-y-{n}") for n in range(40)))
    original = DEFLATE64_ZIP.read_bytes()
    start = original.find(b"muestra.jsonl") + len(b"muestra.jsonl")
    (tmp_path / "corto.zip").write_bytes(original[: start + 3000])  # the bytes end too soon
    damaged = bytearray(original)
    damaged[start + 10] ^= 0x5A  # in the first block's code tables: the decoder stops
    (tmp_path / "9.zip").write_bytes(bytes(damaged))
    checksum = bytearray(original)  # the data is whole, the CRC-32 declared is another
    for header, at in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        checksum[checksum.find(header) + at] ^= 0x01
    (tmp_path / "suma.zip").write_bytes(bytes(checksum))
    for method in (93, 95):
        archive = write_zip_methods(tmp_path / f"{method}.zip", {"a.json": (method, data)})
        raw = bytearray(archive.read_bytes())
        raw[raw.find(b"a.json") + 6 + len(raw) // 8] ^= 0x5A  # inside the compressed bytes
        archive.write_bytes(bytes(raw))
    write_zip(tmp_path / "bueno.zip", {"a.json": good})
    result, rows = screen(tmp_path)
    assert [(f.name, f.error_code) for f in result.files] == [
        ("9.zip › muestra.jsonl", "archive_damaged"),
        ("93.zip › a.json", "archive_damaged"),
        ("95.zip › a.json", "archive_damaged"),
        ("bueno.zip › a.json", ""),
        ("corto.zip", "archive_damaged"),  # (its directory is cut off too)
        ("suma.zip › muestra.jsonl", "archive_damaged"),
    ]
    assert {row[0] for row in rows} == {"ocds-x-1"}
    reasons = {f.name: f.error_params["reason"] for f in result.failed}
    assert reasons["suma.zip › muestra.jsonl"] == (
        "the file's data does not match its checksum (CRC-32)"
    )
    with translation.override("es"):  # the reasons the project words are translated too
        assert file_error_message(stored_error(result.failed[0])).startswith(
            "El archivo comprimido no se puede leer (los datos Deflate64 están dañados)."
        )
        assert "(los datos del archivo no coinciden con su suma de verificación (CRC-32))" in (
            file_error_message(stored_error(result.failed[-1]))
        )


def test_a_deflate64_file_that_ends_too_soon_is_damaged(tmp_path):
    original = bytearray(DEFLATE64_ZIP.read_bytes())
    info = zipfile.ZipFile(DEFLATE64_ZIP).getinfo("muestra.jsonl")
    source = Source(tmp_path / "d.zip", "muestra.jsonl", info.file_size)
    # The directory declares fewer compressed bytes than the data needs.
    for header, at in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        struct.pack_into("<L", original, original.find(header) + at, info.compress_size - 500)
    source.path.write_bytes(bytes(original))
    with source.open() as stream, pytest.raises(zipfile.BadZipFile, match="ends too soon"):
        stream.read()


def test_the_parts_of_a_split_archive_are_reported_with_what_to_do(tmp_path):
    data = package(*(tender(f"ocds-p-{n}") for n in range(300)))
    whole = write_zip(tmp_path / "entero.zip", {"a.json": data}, zipfile.ZIP_STORED).read_bytes()
    half = len(whole) // 2
    # 7-Zip's volumes (and most splitters'): the bytes cut in pieces, numbered
    (tmp_path / "datos.zip.001").write_bytes(whole[:half])
    (tmp_path / "datos.zip.002").write_bytes(whole[half:])  # its end reads as a directory
    (tmp_path / "solo.7z.001").write_bytes(
        write_archive(tmp_path / "x.7z", {"a.json": data}).read_bytes()[:300]
    )  # the first part, without the others
    (tmp_path / "entero.zip.001").write_bytes(whole)  # a .001 alone can be whole: read
    # zip -s: datos.z01, …, then datos.zip, whose directory says it is on another disk
    (tmp_path / "cortado.z01").write_bytes(b"PK\x07\x08" + whole[:half])
    last = bytearray(whole)
    struct.pack_into("<HH", last, last.rfind(b"PK\x05\x06") + 4, 1, 1)
    (tmp_path / "cortado.zip").write_bytes(bytes(last))
    (tmp_path / "uno.zip").write_bytes(b"PK\x07\x08" + whole)  # zip -s, all in one part
    # WinRAR's volumes (datos.part1.rar …): the volume flag of the archive's header
    rar = bytearray(write_rar(tmp_path / "v.part1.rar", {"a.json": data}).read_bytes())
    rar[10] |= 0x01
    (tmp_path / "v.part1.rar").write_bytes(bytes(rar))
    for name in ("entero.zip", "x.7z"):
        (tmp_path / name).unlink()
    result, rows = screen(tmp_path)
    assert [(f.name, f.error_code) for f in result.files] == [
        ("cortado.z01", "archive_split"),
        ("cortado.zip", "archive_split"),
        ("datos.zip.001", "archive_split"),
        ("datos.zip.002", "archive_split"),
        ("entero.zip.001 › a.json", ""),
        ("solo.7z.001", "archive_split"),
        ("uno.zip › a.json", ""),
        ("v.part1.rar", "archive_split"),
    ]
    assert len(rows) == 300  # (the same 300 releases in both: one item each)
    with translation.override("es"):
        assert file_error_message(stored_error(result.failed[0])).startswith(
            "Es una parte de un archivo comprimido (o de un archivo) dividido en varios"
        )


def test_rar_volumes_are_told_by_their_header():
    def rar5(archive_flags: int, header_flags: int = 0, extra: bytes = b"") -> bytes:
        # signature, CRC-32 of the header, its size, type 1 (main), flags, archive flags
        return (
            b"Rar!\x1a\x07\x01\x00"
            + bytes(4)
            + bytes([6, 1, header_flags])
            + extra
            + (
                bytes([archive_flags | 0x80, 0x00])
                if archive_flags > 0x7F
                else bytes([archive_flags])
            )
        )

    assert archives.is_volume(rar5(0x01))
    assert archives.is_volume(rar5(0x03, header_flags=0x01, extra=bytes([0x81, 0x01])))
    assert not archives.is_volume(rar5(0x00))
    assert not archives.is_volume(rar5(0x04))  # solid, not a volume
    assert not archives.is_volume(b"Rar!\x1a\x07\x01\x00\x00")  # cut short: not told
    assert not archives.is_volume(
        (Path(__file__).parent / "data" / "rar5-unicode.rar").read_bytes()
    )
    assert archives.is_volume(b"Rar!\x1a\x07\x00" + b"\x00\x00\x73\x01\x00")  # RAR 4
    assert not archives.is_volume(b"Rar!\x1a\x07\x00" + b"\x00\x00\x73\x00\x00")


def test_an_archive_read_from_end_to_end_is_read_once_per_process_and_again_when_it_changes(
    tmp_path, monkeypatch
):
    members = {f"r/{n:03d}.json": package(tender(f"ocds-x-{n}")) for n in range(60)}
    archive = write_archive(tmp_path / "datos.tar.gz", members)
    opened = cursor_openings(monkeypatch)
    result, rows = screen(archive)
    assert len(rows) == 60 and all(f.ok for f in result.files)
    assert len(opened) == 1  # the 60 files in one pass (listing them is another)
    write_archive(archive, {"otro.json": package(tender("ocds-y-1"))})
    _result, rows = screen(archive)
    assert {row[0] for row in rows} == {"ocds-y-1"}  # the new archive, not the kept one
    stream = Source(archive, "otro.json", position=0).open()
    assert Source(archive, "otro.json", position=0).open().read(1) == b"{"  # again: replayed
    with pytest.raises(OSError, match="opened again"):
        stream.read()


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
