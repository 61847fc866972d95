"""One row per item of a compiled release: the input of the screening engine.

The compiled release is a plain one (a publisher's compiledRelease, ocdsmerge's) or the
merged tree of `merge.compile_tree`, read as it is: its arrays of objects are
`MergedArray`s and fields later releases set to null are None, which reads as missing.

The rows follow `pipeline.ITEM_COLUMNS` (without `row_id`): ocid, source, stage, stage
id, item id, description, normalised description, classification (scheme, id, UNSPSC
and CPV digits, where the code came from), buyer, tender title, suppliers, supplier
identifiers and country, value.

This module and `merge` are the hot loop of a screening: `make` compiles both with
mypyc (see `native.py`); they stay plain, typed Python that also runs uncompiled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any, NamedTuple, TypeGuard

import orjson

from bhrplan.lib.text import normalize_key
from bhrplan.procurement.ocds.merge import MergedArray, MergedObject, plain
from bhrplan.procurement.ocds.projection import LANGUAGES
from bhrplan.procurement.reference import CPV_DIVISIONS, country_code, unspsc_segments


def _text(value: Any) -> str:
    if type(value) is str:
        # Already clean (the common case): no need to split and join again.
        if value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
            return value
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dict | list):
        # An object or list where text belongs: as JSON with sorted keys, so that it reads
        # the same whichever merge (ours or ocdsmerge's) ordered its keys.
        value = orjson.dumps(plain(value), option=orjson.OPT_SORT_KEYS).decode()
    return " ".join(str(value).split())


_NOT_DIGITS = re.compile(r"\D+")


def _variant_text(obj: dict[str, Any], name: str) -> str:
    """A text field, else its first language variant (`description_en` …, see
    projection.LANGUAGES) that has text."""
    text = _text(obj.get(name))
    if not text:
        for language in LANGUAGES:
            variant = obj.get(f"{name}_{language}")
            if variant is not None:
                text = _text(variant)
                if text:
                    break
    return text


def _digits(value: str) -> str:
    return _NOT_DIGITS.sub("", value)


# CPV as publishers write it: "CPV", "CPV 2008", "EU-CPV", "cpv:2008"; Ukraine's
# Prozorro names it ДК021 (DK 021:2015 is the CPV). Not "CPVS": the CPV's supplementary
# vocabulary (AA01-1 …), whose codes are not CPV codes.
_CPV_SCHEME = re.compile(r"(eu[\s_:-]*)?cpv([\s_:-]*v?\d{4})?|(дк|dk)[\s_:-]*021([\s_:-]*\d{4})?")


@cache
def normalize_scheme(scheme: str, uri: str = "") -> str:
    key = normalize_key(scheme)
    if "unspsc" in key:
        return "UNSPSC"
    if _CPV_SCHEME.fullmatch(key):
        return "CPV"
    if "contrataciones" in key or "dncp" in key or "contrataciones.gov.py" in uri:
        return "DNCP"
    if "cubso" in key:  # Peru's catalogue: its codes start with the 8-digit UNSPSC code
        return "CUBSO"
    return scheme.strip()


@lru_cache(maxsize=65536, typed=True)
def _classification(raw_scheme: Any, raw_uri: Any, raw_id: Any) -> tuple[str, str, str, str]:
    """(scheme, id, unspsc digits, cpv digits) of one classification (codes repeat a lot)."""
    text = _text(raw_scheme)
    scheme = normalize_scheme(text, _text(raw_uri)) if text else ""
    code = _text(raw_id)
    unspsc = cpv = ""
    if code:
        if scheme == "UNSPSC":
            unspsc = _unspsc(_digits(code)[:8])
        elif scheme == "DNCP" or scheme == "CUBSO":
            unspsc = _unspsc(_digits(code.split("-")[0])[:8])
        elif scheme == "CPV":
            cpv = _digits(code.split("-")[0])[:8]
            cpv = cpv if len(cpv) >= 2 and cpv[:2] in CPV_DIVISIONS else ""
    return scheme, code, unspsc, cpv


def _unspsc(digits: str) -> str:
    """The digits of a UNSPSC code, or "" when they cannot be one (no such segment):
    such a code is published but not usable for matching."""
    return digits if len(digits) >= 2 and digits[:2] in unspsc_segments() else ""


def classification_fields(item: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """(scheme, id, unspsc digits, cpv digits, code origin) from the item's classifications:
    the first one (classification, then additionalClassifications) whose code the risk
    mapping can read — a local scheme first and UNSPSC among the additional ones gives the
    UNSPSC code —, else the first one with a code.

    Colombia's SECOP I data gives the UNSPSC scheme without a classification id and puts
    the UNSPSC code in the item id (e.g. 78000000, 801116): that code is used for
    matching with origin "item id", while `id` stays empty (not published).
    """
    candidates = [item.get("classification")]
    extra = item.get("additionalClassifications")
    if type(extra) is MergedArray:  # the tender's own, merged by id (not whole-list)
        candidates.extend(extra.values())
    elif isinstance(extra, list):
        candidates.extend(extra)
    first_scheme = ""
    published: tuple[str, str, str, str, str] | None = None  # the first with a code
    for cls in candidates:
        if not _is_object(cls):
            continue
        # Paraguay's DNCP publishes `schema` instead of `scheme`.
        raw = (cls.get("scheme") or cls.get("schema"), cls.get("uri"), cls.get("id"))
        try:
            scheme, code, unspsc, cpv = _classification(*raw)
        except TypeError:  # an object or array where text belongs: not cacheable
            scheme, code, unspsc, cpv = _classification.__wrapped__(*raw)
        first_scheme = first_scheme or scheme
        if unspsc or cpv:  # the first code the mapping can read, wherever it is
            return scheme, code, unspsc, cpv, "classification"
        if code and published is None:
            published = (scheme, code, unspsc, cpv, "classification")
    if published is not None:
        return published
    item_id = _text(item.get("id"))
    if (
        first_scheme == "UNSPSC"
        and item_id.isdigit()
        and len(item_id) in (6, 8)
        and _unspsc(item_id)
    ):
        return first_scheme, "", item_id, "", "item id"
    return first_scheme, "", "", "", ""


def _is_object(value: Any) -> TypeGuard[dict[str, Any]]:
    """Whether a value is a JSON object: in a merged tree an array of objects is a
    `MergedArray`, a dict too, which must read as the array it is (as in the plain
    compiled release)."""
    return isinstance(value, dict) and type(value) is not MergedArray


def _as_list(value: Any) -> list[dict[str, Any]]:
    if type(value) is MergedArray:  # from merge.compile_tree: its objects by id, in order
        return list(value.values())
    # OCDS 1.0 data in the wild sometimes has a single object where an array belongs.
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _suppliers(value: Any) -> list[dict[str, Any]]:
    """Suppliers as organisation references; a supplier written as its name alone
    (["Acme SA"], seen in the wild) is the organisation of that name."""
    if isinstance(value, list):
        return [
            v if isinstance(v, dict) else {"name": v}
            for v in value
            if isinstance(v, dict) or (isinstance(v, str) and v.strip())
        ]
    return _as_list(value)


@lru_cache(maxsize=8192)
def _country(value: str) -> str:
    return country_code(value)


# OCDS asks for identifier schemes from org-id.guide, whose codes start with the ISO
# 3166-1 code of the register's country ("PY-RUC", "CN-USCC", "GB-COH"); codes starting
# with X ("XI-IATI", "XM-DAC") are international registers, of no country.
_ORG_ID = re.compile(r"([A-WYZ][A-Z])-[A-Z0-9]{2,}")


# An organisation id written "register-number" ("PE-RUC-20568024878"); the register
# counts when `_scheme_country` knows it (an org-id.guide code of a country).
_ORG_ID_IN_ID = re.compile(r"([A-Z]{2}-[A-Z]{2,8})-(\S+)")


@lru_cache(maxsize=1024)
def _scheme_country(scheme: str) -> str:
    """The country of an org-id.guide register ("CN-USCC" → "CN"), else ""."""
    match = _ORG_ID.fullmatch(scheme)
    return country_code(match.group(1)) if match else ""


# Normalised descriptions: catalogue descriptions repeat across processes. Emptied when
# it grows past _NORMALIZED_MAX, so memory stays bounded.
_NORMALIZED: dict[str, str] = {}
_NORMALIZED_MAX = 200_000


def _normalized(description: str) -> str:
    norm = _NORMALIZED.get(description)
    if norm is None:
        if len(_NORMALIZED) >= _NORMALIZED_MAX:
            _NORMALIZED.clear()
        norm = _NORMALIZED[description] = normalize_key(description)
    return norm


def _present(value: Any) -> bool:
    """Whether a value counts as given, as in the plain compiled release: an object of a
    merged tree whose fields were all set to null by later releases does not."""
    if type(value) is MergedObject:
        return any(v is not None for v in value.values())
    return bool(value)


def _org(ref: dict[str, Any], parties: dict[str, dict[str, Any]]) -> tuple[str, str, str, str]:
    """(name, identifier, country code, where the country came from) for an org reference."""
    party = parties.get(_text(ref.get("id")), {}) if ref.get("id") is not None else {}
    name = _text(ref.get("name") or party.get("name"))
    if not name:
        name = _variant_text(ref, "name") or _variant_text(party, "name")
    identifier = ref.get("identifier")
    if not _present(identifier):
        identifier = party.get("identifier") or {}
    ident = ""
    scheme = _text(identifier.get("scheme")) if _is_object(identifier) else ""
    if _is_object(identifier) and identifier.get("id") not in (None, ""):
        ident = _text(identifier.get("id"))
        ident = f"{scheme}:{ident}" if scheme and len(scheme) <= 12 else ident
    elif not scheme and type(ref.get("id")) is str:
        # No identifier published: an id written as OCDS recommends party ids
        # ("PE-RUC-20568024878": register, then the organisation's number) names both.
        match = _ORG_ID_IN_ID.fullmatch(ref["id"].strip())
        if match and _scheme_country(match.group(1)):
            scheme = match.group(1)
            ident = f"{scheme}:{match.group(2)}"
    country = ""
    source = ""
    for where, holder in (("supplier address", party), ("supplier address", ref)):
        address = holder.get("address") if _is_object(holder) else None
        if _is_object(address):
            country = _country(_text(address.get("country"))) or _country(
                _text(address.get("countryName"))
            )
            if country:
                source = where
                break
    if not country and scheme:
        country = _scheme_country(scheme)
        source = "supplier identifier" if country else ""
    return name, ident, country, source


def _parent_name(ref: dict[str, Any], parties: dict[str, dict[str, Any]]) -> str:
    """The name of the organisation a buyer is part of (the OCDS memberOf extension:
    `memberOf`, a list of organisation references, on the party or the reference)."""
    party = parties.get(_text(ref.get("id")), {}) if ref.get("id") is not None else {}
    for holder in (party, ref):
        for parent in _as_list(holder.get("memberOf")):
            name = _text(parent.get("name"))
            if not name and parent.get("id") is not None:
                name = _text(parties.get(_text(parent.get("id")), {}).get("name"))
            if name:
                return name
    return ""


# An amount some publishers write as text: plain digits with an optional decimal point.
# Anything else ("1.234,56", "USD 10") is not read: its meaning depends on a locale.
_AMOUNT_TEXT = re.compile(r"-?\d+(\.\d+)?")


def _value(obj: dict[str, Any]) -> tuple[float | None, str]:
    value = obj.get("value")
    if _is_object(value):
        amount = value.get("amount")
        if type(amount) is str and _AMOUNT_TEXT.fullmatch(amount.strip()):
            amount = float(amount)
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return float(amount), _text(value.get("currency"))
    return None, ""


# Awards and contracts through which nothing was bought (OCDS award and contract status
# codelists): an unsuccessful award names a losing bidder, a cancelled award was
# withdrawn, a cancelled contract was cancelled before it was signed. Their items are
# not screened as bought from their suppliers (the tender's items still are).
_NOT_AWARDED = frozenset({"unsuccessful", "cancelled"})
_NOT_SIGNED = frozenset({"cancelled"})


def _status(holder: dict[str, Any]) -> str:
    status = holder.get("status")
    return status.strip().lower() if type(status) is str else ""


def extract_rows(
    ocid: str, source: str, release: dict[str, Any], rows: list[tuple[Any, ...]]
) -> None:
    """Append one tuple per item of tender, awards and contracts, in ROW_NAMES order.

    What publishers leave out is filled in from where OCDS lets it be read:
    - an award that lists no items (and no contract signed from it does) covers the
      tender's items — those of its lots when both give lots —, and so does a contract
      that lists none and comes from no award: their suppliers are what a screening
      needs (Ecuador and the UK list items in the tender only);
    - an item without a usable code takes the code the tender gives for the whole
      process (`tender.classification` or `additionalClassifications`, origin
      "tender classification");
    - an award without a value takes that of the contracts signed from it;
    - a process that lists no items at all is screened by its titles: one row without
      an item (item id None) for its tender and for each award or contract.
    """
    parties = {
        _text(p.get("id")): p for p in _as_list(release.get("parties")) if p.get("id") is not None
    }
    tender = release.get("tender") if _is_object(release.get("tender")) else {}
    assert isinstance(tender, dict)
    buyer_ref = release.get("buyer") if _is_object(release.get("buyer")) else None
    if buyer_ref is None:
        buyer_ref = next(
            (p for p in parties.values() if "buyer" in (p.get("roles") or [])),
            tender.get("procuringEntity") if _is_object(tender.get("procuringEntity")) else {},
        )
    buyer, buyer_id, _c, _s = _org(buyer_ref or {}, parties)
    parent = _parent_name(buyer_ref or {}, parties)
    if parent and buyer and parent.casefold() not in buyer.casefold():
        # A unit named alike in many institutions ("Unidad Central"): with its own.
        buyer = f"{buyer} ({parent})"
    tender_title = _variant_text(tender, "title") or _variant_text(tender, "description") or None
    tender_amount, tender_currency = _value(tender)
    awards = {_text(a.get("id")): a for a in _as_list(release.get("awards"))}
    # What is screened: nothing was bought through an unsuccessful or cancelled award or
    # a cancelled contract (their items alone leave a process with none to screen).
    awarded = {key: a for key, a in awards.items() if _status(a) not in _NOT_AWARDED}
    contracts = [c for c in _as_list(release.get("contracts")) if _status(c) not in _NOT_SIGNED]
    tender_items = _as_list(tender.get("items"))
    listed = bool(tender_items) or any(
        _as_list(holder.get("items")) for holder in (*awarded.values(), *contracts)
    )
    untitled: list[None] = [None]  # a process without items: its titles
    # Awards whose items a contract lists, and the value of the contracts of each award
    # (summed when they share a currency, else the first one's).
    contracted: set[str] = set()
    contract_values: dict[str, tuple[float | None, str]] = {}
    for contract in contracts:
        award_id = _text(contract.get("awardID"))
        if _as_list(contract.get("items")):
            contracted.add(award_id)
        amount, currency = _value(contract)
        if amount is None:
            continue
        known, known_currency = contract_values.get(award_id, (None, currency))
        if known is None:
            contract_values[award_id] = (amount, currency)
        elif known_currency == currency:
            contract_values[award_id] = (known + amount, currency)
    context = _Process(
        ocid=ocid,
        source=source,
        parties=parties,
        buyer=buyer,
        buyer_id=buyer_id,
        tender_title=tender_title,
        tender_amount=tender_amount,
        tender_currency=tender_currency,
        tender=tender,
        tender_code=_tender_code(tender),
    )
    _add_rows(
        rows,
        context,
        "tender",
        _text(tender.get("id")),
        tender,
        [],
        tender_items if listed else untitled,
        None,
        None,
    )
    for award_id, award in awarded.items():
        items: Sequence[dict[str, Any] | None] = _as_list(award.get("items"))
        titled: dict[str, Any] | None = award
        if not items and award_id not in contracted:
            # the tender's items are described (or titled) by the tender
            items, titled = (_lot_items(tender_items, award), None) if listed else (untitled, award)
        _add_rows(
            rows,
            context,
            "award",
            award_id,
            award,
            _suppliers(award.get("suppliers")),
            items,
            contract_values.get(award_id),
            titled,
        )
    for contract in contracts:
        signed_from = awards.get(_text(contract.get("awardID")))
        suppliers = _suppliers(contract.get("suppliers"))
        if not suppliers and signed_from is not None:
            suppliers = _suppliers(signed_from.get("suppliers"))
        items = _as_list(contract.get("items"))
        titled = contract
        if not items and signed_from is None:
            items, titled = (tender_items, None) if listed else (untitled, contract)
        _add_rows(
            rows,
            context,
            "contract",
            _text(contract.get("id")),
            contract,
            suppliers,
            items,
            None,
            titled,
        )


def _lot_items(items: list[dict[str, Any]], award: dict[str, Any]) -> list[dict[str, Any]]:
    """The tender items an award covers: those of its lots (`relatedLots`, items'
    `relatedLot`) when both are given, else all of them."""
    lots = award.get("relatedLots")
    if not isinstance(lots, list) or not lots:
        return items
    wanted = {_text(lot) for lot in lots}
    if all(item.get("relatedLot") is None for item in items):
        return items
    return [item for item in items if _text(item.get("relatedLot")) in wanted]


# A classification as `classification_fields` gives it.
_Code = tuple[str, str, str, str, str]


# What every row of one compiled release shares: ocid, source, parties by id, buyer,
# buyer id, tender title, tender amount and currency, the tender, its own usable code.
class _Process(NamedTuple):
    ocid: str
    source: str
    parties: dict[str, dict[str, Any]]
    buyer: str
    buyer_id: str
    tender_title: str | None
    tender_amount: float | None
    tender_currency: str
    tender: dict[str, Any]
    tender_code: _Code


def _tender_code(tender: dict[str, Any]) -> _Code:
    """The code the tender gives for the whole process, when the risk mapping can read
    it (origin "tender classification"), else empty: for items without a usable one."""
    scheme, code, unspsc, cpv, _origin = classification_fields(tender)
    if not (unspsc or cpv):
        return ("", "", "", "", "")
    return (scheme, code, unspsc, cpv, "tender classification")


def _heading(holder: dict[str, Any]) -> str:
    """The normalised title and description of a tender, award or contract (" | "
    between them): what an item without a description, or a process without items, is
    searched in. Publishers put the subject in either (South Africa's eTenders titles a
    tender "NB124/2026" and describes it "SHE & FIRST AID TRAINING")."""
    parts: list[str] = []
    for name in ("title", "description"):
        text = _variant_text(holder, name)
        if text:
            norm = _normalized(text)
            if norm and norm not in parts:
                parts.append(norm)
    return " | ".join(parts)


def _add_rows(
    rows: list[tuple[Any, ...]],
    context: _Process,
    stage: str,
    stage_id: str,
    holder: dict[str, Any],
    suppliers: list[dict[str, Any]],
    items: Sequence[dict[str, Any] | None],
    fallback_value: tuple[float | None, str] | None,
    titled: dict[str, Any] | None,
) -> None:
    """One row per item of a tender, award or contract (None: the process lists no
    items, its title is screened instead)."""
    ocid, source, parties = context.ocid, context.source, context.parties
    if not items:
        return
    amount, currency = _value(holder)
    if amount is None and fallback_value is not None:
        amount, currency = fallback_value
    if amount is None:
        amount, currency = context.tender_amount, context.tender_currency
    orgs = [_org(s, parties) for s in suppliers]
    names = "; ".join(o[0] for o in orgs if o[0]) or None
    idents = "; ".join(o[1] for o in orgs if o[1]) or None
    country, country_source = next(((o[2], o[3]) for o in orgs if o[2]), ("", ""))
    common = (
        context.buyer or None,
        context.buyer_id or None,
        context.tender_title,
        names,
        idents,
        country or None,
        country_source or None,
        amount,
        currency or None,
    )
    # An item without any description is searched in the title and description of what
    # holds it (the award's or contract's, else the tender's): the engine tells such a
    # match apart. Normalised when first needed: most items have a description, and
    # normalising every title would crowd the descriptions out of `_normalized`'s cache.
    heading: str | None = None
    tender_code = context.tender_code
    for item in items:
        description = "" if item is None else _variant_text(item, "description")
        if item is not None and not description and _is_object(item.get("classification")):
            description = _text(item["classification"].get("description"))
        if description:
            norm = _normalized(description)
        else:
            if heading is None:  # (titled None: the tender's items, which it describes)
                heading = _heading(titled) if titled is not None else ""
                heading = heading or _heading(context.tender)
            norm = heading
        if item is None:
            if norm:
                rows.append(
                    (
                        ocid,
                        source,
                        stage,
                        stage_id,
                        None,
                        "",
                        norm,
                        *_code_columns(tender_code),
                        *common,
                    )
                )
            continue
        # The Spanish and English versions are searched too (the keywords' languages).
        for variant in (item.get("description_es"), item.get("description_en")):
            if variant is not None:
                text = _text(variant)
                if text and text != description:
                    norm = f"{norm} | {_normalized(text)}"
        code = classification_fields(item)
        if not (code[2] or code[3]) and tender_code[4]:
            code = tender_code
        rows.append(
            (
                ocid,
                source,
                stage,
                stage_id,
                _text(item.get("id")),
                description,
                norm,
                *_code_columns(code),
                *common,
            )
        )


def _code_columns(code: tuple[str, str, str, str, str]) -> tuple[str | None, ...]:
    """scheme, classification id, unspsc, code origin, cpv (the columns' order)."""
    scheme, ident, unspsc, cpv, origin = code
    return (scheme or None, ident or None, unspsc or None, origin or None, cpv or None)
