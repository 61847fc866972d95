import gzip
import json

import pytest

from bhrplan.procurement.ocds.reader import OcdsFileError, read_file
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


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b'{"releases": [{"ocid": "ocds-1", "id": "1"', "truncated JSON"),
        (b'{"releases": [{"ocid": "ocds-1", "id": "1"}} ]', "invalid JSON"),
        (b'{"releases": [{"id": "1", "date": "2020"}]}', "missing ocid"),
        (b'{"releases": [{"ocid": "ocds-1", "tender": []}]}', "tender must be an object"),
        (b'{"releases": [{"ocid": "ocds-1", "awards": {"id": 1}}]}', "awards must be an array"),
        (b'{"releases": {"ocid": "ocds-1"}}', "must be an array"),
        (b"[1, 2]", "JSON object"),
        (b'{"releases": [{"ocid": "ocds-\xff\xfe", "id": "1"}]}\n', "UTF-8"),
        (b'{"ocid": "ocds-1", "id": "1"}\n{"ocid": \n', "line 2"),
    ],
)
def test_it_reports_bad_files(write_json, raw, message):
    path = write_json("bad.json", None, raw=raw)
    with pytest.raises(OcdsFileError, match=message):
        entries(path)


def test_it_reports_a_missing_file(tmp_path):
    with pytest.raises(OcdsFileError, match="cannot open"):
        entries(tmp_path / "nope.json")
