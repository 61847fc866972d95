import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so pages are really computed."""
    cache.clear()
    yield
    cache.clear()
