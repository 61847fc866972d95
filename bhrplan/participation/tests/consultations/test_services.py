import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bhrplan.core.models import AuditEvent
from bhrplan.frameworks.models import Theme
from bhrplan.participation import services_consultations as svc
from bhrplan.participation.models import Contribution, Response
from bhrplan.participation.selectors_consultations import consultation_state, version_elements
from bhrplan.participation.tests.consultations.conftest import open_consultation
from bhrplan.plans import services as plan_services
from bhrplan.plans.selectors import version_draft, version_latest_published

pytestmark = pytest.mark.django_db


def test_it_opens_a_consultation_on_a_published_version(consultation, coordinator):
    assert consultation_state(consultation) == "open"
    assert AuditEvent.objects.filter(verb="consultation.created", actor=coordinator).exists()


def test_it_refuses_a_draft_version(published_plan, coordinator):
    draft = plan_services.draft_for_edit(plan=published_plan, actor=None)
    now = timezone.now()
    with pytest.raises(ValidationError):
        svc.consultation_create(
            plan=published_plan,
            version=draft,
            title="x",
            opens_at=now,
            closes_at=now + timedelta(days=1),
            actor=coordinator,
        )


def test_it_refuses_closing_before_opening(published_plan):
    now = timezone.now()
    with pytest.raises(ValidationError):
        open_consultation(published_plan, opens_at=now, closes_at=now - timedelta(hours=1))


def test_it_updates_and_closes(consultation, coordinator):
    svc.consultation_update(consultation=consultation, actor=coordinator, title="Nueva")
    assert consultation.title == "Nueva"
    svc.consultation_close(consultation=consultation, actor=coordinator)
    assert consultation_state(consultation) == "closed"
    with pytest.raises(ValidationError):
        svc.consultation_close(consultation=consultation, actor=coordinator)


def test_it_stores_a_contribution_on_an_element(consultation, action_element):
    contribution, created = svc.contribution_submit(
        consultation=consultation, text="  Texto  ", element=action_element.key, actor=None
    )
    assert created
    assert contribution.target_type == "action"
    assert contribution.target_uid == action_element.uid
    assert contribution.text == "Texto"
    assert len(contribution.receipt_code) == 14


def test_it_refuses_an_element_of_another_plan(consultation, territory, lead_org):
    from bhrplan.conftest import build_plan_tree

    other = plan_services.plan_create(
        territory=territory,
        title="Otro plan",
        start_date=consultation.plan.start_date,
        end_date=consultation.plan.end_date,
        actor=None,
    )
    build_plan_tree(other, lead_org, guidelines=1, objectives=1, actions=1)
    foreign = version_elements(version_draft(other))[0]
    with pytest.raises(ValidationError) as info:
        svc.contribution_submit(
            consultation=consultation, text="x", element=foreign.key, actor=None
        )
    assert "element" in info.value.error_dict
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(-3, -1, "closed"), (1, 3, "not open yet")],
)
def test_it_refuses_outside_the_dates(published_plan, opens, closes, message):
    now = timezone.now()
    consultation = open_consultation(
        published_plan, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes)
    )
    with pytest.raises(ValidationError, match=message):
        svc.contribution_submit(consultation=consultation, text="x", actor=None)
    assert not Contribution.objects.exists()


def test_it_refuses_oversize_and_empty_text(consultation):
    with pytest.raises(ValidationError, match="5000"):
        svc.contribution_submit(consultation=consultation, text="a" * 5001, actor=None)
    with pytest.raises(ValidationError):
        svc.contribution_submit(consultation=consultation, text="   ", actor=None)
    assert not Contribution.objects.exists()


