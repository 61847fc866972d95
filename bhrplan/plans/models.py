"""The plan tree: Plan → PlanVersion → Guideline → Objective → Action → Indicator.

Every element belongs to one version. A plan has at most one draft version, which
coordinators edit; publishing freezes it (it can never change again) and the next
edit starts a new draft copied from it. Each element carries a `uid` that stays the
same across the copies, so two versions can be compared element by element even when
codes or titles change. The public reads only published versions.
"""

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel, localized
from bhrplan.procurement.figures import COUNT_METRICS, ScreeningFigures, ScreeningMetric

if TYPE_CHECKING:
    from bhrplan.procurement.models import Screening


class Plan(BaseModel):
    class Status(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        CONSULTATION = "consultation", _("Public consultation")
        ADOPTED = "adopted", _("Adopted")
        IMPLEMENTING = "implementing", _("Implementing")
        EVALUATED = "evaluated", _("Evaluated")
        CLOSED = "closed", _("Closed")

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFTING
    )
    legal_instrument = models.CharField(
        _("legal instrument"),
        max_length=300,
        blank=True,
        help_text=_("The decree or resolution that adopted the plan, if any."),
    )
    currency = models.CharField(
        _("budget currency"), max_length=3, default="USD", help_text=_("ISO 4217 code, e.g. PEN.")
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The plan cannot end before it starts.")})
        if self.currency:
            self.currency = self.currency.upper()


class PlanVersion(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("what changed"), blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="draft"),
                name="planversion_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class TreeNode(BaseModel):
    """Fields shared by every element of the plan tree."""

    uid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=30)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.TextField(_("title"))
    title_en = models.TextField(_("title (English)"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_title}"

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class Guideline(TreeNode):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="guidelines"
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("strategic guideline")
        verbose_name_plural = _("strategic guidelines")
        constraints = [
            models.UniqueConstraint(fields=["version", "uid"], name="guideline_unique_uid"),
        ]


class Objective(TreeNode):
    guideline = models.ForeignKey(
        Guideline, verbose_name=_("guideline"), on_delete=models.CASCADE, related_name="objectives"
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(fields=["guideline", "uid"], name="objective_unique_uid"),
        ]


class Action(TreeNode):
    class Kind(models.TextChoices):
        PREVENT = "prevent", _("Prevent")
        MITIGATE = "mitigate", _("Mitigate")
        REMEDY = "remedy", _("Remedy")
        PROMOTE = "promote", _("Promote")

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(
        _("kind of action"), max_length=10, choices=Kind.choices, default=Kind.PROMOTE
    )
    lead = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("lead entity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_actions",
    )
    co_responsible = models.ManyToManyField(
        "territories.Organization",
        verbose_name=_("co-responsible entities"),
        blank=True,
        related_name="co_actions",
    )
    provisions = models.ManyToManyField(
        "frameworks.Provision",
        verbose_name=_("UNGP principles and SDG targets"),
        blank=True,
        related_name="actions",
    )
    themes = models.ManyToManyField(
        "frameworks.Theme", verbose_name=_("themes"), blank=True, related_name="actions"
    )
    approaches = models.ManyToManyField(
        "frameworks.Approach",
        verbose_name=_("population approaches"),
        blank=True,
        related_name="actions",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    screenings: "models.ManyToManyField[Screening, ActionScreening]" = models.ManyToManyField(
        "procurement.Screening",
        verbose_name=_("procurement screenings cited"),
        blank=True,
        through="ActionScreening",
        related_name="citing_actions",
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["objective", "uid"], name="action_unique_uid"),
        ]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append(
                str(_("The action cannot end before it starts."))
            )
        plan = self._plan()
        if plan is not None:
            for field in ("start_date", "end_date"):
                value = getattr(self, field)
                if value and not (plan.start_date <= value <= plan.end_date):
                    errors.setdefault(field, []).append(
                        str(
                            _("The date must fall inside the plan period (%(start)s – %(end)s).")
                            % {"start": plan.start_date, "end": plan.end_date}
                        )
                    )
        if errors:
            raise ValidationError(errors)

    def _plan(self) -> Plan | None:
        if not self.objective_id:
            return None
        return self.objective.guideline.version.plan


class ActionScreening(models.Model):
    """An action cites a finished procurement screening (its aggregate figures are public).

    A cited screening cannot be deleted: published versions keep their citations.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="+")
    screening = models.ForeignKey(
        "procurement.Screening", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("procurement screening cited")
        verbose_name_plural = _("procurement screenings cited")
        constraints = [
            models.UniqueConstraint(fields=["action", "screening"], name="actionscreening_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} → {self.screening_id}"


class Indicator(BaseModel):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase")
        DECREASE = "decrease", _("Decrease")
        MAINTAIN = "maintain", _("Maintain")

    class Periodicity(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Half-yearly")
        YEARLY = "yearly", _("Yearly")

    class Breakdown(models.TextChoices):
        SEX = "sex", _("Sex")
        AGE_GROUP = "age_group", _("Age group")
        REGION = "region", _("Region")
        STAKEHOLDER_GROUP = "stakeholder_group", _("Stakeholder group")

    class ScreeningRole(models.TextChoices):
        FIGURE = "figure", _("The value is the screening's figure")
        DENOMINATOR = (
            "denominator",
            _("Focal points report how many of the screening's figure (n of N)"),
        )

    uid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, editable=False)
    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.TextField(_("indicator"))
    name_en = models.TextField(_("indicator (English)"), blank=True)
    unit = models.CharField(_("unit of measure"), max_length=100)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
    )
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    periodicity = models.CharField(
        _("reporting periodicity"),
        max_length=12,
        choices=Periodicity.choices,
        default=Periodicity.YEARLY,
    )
    disaggregations = models.JSONField(
        _("breakdowns"),
        default=list,
        blank=True,
        help_text=_(
            "Breakdowns reported with each value: sex, age group, region, stakeholder group."
        ),
    )
    screening = models.ForeignKey(
        "procurement.Screening",
        verbose_name=_("procurement screening"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("One of the screenings the action cites."),
    )
    screening_metric = models.CharField(
        _("figure from the screening"),
        max_length=20,
        choices=ScreeningMetric.choices,
        blank=True,
    )
    screening_role = models.CharField(
        _("use of the figure"), max_length=12, choices=ScreeningRole.choices, blank=True
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["action", "uid"], name="indicator_unique_uid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        base, target = self.baseline_value, self.target_value
        if base is not None and target is not None:
            if self.direction == self.Direction.INCREASE and target <= base:
                errors["target_value"] = str(
                    _("An increasing indicator needs a target above its baseline.")
                )
            elif self.direction == self.Direction.DECREASE and target >= base:
                errors["target_value"] = str(
                    _("A decreasing indicator needs a target below its baseline.")
                )
            elif self.direction == self.Direction.MAINTAIN and target != base:
                errors["target_value"] = str(
                    _("An indicator to maintain needs a target equal to its baseline.")
                )
        if self.baseline_year and self.target_year and self.target_year < self.baseline_year:
            errors["target_year"] = str(_("The target year cannot come before the baseline year."))
        if self.target_year and self.action_id:
            plan = self.action.objective.guideline.version.plan
            if not (plan.start_date.year <= self.target_year <= plan.end_date.year):
                errors["target_year"] = str(
                    _("The target year must fall inside the plan period (%(start)s – %(end)s).")
                    % {"start": plan.start_date.year, "end": plan.end_date.year}
                )
        allowed = set(self.Breakdown.values)
        if not isinstance(self.disaggregations, list) or not set(self.disaggregations) <= allowed:
            errors["disaggregations"] = str(_("Choose breakdowns from the list."))
        errors.update(self._screening_errors())
        if errors:
            raise ValidationError(errors)

    def _screening_errors(self) -> dict[str, str]:
        linked = [bool(self.screening_id), bool(self.screening_metric), bool(self.screening_role)]
        if not any(linked):
            return {}
        if not self.screening_id:
            return {"screening": str(_("Choose the screening the figure comes from."))}
        if not self.screening_metric:
            return {"screening_metric": str(_("Choose the figure of the screening."))}
        if not self.screening_role:
            return {"screening_role": str(_("Say how the figure is used."))}
        if (
            self.screening_role == self.ScreeningRole.DENOMINATOR
            and self.screening_metric not in COUNT_METRICS
        ):
            return {
                "screening_metric": str(
                    _("A share cannot be counted “n of N”: choose a figure that counts things.")
                )
            }
        if self.action_id and not self.action.screenings.filter(pk=self.screening_id).exists():
            return {"screening": str(_("Choose a screening that the action cites."))}
        return {}

    @property
    def screening_figures(self) -> ScreeningFigures | None:
        """The cited screening's aggregate figures (select_related screening__dataset)."""
        if not (self.screening_id and self.screening_metric):
            return None
        assert self.screening is not None
        return self.screening.figures

    @property
    def screening_figure(self) -> Decimal | None:
        """The chosen figure, or None when the screening does not have it."""
        figures = self.screening_figures
        return figures.value(self.screening_metric) if figures else None

    @property
    def is_screening_denominator(self) -> bool:
        return bool(self.screening_id) and self.screening_role == self.ScreeningRole.DENOMINATOR

    def screening_value_errors(self, value: Decimal) -> list[str]:
        """For an "n of N" indicator, n is a whole number between 0 and N."""
        if not self.is_screening_denominator:
            return []
        if value < 0 or value != value.to_integral_value():
            return [str(_("Give a whole number (how many of them)."))]
        total = self.screening_figure
        if total is not None and value > total:
            return [
                str(
                    _("The value cannot be more than the screening's %(total)s.") % {"total": total}
                )
            ]
        return []
