"""Writes to plans and their trees. Every function is atomic and leaves one audit event.

Only a draft version can change. `draft_for_edit` returns the plan's draft, starting
one from the latest published version when there is none.
"""

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bhrplan.core import audit
from bhrplan.plans.models import (
    Action,
    Guideline,
    Indicator,
    Objective,
    Plan,
    PlanVersion,
)
from bhrplan.plans.selectors import version_draft, version_latest_published

Node = TypeVar("Node", Guideline, Objective, Action, Indicator)

PLAN_FIELDS = {
    "title",
    "title_en",
    "description",
    "description_en",
    "start_date",
    "end_date",
    "status",
    "legal_instrument",
    "currency",
    "is_sample",
}
NODE_FIELDS = {"code", "title", "title_en", "description", "description_en"}
ACTION_FIELDS = NODE_FIELDS | {"kind", "lead", "start_date", "end_date", "budget"}
ACTION_M2M = {"co_responsible", "provisions", "themes", "approaches", "screenings"}
INDICATOR_FIELDS = {
    "name",
    "name_en",
    "unit",
    "direction",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "data_source",
    "periodicity",
    "disaggregations",
    "screening",
    "screening_metric",
    "screening_role",
}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _version_of(node: Guideline | Objective | Action | Indicator) -> PlanVersion:
    if isinstance(node, Guideline):
        return node.version
    if isinstance(node, Objective):
        return node.guideline.version
    if isinstance(node, Action):
        return node.objective.guideline.version
    return node.action.objective.guideline.version


def _ensure_draft(node: Guideline | Objective | Action | Indicator) -> PlanVersion:
    version = _version_of(node)
    if version.status != PlanVersion.Status.DRAFT:
        raise ValidationError(_("A published version cannot be changed. Edit the draft instead."))
    return version


# Plans ------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, territory: Any, title: str, start_date: date, end_date: date, actor: Any, **fields: Any
) -> Plan:
    _check_fields(fields, PLAN_FIELDS)
    plan = Plan(
        territory=territory, title=title, start_date=start_date, end_date=end_date, **_strip(fields)
    )
    plan.title = plan.title.strip()
    plan.full_clean()
    plan.save()
    PlanVersion.objects.create(plan=plan, number=1)
    audit.record(actor=actor, verb="plan.created", obj=plan, summary=plan.title)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor: Any, **fields: Any) -> Plan:
    _check_fields(fields, PLAN_FIELDS)
    changed = [k for k, v in _strip(fields).items() if getattr(plan, k) != v]
    for key in changed:
        setattr(plan, key, _strip(fields)[key])
    plan.full_clean()
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor, verb="plan.updated", obj=plan, summary=plan.title, data={"fields": changed}
        )
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, actor: Any) -> None:
    if version_latest_published(plan) is not None:
        raise ValidationError(_("A plan with published versions cannot be deleted."))
    audit.record(actor=actor, verb="plan.deleted", obj=plan, summary=plan.title)
    plan.delete()


# Versions ---------------------------------------------------------------------------


@transaction.atomic
def draft_for_edit(*, plan: Plan, actor: Any) -> PlanVersion:
    """The plan's draft; if the last version is published, a new draft copied from it."""
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    draft = version_draft(plan)
    if draft is not None:
        return draft
    base = version_latest_published(plan)
    number = (base.number + 1) if base else 1
    draft = PlanVersion.objects.create(plan=plan, number=number, based_on=base)
    if base is not None:
        _copy_tree(base, draft)
    audit.record(actor=actor, verb="version.draft_started", obj=draft, summary=str(draft))
    return draft


def _copy_fields(obj: models.Model, exclude: set[str]) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in exclude and not f.primary_key
    }


