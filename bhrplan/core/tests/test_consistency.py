"""Project-wide promises: every template compiles, every URL has a permission test."""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
# URLs that belong to third-party packages and are tested by them.
THIRD_PARTY_NAMESPACES = {"admin", "api-1.0.0"}
THIRD_PARTY_NAMES = {"set_language", "favicon"}


def _templates() -> list[str]:
    base = ROOT / "templates"
    return sorted(str(p.relative_to(base)) for p in base.rglob("*.html"))


def test_it_compiles_every_template():
    names = _templates()
    assert "base.html" in names
    for name in names:
        get_template(name)  # raises TemplateSyntaxError or TemplateDoesNotExist


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_ns = entry.namespace or ""
            full = f"{namespace}:{child_ns}".strip(":") if child_ns else namespace
            if child_ns in THIRD_PARTY_NAMESPACES:
                continue
            names |= _named_urls(entry, full)
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.name in THIRD_PARTY_NAMES:
                continue
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_it_has_a_test_for_every_named_url():
    """Each of our URL names is reversed in at least one test module (the view tests
    that try it with every persona)."""
    test_sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "bhrplan").rglob("tests/**/test_*.py")
        if p.name != "test_consistency.py"
    )
    missing = sorted(
        name
        for name in _named_urls(get_resolver())
        if not re.search(rf"""["']{re.escape(name)}["']""", test_sources)
    )
    assert not missing, f"URLs without a test: {missing}"
