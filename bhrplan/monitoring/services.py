"""Writes for monitoring. Every function is atomic and leaves one audit event.

Report workflow: draft → submitted (focal point) → validated | returned (coordinator or
committee member). A returned report is edited and submitted again; a change to a
validated report starts a new revision (revision + 1, back to draft). Every transition
writes a `ReportRevision` row with a snapshot of the content, so validated content stays
in the history.
"""

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bhrplan.core import audit
from bhrplan.lib import uploads
from bhrplan.monitoring import breakdowns
from bhrplan.monitoring.models import (
    Evidence,
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReminderLog,
    ReportingPeriod,
    ReportRevision,
)
from bhrplan.plans.models import Action, Indicator, Plan
from bhrplan.territories.models import Organization

logger = logging.getLogger(__name__)

MONTHS: dict[str, int] = {
    ReportingPeriod.Frequency.QUARTERLY: 3,
    ReportingPeriod.Frequency.HALF_YEARLY: 6,
    ReportingPeriod.Frequency.YEARLY: 12,
}

# Periods


def _period_label(frequency: str, start: date) -> str:
    if frequency == ReportingPeriod.Frequency.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if frequency == ReportingPeriod.Frequency.HALF_YEARLY:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return str(start.year)


def _calendar_periods(plan: Plan, months: int) -> list[tuple[date, date]]:
    """Calendar quarters / half-years / years covering the plan, clipped to its dates."""
    first_month = ((plan.start_date.month - 1) // months) * months + 1
    cursor = date(plan.start_date.year, first_month, 1)
    spans = []
    while cursor <= plan.end_date:
        end_month = cursor.month + months - 1
        end_year = cursor.year + (end_month - 1) // 12
        end_month = (end_month - 1) % 12 + 1
        end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
        spans.append((max(cursor, plan.start_date), min(end, plan.end_date)))
        cursor = end + timedelta(days=1)
    return spans


@transaction.atomic
def periods_generate(
    *, plan: Plan, frequency: str, due_days_after_end: int, actor: Any
) -> list[ReportingPeriod]:
    if frequency not in MONTHS:
        raise ValidationError({"frequency": _("Choose a frequency from the list.")})
    if not 0 <= due_days_after_end <= 365:
        raise ValidationError({"due_days_after_end": _("Give a number of days between 0 and 365.")})
    if ReportingPeriod.objects.filter(plan=plan).exists():
        raise ValidationError(
            _("This plan already has reporting periods. Delete them before generating new ones.")
        )
    periods = []
    for start, end in _calendar_periods(plan, MONTHS[frequency]):
        period = ReportingPeriod(
            plan=plan,
            label=_period_label(frequency, start),
            start_date=start,
            end_date=end,
            due_date=end + timedelta(days=due_days_after_end),
        )
        period.full_clean()
        period.save()
        periods.append(period)
    audit.record(
        actor=actor,
        verb="periods.generate",
        obj=plan,
        summary=f"{len(periods)} {frequency} periods",
        data={"frequency": frequency, "due_days_after_end": due_days_after_end},
    )
    return periods


@transaction.atomic
def period_update(
    *, period: ReportingPeriod, actor: Any, label: str, due_date: date
) -> ReportingPeriod:
    period.label = label.strip()
    period.due_date = due_date
    if due_date < period.start_date:
        raise ValidationError({"due_date": _("The due date cannot come before the period starts.")})
    period.full_clean()
    period.save(update_fields=["label", "due_date", "updated_at"])
    audit.record(
        actor=actor,
        verb="period.update",
        obj=period,
        summary=period.label,
        data={"due_date": due_date.isoformat()},
    )
    return period


@transaction.atomic
def period_delete(*, period: ReportingPeriod, actor: Any) -> None:
    if period.reports.exists() or period.assessments.exists():
        raise ValidationError(
            _("The period %(label)s has reports or assessments and cannot be deleted.")
            % {"label": period.label}
        )
    audit.record(actor=actor, verb="period.delete", obj=period, summary=period.label)
    period.delete()


# Reports


@dataclass
class ValueInput:
    """A value typed for one indicator (None: not reported yet)."""

    indicator: Indicator
    value: Decimal | None
    breakdown: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    note: str = ""


def _snapshot(report: ProgressReport) -> dict[str, Any]:
    return {
        str(v.indicator_uid): {
            "indicator": v.indicator.name,
            "value": breakdowns.plain(v.value),
            "breakdown": v.breakdown,
            "note": v.note,
        }
        for v in report.values.select_related("indicator").order_by("indicator__position")
    }


def _revision(report: ProgressReport, actor: Any, comment: str = "") -> ReportRevision:
    return ReportRevision.objects.create(
        report=report,
        revision=report.revision,
        state=report.state,
        status=report.status,
        narrative=report.narrative,
        values=_snapshot(report),
        comment=comment,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        occurred_at=timezone.now(),
    )


def _check_values(action: Action, values: list[ValueInput]) -> None:
    errors: list[str] = []
    indicator_ids = {i.pk for i in action.indicators.all()}
    for item in values:
        if item.indicator.pk not in indicator_ids:
            raise ValidationError(_("This indicator does not belong to the action."))
        if item.value is None:
            continue
        errors += item.indicator.screening_value_errors(item.value)
        errors += breakdowns.sum_errors(item.indicator, item.value, item.breakdown, item.note)
    if errors:
        raise ValidationError(errors)


def _set_values(report: ProgressReport, values: list[ValueInput]) -> None:
    keep = []
    for item in values:
        if item.value is None:
            continue
        row = IndicatorValue.objects.filter(report=report, indicator_uid=item.indicator.uid).first()
        row = row or IndicatorValue(report=report, indicator_uid=item.indicator.uid)
        row.indicator = item.indicator
        row.value = item.value
        row.breakdown = breakdowns.serialize(
            {k: v for k, v in item.breakdown.items() if k in (item.indicator.disaggregations or [])}
        )
        row.note = item.note.strip()
        row.full_clean()
        row.save()
        keep.append(row.pk)
    report.values.exclude(pk__in=keep).delete()


@transaction.atomic
def report_save(
    *,
    period: ReportingPeriod,
    action: Action,
    organization: Organization,
    actor: Any,
    status: str,
    narrative: str,
    values: list[ValueInput],
    submit: bool = False,
) -> ProgressReport:
    """Create or change the organisation's report on the action for the period; submit it
    for review when `submit`. A validated report starts a new revision."""
    _check_values(action, values)
    report = (
        ProgressReport.objects.select_for_update()
        .filter(period=period, action_uid=action.uid, organization=organization)
        .first()
    )
    verb = "report.update"
    if report is None:
        report = ProgressReport(
            plan=period.plan, period=period, action_uid=action.uid, organization=organization
        )
        verb = "report.create"
    elif report.state == ProgressReport.State.SUBMITTED:
        raise ValidationError(
            _("This report was submitted and is waiting for review; it cannot change now.")
        )
    elif report.state == ProgressReport.State.VALIDATED:
        report.revision += 1
        report.state = ProgressReport.State.DRAFT
        report.validated_at = None
        verb = "report.reopen"
    report.action = action
    report.status = status
    report.narrative = narrative.strip()
    report.full_clean()
    report.save()
    _set_values(report, values)
    if verb == "report.reopen":
        _revision(report, actor, _("New revision started after validation."))
    if submit:
        _submit(report, actor)
        verb = "report.submit"
    audit.record(
        actor=actor,
        verb=verb,
        obj=report,
        summary=str(report),
        data={"state": report.state, "revision": report.revision},
    )
    return report


def _submit(report: ProgressReport, actor: Any) -> None:
    if report.state not in (ProgressReport.State.DRAFT, ProgressReport.State.RETURNED):
        raise ValidationError(_("Only a draft or returned report can be submitted."))
    report.state = ProgressReport.State.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["state", "submitted_at", "updated_at"])
    _revision(report, actor)


