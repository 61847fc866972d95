import pytest
from django.urls import reverse

from bhrplan.monitoring.models import IndependentAssessment
from bhrplan.monitoring.tests.conftest import make_report

pytestmark = pytest.mark.django_db


def test_it_lets_stakeholders_and_the_committee_assess(
    persona_clients, period, action, stakeholder_org
):
    url = reverse("monitoring:assessment_edit", args=[period.pk, action.uid])
    for persona in ("coordinator", "focal_point", "outsider"):
        assert persona_clients[persona].get(url).status_code == 404, persona
        assert persona_clients[persona].post(url, {}).status_code == 404, persona
    response = persona_clients["anonymous"].get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = persona_clients["stakeholder"]
    assert client.put(url).status_code == 405
    assert client.get(url).status_code == 200
    data = {"source": f"org-{stakeholder_org.pk}", "rating": "insufficient", "narrative": "Poco"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data | {"narrative": "Poco avance"}).status_code == 302
    assessment = IndependentAssessment.objects.get()
    assert (assessment.source, assessment.organization, assessment.narrative) == (
        "stakeholder",
        stakeholder_org,
        "Poco avance",
    )
    form = client.get(url).context["form"]
    assert form.initial["narrative"] == "Poco avance"  # edit their own
    committee = persona_clients["committee_member"]
    response = committee.post(url, {"source": "committee", "rating": "partial", "narrative": "x"})
    assert response.status_code == 302
    assert IndependentAssessment.objects.filter(source="committee", organization=None).count() == 1


def test_it_refuses_bad_input_and_other_sources(persona_clients, period, action, other_org):
    url = reverse("monitoring:assessment_edit", args=[period.pk, action.uid])
    client = persona_clients["stakeholder"]
    for data in (
        {"source": "committee", "rating": "partial", "narrative": "x"},  # not a member
        {"source": f"org-{other_org.pk}", "rating": "partial", "narrative": "x"},
        {"source": "org-1", "rating": "excellent", "narrative": ""},
    ):
        assert client.post(url, data).status_code == 400
    assert not IndependentAssessment.objects.exists()


def test_it_shows_assessments_beside_the_official_report(
    persona_clients, client_for, period, action, lead_org, lead_focal
):
    report = make_report(period, action, lead_org)
    persona_clients["committee_member"].post(
        reverse("monitoring:assessment_edit", args=[period.pk, action.uid]),
        {"source": "committee", "rating": "satisfactory", "narrative": "Avance verificado"},
    )
    page = client_for(lead_focal).get(reverse("monitoring:report_detail", args=[report.pk]))
    text = page.content.decode()
    assert "Avance verificado" in text
    assert text.index("Se capacitó") < text.index("Avance verificado")
    report.refresh_from_db()
    assert report.narrative == "Se capacitó a 20 funcionarios."  # never merged
