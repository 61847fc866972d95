"""Fixtures of the plan editor's and plan matrix tests."""

from typing import Any

import pytest
from django.utils import translation

from bhrplan.conftest import build_plan_tree, make_org
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan
from bhrplan.plans.selectors import version_draft, version_nodes, version_working
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization, Territory


@pytest.fixture
def tree_plan(plan: Plan, lead_org: Organization, other_org: Organization) -> Plan:
    """A plan whose first draft holds 2 guidelines × 2 objectives × 2 actions × 1 indicator."""
    build_plan_tree(plan, lead_org, [other_org])
    return plan


def first(plan: Plan, kind: str) -> Any:
    """The first element of a kind in the plan's working version."""
    version = version_working(plan)
    assert version is not None
    return version_nodes(version, kind).order_by("position", "id").first()


def draft_node(plan: Plan, kind: str, uid: Any) -> Guideline | Objective | Action | Indicator:
    draft = version_draft(plan)
    assert draft is not None
    return version_nodes(draft, kind).get(uid=uid)


NOT_COORDINATORS = ["focal_point", "committee_member", "stakeholder", "outsider"]


def check_personas(persona_clients: dict, method: str, url: str, data: Any = None) -> Any:
    """Everyone but the plan's coordinator gets 404; the anonymous go to sign in.

    The coordinator goes last (a POST may change the plan) and its response is returned.
    """
    for name in [*NOT_COORDINATORS, "anonymous"]:
        response = getattr(persona_clients[name], method)(url, data or {})
        if name == "anonymous":
            assert response.status_code == 302, name
            assert "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, name
    return getattr(persona_clients["coordinator"], method)(url, data or {})


@pytest.fixture(autouse=True)
def _spanish_by_default() -> Any:
    """Requests in English leave English active in the thread; start and end in Spanish."""
    with translation.override("es"):
        yield


@pytest.fixture
def matrix_orgs(
    territory: Territory, lead_org: Organization, other_org: Organization
) -> dict[str, Any]:
    """MINJUSDH (lead_org), MTPE (other_org, acronym added), MINEM and a name with a comma."""
    territory_services.organization_update(organization=other_org, actor=None, acronym="MTPE")
    minem = territory_services.organization_create(
        territory=territory,
        name="Ministerio de Energía y Minas",
        acronym="MINEM",
        stakeholder_group="public_authority",
        actor=None,
    )
    comma = make_org(territory, "Ministerio de Trabajo, Empleo y Seguridad Social")
    return {"minjus": lead_org, "mtpe": other_org, "minem": minem, "comma": comma}
