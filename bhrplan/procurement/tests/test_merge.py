import copy
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocdskit.combine import merge
from ocdsmerge.exceptions import MissingDateKeyError
from ocdsmerge.rules import get_merge_rules

from bhrplan.procurement.ocds import native
from bhrplan.procurement.ocds.merge import MERGE_RULES, compile_fast, compile_releases, schema_stub
from bhrplan.procurement.ocds.pipeline import expand_paths
from bhrplan.procurement.ocds.reader import OcdsFileError, read_file
from bhrplan.procurement.tests.conftest import release

# The monkeypatching tests spy on the plain source: a compiled module (native.py) calls
# its own functions directly.
merge_module = native.load_source("merge")


def sample_releases(root):
    by_ocid = defaultdict(list)
    for path in expand_paths([root]):
        try:
            entries, _stats = read_file(path)
            for entry in entries:
                if entry.kind == "release":
                    by_ocid[entry.ocid].append(entry.data)
        except OcdsFileError:
            continue
    return by_ocid


def test_it_gives_ocdskit_the_same_merge_rules():
    assert get_merge_rules(schema_stub()) == MERGE_RULES


@pytest.mark.filterwarnings("ignore::ocdsmerge.exceptions.DuplicateIdValueWarning")
def test_it_compiles_exactly_like_ocdskit_compile_on_all_real_samples(ocds_samples):
    by_ocid = sample_releases(ocds_samples)
    assert len(by_ocid) == 33
    assert sum(len(v) for v in by_ocid.values()) == 105
    package = {"version": "1.1", "releases": [r for rs in by_ocid.values() for r in rs]}
    expected = {
        c["ocid"]: c
        for c in merge([package], schema=schema_stub(), convert_exceptions_to_warnings=True)
    }
    assert set(expected) == set(by_ocid)
    for ocid, releases in by_ocid.items():
        assert compile_releases(releases) == expected[ocid], ocid


def test_it_merges_items_by_id_and_keeps_the_latest_value():
    first = release(
        rid="1",
        date="2020-01-01T00:00:00Z",
        tender={"id": "t", "items": [{"id": "a", "description": "old"}]},
    )
    second = release(
        rid="2",
        date="2020-02-01T00:00:00Z",
        tender={"id": "t", "items": [{"id": "a", "description": "new"}, {"id": "b"}]},
    )
    compiled = compile_releases([second, first])
    assert [i["id"] for i in compiled["tender"]["items"]] == ["a", "b"]
    assert compiled["tender"]["items"][0]["description"] == "new"
    assert compiled["tag"] == ["compiled"]


# -- the fast compile is ocdsmerge's compile -----------------------------------

_KEYS = ["title", "value", "id", "items", "additionalClassifications", "suppliers", "x"]
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "a", "1", "b"])
)
_ids = st.one_of(st.sampled_from(["1", "2", "a"]), st.integers(1, 2), st.none(), st.booleans())


def _objects(children):
    plain = st.dictionaries(st.sampled_from(_KEYS), children, max_size=4)
    with_id = st.builds(lambda d, i: {**d, "id": i}, plain, _ids)
    return st.one_of(plain, with_id)


_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        _objects(children),
        st.lists(_objects(children), max_size=4),
    ),
    max_leaves=12,
)
_sections = st.fixed_dictionaries(
    {},
    optional={
        "tender": _values,
        "awards": st.lists(_objects(_values), max_size=3),
        "parties": st.lists(_objects(_values), max_size=3),
        "buyer": _values,
        "contracts": _values,
        "tag": _values,
        "id": _scalars,
    },
)


@st.composite
def _release_lists(draw):
    count = draw(st.integers(1, 4))
    dates = st.sampled_from(["2020-01-01", "2020-02-01", "2020-03-01"])
    return [{**draw(_sections), "ocid": "ocds-x-1", "date": draw(dates)} for _ in range(count)]


def _outcome(function, releases):
    try:
        return function(copy.deepcopy(releases))
    except Exception as exc:  # the same error, or the same record
        return type(exc)


@pytest.mark.filterwarnings("ignore::ocdsmerge.exceptions.DuplicateIdValueWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_release_lists())
def test_it_compiles_generated_releases_exactly_like_ocdsmerge(releases):
    assert _outcome(compile_fast, releases) == _outcome(compile_releases, releases)


@pytest.mark.filterwarnings("ignore::ocdsmerge.exceptions.DuplicateIdValueWarning")
def test_it_compiles_the_real_samples_fast_and_exactly_like_ocdsmerge(ocds_samples, monkeypatch):
    by_ocid = sample_releases(ocds_samples)
    expected = {ocid: compile_releases(copy.deepcopy(rs)) for ocid, rs in by_ocid.items()}
    fallbacks = []
    for ocid, releases in by_ocid.items():  # as installed (compiled when built)
        assert compile_fast(copy.deepcopy(releases)) == expected[ocid], ocid
    monkeypatch.setattr(merge_module, "compile_releases", lambda rs: fallbacks.append(rs))
    for ocid, releases in by_ocid.items():
        assert merge_module.compile_fast(releases) == expected[ocid], ocid
    assert fallbacks == []  # the fast path handled every real record itself


def test_it_hands_conflicting_shapes_to_ocdsmerge(monkeypatch):
    conflicting = [
        release(rid="1", date="2020-01-01", tender={"value": {"amount": 1}}),
        release(rid="2", date="2020-02-01", tender={"value": "n/a"}),
    ]
    mixed_ids = [
        release(rid="1", date="2020-01-01", awards=[{"id": 1, "title": "a"}]),
        release(rid="2", date="2020-02-01", awards=[{"id": "1", "status": "active"}]),
    ]
    original = merge_module.compile_releases
    fallbacks = []

    def spy(releases):
        fallbacks.append(releases)
        return original(releases)

    monkeypatch.setattr(merge_module, "compile_releases", spy)
    for releases in (conflicting, mixed_ids):
        expected = original(copy.deepcopy(releases))
        assert merge_module.compile_fast(copy.deepcopy(releases)) == expected
        assert compile_fast(copy.deepcopy(releases)) == expected  # as installed
    assert len(fallbacks) == 2


def test_it_raises_ocdsmerges_error_for_a_release_without_date():
    undated = release(rid="2")
    del undated["date"]
    with pytest.raises(MissingDateKeyError):
        compile_fast([release(), undated])
