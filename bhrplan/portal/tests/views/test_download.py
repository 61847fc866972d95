import csv
import io
import json

import pytest
from django.urls import reverse

from bhrplan.plans import services as plan_services


def url(plan, fmt, **params):
    address = reverse("portal:plan_download", args=[plan.pk, fmt])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.django_db
def test_it_downloads_the_latest_published_version_as_json(client, plan_with_draft):
    response = client.get(url(plan_with_draft, "json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment;" in response["Content-Disposition"]
    assert "-v1.json" in response["Content-Disposition"]
    text = response.content.decode()
    json.loads(text)
    assert "Acción 1.1.1" in text
    assert "Borrador confidencial" not in text


@pytest.mark.django_db
def test_it_downloads_csv_and_xlsx(client, published_plan):
    response = client.get(url(published_plan, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) >= 9  # header + one row per indicator
    xlsx = client.get(url(published_plan, "xlsx"))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # a zip container


@pytest.mark.django_db
def test_it_downloads_an_older_published_version_on_request(client, plan_with_draft):
    plan_services.plan_publish(plan=plan_with_draft, actor=None)
    assert "Borrador confidencial" in client.get(url(plan_with_draft, "json")).content.decode()
    old = client.get(url(plan_with_draft, "json", version=1))
    assert "-v1.json" in old["Content-Disposition"]
    assert "Borrador confidencial" not in old.content.decode()


@pytest.mark.django_db
def test_it_refuses_unknown_formats_drafts_and_bad_versions(
    client, published_plan, draft_only_plan
):
    assert client.get(url(published_plan, "pdf")).status_code == 404
    assert client.get(url(published_plan, "JSON")).status_code == 404
    assert client.get(url(draft_only_plan, "json")).status_code == 404
    assert client.get(url(published_plan, "csv", version="two")).status_code == 404
    assert client.get(url(published_plan, "csv", version=2)).status_code == 404


@pytest.mark.django_db
def test_it_serves_every_persona_alike(persona_clients, published_plan):
    for name, client in persona_clients.items():
        assert client.get(url(published_plan, "json")).status_code == 200, name


@pytest.mark.django_db
def test_it_refuses_post(client_for, outsider, published_plan):
    assert client_for(outsider).post(url(published_plan, "csv")).status_code == 405
