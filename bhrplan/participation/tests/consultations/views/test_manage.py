"""Coordinator pages: only coordinators of the plan get in; others get 404, the public a login."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bhrplan.frameworks.models import Theme
from bhrplan.participation import services_consultations as svc
from bhrplan.participation.models import Consultation, Response
from bhrplan.participation.selectors_consultations import consultation_state, version_elements
from bhrplan.plans import services as plan_services

pytestmark = pytest.mark.django_db
NOT_COORDINATORS = ["focal_point", "committee_member", "stakeholder", "outsider"]


@pytest.fixture
def contribution(consultation):
    return svc.contribution_submit(
        consultation=consultation, text="<i>comentario</i>", actor=None, contact_email="p@x.org"
    )[0]


@pytest.fixture
def suggestion(published_plan):
    theme = Theme.objects.order_by("slug").first()
    return svc.suggestion_submit(plan=published_plan, theme=theme, text="sugerencia", actor=None)[0]


def get_urls(consultation):
    plan_id = consultation.plan_id
    return [
        reverse("consultations:manage"),
        reverse("consultations:new", args=[plan_id]),
        reverse("consultations:edit", args=[consultation.pk]),
        reverse("consultations:moderate", args=[consultation.pk]),
        reverse("consultations:suggestions", args=[plan_id]),
    ]


def post_urls(consultation, contribution):
    return [
        reverse("consultations:close", args=[consultation.pk]),
        reverse("consultations:respond", args=[consultation.pk]),
        reverse("consultations:suggestions_respond", args=[consultation.plan_id]),
        reverse("consultations:contribution_moderate", args=[contribution.pk]),
    ]


def test_it_shows_coordinator_pages_to_the_coordinator(persona_clients, consultation, contribution):
    client = persona_clients["coordinator"]
    for url in get_urls(consultation):
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("consultations:moderate", args=[consultation.pk])).content.decode()
    assert "&lt;i&gt;comentario" in body and "p@x.org" in body


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_it_404s_for_everyone_else(persona, persona_clients, consultation, contribution):
    client = persona_clients[persona]
    for url in get_urls(consultation)[1:]:
        assert client.get(url).status_code == 404, url
    for url in post_urls(consultation, contribution):
        assert client.post(url, {"moderation": "hidden", "hidden_reason": "x"}).status_code == 404
    contribution.refresh_from_db()
    assert contribution.moderation == "published"
    assert consultation_state(Consultation.objects.get()) == "open"


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_the_manage_index_shows_no_foreign_consultation(persona, persona_clients, consultation):
    body = persona_clients[persona].get(reverse("consultations:manage")).content.decode()
    assert consultation.title not in body


def test_it_sends_the_public_to_sign_in(persona_clients, consultation, contribution):
    client = persona_clients["anonymous"]
    for url in get_urls(consultation) + post_urls(consultation, contribution):
        response = client.get(url) if url in get_urls(consultation) else client.post(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url


def test_it_refuses_the_wrong_method(persona_clients, consultation, contribution):
    client = persona_clients["coordinator"]
    for url in get_urls(consultation):
        assert client.delete(url).status_code == 405, url
    for url in post_urls(consultation, contribution):
        assert client.get(url).status_code == 405, url


def test_the_coordinator_opens_a_consultation(persona_clients, published_plan):
    client = persona_clients["coordinator"]
    version = published_plan.versions.get()
    response = client.post(
        reverse("consultations:new", args=[published_plan.pk]),
        {
            "version": version.pk,
            "title": "Consulta 2026",
            "opens_at": "2026-01-10T09:00",
            "closes_at": "2026-02-10T18:00",
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert timezone.localtime(consultation.opens_at).hour == 9
    assert str(timezone.localtime(consultation.opens_at).tzinfo) == "America/Lima"


def test_it_shows_errors_instead_of_failing(persona_clients, published_plan):
    client = persona_clients["coordinator"]
    draft = plan_services.draft_for_edit(plan=published_plan, actor=None)
    response = client.post(
        reverse("consultations:new", args=[published_plan.pk]),
        {"version": draft.pk, "title": "x", "opens_at": "2026-02-10T09:00", "closes_at": "bad"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Consultation.objects.exists()


def test_the_coordinator_edits_and_closes(persona_clients, consultation):
    client = persona_clients["coordinator"]
    response = client.post(
        reverse("consultations:edit", args=[consultation.pk]),
        {"title": "Nuevo título", "opens_at": "2026-01-01T00:00", "closes_at": "2025-01-01T00:00"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    closes = timezone.localtime(consultation.closes_at).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("consultations:edit", args=[consultation.pk]),
        {"title": "Nuevo título", "opens_at": "2026-01-01T00:00", "closes_at": closes},
    )
    consultation.refresh_from_db()
    assert consultation.title == "Nuevo título"
    client.post(reverse("consultations:close", args=[consultation.pk]))
    consultation.refresh_from_db()
    assert consultation_state(consultation) == "closed"


def test_the_coordinator_hides_and_publishes(persona_clients, consultation, contribution):
    client = persona_clients["coordinator"]
    url = reverse("consultations:contribution_moderate", args=[contribution.pk])
    client.post(url, {"moderation": "hidden", "hidden_reason": ""})
    contribution.refresh_from_db()
    assert contribution.moderation == "published"
    client.post(url, {"moderation": "hidden", "hidden_reason": "Datos personales"})
    contribution.refresh_from_db()
    assert contribution.moderation == "hidden"


def test_the_coordinator_answers_a_group(persona_clients, consultation):
    first, second = (
        svc.contribution_submit(consultation=consultation, text=t, actor=None)[0]
        for t in ("a", "b")
    )
    draft = plan_services.draft_for_edit(plan=consultation.plan, actor=None)
    element = version_elements(draft)[0]
    client = persona_clients["coordinator"]
    page = client.get(reverse("consultations:moderate", args=[consultation.pk])).content.decode()
    assert f"{draft.pk}:{element.uid}" in page
    client.post(
        reverse("consultations:respond", args=[consultation.pk]),
        {
            "contributions": [first.pk, second.pk],
            "outcome": "incorporated",
            "rationale": "Se añadió una acción.",
            "changed": f"{draft.pk}:{element.uid}",
        },
    )
    response = Response.objects.get()
    assert set(response.contributions.all()) == {first, second}
    assert response.changed_element_uid == element.uid


def test_answering_needs_contributions_of_this_plan(persona_clients, consultation, suggestion):
    client = persona_clients["coordinator"]
    url = reverse("consultations:respond", args=[consultation.pk])
    client.post(url, {"outcome": "incorporated", "rationale": "r"})
    client.post(url, {"contributions": ["x"], "outcome": "incorporated", "rationale": "r"})
    client.post(url, {"contributions": [999999], "outcome": "incorporated", "rationale": "r"})
    assert not Response.objects.exists()


def test_the_coordinator_filters_and_answers_suggestions(persona_clients, suggestion):
    client = persona_clients["coordinator"]
    url = reverse("consultations:suggestions", args=[suggestion.plan_id])
    other = Theme.objects.exclude(pk=suggestion.theme_id).first()
    assert "sugerencia" in client.get(url, {"theme": suggestion.theme.slug}).content.decode()
    assert "sugerencia" not in client.get(url, {"theme": other.slug}).content.decode()
    client.post(
        reverse("consultations:suggestions_respond", args=[suggestion.plan_id]),
        {"contributions": [suggestion.pk], "outcome": "out_of_scope", "rationale": "Otro plan."},
    )
    suggestion.refresh_from_db()
    assert suggestion.response.outcome == "out_of_scope"


def test_the_moderation_list_has_a_fixed_number_of_queries(
    persona_clients, consultation, django_assert_max_num_queries
):
    for i in range(60):
        svc.contribution_submit(consultation=consultation, text=f"t{i}", actor=None)
    client = persona_clients["coordinator"]
    with django_assert_max_num_queries(40):
        response = client.get(reverse("consultations:moderate", args=[consultation.pk]))
    assert len(response.context["page"].object_list) == 50


def test_closing_twice_shows_a_message(persona_clients, consultation):
    client = persona_clients["coordinator"]
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    response = client.post(reverse("consultations:close", args=[consultation.pk]), follow=True)
    assert "already closed" in response.content.decode()
