"""The part of a release that the screening reads, and a fast way to get it from JSON.

Only the fields in `RELEASE_SPEC` are screened; the rest (documents, milestones,
quantities, transactions …) is dropped before staging, which makes staging, merging
and extraction several times lighter. `project` takes it from a parsed release.
`project_line` takes it straight from the JSON text of a release (one JSON Lines line)
with msgspec, which decodes only these fields and skips the rest without building it,
and hands back the JSON of the projection; it declines (returns None) whenever the
result could differ from `project`'s or the release needs the reader's full care (an
OCDS 1.0 release to upgrade, a package or record, a field of an unexpected type, text
that is not UTF-8 …), and the reader then takes the usual path. Tests compare both on
the real samples and on generated releases.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

_Spec = dict[str, "_Spec | None"]
_ORG_SPEC: _Spec = {"id": None, "name": None, "identifier": None, "address": None}
_ITEM_SPEC: _Spec = {
    "id": None,
    "description": None,
    "classification": None,
    "additionalClassifications": None,
}
_STAGE_SPEC: _Spec = {
    "id": None,
    "value": None,
    "awardID": None,
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
        "value": None,
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
# Structs made from RELEASE_SPEC itself (one per object; a spec change is a Struct change):
# a field absent from the JSON stays UNSET (and is left out when encoding), `null` stays
# None, fields not declared are skipped. Arrays of objects and objects accept only their
# expected type (the reader checks tender, awards, contracts, parties and items): anything
# else fails to decode and the line takes the usual path, which reports or handles it.

# Spec entries whose value is an array of objects; `suppliers` may also be one object
# (OCDS 1.0 data in the wild; extract.py reads it as the array of it).
_ARRAYS = frozenset({"parties", "items", "awards", "contracts", "suppliers"})
_ARRAY_OR_OBJECT = frozenset({"suppliers"})


def _struct(name: str, spec: _Spec, extra: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    fields: list[tuple[str, Any, Any]] = []
    for key, sub in spec.items():
        kind: Any = Any
        if sub is not None:
            obj = _struct(f"{name}_{key}", sub)
            if key in _ARRAY_OR_OBJECT:
                kind = list[obj] | obj | UnsetType | None  # type: ignore[valid-type]
            elif key in _ARRAYS:
                kind = list[obj] | UnsetType | None  # type: ignore[valid-type]
            else:
                kind = obj | UnsetType | None
        fields.append((key, kind, UNSET))
    return msgspec.defstruct(name, [*fields, *extra])


# Read, not kept: they decide whether the line is a release at all.
_NOT_KEPT = ("version", "releases", "records", "compiledRelease", "versionedRelease")
_DECODER = msgspec.json.Decoder(
    _struct(
        "_Release",
        RELEASE_SPEC,
        (
            ("version", Any, UNSET),
            *((key, msgspec.Raw | UnsetType, UNSET) for key in _NOT_KEPT[1:]),
        ),
    )
)
_ENCODER = msgspec.json.Encoder()
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError)


def _leafy(value: Any) -> bool:
    """`_has_leaf` for decoded values, Structs included."""
    if isinstance(value, Struct):
        return any(
            _leafy(v)
            for name in value.__struct_fields__
            if (v := getattr(value, name)) is not UNSET
        )
    if type(value) is list:
        return any(
            _leafy(v) if isinstance(v, Struct) else (type(v) is not dict or _has_leaf(v))
            for v in value
        )
    return _has_leaf(value)


def _needs_full_release(obj: Struct) -> bool:
    """Whether an object below `obj` is one that `project` keeps whole (nothing with a
    value left, not even its `id`): only the full release gives it."""
    for name in obj.__struct_fields__:
        value = getattr(obj, name)
        for child in value if type(value) is list else (value,):
            if isinstance(child, Struct) and (
                (_id_may_be_empty(getattr(child, "id", UNSET)) and not _leafy(child))
                or _needs_full_release(child)
            ):
                return True
    return False


def project_line(line: bytes) -> tuple[str, str, bytes] | None:
    """(ocid, date, JSON of the projection) of a JSON Lines line holding one OCDS 1.1
    release, equal to `orjson.dumps(project(orjson.loads(line)))` once parsed; None when
    the line needs the usual path."""
    if not line.isascii():
        try:
            line.decode()  # msgspec does not check the text of the fields it skips
        except UnicodeDecodeError:
            return None
    try:
        release = _DECODER.decode(line)
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
    release.version = UNSET
    doc = _ENCODER.encode(release)
    # An object without a leaf holds, at its innermost, an empty object or array: when
    # the JSON has neither, no object needs checking.
    if (b"{}" in doc or b"[]" in doc) and _needs_full_release(release):
        return None
    return ocid.strip(), date if type(date) is str else "", doc
