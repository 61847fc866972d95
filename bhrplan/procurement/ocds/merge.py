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
from ocdsmerge.util import sorted_releases

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


# -- a faster compile, proven equal to ocdsmerge -------------------------------
#
# ocdsmerge flattens every release into {path: value}, updates one dict per ocid and
# unflattens it again; most of the screening's time went there. `compile_fast` merges the
# release trees directly with the same rules (identifier merge for arrays of objects,
# whole-list merge, nulls remove values, empty objects and arrays add nothing, the
# latest release wins) and hands anything unusual back to ocdsmerge: a value that is an
# object in one release and a scalar in another, ids that are not strings or integers,
# or the same id written once as a number and once as text. Tests compare both on the
# real samples and on generated releases (hypothesis).


class _Obj(dict):  # type: ignore[type-arg]
    """An object of the merged tree; plain values are leaves."""


class _Arr(dict):  # type: ignore[type-arg]
    """An array of objects of the merged tree, keyed by `id` (or a unique key)."""


class _Fallback(Exception):
    """The releases need ocdsmerge's own (slower, path-by-path) handling."""


_OMIT, _WHOLE = "omitWhenMerged", "wholeListMerge"
_MISSING: Any = object()
RuleTrie = dict[str, tuple[str | None, "RuleTrie | None"]]


def _rule_trie(rules: dict[tuple[str, ...], str]) -> RuleTrie:
    trie: RuleTrie = {}
    for path, rule in rules.items():
        node = trie
        for n, key in enumerate(path):
            current_rule, child = node.get(key, (None, None))
            if n == len(path) - 1:
                node[key] = (rule, child)
            else:
                if child is None:
                    child = {}
                node[key] = (current_rule, child)
                node = child
    return trie


_TRIE = _rule_trie(MERGE_RULES)


def _merge_object(node: _Obj, obj: dict[str, Any], trie: RuleTrie | None) -> bool:
    """Merge a release object into `node`; True when at least one leaf was written."""
    wrote = False
    for key, value in obj.items():
        rule, sub = trie.get(key, (None, None)) if trie else (None, None)
        if rule == _OMIT:
            continue
        kind = type(value)
        if rule != _WHOLE and (kind is dict or kind is list):
            if not value:
                continue  # an empty object or array adds nothing
            if kind is list and any(type(v) is not dict for v in value):
                pass  # an array with non-objects is a leaf, like a string
            else:
                current = node.get(key, _MISSING)
                if current is _MISSING:
                    if kind is dict:
                        fresh = _fresh_object(value, sub)
                        if fresh is not None:
                            node[key] = fresh
                            wrote = True
                    else:
                        array = _Arr()
                        if _merge_array(array, value, sub):
                            node[key] = array
                            wrote = True
                elif kind is dict and type(current) is _Obj:
                    wrote = _merge_object(current, value, sub) or wrote
                elif kind is list and type(current) is _Arr:
                    wrote = _merge_array(current, value, sub) or wrote
                else:
                    raise _Fallback
                continue
        current = node.get(key, _MISSING)
        if type(current) is _Obj or type(current) is _Arr:
            raise _Fallback
        node[key] = value
        wrote = True
    return wrote


def _merge_array(node: _Arr, items: list[dict[str, Any]], trie: RuleTrie | None) -> bool:
    wrote = False
    for item in items:
        if not item:
            continue
        if "id" in item:
            raw = item["id"]
            if type(raw) is str:
                key: Any = raw
            elif type(raw) is int:
                key = str(raw)
            else:
                raise _Fallback
            current = node.get(key)
            if current is not None:
                if type(current.get("id")) is not type(raw):
                    raise _Fallback  # 1 and "1": ocdsmerge splits them in odd ways
                wrote = _merge_object(current, item, trie) or wrote
                continue
        else:
            key = object()  # never merges with another object
        fresh = _fresh_object(item, trie)
        if fresh is not None:
            node[key] = fresh
            wrote = True
    return wrote


def _fresh_object(obj: dict[str, Any], trie: RuleTrie | None) -> _Obj | None:
    """`_merge_object` into an empty node, without the checks an existing node needs."""
    node = _Obj()
    for key, value in obj.items():
        rule, sub = trie.get(key, (None, None)) if trie else (None, None)
        if rule == _OMIT:
            continue
        kind = type(value)
        if rule != _WHOLE and (kind is dict or kind is list):
            if not value:
                continue
            if kind is dict:
                fresh = _fresh_object(value, sub)
                if fresh is not None:
                    node[key] = fresh
                continue
            if all(type(v) is dict for v in value):
                array = _Arr()
                if _merge_array(array, value, sub):
                    node[key] = array
                continue
        node[key] = value
    return node or None


def _render(node: _Obj) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        kind = type(value)
        if kind is _Obj:
            out[key] = _render(value)
        elif kind is _Arr:
            out[key] = [_render(item) for item in value.values()]
        elif value is not None:
            out[key] = value
    return out


def compile_tree(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release as the merge leaves it, before `compile_fast` turns it into
    plain JSON values: objects are `MergedObject`s, arrays of objects `MergedArray`s
    (their objects by id, in order), and a field a later release set to null is there as
    None. `extract` reads it as it is (turning the tree into plain values cost a third of
    the merge). Releases handed to ocdsmerge give its plain compiled release."""
    ordered = sorted_releases(releases)  # ocdsmerge's own order and date errors
    root = _Obj(tag=["compiled"])
    try:
        for release in ordered:
            ocid, date = release.get("ocid"), release.get("date")
            root["id"], root["date"], root["ocid"] = f"{ocid}-{date}", date, ocid
            _merge_object(root, release, _TRIE)
    except _Fallback:
        return compile_releases(releases)
    return root


def compile_fast(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """Same result as `compile_releases`, several times faster on real data."""
    return plain(compile_tree(releases))


MergedObject, MergedArray = _Obj, _Arr


def plain(value: Any) -> Any:
    """A value of a merged tree (`compile_tree`) as plain JSON values; others as they are."""
    kind = type(value)
    if kind is _Obj:
        return _render(value)
    if kind is _Arr:
        return [_render(item) for item in value.values()]
    return value
