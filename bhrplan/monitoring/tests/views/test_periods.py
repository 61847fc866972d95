import pytest
from django.urls import reverse

from bhrplan.monitoring.models import ReportingPeriod
from bhrplan.monitoring.tests.conftest import make_report

pytestmark = pytest.mark.django_db

NOT_COORDINATORS = ["focal_point", "committee_member", "stakeholder", "outsider"]


def login_url_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_periods_for_coordinators_only(persona_clients, reporting_plan):
    url = reverse("monitoring:period_list", args=[reporting_plan.pk])
    response = persona_clients["coordinator"].get(url)
    assert response.status_code == 200
    assert "2027" in response.content.decode()
    for persona in NOT_COORDINATORS:
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert login_url_in(persona_clients["anonymous"].get(url))
    assert persona_clients["coordinator"].post(url).status_code == 405


def test_it_lists_periods_in_few_queries(
    persona_clients, reporting_plan, django_assert_max_num_queries
):
    url = reverse("monitoring:period_list", args=[reporting_plan.pk])
    with django_assert_max_num_queries(12):
        persona_clients["coordinator"].get(url)


def test_it_generates_periods(persona_clients, plan):
    url = reverse("monitoring:period_generate", args=[plan.pk])
    for persona in NOT_COORDINATORS:
        data = {"frequency": "yearly", "due_days_after_end": 30}
        assert persona_clients[persona].post(url, data).status_code == 404, persona
    assert login_url_in(persona_clients["anonymous"].post(url, {"frequency": "yearly"}))
    assert persona_clients["coordinator"].get(url).status_code == 405
    assert not ReportingPeriod.objects.exists()
    response = persona_clients["coordinator"].post(
        url, {"frequency": "half_yearly", "due_days_after_end": 30}
    )
    assert response.status_code == 302
    assert ReportingPeriod.objects.filter(plan=plan).count() == 10


def test_it_shows_generation_errors_and_saves_nothing(persona_clients, plan, reporting_plan):
    url = reverse("monitoring:period_generate", args=[plan.pk])
    client = persona_clients["coordinator"]
    before = ReportingPeriod.objects.count()
    response = client.post(url, {"frequency": "weekly", "due_days_after_end": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"frequency", "due_days_after_end"}
    response = client.post(url, {"frequency": "quarterly", "due_days_after_end": 10})
    assert response.status_code == 400  # the plan already has periods
    assert response.context["form"].non_field_errors()
    assert ReportingPeriod.objects.count() == before


def test_it_edits_a_period(persona_clients, period):
    url = reverse("monitoring:period_edit", args=[period.pk])
    for persona in NOT_COORDINATORS:
        assert persona_clients[persona].get(url).status_code == 404, persona
        assert persona_clients[persona].post(url, {"label": "x"}).status_code == 404, persona
    assert login_url_in(persona_clients["anonymous"].get(url))
    client = persona_clients["coordinator"]
    assert client.put(url).status_code == 405
    assert client.get(url).status_code == 200
    response = client.post(url, {"label": "Primer año", "due_date": "2026-02-28"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.label == "Primer año" and str(period.due_date) == "2026-02-28"


def test_it_refuses_bad_period_dates(persona_clients, period):
    url = reverse("monitoring:period_edit", args=[period.pk])
    client = persona_clients["coordinator"]
    for due in ("not a date", "2020-01-01"):
        response = client.post(url, {"label": "X", "due_date": due})
        assert response.status_code == 400
        assert response.context["form"].errors
    period.refresh_from_db()
    assert period.label == "2025"


def test_it_deletes_periods_without_reports(
    persona_clients, reporting_plan, period, action, lead_org
):
    last = reporting_plan.reporting_periods.order_by("start_date").last()
    url = reverse("monitoring:period_delete", args=[last.pk])
    for persona in NOT_COORDINATORS:
        assert persona_clients[persona].post(url).status_code == 404, persona
    assert login_url_in(persona_clients["anonymous"].post(url))
    client = persona_clients["coordinator"]
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not ReportingPeriod.objects.filter(pk=last.pk).exists()
    make_report(period, action, lead_org)
    response = client.post(reverse("monitoring:period_delete", args=[period.pk]), follow=True)
    assert ReportingPeriod.objects.filter(pk=period.pk).exists()
    assert "cannot be deleted" in response.content.decode()
