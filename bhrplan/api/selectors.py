"""Reads for the API, built on the portal's published-only selectors."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from bhrplan.frameworks.models import Provision
from bhrplan.plans.models import Guideline, Plan, PlanVersion
from bhrplan.plans.selectors import plans_published, version_tree
from bhrplan.portal.selectors import published_plan_get, published_version_get


def plans_public_with_latest() -> QuerySet[Plan]:
    """Published plans annotated with `latest_version` (their newest published number)."""
    latest = (
        PlanVersion.objects.filter(plan=OuterRef("pk"), status=PlanVersion.Status.PUBLISHED)
        .order_by("-number")
        .values("number")[:1]
    )
    return plans_published().annotate(latest_version=Subquery(latest)).order_by("pk")


def plan_public_tree(plan_id: int) -> tuple[Plan, PlanVersion, list[Guideline]] | None:
    plan = published_plan_get(plan_id)
    if plan is None:
        return None
    version = published_version_get(plan, None)
    if version is None:
        return None
    return plan, version, version_tree(version)


def ungp_principles() -> QuerySet[Provision]:
    return Provision.objects.ungp_principles().order_by("sort_key")


def sdg_goals_with_targets() -> QuerySet[Provision]:
    return (
        Provision.objects.sdg_goals()
        .order_by("sort_key")
        .prefetch_related(
            Prefetch("children", queryset=Provision.objects.sdg_targets().order_by("sort_key"))
        )
    )
