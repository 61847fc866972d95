"""axe-core in headless Chromium on every public page type, in Spanish and English.

Fails on any violation (all printed). Also checks the pages without JavaScript: the
tree shows and the filter form works with JavaScript disabled.
"""

import contextlib

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from bhrplan.plans.models import Action

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def allow_orm_next_to_playwright(monkeypatch):
    """Playwright's sync API runs an event loop; the ORM calls here happen outside it."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def public_paths(plan, lang):
    action = Action.objects.filter(objective__guideline__version__plan=plan, code="1.1.1").first()
    with translation.override(lang):
        paths = {
            "home": reverse("portal:home"),
            "territory": reverse("portal:territory", args=[plan.territory.code]),
            "plan": reverse("portal:plan", args=[plan.pk]),
            "plan filtered": reverse("portal:plan", args=[plan.pk]) + "?principle=UNGP-3",
            "plan no match": reverse("portal:plan", args=[plan.pk]) + "?pillar=3",
            "action": reverse("portal:action", args=[plan.pk, action.uid]),
            "coverage": reverse("portal:coverage", args=[plan.pk]),
            "search": reverse("portal:search") + "?q=capacitar",
            "login": reverse("accounts:login"),
        }
        with contextlib.suppress(NoReverseMatch):
            paths["versions"] = reverse("portal:versions", args=[plan.pk])
    return paths


def launch(playwright):
    return playwright.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
    )


@pytest.mark.parametrize("lang", ["es", "en"])
def test_it_has_no_axe_violations_on_public_pages(live_server, published_plan, lang):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    paths = public_paths(published_plan, lang)
    failures = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        axe = Axe()
        for name, path in paths.items():
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (name, path)
            assert page.locator("html").get_attribute("lang") == lang
            results = axe.run(page)
            if results.violations_count:
                failures.append(f"--- {name} ({path})\n{results.generate_report()}")
        browser.close()
    print("\n".join(failures))
    assert not failures, "\n".join(failures)


def test_it_works_without_javascript(live_server, published_plan):
    from playwright.sync_api import sync_playwright

    plan_url = live_server.url + reverse("portal:plan", args=[published_plan.pk])
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(plan_url)
        assert page.locator("ul.tree li.tree-action").count() == 8
        page.select_option("#id_principle", "UNGP-3")
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**principle=UNGP-3**")
        assert page.locator("ul.tree li.tree-action").count() == 1
        page.click("ul.tree li.tree-action a")
        assert page.locator("h1").inner_text().startswith("1.2.1")
        page.goto(live_server.url + reverse("portal:search"))
        page.fill("#id_q", "capacitar")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_url("**q=capacitar**")
        assert page.locator("main section.card li").count() >= 8  # PostgreSQL stems: + indicators
        browser.close()


def test_it_loads_no_asset_from_another_host(live_server, published_plan):
    """Every request the browser makes goes to this server (no CDN)."""
    from playwright.sync_api import sync_playwright

    paths = public_paths(published_plan, "es")
    foreign = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_server.url) else foreign.append(request.url)
            ),
        )
        for path in paths.values():
            page.goto(live_server.url + path)
        browser.close()
    assert foreign == []
