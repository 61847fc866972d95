"""Who may do what. Territory-scoped roles cover the territory and its sub-territories."""

from typing import Any

from django.db.models import Q, QuerySet

from bhrplan.accounts.models import Role


def _territory_scope_q(user: Any, kinds: list[str], prefix: str) -> Q:
    """Q over objects whose territory (at `prefix`) is in a territory the user holds a role for,
    or a child / grandchild of one."""
    role_territories = list(
        Role.objects.filter(user=user, kind__in=kinds, territory__isnull=False).values_list(
            "territory_id", flat=True
        )
    )
    if not role_territories:
        return Q(pk__in=[])
    # On Territory itself (prefix "pk") the parent is reached as `parent`, not `pk__parent`.
    up = "" if prefix == "pk" else f"{prefix}__"
    return (
        Q(**{f"{prefix}__in": role_territories})
        | Q(**{f"{up}parent__in": role_territories})
        | Q(**{f"{up}parent__parent__in": role_territories})
    )


def plans_for_role(user: Any, kinds: list[str]) -> QuerySet[Any]:
    from bhrplan.plans.models import Plan

    if not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    if user.is_superuser:
        return Plan.objects.all()
    plan_ids = Role.objects.filter(user=user, kind__in=kinds, plan__isnull=False).values_list(
        "plan_id", flat=True
    )
    return Plan.objects.filter(
        Q(pk__in=list(plan_ids)) | _territory_scope_q(user, kinds, "territory")
    ).distinct()


def plans_coordinated_by(user: Any) -> QuerySet[Any]:
    return plans_for_role(user, [Role.Kind.COORDINATOR])


def can_coordinate_plan(user: Any, plan: Any) -> bool:
    return plans_coordinated_by(user).filter(pk=plan.pk).exists()


def territories_coordinated_by(user: Any) -> QuerySet[Any]:
    from bhrplan.territories.models import Territory

    if not getattr(user, "is_authenticated", False):
        return Territory.objects.none()
    if user.is_superuser:
        return Territory.objects.all()
    return Territory.objects.filter(
        _territory_scope_q(user, [Role.Kind.COORDINATOR], "pk")
    ).distinct()


def roles_of(user: Any) -> QuerySet[Role]:
    return Role.objects.filter(user=user).select_related("territory", "plan", "organization")
