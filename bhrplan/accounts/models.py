"""Users sign in with e-mail; what they may do comes from roles scoped to a territory or a plan."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Only superusers use the Django administration site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("es", _("Spanish")), ("en", _("English"))],
        default="es",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


class Role(BaseModel):
    """A user's role, scoped to a territory (and its sub-territories) or to one plan."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Plan coordinator")
        FOCAL_POINT = "focal_point", _("Focal point")
        COMMITTEE_MEMBER = "committee_member", _("Monitoring committee member")
        STAKEHOLDER = "stakeholder", _("Stakeholder")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=32, choices=Kind.choices)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    organization = models.ForeignKey(
        "territories.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(territory__isnull=False) | models.Q(plan__isnull=False),
                name="role_has_scope",
            )
        ]

    def __str__(self) -> str:
        scope = self.plan or self.territory
        return f"{self.user} — {self.get_kind_display()} — {scope}"

    def clean(self) -> None:
        super().clean()
        if self.territory_id is None and self.plan_id is None:
            raise ValidationError(_("A role applies to a territory or to a plan."))
        needs_org = {self.Kind.FOCAL_POINT, self.Kind.STAKEHOLDER}
        if self.kind in needs_org and self.organization_id is None:
            raise ValidationError(
                {"organization": _("Focal points and stakeholders act for an organisation.")}
            )
