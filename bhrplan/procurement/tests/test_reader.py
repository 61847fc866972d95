import codecs
import gzip
import json
import pickle

import pytest
from django.utils import translation

from bhrplan.procurement.ocds.reader import Location, OcdsFileError, read_file
from bhrplan.procurement.tests.conftest import release


def entries(path):
    it, stats = read_file(path)
    return list(it), stats


def test_it_reads_a_release_package(write_json):
    path = write_json("p.json", {"version": "1.1", "releases": [release(), release(rid="2")]})
    got, stats = entries(path)
    assert [e.kind for e in got] == ["release", "release"]
    assert stats.releases == 2 and stats.upgraded == 0


def test_it_reads_a_record_package_with_and_without_compiled_release(write_json):
    compiled = release(rid="c", tag=["compiled"])
    path = write_json(
        "r.json",
        {
            "version": "1.1",
            "records": [
                {"ocid": "ocds-abc-1", "releases": [release()], "compiledRelease": compiled},
                {"ocid": "ocds-abc-2", "releases": [release(ocid="ocds-abc-2")]},
                {"ocid": "ocds-abc-3", "releases": [{"url": "https://x/r.json", "date": "x"}]},
            ],
        },
    )
    got, stats = entries(path)
    assert [(e.kind, e.ocid) for e in got] == [
        ("release", "ocds-abc-1"),
        ("compiled", "ocds-abc-1"),
        ("release", "ocds-abc-2"),
    ]
    assert stats.records == 3 and stats.linked_releases == 1


def test_it_reads_a_single_release_pretty_printed(write_json, tmp_path):
    path = tmp_path / "single.json"
    path.write_text(json.dumps(release(), indent=2))
    got, _stats = entries(path)
    assert [e.ocid for e in got] == ["ocds-abc-1"]


def test_it_reads_json_lines_and_concatenated_json(write_json):
    lines = b"\n".join(json.dumps(release(rid=str(n))).encode() for n in range(3))
    got, _ = entries(write_json("l.jsonl", None, raw=lines + b"\n\n"))
    assert len(got) == 3
    concatenated = json.dumps(release(), indent=1) + json.dumps(
        {"releases": [release(rid="2")]}, indent=1
    )
    got, _ = entries(write_json("c.json", None, raw=concatenated.encode()))
    assert [e.data["id"] for e in got] == ["1", "2"]


def test_it_reads_gzip(tmp_path):
    path = tmp_path / "p.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        for n in range(5):
            fh.write(json.dumps(release(rid=str(n))).encode() + b"\n")
    got, _ = entries(path)
    assert len(got) == 5


def test_it_upgrades_ocds_1_0_releases_to_1_1(write_json):
    old = release(buyer={"name": "Ministerio", "identifier": {"scheme": "RUC", "id": "1"}})
    got, stats = entries(write_json("old.json", {"version": "1.0", "releases": [old]}))
    assert stats.upgraded == 1
    assert got[0].data["parties"][0]["name"] == "Ministerio"
    assert "buyer" in got[0].data["parties"][0]["roles"]


def test_it_upgrades_ocds_1_0_organisations_in_the_shapes_found_in_the_wild(write_json):
    # ocdskit's upgrade failed on each of these (the whole file was skipped).
    old = release(
        buyer={"name": "Ministerio", "identifier": [{"scheme": "RUC", "id": "1"}]},
        tender={
            "id": "t",
            "tenderers": ["Textiles SA", None, {"name": "Otra SA", "address": "Asunción"}],
        },
        awards=[
            {
                "id": "a1",
                "suppliers": {"name": "Textiles SA", "identifier": "80012345-6"},
                "items": [{"id": "1", "description": "Uniformes"}],
            },
            {"id": "a2", "suppliers": [{"name": "Nadie", "contactPoint": "Juan"}]},
        ],
    )
    got, stats = entries(write_json("old.json", {"version": "1.0", "releases": [old]}))
    assert stats.upgraded == 1
    parties = {(p["name"], tuple(p["roles"])): p for p in got[0].data["parties"]}
    assert sorted(parties) == [
        ("Ministerio", ("buyer",)),
        ("Nadie", ("supplier",)),
        ("Otra SA", ("tenderer",)),
        ("Textiles SA", ("supplier",)),
        ("Textiles SA", ("tenderer",)),  # without the identifier: another party id
    ]
    parties = {name: p for (name, _roles), p in parties.items()}
    assert parties["Ministerio"]["identifier"] == {"scheme": "RUC", "id": "1"}
    assert parties["Textiles SA"]["identifier"] == {"id": "80012345-6"}
    assert parties["Otra SA"]["address"] == {"streetAddress": "Asunción"}
    assert "contactPoint" not in parties["Nadie"]
    assert got[0].data["awards"][0]["suppliers"] == [
        {"id": parties["Textiles SA"]["id"], "name": "Textiles SA"}
    ]


