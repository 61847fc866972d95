"""The compiled (mypyc) screening modules and the msgspec projection give exactly what
the plain Python gives."""

import copy
import os
import sys

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings

from bhrplan.procurement.ocds import extract, merge, native, reader
from bhrplan.procurement.ocds.pipeline import build_items
from bhrplan.procurement.ocds.projection import check_line, project, project_text
from bhrplan.procurement.tests.test_merge import sample_releases
from bhrplan.procurement.tests.test_pipeline import _release_parts


def test_the_tests_run_on_the_compiled_modules_when_make_built_them():
    if os.environ.get("BHRPLAN_NATIVE") != "required":
        pytest.skip("`make test` sets BHRPLAN_NATIVE=required after compiling")
    assert native.status() == {"merge": "compiled", "extract": "compiled"}
    assert native.is_compiled(merge) and native.is_compiled(extract)


@pytest.mark.filterwarnings("ignore::ocdsmerge.exceptions.DuplicateIdValueWarning")
def test_compiled_and_plain_modules_give_the_same_rows_on_the_real_samples(ocds_samples):
    plain_merge = native.load_source("merge")
    plain_extract = native.load_source("extract")
    assert not native.is_compiled(plain_merge) and not native.is_compiled(plain_extract)
    rows_installed = []
    rows_plain = []
    for ocid, releases in sample_releases(ocds_samples).items():
        installed = merge.compile_fast(copy.deepcopy(releases))
        plain = plain_merge.compile_fast(copy.deepcopy(releases))
        assert installed == plain, ocid
        extract.extract_rows(ocid, "releases", installed, rows_installed)
        plain_extract.extract_rows(ocid, "releases", plain, rows_plain)
    assert len(rows_installed) > 1000
    assert rows_installed == rows_plain


def test_a_build_older_than_its_source_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "BUILD_RECORD", tmp_path / "native-build.json")
    monkeypatch.setattr(native, "compiled_paths", lambda name: [tmp_path / f"{name}.so"])
    (tmp_path / "native-build.json").write_text('{"merge": "0", "extract": "0"}')
    assert native.status() == {"merge": "stale", "extract": "stale"}
    # A stale module is imported from its source, under its own name.
    monkeypatch.delitem(sys.modules, "bhrplan.procurement.ocds.extract")
    native.guard()
    loaded = sys.modules["bhrplan.procurement.ocds.extract"]
    assert loaded.__file__.endswith("extract.py") and loaded is not extract
    native.record_build()
    assert native.status() == {"merge": "compiled", "extract": "compiled"}
    monkeypatch.setattr(native, "compiled_paths", lambda name: [])
    assert native.status() == {"merge": "plain", "extract": "plain"}


# -- the projection taken while decoding (msgspec) ---------------------------------------


def _line(parts, **extra):
    value = {"ocid": "ocds-x-1", "id": "1", "date": "2020-01-01", "version": "1.1", **parts}
    value.update(extra)
    return orjson.dumps(value)


