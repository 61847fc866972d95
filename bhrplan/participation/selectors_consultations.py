"""Reads for consultations, contributions, suggestions and the consideration report.

The public reads only published contributions; statistics count every contribution,
hidden ones included, so moderation never changes who is counted as having taken part.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bhrplan.participation.models import Consultation, Contribution, Gender, Response
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion
from bhrplan.territories.models import Organization, Territory


@dataclass(frozen=True)
class Element:
    """One commentable element of a version: its kind, stable uid and a short label."""

    kind: str
    uid: UUID
    label: str
    group: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.uid}"


_PUBLISHED_ELEMENTS: dict[tuple[int, str, str], list[Element]] = {}


def version_elements(version: PlanVersion) -> list[Element]:
    """Every guideline, objective, action and indicator of a version, in tree order.

    Four light queries whatever the size of the tree (only the fields a label needs).
    A published version never changes, so its list is kept in memory per language.
    """
    if not version.is_published or version.published_at is None:
        return _version_elements(version)
    key = (version.pk, version.published_at.isoformat(), get_language() or "")
    if key not in _PUBLISHED_ELEMENTS:
        if len(_PUBLISHED_ELEMENTS) > 200:
            _PUBLISHED_ELEMENTS.clear()
        _PUBLISHED_ELEMENTS[key] = _version_elements(version)
    return _PUBLISHED_ELEMENTS[key]


def _version_elements(version: PlanVersion) -> list[Element]:
    node_fields = ("uid", "code", "title", "title_en", "position")
    guidelines = Guideline.objects.filter(version=version).only(*node_fields)
    objectives = Objective.objects.filter(guideline__version=version).only(
        *node_fields, "guideline_id"
    )
    actions = Action.objects.filter(objective__guideline__version=version).only(
        *node_fields, "objective_id"
    )
    indicators = Indicator.objects.filter(action__objective__guideline__version=version).only(
        "uid", "name", "name_en", "position", "action_id"
    )
    children: dict[tuple[str, int], list[Any]] = {}
    for parent, rows in (
        ("guideline", objectives),
        ("objective", actions),
        ("action", indicators),
    ):
        for row in rows.order_by("position", "id"):
            children.setdefault((parent, getattr(row, f"{parent}_id")), []).append(row)
    elements: list[Element] = []
    for guideline in guidelines.order_by("position", "id"):
        group = f"{guideline.code} {guideline.display_title}".strip()
        elements.append(Element("guideline", guideline.uid, group, group))
        for objective in children.get(("guideline", guideline.pk), []):
            elements.append(Element("objective", objective.uid, str(objective).strip(), group))
            for action in children.get(("objective", objective.pk), []):
                elements.append(Element("action", action.uid, str(action).strip(), group))
                for indicator in children.get(("action", action.pk), []):
                    label = _("Indicator: %(name)s") % {"name": indicator.display_name}
                    elements.append(Element("indicator", indicator.uid, label, group))
    return elements


def element_labels(version: PlanVersion) -> dict[str, str]:
    """uid (as text) → label, for showing which element a contribution is about."""
    return {str(e.uid): e.label for e in version_elements(version)}


def consultation_state(consultation: Consultation, now: datetime | None = None) -> str:
    """ "upcoming", "open" or "closed"."""
    now = now or timezone.now()
    if now < consultation.opens_at:
        return "upcoming"
    if now >= consultation.closes_at:
        return "closed"
    return "open"


def consultations_public() -> QuerySet[Consultation]:
    """Consultations the public can see: all of them are on published versions."""
    return Consultation.objects.filter(version__status=PlanVersion.Status.PUBLISHED).select_related(
        "plan__territory", "version"
    )


def consultation_public_get(consultation_id: int) -> Consultation | None:
    return consultations_public().filter(pk=consultation_id).first()


def consultations_for_coordinator(user: Any) -> QuerySet[Consultation]:
    from bhrplan.accounts.selectors import plans_coordinated_by

    return Consultation.objects.filter(
        plan__in=plans_coordinated_by(user).values("pk")
    ).select_related("plan__territory", "version")


def consultation_for_coordinator(user: Any, consultation_id: int) -> Consultation | None:
    return consultations_for_coordinator(user).filter(pk=consultation_id).first()


def plans_with_published_version() -> QuerySet[Plan]:
    from bhrplan.plans.selectors import plans_published

    return plans_published()


def published_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.filter(status=PlanVersion.Status.PUBLISHED).order_by("-number")


def regions_for(plan: Plan) -> QuerySet[Territory]:
    """The plan's territory and its sub-territories, for the self-declared region."""
    territory = plan.territory
    return Territory.objects.filter(
        Q(pk=territory.pk) | Q(parent=territory) | Q(parent__parent=territory)
    ).order_by("level", "name")


