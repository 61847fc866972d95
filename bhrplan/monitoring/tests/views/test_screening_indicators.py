"""An indicator that takes its figure from a cited procurement screening, in reports."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bhrplan.monitoring import services
from bhrplan.monitoring.models import IndicatorValue, ProgressReport
from bhrplan.plans import services as plan_services
from bhrplan.plans.selectors import version_actions, version_draft, version_latest_published
from bhrplan.procurement.tests.conftest import finished_screening

pytestmark = pytest.mark.django_db


def cite_in_new_version(plan, action, screening, *, metric, role):
    """Cite the screening on `action`, link its indicator, publish; the new published copy."""
    plan_services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=None, screenings=[screening]
    )
    draft_action = version_actions(version_draft(plan)).get(uid=action.uid)
    plan_services.indicator_update(
        indicator=draft_action.indicators.get(),
        actor=None,
        screening=screening,
        screening_metric=metric,
        screening_role=role,
    )
    plan_services.plan_publish(plan=plan, actor=None, note="Cita el análisis de compras")
    return version_actions(version_latest_published(plan)).get(uid=action.uid)


@pytest.fixture
def screening(territory, coordinator):
    return finished_screening(territory, coordinator)


def edit_url(period, action, org):
    with translation.override("en"):
        return reverse("monitoring:report_edit", args=[period.pk, action.uid, org.pk])


def test_it_shows_n_of_n_beside_the_value_and_checks_it(
    persona_clients, reporting_plan, period, plain_action, other_org, screening
):
    action = cite_in_new_version(
        reporting_plan, plain_action, screening, metric="flagged_contracts", role="denominator"
    )
    indicator = action.indicators.get()
    url = edit_url(period, action, other_org)
    client = persona_clients["focal_point"]
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Screening “Compras públicas 2024 (OCDS)” (" in html
    assert "= 13. Report how many of these 13 qualify (n of 13)." in html
    assert f'aria-describedby="id_ind{indicator.pk}_helptext"' in html
    data = {"status": "in_progress", "narrative": "Se revisaron los contratos."}
    for bad, message in (("14", "more than the screening's 13"), ("2.5", "whole number")):
        response = client.post(url, data | {f"ind{indicator.pk}": bad})
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[f"ind{indicator.pk}"])
    assert not ProgressReport.objects.exists()
    response = client.post(url, data | {f"ind{indicator.pk}": "10"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 10
    with translation.override("en"):
        detail = client.get(response["Location"].replace("/es/", "/en/", 1)).content.decode()
    assert "10 of 13 flagged contracts" in detail and "(76.9 %)" in detail
    for persona in ("coordinator", "committee_member", "stakeholder", "outsider"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert persona_clients["anonymous"].get(url).status_code == 302
    assert client.put(url).status_code == 405


def test_it_prefills_a_value_taken_from_the_screening(
    persona_clients, reporting_plan, period, plain_action, other_org, screening
):
    action = cite_in_new_version(
        reporting_plan, plain_action, screening, metric="flagged_share", role="figure"
    )
    indicator = action.indicators.get()
    response = persona_clients["focal_point"].get(edit_url(period, action, other_org))
    form = response.context["form"]
    assert form.initial[f"ind{indicator.pk}"] == "81.8"
    assert "Share of screened processes flagged (%) = 81.8." in response.content.decode()


def test_it_refuses_more_than_n_in_the_service_too(
    reporting_plan, period, plain_action, other_org, screening
):
    action = cite_in_new_version(
        reporting_plan, plain_action, screening, metric="flagged_buyers", role="denominator"
    )
    value = services.ValueInput(indicator=action.indicators.get(), value=Decimal("5"))
    with pytest.raises(ValidationError) as error:
        services.report_save(
            period=period, action=action, organization=other_org, actor=None,
            status="in_progress", narrative="", values=[value], submit=False,
        )  # fmt: skip
    assert "more than the screening's 4" in str(error.value)
