"""Headless Chromium: axe-core on the public and coordinator participation pages."""

import pytest
from django.test import Client
from django.urls import reverse

from bhrplan.participation import services_stakeholders as svc

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _violations(axe, page):
    results = axe.run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_passes_axe_in_chromium(
    live_server, published_plan, event, coordinator, stakeholder_org, pending_org, monkeypatch
):
    playwright = pytest.importorskip("playwright.sync_api")
    from axe_playwright_python.sync_playwright import Axe

    plan = published_plan
    svc.event_attendance_set(
        event=event,
        organizations=[stakeholder_org],
        counts={"gender": {"female": 12, "male": 3}, "region": {"PE-LMA": 9, "PE-CUS": 6}},
        actor=None,
    )
    svc.stakeholder_rate(
        plan=plan, organization=stakeholder_org, influence=4, interest=5, actor=None
    )
    client = Client()
    client.force_login(coordinator)
    session = client.cookies["sessionid"].value
    public = [
        reverse("stakeholders:register"),
        reverse("stakeholders:public_events", args=[plan.pk]),
        reverse("stakeholders:public_groups", args=[plan.pk]),
        reverse("stakeholders:public_statistics", args=[plan.pk]),
    ]
    managed = [
        reverse("stakeholders:review_queue"),
        reverse("stakeholders:map", args=[plan.pk]),
        reverse("stakeholders:events", args=[plan.pk]),
        reverse("stakeholders:event_create", args=[plan.pk]),
        reverse("stakeholders:attendance", args=[plan.pk, event.pk]),
        reverse("stakeholders:groups", args=[plan.pk]),
        reverse("stakeholders:statistics", args=[plan.pk]),
    ]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    axe = Axe()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=True)
        page = context.new_page()
        for path in public:
            page.goto(live_server.url + path)
            assert _violations(axe, page) == [], path
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
        for path in managed:
            page.goto(live_server.url + path)
            assert _violations(axe, page) == [], path
        browser.close()
