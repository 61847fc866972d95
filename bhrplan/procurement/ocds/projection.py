"""The part of a release that the screening reads, and a fast way to get it from JSON.

Only the fields in `RELEASE_SPEC` are screened; the rest (documents, milestones,
quantities, transactions …) is dropped before staging, which makes staging, merging
and extraction several times lighter. `project` takes it from a parsed release.
`check_line` and `project_text` take it straight from the JSON text of a release (one
JSON Lines line) with msgspec, which decodes only these fields, as plain dicts and
lists, and skips the rest without building it. The screening stages such a line as it
is (`check_line` only tells whether it may) and decodes its projection when it merges
it (`project_text`): one decoding of the projection instead of a decoding, an encoding
to JSON and a parse of that JSON. `check_line` declines (returns None) whenever the
result could differ from `project`'s or the release needs the reader's full care (an
OCDS 1.0 release to upgrade, a package or record, a field of an unexpected type, text
that is not UTF-8 …), and the reader then takes the usual path. Tests compare both on
the real samples and on generated releases.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec
import orjson
from msgspec import UNSET, UnsetType

_Spec = dict[str, "_Spec | None"]

# OCDS language variants of a text field (`description_en`, `name_fr`: "field_lang"),
# read where the field itself is missing (Canada publishes `description_en` and
# `description_fr` only) and, for Spanish and English, the languages of the keywords,
# searched beside it (Ukraine's `description` is Ukrainian, its `description_en` English).
LANGUAGES = ("es", "en", "pt", "fr")


def _with_variants(*fields: str) -> _Spec:
    return {f"{name}_{language}": None for name in fields for language in LANGUAGES}


_ORG_SPEC: _Spec = {
    "id": None,
    "name": None,
    "identifier": None,
    "address": None,
    "memberOf": None,
    **_with_variants("name"),
}
_ITEM_SPEC: _Spec = {
    "id": None,
    "description": None,
    "classification": None,
    "additionalClassifications": None,
    "relatedLot": None,
    **_with_variants("description"),
}
_STAGE_SPEC: _Spec = {
    "id": None,
    "status": None,
    "title": None,
    "description": None,
    **_with_variants("title", "description"),
    "value": None,
    "awardID": None,
    "relatedLots": None,
    "suppliers": _ORG_SPEC,
    "items": _ITEM_SPEC,
}
RELEASE_SPEC: _Spec = {
    "ocid": None,
    "id": None,
    "date": None,
    "buyer": _ORG_SPEC,
    "parties": {**_ORG_SPEC, "roles": None},
    "tender": {
        "id": None,
        "title": None,
        "description": None,
        **_with_variants("title", "description"),
        "value": None,
        "classification": None,
        "additionalClassifications": None,
        "procuringEntity": _ORG_SPEC,
        "items": _ITEM_SPEC,
    },
    "awards": _STAGE_SPEC,
    "contracts": _STAGE_SPEC,
}


def _has_leaf(value: Any) -> bool:
    """Whether merging this value writes anything (ocdsmerge skips empty objects/arrays)."""
    if type(value) is dict:
        return any(_has_leaf(v) for v in value.values())
    if type(value) is list:
        return any(type(v) is not dict or _has_leaf(v) for v in value) if value else False
    return True


def project(obj: dict[str, Any], spec: _Spec = RELEASE_SPEC) -> dict[str, Any]:
    """The part of a release (or of one of its objects) that the screening reads."""
    if id(spec) in _FLAT_SPECS:  # only whole values below: one comprehension
        out = {key: value for key, value in obj.items() if key in spec}
    else:
        out = {}
        for key, value in obj.items():
            if key not in spec:
                continue
            sub = spec[key]
            kind = type(value)
            if sub is None or not value:
                out[key] = value
            elif kind is dict:
                out[key] = project(value, sub)
            elif kind is list and all(type(v) is dict for v in value):
                out[key] = [project(v, sub) for v in value]
            else:
                out[key] = value
    # Left without a value, the projection would vanish when merged where the full
    # object, kept by a dropped null or field, stays: whole. (An id that is text, a
    # number or null is a value; an object or array as id, like `{}`, may hold none.)
    if len(out) < len(obj) and _id_may_be_empty(obj.get("id", UNSET)) and not _has_leaf(out):
        return obj
    return out


def _id_may_be_empty(ident: Any) -> bool:
    """Whether an object's id (UNSET: none) leaves it to its other fields to hold a value."""
    return ident is UNSET or type(ident) is dict or type(ident) is list


_FLAT_SPECS = {id(_ORG_SPEC), id(_ITEM_SPEC), id(RELEASE_SPEC["parties"])}


# -- the same projection while decoding (msgspec) -------------------------------------
#
# TypedDicts made from RELEASE_SPEC itself (one per object; a spec change is a type
# change): msgspec decodes only the declared fields, into plain dicts and lists, and
# skips the rest without building it. A field absent from the JSON stays absent, `null`
# stays None. Arrays of objects and objects accept only their expected type (the reader
# checks tender, awards, contracts, parties and items). `_SKIM` declares the same types
# for the objects and arrays of objects, and none of the values: `check_line` decodes a
# line with it (building next to nothing) and sends whatever it refuses to the usual
# path, which reports or handles it.