@transaction.atomic
def report_submit(*, report: ProgressReport, actor: Any) -> ProgressReport:
    _submit(report, actor)
    audit.record(actor=actor, verb="report.submit", obj=report, summary=str(report))
    return report


@transaction.atomic
def report_validate(*, report: ProgressReport, actor: Any, comment: str = "") -> ProgressReport:
    if report.state != ProgressReport.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be validated."))
    report.state = ProgressReport.State.VALIDATED
    report.validated_at = timezone.now()
    report.review_comment = comment.strip()
    report.save(update_fields=["state", "validated_at", "review_comment", "updated_at"])
    _revision(report, actor, report.review_comment)
    audit.record(actor=actor, verb="report.validate", obj=report, summary=str(report))
    return report


@transaction.atomic
def report_return(*, report: ProgressReport, actor: Any, comment: str) -> ProgressReport:
    if report.state != ProgressReport.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the organisation should change.")})
    report.state = ProgressReport.State.RETURNED
    report.review_comment = comment.strip()
    report.save(update_fields=["state", "review_comment", "updated_at"])
    _revision(report, actor, report.review_comment)
    audit.record(actor=actor, verb="report.return", obj=report, summary=str(report))
    return report


# Evidence

EVIDENCE_TYPES = ("pdf", "png", "jpeg", "webp", "docx", "xlsx", "pptx", "odt", "ods")


