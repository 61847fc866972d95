"""Reference catalogs shipped as data: frameworks and their provisions, themes, approaches.

Rows are loaded by `manage.py load_catalogs` and are read-only in the interface.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import localized


class Framework(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ProvisionQuerySet(models.QuerySet["Provision"]):
    def ungp_principles(self) -> "ProvisionQuerySet":
        return self.filter(framework__code="ungp", kind=Provision.Kind.PRINCIPLE)

    def sdg_targets(self) -> "ProvisionQuerySet":
        return self.filter(framework__code="sdg", kind=Provision.Kind.TARGET)

    def sdg_goals(self) -> "ProvisionQuerySet":
        return self.filter(framework__code="sdg", kind=Provision.Kind.GOAL)


class Provision(models.Model):
    """A principle, goal or target of a framework: `UNGP-6`, `SDG-8`, `SDG-8.7`."""

    class Kind(models.TextChoices):
        PRINCIPLE = "principle", _("Principle")
        GOAL = "goal", _("Goal")
        TARGET = "target", _("Target")

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="provisions"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    number = models.CharField(_("number"), max_length=12)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    pillar = models.PositiveSmallIntegerField(_("pillar"), null=True, blank=True)
    pillar_es = models.CharField(_("pillar (Spanish)"), max_length=200, blank=True)
    pillar_en = models.CharField(_("pillar (English)"), max_length=200, blank=True)
    section_es = models.CharField(_("section (Spanish)"), max_length=200, blank=True)
    section_en = models.CharField(_("section (English)"), max_length=200, blank=True)
    title_es = models.TextField(_("title (Spanish)"))
    title_en = models.TextField(_("title (English)"))
    sort_key = models.CharField(_("sort key"), max_length=30, db_index=True)

    objects = ProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["framework__code", "sort_key"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def pillar_name(self) -> str:
        return localized(self, "pillar")

    @property
    def section(self) -> str:
        return localized(self, "section")

    @property
    def label(self) -> str:
        """Short human code: `PR 6` / `UNGP 6`, `ODS 8.7` / `SDG 8.7`."""
        from django.utils.translation import gettext

        if self.framework.code == "ungp":
            return gettext("UNGP %(number)s") % {"number": self.number}
        if self.framework.code == "sdg":
            return gettext("SDG %(number)s") % {"number": self.number}
        return self.code


class Theme(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("Rights-holder group")
        SECTOR = "sector", _("Sector")
        ISSUE = "issue", _("Cross-cutting issue")

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")


class Approach(models.Model):
    """Population approach: gender, intercultural, age, disability, migrants, territorial."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("population approach")
        verbose_name_plural = _("population approaches")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")
