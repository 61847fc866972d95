"""Charts as Vega-Lite specifications, rendered to SVG on the server with vl-convert.

The SVG is inlined in the page with a <title> and <desc> for screen readers, and every
chart has a data table beside it, so nothing depends on JavaScript. Rendered SVGs are
cached (Django cache) under a hash of the specification: the same data never renders
twice.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bhrplan.monitoring.figures import PlanFigures
from bhrplan.monitoring.progress import IndicatorSeries

BRAND = "#0b4f8a"
ACCENT = "#8a3b00"
FONT = "DejaVu Sans, sans-serif"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# The same spec always gives the same SVG, so keep it long (one week).
SVG_CACHE_SECONDS = 7 * 24 * 3600
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 0},
        "view": {"stroke": None},
    }


def svg(spec: dict[str, Any], title: str, desc: str) -> SafeString:
    """The chart as inline, accessible SVG (cached by a hash of spec, title and desc)."""
    payload = json.dumps([spec, title, desc], sort_keys=True, default=str)
    key = "vl-svg:" + hashlib.sha256(payload.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = _render(spec, title, desc, key[7:19])
        cache.set(key, cached, SVG_CACHE_SECONDS)
    # vl-convert output; the title and desc we add are escaped
    return mark_safe(cached)


def _render(spec: dict[str, Any], title: str, desc: str, uid: str) -> str:
    import vl_convert

    raw = vl_convert.vegalite_to_svg(json.loads(json.dumps(spec, default=str)))
    ids = f"chart-{uid}"

    def head(match: re.Match[str]) -> str:
        return (
            f'<svg{match.group(1)} role="img" aria-labelledby="{ids}-t {ids}-d" '
            f'focusable="false" style="max-width:100%;height:auto">'
            f'<title id="{ids}-t">{escape(title)}</title><desc id="{ids}-d">{escape(desc)}</desc>'
        )

    return _SVG_OPEN.sub(head, raw, count=1)


LABEL_CHARS = 42


def short(label: str) -> str:
    """Axis labels are cut here, not by Vega: its text measuring for truncation costs
    seconds per chart. The full label is in the data table beside the chart."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def short_labels(labels: Sequence[str]) -> list[str]:
    """Cut labels, numbering any that the cut made identical (bars would merge)."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        cut = short(label)
        seen[cut] = seen.get(cut, 0) + 1
        result.append(cut if seen[cut] == 1 else f"{cut} ({seen[cut]})")
    return result


def _height(rows: int) -> int:
    return max(40, 22 * rows)


def progress_bars(rows: Sequence[tuple[str, float | None]], axis_title: str) -> dict[str, Any]:
    """Horizontal bars of progress in [0, 1]; rows with unknown progress are left out."""
    known = [(label, p) for label, p in rows if p is not None]
    labels = short_labels([label for label, _p in known])
    values = [
        {"label": cut, "progress": round(p, 4)}
        for cut, (_label, p) in zip(labels, known, strict=True)
    ]
    return {
        "$schema": SCHEMA,
        "width": 360,
        "height": _height(len(values)),
        "config": _config(),
        "data": {"values": values},
        "mark": {"type": "bar", "color": BRAND},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "progress",
                "type": "quantitative",
                "scale": {"domain": [0, 1]},
                "axis": {"format": ".0%"},
                "title": axis_title,
            },
        },
    }


def count_bars(rows: Sequence[tuple[str, int]], axis_title: str) -> dict[str, Any]:
    labels = short_labels([label for label, _n in rows])
    values = [{"label": cut, "count": n} for cut, (_label, n) in zip(labels, rows, strict=True)]
    return {
        "$schema": SCHEMA,
        "width": 360,
        "height": _height(len(values)),
        "config": _config(),
        "data": {"values": values},
        "mark": {"type": "bar", "color": BRAND},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "axis": {"tickMinStep": 1, "format": "d"},
                "title": axis_title,
            },
        },
    }


def indicator_line(
    points: Sequence[tuple[date, Decimal, str]],
    kinds: Sequence[str],
    value_title: str,
    time_title: str,
) -> dict[str, Any]:
    """Baseline → reported values → target as one line, each point labelled by its kind
    (the kind is also a different point shape, so colour is not the only cue)."""
    values = [{"date": d.isoformat(), "value": float(v), "kind": k} for d, v, k in points]
    return {
        "$schema": SCHEMA,
        "width": 480,
        "height": 220,
        "config": _config(),
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "line", "color": BRAND, "strokeDash": [1, 0]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": time_title},
                    "y": {"field": "value", "type": "quantitative", "title": value_title},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "value", "type": "quantitative"},
                    "shape": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": list(kinds)},
                    },
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": list(kinds), "range": [ACCENT, BRAND, "#1d6b2f"]},
                    },
                },
            },
        ],
    }


class Section:
    """One block of the dashboard: a heading, a chart and the table with its data.

    The SVG is rendered lazily, so a page served from the fragment cache renders none."""

    def __init__(
        self,
        anchor: str,
        title: str,
        desc: str,
        spec: dict[str, Any],
        rows: Sequence[Any],
        kind: str = "progress",
    ) -> None:
        self.anchor, self.title, self.desc, self.spec = anchor, title, desc, spec
        self.rows, self.kind = rows, kind

    @cached_property
    def svg(self) -> SafeString:
        return svg(self.spec, self.title, self.desc)


def plan_sections(figs: PlanFigures) -> list[Section]:
    """The grouped-progress sections of the plan dashboard, in page order."""
    titles = {
        "guideline": (_("Progress by strategic guideline"), "guidelines"),
        "pillar": (_("Progress by UNGP pillar"), "pillars"),
        "principle": (_("Progress by UNGP principle"), "principles"),
        "sdg": (_("Progress by Sustainable Development Goal"), "sdgs"),
        "theme": (_("Progress by theme"), "themes"),
        "approach": (_("Progress by population approach"), "approaches"),
        "entity": (_("Progress by responsible entity"), "entities"),
    }
    axis = _("Mean progress of the actions")
    sections = []
    for dimension, (title, anchor) in titles.items():
        rows = figs.groups.get(dimension, ())
        desc = _(
            "Bar chart of the mean progress of the actions in each group; "
            "the table that follows gives the same figures."
        )
        spec = progress_bars([(r.label, r.figure.progress) for r in rows], axis)
        sections.append(Section(anchor, title, desc, spec, rows))
    return sections


def status_section(figs: PlanFigures, labels: dict[str, str]) -> Section:
    rows = [(labels[s], n) for s, n in figs.status_distribution]
    return Section(
        "status",
        _("Actions by status"),
        _(
            "Bar chart of the number of actions in each status; "
            "the table that follows gives the same figures."
        ),
        count_bars(rows, _("Actions")),
        rows,
        kind="count",
    )


def on_time_section(figs: PlanFigures) -> Section:
    rows = figs.on_time
    return Section(
        "on-time",
        _("On-time reporting by responsible entity"),
        _(
            "Bar chart of the share of expected reports each entity submitted on time; "
            "the table that follows gives the same figures."
        ),
        progress_bars([(r.name, r.rate) for r in rows], _("Reports submitted on time")),
        rows,
        kind="on_time",
    )


def indicator_section(series: IndicatorSeries) -> Section:
    """Baseline, every validated value and the target of one indicator, in time order."""
    ind = series.indicator
    kinds = [_("Baseline"), _("Reported value"), _("Target")]
    rows: list[dict[str, Any]] = []
    if ind.baseline_value is not None and ind.baseline_year:
        rows.append(
            {
                "label": _("Baseline %(year)s") % {"year": ind.baseline_year},
                "date": date(ind.baseline_year, 12, 31),
                "value": ind.baseline_value,
                "kind": kinds[0],
                "breakdown": None,
            }
        )
    for p in series.points:
        rows.append({"label": p["period"], **p, "kind": kinds[1]})
    if ind.target_value is not None and ind.target_year:
        rows.append(
            {
                "label": _("Target %(year)s") % {"year": ind.target_year},
                "date": date(ind.target_year, 12, 31),
                "value": ind.target_value,
                "kind": kinds[2],
                "breakdown": None,
            }
        )
    spec = indicator_line(
        [(r["date"], r["value"], r["kind"]) for r in rows],
        kinds,
        ind.unit or _("Value"),
        _("Date"),
    )
    desc = _(
        "Line chart from the baseline through the validated values to the target; "
        "the table that follows gives the same figures."
    )
    return Section("line", ind.display_name, desc, spec, rows, kind="line")


def compare_section(rows: Sequence[tuple[Any, Any]]) -> Section:
    """Plans side by side: the mean progress of each plan."""
    bars = [
        (f"{plan.display_title} ({plan.territory.display_name})", headline.progress)
        for plan, headline in rows
    ]
    return Section(
        "compare",
        _("Progress of each plan"),
        _(
            "Bar chart of the mean progress of each plan's actions; "
            "the table that follows gives the same figures."
        ),
        progress_bars(bars, _("Mean progress of the actions")),
        rows,
        kind="compare",
    )