# Spec entries whose value is an array of objects; `suppliers` may also be one object
# (OCDS 1.0 data in the wild; extract.py reads it as the array of it).
_ARRAYS = frozenset({"parties", "items", "awards", "contracts", "suppliers"})
_ARRAY_OR_OBJECT = frozenset({"suppliers"})


def _kind(key: str, obj: Any) -> Any:
    """The type of a spec entry holding an object (`obj`), or an array of them."""
    if key in _ARRAY_OR_OBJECT:
        return list[obj] | obj  # type: ignore[valid-type]
    if key in _ARRAYS:
        return list[obj]  # type: ignore[valid-type]
    return obj


def _typed_dict(name: str, spec: _Spec) -> Any:
    fields: dict[str, Any] = {
        key: Any if sub is None else _kind(key, _typed_dict(f"{name}_{key}", sub)) | None
        for key, sub in spec.items()
    }
    return TypedDict(name, fields, total=False)  # type: ignore[operator]


_DECODER = msgspec.json.Decoder(_typed_dict("_Release", RELEASE_SPEC))
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError)

# Per spec, its entries that are objects or arrays of objects themselves projected.
_NESTED: dict[int, tuple[tuple[str, _Spec], ...]] = {}


def _index_nested(spec: _Spec) -> None:
    _NESTED[id(spec)] = tuple((key, sub) for key, sub in spec.items() if sub is not None)
    for sub in spec.values():
        if sub is not None:
            _index_nested(sub)


_index_nested(RELEASE_SPEC)


def _needs_full_release(obj: dict[str, Any], spec: _Spec = RELEASE_SPEC) -> bool:
    """Whether a projected object below `obj` is one that `project` may keep whole
    (nothing with a value left, not even its `id`): only the full release gives it."""
    for key, sub in _NESTED[id(spec)]:
        value = obj.get(key)
        if value is None:
            continue
        for child in value if type(value) is list else (value,):
            if type(child) is not dict:
                continue
            if _id_may_be_empty(child.get("id", UNSET)) and not _has_leaf(child):
                return True
            if _NESTED[id(sub)] and _needs_full_release(child, sub):
                return True
    return False


def _skim_struct(name: str, spec: _Spec, extra: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    """A Struct holding only the objects and arrays of objects of `spec`, as empty shapes:
    decoding checks their types as `_DECODER` does, and builds next to nothing."""
    fields = [
        (key, _kind(key, _skim_struct(f"{name}_{key}", sub)) | UnsetType | None, UNSET)
        for key, sub in spec.items()
        if sub is not None  # values are skipped
    ]
    return msgspec.defstruct(name, [*fields, *extra])


# Read by `check_line`, not kept: they decide whether the line is a release at all.
_NOT_KEPT = ("version", "releases", "records", "compiledRelease", "versionedRelease")
_SKIM = msgspec.json.Decoder(
    _skim_struct(
        "_Skim",
        RELEASE_SPEC,
        (
            ("ocid", Any, UNSET),
            ("date", Any, UNSET),
            ("version", Any, UNSET),
            *((key, msgspec.Raw | UnsetType, UNSET) for key in _NOT_KEPT[1:]),
        ),
    )
)


def check_line(line: bytes) -> tuple[str, str] | None:
    """(ocid, date) of a JSON Lines line that holds one OCDS 1.1 release, whose text can
    be staged as it is and projected later by `project_text`; None when the line needs
    the usual path (an OCDS 1.0 release to upgrade, a package or record, a field of an
    unexpected type, text that is not UTF-8, JSON msgspec cannot read …).

    The check decodes the line's structure (`_SKIM`), not its values: cheap, and it
    accepts what `_DECODER` accepts, but for a value it cannot decode (a number beyond
    the range of floats, which it skips unread); `project_text` then raises."""
    if not line.isascii():
        try:
            line.decode()  # msgspec does not check the text of the fields it skips
        except UnicodeDecodeError:
            return None
    try:
        release = _SKIM.decode(line)
    except _DECODE_ERRORS:
        return None
    ocid, date, version = release.ocid, release.date, release.version
    if (
        type(ocid) is not str
        or not ocid.strip()
        or not (date is UNSET or date is None or type(date) is str)
        or type(version) is not str
        or not version.startswith("1.1")
        or any(getattr(release, key) is not UNSET for key in _NOT_KEPT[1:])
    ):
        return None
    return ocid.strip(), date if type(date) is str else ""


def project_text(text: bytes | memoryview) -> dict[str, Any]:
    """The projection of a release from its JSON text (one that `check_line` accepted):
    equal to `project(orjson.loads(text))`, which it falls back to when an object may be
    kept whole. Raises orjson.JSONDecodeError (a ValueError) for a value neither msgspec
    nor orjson can decode: the usual path would have failed the file on it."""
    try:
        release: dict[str, Any] = _DECODER.decode(text)
    except _DECODE_ERRORS:
        return project(orjson.loads(text))
    if _needs_full_release(release):
        return project(orjson.loads(text))
    return release
