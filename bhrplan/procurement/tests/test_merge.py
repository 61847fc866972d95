from collections import defaultdict

import pytest
from ocdskit.combine import merge
from ocdsmerge.rules import get_merge_rules

from bhrplan.procurement.ocds.merge import MERGE_RULES, compile_releases, schema_stub
from bhrplan.procurement.ocds.pipeline import expand_paths
from bhrplan.procurement.ocds.reader import OcdsFileError, read_file
from bhrplan.procurement.tests.conftest import release


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
