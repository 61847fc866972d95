"""Aggregate figures of a screening that a plan may cite and the public may read.

They come only from the counts kept with the screening's metadata (`Screening.summary`
and `Screening.coverage`, written once when the screening finishes), never from the
result store: no supplier, buyer or item is ever named here, and a page citing a
screening does not open a DuckDB file.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class ScreeningMetric(models.TextChoices):
    FLAGGED_PROCESSES = "flagged_processes", _("Flagged processes")
    FLAGGED_SHARE = "flagged_share", _("Share of screened processes flagged (%)")
    FLAGGED_BUYERS = "flagged_buyers", _("Flagged buyers")
    FLAGGED_CONTRACTS = (
        "flagged_contracts",
        _("Flagged contracts (awards or contracts with at least one flagged item)"),
    )


# Metrics that count things, so a focal point can report "n of N" against them.
COUNT_METRICS = frozenset(
    {
        ScreeningMetric.FLAGGED_PROCESSES,
        ScreeningMetric.FLAGGED_BUYERS,
        ScreeningMetric.FLAGGED_CONTRACTS,
    }
)


def _count(data: dict[str, Any], key: str) -> int | None:
    value = (data or {}).get(key)
    return int(value) if isinstance(value, int | float) else None


def _screened(coverage: dict[str, Any]) -> int | None:
    """Processes screened: by their items, and by their titles when they list none."""
    by_items = _count(coverage, "tenders")
    if by_items is None:
        return None
    return by_items + (_count(coverage, "titles_only") or 0)


@dataclass(frozen=True)
class ScreeningFigures:
    """What a plan may show of one finished screening."""

    dataset_name: str
    screened_on: date | None
    processes_screened: int | None
    flagged_processes: int | None
    flagged_buyers: int | None
    # None for screenings run before this count existed: run the screening again.
    flagged_contracts: int | None

    @property
    def flagged_share(self) -> Decimal | None:
        """Flagged processes per 100 screened, one decimal."""
        if not self.processes_screened or self.flagged_processes is None:
            return None
        share = Decimal(100 * self.flagged_processes) / Decimal(self.processes_screened)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def value(self, metric: str) -> Decimal | None:
        raw = {
            ScreeningMetric.FLAGGED_PROCESSES: self.flagged_processes,
            ScreeningMetric.FLAGGED_SHARE: self.flagged_share,
            ScreeningMetric.FLAGGED_BUYERS: self.flagged_buyers,
            ScreeningMetric.FLAGGED_CONTRACTS: self.flagged_contracts,
        }.get(metric)  # type: ignore[call-overload]
        return None if raw is None else Decimal(raw)


def figures_of(screening: Any) -> ScreeningFigures:
    """Figures of a screening (its `dataset` should be select_related by the caller)."""
    finished = screening.finished_at
    summary, coverage = screening.summary or {}, screening.coverage or {}
    return ScreeningFigures(
        dataset_name=screening.dataset.name,
        screened_on=timezone.localtime(finished).date() if finished else None,
        processes_screened=_screened(coverage),
        flagged_processes=_count(summary, "tenders"),
        flagged_buyers=_count(summary, "buyers"),
        flagged_contracts=_count(summary, "contracts"),
    )


def screening_label(screening: Any) -> str:
    """How a plan names a cited screening: its dataset and the day it finished."""
    finished = screening.finished_at
    if finished is None:
        return str(screening.dataset.name)
    return _("%(dataset)s, screened on %(date)s") % {
        "dataset": screening.dataset.name,
        "date": date_format(timezone.localtime(finished).date(), "SHORT_DATE_FORMAT"),
    }