@pytest.mark.filterwarnings("ignore::ocdsmerge.exceptions.DuplicateIdValueWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_release_parts)
# An object without id whose every field is dropped: `project` keeps it whole.
@example({"tender": {"documents": [{"id": "d"}]}})
@example({"awards": [{"documents": "x"}, {"id": "a"}]})
@example({"contracts": [{"suppliers": {"name": "ACME"}}]})
# An empty object as id, beside a field that is dropped: also kept whole.
@example({"tender": {"id": "t", "items": [{"id": {}, "quantity": None}]}})
def test_the_projection_read_while_decoding_equals_project(parts):
    line = _line(parts)
    fast = check_line(line)
    expected = project(orjson.loads(line))
    if fast is None:
        return  # declined: the reader takes the usual path
    assert fast == ("ocds-x-1", "2020-01-01")
    assert project_text(line) == expected
    assert project_text(memoryview(line)) == expected  # as the staging files give it


def test_the_projection_declines_what_needs_the_full_release():
    assert check_line(_line({"tender": {"id": "t"}})) is not None
    declined = [
        _line({}, version="1.0"),  # to upgrade
        _line({}, version=None),
        orjson.dumps({"ocid": "x", "date": "2020", "tender": {"id": "t"}}),  # no version
        _line({"tender": [{"id": "t"}]}),  # the reader reports it
        _line({"awards": {"id": "a"}}),
        _line({"tender": {"id": "t", "items": {"id": "1"}}}),
        _line({}, date=20200101),
        _line({}, ocid=" "),
        _line({}, compiledRelease={}),
        _line({"tender": {"id": "t"}, "planning": "x"}).replace(b'"x"', b'"\xff"'),
        b'{"ocid": "x", "version": "1.1", "tender": ',
        b"[]",
    ]
    assert [check_line(line) for line in declined] == [None] * len(declined)
    # Objects `project` keeps whole: the text is staged, and projected from the full
    # release when merged.
    whole = [
        {"tender": {"documents": [{"id": "d"}]}},
        {"tender": {"id": "t", "items": [{"id": {}, "quantity": None}]}},
    ]
    for parts in whole:
        line = _line(parts)
        assert check_line(line) is not None
        assert project_text(line) == project(orjson.loads(line))
        assert project_text(line)["tender"] == parts["tender"]


def test_a_value_that_cannot_be_decoded_is_found_when_projecting():
    # Only the structure is decoded when the line is checked: a number beyond the range
    # of floats is skipped unread there, and found when the release is projected.
    line = _line({"tender": {"id": "t", "value": {"amount": 1}}}).replace(b"1}", b"1e999}")
    assert check_line(line) == ("ocds-x-1", "2020-01-01")
    with pytest.raises(orjson.JSONDecodeError):
        project_text(line)


def test_json_lines_give_the_same_items_with_and_without_the_decoding_projection(
    ocds_samples, tmp_path, monkeypatch
):
    import duckdb

    releases = [r for rs in sample_releases(ocds_samples).values() for r in rs]
    for release in releases:
        release["version"] = "1.1"  # already upgraded by the reader
    jsonl = tmp_path / "samples.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in releases))
    taken = []

    def spy(line):
        out = check_line(line)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(reader, "check_line", spy)
    fast = duckdb.connect()
    build_items([jsonl], fast, workers=1)
    # (the first line is read whole: it tells JSON Lines from other formats)
    assert len(taken) == len(releases) - 1 and all(taken)
    monkeypatch.setattr(reader, "check_line", lambda line: None)
    usual = duckdb.connect()
    build_items([jsonl], usual, workers=1)
    query = "SELECT * EXCLUDE (row_id) FROM items ORDER BY ALL"
    assert fast.execute(query).fetchall() == usual.execute(query).fetchall()
    assert fast.execute("SELECT count(*) FROM items").fetchone()[0] > 1000


def test_text_that_is_not_utf8_in_a_field_not_screened_still_fails_the_file(tmp_path):
    import duckdb

    good = _line({"tender": {"id": "t"}})
    bad = _line({"tender": {"id": "t"}, "planning": {"rationale": "x"}}).replace(b'"x"', b'"\xe9"')
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(good + b"\n" + bad + b"\n")
    result = build_items([path], duckdb.connect(), workers=1)
    assert [(f.error_code, f.error_location["line"]) for f in result.files] == [("not_utf8", 2)]


def _build_script():
    import importlib.util
    from pathlib import Path

    path = Path(native.__file__).resolve().parents[3] / "scripts" / "build_native.py"
    spec = importlib.util.spec_from_file_location("build_native_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_script_fails_only_when_asked_to_require_the_compiled_modules(
    monkeypatch, capsys
):
    script = _build_script()
    removed = []
    monkeypatch.setattr(native, "status", lambda: {"merge": "plain", "extract": "plain"})
    monkeypatch.setattr(native, "remove_builds", lambda: removed.append(True))

    def no_compiler():
        raise SystemExit("error: command 'gcc' failed: No such file or directory")

    monkeypatch.setattr(script, "build", no_compiler)
    monkeypatch.setattr(sys, "argv", ["build_native.py"])
    assert script.main() == 0
    assert "runs as plain Python" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["build_native.py", "--require"])
    assert script.main() == 1
    assert "error: mypyc could not compile" in capsys.readouterr().err
    assert len(removed) == 4  # before each attempt, and after each failure
    # Up to date: nothing to do.
    monkeypatch.setattr(native, "status", lambda: {"merge": "compiled", "extract": "compiled"})
    monkeypatch.setattr(script, "build", lambda: pytest.fail("built again"))
    assert script.main() == 0
