import pytest

from bhrplan.plans.selectors import plan_organizations
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization


@pytest.mark.django_db
def test_it_offers_only_approved_organisations_to_a_plan(plan, lead_org):
    pending = territory_services.organization_create(
        territory=plan.territory,
        name="Colectivo recién registrado",
        stakeholder_group="civil_society",
        actor=None,
    )
    territory_services.organization_update(
        organization=pending, actor=None, approval=Organization.Approval.PENDING
    )
    offered = set(plan_organizations(plan))
    assert lead_org in offered
    assert pending not in offered