def _copy_tree(source: PlanVersion, target: PlanVersion) -> None:
    """Copy every element of `source` into `target`, keeping uids, in bulk."""
    now = timezone.now()
    guidelines = list(Guideline.objects.filter(version=source).order_by("id"))
    new_guidelines = Guideline.objects.bulk_create(
        [
            Guideline(
                **{**_copy_fields(g, {"version_id", "created_at"}), "created_at": now},
                version=target,
            )
            for g in guidelines
        ]
    )
    g_map = {old.pk: new for old, new in zip(guidelines, new_guidelines, strict=True)}
    objectives = list(Objective.objects.filter(guideline__version=source).order_by("id"))
    new_objectives = Objective.objects.bulk_create(
        [
            Objective(
                **{**_copy_fields(o, {"guideline_id", "created_at"}), "created_at": now},
                guideline=g_map[o.guideline_id],
            )
            for o in objectives
        ]
    )
    o_map = {old.pk: new for old, new in zip(objectives, new_objectives, strict=True)}
    actions = list(Action.objects.filter(objective__guideline__version=source).order_by("id"))
    new_actions = Action.objects.bulk_create(
        [
            Action(
                **{**_copy_fields(a, {"objective_id", "created_at"}), "created_at": now},
                objective=o_map[a.objective_id],
            )
            for a in actions
        ]
    )
    a_map = {old.pk: new.pk for old, new in zip(actions, new_actions, strict=True)}
    for field in ACTION_M2M:
        through = getattr(Action, field).through
        column = getattr(Action, field).field.m2m_reverse_field_name()
        rows = through.objects.filter(action_id__in=a_map.keys()).values_list(
            "action_id", f"{column}_id"
        )
        through.objects.bulk_create(
            [through(action_id=a_map[a], **{f"{column}_id": other}) for a, other in rows],
            batch_size=2000,
        )
    indicators = list(Indicator.objects.filter(action_id__in=a_map.keys()).order_by("id"))
    Indicator.objects.bulk_create(
        [
            Indicator(
                **{**_copy_fields(i, {"action_id", "created_at"}), "created_at": now},
                action_id=a_map[i.action_id],
            )
            for i in indicators
        ],
        batch_size=2000,
    )


@transaction.atomic
def plan_publish(*, plan: Plan, actor: Any, note: str = "") -> PlanVersion:
    """Freeze the draft as a published version. It can never change again."""
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    draft = version_draft(plan)
    if draft is None:
        raise ValidationError(
            _("There is no draft to publish: nothing has changed since the last version.")
        )
    if not Action.objects.filter(objective__guideline__version=draft).exists():
        raise ValidationError(_("A plan needs at least one action before it can be published."))
    draft.status = PlanVersion.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = actor if getattr(actor, "is_authenticated", False) else None
    draft.note = note.strip()
    draft.save(update_fields=["status", "published_at", "published_by", "note", "updated_at"])
    audit.record(
        actor=actor, verb="version.published", obj=draft, summary=str(draft), data={"note": note}
    )
    return draft


@transaction.atomic
def draft_discard(*, plan: Plan, actor: Any) -> None:
    """Throw away unpublished changes; the published versions stay."""
    draft = version_draft(plan)
    if draft is None:
        return
    if draft.number == 1:
        raise ValidationError(
            _("The first draft of a plan cannot be discarded; delete its elements instead.")
        )
    audit.record(actor=actor, verb="version.draft_discarded", obj=draft, summary=str(draft))
    draft.delete()


# Tree elements ------------------------------------------------------------------------


def _next_position(qs: models.QuerySet[Any]) -> int:
    top = qs.aggregate(m=models.Max("position"))["m"]
    return 0 if top is None else top + 1


def _child_code(prefix: str, count: int) -> str:
    return f"{prefix}.{count + 1}" if prefix else str(count + 1)


def _save_new(node: Node, actor: Any, verb: str) -> Node:
    node.full_clean()
    node.save()
    audit.record(actor=actor, verb=verb, obj=node, summary=str(node)[:200])
    return node


def _save_changes(node: Node, fields: dict[str, Any], actor: Any, verb: str) -> list[str]:
    changed: list[str] = [k for k, v in fields.items() if getattr(node, k) != v]
    for key in changed:
        setattr(node, key, fields[key])
    node.full_clean()
    if changed:
        node.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor, verb=verb, obj=node, summary=str(node)[:200], data={"fields": changed}
        )
    return changed


