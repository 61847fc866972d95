"""Server-side SVG for participation: bar charts, the influence/interest grid and the
organisation–working group–event graph.

Hand-written SVG rather than Vega-Lite: the graph is a bipartite layout Vega-Lite cannot
express, and plain SVG needs no rendering engine. Every chart carries <title> and <desc>
and is shown next to a data table with the same numbers, so it is never the only source.
"""

from collections import defaultdict
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bhrplan.participation.selectors_stakeholders import MapRow, Row

BAR_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 320


def _short(text: str, size: int = 34) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], uid: str) -> SafeString:
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-labelledby="{u}-t {u}-d" class="chart" '
        'style="max-width:{w}px" font-family="system-ui, sans-serif" font-size="13">'
        '<title id="{u}-t">{title}</title><desc id="{u}-d">{desc}</desc>',
        w=width,
        h=height,
        u=uid,
        title=title,
        desc=desc,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every part is escaped above


def bar_chart(rows: list[Row], *, title: str, uid: str) -> SafeString:
    """Horizontal bars. Suppressed values ("<5") get an outlined bar and no length cue."""
    largest = max((r.value for r in rows if r.display != "<5"), default=0) or 1
    body: list[str] = []
    for i, row in enumerate(rows):
        y = 8 + i * (BAR_HEIGHT + 6)
        body.append(
            format_html(
                '<text x="{x}" y="{ty}" text-anchor="end">{label}</text>',
                x=LABEL_WIDTH - 8,
                ty=y + 15,
                label=_short(row.label, 32),
            )
        )
        if row.display == "<5":
            body.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="12" height="{h}" fill="none" '
                    'stroke="#0b4f8a" stroke-dasharray="3 2"/>',
                    x=LABEL_WIDTH,
                    y=y,
                    h=BAR_HEIGHT,
                )
            )
            width = 12
        else:
            width = max(1, round(BAR_WIDTH * row.value / largest))
            body.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#0b4f8a"/>',
                    x=LABEL_WIDTH,
                    y=y,
                    w=width,
                    h=BAR_HEIGHT,
                )
            )
        body.append(
            format_html(
                '<text x="{x}" y="{ty}">{value}</text>',
                x=LABEL_WIDTH + width + 6,
                ty=y + 15,
                value=row.display,
            )
        )
    height = 16 + len(rows) * (BAR_HEIGHT + 6)
    desc = "; ".join(f"{r.label}: {r.display}" for r in rows) or _("No data yet.")
    return _svg(LABEL_WIDTH + BAR_WIDTH + 60, height, title, desc, body, uid)


