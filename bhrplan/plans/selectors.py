"""Reads of plans and their trees, scoped by viewer. The portal reads published versions only."""

from typing import Any

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


def actions_prefetched(queryset: QuerySet[Action] | None = None) -> QuerySet[Action]:
    qs = queryset if queryset is not None else Action.objects.all()
    return qs.select_related("lead").prefetch_related(
        "co_responsible",
        "provisions__framework",
        "themes",
        "approaches",
        Prefetch("indicators", queryset=Indicator.objects.order_by("position", "id")),
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
