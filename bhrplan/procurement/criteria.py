"""The criteria library (data/criteria.yaml) and recommendations per flagged process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from bhrplan.procurement.reference import DATA_DIR, risk_categories

CRITERIA_FILE = DATA_DIR / "criteria.yaml"
BAND_ORDER = ("low", "medium", "high")


@dataclass(frozen=True)
class Stage:
    slug: str
    label: str
    label_es: str


@dataclass(frozen=True)
class Criterion:
    code: str
    stage: str
    categories: tuple[str, ...]  # empty = every category
    min_band: str
    title: str
    title_es: str
    text: str
    text_es: str

    def applies_to(self, categories: set[str], band: str) -> bool:
        effective = "medium" if band == "unknown" else band
        if BAND_ORDER.index(effective) < BAND_ORDER.index(self.min_band):
            return False
        return not self.categories or bool(categories & set(self.categories))


@dataclass(frozen=True)
class Library:
    stages: tuple[Stage, ...]
    criteria: tuple[Criterion, ...]
    bands: tuple[tuple[str, float | None], ...]
    usd_rates: dict[str, float]


def _text(value: Any) -> str:
    return " ".join(str(value).split())


@cache
def library() -> Library:
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    stages = tuple(Stage(s["slug"], s["label"], s["label_es"]) for s in data["stages"])
    criteria = tuple(
        Criterion(
            code=c["code"],
            stage=c["stage"],
            categories=() if c["categories"] == "all" else tuple(c["categories"]),
            min_band=c["min_band"],
            title=_text(c["title"]),
            title_es=_text(c["title_es"]),
            text=_text(c["text"]),
            text_es=_text(c["text_es"]),
        )
        for c in data["criteria"]
    )
    bands = tuple(
        (name, None if bound is None else float(bound)) for name, bound in data["bands"].items()
    )
    rates = {code: float(rate) for code, rate in data["usd_rates"].items()}
    return Library(stages, criteria, bands, rates)


def value_band(amount: float | None, currency: str | None) -> str:
    """low | medium | high from the value in US dollars; "unknown" when not computable."""
    lib = library()
    if amount is None or not currency or currency.upper() not in lib.usd_rates:
        return "unknown"
    usd = amount / lib.usd_rates[currency.upper()]
    for name, bound in lib.bands:
        if bound is None or usd < bound:
            return name
    return lib.bands[-1][0]


def recommend(categories: set[str], band: str) -> list[tuple[Stage, list[Criterion]]]:
    """Criteria stage by stage (every stage listed, possibly with no criterion)."""
    known = {c.slug for c in risk_categories()}
    wanted = categories & known
    lib = library()
    return [
        (stage, [c for c in lib.criteria if c.stage == stage.slug and c.applies_to(wanted, band)])
        for stage in lib.stages
    ]
