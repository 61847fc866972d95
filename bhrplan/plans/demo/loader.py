"""Load the sample territories, organisations and plans described in `demo_plan.yaml`.

Everything is written through the services of each app, so the demo exercises the same
rules as real data (dates inside the plan period, targets consistent with direction,
published versions frozen). The plans, organisations and the territories the loader
creates are flagged `is_sample`. Loading is idempotent: when the main demo plan exists,
nothing is written again.

Demo accounts are for local development only; callers create them only when DEBUG is on.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from bhrplan.accounts.models import Role, User
from bhrplan.core import audit
from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action, Indicator, Objective, Plan, PlanVersion
from bhrplan.plans.selectors import version_draft
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Organization, Territory

DEMO_FILE = Path(__file__).resolve().parent / "demo_plan.yaml"

# Development-only password of the demo accounts, documented in docs/demo-data.md.
DEMO_PASSWORD = "bhrplan-demo-2025"  # noqa: S105


@dataclass
class DemoResult:
    created: bool
    plans: list[Plan]
    accounts: list[str] = field(default_factory=list)
    sample_territories: list[str] = field(default_factory=list)
    sample_organizations: int = 0


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def demo_plan_find(data: dict[str, Any] | None = None) -> Plan | None:
    """The main demo plan if it has been loaded already."""
    spec = (data or _read(DEMO_FILE))["plans"][0]
    return Plan.objects.filter(
        territory__code=spec["territory"], title=spec["title"], is_sample=True
    ).first()


def demo_load(
    *, actor: Any = None, with_accounts: bool = False, path: Path = DEMO_FILE
) -> DemoResult:
    """Load the demo once; with `with_accounts`, also make sure the demo accounts exist."""
    data = _read(path)
    existing = demo_plan_find(data)
    if existing is not None:
        plans = [existing]
        created = False
    else:
        plans = _load_all(data, actor)
        created = True
    accounts = _ensure_accounts(data, plans[0], actor) if with_accounts else []
    return DemoResult(
        created=created,
        plans=plans,
        accounts=accounts,
        sample_territories=list(
            Territory.objects.filter(is_sample=True).values_list("code", flat=True)
        ),
        sample_organizations=Organization.objects.filter(is_sample=True).count(),
    )


@transaction.atomic
def _load_all(data: dict[str, Any], actor: Any) -> list[Plan]:
    before = set(Territory.objects.values_list("pk", flat=True))
    territories = {
        code: territory_services.territory_get_or_create_from_iso(code=code, actor=actor)
        for code in data["territories"]
    }
    for territory in Territory.objects.exclude(pk__in=before):
        territory_services.territory_update(territory=territory, actor=actor, is_sample=True)
    net = data["network"]
    territory_services.network_create(
        name=net["name"],
        name_en=net.get("name_en", ""),
        description=net.get("description", ""),
        territories=[territories[code] for code in net["territories"]],
        actor=actor,
    )
    orgs = _load_organizations(data["organizations"], territories, actor)
    catalogs = _Catalogs()
    plans = [_load_plan(spec, territories, orgs, catalogs, actor) for spec in data["plans"]]
    audit.record(
        actor=actor,
        verb="demo.loaded",
        obj=plans[0],
        summary="Sample data loaded",
        data={"plans": [p.pk for p in plans]},
    )
    return plans


def _load_organizations(
    spec: dict[str, list[dict[str, Any]]], territories: dict[str, Territory], actor: Any
) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for code, rows in spec.items():
        territory = territories[code]
        for row in rows:
            org = territory_services.organization_find(territory=territory, name=row["name"])
            if org is None:
                org = territory_services.organization_create(
                    territory=territory,
                    name=row["name"],
                    name_en=row.get("name_en", ""),
                    acronym=row.get("acronym", ""),
                    stakeholder_group=row["group"],
                    sectors=list(Theme.objects.filter(slug__in=row.get("sectors", []))),
                    is_sample=True,
                    actor=actor,
                )
            orgs[row["key"]] = org
    return orgs


class _Catalogs:
    """Catalog rows by the short references the data file uses."""

    def __init__(self) -> None:
        self.provisions = {p.code: p for p in Provision.objects.all()}
        self.themes = {t.slug: t for t in Theme.objects.all()}
        self.approaches = {a.slug: a for a in Approach.objects.all()}

    def provisions_for(self, ungp: list[int], sdg: list[str]) -> list[Provision]:
        codes = [f"UNGP-{n}" for n in ungp] + [f"SDG-{n}" for n in sdg]
        missing = [c for c in codes if c not in self.provisions]
        if missing:
            raise ValueError(f"Unknown provisions in the demo data: {missing}. Load the catalogs.")
        return [self.provisions[c] for c in codes]


def _load_plan(
    spec: dict[str, Any],
    territories: dict[str, Territory],
    orgs: dict[str, Organization],
    catalogs: _Catalogs,
    actor: Any,
) -> Plan:
    plan = plan_services.plan_create(
        territory=territories[spec["territory"]],
        title=spec["title"],
        title_en=spec.get("title_en", ""),
        description=spec.get("description", ""),
        description_en=spec.get("description_en", ""),
        start_date=spec["start_date"],
        end_date=spec["end_date"],
        status=spec.get("status", Plan.Status.DRAFTING),
        legal_instrument=spec.get("legal_instrument", ""),
        currency=spec.get("currency", "USD"),
        is_sample=True,
        actor=actor,
    )
    for g_spec in spec["guidelines"]:
        guideline = plan_services.guideline_create(
            plan=plan, title=g_spec["title"], title_en=g_spec.get("title_en", ""), actor=actor
        )
        for o_spec in g_spec["objectives"]:
            objective = plan_services.objective_create(
                guideline=guideline,
                title=o_spec["title"],
                title_en=o_spec.get("title_en", ""),
                actor=actor,
            )
            for a_spec in o_spec["actions"]:
                _create_action(objective, a_spec, orgs, catalogs, actor)
    for revision in spec.get("revisions", []):
        _apply_revision(plan, revision, orgs, catalogs, actor)
    return plan


def _create_action(
    objective: Objective,
    spec: dict[str, Any],
    orgs: dict[str, Organization],
    catalogs: _Catalogs,
    actor: Any,
) -> Action:
    action = plan_services.action_create(
        objective=objective,
        title=spec["title"],
        title_en=spec.get("title_en", ""),
        code=str(spec.get("code", "")),
        kind=spec["kind"],
        lead=orgs[spec["lead"]],
        co_responsible=[orgs[key] for key in spec.get("co", [])],
        provisions=catalogs.provisions_for(spec.get("ungp", []), spec.get("sdg", [])),
        themes=[catalogs.themes[slug] for slug in spec.get("themes", [])],
        approaches=[catalogs.approaches[slug] for slug in spec.get("approaches", [])],
        start_date=spec.get("start"),
        end_date=spec.get("end"),
        budget=_decimal(spec.get("budget")),
        actor=actor,
    )
    for i_spec in spec.get("indicators", []):
        base_value, base_year = i_spec.get("base", [None, None])
        target_value, target_year = i_spec.get("target", [None, None])
        plan_services.indicator_create(
            action=action,
            name=i_spec["name"],
            name_en=i_spec.get("name_en", ""),
            unit=i_spec["unit"],
            direction=i_spec["dir"],
            baseline_value=_decimal(base_value),
            baseline_year=base_year,
            target_value=_decimal(target_value),
            target_year=target_year,
            data_source=i_spec.get("source", ""),
            actor=actor,
        )
    return action


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _draft_action(draft: PlanVersion, code: str) -> Action:
    return Action.objects.get(objective__guideline__version=draft, code=code)


def _apply_revision(
    plan: Plan,
    revision: dict[str, Any],
    orgs: dict[str, Organization],
    catalogs: _Catalogs,
    actor: Any,
) -> None:
    """Edit the plan's draft as a coordinator would, then publish it or leave it as a draft."""
    draft = plan_services.draft_for_edit(plan=plan, actor=actor)
    for code in revision.get("remove", []):
        plan_services.node_delete(node=_draft_action(draft, str(code)), actor=actor)
    for change in revision.get("update_actions", []):
        action = _draft_action(draft, str(change["code"]))
        fields: dict[str, Any] = dict(change.get("fields", {}))
        if "budget" in fields:
            fields["budget"] = _decimal(fields["budget"])
        if "co" in change:
            fields["co_responsible"] = [orgs[key] for key in change["co"]]
        if "ungp" in change or "sdg" in change:
            current = list(action.provisions.select_related("framework"))
            ungp = change.get("ungp", [p.number for p in current if p.framework.code == "ungp"])
            sdg = change.get("sdg", [p.number for p in current if p.framework.code == "sdg"])
            fields["provisions"] = catalogs.provisions_for(ungp, sdg)
        plan_services.action_update(action=action, actor=actor, **fields)
    for change in revision.get("update_indicators", []):
        action = _draft_action(draft, str(change["action"]))
        indicator = Indicator.objects.filter(action=action).order_by("position", "id")[
            change["position"]
        ]
        values = {
            k: _decimal(v) if k.endswith("_value") else v for k, v in change["fields"].items()
        }
        plan_services.indicator_update(indicator=indicator, actor=actor, **values)
    for spec in revision.get("add_actions", []):
        objective = Objective.objects.get(guideline__version=draft, code=str(spec["objective"]))
        _create_action(
            objective, {k: v for k, v in spec.items() if k != "objective"}, orgs, catalogs, actor
        )
    if revision.get("publish"):
        plan_services.plan_publish(plan=plan, actor=actor, note=revision.get("note", ""))


