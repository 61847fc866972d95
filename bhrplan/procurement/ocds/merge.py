"""Compile releases into compiled releases with the Open Contracting Partnership's ocdsmerge.

ocdsmerge normally downloads the release schema to learn its merge rules; the platform
works offline, so the OCDS 1.1 merge rules are written here (derived from the OCDS 1.1
release schema's `omitWhenMerged` and `wholeListMerge` properties) and handed to
`ocdsmerge.Merger(merge_rules=...)`. `schema_stub()` turns the same rules into a minimal
schema that `ocdskit compile --schema` accepts, so both paths use identical rules.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

from ocdsmerge import Merger

_ORG_REFERENCES = (
    ("buyer",),
    ("tender", "procuringEntity"),
    ("tender", "tenderers"),
    ("awards", "suppliers"),
    ("contracts", "implementation", "transactions", "payer"),
    ("contracts", "implementation", "transactions", "payee"),
)
_ITEM_ARRAYS = (("tender", "items"), ("awards", "items"), ("contracts", "items"))
_AMENDABLE = (("tender",), ("awards",), ("contracts",))
_ARRAYS_OF_OBJECTS = frozenset(
    ("tenderers", "suppliers", "awards", "contracts", "items", "amendments", "transactions")
)


def _rules() -> dict[tuple[str, ...], str]:
    rules: dict[tuple[str, ...], str] = {
        ("id",): "omitWhenMerged",
        ("date",): "omitWhenMerged",
        ("tag",): "omitWhenMerged",
        ("parties", "additionalIdentifiers"): "wholeListMerge",
    }
    for path in _ORG_REFERENCES:
        rules[(*path, "additionalIdentifiers")] = "wholeListMerge"
    for path in _ITEM_ARRAYS:
        rules[(*path, "additionalClassifications")] = "wholeListMerge"
    for path in _AMENDABLE:
        rules[(*path, "amendments", "changes")] = "wholeListMerge"
        rules[(*path, "amendment", "changes")] = "wholeListMerge"
    return rules


MERGE_RULES = _rules()


@cache
def merger() -> Merger:
    return Merger(merge_rules=MERGE_RULES)


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """One compiled release from all releases of one ocid (any order)."""
    with warnings.catch_warnings():
        # Duplicate ids inside an array (real data has them) are merged as ocdsmerge
        # documents; the warning is noise for screening.
        warnings.simplefilter("ignore")
        return merger().create_compiled_release(releases)


def schema_stub() -> dict[str, Any]:
    """A minimal release schema from which ocdsmerge derives exactly MERGE_RULES."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for path, rule in MERGE_RULES.items():
        node = root
        for n, key in enumerate(path):
            props = node.setdefault("properties", {})
            last = n == len(path) - 1
            if last:
                if rule == "omitWhenMerged":
                    props[key] = {"type": "string", "omitWhenMerged": True}
                else:
                    props[key] = {"type": "array", "wholeListMerge": True, "items": {}}
                break
            child = props.setdefault(key, {"type": "object", "properties": {}})
            if key in _ARRAYS_OF_OBJECTS:
                child["type"] = "array"
                child.setdefault("items", {"type": "object", "properties": {"id": {}}})
                node = child["items"]
            else:
                node = child
    return root
