from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from bhrplan.core import ratelimit
from bhrplan.core.models import RateLimitHit

pytestmark = pytest.mark.django_db


def hit(address="10.0.0.1", scope="t", limit=3, window_seconds=60, **kwargs):
    return ratelimit.hit(
        scope=scope, address=address, limit=limit, window_seconds=window_seconds, **kwargs
    )


def test_it_allows_up_to_the_limit_per_address_and_scope():
    assert all(hit() for _ in range(3))
    assert not hit()
    assert hit(address="10.0.0.2")
    assert hit(scope="other")
    assert RateLimitHit.objects.filter(scope="t").count() == 4  # refusals are not counted


def test_it_stores_only_a_keyed_hash_of_the_address(settings):
    hit(address="203.0.113.9")
    stored = RateLimitHit.objects.get()
    assert "203.0.113.9" not in stored.key_hash
    assert stored.key_hash == ratelimit.key_hash("t", "203.0.113.9")
    settings.SECRET_KEY = "another"
    assert ratelimit.key_hash("t", "203.0.113.9") != stored.key_hash


def test_it_slides_the_window_without_sleeping():
    start = timezone.now()
    for minutes in (0, 1, 2):
        assert hit(now=start + timedelta(minutes=minutes), window_seconds=300)
    assert not hit(now=start + timedelta(minutes=4), window_seconds=300)
    assert hit(now=start + timedelta(minutes=5, seconds=1), window_seconds=300)


def test_it_prunes_expired_hits_of_every_address_in_the_scope():
    past = timezone.now() - timedelta(hours=2)
    hit(address="a", now=past)
    hit(address="b", now=past)
    hit(address="c", scope="other", now=past, window_seconds=86400)
    hit(address="d")
    assert sorted(RateLimitHit.objects.values_list("scope", flat=True)) == ["other", "t"]


def test_it_rolls_back_with_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert hit(limit=1)
        raise RuntimeError("the registration failed")
    assert hit(limit=1)
    assert not hit(limit=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_it_serialises_one_address_with_an_advisory_lock():
    with transaction.atomic():
        assert hit()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            assert cursor.fetchone()[0] == 1


def test_it_reads_the_client_address_from_the_request():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    assert ratelimit.client_address(request) == "198.51.100.7"
    request.META.pop("REMOTE_ADDR")
    assert ratelimit.client_address(request) == "unknown"
