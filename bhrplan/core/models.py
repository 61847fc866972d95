"""Shared model bases and the audit trail."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def localized(obj: Any, field: str) -> str:
    """Return `field` in the active language: `<field>_en` in English when filled, else `field`.

    User-entered content is written in Spanish first with an optional English text.
    Catalog rows carry `<field>_es` and `<field>_en`; both conventions are handled.
    """
    lang = (get_language() or "es")[:2]
    if hasattr(obj, f"{field}_es"):
        spanish = getattr(obj, f"{field}_es") or ""
        english = getattr(obj, f"{field}_en") or ""
        return (english or spanish) if lang == "en" else (spanish or english)
    base = getattr(obj, field) or ""
    if lang == "en":
        return getattr(obj, f"{field}_en", "") or base
    return base


class AuditEvent(models.Model):
    """Who changed what and when. Written by services, never by views or signals."""

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"


class RateLimitHit(models.Model):
    """One request counted against a per-address rate limit of a public form.

    In the database so that every server process shares the count; the address is kept
    only as a keyed hash, and rows older than their scope's window are pruned.
    """

    scope = models.CharField(max_length=30)
    key_hash = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key_hash", "occurred_at"], name="ratelimit_key"),
            models.Index(fields=["scope", "occurred_at"], name="ratelimit_prune"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.occurred_at:%Y-%m-%d %H:%M}"