def test_a_package_on_one_line_with_releases_and_records_gives_both(write_json):
    record = {"ocid": "ocds-x-2", "compiledRelease": release(ocid="ocds-x-2")}
    package = {"records": [record], "releases": [release(ocid="ocds-x-1")]}
    one_line = write_json("one.json", package)
    pretty = write_json("pretty.json", None, raw=json.dumps(package, indent=2).encode())
    for path in (one_line, pretty):
        got, _stats = entries(path)
        assert sorted((e.kind, e.ocid) for e in got) == [
            ("compiled", "ocds-x-2"),
            ("release", "ocds-x-1"),
        ]


def test_it_refuses_a_versioned_release_instead_of_reading_nonsense(write_json):
    versioned = {
        "ocid": "ocds-213czf-1",
        "initiationType": [{"releaseDate": "2020", "releaseID": "1", "value": "tender"}],
        "tender": {"title": [{"releaseDate": "2020", "releaseID": "1", "value": "Uniformes"}]},
    }
    with pytest.raises(OcdsFileError) as caught:
        entries(write_json("versioned.json", versioned))
    assert caught.value.problem.code == "versioned_release"


# (file content, code, English message, Spanish message): what a coordinator reads about
# each kind of bad file, in both languages.
BAD_FILES = [
    (  # pretty files saved with a byte order mark, then joined
        b"".join(codecs.BOM_UTF8 + json.dumps({"releases": []}, indent=1).encode() for _ in "ab"),
        "invalid_json",
        'Near “{ "releases": [] } { "releases": [] }”: This is not valid JSON (a byte order',
        'Cerca de “{ "releases": [] } { "releases": [] }”: El contenido no es JSON válido (una',
    ),
    (
        b'{"ocid": 12345, "id": "1"}\n',
        "ocid_not_text",
        "Line 1: The ocid (the identifier of the contracting process) must be text in double",
        "Línea 1: El ocid (el identificador del proceso de contratación) debe ser un texto",
    ),
    (
        b'{"records": [{"ocid": ["ocds-1"], "releases": []}]}',
        "ocid_not_text",
        "Line 1, records[0]: The ocid (the identifier of the contracting process) must be",
        "Línea 1, records[0]: El ocid (el identificador del proceso de contratación) debe",
    ),
    (b"", "empty", "The file is empty (0 bytes).", "El archivo está vacío (0 bytes)."),
    (  # a pretty file with a trailing comma (yajl says a key was expected)
        b'{\n  "releases": [\n    {"ocid": "ocds-1", "id": "1",}\n  ]\n}\n',
        "invalid_json",
        'Near “{"ocid": "ocds-1", "id": "1",} ] }”: This is not valid JSON (a comma before a '
        "closing bracket or brace).",
        'Cerca de “{"ocid": "ocds-1", "id": "1",} ] }”: El contenido no es JSON válido (una '
        "coma antes de un corchete o una llave de cierre).",
    ),
    (  # compressed twice (once "not valid JSON")
        gzip.compress(gzip.compress(b'{"releases": []}', mtime=0), mtime=0),
        "compressed_twice",
        "The file is compressed twice",
        "El archivo está comprimido dos veces",
    ),
    (
        b'{"releases": [{"ocid": "x", "id": "1", "value": NaN}]}',
        "invalid_json",
        'Near “d": "x", "id": "1", "value": NaN}]}”: This is not valid JSON (a character',
        'Cerca de “d": "x", "id": "1", "value": NaN}]}”: El contenido no es JSON válido',
    ),
    (
        b"   \n\n",
        "blank",
        "The file holds only blank lines or spaces, no data.",
        "El archivo solo contiene líneas o espacios en blanco, ningún dato.",
    ),
    (
        b'{"releases": [{"ocid": "ocds-1", "id": "1"',
        "truncated",
        "The file ends before the JSON is complete (truncated download?).",
        "El archivo termina antes de que el JSON esté completo (¿descarga interrumpida?).",
    ),
    (
        b'{"releases": [{"ocid": "ocds-1", "id": "1"}} ]',
        "invalid_json",
        'Near “{"ocid": "ocds-1", "id": "1"}} ]”: This is not valid JSON (a comma (,) or a '
        "closing bracket (]) was expected).",
        'Cerca de “{"ocid": "ocds-1", "id": "1"}} ]”: El contenido no es JSON válido (se '
        "esperaba una coma (,) o un corchete de cierre (]))",
    ),
    (
        b'{"releases": [{"id": "1", "date": "2020"}]}',
        "release_without_ocid",
        "Line 1, releases[0]: The release has no ocid (the identifier of the contracting "
        "process), so it cannot be used.",
        "Línea 1, releases[0]: La entrega no tiene ocid (el identificador del proceso de "
        "contratación), por lo que no se puede usar.",
    ),
    (
        json.dumps({"records": [{"ocid": "ocds-1"}, {"releases": []}]}, indent=2).encode(),
        "record_without_ocid",
        "records[1]: The record has no ocid",
        "records[1]: El registro no tiene ocid",
    ),
    (
        b'{"releases": [{"ocid": "ocds-1", "tender": []}]}',
        "field_not_object",
        "Line 1, releases[0]: The field “tender” must be a JSON object {…}.",
        "Línea 1, releases[0]: El campo “tender” debe ser un objeto JSON {…}.",
    ),
    (
        # Norway's TED conversion: a list of buyers (once told as a failed 1.0 upgrade)
        b'{"releases": [{"ocid": "ocds-1", "buyer": [{"id": "ORG-0001"}]}]}',
        "field_not_object",
        "Line 1, releases[0]: The field “buyer” must be a JSON object {…}.",
        "Línea 1, releases[0]: El campo “buyer” debe ser un objeto JSON {…}.",
    ),
    (
        b'{"version": "1.1", "releases": [{"ocid": "o", "tender": {"procuringEntity": "x"}}]}',
        "field_not_object",
        "Line 1, releases[0]: The field “tender.procuringEntity” must be a JSON object",
        "Línea 1, releases[0]: El campo “tender.procuringEntity” debe ser un objeto JSON",
    ),
    (
        b'{"releases": [{"ocid": "ocds-1", "awards": {"id": 1}}]}',
        "field_not_list_of_objects",
        "Line 1, releases[0]: The field “awards” must be a list of JSON objects [{…}, …].",
        "Línea 1, releases[0]: El campo “awards” debe ser una lista de objetos JSON [{…}, …].",
    ),
    (
        b'{"releases": [{"ocid": "ocds-1", "awards": [{"items": "x"}]}]}',
        "field_not_list_of_objects",
        "Line 1, releases[0]: The field “awards[0].items” must be a list",
        "Línea 1, releases[0]: El campo “awards[0].items” debe ser una lista",
    ),
    (
        b'{"ocid": "o", "date": 2020}',
        "date_not_text",
        "Line 1: The release date must be text, such as “2020-01-31T00:00:00Z”.",
        "Línea 1: La fecha de la entrega debe ser texto, como “2020-01-31T00:00:00Z”.",
    ),
    (
        b'{"records": [{"ocid": "o", "compiledRelease": {"date": 5}}]}',
        "date_not_text",
        "Line 1, records[0].compiledRelease: The release date",
        "Línea 1, records[0].compiledRelease: La fecha de la entrega",
    ),
    (
        b'{"releases": {"ocid": "ocds-1"}}',
        "field_not_list",
        "Line 1: The field “releases” must be a list […].",
        "Línea 1: El campo “releases” debe ser una lista […].",
    ),
    (
        b'"ocds-1"',
        "top_level_not_object",
        "The file must hold JSON objects {…}",
        "El archivo debe contener objetos JSON {…}",
    ),
    (
        b"[1, 2]",
        "not_object",
        "[0]: Expected a JSON object {…}",
        "[0]: Se esperaba un objeto JSON {…}",
    ),
    (
        b'{"ocid": "o", "id": "1"}\n[1]\n',
        "not_object",
        "Line 2: Expected a JSON object {…}",
        "Línea 2: Se esperaba un objeto JSON {…}",
    ),
    (
        b'{"releases": [{"ocid": "ocds-\xff\xfe", "id": "1"}]}\n',
        "not_utf8",
        "The text is not encoded as UTF-8 (it may be Latin-1, Windows-1252 or UTF-16). "
        "Save the file as UTF-8 and try again.",
        "El texto no está codificado en UTF-8 (puede estar en Latin-1, Windows-1252 o "
        "UTF-16). Guarde el archivo como UTF-8 e inténtelo de nuevo.",
    ),
    (
        '{"ocid": "o", "id": "1"}'.encode("utf-16"),
        "not_utf8",
        "The text is not encoded as UTF-8",
        "El texto no está codificado en UTF-8",
    ),
    (  # UTF-16 without a byte order mark (once "not valid JSON")
        '{"releases": []}\n'.encode("utf-16-le"),
        "not_utf8",
        "The text is not encoded as UTF-8",
        "El texto no está codificado en UTF-8",
    ),
    (
        b'{"ocid": "ocds-1", "id": "1"}\n{"ocid": "Adquisici\xf3n"}\n',
        "not_utf8",
        "Line 2: The text is not encoded as UTF-8",
        "Línea 2: El texto no está codificado en UTF-8",
    ),
    (
        b'{"ocid": "ocds-1", "id": "1"}\n{"ocid": \n',
        "invalid_json",
        "Line 2, character 9: This is not valid JSON (the text ends before the JSON value is "
        "complete).",
        "Línea 2, carácter 9: El contenido no es JSON válido (el texto termina antes de que "
        "el valor JSON esté completo).",
    ),
    (
        (
            json.dumps(release(), indent=1) + json.dumps({"releases": [{"id": "2"}]}, indent=1)
        ).encode(),
        "release_without_ocid",
        "Object 2, releases[0]: The release has no ocid",
        "Objeto 2, releases[0]: La entrega no tiene ocid",
    ),
]