def stakeholder_organization(user: Any, plan: Plan) -> Organization | None:
    """The organisation a signed-in stakeholder speaks for on this plan, if any."""
    from bhrplan.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return None
    role = (
        Role.objects.filter(user=user, kind=Role.Kind.STAKEHOLDER, organization__isnull=False)
        .filter(Q(plan=plan) | Q(territory=plan.territory))
        .select_related("organization")
        .first()
    )
    return role.organization if role else None


def _contributions() -> QuerySet[Contribution]:
    return Contribution.objects.select_related(
        "response", "region", "organization", "theme", "consultation"
    )


def contributions_public(consultation: Consultation) -> QuerySet[Contribution]:
    return _contributions().filter(
        consultation=consultation, moderation=Contribution.Moderation.PUBLISHED
    )


def contributions_filtered(
    qs: QuerySet[Contribution], *, answer: str = "", group: str = "", element: str = ""
) -> QuerySet[Contribution]:
    if answer == "unanswered":
        qs = qs.filter(response__isnull=True)
    elif answer in Response.Outcome.values:
        qs = qs.filter(response__outcome=answer)
    if group:
        qs = qs.filter(stakeholder_group=group)
    if element == "plan":
        qs = qs.filter(target_type=Contribution.Target.PLAN)
    elif element:
        try:
            qs = qs.filter(target_uid=UUID(element))
        except ValueError:
            qs = qs.none()
    return qs


def contributions_for_moderation(consultation: Consultation) -> QuerySet[Contribution]:
    return _contributions().filter(consultation=consultation)


def contributions_of_plan(plan: Plan, ids: list[int]) -> QuerySet[Contribution]:
    qs = Contribution.objects.filter(plan=plan, pk__in=ids)
    return qs.select_related("consultation__version")


def contribution_for_coordinator(user: Any, contribution_id: int) -> Contribution | None:
    from bhrplan.accounts.selectors import plans_coordinated_by

    return (
        _contributions()
        .filter(plan__in=plans_coordinated_by(user).values("pk"), pk=contribution_id)
        .first()
    )


def suggestions_for_coordinator(user: Any, plan: Plan, theme: str = "") -> QuerySet[Contribution]:
    qs = _contributions().filter(plan=plan, consultation__isnull=True)
    if theme:
        qs = qs.filter(theme__slug=theme)
    return qs.order_by("-created_at", "-id")


def contribution_by_receipt(code: str) -> Contribution | None:
    """Exact code only (case and spaces normalised), so codes cannot be guessed by prefix."""
    code = "".join(code.split()).upper()
    if not code:
        return None
    return _contributions().select_related("plan").filter(receipt_code=code).first()


def later_versions(plan: Plan, after: PlanVersion | None) -> QuerySet[PlanVersion]:
    qs = plan.versions.order_by("number")
    if after is not None:
        qs = qs.filter(number__gt=after.number)
    return qs


def consideration_counts(consultation: Consultation) -> dict[str, list[tuple[str, int]]]:
    """Counts of every contribution (hidden ones too) by answer, group, gender and region.

    Four queries whatever the number of contributions, none joining the contributions to
    another table: one pass of filtered counts over the contribution's own columns, one
    GROUP BY for answers (only answered rows), one for regions and one for region names.
    """
    qs = Contribution.objects.filter(consultation=consultation)
    not_declared = _("Not declared")
    dimensions: dict[str, tuple[str, list[tuple[str, Any]]]] = {
        "group": (
            "stakeholder_group",
            [*Organization.StakeholderGroup.choices, ("", not_declared)],
        ),
        "gender": ("gender", [*Gender.choices, ("", not_declared)]),
    }
    aggregates = {"unanswered": Count("id", filter=Q(response__isnull=True))}
    for key, (field, choices) in dimensions.items():
        for value, _label in choices:
            aggregates[f"{key}__{value}"] = Count("id", filter=Q(**{field: value}))
    totals = qs.aggregate(**aggregates)

    def ordered(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return sorted((r for r in rows if r[1]), key=lambda r: (-r[1], r[0]))

    counts: dict[str, list[tuple[str, int]]] = {}
    outcomes = dict(
        qs.filter(response__isnull=False)
        .values_list("response__outcome")
        .annotate(n=Count("id"))
        .values_list("response__outcome", "n")
    )
    answer_rows = [
        (str(label), outcomes.get(value, 0)) for value, label in Response.Outcome.choices
    ]
    counts["answer"] = ordered([*answer_rows, (_("Not answered yet"), totals["unanswered"])])
    for key, (_field, choices) in dimensions.items():
        counts[key] = ordered([(str(label), totals[f"{key}__{value}"]) for value, label in choices])
    by_region = dict(
        qs.values_list("region_id").annotate(n=Count("id")).values_list("region_id", "n")
    )
    names = dict(
        Territory.objects.filter(pk__in=[pk for pk in by_region if pk]).values_list("pk", "name")
    )
    counts["region"] = ordered(
        [(names.get(pk, "") if pk else not_declared, n) for pk, n in by_region.items()]
    )
    return counts


def themes() -> QuerySet[Any]:
    from bhrplan.frameworks.models import Theme

    return Theme.objects.order_by("kind", "slug")
