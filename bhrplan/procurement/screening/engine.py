"""The screening rules as one set of Ibis expressions (DuckDB by default, PySpark optional).

Input: the `items` table built by ocds.pipeline. Output: one row per flagged item and
risk category. A flag means "due diligence needed", never a finding of abuse; missing
data stays visible (country "unknown", never "no risk").

Matching, per item:
1. classification code: UNSPSC (also DNCP codes, whose first 8 digits are UNSPSC) and
   CPV prefixes of the risk-category mapping; the longest matching prefix gives the
   confidence (class or deeper: high, family: medium, segment/division: low);
2. otherwise keywords in the description (Spanish and English, accent-insensitive,
   whole words): medium confidence when the item has no code, low when its code did not
   match (the description contradicts or refines the code);
3. the supplier's country (from its address, or the register of its identifier), when
   published, joined with the US DoL list for the category's goods: "listed", "not
   listed" or "unknown".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import ibis
import pyarrow as pa
from ibis import _

from bhrplan.procurement.reference import dol_entries, risk_categories

FLAG_COLUMNS = (
    "row_id",
    "ocid",
    "buyer",
    "buyer_id",
    "suppliers",
    "supplier_ids",
    "stage",
    "stage_id",
    "item_id",
    "description",
    "scheme",
    "classification_id",
    "code_origin",
    "category",
    "risk_types",
    "evidence",
    "matched",
    "supplier_country",
    "country_status",
    "country_evidence",
    "source",
    "confidence",
    "value_amount",
    "currency",
    "tender_title",
)


def code_map_table() -> pa.Table:
    rows: dict[str, list[Any]] = {"category": [], "system": [], "prefix": [], "level": []}
    for cat in risk_categories():
        for system, codes in (("unspsc", cat.unspsc), ("cpv", cat.cpv), ("dncp", cat.dncp)):
            for code in codes:
                rows["category"].append(cat.slug)
                rows["system"].append(system)
                rows["prefix"].append(code)
                rows["level"].append(len(code))
    return pa.table(rows)


def keyword_table() -> pa.Table:
    cats = risk_categories()
    return pa.table(
        {
            "category": [c.slug for c in cats],
            "pattern": [c.keyword_pattern for c in cats],
            "hidden": [c.not_keyword_pattern for c in cats],
        }
    )


def category_table() -> pa.Table:
    cats = risk_categories()
    return pa.table(
        {
            "category": [c.slug for c in cats],
            "risk_types": ["; ".join(c.risk_types) for c in cats],
        }
    )


def dol_table() -> pa.Table:
    """(category, ISO country) → DoL risk types and goods, one row per pair."""
    goods_to_categories: dict[str, list[str]] = defaultdict(list)
    for cat in risk_categories():
        for good in cat.dol_goods:
            goods_to_categories[good].append(cat.slug)
    merged: dict[tuple[str, str], dict[str, set[str]]] = {}
    for entry in dol_entries():
        if not entry.country_code:
            continue
        for slug in goods_to_categories.get(entry.good, ()):
            slot = merged.setdefault(
                (slug, entry.country_code), {"types": set(), "goods": set(), "derived": set()}
            )
            slot["types"].update(entry.risk_types)
            if entry.risk_types:
                slot["goods"].add(entry.good)
            if entry.derived:
                slot["derived"].add(entry.good)
    keys = sorted(merged)
    return pa.table(
        {
            "category": [k[0] for k in keys],
            "dol_country": [k[1] for k in keys],
            "dol_types": ["; ".join(sorted(merged[k]["types"])) for k in keys],
            "dol_goods": ["; ".join(sorted(merged[k]["goods"])) for k in keys],
            "dol_derived": ["; ".join(sorted(merged[k]["derived"])) for k in keys],
        }
    )


def _confidence_for_level(level: ibis.Value) -> ibis.Value:
    return (
        ibis.cases((level >= 6, "high"), (level >= 4, "medium"), else_="low")  # type: ignore[attr-defined]
    )


def _without(text: ibis.StringValue, hidden: str) -> ibis.StringValue:
    """The text with the phrases of `hidden` (a keywords_pattern, "" for none) taken out.
    Twice: a match takes the space before and after it, so one right after another
    ("… color cafe color cafe") is found by the second pass."""
    if not hidden:
        return text
    return text.re_replace(hidden, " ").re_replace(hidden, " ")


def screen(items: ibis.Table) -> ibis.Table:
    """Flags for the items table; deterministic order (row_id, category)."""
    return flag_details(item_hits(items), items).order_by(["row_id", "category"])


def item_hits(items: ibis.Table) -> ibis.Table:
    """What flags each item, narrow: row_id, category, matched, evidence, confidence.

    A screening on DuckDB stores these first (`run.py`), so that the join with the wide
    item columns runs on its own, within the memory limit.
    """
    code_map = ibis.memtable(code_map_table())
    keywords = keyword_table()

    base = items.select("row_id", "unspsc", "cpv", "classification_id", "scheme", "code_origin")

    levels = sorted(set(code_map_table().column("level").to_pylist()))

    def code_hits(system: str, column: str, table: ibis.Table) -> ibis.Table:
        # "code starts with prefix" as one equality join per prefix length: hash joins
        # instead of comparing every item with every prefix.
        parts = []
        for level in levels:
            cm = code_map.filter((code_map.system == system) & (code_map.level == level))
            keyed = table.select("row_id", "code_origin", key=table[column].substr(0, level))
            joined = keyed.join(cm, keyed.key == cm.prefix)
            parts.append(
                joined.select(
                    row_id=joined.row_id,
                    category=joined.category,
                    matched=joined.system.upper() + ibis.literal(" ") + joined.prefix,
                    level=joined.level,
                    code_origin=joined.code_origin,
                )
            )
        return ibis.union(*parts)

    hits = (
        code_hits("unspsc", "unspsc", base.filter(base.unspsc.notnull()))
        .union(code_hits("cpv", "cpv", base.filter(base.cpv.notnull())))
        .union(
            code_hits(
                "dncp",
                "classification_id",
                base.filter((base.scheme == "DNCP") & base.classification_id.notnull()),
            )
        )
    )
    best = hits.group_by(["row_id", "category"]).aggregate(
        level=_.level.max(), matched=_.matched.max(), code_origin=_.code_origin.max()
    )
    # A code the tender gives for the whole process (extract.py: the item has no usable
    # code of its own) says less about this item: low confidence, told apart.
    whole = best.code_origin.fill_null("") == "tender classification"
    code_flags = best.select(
        "row_id",
        "category",
        "matched",
        evidence=ibis.ifelse(whole, "tender code", "code"),
        confidence=ibis.ifelse(whole, "low", _confidence_for_level(best.level)),
    )

    coded_rows = best.select("row_id").distinct()
    unmatched = items.anti_join(coded_rows, "row_id")
    # Keywords are searched once per distinct description (catalogue descriptions repeat
    # across items and processes), then joined back to the items that carry it. The
    # search reads the group's value (`text`), not the grouping key: a filter on the key
    # would be pushed below the grouping by the optimiser, back onto every item.
    texts = unmatched.group_by("description_norm").aggregate(text=_.description_norm.max())
    text_parts = []
    for slug, pattern, hidden in zip(
        keywords.column("category").to_pylist(),
        keywords.column("pattern").to_pylist(),
        keywords.column("hidden").to_pylist(),
        strict=True,
    ):
        searched = texts.mutate(searched=_without(texts.text, hidden))
        part = searched.filter(searched.searched.re_search(pattern))
        text_parts.append(
            part.select(
                "description_norm",
                category=ibis.literal(slug),
                matched=part.searched.re_extract(pattern, 2),
            )
        )
    text_hits = ibis.union(*text_parts)
    keyworded = unmatched.join(text_hits, "description_norm")
    # An item without a description was searched in the title of its tender, award or
    # contract (extract.py): a match there says less about this item.
    in_title = keyworded.description.isnull() | (keyworded.description == "")
    keyword_flags = keyworded.select(
        "row_id",
        "category",
        "matched",
        evidence=ibis.ifelse(in_title, "title keyword", "keyword"),
        confidence=ibis.ifelse(
            keyworded.unspsc.isnull() & keyworded.cpv.isnull() & ~in_title, "medium", "low"
        ),
    )

    return code_flags.union(keyword_flags)


def flag_details(hits: ibis.Table, items: ibis.Table) -> ibis.Table:
    """One row per flag (see FLAG_COLUMNS): item, risk category, country, evidence."""
    categories = ibis.memtable(category_table())
    dol = ibis.memtable(dol_table())
    flagged = hits.join(items, "row_id").join(categories, "category")
    with_country = flagged.left_join(
        dol,
        (flagged.category == dol.category) & (flagged.supplier_country == dol.dol_country),
    )
    country_status = ibis.cases(  # type: ignore[attr-defined]
        (with_country.supplier_country.isnull(), "unknown"),
        (with_country.dol_country.notnull() & (with_country.dol_types != ""), "listed"),
        else_="not listed",
    )
    country_evidence = ibis.ifelse(
        with_country.dol_country.notnull() & (with_country.dol_types != ""),
        with_country.supplier_country
        + ibis.literal(": ")
        + with_country.dol_types
        + ibis.literal(" (")
        + with_country.dol_goods
        + ibis.literal(")"),
        ibis.null(str),
    )
    result = with_country.select(
        row_id=with_country.row_id,
        ocid=with_country.ocid,
        buyer=with_country.buyer,
        buyer_id=with_country.buyer_id,
        suppliers=with_country.suppliers,
        supplier_ids=with_country.supplier_ids,
        stage=with_country.stage,
        stage_id=with_country.stage_id,
        item_id=with_country.item_id,
        description=with_country.description,
        scheme=with_country.scheme,
        classification_id=with_country.classification_id,
        code_origin=with_country.code_origin,
        category=with_country.category,
        risk_types=with_country.risk_types,
        evidence=with_country.evidence,
        matched=with_country.matched,
        supplier_country=with_country.supplier_country.fill_null("unknown"),
        country_status=country_status,
        country_evidence=country_evidence,
        source=with_country.source,
        confidence=with_country.confidence,
        value_amount=with_country.value_amount,
        currency=with_country.currency,
        tender_title=with_country.tender_title,
    )
    return result


def coverage(items: ibis.Table) -> ibis.Table:
    """What the dataset can support: shares of items with each kind of data."""
    # Rows without an item id stand for processes that list no items (their titles are
    # screened, extract.py): counted apart, not as items.
    listed = items.item_id.notnull()

    def count(condition: ibis.BooleanValue) -> ibis.IntegerScalar:
        return (condition & listed).sum()

    return items.aggregate(
        items=listed.sum(),
        tenders=items.ocid.nunique(where=listed),
        titles_only=items.ocid.nunique(where=~listed),
        with_classification=count(items.unspsc.notnull() | items.cpv.notnull()),
        with_published_code=count(items.classification_id.notnull()),
        unspsc=count(items.scheme == "UNSPSC"),
        cpv=count(items.scheme == "CPV"),
        dncp=count(items.scheme == "DNCP"),
        other_scheme=count(items.scheme.notnull() & ~items.scheme.isin(["UNSPSC", "CPV", "DNCP"])),
        with_description=count(items.description.notnull() & (items.description != "")),
        with_supplier=count(items.suppliers.notnull()),
        with_supplier_id=count(items.supplier_ids.notnull()),
        with_country=count(items.supplier_country.notnull()),
    )


def summary(flags: ibis.Table) -> ibis.Table:
    """Counts kept with the screening's metadata (plans cite them; see figures.py).

    `contracts`: awards or contracts with at least one flagged item. An award and the
    contract signed from it usually carry the same items, so each process counts the
    larger of its flagged awards and its flagged contracts, never their sum.
    """
    awarded = flags.filter(flags.stage.isin(["award", "contract"]))
    per_process = awarded.group_by("ocid").aggregate(
        awards=awarded.stage_id.nunique(where=awarded.stage == "award"),
        contracts=awarded.stage_id.nunique(where=awarded.stage == "contract"),
    )
    contracts = per_process.aggregate(
        contracts=ibis.greatest(per_process.awards, per_process.contracts).sum()
    )
    counts = flags.aggregate(
        flagged_items=flags.row_id.nunique(),
        flags=flags.count(),
        tenders=flags.ocid.nunique(),
        buyers=flags.buyer.nunique(),
    )
    return counts.cross_join(contracts)