@pytest.mark.parametrize(("raw", "code", "english", "spanish"), BAD_FILES)
def test_it_reports_bad_files_in_english_and_spanish(write_json, raw, code, english, spanish):
    path = write_json("bad.json", None, raw=raw)
    with pytest.raises(OcdsFileError) as caught:
        entries(path)
    problem = caught.value.problem
    assert problem.code == code
    assert str(caught.value).startswith(english)
    assert problem.message("en") == str(caught.value)
    assert problem.message("es").startswith(spanish)
    with translation.override("es"):
        assert problem.message() == problem.message("es")


def test_it_keeps_the_problem_when_the_error_crosses_a_process_boundary(write_json):
    path = write_json("bad.json", None, raw=b'{"ocid": "o", "id": "1"}\n{"releases": [{}]}\n')
    with pytest.raises(OcdsFileError) as caught:
        entries(path)
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own bytes
    assert copy.problem == caught.value.problem
    assert copy.problem.location == Location(line=2, path="releases[0]")
    assert str(copy) == str(caught.value)


def test_it_skips_a_utf8_byte_order_mark(write_json):
    got, _ = entries(
        write_json("bom.json", None, raw=b"\xef\xbb\xbf" + json.dumps(release()).encode())
    )
    assert [e.ocid for e in got] == ["ocds-abc-1"]


