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
from django.utils.translation import gettext as _

from bhrplan.participation.models import Consultation, Contribution, Gender, Response
from bhrplan.plans.models import Plan, PlanVersion
from bhrplan.plans.selectors import version_tree
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


def version_elements(version: PlanVersion) -> list[Element]:
    """Every guideline, objective, action and indicator of a version, in tree order.

    Uses `version_tree`, so the number of queries does not grow with the tree.
    """
    elements: list[Element] = []
    for guideline in version_tree(version):
        group = f"{guideline.code} {guideline.display_title}".strip()
        elements.append(Element("guideline", guideline.uid, group, group))
        for objective in guideline.objectives.all():
            elements.append(Element("objective", objective.uid, str(objective).strip(), group))
            for action in objective.actions.all():
                elements.append(Element("action", action.uid, str(action).strip(), group))
                for indicator in action.indicators.all():
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

    Four aggregate queries whatever the number of contributions.
    """
    qs = Contribution.objects.filter(consultation=consultation)
    outcome_labels = dict(Response.Outcome.choices)
    group_labels = dict(Organization.StakeholderGroup.choices)
    gender_labels = dict(Gender.choices)
    not_declared = _("Not declared")

    def rows(field: str, labels: dict[Any, Any], empty: str) -> list[tuple[str, int]]:
        data = qs.values(field).annotate(n=Count("id")).order_by(field)
        return sorted(
            ((str(labels.get(r[field], r[field])) if r[field] else empty, r["n"]) for r in data),
            key=lambda item: (-item[1], item[0]),
        )

    regions = [
        (str(r["region__name"]) if r["region__name"] else not_declared, r["n"])
        for r in qs.values("region__name").annotate(n=Count("id")).order_by("-n", "region__name")
    ]
    return {
        "answer": rows("response__outcome", outcome_labels, _("Not answered yet")),
        "group": rows("stakeholder_group", group_labels, not_declared),
        "gender": rows("gender", gender_labels, not_declared),
        "region": regions,
    }


def themes() -> QuerySet[Any]:
    from bhrplan.frameworks.models import Theme

    return Theme.objects.order_by("kind", "slug")
