"""Each public page with its CSS and JS weighs at most 100 KB gzip-compressed; no CDN."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from bhrplan.plans.models import Action

LIMIT = 100 * 1024
ASSET = re.compile(r'<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+)"')
FOREIGN = re.compile(r'<(?!a\b)(\w+)\b[^>]*\b(?:src|href|srcset)="((?:https?:)?//[^"]*)"')


def public_pages(plan):
    action = Action.objects.filter(objective__guideline__version__plan=plan).first()
    return {
        "home": reverse("portal:home"),
        "territory": reverse("portal:territory", args=[plan.territory.code]),
        "plan": reverse("portal:plan", args=[plan.pk]),
        "plan filtered": reverse("portal:plan", args=[plan.pk]) + "?pillar=1",
        "action": reverse("portal:action", args=[plan.pk, action.uid]),
        "coverage": reverse("portal:coverage", args=[plan.pk]),
        "search": reverse("portal:search") + "?q=capacitar",
        "login": reverse("accounts:login"),
    }


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def asset_bytes(url: str) -> bytes:
    assert url.startswith(settings.STATIC_URL), url
    path = finders.find(url[len(settings.STATIC_URL) :].split("?")[0])
    assert path, f"missing static file {url}"
    with open(path, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["es", "en"])
def test_it_keeps_each_public_page_under_100_kb_gzipped(client, published_plan, lang):
    for name, path in public_pages(published_plan).items():
        response = client.get(path.replace("/es/", f"/{lang}/", 1))
        assert response.status_code == 200, name
        html = response.content
        assets = [url for url in ASSET.findall(html.decode()) if url.endswith((".css", ".js"))]
        assert any(url.endswith(".css") for url in assets), name
        total = gzipped_size(html) + sum(gzipped_size(asset_bytes(url)) for url in assets)
        assert total <= LIMIT, f"{name}: {total} bytes"


@pytest.mark.django_db
def test_it_references_no_asset_on_another_host(client, published_plan):
    for name, path in public_pages(published_plan).items():
        html = client.get(path).content.decode()
        assert FOREIGN.findall(html) == [], name


def test_it_can_fail_on_a_foreign_asset():
    assert FOREIGN.findall('<script src="https://cdn.example.com/x.js"></script>')
    assert not FOREIGN.findall('<a href="https://example.org/">site</a>')