def test_it_reports_a_missing_file(tmp_path):
    with pytest.raises(OcdsFileError, match="This is not a file that can be read") as caught:
        entries(tmp_path / "nope.json")
    assert caught.value.problem.code == "not_a_file"
    assert caught.value.problem.message("es").startswith("No es un archivo que se pueda leer")


def test_it_reports_a_damaged_gzip_file(tmp_path):
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(release()).encode() * 50)[:-30])
    with pytest.raises(OcdsFileError) as caught:
        entries(path)
    assert caught.value.problem.code == "cannot_decompress"
    assert "download it again" in str(caught.value)
    assert "descárguelo de nuevo" in caught.value.problem.message("es")


def test_it_reads_a_file_that_is_one_list_of_releases_records_or_packages(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps(
            [
                {"ocid": "ocds-a-1", "id": "1", "version": "1.1"},
                {"ocid": "ocds-a-2", "compiledRelease": {"ocid": "ocds-a-2", "version": "1.1"}},
                {"version": "1.1", "releases": [{"ocid": "ocds-a-3", "id": "1"}]},
            ],
            indent=2,
        )
    )
    entries, stats = read_file(path)
    assert [(e.kind, e.ocid) for e in entries] == [
        ("release", "ocds-a-1"),
        ("compiled", "ocds-a-2"),
        ("release", "ocds-a-3"),
    ]
    assert (stats.releases, stats.compiled, stats.records) == (2, 1, 1)


