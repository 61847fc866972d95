from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bhrplan.core.models import AuditEvent
from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.models import AttendanceCount, Event, StakeholderRating
from bhrplan.participation.tests.stakeholders.conftest import (
    docx_upload,
    odt_upload,
    pdf_upload,
)
from bhrplan.territories.models import Organization


def test_it_registers_an_organisation_as_pending_with_private_contact(pending_org):
    pending_org.refresh_from_db()
    assert pending_org.approval == Organization.Approval.PENDING
    assert pending_org.contact_email == "rosa.secreta@example.org"
    assert AuditEvent.objects.filter(verb="organization.registered").count() == 1


def test_it_rate_limits_registrations_per_address(territory, settings):
    settings.PARTICIPATION_REGISTRATIONS_PER_HOUR = 2
    for i in range(2):
        svc.organization_register(
            territory=territory, name=f"Org {i}", stakeholder_group="media", address="10.0.0.1"
        )
    with pytest.raises(ValidationError):
        svc.organization_register(
            territory=territory, name="Org 3", stakeholder_group="media", address="10.0.0.1"
        )
    # Another address is not affected.
    svc.organization_register(
        territory=territory, name="Org 4", stakeholder_group="media", address="10.0.0.2"
    )
    assert Organization.objects.filter(name__startswith="Org").count() == 3


def test_it_counts_only_registrations_that_are_stored(territory, stakeholder_org, settings):
    settings.PARTICIPATION_REGISTRATIONS_PER_HOUR = 1
    with pytest.raises(ValidationError):  # a duplicate name: refused, not counted
        svc.organization_register(
            territory=territory,
            name=stakeholder_org.name,
            stakeholder_group="media",
            address="10.0.0.1",
        )
    svc.organization_register(
        territory=territory, name="Org 1", stakeholder_group="media", address="10.0.0.1"
    )
    with pytest.raises(ValidationError, match="Too many registrations"):
        svc.organization_register(
            territory=territory, name="Org 2", stakeholder_group="media", address="10.0.0.1"
        )


def test_it_keeps_no_raw_address(pending_org):
    event = AuditEvent.objects.get(verb="organization.registered")
    assert "203.0.113.9" not in str(event.data)


def test_it_approves_and_rejects_once(pending_org, coordinator):
    svc.organization_review(organization=pending_org, approve=True, actor=coordinator)
    pending_org.refresh_from_db()
    assert pending_org.approval == Organization.Approval.APPROVED
    assert AuditEvent.objects.filter(verb="organization.approved", actor=coordinator).exists()
    with pytest.raises(ValidationError):
        svc.organization_review(organization=pending_org, approve=False, actor=coordinator)


def test_it_rejects_with_reason(pending_org, coordinator):
    svc.organization_review(
        organization=pending_org, approve=False, reason="Duplicada", actor=coordinator
    )
    audit = AuditEvent.objects.get(verb="organization.rejected")
    assert audit.data["reason"] == "Duplicada"
    pending_org.refresh_from_db()
    assert pending_org.approval == Organization.Approval.REJECTED


def test_it_rates_and_re_rates(plan, stakeholder_org, coordinator):
    svc.stakeholder_rate(
        plan=plan, organization=stakeholder_org, influence=2, interest=5, actor=coordinator
    )
    svc.stakeholder_rate(
        plan=plan, organization=stakeholder_org, influence=4, interest=5, actor=coordinator
    )
    rating = StakeholderRating.objects.get()
    assert (rating.influence, rating.interest) == (4, 5)


@pytest.mark.parametrize("value", [0, 6])
def test_it_refuses_ratings_out_of_range(plan, stakeholder_org, value):
    with pytest.raises(ValidationError):
        svc.stakeholder_rate(
            plan=plan, organization=stakeholder_org, influence=value, interest=3, actor=None
        )
    assert not StakeholderRating.objects.exists()


def test_it_manages_working_groups(plan, stakeholder_org, other_org, coordinator):
    group = svc.working_group_create(plan=plan, name="Mesa", actor=coordinator)
    svc.working_group_update(
        group=group, name="Mesa minera", members=[stakeholder_org, other_org], actor=coordinator
    )
    assert group.members.count() == 2
    svc.working_group_delete(group=group, actor=coordinator)
    assert not plan.working_groups.exists()