@transaction.atomic
def guideline_create(*, plan: Plan, actor: Any, title: str, **fields: Any) -> Guideline:
    _check_fields(fields, NODE_FIELDS)
    version = draft_for_edit(plan=plan, actor=actor)
    siblings = Guideline.objects.filter(version=version)
    fields = _strip(fields)
    if not fields.get("code"):
        fields["code"] = _child_code("", siblings.count())
    node = Guideline(
        version=version, title=title.strip(), position=_next_position(siblings), **fields
    )
    return _save_new(node, actor, "guideline.created")


@transaction.atomic
def guideline_update(*, guideline: Guideline, actor: Any, **fields: Any) -> Guideline:
    _check_fields(fields, NODE_FIELDS)
    _ensure_draft(guideline)
    _save_changes(guideline, _strip(fields), actor, "guideline.updated")
    return guideline


@transaction.atomic
def objective_create(*, guideline: Guideline, actor: Any, title: str, **fields: Any) -> Objective:
    _check_fields(fields, NODE_FIELDS)
    _ensure_draft(guideline)
    siblings = Objective.objects.filter(guideline=guideline)
    fields = _strip(fields)
    if not fields.get("code"):
        fields["code"] = _child_code(guideline.code, siblings.count())
    node = Objective(
        guideline=guideline, title=title.strip(), position=_next_position(siblings), **fields
    )
    return _save_new(node, actor, "objective.created")


@transaction.atomic
def objective_update(*, objective: Objective, actor: Any, **fields: Any) -> Objective:
    _check_fields(fields, NODE_FIELDS | {"guideline"})
    _ensure_draft(objective)
    if "guideline" in fields and fields["guideline"].version_id != objective.guideline.version_id:
        raise ValidationError({"guideline": _("Choose a guideline of the same version.")})
    _save_changes(objective, _strip(fields), actor, "objective.updated")
    return objective


def _set_action_m2m(action: Action, m2m: dict[str, Any]) -> None:
    for key, values in m2m.items():
        getattr(action, key).set(values)


def _validate_action_links(action: Action, m2m: dict[str, Any]) -> None:
    from bhrplan.territories.models import Organization

    co = m2m.get("co_responsible")
    if co is not None and action.lead_id is not None and any(o.pk == action.lead_id for o in co):
        raise ValidationError(
            {"co_responsible": _("The lead entity cannot also be a co-responsible entity.")}
        )
    if action.lead is not None and not isinstance(action.lead, Organization):
        raise ValidationError({"lead": _("Choose an organisation.")})


def _screenings_to_cite(action: Action, m2m: dict[str, Any], actor: Any) -> None:
    """Check the screenings chosen for `action` and keep the ones the actor cannot see.

    One may cite only finished screenings of the plan's territory or its parents that one
    may see (procurement.selectors.screenings_citable). Citations by another coordinator
    that the actor may not see stay as they are: nobody removes what they cannot see.
    Replaces m2m["screenings"] with the full list to store.
    """
    if "screenings" not in m2m:
        return
    from bhrplan.procurement.selectors import screenings_citable

    plan = action.objective.guideline.version.plan
    citable = set(screenings_citable(plan.territory, actor).values_list("pk", flat=True))
    chosen = list(m2m["screenings"])
    if any(s.pk not in citable for s in chosen):
        raise ValidationError(
            {
                "screenings": _(
                    "Cite only finished screenings of the plan's territory or its parent "
                    "territories that you may see."
                )
            }
        )
    if action.pk is not None:
        chosen += [s for s in action.screenings.all() if s.pk not in citable]
        kept = {s.pk for s in chosen}
        for indicator in action.indicators.exclude(screening=None).select_related("screening"):
            if indicator.screening_id not in kept:
                raise ValidationError(
                    {
                        "screenings": _(
                            "Indicator “%(indicator)s” takes its figure from this screening: "
                            "change the indicator first."
                        )
                        % {"indicator": indicator.display_name}
                    }
                )
    m2m["screenings"] = chosen


@transaction.atomic
def action_create(*, objective: Objective, actor: Any, title: str, **fields: Any) -> Action:
    _check_fields(fields, ACTION_FIELDS | ACTION_M2M)
    _ensure_draft(objective)
    m2m = {k: fields.pop(k) for k in list(fields) if k in ACTION_M2M}
    siblings = Action.objects.filter(objective=objective)
    fields = _strip(fields)
    if not fields.get("code"):
        fields["code"] = _child_code(objective.code, siblings.count())
    action = Action(
        objective=objective, title=title.strip(), position=_next_position(siblings), **fields
    )
    _validate_action_links(action, m2m)
    _screenings_to_cite(action, m2m, actor)
    _save_new(action, actor, "action.created")
    _set_action_m2m(action, m2m)
    return action