# -- files read whole (reader._read_whole) ----------------------------------------------


def _read_as(path, monkeypatch, whole_file_bytes, spool=None):
    """What read_file gives with this limit (and spool folder): (kind, ocid, date, data)
    per entry and the counts, or the problem it reports."""
    from bhrplan.procurement.ocds import reader

    monkeypatch.setattr(reader, "WHOLE_FILE_BYTES", whole_file_bytes)
    try:
        it, stats = read_file(path, spool=spool)
        return [(e.kind, e.ocid, e.date, e.data) for e in it], stats
    except OcdsFileError as exc:
        return exc.problem


def _pretty(*values) -> bytes:
    """Values as indented JSON, one after the other (so never read as JSON Lines)."""
    return b"".join(json.dumps(v, indent=1, ensure_ascii=False).encode() + b"\n" for v in values)


_RECORD = {
    "ocid": "ocds-abc-9",
    "releases": [release("ocds-abc-9"), {"url": "https://example.org/r/1", "date": "2020"}],
    "compiledRelease": release("ocds-abc-9", rid="c", tender={"id": "t", "items": []}),
}
_OCDS_10 = {
    "ocid": "ocds-abc-3",
    "id": "1",
    "date": "2019-01-01T00:00:00Z",
    "buyer": {"name": "Ministerio", "identifier": {"id": "B1"}},
    "awards": [{"id": "a1", "suppliers": [{"name": "Proveedor SA", "identifier": {"id": "S1"}}]}],
}
WHOLE_FILES = {
    "release package, version first": _pretty(
        {"version": "1.1", "uri": "u", "releases": [release(), release(rid="2", tag=None)]}
    ),
    "release package, version last": _pretty(
        {"uri": "u", "releases": [release(), {"url": "https://x/1"}], "version": "1.1"}
    ),
    "OCDS 1.0 package": _pretty({"version": "1.0", "releases": [_OCDS_10]}),
    "release package without version": _pretty({"releases": [_OCDS_10, release()]}),
    "record package": _pretty(
        {
            "version": "1.1",
            "records": [_RECORD, {"ocid": "ocds-x", "releases": [release("ocds-x")]}],
        }
    ),
    "bare record": _pretty({**_RECORD, "version": "1.1"}),
    "single release": _pretty(release(tender={"items": [{"id": "1", "description": "Café"}]})),
    "list of releases": _pretty([release(), release(rid="2")]),
    "two packages": _pretty({"releases": [release()]}, {"version": "1.1", "releases": [release()]}),
    "empty package": _pretty({"version": "1.1", "releases": []}),
    "releases not a list": _pretty({"releases": {"ocid": "o"}}),
    "release without ocid": _pretty({"releases": [release(), {"id": "2"}]}),
    "awards not a list": _pretty({"releases": [release(awards={"id": 1})]}),
    "record without ocid": _pretty({"records": [_RECORD, {"releases": []}]}),
    "truncated": _pretty({"releases": [release(), release(rid="2")]})[:-40],
    "invalid JSON": _pretty({"releases": [release()]}).replace(b'"ocid"', b"ocid", 1),
    "Latin-1 inside a release": _pretty({"releases": [release(), release(rid="é")]}).replace(
        b"\xc3\xa9", b"\xe9"
    ),
    "Latin-1 in a key": _pretty({"releases": [release()], "é": 1}).replace(b"\xc3\xa9", b"\xe9"),
    "number beyond floats": _pretty({"releases": [release()]}).replace(
        b'"initiationType"', b'"x": 1e999, "initiationType"'
    ),
    "lone surrogate": _pretty({"releases": [release()]}).replace(
        b'"tender"', b'"\\ud800", "x": "tender"'
    ),
    "byte order mark": codecs.BOM_UTF8 + _pretty({"releases": [release()]}),
    "key given twice": _pretty({"releases": [release()]})[:-3]
    + b', "releases": [{"ocid": "ocds-2", "id": "1"}]}\n',
    "a record with releases and compiledRelease after": _pretty(
        {"ocid": "ocds-abc-9", "releases": [release("ocds-abc-9")], "compiledRelease": release()}
    ),
    "records, then more keys": _pretty({"records": [_RECORD], "version": "1.0", "uri": "u"}),
    "object that is not OCDS": _pretty({"a": [1, 2, {"b": None}], "c": "d"}),
    "empty object": b"{ }\n",
    "release then a list": _pretty({"releases": [release()]}, [release(rid="2")]),
    "a number at the end": _pretty({"releases": [release()], "n": 12345678}),
    "not JSON after the object": _pretty({"releases": [release()]}) + b"xyz",
    "Windows line ends and tabs": _pretty({"version": "1.1", "releases": [release()] * 2})
    .replace(b"\n", b"\r\n")
    .replace(b" ", b"\t"),
}


