"""Territories (national, regional, municipal), networks of territories and organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel, localized


class Territory(BaseModel):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Region / department / province")
        MUNICIPAL = "municipal", _("Municipality")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 for countries, ISO 3166-2 for subdivisions (e.g. CO-ANT)."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def ancestors_and_self_ids(self) -> list[int]:
        ids: list[int] = []
        node: Territory | None = self
        while node is not None and len(ids) < 10:
            ids.append(node.pk)
            node = node.parent
        return ids


class Network(BaseModel):
    """A network of territories that share practice and compare plans."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    territories = models.ManyToManyField(
        Territory, verbose_name=_("territories"), related_name="networks", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("network of territories")
        verbose_name_plural = _("networks of territories")

    def __str__(self) -> str:
        return localized(self, "name")


class Organization(BaseModel):
    class StakeholderGroup(models.TextChoices):
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        COMPANY = "company", _("Company")
        BUSINESS_ASSOCIATION = "business_association", _("Business association")
        CIVIL_SOCIETY = "civil_society", _("Civil society organisation")
        TRADE_UNION = "trade_union", _("Trade union")
        INDIGENOUS = "indigenous", _("Indigenous peoples' organisation")
        ACADEMIA = "academia", _("Academia")
        NHRI = "nhri", _("National human rights institution")
        INTERNATIONAL = "international", _("International organisation")
        COOPERATION = "cooperation", _("Cooperation agency")
        MEDIA = "media", _("Media")

    class Approval(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    normalized_name = models.CharField(max_length=300, db_index=True, editable=False)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=32, choices=StakeholderGroup.choices
    )
    sectors = models.ManyToManyField(
        "frameworks.Theme",
        verbose_name=_("sectors"),
        blank=True,
        related_name="organizations",
        limit_choices_to={"kind": "sector"},
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    website = models.URLField(_("website"), blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    approval = models.CharField(
        _("registration"),
        max_length=10,
        choices=Approval.choices,
        default=Approval.APPROVED,
        help_text=_("Organisations that register on the public site wait for a coordinator."),
    )
    # Private contact data: never shown on the portal, in exports or in the API.
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "normalized_name"], name="organization_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from bhrplan.lib.text import normalize_key

        self.normalized_name = normalize_key(self.name)
        super().save(*args, **kwargs)