def test_it_stores_one_contribution_per_token(consultation):
    first, created = svc.contribution_submit(
        consultation=consultation, text="uno", actor=None, submission_token="tok"
    )
    again, created_again = svc.contribution_submit(
        consultation=consultation, text="uno", actor=None, submission_token="tok"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Contribution.objects.count() == 1


def test_it_uses_the_stakeholders_organisation(consultation, stakeholder, stakeholder_org):
    contribution, _ = svc.contribution_submit(
        consultation=consultation,
        text="x",
        actor=stakeholder,
        declared_organization="Otra",
        stakeholder_group="company",
    )
    assert contribution.organization == stakeholder_org
    assert contribution.stakeholder_group == "civil_society"
    assert contribution.author == stakeholder


def test_it_stores_a_suggestion_by_theme(published_plan):
    theme = Theme.objects.first()
    contribution, created = svc.suggestion_submit(
        plan=published_plan, theme=theme, text="Sugerencia", actor=None
    )
    assert created and contribution.consultation is None and contribution.theme == theme


def test_it_needs_a_reason_to_hide(consultation, coordinator):
    contribution, _ = svc.contribution_submit(consultation=consultation, text="x", actor=None)
    with pytest.raises(ValidationError):
        svc.contribution_moderate(contribution=contribution, moderation="hidden", actor=coordinator)
    svc.contribution_moderate(
        contribution=contribution, moderation="hidden", hidden_reason="Insultos", actor=coordinator
    )
    contribution.refresh_from_db()
    assert contribution.moderation == "hidden" and contribution.hidden_reason == "Insultos"
    svc.contribution_moderate(contribution=contribution, moderation="published", actor=coordinator)
    contribution.refresh_from_db()
    assert contribution.hidden_reason == ""


def _three(consultation):
    return [
        svc.contribution_submit(consultation=consultation, text=f"t{i}", actor=None)[0]
        for i in range(3)
    ]


def test_it_answers_a_group_with_one_response(consultation, coordinator):
    contributions = _three(consultation)
    response = svc.response_create(
        plan=consultation.plan,
        contributions=contributions[:2],
        outcome=Response.Outcome.PARTIALLY,
        rationale="Se incorporó en parte.",
        actor=coordinator,
    )
    assert response.contributions.count() == 2
    assert Contribution.objects.get(pk=contributions[2].pk).response is None
    again = svc.response_create(
        plan=consultation.plan,
        contributions=contributions[:2],
        outcome=Response.Outcome.INCORPORATED,
        rationale="Ahora sí.",
        actor=coordinator,
    )
    assert not Response.objects.filter(pk=response.pk).exists()
    assert again.contributions.count() == 2


def test_it_links_the_change_to_a_later_version(consultation, coordinator):
    plan = consultation.plan
    contributions = _three(consultation)
    with pytest.raises(ValidationError, match="later"):
        svc.response_create(
            plan=plan,
            contributions=contributions,
            outcome="incorporated",
            rationale="r",
            changed_version=consultation.version,
            actor=coordinator,
        )
    draft = plan_services.draft_for_edit(plan=plan, actor=None)
    element = version_elements(draft)[0]
    with pytest.raises(ValidationError):
        svc.response_create(
            plan=plan,
            contributions=contributions,
            outcome="incorporated",
            rationale="r",
            changed_version=draft,
            changed_element_uid=uuid.uuid4(),
            actor=coordinator,
        )
    response = svc.response_create(
        plan=plan,
        contributions=contributions,
        outcome="incorporated",
        rationale="r",
        changed_version=draft,
        changed_element_uid=element.uid,
        actor=coordinator,
    )
    assert response.changed_version == draft


def test_it_refuses_contributions_of_another_plan(consultation, coordinator, plan):
    contribution = _three(consultation)[0]
    other = plan_services.plan_create(
        territory=plan.territory,
        title="Otro",
        start_date=plan.start_date,
        end_date=plan.end_date,
        actor=None,
    )
    with pytest.raises(ValidationError):
        svc.response_create(
            plan=other,
            contributions=[contribution],
            outcome="incorporated",
            rationale="r",
            actor=None,
        )


def test_version_latest_published_is_consulted(consultation):
    assert consultation.version == version_latest_published(consultation.plan)
