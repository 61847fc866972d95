"""Per-address rate limits for the forms anyone can send (registration, contributions…).

Each counted request is a `RateLimitHit` row: shared by every server process, on SQLite and
PostgreSQL alike, and holding only a keyed hash of the address. Requests from one address
in one scope are serialised (SQLite takes the write lock when the transaction begins;
PostgreSQL takes a transaction-level advisory lock on the hash), so concurrent requests
cannot slip past the limit together. Called inside a caller's transaction, the hit is
rolled back with it: a registration that fails validation does not count.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from bhrplan.core.models import RateLimitHit


def client_address(request: HttpRequest) -> str:
    """The address the request came from (the proxy must set REMOTE_ADDR to the client's)."""
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"


def key_hash(scope: str, address: str) -> str:
    """A keyed hash of the address: enough to count requests, useless to identify anyone."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{scope}:{address}".encode(), hashlib.sha256).hexdigest()


def _lock(digest: str) -> None:
    if connection.vendor == "postgresql":
        lock_id = int(digest[:16], 16) - 2**63  # into bigint's range
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def hit(
    *,
    scope: str,
    address: str,
    limit: int,
    window_seconds: int,
    now: datetime | None = None,
) -> bool:
    """Count one request from `address`; False, counting nothing, when `limit` requests were
    already counted in the last `window_seconds`."""
    now = now or timezone.now()
    since = now - timedelta(seconds=window_seconds)
    digest = key_hash(scope, address)
    with transaction.atomic():
        _lock(digest)
        RateLimitHit.objects.filter(scope=scope, occurred_at__lt=since).delete()
        recent = RateLimitHit.objects.filter(scope=scope, key_hash=digest, occurred_at__gte=since)
        if recent.count() >= limit:
            return False
        RateLimitHit.objects.create(scope=scope, key_hash=digest, occurred_at=now)
    return True
