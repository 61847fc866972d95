"""Record audit events from services."""

from typing import Any

from django.db import models

from bhrplan.core.models import AuditEvent


def record(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        data=data or {},
    )
