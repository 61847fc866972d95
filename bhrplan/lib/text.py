"""Text helpers with no models."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_key(value: str) -> str:
    """Case-, accent- and whitespace-insensitive key: ` Energía  Minas` → `energia minas`."""
    return _SPACES.sub(" ", strip_accents(str(value)).casefold()).strip()


def clean_text(value: object) -> str:
    """Collapse inner whitespace and strip; None becomes ''."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value).replace("\xa0", " ")).strip()
