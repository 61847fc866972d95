"""The public action page shows a cited procurement screening's aggregate figures only."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bhrplan.plans import services as plan_services
from bhrplan.plans.selectors import version_draft, version_nodes
from bhrplan.portal.tests.conftest import published_plan_of_size
from bhrplan.portal.tests.views.test_action import first_action
from bhrplan.procurement.models import Screening
from bhrplan.procurement.screening.run import read_flags
from bhrplan.procurement.services import dataset_create_from_path, screening_start
from bhrplan.procurement.tests.conftest import OCDS_SAMPLES, finished_screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_screening(settings, tmp_path, coordinator, territory, django_capture_on_commit_callbacks):
    """The Paraguay sample screened for real: its store names buyers and suppliers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path / "var"
    settings.PROCUREMENT_DATA_ROOTS = [str(OCDS_SAMPLES)]
    with django_capture_on_commit_callbacks(execute=True):
        dataset = dataset_create_from_path(
            name="DNCP Paraguay (muestra)",
            territory=territory,
            path=str(OCDS_SAMPLES / "paraguay"),
            actor=coordinator,
        )
        screening = screening_start(dataset=dataset, actor=coordinator)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.DONE, screening.error
    return screening


def cite_and_publish(plan, action, screenings, *, metric="", role=""):
    plan_services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=None, screenings=screenings
    )
    if metric:
        indicator = version_nodes(version_draft(plan), "indicator").filter(action__uid=action.uid)[
            0
        ]
        plan_services.indicator_update(
            indicator=indicator,
            actor=None,
            screening=screenings[0],
            screening_metric=metric,
            screening_role=role,
        )
    plan_services.plan_publish(plan=plan, actor=None, note="Cita el análisis de compras")


def page(client, plan, action, language="en"):
    with translation.override(language):
        url = reverse("portal:action", args=[plan.pk, action.uid])
    return client.get(url)


def test_it_shows_the_aggregate_figures_and_nothing_confidential(
    persona_clients, published_plan, real_screening
):
    action = first_action(published_plan)
    cite_and_publish(
        published_plan, action, [real_screening], metric="flagged_contracts", role="denominator"
    )
    flags = read_flags(Path(real_screening.store)).to_pylist()
    for name, client in persona_clients.items():
        response = page(client, published_plan, action)
        assert response.status_code == 200, name
    html = response.content.decode()
    assert "DNCP Paraguay (muestra)" in html
    assert "A flag means due diligence is needed, not a finding of abuse." in html
    for figure in (">11<", ">9<", "81.8 %", "how many of the 13 flagged contracts"):
        assert figure in html, figure
    secrets = {f["ocid"] for f in flags} | {f["buyer"] for f in flags if f["buyer"]}
    secrets |= {s for f in flags if f["suppliers"] for s in f["suppliers"].split("; ")}
    secrets |= {f["classification_id"] for f in flags if f["classification_id"]}
    assert secrets
    for secret in secrets:
        assert secret not in html, secret
    assert "/procurement/" not in html  # no link to the coordinators' screening pages
    spanish = page(persona_clients["anonymous"], published_plan, action, "es")
    assert "DNCP Paraguay (muestra)" in spanish.content.decode()
    with translation.override("en"):
        url = reverse("portal:action", args=[published_plan.pk, action.uid])
    assert persona_clients["outsider"].post(url).status_code == 405


def test_it_shows_no_screening_section_without_a_citation(client, published_plan):
    action = first_action(published_plan)
    html = page(client, published_plan, action).content.decode()
    assert "Public procurement risk screening" not in html


def test_it_keeps_the_older_version_without_the_citation(client, published_plan, coordinator):
    screening = finished_screening(published_plan.territory, coordinator)
    action = first_action(published_plan)
    cite_and_publish(published_plan, action, [screening])
    with translation.override("en"):
        url = reverse("portal:action", args=[published_plan.pk, action.uid])
    assert "Compras públicas 2024 (OCDS)" in client.get(url).content.decode()
    assert "Compras públicas 2024 (OCDS)" not in client.get(url + "?version=1").content.decode()


def test_it_keeps_its_query_count_with_citations(
    client, plan, lead_org, other_org, catalogs, coordinator, territory
):
    published_plan_of_size(plan, lead_org, other_org, 10)
    action = first_action(plan)
    with CaptureQueriesContext(connection) as without:
        page(client, plan, action)
    screenings = [finished_screening(territory, coordinator, name=f"Compras {n}") for n in range(3)]
    cite_and_publish(plan, action, screenings, metric="flagged_processes", role="figure")
    action = first_action(plan)
    with CaptureQueriesContext(connection) as cited:
        html = page(client, plan, action).content.decode()
    assert "Compras 2" in html and "Flagged processes: 9" in html
    assert len(cited) <= len(without) + 1  # one prefetch of the cited screenings
    assert len(cited) <= 12


def test_the_public_api_gives_the_same_aggregate_figures_and_nothing_more(
    client, published_plan, real_screening
):
    action = first_action(published_plan)
    cite_and_publish(
        published_plan, action, [real_screening], metric="flagged_contracts", role="denominator"
    )
    response = client.get(f"/api/v1/plans/{published_plan.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    actions = [
        a
        for g in response.json()["guidelines"]
        for o in g["objectives"]
        for a in o["actions"]
        if a["uid"] == str(action.uid)
    ]
    (cited,) = actions[0]["screenings"]
    assert cited == {
        "dataset_name": "DNCP Paraguay (muestra)",
        "screened_on": cited["screened_on"],
        "processes_screened": 11,
        "flagged_processes": 9,
        "flagged_share": "81.8",
        "flagged_buyers": cited["flagged_buyers"],
        "flagged_contracts": 13,
    }
    assert actions[0]["indicators"][0]["screening_figure"] == "13"
    assert actions[0]["indicators"][0]["screening_metric"] == "flagged_contracts"
    # no supplier, buyer or item of the results store reaches the API
    flags = read_flags(Path(real_screening.store)).to_pylist()
    for name in {f["suppliers"] for f in flags if f["suppliers"]} | {
        f["buyer"] for f in flags if f["buyer"]
    }:
        assert name not in body
