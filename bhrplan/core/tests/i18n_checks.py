"""Translation checks shared by tests: catalog completeness and English left on Spanish pages.

`assert_no_english(response)` fails when a page rendered in Spanish shows the English
text of a catalog msgid whose Spanish translation differs, e.g. a string someone forgot
to wrap in `{% translate %}` after it was translated elsewhere, or a missing .mo entry.
Use it for any public page:

    response = client.get(url_in_spanish)
    assert_no_english(response)
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PROJECT_DIR = Path(settings.BASE_DIR)
# What makemessages reads: Python code and templates.
SOURCES = ["bhrplan", "config", "templates", "manage.py"]
PLACEHOLDER = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}")
# Single English words that are also ordinary Spanish words: never reported alone.
ALSO_SPANISH = {"actor", "media", "Media", "API", "final", "total", "error", "Plan", "plan"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "content", "value"}


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def untranslated_entries(po: polib.POFile) -> list[str]:
    """Msgids that are untranslated or fuzzy (obsolete entries do not count)."""
    return [e.msgid for e in po if not e.obsolete and not e.translated()]


def catalog_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(LOCALE_DIR.rglob("*.po")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def extract_into_copy(workdir: Path, extra_files: dict[str, str] | None = None) -> polib.POFile:
    """Run makemessages on a copy of the project (sources and catalogs) inside `workdir`.

    The project's own locale/ is never written: the copy has its own settings, so
    LOCALE_PATHS points into `workdir`. Returns the refreshed Spanish catalog of the copy.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=ignore)
        else:
            shutil.copy2(source, workdir / name)
    shutil.copytree(LOCALE_DIR, workdir / "locale", ignore=ignore)
    for relative, text in (extra_files or {}).items():
        (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
        (workdir / relative).write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(workdir),
        "BHRPLAN_VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "--ignore=var"],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(workdir / "locale" / "es" / "LC_MESSAGES" / "django.po"))


class _VisibleText(HTMLParser):
    """Text a reader meets: content and text attributes, minus scripts, styles and
    elements marked as another language (lang="en" on the language switcher). The root
    element's lang is checked by `assert_no_english` instead."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang") or ""
        skip = (
            self.skipping
            or tag in {"script", "style"}
            or bool(tag != "html" and lang and not lang.lower().startswith("es"))
        )
        if not skip:
            self.chunks.extend(v for k, v in attrs if k in TEXT_ATTRIBUTES and v)
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self.chunks.extend(v for k, v in attrs if k in TEXT_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.chunks).split())


@cache
def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(msgid, pattern) for every English text whose Spanish translation differs."""
    patterns = []
    for entry in polib.pofile(str(catalog_path("es"))):
        if entry.obsolete or not entry.translated():
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english in translations:
                continue
            for fragment in PLACEHOLDER.split(english):
                fragment = " ".join(fragment.split()).strip(" .,:;–-()“”\"'")
                words = fragment.split()
                if not words or (
                    len(words) == 1 and (len(fragment) < 4 or fragment in ALSO_SPANISH)
                ):
                    continue
                if any(fragment in t for t in translations):
                    continue
                variants = {fragment, fragment[:1].upper() + fragment[1:]}
                alternatives = "|".join(re.escape(v) for v in sorted(variants))
                patterns.append((english, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))
    return patterns


def english_msgids_in(html: str) -> list[str]:
    """Catalog msgids whose English text shows on a page meant to be Spanish."""
    text = visible_text(html)
    return sorted({msgid for msgid, pattern in _english_patterns() if pattern.search(text)})


def assert_no_english(response: Any) -> None:
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Content-Language", "es").startswith("es")
    html = response.content.decode()
    assert re.search(r"<html[^>]*\blang=\"es", html), 'the page does not declare lang="es"'
    found = english_msgids_in(html)
    assert found == [], f"English text on a Spanish page: {found}"