@transaction.atomic
def action_update(*, action: Action, actor: Any, **fields: Any) -> Action:
    _check_fields(fields, ACTION_FIELDS | ACTION_M2M | {"objective"})
    _ensure_draft(action)
    m2m = {k: fields.pop(k) for k in list(fields) if k in ACTION_M2M}
    if "objective" in fields and (
        fields["objective"].guideline.version_id != action.objective.guideline.version_id
    ):
        raise ValidationError({"objective": _("Choose an objective of the same version.")})
    fields = _strip(fields)
    changed = [k for k, v in fields.items() if getattr(action, k) != v]
    for key in changed:
        setattr(action, key, fields[key])
    _validate_action_links(action, m2m)
    _screenings_to_cite(action, m2m, actor)
    action.full_clean()
    m2m_changed = [
        k
        for k, values in m2m.items()
        if {o.pk for o in getattr(action, k).all()} != {o.pk for o in values}
    ]
    if changed:
        action.save(update_fields=[*changed, "updated_at"])
    _set_action_m2m(action, {k: m2m[k] for k in m2m_changed})
    if changed or m2m_changed:
        audit.record(
            actor=actor,
            verb="action.updated",
            obj=action,
            summary=str(action)[:200],
            data={"fields": changed + m2m_changed},
        )
    return action


@transaction.atomic
def indicator_create(
    *, action: Action, actor: Any, name: str, unit: str, **fields: Any
) -> Indicator:
    _check_fields(fields, INDICATOR_FIELDS)
    _ensure_draft(action)
    siblings = Indicator.objects.filter(action=action)
    node = Indicator(
        action=action,
        name=name.strip(),
        unit=unit.strip(),
        position=_next_position(siblings),
        **_strip(fields),
    )
    return _save_new(node, actor, "indicator.created")


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor: Any, **fields: Any) -> Indicator:
    _check_fields(fields, INDICATOR_FIELDS)
    _ensure_draft(indicator)
    _save_changes(indicator, _strip(fields), actor, "indicator.updated")
    return indicator


@transaction.atomic
def node_delete(*, node: Guideline | Objective | Action | Indicator, actor: Any) -> None:
    """Delete an element of a draft and everything under it."""
    _ensure_draft(node)
    audit.record(
        actor=actor,
        verb=f"{node._meta.model_name}.deleted",
        obj=node,
        summary=str(node)[:200],
    )
    node.delete()


def _siblings(node: Guideline | Objective | Action | Indicator) -> models.QuerySet[Any]:
    if isinstance(node, Guideline):
        return Guideline.objects.filter(version_id=node.version_id)
    if isinstance(node, Objective):
        return Objective.objects.filter(guideline_id=node.guideline_id)
    if isinstance(node, Action):
        return Action.objects.filter(objective_id=node.objective_id)
    return Indicator.objects.filter(action_id=node.action_id)