def _ensure_accounts(data: dict[str, Any], plan: Plan, actor: Any) -> list[str]:
    """Create the demo accounts and their roles that do not exist yet; return what was made."""
    created: list[str] = []
    org_names = {row["key"]: row["name"] for row in data["organizations"][plan.territory.code]}
    for spec in data["accounts"]:
        email, kind, scope, org_key = spec["email"], spec["role"], spec["scope"], spec.get("org")
        with transaction.atomic():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=spec["full_name"])
                created.append(email)
            organization = (
                territory_services.organization_find(
                    territory=plan.territory, name=org_names[org_key]
                )
                if org_key
                else None
            )
            role = Role(
                user=user,
                kind=kind,
                territory=plan.territory if scope == "territory" else None,
                plan=plan if scope == "plan" else None,
                organization=organization,
            )
            exists = Role.objects.filter(
                user=user,
                kind=kind,
                territory=role.territory,
                plan=role.plan,
                organization=organization,
            ).exists()
            if not exists:
                role.full_clean()
                role.save()
                audit.record(actor=actor, verb="role.granted", obj=role, summary=str(role)[:200])
    return created


def demo_summary(plan: Plan) -> dict[str, Any]:
    """Figures for the command's report: versions and the size of the latest one."""
    versions = list(plan.versions.order_by("number"))
    latest = next(
        (v for v in reversed(versions) if v.status == PlanVersion.Status.PUBLISHED), versions[-1]
    )
    actions = Action.objects.filter(objective__guideline__version=latest)
    return {
        "versions": [(v.number, v.get_status_display()) for v in versions],
        "guidelines": latest.guidelines.count(),
        "actions": actions.count(),
        "indicators": Indicator.objects.filter(action__in=actions).count(),
        "draft": version_draft(plan) is not None,
    }
