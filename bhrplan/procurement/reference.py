"""Risk reference data shipped in bhrplan/procurement/data (sources in data/SOURCES.md).

Pure functions, no models: the US DoL goods list, the project's risk-category mapping,
the UNSPSC catalogue and country-name normalisation.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from bhrplan.lib.text import normalize_key

DATA_DIR = Path(__file__).resolve().parent / "data"
DOL_GOODS_FILE = DATA_DIR / "dol_goods_2021.xml"
RISK_CATEGORIES_FILE = DATA_DIR / "risk_categories.yaml"
UNSPSC_FILE = DATA_DIR / "unspsc_pys.json"
# Real OCDS samples (Paraguay DNCP, Colombia SECOP I): tests, benchmark, demo screening.
OCDS_SAMPLES_DIR = DATA_DIR / "ocds-samples"

RISK_TYPES = ("child_labour", "forced_labour", "forced_child_labour", "labour_rights")


@dataclass(frozen=True)
class DolEntry:
    """One good × country row of the US DoL list."""

    good: str
    sector: str
    country: str
    country_code: str  # ISO 3166-1 alpha-2, "" when the name could not be resolved
    child_labour: bool
    forced_labour: bool
    forced_child_labour: bool
    # Kept apart from the three direct flags: a good made from inputs produced with
    # child or forced labour in another (or the same) country.
    derived: bool
    derived_country: str

    @property
    def risk_types(self) -> tuple[str, ...]:
        kinds = []
        if self.child_labour:
            kinds.append("child_labour")
        if self.forced_labour:
            kinds.append("forced_labour")
        if self.forced_child_labour:
            kinds.append("forced_child_labour")
        return tuple(kinds)


@dataclass(frozen=True)
class RiskCategory:
    slug: str
    label: str
    label_es: str
    risk_types: tuple[str, ...]
    unspsc: tuple[str, ...]
    cpv: tuple[str, ...]
    dncp: tuple[str, ...]
    keywords_es: tuple[str, ...]
    keywords_en: tuple[str, ...]
    dol_goods: tuple[str, ...]
    guidance: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    # Phrases in which a keyword means something else ("color café"), both languages.
    not_keywords: tuple[str, ...] = ()

    @property
    def keyword_pattern(self) -> str:
        """One regular expression over normalised text (lower case, no accents)."""
        return keywords_pattern((*self.keywords_es, *self.keywords_en))

    @property
    def not_keyword_pattern(self) -> str:
        """The same for `not_keywords` ("" when there are none): the text searched for
        keywords is the text with these phrases taken out."""
        return keywords_pattern(self.not_keywords) if self.not_keywords else ""


def keywords_pattern(keywords: tuple[str, ...] | list[str]) -> str:
    parts = []
    for raw in keywords:
        word = normalize_key(raw)
        wildcard = word.endswith("*")
        word = word.rstrip("*")
        # "prenda* de vestir": a * inside a phrase allows word endings there too.
        pieces = [
            re.escape(p.rstrip("*")) + ("[a-z]*" if p.endswith("*") else "")
            for p in word.split(" ")
        ]
        body = " ".join(pieces)
        parts.append(body + ("[a-z]*" if wildcard else ""))
    # (^|[^a-z0-9]) … ([^a-z0-9]|$): whole words, portable to DuckDB (RE2) and Java regex.
    return "(^|[^a-z0-9])(" + "|".join(parts) + ")([^a-z0-9]|$)"


def _yes(value: str | None) -> bool:
    return (value or "").strip().lower() == "yes"


_COUNTRY_ALIASES = {
    # DoL spellings pycountry does not resolve by itself.
    "burma": "MM",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "korea, north": "KP",
    "north korea": "KP",
    "russia": "RU",
    "turkey": "TR",
    "turkey (turkiye)": "TR",
    "vietnam": "VN",
    "bolivia": "BO",
    "iran": "IR",
    "laos": "LA",
    "syria": "SY",
    "tanzania": "TZ",
    "venezuela": "VE",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "kyrgyz republic": "KG",
    "the gambia": "GM",
    "west bank and gaza strip": "PS",
    # Spanish names met in Latin American OCDS data.
    "estados unidos": "US",
    "brasil": "BR",
    "mexico": "MX",
    "peru": "PE",
    "panama": "PA",
    "espana": "ES",
    "alemania": "DE",
    "republica del paraguay": "PY",
    "republica de colombia": "CO",
    "china (republica popular)": "CN",
    "malasia": "MY",
    "india": "IN",
    "japon": "JP",
    "corea del sur": "KR",
    "reino unido": "GB",
    "francia": "FR",
    "italia": "IT",
    "belgica": "BE",
    "paises bajos": "NL",
    "suiza": "CH",
    "turquia": "TR",
    "tailandia": "TH",
    "uruguay": "UY",
    "eeuu": "US",
    "ee uu": "US",
    "e e u u": "US",
    "uk": "GB",
    "estados unidos de america": "US",
    "republica popular china": "CN",
    "republica popular de china": "CN",
    "corea del norte": "KP",
    "holanda": "NL",
    "suecia": "SE",
    "dinamarca": "DK",
    "noruega": "NO",
    "finlandia": "FI",
    "irlanda": "IE",
    "grecia": "GR",
    "hungria": "HU",
    "polonia": "PL",
    "rumania": "RO",
    "rusia": "RU",
    "ucrania": "UA",
    "singapur": "SG",
    "camboya": "KH",
    "filipinas": "PH",
    "egipto": "EG",
    "marruecos": "MA",
    "sudafrica": "ZA",
    "nueva zelanda": "NZ",
    "republica dominicana": "DO",
    "belice": "BZ",
    "trinidad y tobago": "TT",
    "emiratos arabes unidos": "AE",
    "arabia saudita": "SA",
    "republica checa": "CZ",
    "austria": "AT",
    "portugal": "PT",
}


_NOT_WORD = re.compile(r"[^\w ]+")


@cache
def _country_names() -> dict[str, str]:
    """Every country name, common and official name, and ISO 3166-2 subdivision name,
    accent- and case-insensitive, with its alpha-2 code (names shared by several
    countries are left out: they do not say which)."""
    names: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name:
                names.setdefault(normalize_key(name), set()).add(country.alpha_2)
    for sub in pycountry.subdivisions:
        names.setdefault(normalize_key(sub.name), set()).add(sub.country_code)
    return {key: codes.pop() for key, codes in names.items() if len(codes) == 1}


@cache
def country_code(value: str | None) -> str:
    """ISO 3166-1 alpha-2 code for a country code or name (English or Spanish), else "".

    Only whole names and codes count: a guess would turn "-" or "0" into a country, and
    a wrong country reads as "not listed" where the truth is "unknown". A region or
    capital that ISO 3166-2 names (Asunción) gives its country.
    """
    if not value:
        return ""
    text = str(value).strip()
    key = normalize_key(text)
    if not any(c.isalpha() for c in key):
        return ""
    bare = " ".join(_NOT_WORD.sub(" ", key).split())  # "EE.UU." → "ee uu"
    for candidate in (key, bare):
        if candidate in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[candidate]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    return _country_names().get(key, "")


@cache
def dol_entries() -> tuple[DolEntry, ...]:
    root = ET.parse(DOL_GOODS_FILE).getroot()  # noqa: S314 - file shipped in the repository
    rows = []
    for good in root.iter("Good"):
        name = (good.findtext("Good_Name") or "").strip()
        sector = (good.findtext("Good_Sector") or "").strip()
        for country in good.iter("Country"):
            country_name = (country.findtext("Country_Name") or "").strip()
            derived_country = (country.findtext("Derived_Country") or "").strip()
            rows.append(
                DolEntry(
                    good=name,
                    sector=sector,
                    country=country_name,
                    country_code=country_code(country_name),
                    child_labour=_yes(country.findtext("Child_Labor")),
                    forced_labour=_yes(country.findtext("Forced_Labor")),
                    forced_child_labour=_yes(country.findtext("Forced_Child_Labor")),
                    derived=_yes(country.findtext("Derived_Labor_Exploitation")),
                    derived_country="" if derived_country == "No" else derived_country,
                )
            )
    return tuple(rows)


@cache
def risk_categories() -> tuple[RiskCategory, ...]:
    data = yaml.safe_load(RISK_CATEGORIES_FILE.read_text(encoding="utf-8"))
    rows = []
    for row in data["categories"]:
        rows.append(
            RiskCategory(
                slug=row["slug"],
                label=row["label"],
                label_es=row["label_es"],
                risk_types=tuple(row["risk_types"]),
                unspsc=tuple(str(c) for c in row.get("unspsc") or ()),
                cpv=tuple(str(c) for c in row.get("cpv") or ()),
                dncp=tuple(str(c) for c in row.get("dncp") or ()),
                keywords_es=tuple(row["keywords"].get("es") or ()),
                keywords_en=tuple(row["keywords"].get("en") or ()),
                dol_goods=tuple(row.get("dol_goods") or ()),
                guidance=" ".join(row["guidance"].split()),
                not_keywords=tuple(
                    word
                    for language in ("es", "en")
                    for word in (row.get("not_keywords") or {}).get(language) or ()
                ),
            )
        )
    return tuple(rows)


def risk_category(slug: str) -> RiskCategory | None:
    return next((c for c in risk_categories() if c.slug == slug), None)


@cache
def unspsc_labels() -> dict[str, str]:
    """UNSPSC segment (2 digits), family (4) and class (6) codes → Spanish label."""
    labels: dict[str, str] = {}
    for kind in json.loads(UNSPSC_FILE.read_text(encoding="utf-8")):
        for segment in kind.get("segments", []):
            labels[str(segment["key"])] = segment["name"]
            for family in segment.get("families", []):
                labels[str(family["key"])] = family["name"]
                for klass in family.get("classes", []):
                    labels[str(klass["key"])] = klass["name"]
    return labels


@cache
def unspsc_segments() -> frozenset[str]:
    """The 2-digit UNSPSC segments: a code in another one is not a UNSPSC code."""
    return frozenset(code for code in unspsc_labels() if len(code) == 2)


# The 45 divisions of the CPV 2008 (Commission Regulation (EC) No 213/2008, Annex I,
# main vocabulary): a code in another one ("286989310") is not a CPV 2008 code.
_CPV_DIVISIONS = (
    "03 09 14 15 16 18 19 22 24 30 31 32 33 34 35 37 38 39 41 42 43 44 45 48 50 51 55 "
    "60 63 64 65 66 70 71 72 73 75 76 77 79 80 85 90 92 98"
)
CPV_DIVISIONS = frozenset(_CPV_DIVISIONS.split())
