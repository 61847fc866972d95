"""Monitoring fixtures: a published plan with yearly periods, focal points of the lead
organisation and of an organisation with no action, and helpers to post reports."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bhrplan.accounts.models import Role, User
from bhrplan.conftest import build_plan_tree, make_org, make_user
from bhrplan.monitoring import services
from bhrplan.monitoring.models import ProgressReport, ReportingPeriod
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action, Plan
from bhrplan.plans.selectors import version_actions, version_latest_published
from bhrplan.territories.models import Organization

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    """Evidence files of tests go to a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def reporting_plan(plan: Plan, lead_org: Organization, other_org: Organization) -> Plan:
    """Published: 1 guideline, 1 objective, 2 actions (lead: lead_org, co: other_org), one
    indicator each; the first indicator is broken down by sex and age group."""
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=2)
    first = version_actions(plan.versions.get()).order_by("position").first()
    assert first is not None
    plan_services.indicator_update(
        indicator=first.indicators.get(), actor=None, disaggregations=["sex", "age_group"]
    )
    plan_services.plan_publish(plan=plan, actor=None, note="v1")
    services.periods_generate(plan=plan, frequency="yearly", due_days_after_end=30, actor=None)
    return plan


@pytest.fixture
def period(reporting_plan: Plan) -> ReportingPeriod:
    return reporting_plan.reporting_periods.order_by("start_date")[0]


@pytest.fixture
def action(reporting_plan: Plan) -> Action:
    return _published_actions(reporting_plan)[0]


@pytest.fixture
def plain_action(reporting_plan: Plan) -> Action:
    """The second action: its indicator has no breakdowns."""
    return _published_actions(reporting_plan)[1]


def _published_actions(plan: Plan) -> list[Action]:
    version = version_latest_published(plan)
    assert version is not None
    return list(version_actions(version).order_by("position"))


@pytest.fixture
def lead_focal(reporting_plan: Plan, lead_org: Organization) -> User:
    user = make_user("punto.focal@minjus.example", preferred_language="en")
    Role.objects.create(
        user=user, kind=Role.Kind.FOCAL_POINT, plan=reporting_plan, organization=lead_org
    )
    return user


@pytest.fixture
def third_org(territory: Any) -> Organization:
    return make_org(territory, "Ministerio de Energía y Minas")


@pytest.fixture
def third_focal(reporting_plan: Plan, third_org: Organization) -> User:
    """A focal point whose organisation is responsible for no action."""
    user = make_user("punto.focal@minem.example")
    Role.objects.create(
        user=user, kind=Role.Kind.FOCAL_POINT, plan=reporting_plan, organization=third_org
    )
    return user


def values_for(action: Action, amount: str = "20", **parts: Any) -> list[services.ValueInput]:
    """A value for every indicator of the action; parts {dimension: {category: amount}}."""
    return [
        services.ValueInput(
            indicator=ind,
            value=Decimal(amount),
            breakdown={d: {c: Decimal(v) for c, v in p.items()} for d, p in parts.items()}
            if ind.disaggregations
            else {},
            note="" if not ind.disaggregations or parts else "Sin desagregación disponible",
        )
        for ind in action.indicators.all()
    ]


def make_report(
    period: ReportingPeriod,
    action: Action,
    org: Organization,
    *,
    actor: Any = None,
    submit: bool = False,
    narrative: str = "Se capacitó a 20 funcionarios.",
) -> ProgressReport:
    return services.report_save(
        period=period,
        action=action,
        organization=org,
        actor=actor,
        status="in_progress",
        narrative=narrative,
        values=values_for(action),
        submit=submit,
    )


def report_edit_url(period: ReportingPeriod, action: Action, org: Organization) -> str:
    return reverse("monitoring:report_edit", args=[period.pk, action.uid, org.pk])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
