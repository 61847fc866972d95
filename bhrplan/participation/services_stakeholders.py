"""Writes for stakeholders, working groups, events and attendance.

Organisations belong to the territories app, so registration and approval go through its
services (`organization_create`, `organization_update`); this module adds the participation
rules (pending approval, rate limit, audit of the decision) around them.
"""

from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from bhrplan.core import audit, ratelimit
from bhrplan.lib import uploads
from bhrplan.lib.text import clean_text
from bhrplan.participation.models import AttendanceCount, Event, StakeholderRating, WorkingGroup
from bhrplan.plans.models import Plan
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization, Territory

REGISTRATION_VERB = "organization.registered"
MINUTES_TYPES = ("pdf", "docx", "odt")


def registrations_per_hour() -> int:
    return int(getattr(settings, "PARTICIPATION_REGISTRATIONS_PER_HOUR", 5))


def minutes_max_bytes() -> int:
    return int(getattr(settings, "PARTICIPATION_MINUTES_MAX_BYTES", 10 * 1024 * 1024))


@transaction.atomic
def organization_register(
    *,
    territory: Territory,
    name: str,
    stakeholder_group: str,
    address: str,
    acronym: str = "",
    sectors: list[Any] | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    actor: Any = None,
) -> Organization:
    """An organisation registers itself on the public site; a coordinator approves it later.

    Only registrations that are stored count against the per-address limit: the hit is
    rolled back with a registration that fails.
    """
    if not ratelimit.hit(
        scope="registration",
        address=address,
        limit=registrations_per_hour(),
        window_seconds=3600,
    ):
        raise ValidationError(
            _("Too many registrations were sent from your connection. Try again in an hour.")
        )
    org = territory_services.organization_create(
        territory=territory,
        name=name,
        acronym=acronym,
        stakeholder_group=stakeholder_group,
        sectors=sectors,
        actor=actor,
    )
    org = territory_services.organization_update(
        organization=org,
        actor=actor,
        approval=Organization.Approval.PENDING,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    audit.record(actor=actor, verb=REGISTRATION_VERB, obj=org, summary=org.name)
    return org


@transaction.atomic
def organization_review(
    *, organization: Organization, approve: bool, actor: Any, reason: str = ""
) -> Organization:
    """Approve or reject a self-registered organisation."""
    if organization.approval != Organization.Approval.PENDING:
        raise ValidationError(_("This registration has already been reviewed."))
    decision = Organization.Approval.APPROVED if approve else Organization.Approval.REJECTED
    territory_services.organization_update(
        organization=organization, actor=actor, approval=decision
    )
    audit.record(
        actor=actor,
        verb="organization.approved" if approve else "organization.rejected",
        obj=organization,
        summary=organization.name,
        data={"reason": clean_text(reason)[:300]},
    )
    return organization


@transaction.atomic
def stakeholder_rate(
    *,
    plan: Plan,
    organization: Organization,
    influence: int,
    interest: int,
    actor: Any,
    note: str = "",
) -> StakeholderRating:
    rating = StakeholderRating.objects.filter(plan=plan, organization=organization).first()
    if rating is None:
        rating = StakeholderRating(plan=plan, organization=organization)
    rating.influence = influence
    rating.interest = interest
    rating.note = clean_text(note)
    rating.full_clean()
    for value in (influence, interest):
        if not 1 <= value <= 5:
            raise ValidationError(_("Ratings go from 1 to 5."))
    rating.save()
    audit.record(
        actor=actor,
        verb="stakeholder.rated",
        obj=rating,
        summary=organization.name,
        data={"influence": influence, "interest": interest},
    )
    return rating


# Working groups


@transaction.atomic
def working_group_create(
    *,
    plan: Plan,
    name: str,
    actor: Any,
    name_en: str = "",
    description: str = "",
    members: list[Organization] | None = None,
) -> WorkingGroup:
    group = WorkingGroup(
        plan=plan, name=clean_text(name), name_en=clean_text(name_en), description=description
    )
    group.full_clean()
    group.save()
    group.members.set(members or [])
    audit.record(actor=actor, verb="working_group.created", obj=group, summary=group.name)
    return group


@transaction.atomic
def working_group_update(
    *,
    group: WorkingGroup,
    actor: Any,
    name: str,
    name_en: str = "",
    description: str = "",
    members: list[Organization] | None = None,
) -> WorkingGroup:
    group.name, group.name_en = clean_text(name), clean_text(name_en)
    group.description = description
    group.full_clean()
    group.save(update_fields=["name", "name_en", "description", "updated_at"])
    group.members.set(members or [])
    audit.record(actor=actor, verb="working_group.updated", obj=group, summary=group.name)
    return group


@transaction.atomic
def working_group_delete(*, group: WorkingGroup, actor: Any) -> None:
    audit.record(actor=actor, verb="working_group.deleted", obj=group, summary=group.name)
    group.delete()


# Events


def minutes_check(upload: UploadedFile) -> str:
    """The file's extension (".pdf") if it is a real PDF, DOCX or ODT under the size limit."""
    kind = uploads.check_upload(
        upload,
        types=MINUTES_TYPES,
        max_bytes=minutes_max_bytes(),
        accepted=_("a PDF, DOCX or ODT file"),
        field="minutes",
    )
    return f".{kind.extensions[0]}"


EVENT_FIELDS = {
    "kind",
    "title",
    "title_en",
    "description",
    "date",
    "territory",
    "modality",
    "phase",
    "working_group",
    "is_public",
}


def _event_apply(
    event: Event, fields: dict[str, Any], minutes: UploadedFile | None, actor: Any
) -> str:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    fields = dict(fields)
    if isinstance(fields.get("territory"), str):
        fields["territory"] = territory_services.territory_get_or_create_from_iso(
            code=fields["territory"], actor=actor
        )
    for key, value in fields.items():
        setattr(event, key, clean_text(value) if key in {"title", "title_en"} else value)
    group = fields.get("working_group")
    if group is not None and group.plan_id != event.plan_id:
        raise ValidationError({"working_group": _("This working group belongs to another plan.")})
    extension = minutes_check(minutes) if minutes is not None else ""
    event.full_clean(exclude=["minutes"])
    return extension


@transaction.atomic
def event_create(
    *, plan: Plan, actor: Any, minutes: UploadedFile | None = None, **fields: Any
) -> Event:
    event = Event(plan=plan)
    extension = _event_apply(event, fields, minutes, actor)
    stored = ""
    try:
        if minutes is not None:
            event.minutes.save(f"{uuid4().hex}{extension}", minutes, save=False)
            stored = event.minutes.name
        event.save()
        audit.record(actor=actor, verb="event.created", obj=event, summary=event.title)
    except Exception:
        if stored:
            event.minutes.storage.delete(stored)
        raise
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    actor: Any,
    minutes: UploadedFile | None = None,
    remove_minutes: bool = False,
    **fields: Any,
) -> Event:
    extension = _event_apply(event, fields, minutes, actor)
    storage = event.minutes.storage
    old = event.minutes.name if event.minutes else ""
    stored = ""
    try:
        if minutes is not None:
            event.minutes.save(f"{uuid4().hex}{extension}", minutes, save=False)
            stored = event.minutes.name
        elif remove_minutes:
            event.minutes = ""  # type: ignore[assignment]
        event.save()
        audit.record(actor=actor, verb="event.updated", obj=event, summary=event.title)
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    if old and (stored or remove_minutes):
        transaction.on_commit(lambda: storage.delete(old))
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: Any) -> None:
    storage = event.minutes.storage
    old = event.minutes.name if event.minutes else ""
    audit.record(actor=actor, verb="event.deleted", obj=event, summary=event.title)
    event.delete()
    if old:
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def event_attendance_set(
    *,
    event: Event,
    organizations: list[Organization],
    counts: dict[str, dict[str, int]],
    actor: Any,
) -> Event:
    """Replace the participating organisations and the counts by gender, group and region.

    `counts` maps a dimension to {category: people}; zero or missing categories are dropped.
    """
    dimensions = set(AttendanceCount.Dimension.values)
    rows: list[AttendanceCount] = []
    for dimension, by_category in counts.items():
        if dimension not in dimensions:
            raise ValidationError(_("Unknown breakdown: %(name)s.") % {"name": dimension})
        for category, people in by_category.items():
            if not isinstance(people, int) or isinstance(people, bool) or people < 0:
                raise ValidationError(_("Counts must be whole numbers of zero or more."))
            if people:
                row = AttendanceCount(
                    event=event, dimension=dimension, category=category, count=people
                )
                row.full_clean(exclude=["event"])
                rows.append(row)
    event.counts.all().delete()
    AttendanceCount.objects.bulk_create(rows)
    event.organizations.set(organizations)
    audit.record(
        actor=actor,
        verb="event.attendance_set",
        obj=event,
        summary=event.title,
        data={"organizations": len(organizations), "rows": len(rows)},
    )
    return event