def evidence_max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def evidence_check(upload: UploadedFile) -> uploads.FileType:
    """The file's type when it is an accepted, well-formed type within the size limit."""
    return uploads.check_upload(
        upload,
        types=EVIDENCE_TYPES,
        max_bytes=evidence_max_bytes(),
        accepted=_(
            "a PDF, an image (PNG, JPEG, WebP) or an office document (DOCX, XLSX, PPTX, ODT, ODS)"
        ),
        field="file",
    )


def _editable(report: ProgressReport) -> None:
    if report.state not in (ProgressReport.State.DRAFT, ProgressReport.State.RETURNED):
        raise ValidationError(
            _("Evidence can change only while the report is a draft or has been returned.")
        )


@transaction.atomic
def evidence_add(
    *,
    report: ProgressReport,
    upload: UploadedFile,
    visibility: str,
    description: str = "",
    actor: Any,
) -> Evidence:
    _editable(report)
    kind = evidence_check(upload)
    original = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    evidence = Evidence(
        report=report,
        original_name=original,
        content_type=kind.content_type,
        size=upload.size or 0,
        visibility=visibility,
        description=description.strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.file = upload  # type: ignore[assignment]
    evidence.full_clean(exclude=["uploaded_by"])  # empty for system uploads
    evidence.save()
    audit.record(
        actor=actor,
        verb="evidence.add",
        obj=evidence,
        summary=original,
        data={"report": report.pk, "visibility": visibility, "size": evidence.size},
    )
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor: Any) -> None:
    _editable(evidence.report)
    name = evidence.file.name
    storage = evidence.file.storage
    audit.record(actor=actor, verb="evidence.delete", obj=evidence, summary=evidence.original_name)
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# Independent assessments


@transaction.atomic
def assessment_save(
    *,
    period: ReportingPeriod,
    action: Action,
    source: str,
    organization: Organization | None,
    actor: Any,
    rating: str,
    narrative: str,
) -> IndependentAssessment:
    """Create or change the assessment of a stakeholder organisation or of the committee
    (one per action and period for each)."""
    if source == IndependentAssessment.Source.COMMITTEE:
        organization = None
    elif organization is None:
        raise ValidationError(_("A stakeholder assessment needs an organisation."))
    assessment = (
        IndependentAssessment.objects.select_for_update()
        .filter(period=period, action_uid=action.uid, source=source, organization=organization)
        .first()
    )
    verb = "assessment.update"
    if assessment is None:
        assessment = IndependentAssessment(
            plan=period.plan,
            period=period,
            action_uid=action.uid,
            source=source,
            organization=organization,
        )
        verb = "assessment.create"
    assessment.action = action
    assessment.rating = rating
    assessment.narrative = narrative.strip()
    assessment.author = actor if getattr(actor, "is_authenticated", False) else None
    assessment.full_clean(exclude=["author"])
    assessment.save()
    audit.record(actor=actor, verb=verb, obj=assessment, summary=f"{action.code} {rating}")
    return assessment


