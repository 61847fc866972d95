import pytest
from django.urls import reverse

from bhrplan.monitoring import services
from bhrplan.monitoring.models import Evidence
from bhrplan.monitoring.tests.conftest import PDF, make_report, upload

pytestmark = pytest.mark.django_db

OTHERS = ("focal_point", "stakeholder", "outsider")


@pytest.fixture
def draft(period, plain_action, lead_org):
    return make_report(period, plain_action, lead_org)


@pytest.fixture
def files(draft):
    public = services.evidence_add(
        report=draft, upload=upload("acta pública.pdf", PDF), visibility="public", actor=None
    )
    internal = services.evidence_add(
        report=draft, upload=upload("lista.pdf", PDF), visibility="internal", actor=None
    )
    return public, internal


def is_login(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_uploads_evidence_for_the_reporting_organisation_only(
    persona_clients, client_for, draft, lead_focal
):
    url = reverse("monitoring:evidence_upload", args=[draft.pk])
    data = {"visibility": "public", "description": "Acta"}
    for persona in (*OTHERS, "coordinator", "committee_member"):
        response = persona_clients[persona].post(url, data | {"file": upload("a.pdf", PDF)})
        assert response.status_code == 404, persona
    assert is_login(persona_clients["anonymous"].post(url, data))
    client = client_for(lead_focal)
    assert client.get(url).status_code == 405
    response = client.post(url, data | {"file": upload("acta.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.visibility, evidence.description) == (
        "acta.pdf",
        "public",
        "Acta",
    )
    assert evidence.uploaded_by == lead_focal


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "not an accepted type"),
        ("falso.pdf", b"GIF89a", "not a valid PDF"),
        ("grande.pdf", PDF + b"0" * 200, "too large"),
    ],
)
def test_it_refuses_bad_files_with_a_message(
    client_for, draft, lead_focal, settings, name, content, message
):
    settings.EVIDENCE_MAX_BYTES = 150
    url = reverse("monitoring:evidence_upload", args=[draft.pk])
    response = client_for(lead_focal).post(
        url, {"visibility": "public", "file": upload(name, content)}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_it_refuses_an_upload_without_a_file(client_for, draft, lead_focal):
    url = reverse("monitoring:evidence_upload", args=[draft.pk])
    response = client_for(lead_focal).post(url, {"visibility": "nobody"}, follow=True)
    assert response.status_code == 200
    assert not Evidence.objects.exists()


def test_it_serves_internal_evidence_to_the_plans_insiders_only(
    persona_clients, client_for, files, lead_focal
):
    _public, internal = files
    url = reverse("monitoring:evidence_download", args=[internal.pk])
    response = client_for(lead_focal).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="lista.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    for persona in ("coordinator", "committee_member"):
        assert persona_clients[persona].get(url).status_code == 200, persona
    for persona in (*OTHERS, "anonymous"):
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert client_for(lead_focal).post(url).status_code == 405


def test_it_serves_public_evidence_once_the_report_is_validated(
    persona_clients, draft, files, coordinator
):
    public, internal = files
    public_url = reverse("monitoring:evidence_download", args=[public.pk])
    assert persona_clients["anonymous"].get(public_url).status_code == 404  # still a draft
    services.report_submit(report=draft, actor=None)
    services.report_validate(report=draft, actor=coordinator)
    response = persona_clients["anonymous"].get(public_url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    internal_url = reverse("monitoring:evidence_download", args=[internal.pk])
    assert persona_clients["anonymous"].get(internal_url).status_code == 404
    assert persona_clients["stakeholder"].get(internal_url).status_code == 404
    page = persona_clients["anonymous"].get(reverse("monitoring:report_detail", args=[draft.pk]))
    assert public_url in page.content.decode()
    assert internal_url not in page.content.decode()


def test_it_deletes_evidence_for_the_reporting_organisation_only(
    persona_clients, client_for, files, lead_focal
):
    public, _internal = files
    url = reverse("monitoring:evidence_delete", args=[public.pk])
    for persona in (*OTHERS, "coordinator", "committee_member"):
        assert persona_clients[persona].post(url).status_code == 404, persona
    assert is_login(persona_clients["anonymous"].post(url))
    client = client_for(lead_focal)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["lista.pdf"]
