"""Open data: the files hold public rows only, resist formula injection, and are enough
to recompute the dashboard's headline figures."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bhrplan.monitoring.opendata import DATASETS, FORMATS
from bhrplan.monitoring.tests.progress_data import make_report, scenario
from bhrplan.territories.models import Organization

PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    Organization.objects.filter(pk=lead_org.pk).update(contact_email="privado@minjus.example")
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def _csv(client, plan, dataset):
    response = client.get(reverse("progress:download", args=[plan.pk, dataset, "csv"]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _key(row):
    return (
        row["period_start"],
        row["reported_by_lead"] == "True",
        row["validated_at"],
        int(row["report_id"]),
    )


def _attainment(direction, baseline, target, value):
    if "" in (baseline, target) or value is None:
        return None
    b, t, v = Decimal(baseline), Decimal(target), Decimal(value)
    if direction == "maintain" or t == b:
        return 1.0 if abs(v - t) <= abs(t) * Decimal("0.05") else 0.0
    return min(1.0, max(0.0, float((v - b) / (t - b))))


def test_it_recomputes_the_headline_figures_from_the_files(client, published_plan, data):
    today = timezone.localdate().isoformat()
    actions = _csv(client, published_plan, "actions")
    indicators = _csv(client, published_plan, "indicators")
    periods = _csv(client, published_plan, "periods")
    reports = _csv(client, published_plan, "reports")
    values = _csv(client, published_plan, "values")

    status = {}
    for row in sorted(reports, key=_key):
        status[row["action_uid"]] = row["status"]
    latest = {}
    for row in sorted(values, key=_key):
        latest[row["indicator_uid"]] = row["value"]
    progress = []
    delayed = []
    for action in actions:
        uid = action["action_uid"]
        state = status.get(uid)
        if (
            action["end_date"]
            and action["end_date"] < today
            and state not in ("completed", "cancelled")
        ):
            delayed.append(action["code"])
        if state is None or state == "cancelled":
            continue
        if state == "completed":
            progress.append(1.0)
            continue
        known = [
            a
            for i in indicators
            if i["action_uid"] == uid
            and (
                a := _attainment(
                    i["direction"],
                    i["baseline_value"],
                    i["target_value"],
                    latest.get(i["indicator_uid"]),
                )
            )
            is not None
        ]
        progress.append(sum(known) / len(known) if known else {"not_started": 0.0}.get(state, 0.5))
    passed = {p["label"] for p in periods if p["due_date"] < today}
    responsible = {
        a["action_uid"]: {a["lead_id"], *a["co_responsible_ids"].split()} - {""} for a in actions
    }
    expected = sum(len(orgs) for orgs in responsible.values()) * len(passed)
    on_time = sum(
        1
        for r in reports
        if r["submitted_on_time"] == "True"
        and r["period_label"] in passed
        and r["organization_id"] in responsible.get(r["action_uid"], set())
    )

    api = client.get(f"/api/v1/plans/{published_plan.pk}/progress").json()
    assert api["progress"]["progress"] == pytest.approx(sum(progress) / len(progress))
    assert api["progress"]["progress"] == pytest.approx(0.5)
    assert api["delayed_actions"] == delayed == [data["actions"][4].code, data["actions"][6].code]
    assert api["on_time"]["expected"] == expected
    assert api["on_time"]["on_time"] == on_time
    assert api["on_time"]["rate"] == pytest.approx(on_time / expected)


def test_it_exports_public_rows_only(client, published_plan, data):
    reports = _csv(client, published_plan, "reports")
    assert {r["status"] for r in reports} == {
        "in_progress",
        "completed",
        "cancelled",
        "delayed",
        "not_started",
    }
    assert len(reports) == 7  # the submitted and the draft report are left out
    assessments = _csv(client, published_plan, "assessments")
    assert sorted(a["rating"] for a in assessments) == ["complete", "partial"]
    values = _csv(client, published_plan, "values")
    assert sorted(Decimal(v["value"]) for v in values) == [0, 100, 250, 300, 600]
    assert {json.loads(v["breakdown"]).get("sex", {}).get("female") for v in values} == {None, 150}
    for dataset in DATASETS:
        for fmt in FORMATS:
            url = reverse("progress:download", args=[published_plan.pk, dataset, fmt])
            body = client.get(url).content
            assert b"privado@minjus" not in body
            assert b"Borrador interno" not in body


def test_it_writes_the_same_rows_in_every_format(client, published_plan, data):
    url = reverse("progress:download", args=[published_plan.pk, "values", "xlsx"])
    response = client.get(url)
    assert response["Content-Type"] == FORMATS["xlsx"]
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    as_json = client.get(
        reverse("progress:download", args=[published_plan.pk, "values", "json"])
    ).json()
    as_csv = _csv(client, published_plan, "values")
    assert len(rows) - 1 == len(as_json["rows"]) == len(as_csv) == 5
    assert rows[0][: len(as_csv[0])] == tuple(as_csv[0].keys())
    assert as_json["dataset"] == "values"


def test_it_escapes_formulas_in_spreadsheets(client, published_plan, data, lead_org):
    period = data["periods"][2]
    make_report(
        period,
        data["actions"][7],
        lead_org,
        "in_progress",
        submitted=period.due_date,
        value=-5,
        narrative='=HYPERLINK("http://example.com","x")',
    )
    reports = _csv(client, published_plan, "reports")
    assert any(r["narrative"] == '\'=HYPERLINK("http://example.com","x")' for r in reports)
    assert "-5" in {v["value"].split(".")[0] for v in _csv(client, published_plan, "values")}
    url = reverse("progress:download", args=[published_plan.pk, "reports", "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://example.com","x")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    url = reverse("progress:download", args=[published_plan.pk, "values", "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    assert -5 in [c for row in sheet.iter_rows(values_only=True) for c in row]


def test_it_answers_everyone_and_refuses_bad_requests(persona_clients, published_plan, plan, data):
    url = reverse("progress:download", args=[published_plan.pk, "reports", "csv"])
    for persona in PERSONAS:
        client = persona_clients[persona]
        assert client.get(url).status_code == 200, persona
        assert client.post(url).status_code == 405, persona
    anonymous = persona_clients["anonymous"]
    for args in [
        (published_plan.pk, "secrets", "csv"),
        (published_plan.pk, "reports", "exe"),
        (987654, "reports", "csv"),
    ]:
        assert anonymous.get(reverse("progress:download", args=args)).status_code == 404
    assert anonymous.get(f"/es/progress/plans/{published_plan.pk}/data/reports").status_code == 404


def test_it_hides_the_data_of_unpublished_plans(persona_clients, plan, lead_org):
    from bhrplan.conftest import build_plan_tree

    build_plan_tree(plan, lead_org)
    for persona in PERSONAS:
        url = reverse("progress:download", args=[plan.pk, "actions", "json"])
        assert persona_clients[persona].get(url).status_code == 404, persona
