"""Headless Chromium: axe-core on the version pages and the editor, and the JS picker."""

import pytest
from django.test import Client
from django.urls import reverse

from bhrplan.plans import services
from bhrplan.plans.tests.conftest import first

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
def test_it_passes_axe_and_filters_pickers_in_chromium(
    live_server, published_plan, coordinator, monkeypatch
):
    playwright = pytest.importorskip("playwright.sync_api")
    from axe_playwright_python.sync_playwright import Axe

    plan = published_plan
    action = first(plan, "action")
    services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=coordinator, title="Nuevo título"
    )
    services.plan_publish(plan=plan, actor=coordinator, note="Segunda versión")
    client = Client()
    client.force_login(coordinator)
    session = client.cookies["sessionid"].value
    public = [
        reverse("portal:versions", args=[plan.pk]),
        reverse("portal:version_compare", args=[plan.pk]) + "?a=1&b=2",
    ]
    managed = [
        reverse("plans:plan_detail", args=[plan.pk]),
        reverse("plans:node_edit", args=[plan.pk, "action", action.uid]),
        reverse("plans:version_compare", args=[plan.pk]) + "?a=1&b=2",
    ]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    axe = Axe()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        for path in public:
            page.goto(live_server.url + path)
            assert _violations(axe, page) == [], path
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
        for path in managed:
            page.goto(live_server.url + path)
            assert _violations(axe, page) == [], path
        # The picker: a labelled filter box hides what does not match and keeps the chosen.
        page.goto(live_server.url + managed[1])
        principles = page.locator("#id_principles")
        box = principles.locator("input[type=search]")
        box.fill("25")
        visible = principles.locator("li:not([hidden])")
        labels = visible.all_inner_texts()
        assert any("UNGP 25" in t or "PR 25" in t for t in labels)
        assert len(labels) <= 3  # UNGP 25 and the principle already chosen
        browser.close()
