"""Participation: stakeholder map, working groups, events and attendance, consultations,
contributions and the reasoned responses that make each contribution traceable.

Attendance is counted, not named: no personal data is needed to show who took part.
A contributor's optional self-declared data (organisation, group, region, gender) is kept
for statistics; their e-mail, if given, is private.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel, localized


def new_receipt_code() -> str:
    """A short code a contributor keeps to find their contribution and its answer."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


class Gender(models.TextChoices):
    """Self-declared and optional."""

    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class StakeholderRating(BaseModel):
    """A coordinator's rating of an organisation's influence and interest in a plan."""

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="stakeholder_ratings",
    )
    influence = models.PositiveSmallIntegerField(_("influence (1–5)"))
    interest = models.PositiveSmallIntegerField(_("interest (1–5)"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stakeholder rating")
        verbose_name_plural = _("stakeholder ratings")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization"], name="rating_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5
                ),
                name="rating_range",
            ),
        ]


class WorkingGroup(BaseModel):
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="working_groups",
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField("frameworks.Theme", verbose_name=_("themes"), blank=True)
    members = models.ManyToManyField(
        "territories.Organization",
        verbose_name=_("member organisations"),
        blank=True,
        related_name="working_groups",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return localized(self, "name")


class Event(BaseModel):
    class Kind(models.TextChoices):
        BOARD = "board", _("Multi-stakeholder board")
        EXECUTIVE_GROUP = "executive_group", _("Executive working group")
        THEMATIC_GROUP = "thematic_group", _("Thematic working group")
        BILATERAL = "bilateral", _("Bilateral meeting")
        REGIONAL_DIALOGUE = "regional_dialogue", _("Regional dialogue")
        WORKSHOP = "workshop", _("Training workshop")
        DISCUSSION = "discussion", _("National or international discussion")
        WEBINAR = "webinar", _("Webinar")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("Hybrid")

    class Phase(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        DRAFTING = "drafting", _("Drafting")
        CONSULTATION = "consultation", _("Public consultation")
        ADOPTION = "adoption", _("Adoption")
        IMPLEMENTATION = "implementation", _("Implementation")
        EVALUATION = "evaluation", _("Evaluation")

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind of event"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    phase = models.CharField(_("plan phase"), max_length=16, choices=Phase.choices)
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    minutes = models.FileField(_("minutes"), upload_to="minutes/", blank=True, max_length=300)
    is_public = models.BooleanField(_("shown on the public site"), default=True)
    organizations = models.ManyToManyField(
        "territories.Organization",
        verbose_name=_("participating organisations"),
        blank=True,
        related_name="events",
    )

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return localized(self, "title")


class AttendanceCount(models.Model):
    """How many people attended, by one breakdown (gender, stakeholder group or region)."""

    class Dimension(models.TextChoices):
        GENDER = "gender", _("Gender")
        STAKEHOLDER_GROUP = "stakeholder_group", _("Stakeholder group")
        REGION = "region", _("Region")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="counts"
    )
    dimension = models.CharField(_("breakdown"), max_length=20, choices=Dimension.choices)
    category = models.CharField(
        _("category"),
        max_length=40,
        help_text=_("A gender or stakeholder-group code, or a territory code for regions."),
    )
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        ordering = ["event", "dimension", "category"]
        verbose_name = _("attendance count")
        verbose_name_plural = _("attendance counts")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "dimension", "category"], name="attendance_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.category}: {self.count}"


class Consultation(BaseModel):
    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="consultations"
    )
    version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("version under consultation"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")

    def __str__(self) -> str:
        return localized(self, "title")


class Response(BaseModel):
    """The reasoned answer to one or several similar contributions."""

    class Outcome(models.TextChoices):
        INCORPORATED = "incorporated", _("Incorporated")
        PARTIALLY = "partially", _("Partially incorporated")
        NOT_INCORPORATED = "not_incorporated", _("Not incorporated")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("answer"), max_length=20, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    rationale_en = models.TextField(_("rationale (English)"), blank=True)
    changed_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("version that carries the change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_element_uid = models.UUIDField(_("element changed"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")


class Contribution(BaseModel):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online form")
        EVENT = "event", _("At an event")
        WRITTEN = "written", _("Written submission")
        BILATERAL = "bilateral", _("Bilateral meeting")

    class Target(models.TextChoices):
        PLAN = "plan", _("The whole plan")
        GUIDELINE = "guideline", _("Strategic guideline")
        OBJECTIVE = "objective", _("Objective")
        ACTION = "action", _("Action")
        INDICATOR = "indicator", _("Indicator")

    class Moderation(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="contributions"
    )
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
        help_text=_("Empty for suggestions sent outside a consultation."),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    target_type = models.CharField(
        _("about"), max_length=10, choices=Target.choices, default=Target.PLAN
    )
    target_uid = models.UUIDField(_("element"), null=True, blank=True)
    theme = models.ForeignKey(
        "frameworks.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("contribution"))
    organization = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    declared_organization = models.CharField(
        _("organisation (as written)"), max_length=300, blank=True
    )
    stakeholder_group = models.CharField(_("stakeholder group"), max_length=32, blank=True)
    region = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_email = models.EmailField(_("e-mail for the answer (private)"), blank=True)
    receipt_code = models.CharField(
        _("receipt code"), max_length=20, unique=True, default=new_receipt_code, editable=False
    )
    submission_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PUBLISHED
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    response = models.ForeignKey(
        Response,
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["consultation", "moderation"]),
            models.Index(fields=["plan", "created_at"]),
            models.Index(
                fields=["consultation", "moderation", "created_at", "id"],
                name="contribution_report_order",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_code
