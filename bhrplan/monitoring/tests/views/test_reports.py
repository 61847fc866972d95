import pytest
from django.urls import reverse

from bhrplan.monitoring import services
from bhrplan.monitoring.models import IndicatorValue, ProgressReport, ReportRevision
from bhrplan.monitoring.tests.conftest import make_report, report_edit_url

pytestmark = pytest.mark.django_db


def is_login(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def form_data(action, value="20", **extra):
    data = {"status": "in_progress", "narrative": "Se realizaron dos talleres."}
    for ind in action.indicators.all():
        data[f"ind{ind.pk}"] = value
        if ind.disaggregations:
            data[f"ind{ind.pk}_note"] = "Sin desagregación en este periodo."
    return data | extra


# Task list


def test_it_shows_focal_points_their_tasks(
    persona_clients, client_for, reporting_plan, action, plain_action, lead_focal, third_focal
):
    url = reverse("monitoring:task_list", args=[reporting_plan.pk])
    response = persona_clients["focal_point"].get(url)
    assert response.status_code == 200
    tasks = response.context["tasks"]
    # periods 2025 and 2026 have started ("today" is after 2026-01-01), two actions each
    assert len(tasks) == 4
    assert {t.action.uid for t in tasks} == {action.uid, plain_action.uid}
    assert all(t.organization.name.startswith("Ministerio de Trabajo") for t in tasks)
    overdue = [t for t in tasks if t.overdue]
    assert {t.period.label for t in overdue} == {"2025"}  # due 2026-01-30, nothing submitted
    assert "Overdue" in response.content.decode() or "Vencido" in response.content.decode()
    assert client_for(third_focal).get(url).context["tasks"] == []
    for persona in ("coordinator", "committee_member", "stakeholder", "outsider"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert is_login(persona_clients["anonymous"].get(url))
    assert persona_clients["focal_point"].post(url).status_code == 405


def test_it_marks_task_states(client_for, reporting_plan, period, action, other_org, focal_point):
    make_report(period, action, other_org, submit=True)
    response = client_for(focal_point).get(
        reverse("monitoring:task_list", args=[reporting_plan.pk])
    )
    states = {(t.period.pk, t.action.uid): t for t in response.context["tasks"]}
    task = states[(period.pk, action.uid)]
    assert task.state == "submitted" and not task.overdue


def test_it_lists_tasks_in_few_queries(
    client_for, reporting_plan, period, action, plain_action, other_org, focal_point,
    django_assert_max_num_queries,
):  # fmt: skip
    make_report(period, action, other_org)
    make_report(period, plain_action, other_org, submit=True)
    client = client_for(focal_point)
    with django_assert_max_num_queries(14):
        client.get(reverse("monitoring:task_list", args=[reporting_plan.pk]))


# Report form


def test_it_lets_only_the_responsible_organisations_focal_point_report(
    persona_clients, client_for, period, action, lead_org, other_org, third_org, third_focal
):
    mine = reverse("monitoring:report_edit", args=[period.pk, action.uid, other_org.pk])
    assert mine == report_edit_url(period, action, other_org)
    theirs = report_edit_url(period, action, lead_org)
    client = persona_clients["focal_point"]
    assert client.get(mine).status_code == 200
    assert client.get(theirs).status_code == 404
    assert client.post(theirs, form_data(action)).status_code == 404
    third = client_for(third_focal)
    assert third.get(report_edit_url(period, action, third_org)).status_code == 404
    for persona in ("coordinator", "committee_member", "stakeholder", "outsider"):
        assert persona_clients[persona].get(mine).status_code == 404, persona
        assert persona_clients[persona].post(mine, form_data(action)).status_code == 404
    assert is_login(persona_clients["anonymous"].get(mine))
    assert client.delete(mine).status_code == 405
    assert not ProgressReport.objects.exists()


def test_it_saves_a_draft_and_submits(persona_clients, period, plain_action, other_org):
    url = report_edit_url(period, plain_action, other_org)
    client = persona_clients["focal_point"]
    response = client.post(url, form_data(plain_action, "12.5"))
    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:report_detail", args=[report.pk])
    assert report.state == "draft"
    assert IndicatorValue.objects.get().value == 12.5
    client.post(url, form_data(plain_action, "13") | {"submit": "1"})
    report.refresh_from_db()
    assert report.state == "submitted"
    assert ReportRevision.objects.get().values
    # a submitted report waits for review: the form refuses changes
    response = client.post(url, form_data(plain_action, "99"))
    assert response.status_code == 400
    assert IndicatorValue.objects.get().value == 13


def test_it_refuses_a_value_that_is_not_a_number(persona_clients, period, plain_action, other_org):
    url = report_edit_url(period, plain_action, other_org)
    ind = plain_action.indicators.get()
    response = persona_clients["focal_point"].post(
        url, form_data(plain_action) | {f"ind{ind.pk}": "veinte"}
    )
    assert response.status_code == 400
    assert f"ind{ind.pk}" in response.context["form"].errors
    assert not ProgressReport.objects.exists()


def test_it_refuses_a_breakdown_that_does_not_add_up(persona_clients, period, action, other_org):
    url = report_edit_url(period, action, other_org)
    ind = action.indicators.get()
    data = form_data(action, "20") | {
        f"ind{ind.pk}_note": "",
        f"ind{ind.pk}__sex__female": "12",
        f"ind{ind.pk}__sex__male": "7",
        f"ind{ind.pk}__age_group__18_29": "20",
    }
    client = persona_clients["focal_point"]
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors[f"ind{ind.pk}_note"]
    assert len(errors) == 1 and "sex" in errors[0] and "19" in errors[0]
    assert not ProgressReport.objects.exists()
    data[f"ind{ind.pk}__sex__other_unknown"] = "1"
    assert client.post(url, data).status_code == 302
    value = IndicatorValue.objects.get()
    assert value.breakdown == {
        "sex": {"female": "12", "male": "7", "other_unknown": "1"},
        "age_group": {"18_29": "20"},
    }


def test_it_accepts_a_breakdown_with_a_note(persona_clients, period, action, other_org):
    url = report_edit_url(period, action, other_org)
    ind = action.indicators.get()
    data = form_data(action, "20") | {
        f"ind{ind.pk}_note": "Solo se registró el sexo de 12 personas.",
        f"ind{ind.pk}__sex__female": "12",
    }
    assert persona_clients["focal_point"].post(url, data).status_code == 302
    form = persona_clients["focal_point"].get(url).context["form"]
    assert form.initial[f"ind{ind.pk}__sex__female"] == "12"


def test_it_refuses_parts_without_a_total(persona_clients, period, action, other_org):
    ind = action.indicators.get()
    data = form_data(action, "") | {f"ind{ind.pk}__sex__female": "3"}
    response = persona_clients["focal_point"].post(report_edit_url(period, action, other_org), data)
    assert response.status_code == 400
    assert f"ind{ind.pk}" in response.context["form"].errors


def test_it_starts_a_new_revision_from_the_form(
    client_for, period, plain_action, lead_org, lead_focal, coordinator
):
    report = make_report(period, plain_action, lead_org, submit=True)
    services.report_validate(report=report, actor=coordinator)
    client = client_for(lead_focal)
    url = report_edit_url(period, plain_action, lead_org)
    assert "new revision" in client.get(url).content.decode()
    client.post(url, form_data(plain_action, "30"))
    report.refresh_from_db()
    assert (report.state, report.revision) == ("draft", 2)


# Report page, history, submit


@pytest.fixture
def lead_draft(period, plain_action, lead_org, lead_focal):
    return make_report(period, plain_action, lead_org, actor=lead_focal)


def test_it_shows_a_draft_only_to_its_organisation_and_reviewers(
    persona_clients, client_for, lead_draft, lead_focal
):
    url = reverse("monitoring:report_detail", args=[lead_draft.pk])
    assert client_for(lead_focal).get(url).status_code == 200
    assert persona_clients["coordinator"].get(url).status_code == 200
    assert persona_clients["committee_member"].get(url).status_code == 200
    for persona in ("focal_point", "stakeholder", "outsider", "anonymous"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert client_for(lead_focal).post(url).status_code == 405


def test_it_shows_a_validated_report_to_the_public(persona_clients, lead_draft, coordinator):
    services.report_submit(report=lead_draft, actor=None)
    services.report_validate(report=lead_draft, actor=coordinator, comment="Interno")
    url = reverse("monitoring:report_detail", args=[lead_draft.pk])
    response = persona_clients["anonymous"].get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Se capacitó a 20 funcionarios." in page
    assert reverse("monitoring:report_history", args=[lead_draft.pk]) not in page


def test_it_shows_the_report_in_few_queries(
    persona_clients, lead_draft, django_assert_max_num_queries
):
    url = reverse("monitoring:report_detail", args=[lead_draft.pk])
    with django_assert_max_num_queries(20):
        persona_clients["coordinator"].get(url)


def test_it_submits_from_the_report_page(persona_clients, client_for, lead_draft, lead_focal):
    url = reverse("monitoring:report_submit", args=[lead_draft.pk])
    for persona in ("focal_point", "coordinator", "committee_member", "stakeholder", "outsider"):
        assert persona_clients[persona].post(url).status_code == 404, persona
    assert is_login(persona_clients["anonymous"].post(url))
    client = client_for(lead_focal)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    lead_draft.refresh_from_db()
    assert lead_draft.state == "submitted"
    response = client.post(url, follow=True)  # twice: a message, no error
    assert response.status_code == 200
    assert ReportRevision.objects.count() == 1


def test_it_shows_the_history_to_those_allowed(
    persona_clients, client_for, lead_draft, lead_focal, coordinator
):
    services.report_submit(report=lead_draft, actor=lead_focal)
    services.report_return(report=lead_draft, actor=coordinator, comment="Añadir el acta")
    url = reverse("monitoring:report_history", args=[lead_draft.pk])
    response = client_for(lead_focal).get(url)
    assert response.status_code == 200
    assert "Añadir el acta" in response.content.decode()
    assert len(response.context["revisions"]) == 2
    assert persona_clients["committee_member"].get(url).status_code == 200
    for persona in ("focal_point", "stakeholder", "outsider"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert is_login(persona_clients["anonymous"].get(url))
    assert persona_clients["coordinator"].post(url).status_code == 405


# Review


def test_it_lists_submitted_reports_for_reviewers(
    persona_clients, reporting_plan, period, action, plain_action, lead_org, other_org,
    django_assert_max_num_queries,
):  # fmt: skip
    submitted = make_report(period, action, lead_org, submit=True)
    make_report(period, plain_action, other_org)  # a draft: not in the queue
    url = reverse("monitoring:review_queue", args=[reporting_plan.pk])
    with django_assert_max_num_queries(12):
        response = persona_clients["committee_member"].get(url)
    assert [r.pk for r in response.context["reports"]] == [submitted.pk]
    assert persona_clients["coordinator"].get(url).status_code == 200
    for persona in ("focal_point", "stakeholder", "outsider"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert is_login(persona_clients["anonymous"].get(url))
    assert persona_clients["coordinator"].post(url).status_code == 405


def test_it_validates_or_returns_a_report(persona_clients, client_for, lead_draft, lead_focal):
    services.report_submit(report=lead_draft, actor=lead_focal)
    url = reverse("monitoring:report_review", args=[lead_draft.pk])
    for persona in ("focal_point", "stakeholder", "outsider"):
        assert persona_clients[persona].post(url, {"decision": "validate"}).status_code == 404
    assert client_for(lead_focal).post(url, {"decision": "validate"}).status_code == 404
    assert is_login(persona_clients["anonymous"].post(url, {"decision": "validate"}))
    committee = persona_clients["committee_member"]
    assert committee.get(url).status_code == 405
    response = committee.post(url, {"decision": "return", "comment": ""}, follow=True)
    lead_draft.refresh_from_db()
    assert lead_draft.state == "submitted"  # a return needs a comment
    assert response.status_code == 200
    committee.post(url, {"decision": "return", "comment": "Falta el acta."})
    lead_draft.refresh_from_db()
    assert (lead_draft.state, lead_draft.review_comment) == ("returned", "Falta el acta.")
    services.report_submit(report=lead_draft, actor=lead_focal)
    assert persona_clients["coordinator"].post(url, {"decision": "validate"}).status_code == 302
    lead_draft.refresh_from_db()
    assert lead_draft.state == "validated"
    response = persona_clients["coordinator"].post(url, {"decision": "validate"}, follow=True)
    assert response.status_code == 200  # already validated: a message, not an error page
