"""Fixtures of the plan matrix tests: organisations the messy matrices refer to."""

from typing import Any

import pytest

from bhrplan.conftest import make_org
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization, Territory


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
