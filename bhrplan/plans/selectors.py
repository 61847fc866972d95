"""Reads of plans and their trees, scoped by viewer. The portal reads published versions only."""

from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet

from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion


def plans_published() -> QuerySet[Plan]:
    """Plans with at least one published version, for the public."""
    return (
        Plan.objects.filter(versions__status=PlanVersion.Status.PUBLISHED)
        .distinct()
        .select_related("territory")
    )


def version_latest_published(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(status=PlanVersion.Status.PUBLISHED).order_by("-number").first()


def version_draft(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(status=PlanVersion.Status.DRAFT).first()


def version_working(plan: Plan) -> PlanVersion | None:
    """What a coordinator edits: the draft, else the latest published version."""
    return version_draft(plan) or version_latest_published(plan)


def versions_of(plan: Plan) -> QuerySet[PlanVersion]:
    """Every version of a plan, newest first (coordinators only: includes the draft)."""
    return plan.versions.select_related("published_by").order_by("-number")


def versions_published(plan: Plan) -> QuerySet[PlanVersion]:
    """The published versions of a plan, newest first, for the public."""
    return versions_of(plan).filter(status=PlanVersion.Status.PUBLISHED)


def plan_published(plan_id: int) -> Plan | None:
    return plans_published().filter(pk=plan_id).first()


def version_nodes(version: PlanVersion, kind: str) -> QuerySet[Any]:
    """The guidelines, objectives, actions or indicators of one version."""
    if kind == "guideline":
        return Guideline.objects.filter(version=version)
    if kind == "objective":
        return Objective.objects.filter(guideline__version=version)
    if kind == "action":
        return Action.objects.filter(objective__guideline__version=version)
    if kind == "indicator":
        return Indicator.objects.filter(action__objective__guideline__version=version)
    raise ValueError(kind)


def version_node(version: PlanVersion | None, kind: str, uid: Any) -> Any:
    """One element of a version by its stable uid, or None."""
    if version is None:
        return None
    return version_nodes(version, kind).filter(uid=uid).first()


def plans_coordinated_overview(user: Any) -> QuerySet[Plan]:
    """The plans a user coordinates, with their latest published and draft version numbers."""
    from bhrplan.accounts.selectors import plans_coordinated_by

    published = PlanVersion.Status.PUBLISHED
    return (
        plans_coordinated_by(user)
        .select_related("territory")
        .annotate(
            published_number=models.Max(
                "versions__number", filter=models.Q(versions__status=published)
            ),
            draft_number=models.Max(
                "versions__number", filter=models.Q(versions__status=PlanVersion.Status.DRAFT)
            ),
        )
        .order_by("-start_date", "title")
    )


def organizations_coordinated_by(user: Any) -> QuerySet[Any]:
    """Organisations of the territories a user coordinates (they may edit them)."""
    from bhrplan.accounts.selectors import territories_coordinated_by
    from bhrplan.territories.models import Organization

    return (
        Organization.objects.filter(territory__in=territories_coordinated_by(user))
        .select_related("territory")
        .prefetch_related("sectors")
        .order_by("name")
    )


def plan_organizations(plan: Plan) -> QuerySet[Any]:
    """Organisations that may take part in a plan: of its territory, its parent and children.

    Self-registered organisations wait for a coordinator's approval before they can be
    chosen (a lead entity is shown publicly).
    """
    from bhrplan.territories.models import Organization

    territory = plan.territory
    ids = [territory.pk]
    if territory.parent_id:
        ids.append(territory.parent_id)
    return Organization.objects.filter(
        models.Q(territory_id__in=ids) | models.Q(territory__parent_id=territory.pk),
        approval=Organization.Approval.APPROVED,
    ).order_by("name")


def actions_prefetched(queryset: QuerySet[Action] | None = None) -> QuerySet[Action]:
    qs = queryset if queryset is not None else Action.objects.all()
    from bhrplan.procurement.models import Screening

    return qs.select_related("lead").prefetch_related(
        "co_responsible",
        "provisions__framework",
        "themes",
        "approaches",
        Prefetch("screenings", queryset=Screening.objects.select_related("dataset")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("screening__dataset").order_by(
                "position", "id"
            ),
        ),
    )


def version_tree(version: PlanVersion, actions: QuerySet[Action] | None = None) -> list[Guideline]:
    """The whole tree of a version in a fixed number of queries.

    `actions` may narrow the actions shown (filters); guidelines and objectives left
    without actions are then dropped.
    """
    action_qs = actions_prefetched(actions).order_by("position", "id")
    guidelines = list(
        Guideline.objects.filter(version=version)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.order_by("position", "id").prefetch_related(
                    Prefetch("actions", queryset=action_qs)
                ),
            )
        )
    )
    if actions is None:
        return guidelines
    kept: list[Guideline] = []
    for guideline in guidelines:
        objectives = [o for o in guideline.objectives.all() if o.actions.all()]
        if objectives:
            guideline.filtered_objectives = objectives  # type: ignore[attr-defined]
            kept.append(guideline)
    return kept


def version_actions(version: PlanVersion) -> QuerySet[Action]:
    return Action.objects.filter(objective__guideline__version=version)


def version_indicators(version: PlanVersion) -> QuerySet[Indicator]:
    return Indicator.objects.filter(action__objective__guideline__version=version)


def version_counts(version: PlanVersion) -> dict[str, int]:
    return {
        "guidelines": Guideline.objects.filter(version=version).count(),
        "objectives": Objective.objects.filter(guideline__version=version).count(),
        "actions": version_actions(version).count(),
        "indicators": version_indicators(version).count(),
    }


def plan_for_coordinator(user: Any, plan_id: int) -> Plan | None:
    from bhrplan.accounts.selectors import plans_coordinated_by

    return plans_coordinated_by(user).select_related("territory").filter(pk=plan_id).first()