def influence_interest_grid(rows: list[MapRow], *, uid: str = "grid") -> SafeString:
    """A 5 × 5 grid, influence up, interest right; each rated organisation is a numbered dot
    whose number matches the table beside the chart."""
    cell, left, top = 90, 70, 20
    size = cell * 5
    body: list[str] = [
        format_html(
            '<rect x="{x}" y="{y}" width="{s}" height="{s}" fill="#f3f5f8" stroke="#4a5360"/>',
            x=left,
            y=top,
            s=size,
        ),
        format_html(
            '<rect x="{x}" y="{y}" width="{w}" height="{w}" fill="#e3ecf5"/>',
            x=left + cell * 2,
            y=top,
            w=cell * 3,
        ),
    ]
    for i in range(1, 5):
        body.append(
            format_html(
                '<line x1="{a}" y1="{t}" x2="{a}" y2="{b}" stroke="#c9ced6"/>'
                '<line x1="{l}" y1="{c}" x2="{r}" y2="{c}" stroke="#c9ced6"/>',
                a=left + i * cell,
                t=top,
                b=top + size,
                l=left,
                r=left + size,
                c=top + i * cell,
            )
        )
    for i in range(5):
        body.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle">{n}</text>'
                '<text x="{lx}" y="{ly}" text-anchor="end">{n}</text>',
                x=left + i * cell + cell // 2,
                y=top + size + 18,
                n=i + 1,
                lx=left - 8,
                ly=top + size - i * cell - cell // 2 + 4,
            )
        )
    body.append(
        format_html(
            '<text x="{x}" y="{y}" text-anchor="middle" font-weight="600">{label}</text>'
            '<text transform="translate(18 {cy}) rotate(-90)" text-anchor="middle" '
            'font-weight="600">{label2}</text>',
            x=left + size // 2,
            y=top + size + 40,
            label=_("Interest"),
            cy=top + size // 2,
            label2=_("Influence"),
        )
    )
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    described: list[str] = []
    for number, row in enumerate(rows, start=1):
        if row.rating is None:
            continue
        cells[(row.rating.interest, row.rating.influence)].append(number)
        described.append(
            _("%(n)s. %(org)s: influence %(inf)s, interest %(int)s")
            % {
                "n": number,
                "org": row.organization.display_name,
                "inf": row.rating.influence,
                "int": row.rating.interest,
            }
        )
    for (interest, influence), numbers in cells.items():
        x0 = left + (interest - 1) * cell
        y0 = top + (5 - influence) * cell
        for j, number in enumerate(numbers[:12]):
            cx = x0 + 15 + (j % 4) * 20
            cy = y0 + 16 + (j // 4) * 26
            body.append(
                format_html(
                    '<circle cx="{cx}" cy="{cy}" r="10" fill="#0b4f8a"/>'
                    '<text x="{cx}" y="{ty}" text-anchor="middle" fill="#fff" '
                    'font-size="11">{n}</text>',
                    cx=cx,
                    cy=cy,
                    ty=cy + 4,
                    n=number,
                )
            )
        if len(numbers) > 12:
            body.append(
                format_html(
                    '<text x="{x}" y="{y}">+{more}</text>',
                    x=x0 + 4,
                    y=y0 + cell - 6,
                    more=len(numbers) - 12,
                )
            )
    desc = "; ".join(described) or _("No organisation has been rated yet.")
    return _svg(
        left + size + 20,
        top + size + 50,
        _("Influence and interest of the organisations"),
        desc,
        body,
        uid,
    )


def organization_graph(rows: list[MapRow], *, uid: str = "graph") -> SafeString:
    """Organisations on the left, working groups and events on the right, a line for each
    membership or participation."""
    right_nodes: list[tuple[str, str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for row in rows:
        for group in row.groups:
            if ("g", group.pk) not in seen:
                seen.add(("g", group.pk))
                right_nodes.append(("g", str(group), group.pk))
        for event in row.events:
            if ("e", event.pk) not in seen:
                seen.add(("e", event.pk))
                right_nodes.append(("e", str(event), event.pk))
    linked = [row for row in rows if row.groups or row.events]
    step, top = 26, 20
    left_x, right_x = 240, 520
    height = top * 2 + step * max(len(linked), len(right_nodes), 1)
    position = {(kind, pk): top + i * step for i, (kind, _label, pk) in enumerate(right_nodes)}
    body: list[str] = []
    described: list[str] = []
    for i, row in enumerate(linked):
        y = top + i * step
        for kind, items in (("g", row.groups), ("e", row.events)):
            for item in items:
                body.append(
                    format_html(
                        '<line x1="{a}" y1="{y1}" x2="{b}" y2="{y2}" stroke="#8a96a5"/>',
                        a=left_x,
                        y1=y,
                        b=right_x,
                        y2=position[(kind, item.pk)],
                    )
                )
        body.append(
            format_html(
                '<circle cx="{x}" cy="{y}" r="6" fill="#0b4f8a"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end">{label}</text>',
                x=left_x,
                y=y,
                tx=left_x - 10,
                ty=y + 4,
                label=_short(row.organization.acronym or row.organization.display_name, 30),
            )
        )
        names = [str(g) for g in row.groups] + [str(e) for e in row.events]
        described.append(f"{row.organization.display_name}: {', '.join(names)}")
    for kind, label, pk in right_nodes:
        y = position[(kind, pk)]
        shape = (
            format_html(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="#8a3b00"/>',
                x=right_x - 6,
                y=y - 6,
            )
            if kind == "g"
            else format_html('<circle cx="{x}" cy="{y}" r="6" fill="#1d6b2f"/>', x=right_x, y=y)
        )
        body.append(shape)
        body.append(
            format_html(
                '<text x="{x}" y="{y}">{label}</text>',
                x=right_x + 12,
                y=y + 4,
                label=_short(label, 40),
            )
        )
    desc = "; ".join(described) or _("No organisation is linked to a working group or event yet.")
    return _svg(
        right_x + 320,
        height,
        _("Organisations, working groups (squares) and events (circles)"),
        desc,
        body,
        uid,
    )