@pytest.mark.parametrize("upload", [pdf_upload, docx_upload, odt_upload])
def test_it_stores_minutes_under_a_random_name(plan, territory, upload):
    event = svc.event_create(
        plan=plan,
        actor=None,
        kind="webinar",
        title="Webinar",
        date=date(2025, 5, 1),
        territory=territory,
        modality="virtual",
        phase="drafting",
        minutes=upload(),
    )
    assert event.minutes.name.startswith("minutes/")
    assert "acta" not in event.minutes.name
    assert event.minutes.storage.exists(event.minutes.name)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: pdf_upload("acta.exe"),
        lambda: pdf_upload("acta.docx"),  # a PDF pretending to be DOCX
        lambda: docx_upload("acta.pdf"),
        lambda: odt_upload("acta.docx"),
    ],
)
def test_it_refuses_wrong_minutes_files(plan, territory, upload):
    with pytest.raises(ValidationError):
        svc.event_create(
            plan=plan,
            actor=None,
            kind="webinar",
            title="Webinar",
            date=date(2025, 5, 1),
            territory=territory,
            modality="virtual",
            phase="drafting",
            minutes=upload(),
        )
    assert not Event.objects.exists()


def test_it_refuses_oversize_minutes(plan, territory, settings):
    settings.PARTICIPATION_MINUTES_MAX_BYTES = 1000
    with pytest.raises(ValidationError):
        svc.event_create(
            plan=plan,
            actor=None,
            kind="webinar",
            title="Webinar",
            date=date(2025, 5, 1),
            territory=territory,
            modality="virtual",
            phase="drafting",
            minutes=pdf_upload(size=2000),
        )
    assert not Event.objects.exists()


def test_it_creates_an_event_territory_from_its_iso_code(plan):
    event = svc.event_create(
        plan=plan,
        actor=None,
        kind="regional_dialogue",
        title="Diálogo en Piura",
        date=date(2025, 5, 1),
        territory="PE-PIU",
        modality="in_person",
        phase="drafting",
    )
    assert event.territory.code == "PE-PIU"
    assert event.territory.parent == plan.territory


def test_it_refuses_a_working_group_of_another_plan(plan, territory, working_group):
    from bhrplan.plans import services as plan_services

    other = plan_services.plan_create(
        territory=territory,
        title="Otro plan",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 1, 1),
        actor=None,
    )
    with pytest.raises(ValidationError):
        svc.event_create(
            plan=other,
            actor=None,
            kind="webinar",
            title="X",
            date=date(2025, 5, 1),
            territory=territory,
            modality="virtual",
            phase="drafting",
            working_group=working_group,
        )


def test_it_replaces_the_minutes_and_removes_the_old_file(
    event, django_capture_on_commit_callbacks
):
    old = event.minutes.name
    with django_capture_on_commit_callbacks(execute=True):
        svc.event_update(event=event, actor=None, minutes=docx_upload())
    assert event.minutes.name.endswith(".docx")
    assert not event.minutes.storage.exists(old)


def test_it_deletes_an_event_and_its_minutes(event, django_capture_on_commit_callbacks):
    name, storage = event.minutes.name, event.minutes.storage
    with django_capture_on_commit_callbacks(execute=True):
        svc.event_delete(event=event, actor=None)
    assert not Event.objects.exists()
    assert not storage.exists(name)


def test_it_sets_attendance_counts_and_organisations(event, stakeholder_org, other_org):
    svc.event_attendance_set(
        event=event,
        organizations=[stakeholder_org, other_org],
        counts={"gender": {"female": 12, "male": 9, "other": 0}, "region": {"PE-CUS": 21}},
        actor=None,
    )
    assert event.organizations.count() == 2
    rows = {(c.dimension, c.category): c.count for c in AttendanceCount.objects.all()}
    assert rows == {("gender", "female"): 12, ("gender", "male"): 9, ("region", "PE-CUS"): 21}
    # Setting again replaces, never adds.
    svc.event_attendance_set(
        event=event, organizations=[], counts={"gender": {"female": 3}}, actor=None
    )
    assert AttendanceCount.objects.count() == 1
    assert event.organizations.count() == 0


@pytest.mark.parametrize(
    "counts",
    [{"gender": {"female": -1}}, {"gender": {"female": "12"}}, {"shoe_size": {"42": 1}}],
)
def test_it_refuses_bad_counts(event, counts):
    svc.event_attendance_set(
        event=event, organizations=[], counts={"gender": {"male": 4}}, actor=None
    )
    with pytest.raises(ValidationError):
        svc.event_attendance_set(event=event, organizations=[], counts=counts, actor=None)
    assert AttendanceCount.objects.get().count == 4
