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
    if len(out) < len(obj) and "id" not in obj and not _has_leaf(out):
        return obj
    return out


_FLAT_SPECS = {id(_ORG_SPEC), id(_ITEM_SPEC), id(RELEASE_SPEC["parties"])}


# -- the same projection while decoding (msgspec) -------------------------------------
#
# One Struct per object of RELEASE_SPEC: a field absent from the JSON stays UNSET (and
# is left out when encoding), `null` stays None, fields not declared are skipped.
# Objects and arrays that the reader checks (tender; awards, contracts, parties and
# items as arrays of objects) accept only their expected type: anything else fails to
# decode and the line takes the usual path, which reports or handles it.


class _Org(Struct):
    id: Any = UNSET
    name: Any = UNSET
    identifier: Any = UNSET
    address: Any = UNSET


class _Party(_Org):
    roles: Any = UNSET


class _Item(Struct):
    id: Any = UNSET
    description: Any = UNSET
    classification: Any = UNSET
    additionalClassifications: Any = UNSET


class _Stage(Struct):
    id: Any = UNSET
    value: Any = UNSET
    awardID: Any = UNSET
    # An object where the array belongs is read as the array of it (see extract.py).
    suppliers: list[_Org] | _Org | UnsetType | None = UNSET
    items: list[_Item] | UnsetType | None = UNSET


class _Tender(Struct):
    id: Any = UNSET
    title: Any = UNSET
    description: Any = UNSET
    value: Any = UNSET
    procuringEntity: _Org | UnsetType | None = UNSET
    items: list[_Item] | UnsetType | None = UNSET


class _Release(Struct):
    ocid: Any = UNSET
    id: Any = UNSET
    date: Any = UNSET
    buyer: _Org | UnsetType | None = UNSET
    parties: list[_Party] | UnsetType | None = UNSET
    tender: _Tender | UnsetType | None = UNSET
    awards: list[_Stage] | UnsetType | None = UNSET
    contracts: list[_Stage] | UnsetType | None = UNSET
    # Read, not kept: they decide whether the line is a release at all.
    version: Any = UNSET
    releases: msgspec.Raw | UnsetType = UNSET
    records: msgspec.Raw | UnsetType = UNSET
    compiledRelease: msgspec.Raw | UnsetType = UNSET
    versionedRelease: msgspec.Raw | UnsetType = UNSET


_DECODER = msgspec.json.Decoder(_Release)
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


def _kept_whole(obj: Any) -> bool:
    """Whether `project` would keep this object whole (see RELEASE_SPEC's note)."""
    return obj.id is UNSET and not _leafy(obj)


def _orgs(value: Any) -> list[Any]:
    if isinstance(value, Struct):
        return [value]
    return value if type(value) is list else []


def _needs_full_release(release: _Release) -> bool:
    """Objects that `project` would keep whole: only the full release gives them."""
    objects: list[Any] = [release.buyer, release.tender]
    if isinstance(release.tender, _Tender):
        objects.append(release.tender.procuringEntity)
        objects.extend(_orgs(release.tender.items))
    objects.extend(_orgs(release.parties))
    for stage in (*_orgs(release.awards), *_orgs(release.contracts)):
        objects.append(stage)
        objects.extend(_orgs(stage.suppliers))
        objects.extend(_orgs(stage.items))
    return any(isinstance(obj, Struct) and _kept_whole(obj) for obj in objects)


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
        or release.releases is not UNSET
        or release.records is not UNSET
        or release.compiledRelease is not UNSET
        or release.versionedRelease is not UNSET
    ):
        return None
    release.version = UNSET
    doc = _ENCODER.encode(release)
    # An object without a leaf holds, at its innermost, an empty object or array: when
    # the JSON has neither, no object needs checking.
    if (b"{}" in doc or b"[]" in doc) and _needs_full_release(release):
        return None
    return ocid.strip(), date if type(date) is str else "", doc