@transaction.atomic
def node_move(
    *, node: Guideline | Objective | Action | Indicator, direction: str, actor: Any
) -> None:
    """Move an element one place up or down among its siblings."""
    if direction not in {"up", "down"}:
        raise ValidationError(_("Choose up or down."))
    _ensure_draft(node)
    ordered = list(_siblings(node).order_by("position", "id"))
    index = next(i for i, n in enumerate(ordered) if n.pk == node.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position", "updated_at"])
    audit.record(
        actor=actor, verb=f"{node._meta.model_name}.moved", obj=node, data={"direction": direction}
    )


@transaction.atomic
def version_renumber(*, plan: Plan, actor: Any) -> PlanVersion:
    """Rewrite the draft's codes from the order of its elements: 1, 1.1, 1.1.1."""
    version = draft_for_edit(plan=plan, actor=actor)
    for g_index, guideline in enumerate(
        Guideline.objects.filter(version=version).order_by("position", "id")
    ):
        guideline.code = str(g_index + 1)
        guideline.save(update_fields=["code", "updated_at"])
        for o_index, objective in enumerate(guideline.objectives.order_by("position", "id")):
            objective.code = f"{guideline.code}.{o_index + 1}"
            objective.save(update_fields=["code", "updated_at"])
            for a_index, action in enumerate(objective.actions.order_by("position", "id")):
                action.code = f"{objective.code}.{a_index + 1}"
                action.save(update_fields=["code", "updated_at"])
    audit.record(actor=actor, verb="version.renumbered", obj=version)
    return version


# Editing through stable uids ------------------------------------------------------------
#
# The editor addresses elements by `uid`, which is the same in every version of a plan.
# These services start the draft when the latest version is published, find the
# element's copy in the draft and change it, all in one transaction: if the change is
# refused, no draft is left behind.

NODE_MODELS: dict[str, type[Guideline] | type[Objective] | type[Action] | type[Indicator]] = {
    "guideline": Guideline,
    "objective": Objective,
    "action": Action,
    "indicator": Indicator,
}
PARENT_KIND = {"objective": "guideline", "action": "objective", "indicator": "action"}


def node_in_version(version: PlanVersion, kind: str, uid: Any) -> Any:
    """The element of `version` with this uid, or a ValidationError if it is not there."""
    from bhrplan.plans.selectors import version_nodes

    node = version_nodes(version, kind).filter(uid=uid).first()
    if node is None:
        raise ValidationError(_("This element is not part of the plan any more."))
    return node


def _map_parent(version: PlanVersion, fields: dict[str, Any], key: str) -> dict[str, Any]:
    """Replace a parent given by uid (`<key>_uid`) with its copy in `version`."""
    uid_key = f"{key}_uid"
    if uid_key in fields:
        parent_uid = fields.pop(uid_key)
        if parent_uid:
            fields[key] = node_in_version(version, key, parent_uid)
    return fields


@transaction.atomic
def node_create_in_draft(
    *, plan: Plan, node_type: str, parent_uid: Any, actor: Any, **fields: Any
) -> Any:
    """Add an element under the parent with `parent_uid` (none for a guideline)."""
    if node_type == "guideline":
        return guideline_create(plan=plan, actor=actor, **fields)
    draft = draft_for_edit(plan=plan, actor=actor)
    parent = node_in_version(draft, PARENT_KIND[node_type], parent_uid)
    if node_type == "objective":
        return objective_create(guideline=parent, actor=actor, **fields)
    if node_type == "action":
        return action_create(objective=parent, actor=actor, **fields)
    return indicator_create(action=parent, actor=actor, **fields)


@transaction.atomic
def node_update_in_draft(*, plan: Plan, node_type: str, uid: Any, actor: Any, **fields: Any) -> Any:
    """Change the draft's copy of an element; a parent may be given as `<parent>_uid`."""
    draft = draft_for_edit(plan=plan, actor=actor)
    node = node_in_version(draft, node_type, uid)
    if node_type == "guideline":
        return guideline_update(guideline=node, actor=actor, **fields)
    if node_type == "objective":
        return objective_update(
            objective=node, actor=actor, **_map_parent(draft, fields, "guideline")
        )
    if node_type == "action":
        return action_update(action=node, actor=actor, **_map_parent(draft, fields, "objective"))
    return indicator_update(indicator=node, actor=actor, **fields)


@transaction.atomic
def node_delete_in_draft(*, plan: Plan, node_type: str, uid: Any, actor: Any) -> None:
    draft = draft_for_edit(plan=plan, actor=actor)
    node_delete(node=node_in_version(draft, node_type, uid), actor=actor)


@transaction.atomic
def node_move_in_draft(*, plan: Plan, node_type: str, uid: Any, direction: str, actor: Any) -> None:
    if direction not in {"up", "down"}:
        raise ValidationError(_("Choose up or down."))
    draft = draft_for_edit(plan=plan, actor=actor)
    node_move(node=node_in_version(draft, node_type, uid), direction=direction, actor=actor)


# Bulk ---------------------------------------------------------------------------------

_FK_EXCLUDE = ["version", "guideline", "objective", "action", "lead"]


def _clean_bulk(node: Any) -> None:
    """Field and model validation without the per-row queries of FK and uniqueness checks."""
    node.full_clean(exclude=_FK_EXCLUDE, validate_unique=False, validate_constraints=False)


@transaction.atomic
def version_tree_bulk_create(
    *, plan: Plan, guidelines: list[dict[str, Any]], actor: Any
) -> PlanVersion:
    """Append a whole tree to the plan's draft in a few queries (imports).

    `guidelines` is a list of dicts of guideline fields with "objectives", each a dict of
    objective fields with "actions" (action fields, many-to-many lists, "indicators").
    Every element is validated like the single-element services; codes left blank are
    numbered as they would be; one audit event records the whole import.
    """
    version = draft_for_edit(plan=plan, actor=actor)
    version.plan = plan
    g_siblings = Guideline.objects.filter(version=version)
    g_count, g_start = g_siblings.count(), _next_position(g_siblings)
    g_nodes: list[Guideline] = []
    o_nodes: list[tuple[Objective, list[dict[str, Any]]]] = []
    for gi, spec in enumerate(guidelines):
        fields = _strip({k: v for k, v in spec.items() if k != "objectives"})
        _check_fields(fields, NODE_FIELDS)
        fields["code"] = fields.get("code") or _child_code("", g_count + gi)
        guideline = Guideline(version=version, position=g_start + gi, **fields)
        _clean_bulk(guideline)
        g_nodes.append(guideline)
        for oi, o_spec in enumerate(spec.get("objectives", [])):
            o_fields = _strip({k: v for k, v in o_spec.items() if k != "actions"})
            _check_fields(o_fields, NODE_FIELDS)
            o_fields["code"] = o_fields.get("code") or _child_code(guideline.code, oi)
            objective = Objective(guideline=guideline, position=oi, **o_fields)
            _clean_bulk(objective)
            o_nodes.append((objective, o_spec.get("actions", [])))
    Guideline.objects.bulk_create(g_nodes)
    for objective, _actions in o_nodes:
        objective.guideline_id = objective.guideline.pk
    Objective.objects.bulk_create([o for o, _a in o_nodes], batch_size=1000)
    a_nodes: list[tuple[Action, dict[str, Any], list[dict[str, Any]]]] = []
    for objective, actions in o_nodes:
        for ai, a_spec in enumerate(actions):
            a_fields = dict(a_spec)
            indicators = a_fields.pop("indicators", [])
            m2m = {k: a_fields.pop(k) for k in list(a_fields) if k in ACTION_M2M}
            a_fields = _strip(a_fields)
            _check_fields(a_fields, ACTION_FIELDS)
            a_fields["code"] = a_fields.get("code") or _child_code(objective.code, ai)
            action = Action(objective=objective, position=ai, **a_fields)
            _validate_action_links(action, m2m)
            _screenings_to_cite(action, m2m, actor)
            _clean_bulk(action)
            a_nodes.append((action, m2m, indicators))
    Action.objects.bulk_create([a for a, _m, _i in a_nodes], batch_size=1000)
    i_nodes: list[Indicator] = []
    for action, _m2m, indicators in a_nodes:
        for ii, i_spec in enumerate(indicators):
            i_fields = _strip(dict(i_spec))
            _check_fields(i_fields, INDICATOR_FIELDS | {"name", "unit"})
            indicator = Indicator(action=action, position=ii, **i_fields)
            _clean_bulk(indicator)
            i_nodes.append(indicator)
    Indicator.objects.bulk_create(i_nodes, batch_size=1000)
    for key in ACTION_M2M:
        through = getattr(Action, key).through
        column = getattr(Action, key).field.m2m_reverse_field_name()
        through.objects.bulk_create(
            [
                through(action_id=action.pk, **{f"{column}_id": other.pk})
                for action, m2m, _i in a_nodes
                for other in m2m.get(key, [])
            ],
            batch_size=2000,
        )
    counts = {
        "guidelines": len(g_nodes),
        "objectives": len(o_nodes),
        "actions": len(a_nodes),
        "indicators": len(i_nodes),
    }
    audit.record(
        actor=actor, verb="version.imported", obj=version, summary=str(version), data=counts
    )
    return version
