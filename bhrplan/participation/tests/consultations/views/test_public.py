"""Public pages: every persona, the wrong method, and the bad inputs of the brief."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bhrplan.frameworks.models import Theme
from bhrplan.participation import services_consultations as svc
from bhrplan.participation.models import Contribution
from bhrplan.participation.tests.consultations.conftest import (
    comment_url,
    form_token,
    open_consultation,
    submit,
)

pytestmark = pytest.mark.django_db
PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]
SCRIPT = '<script>alert("x")</script><b>negrita</b>'


def public_urls(consultation):
    pk = consultation.pk
    return [
        reverse("consultations:index"),
        reverse("consultations:detail", args=[pk]),
        reverse("consultations:comment", args=[pk]),
        reverse("consultations:report", args=[pk]),
        reverse("consultations:report_csv", args=[pk]),
        reverse("consultations:report_xlsx", args=[pk]),
        reverse("consultations:report_pdf", args=[pk]),
        reverse("consultations:receipt"),
        reverse("consultations:suggest", args=[consultation.plan_id]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_public_pages_to_everyone(persona, persona_clients, consultation):
    client = persona_clients[persona]
    for url in public_urls(consultation):
        assert client.get(url).status_code == 200, url


def test_it_refuses_the_wrong_method(persona_clients, consultation):
    client = persona_clients["anonymous"]
    for url in public_urls(consultation):
        method = client.put if "comment" in url or "suggest" in url else client.post
        assert method(url).status_code == 405, url


def test_it_404s_for_unknown_consultations(client, db):
    assert client.get(reverse("consultations:comment", args=[999])).status_code == 404
    assert client.get(reverse("consultations:report_pdf", args=[999])).status_code == 404


def test_it_stores_an_anonymous_contribution_and_shows_the_receipt(client, consultation):
    response = submit(client, consultation, gender="female", contact_email="a@example.org")
    assert response.status_code == 200
    contribution = Contribution.objects.get()
    assert contribution.receipt_code in response.content.decode()
    assert contribution.gender == "female"
    assert reverse("consultations:receipt") in response.content.decode()


def test_it_preselects_the_element_from_a_link(client, consultation, action_element):
    url = comment_url(consultation) + f"?element={action_element.key}"
    body = client.get(url).content.decode()
    assert f'value="{action_element.key}" selected' in body


def test_it_stores_html_as_text_and_escapes_it_everywhere(client, consultation):
    response = submit(client, consultation, text=SCRIPT)
    contribution = Contribution.objects.get()
    assert contribution.text == SCRIPT
    pages = [
        response,
        client.get(reverse("consultations:report", args=[consultation.pk])),
        client.get(reverse("consultations:receipt"), {"code": contribution.receipt_code}),
    ]
    for page in pages:
        body = page.content.decode()
        assert "<script>alert" not in body
        assert "<b>negrita" not in body
    assert "&lt;script&gt;" in pages[1].content.decode()


def test_it_stores_one_contribution_for_a_double_submission(client, consultation):
    token = form_token(client, comment_url(consultation))
    first = submit(client, consultation, token=token)
    second = submit(client, consultation, token=token)
    assert Contribution.objects.count() == 1
    code = Contribution.objects.get().receipt_code
    assert code in first.content.decode() and code in second.content.decode()


def test_it_refuses_a_forged_token(client, consultation):
    response = submit(client, consultation, token="forged")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Contribution.objects.exists()


def test_it_refuses_a_filled_honeypot(client, consultation):
    response = submit(client, consultation, homepage="http://spam.example")
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_it_refuses_oversize_text_with_a_message(client, consultation):
    response = submit(client, consultation, text="a" * 5001)
    assert response.status_code == 400
    assert "5000" in response.content.decode()
    assert not Contribution.objects.exists()


def test_it_refuses_an_element_of_another_version(client, consultation):
    response = submit(client, consultation, element="action:00000000-0000-0000-0000-000000000001")
    assert response.status_code == 400
    assert "not part of the plan version" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(("opens", "closes"), [(-3, -1), (1, 3)])
def test_it_refuses_closed_or_upcoming_consultations(client, published_plan, opens, closes):
    now = timezone.now()
    consultation = open_consultation(
        published_plan, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes)
    )
    url = comment_url(consultation)
    assert 'name="token"' not in client.get(url).content.decode()
    response = client.post(url, {"element": "plan", "text": "x", "token": "t"})
    assert response.status_code == 400
    assert "Nothing was stored" in response.content.decode()
    assert not Contribution.objects.exists()


def test_it_rate_limits_submissions_per_address(client, consultation, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 2
    for _ in range(2):
        assert submit(client, consultation).status_code == 200
    response = submit(client, consultation)
    assert response.status_code == 429
    assert Contribution.objects.count() == 2


def test_it_signs_stakeholders_under_their_organisation(
    persona_clients, consultation, stakeholder_org
):
    client = persona_clients["stakeholder"]
    body = client.get(comment_url(consultation)).content.decode()
    assert stakeholder_org.name in body
    assert 'name="declared_organization"' not in body
    submit(client, consultation)
    assert Contribution.objects.get().organization == stakeholder_org


def test_it_finds_a_contribution_by_its_exact_receipt_code(client, consultation):
    submit(client, consultation)
    contribution = Contribution.objects.get()
    url = reverse("consultations:receipt")
    found = client.get(url, {"code": contribution.receipt_code.lower()})
    assert "Incluir a las comunidades" in found.content.decode()
    partial = client.get(url, {"code": contribution.receipt_code[:9]})
    assert "Incluir a las comunidades" not in partial.content.decode()
    assert "No contribution has this receipt code" in partial.content.decode()


def test_it_rate_limits_receipt_lookups(client, consultation, settings):
    settings.RECEIPT_LOOKUP_RATE_LIMIT = 1
    url = reverse("consultations:receipt")
    assert client.get(url, {"code": "AAAA-BBBB-CCCC"}).status_code == 200
    assert client.get(url, {"code": "AAAA-BBBB-CCCD"}).status_code == 429
    assert client.get(url).status_code == 200


def test_it_hides_moderated_contributions_but_keeps_counting_them(
    client, consultation, coordinator
):
    submit(client, consultation, text="visible", gender="female")
    submit(client, consultation, text="oculta", gender="male")
    hidden = Contribution.objects.get(text="oculta")
    svc.contribution_moderate(
        contribution=hidden, moderation="hidden", hidden_reason="Spam", actor=coordinator
    )
    response = client.get(reverse("consultations:report", args=[consultation.pk]))
    body = response.content.decode()
    assert "visible" in body and "oculta" not in body
    counts = dict(response.context["counts"]["gender"])
    assert counts == {"Woman": 1, "Man": 1}


def test_it_filters_the_report(client, consultation, coordinator, action_element):
    submit(client, consultation, text="sobre la acción", element=action_element.key)
    submit(client, consultation, text="sobre el plan", stakeholder_group="company")
    url = reverse("consultations:report", args=[consultation.pk])
    body = client.get(url, {"element": str(action_element.uid)}).content.decode()
    assert "sobre la acción" in body and "sobre el plan" not in body
    body = client.get(url, {"group": "company"}).content.decode()
    assert "sobre el plan" in body and "sobre la acción" not in body
    svc.response_create(
        plan=consultation.plan,
        contributions=list(Contribution.objects.filter(text="sobre el plan")),
        outcome="out_of_scope",
        rationale="No corresponde.",
        actor=coordinator,
    )
    body = client.get(url, {"answer": "out_of_scope"}).content.decode()
    assert "sobre el plan" in body and "No corresponde." in body and "sobre la acción" not in body


def test_it_lists_the_report_in_a_fixed_number_of_queries(
    client, consultation, django_assert_max_num_queries
):
    for i in range(60):
        svc.contribution_submit(
            consultation=consultation, text=f"t{i}", actor=None, stakeholder_group="company"
        )
    for c in Contribution.objects.all()[:30]:
        svc.response_create(
            plan=consultation.plan,
            contributions=[c],
            outcome="incorporated",
            rationale="r",
            actor=None,
        )
    with django_assert_max_num_queries(25):
        response = client.get(reverse("consultations:report", args=[consultation.pk]))
    assert len(response.context["page"].object_list) == 50


def test_it_downloads_the_report(client, consultation, coordinator):
    submit(client, consultation, text='=HYPERLINK("http://evil")')
    submit(client, consultation, text="normal")
    svc.response_create(
        plan=consultation.plan,
        contributions=list(Contribution.objects.all()),
        outcome="not_incorporated",
        rationale="+SUM(1)",
        actor=coordinator,
    )
    pk = consultation.pk
    raw = client.get(reverse("consultations:report_csv", args=[pk])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert len(rows) == 3
    assert rows[1][3].startswith("'=") and rows[1][8] == "'+SUM(1)"
    xlsx = client.get(reverse("consultations:report_xlsx", args=[pk]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    sheet = workbook.worksheets[0]
    values = [c.value for c in sheet[2]]
    assert values[3].startswith("'=")
    assert sheet.max_row == 3
    pdf = client.get(reverse("consultations:report_pdf", args=[pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_it_takes_suggestions_by_theme(client, published_plan):
    url = reverse("consultations:suggest", args=[published_plan.pk])
    theme = Theme.objects.first()
    response = client.post(
        url, {"theme": theme.pk, "text": "Una sugerencia", "token": form_token(client, url)}
    )
    assert response.status_code == 200
    contribution = Contribution.objects.get()
    assert contribution.consultation is None and contribution.theme == theme
    assert contribution.receipt_code in response.content.decode()


def test_it_404s_suggestions_for_unpublished_plans(client, plan):
    assert client.get(reverse("consultations:suggest", args=[plan.pk])).status_code == 404
