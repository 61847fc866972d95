"""Differences between two versions of a plan, element by element.

Elements are matched by `uid`, which survives every copy of the tree, so a renamed or
renumbered action is "changed", not "removed and added". Both trees are loaded with
`version_tree`, so a comparison costs a fixed number of queries whatever the plan's size.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bhrplan.plans.models import Action, Guideline, Indicator, Objective, PlanVersion
from bhrplan.plans.selectors import version_tree

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass
class FieldChange:
    label: str | Promise
    old: str
    new: str


@dataclass
class NodeChange:
    """One element added, removed or changed; `node` is the newer copy when there is one."""

    kind: str
    status: str
    node: Any
    fields: list[FieldChange] = field(default_factory=list)
    indicators: list["NodeChange"] = field(default_factory=list)

    @property
    def code(self) -> str:
        return getattr(self.node, "code", "")

    @property
    def title(self) -> str:
        if isinstance(self.node, Indicator):
            return self.node.display_name
        return self.node.display_title


@dataclass
class VersionDiff:
    old: PlanVersion
    new: PlanVersion
    guidelines: list[NodeChange]
    objectives: list[NodeChange]
    actions: list[NodeChange]

    @property
    def is_empty(self) -> bool:
        return not (self.guidelines or self.objectives or self.actions)

    @property
    def sections(self) -> list[tuple[str | Promise, list[NodeChange]]]:
        return [
            (_("Strategic guidelines"), self.guidelines),
            (_("Objectives"), self.objectives),
            (_("Actions"), self.actions),
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        """{"actions": {"added": 2, "removed": 0, "changed": 1}, ...}"""
        out: dict[str, dict[str, int]] = {}
        for name in ("guidelines", "objectives", "actions"):
            changes: list[NodeChange] = getattr(self, name)
            out[name] = {s: sum(1 for c in changes if c.status == s) for s in STATUSES}
        return out


STATUSES = (ADDED, REMOVED, CHANGED)


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    return str(value)


def _date(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _number(value: Any) -> str:
    return "" if value is None else number_format(value.normalize(), force_grouping=True)


def _names(items: Iterable[Any], label: Callable[[Any], str]) -> str:
    return "; ".join(sorted(label(i) for i in items))


NODE_FIELDS: list[tuple[str | Promise, Callable[[Any], str]]] = [
    (_("code"), lambda n: n.code),
    (_("title"), lambda n: n.title),
    (_("title (English)"), lambda n: n.title_en),
    (_("description"), lambda n: n.description),
    (_("description (English)"), lambda n: n.description_en),
]
ACTION_FIELDS: list[tuple[str | Promise, Callable[[Any], str]]] = [
    *NODE_FIELDS,
    (_("kind of action"), lambda a: str(a.get_kind_display())),
    (_("lead entity"), lambda a: a.lead.display_name if a.lead else ""),
    (
        _("co-responsible entities"),
        lambda a: _names(a.co_responsible.all(), lambda o: o.display_name),
    ),
    (_("UNGP principles"), lambda a: _provisions(a, "ungp")),
    (_("SDG targets"), lambda a: _provisions(a, "sdg")),
    (_("themes"), lambda a: _names(a.themes.all(), lambda t: t.label)),
    (_("population approaches"), lambda a: _names(a.approaches.all(), lambda t: t.label)),
    (_("start date"), lambda a: _date(a.start_date)),
    (_("end date"), lambda a: _date(a.end_date)),
    (_("budget"), lambda a: _number(a.budget)),
    (_("procurement screenings cited"), lambda a: _names(a.screenings.all(), lambda s: s.label)),
]
INDICATOR_FIELDS: list[tuple[str | Promise, Callable[[Any], str]]] = [
    (_("indicator"), lambda i: i.name),
    (_("indicator (English)"), lambda i: i.name_en),
    (_("unit of measure"), lambda i: i.unit),
    (_("direction"), lambda i: str(i.get_direction_display())),
    (_("baseline value"), lambda i: _number(i.baseline_value)),
    (_("baseline year"), lambda i: _text(i.baseline_year)),
    (_("target value"), lambda i: _number(i.target_value)),
    (_("target year"), lambda i: _text(i.target_year)),
    (_("data source"), lambda i: i.data_source),
    (_("figure from a procurement screening"), lambda i: _screening_use(i)),
]


def _screening_use(indicator: Indicator) -> str:
    if not indicator.screening_id:
        return ""
    assert indicator.screening is not None
    return _("%(screening)s: %(figure)s (%(use)s)") % {
        "screening": indicator.screening.label,
        "figure": indicator.get_screening_metric_display(),
        "use": indicator.get_screening_role_display(),
    }


def _provisions(action: Action, framework: str) -> str:
    """Labels in catalog order, so `UNGP 6` comes before `UNGP 10`."""
    chosen = sorted(
        (p for p in action.provisions.all() if p.framework.code == framework),
        key=lambda p: p.sort_key,
    )
    return "; ".join(str(p.label) for p in chosen)


def _parent_text(parent: Guideline | Objective) -> str:
    return f"{parent.code} {parent.display_title}"


def _field_changes(
    old: Any, new: Any, fields: list[tuple[str | Promise, Callable[[Any], str]]]
) -> list[FieldChange]:
    changes = []
    for label, getter in fields:
        before, after = getter(old), getter(new)
        if before != after:
            changes.append(FieldChange(label=label, old=before, new=after))
    return changes


def _compare(
    kind: str,
    old_nodes: dict[Any, Any],
    new_nodes: dict[Any, Any],
    fields: list[tuple[str | Promise, Callable[[Any], str]]],
    parent: tuple[str | Promise, Callable[[Any], Any]] | None = None,
    children: Callable[[Any, Any], list[NodeChange]] | None = None,
) -> list[NodeChange]:
    """Changes in the order of the new tree, removed elements after."""
    result: list[NodeChange] = []
    for uid, new in new_nodes.items():
        old = old_nodes.get(uid)
        if old is None:
            kids = children(None, new) if children else []
            result.append(NodeChange(kind, ADDED, new, indicators=kids))
            continue
        changes = _field_changes(old, new, fields)
        if parent is not None:
            label, get_parent = parent
            old_parent, new_parent = get_parent(old), get_parent(new)
            if old_parent.uid != new_parent.uid:
                changes.append(
                    FieldChange(label, _parent_text(old_parent), _parent_text(new_parent))
                )
        kids = children(old, new) if children else []
        if changes or kids:
            result.append(NodeChange(kind, CHANGED, new, fields=changes, indicators=kids))
    for uid, old in old_nodes.items():
        if uid not in new_nodes:
            kids = children(old, None) if children else []
            result.append(NodeChange(kind, REMOVED, old, indicators=kids))
    return result


def _indicator_changes(old: Action | None, new: Action | None) -> list[NodeChange]:
    old_map = {i.uid: i for i in old.indicators.all()} if old else {}
    new_map = {i.uid: i for i in new.indicators.all()} if new else {}
    return _compare("indicator", old_map, new_map, INDICATOR_FIELDS)


def _flatten(tree: list[Guideline]) -> tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
    guidelines, objectives, actions = {}, {}, {}
    for guideline in tree:
        guidelines[guideline.uid] = guideline
        for objective in guideline.objectives.all():
            objective.parent_node = guideline  # type: ignore[attr-defined]
            objectives[objective.uid] = objective
            for action in objective.actions.all():
                action.parent_node = objective  # type: ignore[attr-defined]
                actions[action.uid] = action
    return guidelines, objectives, actions


def version_diff(old: PlanVersion, new: PlanVersion) -> VersionDiff:
    """What changed from `old` to `new`: elements added, removed and changed, field by field."""
    old_g, old_o, old_a = _flatten(version_tree(old))
    new_g, new_o, new_a = _flatten(version_tree(new))
    return VersionDiff(
        old=old,
        new=new,
        guidelines=_compare("guideline", old_g, new_g, NODE_FIELDS),
        objectives=_compare(
            "objective",
            old_o,
            new_o,
            NODE_FIELDS,
            parent=(_("strategic guideline"), lambda o: o.parent_node),
        ),
        actions=_compare(
            "action",
            old_a,
            new_a,
            ACTION_FIELDS,
            parent=(_("objective"), lambda a: a.parent_node),
            children=_indicator_changes,
        ),
    )