@pytest.mark.parametrize("name", list(WHOLE_FILES))
def test_a_file_read_whole_gives_what_streaming_it_gives(write_json, monkeypatch, name, tmp_path):
    path = write_json("f.json", None, raw=WHOLE_FILES[name])
    spool = tmp_path / "spool"
    spool.mkdir()
    whole = _read_as(path, monkeypatch, 64 * 1024 * 1024)
    assert whole == _read_as(path, monkeypatch, 0)  # streamed from the first byte
    assert whole == _read_as(path, monkeypatch, 100)  # a start read, then streamed
    assert whole == _read_as(path, monkeypatch, 100, spool)  # copied and mapped
    gzipped = tmp_path / "f.json.gz"
    gzipped.write_bytes(gzip.compress(WHOLE_FILES[name]))
    assert whole == _read_as(gzipped, monkeypatch, 100, spool)
    assert not list(spool.iterdir())  # the copy is gone


def test_the_real_samples_read_whole_give_what_streaming_them_gives(ocds_samples, monkeypatch):
    from bhrplan.procurement.ocds.sources import expand_paths

    sources = expand_paths([ocds_samples])
    read = [_read_as(s, monkeypatch, 64 * 1024 * 1024) for s in sources]
    assert sum(len(r[0]) for r in read if isinstance(r, tuple)) > 100
    assert read == [_read_as(s, monkeypatch, 0) for s in sources]


@pytest.mark.parametrize("limit", [64 * 1024 * 1024, 100])
def test_a_file_read_whole_is_walked_not_streamed(write_json, monkeypatch, tmp_path, limit):
    from bhrplan.procurement.ocds import reader

    def no_streaming(self, stream):
        raise AssertionError("streamed")

    monkeypatch.setattr(reader._Reader, "_read_streaming", no_streaming)
    monkeypatch.setattr(reader, "WHOLE_FILE_BYTES", limit)  # 100: copied and mapped
    path = write_json("f.json", None, raw=WHOLE_FILES["record package"])
    it, stats = read_file(path, spool=tmp_path)
    assert [e.kind for e in it] == ["release", "compiled", "release"]
    assert (stats.records, stats.linked_releases) == (2, 1)


@pytest.mark.parametrize("name", ["record package", "a number at the end", "truncated"])
def test_values_longer_than_the_first_window_are_found_whole(write_json, monkeypatch, name):
    from bhrplan.procurement.ocds import reader

    path = write_json("f.json", None, raw=WHOLE_FILES[name])
    expected = _read_as(path, monkeypatch, 0)
    for window in (1, 3, 7):  # a window may end inside a number, a string, an object
        monkeypatch.setattr(reader, "_WINDOW", window)
        assert _read_as(path, monkeypatch, 64 * 1024 * 1024) == expected


def test_a_window_that_cuts_a_number_or_a_literal_short_grows(write_json, monkeypatch):
    from bhrplan.procurement.ocds import reader

    values = [-1.5e3, 2.25, -7, 10**6, True, False, None, 'a\\"b', 0.5e-2]
    raw = _pretty({"releases": [release(tender={"id": "t", "x": values}, **{"y": -0.0})]})
    expected = _read_as(write_json("f.json", None, raw=raw), monkeypatch, 0)
    monkeypatch.setattr(
        reader._Reader, "_read_streaming", lambda self, stream: pytest.fail("streamed")
    )
    for window in range(1, 40):
        monkeypatch.setattr(reader, "_WINDOW", window)
        assert _read_as(write_json("f.json", None, raw=raw), monkeypatch, 10**6) == expected


def test_a_release_with_a_huge_integer_is_read_as_json_lines_read_it(write_json):
    # orjson reads an integer beyond 64 bits as a float, as it does for JSON Lines lines.
    raw = _pretty({"releases": [release(tender={"id": "t", "value": {"amount": 10**30}})]})
    got, _stats = entries(write_json("f.json", None, raw=raw))
    assert got[0].data["tender"]["value"]["amount"] == pytest.approx(1e30)
