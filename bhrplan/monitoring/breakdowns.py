"""Breakdown categories of indicator values, and the rule that the parts add up.

An indicator declares breakdowns (`Indicator.disaggregations`, a subset of sex,
age_group, region, stakeholder_group). Each reported value then carries its parts, e.g.
`{"sex": {"female": "12", "male": "8"}}` (amounts stored as decimal strings). The parts of
each breakdown must add up to the total, or a note must say why not.
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bhrplan.plans.models import Indicator, Plan
from bhrplan.territories.models import Organization, Territory

SEX = [
    ("female", gettext_lazy("Female")),
    ("male", gettext_lazy("Male")),
    ("other_unknown", gettext_lazy("Other or unknown")),
]
AGE_GROUP = [
    ("0_17", gettext_lazy("0 to 17 years")),
    ("18_29", gettext_lazy("18 to 29 years")),
    ("30_59", gettext_lazy("30 to 59 years")),
    ("60_plus", gettext_lazy("60 years or more")),
]


def region_categories(plan: Plan) -> list[tuple[str, Any]]:
    """Territories directly under the plan's territory, by code. Empty → free codes."""
    return [
        (t.code, t.name)
        for t in Territory.objects.filter(parent_id=plan.territory_id).order_by("name")
    ]


def categories(dimension: str, plan: Plan) -> list[tuple[str, Any]]:
    if dimension == Indicator.Breakdown.SEX:
        return list(SEX)
    if dimension == Indicator.Breakdown.AGE_GROUP:
        return list(AGE_GROUP)
    if dimension == Indicator.Breakdown.STAKEHOLDER_GROUP:
        return list(Organization.StakeholderGroup.choices)
    if dimension == Indicator.Breakdown.REGION:
        return region_categories(plan)
    return []


def dimension_label(dimension: str) -> str:
    return str(dict(Indicator.Breakdown.choices).get(dimension, dimension))


def to_decimal(raw: Any) -> Decimal:
    return Decimal(str(raw))


def sum_errors(
    indicator: Indicator, value: Decimal, breakdown: dict[str, dict[str, Any]], note: str
) -> list[str]:
    """Messages for each declared breakdown whose parts do not add up (none when a note
    explains the difference)."""
    if note.strip():
        return []
    errors = []
    for dimension in indicator.disaggregations or []:
        parts = breakdown.get(dimension) or {}
        total = sum((to_decimal(v) for v in parts.values()), Decimal(0))
        if total != value:
            errors.append(
                _(
                    "The %(breakdown)s breakdown of “%(indicator)s” adds up to %(sum)s, not "
                    "%(total)s. Correct the parts or explain the difference in the note."
                )
                % {
                    "breakdown": dimension_label(dimension).lower(),
                    "indicator": indicator.display_name,
                    "sum": plain(total),
                    "total": plain(value),
                }
            )
    return errors


def plain(number: Decimal) -> str:
    """12.0000 → 12, 12.5000 → 12.5."""
    text = format(number.normalize(), "f")
    return text


def serialize(breakdown: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, str]]:
    return {
        dim: {cat: plain(to_decimal(v)) for cat, v in parts.items()}
        for dim, parts in breakdown.items()
        if parts
    }


def _of_screening(value: Any) -> tuple[str, str]:
    """For an "n of N" indicator: N (the cited screening's figure) and n/N in %."""
    indicator = value.indicator
    total = indicator.screening_figure if indicator.is_screening_denominator else None
    if not total:
        return "", ""
    share = (Decimal(100) * value.value / total).quantize(Decimal("0.1"))
    return plain(total), plain(share)


def labelled(values: list[Any], plan: Plan) -> None:
    """Attach `parts` [(breakdown label, [(category label, amount)])] and `display_value` to
    each value."""
    names: dict[str, dict[str, str]] = {}
    for value in values:
        parts = []
        for dim, amounts in (value.breakdown or {}).items():
            if dim not in names:
                names[dim] = {code: str(label) for code, label in categories(dim, plan)}
            parts.append(
                (
                    dimension_label(dim),
                    [(names[dim].get(code, code), amount) for code, amount in amounts.items()],
                )
            )
        value.parts = parts
        value.display_value = plain(value.value)
        value.screening_total, value.screening_share = _of_screening(value)
