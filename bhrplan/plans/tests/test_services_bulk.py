from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bhrplan.conftest import build_plan_tree
from bhrplan.core.models import AuditEvent
from bhrplan.frameworks.models import Provision
from bhrplan.plans import services
from bhrplan.plans.models import Action, Guideline, Indicator
from bhrplan.plans.selectors import version_tree, version_working


def tree(lead, **action_extra):
    return [
        {
            "title": "Lineamiento importado",
            "objectives": [
                {
                    "title": "Objetivo importado",
                    "actions": [
                        {
                            "title": "Acción importada",
                            "lead": lead,
                            "provisions": [Provision.objects.get(code="UNGP-6")],
                            "indicators": [
                                {
                                    "name": "Indicador",
                                    "unit": "personas",
                                    "target_value": Decimal(5),
                                }
                            ],
                            **action_extra,
                        },
                        {"title": "Otra acción", "code": "X-1"},
                    ],
                }
            ],
        }
    ]


def test_it_appends_a_tree_numbering_blank_codes(plan, lead_org):
    build_plan_tree(plan, lead_org, guidelines=1, objectives=1, actions=1)
    services.version_tree_bulk_create(plan=plan, guidelines=tree(lead_org), actor=None)
    guidelines = version_tree(version_working(plan))
    assert [g.code for g in guidelines] == ["1", "2"]
    objective = guidelines[1].objectives.all()[0]
    assert objective.code == "2.1"
    assert [a.code for a in objective.actions.all()] == ["2.1.1", "X-1"]
    first = objective.actions.all()[0]
    assert first.lead == lead_org
    assert [p.code for p in first.provisions.all()] == ["UNGP-6"]
    assert first.indicators.all()[0].unit == "personas"
    assert AuditEvent.objects.filter(verb="version.imported").count() == 1


def test_it_validates_every_element_and_saves_nothing_on_error(plan, lead_org):
    before = (Guideline.objects.count(), Action.objects.count(), Indicator.objects.count())
    with pytest.raises(ValidationError):
        services.version_tree_bulk_create(
            plan=plan, guidelines=tree(lead_org, start_date=date(2040, 1, 1)), actor=None
        )
    bad_indicator = tree(lead_org)
    bad_indicator[0]["objectives"][0]["actions"][0]["indicators"][0]["unit"] = ""
    with pytest.raises(ValidationError):
        services.version_tree_bulk_create(plan=plan, guidelines=bad_indicator, actor=None)
    after = (Guideline.objects.count(), Action.objects.count(), Indicator.objects.count())
    assert after == before


def test_it_refuses_the_lead_as_co_responsible(plan, lead_org):
    with pytest.raises(ValidationError):
        services.version_tree_bulk_create(
            plan=plan, guidelines=tree(lead_org, co_responsible=[lead_org]), actor=None
        )


def test_it_refuses_unknown_fields(plan, lead_org):
    with pytest.raises(TypeError):
        services.version_tree_bulk_create(
            plan=plan, guidelines=tree(lead_org, colour="red"), actor=None
        )


def test_it_starts_a_new_draft_after_publishing(plan, lead_org):
    build_plan_tree(plan, lead_org, guidelines=1, objectives=1, actions=1)
    services.plan_publish(plan=plan, actor=None)
    version = services.version_tree_bulk_create(plan=plan, guidelines=tree(lead_org), actor=None)
    assert version.number == 2 and version.status == "draft"
    assert Guideline.objects.filter(version__plan=plan, version__number=1).count() == 1
