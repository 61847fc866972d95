"""Writes for consultations, contributions, moderation and responses.

Every function is atomic, validates with `full_clean()` and leaves one audit event. A
contribution carries the one-time token of the form it came from: sending the same form
twice stores one contribution and returns it both times. The public forms' rate limits
are `bhrplan.core.ratelimit`, checked by the views.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bhrplan.core import audit
from bhrplan.frameworks.models import Theme
from bhrplan.participation.models import Consultation, Contribution, Response
from bhrplan.participation.selectors_consultations import (
    consultation_state,
    stakeholder_organization,
    version_elements,
)
from bhrplan.plans.models import Plan, PlanVersion
from bhrplan.territories.models import Organization, Territory

MAX_TEXT = 5000
CONSULTATION_FIELDS = {"title", "title_en", "description", "opens_at", "closes_at"}


def _clean_dates(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The consultation must close after it opens.")})


@transaction.atomic
def consultation_create(
    *,
    plan: Plan,
    version: PlanVersion,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    actor: Any,
    title_en: str = "",
    description: str = "",
) -> Consultation:
    if version.plan_id != plan.pk or version.status != PlanVersion.Status.PUBLISHED:
        raise ValidationError(
            {"version": _("A consultation is opened on a published version of this plan.")}
        )
    _clean_dates(opens_at, closes_at)
    consultation = Consultation(
        plan=plan,
        version=version,
        title=title.strip(),
        title_en=title_en.strip(),
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    consultation.full_clean()
    consultation.save()
    audit.record(
        actor=actor, verb="consultation.created", obj=consultation, summary=consultation.title
    )
    return consultation


@transaction.atomic
def consultation_update(*, consultation: Consultation, actor: Any, **fields: Any) -> Consultation:
    unknown = set(fields) - CONSULTATION_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(consultation, name, value.strip() if isinstance(value, str) else value)
    _clean_dates(consultation.opens_at, consultation.closes_at)
    consultation.full_clean()
    consultation.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor,
        verb="consultation.updated",
        obj=consultation,
        summary=consultation.title,
        data={"fields": sorted(fields)},
    )
    return consultation


@transaction.atomic
def consultation_close(*, consultation: Consultation, actor: Any) -> Consultation:
    """Close now. A consultation that had not opened yet is closed without opening."""
    now = timezone.now()
    if consultation.closes_at <= now:
        raise ValidationError(_("This consultation is already closed."))
    consultation.opens_at = min(consultation.opens_at, now)
    consultation.closes_at = now
    consultation.save(update_fields=["opens_at", "closes_at", "updated_at"])
    audit.record(
        actor=actor, verb="consultation.closed", obj=consultation, summary=consultation.title
    )
    return consultation


def _target(version: PlanVersion, element: str) -> tuple[str, UUID | None]:
    """Parse "plan" or "<kind>:<uid>" and check the element belongs to `version`."""
    if element in ("", "plan"):
        return Contribution.Target.PLAN, None
    known = {e.key: e for e in version_elements(version)}
    if element not in known:
        raise ValidationError(
            {"element": _("That element is not part of the plan version under consultation.")}
        )
    found = known[element]
    return found.kind, found.uid


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write your contribution.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                "text": _(
                    "Your contribution has %(length)s characters; the limit is %(limit)s."
                    " Shorten it or send it in several parts."
                )
                % {"length": len(text), "limit": MAX_TEXT}
            }
        )
    return text


def _store(contribution: Contribution, actor: Any) -> tuple[Contribution, bool]:
    """Save once per token: a repeated token returns the contribution stored first."""
    token = contribution.submission_token
    if token:
        existing = Contribution.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing, False
    contribution.full_clean(exclude=["submission_token"])
    try:
        with transaction.atomic():
            contribution.save()
            audit.record(
                actor=actor,
                verb="contribution.submitted",
                obj=contribution,
                summary=contribution.receipt_code,
            )
    except IntegrityError:
        existing = Contribution.objects.filter(submission_token=token).first() if token else None
        if existing is None:
            raise
        return existing, False
    return contribution, True


def _declared(
    contribution: Contribution,
    *,
    author: Any,
    declared_organization: str,
    stakeholder_group: str,
    region: Territory | None,
    gender: str,
    contact_email: str,
) -> None:
    organization = stakeholder_organization(author, contribution.plan)
    if organization is not None:
        contribution.organization = organization
        contribution.declared_organization = organization.name
        contribution.stakeholder_group = organization.stakeholder_group
    else:
        contribution.declared_organization = declared_organization.strip()
        contribution.stakeholder_group = stakeholder_group
    if stakeholder_group and stakeholder_group not in Organization.StakeholderGroup.values:
        raise ValidationError({"stakeholder_group": _("Choose a group from the list.")})
    contribution.region = region
    contribution.gender = gender
    contribution.contact_email = contact_email.strip()
    contribution.author = author if getattr(author, "is_authenticated", False) else None


def contribution_submit(
    *,
    consultation: Consultation,
    text: str,
    actor: Any,
    element: str = "plan",
    declared_organization: str = "",
    stakeholder_group: str = "",
    region: Territory | None = None,
    gender: str = "",
    contact_email: str = "",
    submission_token: str | None = None,
    channel: str = Contribution.Channel.ONLINE,
) -> tuple[Contribution, bool]:
    """Store a comment on a consultation; returns (contribution, created)."""
    state = consultation_state(consultation)
    if state == "upcoming":
        raise ValidationError(_("This consultation is not open yet."))
    if state == "closed":
        raise ValidationError(_("This consultation is closed; it no longer takes contributions."))
    target_type, target_uid = _target(consultation.version, element)
    contribution = Contribution(
        plan=consultation.plan,
        consultation=consultation,
        channel=channel,
        target_type=target_type,
        target_uid=target_uid,
        text=_check_text(text),
        submission_token=submission_token or None,
    )
    _declared(
        contribution,
        author=actor,
        declared_organization=declared_organization,
        stakeholder_group=stakeholder_group,
        region=region,
        gender=gender,
        contact_email=contact_email,
    )
    return _store(contribution, actor)


def suggestion_submit(
    *,
    plan: Plan,
    theme: Theme,
    text: str,
    actor: Any,
    declared_organization: str = "",
    stakeholder_group: str = "",
    region: Territory | None = None,
    gender: str = "",
    contact_email: str = "",
    submission_token: str | None = None,
) -> tuple[Contribution, bool]:
    """A suggestion outside any consultation, routed to coordinators by theme."""
    contribution = Contribution(
        plan=plan,
        consultation=None,
        theme=theme,
        text=_check_text(text),
        submission_token=submission_token or None,
    )
    _declared(
        contribution,
        author=actor,
        declared_organization=declared_organization,
        stakeholder_group=stakeholder_group,
        region=region,
        gender=gender,
        contact_email=contact_email,
    )
    return _store(contribution, actor)


@transaction.atomic
def contribution_moderate(
    *, contribution: Contribution, moderation: str, actor: Any, hidden_reason: str = ""
) -> Contribution:
    """Publish or hide. Hidden contributions leave the public pages, not the statistics."""
    hidden_reason = hidden_reason.strip()
    if moderation == Contribution.Moderation.HIDDEN and not hidden_reason:
        raise ValidationError({"hidden_reason": _("Say why the contribution is hidden.")})
    if moderation not in Contribution.Moderation.values:
        raise ValidationError({"moderation": _("Choose publish or hide.")})
    contribution.moderation = moderation
    contribution.hidden_reason = hidden_reason if moderation == "hidden" else ""
    contribution.full_clean(exclude=["submission_token"])
    contribution.save(update_fields=["moderation", "hidden_reason", "updated_at"])
    audit.record(
        actor=actor,
        verb=f"contribution.{moderation}",
        obj=contribution,
        summary=contribution.receipt_code,
        data={"reason": contribution.hidden_reason},
    )
    return contribution


def _check_change(
    plan: Plan,
    contributions: list[Contribution],
    changed_version: PlanVersion | None,
    changed_element_uid: UUID | None,
) -> None:
    if changed_version is None:
        if changed_element_uid is not None:
            raise ValidationError({"changed": _("Choose the version that carries the change.")})
        return
    if changed_version.plan_id != plan.pk:
        raise ValidationError({"changed": _("The changed element must belong to this plan.")})
    for contribution in contributions:
        consulted = contribution.consultation.version if contribution.consultation else None
        if consulted is not None and changed_version.number <= consulted.number:
            raise ValidationError(
                {"changed": _("The change must be in a version later than the one consulted.")}
            )
    if changed_element_uid is not None and changed_element_uid not in {
        e.uid for e in version_elements(changed_version)
    }:
        raise ValidationError({"changed": _("That element is not part of the version you chose.")})


@transaction.atomic
def response_create(
    *,
    plan: Plan,
    contributions: list[Contribution],
    outcome: str,
    rationale: str,
    actor: Any,
    rationale_en: str = "",
    changed_version: PlanVersion | None = None,
    changed_element_uid: UUID | None = None,
) -> Response:
    """Answer one contribution or a group of similar ones with a single reasoned response.

    Contributions that had an earlier answer get the new one; an earlier answer left
    with no contribution is removed.
    """
    if not contributions:
        raise ValidationError(_("Select at least one contribution to answer."))
    if any(c.plan_id != plan.pk for c in contributions):
        raise ValidationError(_("Every contribution answered must belong to this plan."))
    _check_change(plan, contributions, changed_version, changed_element_uid)
    response = Response(
        plan=plan,
        outcome=outcome,
        rationale=rationale.strip(),
        rationale_en=rationale_en.strip(),
        changed_version=changed_version,
        changed_element_uid=changed_element_uid,
        answered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    response.full_clean(exclude=["answered_by"])
    response.save()
    previous = {c.response_id for c in contributions if c.response_id}
    ids = [c.pk for c in contributions]
    Contribution.objects.filter(pk__in=ids).update(response=response, updated_at=timezone.now())
    Response.objects.filter(pk__in=previous, contributions__isnull=True).delete()
    for contribution in contributions:
        contribution.response = response
    audit.record(
        actor=actor,
        verb="response.created",
        obj=response,
        summary=response.get_outcome_display(),
        data={"contributions": ids},
    )
    return response