# Reminders


# Periods due longer ago than this get no overdue reminder (no flood on a first run).
OVERDUE_WINDOW_DAYS = 90


def reminder_days() -> int:
    return int(getattr(settings, "REPORT_REMINDER_DAYS", 7))


def _pending_actions(period: ReportingPeriod) -> dict[Organization, list[Action]]:
    """Actions of the period still to be submitted, by responsible organisation."""
    from bhrplan.monitoring.selectors import reported_actions

    done = set(
        ProgressReport.objects.filter(
            period=period,
            state__in=[ProgressReport.State.SUBMITTED, ProgressReport.State.VALIDATED],
        ).values_list("action_uid", "organization_id")
    )
    pending: dict[Organization, list[Action]] = {}
    actions = (
        reported_actions(period.plan)
        .select_related("lead")
        .prefetch_related("co_responsible")
        .order_by("objective__guideline__position", "objective__position", "position")
    )
    for action in actions:
        orgs = ([action.lead] if action.lead else []) + list(action.co_responsible.all())
        for org in orgs:
            if (action.uid, org.pk) not in done:
                pending.setdefault(org, []).append(action)
    return pending


def _send_reminder(
    user: Any, period: ReportingPeriod, org: Organization, actions: list[Action], kind: str
) -> None:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "period": period,
            "plan": period.plan,
            "organization": org,
            "actions": actions,
            "overdue": kind == ReminderLog.Kind.OVERDUE,
            "url": base + reverse("monitoring:task_list", args=[period.plan_id]),
        }
        if kind == ReminderLog.Kind.OVERDUE:
            subject = _("Overdue progress report: %(period)s, %(plan)s")
        else:
            subject = _("Progress report due on %(date)s: %(period)s, %(plan)s")
        subject = subject % {
            "period": period.label,
            "plan": period.plan.display_title[:80],
            "date": period.due_date.isoformat(),
        }
        body = render_to_string("monitoring/email/reminder.txt", context)
    send_mail(subject, body, None, [user.email])


def _remind_once(
    user: Any, period: ReportingPeriod, org: Organization, actions: list[Action], kind: str
) -> bool:
    """Send one reminder unless it was sent before. The log row is written in the same
    transaction as the sending, so a failed e-mail is tried again on the next run."""
    try:
        with transaction.atomic():
            _log, created = ReminderLog.objects.get_or_create(
                period=period,
                organization=org,
                user=user,
                kind=kind,
                defaults={"sent_at": timezone.now()},
            )
            if created:
                _send_reminder(user, period, org, actions, kind)
            return created
    except OSError:  # SMTP and connection errors: the other reminders still go out
        logger.warning("Reminder to %s for period %s not sent", user.pk, period.pk, exc_info=True)
        return False


def reminders_send(*, today: date | None = None) -> int:
    """E-mail focal points whose organisation still has reports to submit: once when the due
    date is `REPORT_REMINDER_DAYS` away or closer, once when it has passed. Returns the
    number of e-mails sent."""
    from bhrplan.monitoring.selectors import focal_point_users

    today = today or timezone.localdate()
    horizon = today + timedelta(days=reminder_days())
    periods = ReportingPeriod.objects.filter(
        due_date__lte=horizon, due_date__gte=today - timedelta(days=OVERDUE_WINDOW_DAYS)
    ).select_related("plan__territory__parent")
    sent = 0
    for period in periods:
        kind = ReminderLog.Kind.OVERDUE if period.due_date < today else ReminderLog.Kind.BEFORE_DUE
        for org, actions in _pending_actions(period).items():
            for user in focal_point_users(period.plan, org):
                if _remind_once(user, period, org, actions, kind):
                    sent += 1
    if sent:
        audit.record(
            actor=None,
            verb="reminders.send",
            object_type="monitoring.reminderlog",
            summary=f"{sent} reminders",
            data={"date": today.isoformat(), "sent": sent},
        )
    return sent
