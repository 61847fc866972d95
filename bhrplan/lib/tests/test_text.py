import sys
import unicodedata

from bhrplan.lib.text import clean_text, normalize_key, strip_accents


def _reference_strip_accents(value: str) -> str:
    """The plain definition: drop every combining character after NFKD decomposition."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_it_strips_accents_exactly_like_the_plain_definition_for_every_code_point():
    step = 2048
    for start in range(0, sys.maxunicode + 1, step):
        text = "".join(
            chr(c)
            for c in range(start, min(start + step, sys.maxunicode + 1))
            if not 0xD800 <= c <= 0xDFFF
        )
        assert strip_accents(text) == _reference_strip_accents(text), hex(start)


def test_it_normalizes_keys():
    assert normalize_key(" Energía  Minas") == "energia minas"
    assert normalize_key("CAÑA DE AZÚCAR\n") == "cana de azucar"
    assert normalize_key("Straße") == "strasse"
    assert strip_accents("plain ascii") == "plain ascii"


def test_it_cleans_text():
    assert clean_text(None) == ""
    assert clean_text("  a\xa0 b \n c ") == "a b c"
