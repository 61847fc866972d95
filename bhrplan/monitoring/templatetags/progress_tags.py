"""Formatting for the public progress pages."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bhrplan.monitoring.models import IndependentAssessment, ProgressReport

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.456 → "46 %" (localized); unknown → "unknown"."""
    if value is None:
        return _("unknown")
    return _("%(value)s %%") % {"value": number_format(round(value * 100))}


@register.filter
def ratio(value: float | None) -> str:
    """An unclipped ratio with two decimals, e.g. 1.20; unknown → "unknown"."""
    if value is None:
        return _("unknown")
    return number_format(value, 2)


@register.filter
def bar_width(value: float | None) -> int:
    return 0 if value is None else round(max(0.0, min(1.0, value)) * 100)


@register.filter
def status_label(code: str | None) -> str:
    if not code or code == "no_report":
        return _("No validated report")
    try:
        return str(ProgressReport.Status(code).label)
    except ValueError:
        return code


@register.filter
def rating_label(code: str) -> str:
    try:
        return str(IndependentAssessment.Rating(code).label)
    except ValueError:
        return code


@register.filter
def source_label(code: str) -> str:
    try:
        return str(IndependentAssessment.Source(code).label)
    except ValueError:
        return code


@register.filter
def breakdown_text(breakdown: Any) -> str:
    """{"sex": {"female": 12, "male": 8}} → "sex: female 12, male 8"."""
    if not isinstance(breakdown, dict):
        return ""
    parts = []
    for dimension, values in breakdown.items():
        if isinstance(values, dict):
            inner = ", ".join(f"{k} {v}" for k, v in values.items())
            parts.append(f"{dimension}: {inner}")
    return "; ".join(parts)


@register.filter
def num(value: Decimal | float | int | None) -> str:
    """A value without trailing zeros, localized: Decimal("250.5000") → "250,5" in Spanish."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(value, force_grouping=True)
