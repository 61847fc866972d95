"""Fixtures for the public portal: published plans, drafts and plans of various sizes."""

from typing import Any

import pytest
from django.utils import translation

from bhrplan.conftest import build_plan_tree
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action, Plan
from bhrplan.territories.models import Organization


@pytest.fixture(autouse=True)
def spanish_first() -> Any:
    """Start every test in Spanish: a request in English leaves English active."""
    with translation.override("es"):
        yield


@pytest.fixture
def draft_only_plan(other_territory: Any, catalogs: None) -> Plan:
    """A plan that was never published: invisible to the public."""
    from datetime import date

    from bhrplan.conftest import make_org

    org = make_org(other_territory, "Consejería Presidencial para los Derechos Humanos")
    plan = plan_services.plan_create(
        territory=other_territory,
        title="Plan secreto en borrador",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    build_plan_tree(plan, org, guidelines=1, objectives=1, actions=1)
    return plan


@pytest.fixture
def plan_with_draft(published_plan: Plan) -> Plan:
    """A published plan whose coordinator is editing a new draft (not public)."""
    action = Action.objects.filter(
        objective__guideline__version__plan=published_plan,
        objective__guideline__version__status="published",
    ).first()
    assert action is not None
    draft = plan_services.draft_for_edit(plan=published_plan, actor=None)
    draft_action = Action.objects.get(objective__guideline__version=draft, uid=action.uid)
    plan_services.action_update(
        action=draft_action, actor=None, title="Borrador confidencial de la acción"
    )
    guideline = plan_services.guideline_create(
        plan=published_plan, actor=None, title="Lineamiento todavía no publicado"
    )
    objective = plan_services.objective_create(
        guideline=guideline, actor=None, title="Objetivo no publicado"
    )
    plan_services.action_create(objective=objective, actor=None, title="Acción no publicada")
    return published_plan


def published_plan_of_size(plan: Plan, lead: Organization, co: Organization, actions: int) -> Plan:
    """Publish a plan with exactly `actions` actions (in objectives of 5)."""
    per_objective = 5 if actions >= 5 else actions
    build_plan_tree(
        plan,
        lead,
        [co],
        guidelines=1,
        objectives=actions // per_objective,
        actions=per_objective,
        indicators=2,
    )
    plan_services.plan_publish(plan=plan, actor=None)
    return plan
