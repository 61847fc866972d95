"""Fixtures for consultations: an open consultation on the published plan and helpers."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bhrplan.accounts.models import User
from bhrplan.participation import services_consultations as svc
from bhrplan.participation.models import Consultation
from bhrplan.participation.selectors_consultations import Element, version_elements
from bhrplan.plans.models import Plan
from bhrplan.plans.selectors import version_latest_published


def open_consultation(plan: Plan, actor: Any = None, **extra: Any) -> Consultation:
    now = timezone.now()
    fields: dict[str, Any] = {
        "title": "Consulta pública del plan",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
    }
    fields.update(extra)
    version = version_latest_published(plan)
    assert version is not None
    return svc.consultation_create(plan=plan, version=version, actor=actor, **fields)


@pytest.fixture
def consultation(published_plan: Plan, coordinator: User) -> Consultation:
    return open_consultation(published_plan, coordinator)


@pytest.fixture
def elements(consultation: Consultation) -> list[Element]:
    return version_elements(consultation.version)


@pytest.fixture
def action_element(elements: list[Element]) -> Element:
    return next(e for e in elements if e.kind == "action")


@pytest.fixture(autouse=True)
def generous_rate_limit(settings: Any) -> None:
    """Most tests post many times from one address; the rate-limit test lowers it."""
    settings.CONTRIBUTION_RATE_LIMIT = 1000
    settings.RECEIPT_LOOKUP_RATE_LIMIT = 1000


def form_token(client: Client, url: str) -> str:
    """GET a public form and read its one-time token, as a browser would."""
    response = client.get(url)
    assert response.status_code == 200
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the form has a token"
    return match.group(1)


def comment_url(consultation: Consultation) -> str:
    return reverse("consultations:comment", args=[consultation.pk])


def submit(client: Client, consultation: Consultation, **data: Any) -> Any:
    url = comment_url(consultation)
    payload = {"element": "plan", "text": "Incluir a las comunidades afectadas.", "homepage": ""}
    payload.update(data)
    payload.setdefault("token", form_token(client, url))
    return client.post(url, payload)
