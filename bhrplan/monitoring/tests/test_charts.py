"""Server-rendered, accessible and cached chart SVGs."""

import pytest
from django.core.cache import cache

from bhrplan.monitoring import charts


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_it_renders_an_accessible_svg_once(monkeypatch):
    spec = charts.progress_bars([("G1 <Lineamiento>", 0.75), ("G2", None)], "Progreso")
    assert spec["data"]["values"] == [{"label": "G1 <Lineamiento>", "progress": 0.75}]
    first = charts.svg(spec, "Progreso por <lineamiento>", "Barras & tabla")
    assert first.startswith("<svg")
    assert 'role="img"' in first
    assert "<title id=" in first and "Progreso por &lt;lineamiento&gt;" in first
    assert "<desc id=" in first and "Barras &amp; tabla" in first
    assert "G1 &lt;Lineamiento&gt;" in first

    def fail(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(charts, "_render", fail)
    assert charts.svg(spec, "Progreso por <lineamiento>", "Barras & tabla") == first


def test_it_keeps_counts_and_lines_as_vega_lite():
    spec = charts.count_bars([("Completada", 3)], "Acciones")
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert spec["data"]["values"] == [{"label": "Completada", "count": 3}]


def test_it_cuts_long_labels_without_merging_bars():
    long = "Lineamiento estratégico sobre debida diligencia en derechos humanos"
    spec = charts.progress_bars([(long + " A", 0.5), (long + " B", 0.25), ("Corto", 1.0)], "x")
    labels = [v["label"] for v in spec["data"]["values"]]
    assert len(set(labels)) == 3
    assert all(len(label) <= charts.LABEL_CHARS + 4 for label in labels)
    assert labels[2] == "Corto"
