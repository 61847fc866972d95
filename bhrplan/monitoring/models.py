"""Implementation monitoring: reporting periods, progress reports, indicator values,
evidence and independent assessments.

Reports point at the action of the plan version they report against and carry the
action's `uid`, so a report stays attached to "the same action" when later versions copy
it. Official reports and independent assessments are separate rows, shown side by side,
never merged.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel


class ReportingPeriod(BaseModel):
    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Half-yearly")
        YEARLY = "yearly", _("Yearly")

    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="reporting_periods",
    )
    label = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    due_date = models.DateField(_("reports due"))

    class Meta:
        ordering = ["plan", "start_date"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["plan", "start_date"], name="period_unique_start"),
        ]

    def __str__(self) -> str:
        return self.label


class ProgressReport(BaseModel):
    """What one responsible organisation reports on one action for one period."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        DELAYED = "delayed", _("Delayed")
        CANCELLED = "cancelled", _("Cancelled")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")
        RETURNED = "returned", _("Returned")

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="reports"
    )
    action = models.ForeignKey(
        "plans.Action", verbose_name=_("action"), on_delete=models.PROTECT, related_name="reports"
    )
    action_uid = models.UUIDField(_("action identifier"), db_index=True)
    organization = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    narrative = models.TextField(_("what was done"), blank=True)
    state = models.CharField(
        _("review state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)

    class Meta:
        ordering = ["period__start_date", "action__position", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "action_uid", "organization"], name="report_unique_per_period"
            ),
        ]
        indexes = [models.Index(fields=["plan", "state"])]

    def __str__(self) -> str:
        return f"{self.period} · {self.action.code} · {self.organization}"


class ReportRevision(models.Model):
    """One entry of a report's history: every submission, validation, return or change."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    revision = models.PositiveIntegerField(_("revision"))
    state = models.CharField(_("review state"), max_length=10, choices=ProgressReport.State.choices)
    status = models.CharField(_("status"), max_length=12, choices=ProgressReport.Status.choices)
    narrative = models.TextField(_("what was done"), blank=True)
    values = models.JSONField(_("indicator values"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["report", "occurred_at", "id"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")

    def __str__(self) -> str:
        return f"{self.report_id} r{self.revision} {self.state}"


class IndicatorValue(BaseModel):
    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        "plans.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    indicator_uid = models.UUIDField(_("indicator identifier"), db_index=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    breakdown = models.JSONField(
        _("breakdown"),
        default=dict,
        blank=True,
        help_text=_('Parts of the value by breakdown, e.g. {"sex": {"female": 12, "male": 8}}.'),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["report", "indicator__position"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator_uid"], name="value_unique"),
        ]


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Random names outside the web root; the original name is kept in a field."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"evidence/{instance.report.plan_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(BaseModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "created_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class IndependentAssessment(BaseModel):
    """A stakeholder organisation's or the committee's own rating of an action for a period.
    Shown beside the official report, never merged into it. (For committee assessments the
    organisation is empty; the service keeps them one per action and period.)"""

    class Rating(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        INSUFFICIENT = "insufficient", _("Insufficient")
        PARTIAL = "partial", _("Partial")
        SATISFACTORY = "satisfactory", _("Satisfactory")
        COMPLETE = "complete", _("Complete")

    class Source(models.TextChoices):
        STAKEHOLDER = "stakeholder", _("Stakeholder organisation")
        COMMITTEE = "committee", _("Monitoring committee")

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="assessments"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    action = models.ForeignKey(
        "plans.Action",
        verbose_name=_("action"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    action_uid = models.UUIDField(_("action identifier"), db_index=True)
    source = models.CharField(_("assessed by"), max_length=12, choices=Source.choices)
    organization = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    narrative = models.TextField(_("assessment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["period__start_date", "action__position", "id"]
        verbose_name = _("independent assessment")
        verbose_name_plural = _("independent assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "action_uid", "source", "organization"],
                name="assessment_unique",
            ),
        ]


class ReminderLog(models.Model):
    """A reminder already sent, so the daily task never sends the same one twice."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("Before the due date")
        OVERDUE = "overdue", _("Overdue")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "territories.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization", "user", "kind"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_id} {self.user_id}"
