"""Public reads: published versions only, each in a fixed number of queries.

Everything here starts from `plans_published()` / published `PlanVersion` rows, so a
draft (or a plan that was never published) can never reach the public site or the API.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.lib.text import normalize_key
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion
from bhrplan.plans.selectors import plans_published, version_actions
from bhrplan.procurement.models import Screening
from bhrplan.territories.models import Network, Organization, Territory

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_HITS = 50

PUBLISHED = PlanVersion.Status.PUBLISHED


# Plans, versions, territories ----------------------------------------------------------


def published_plan_get(plan_id: int) -> Plan | None:
    return plans_published().filter(pk=plan_id).first()


def published_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.filter(status=PUBLISHED).order_by("-number")


def published_version_get(plan: Plan, number: str | int | None) -> PlanVersion | None:
    """The published version `number` of the plan, or the latest when `number` is empty.

    Anything that is not a published version number (a draft's number, text) gives None.
    """
    versions = published_versions(plan)
    if number in (None, ""):
        return versions.first()
    try:
        wanted = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if wanted < 1 or wanted > 2**31:
        return None
    return versions.filter(number=wanted).first()


def versions_latest_published() -> QuerySet[PlanVersion]:
    """The latest published version of every plan, in one query."""
    newer = PlanVersion.objects.filter(
        plan=OuterRef("plan"), status=PUBLISHED, number__gt=OuterRef("number")
    )
    return (
        PlanVersion.objects.filter(status=PUBLISHED)
        .exclude(Exists(newer))
        .select_related("plan__territory")
    )


def territories_public() -> QuerySet[Territory]:
    """Territories that have at least one published plan, with those plans."""
    return (
        Territory.objects.filter(plans__in=plans_published())
        .distinct()
        .select_related("parent")
        .prefetch_related(Prefetch("plans", queryset=plans_published().order_by("-start_date")))
        .order_by("level", "code")
    )


@dataclass
class TerritoryGroup:
    level: str
    label: str
    territories: list[Territory] = field(default_factory=list)


def territories_grouped() -> list[TerritoryGroup]:
    """Territories with published plans grouped by level (national, regional, municipal)."""
    groups = {
        value: TerritoryGroup(level=value, label=str(label))
        for value, label in Territory.Level.choices
    }
    for territory in territories_public():
        groups[territory.level].territories.append(territory)
    return [group for group in groups.values() if group.territories]


def networks_public() -> QuerySet[Network]:
    """Networks with at least one territory that has a published plan."""
    public = Territory.objects.filter(plans__in=plans_published())
    return (
        Network.objects.filter(territories__in=public)
        .distinct()
        .prefetch_related(Prefetch("territories", queryset=public.distinct().order_by("code")))
    )


def territory_public_get(code: str) -> Territory | None:
    return Territory.objects.select_related("parent").filter(code__iexact=code[:20]).first()


def territory_children_public(territory: Territory) -> QuerySet[Territory]:
    return territory.children.order_by("code").annotate(
        published_plans=Count("plans", filter=Q(plans__in=plans_published()), distinct=True)
    )


def territory_plans_public(territory: Territory) -> QuerySet[Plan]:
    return plans_published().filter(territory=territory).order_by("-start_date", "title")


# The plan page: filters and tree --------------------------------------------------------


@dataclass
class FilterChoices:
    """Options for the plan page filters: only values used in the shown version."""

    pillars: list[tuple[str, str]]
    principles: list[tuple[str, str]]
    sdgs: list[tuple[str, str]]
    themes: list[tuple[str, str]]
    approaches: list[tuple[str, str]]
    entities: list[tuple[str, str]]


def _sdg_label(number: str, title: str) -> str:
    return gettext("SDG %(number)s") % {"number": number} + f" — {title}"


def filter_choices(version: PlanVersion) -> FilterChoices:
    """Five queries: principles, SDGs used, themes used, approaches used, entities involved."""
    in_version = Q(actions__objective__guideline__version=version)
    principles: list[tuple[str, str]] = []
    pillars: dict[str, str] = {}
    for p in Provision.objects.ungp_principles().order_by("sort_key"):  # label needs no join
        principles.append(
            (p.code, gettext("UNGP %(number)s") % {"number": p.number} + f" — {p.title}")
        )
        pillar_label = gettext("Pillar %(number)s") % {"number": p.pillar}
        pillars.setdefault(str(p.pillar), f"{pillar_label} — {p.pillar_name}")
    sdg_used = (
        Provision.objects.filter(in_version, framework__code="sdg")
        .distinct()
        .select_related("parent")
        .order_by("sort_key")
    )
    goals: dict[str, Provision] = {}
    targets: list[Provision] = []
    for provision in sdg_used:
        if provision.kind == Provision.Kind.GOAL:
            goals[provision.code] = provision
        else:
            targets.append(provision)
            if provision.parent is not None:
                goals.setdefault(provision.parent.code, provision.parent)
    sdgs: list[tuple[str, str]] = []
    for goal in sorted(goals.values(), key=lambda g: g.sort_key):
        sdgs.append((goal.code, _sdg_label(goal.number, goal.title)))
        sdgs.extend(
            (t.code, _sdg_label(t.number, t.title)) for t in targets if t.parent_id == goal.pk
        )
    themes = [(t.slug, t.label) for t in Theme.objects.filter(in_version).distinct()]
    approaches = [(a.slug, a.label) for a in Approach.objects.filter(in_version).distinct()]
    entities = [
        (str(o.pk), o.display_name + (f" ({o.acronym})" if o.acronym else ""))
        for o in Organization.objects.filter(
            Q(led_actions__objective__guideline__version=version)
            | Q(co_actions__objective__guideline__version=version)
        )
        .distinct()
        .order_by("name")
    ]
    return FilterChoices(list(pillars.items()), principles, sdgs, themes, approaches, entities)


def actions_filtered(version: PlanVersion, filters: dict[str, Any]) -> QuerySet[Action]:
    """Actions of the version matching every given filter (empty values are ignored)."""
    qs = version_actions(version)
    links = Action.provisions.through.objects.filter(action=OuterRef("pk"))
    if filters.get("pillar"):
        qs = qs.filter(
            Exists(
                links.filter(
                    provision__framework__code="ungp", provision__pillar=int(filters["pillar"])
                )
            )
        )
    if filters.get("principle"):
        qs = qs.filter(Exists(links.filter(provision__code=filters["principle"])))
    if filters.get("sdg"):
        code = filters["sdg"]
        qs = qs.filter(
            Exists(links.filter(Q(provision__code=code) | Q(provision__parent__code=code)))
        )
    if filters.get("theme"):
        qs = qs.filter(
            Exists(
                Action.themes.through.objects.filter(
                    action=OuterRef("pk"), theme__slug=filters["theme"]
                )
            )
        )
    if filters.get("approach"):
        qs = qs.filter(
            Exists(
                Action.approaches.through.objects.filter(
                    action=OuterRef("pk"), approach__slug=filters["approach"]
                )
            )
        )
    if filters.get("entity"):
        entity = int(filters["entity"])
        co = Action.co_responsible.through.objects.filter(
            action=OuterRef("pk"), organization_id=entity
        )
        qs = qs.filter(Q(lead_id=entity) | Q(Exists(co)))
    return qs


def plan_tree_public(version: PlanVersion, actions: QuerySet[Action] | None) -> list[Guideline]:
    """The tree for the plan page in four queries.

    Each guideline gets `shown_objectives` and each objective `shown_actions`. With
    `actions` (a filter), guidelines and objectives without matching actions are dropped.
    """
    action_qs = (actions if actions is not None else Action.objects.all()).select_related("lead")
    action_qs = action_qs.prefetch_related(
        Prefetch("provisions", queryset=Provision.objects.select_related("framework"))
    ).order_by("position", "id")
    guidelines = list(
        Guideline.objects.filter(version=version)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.order_by("position", "id").prefetch_related(
                    Prefetch("actions", queryset=action_qs)
                ),
            )
        )
    )
    kept: list[Guideline] = []
    for guideline in guidelines:
        objectives = []
        for objective in guideline.objectives.all():
            shown = list(objective.actions.all())
            for action in shown:  # lists, so the template does not build querysets per action
                action.shown_provisions = list(action.provisions.all())  # type: ignore[attr-defined]
            objective.shown_actions = shown  # type: ignore[attr-defined]
            if actions is None or objective.shown_actions:  # type: ignore[attr-defined]
                objectives.append(objective)
        guideline.shown_objectives = objectives  # type: ignore[attr-defined]
        if actions is None or objectives:
            kept.append(guideline)
    return kept


def tree_action_count(tree: Iterable[Guideline]) -> int:
    total = 0
    for guideline in tree:
        for objective in guideline.shown_objectives:  # type: ignore[attr-defined]
            total += len(objective.shown_actions)
    return total


# One action, coverage ------------------------------------------------------------------


def version_action_get(version: PlanVersion, uid: UUID) -> Action | None:
    return (
        version_actions(version)
        .filter(uid=uid)
        .select_related("objective__guideline", "lead")
        .prefetch_related(
            "co_responsible",
            Prefetch(
                "provisions",
                queryset=Provision.objects.select_related("framework").order_by(
                    "framework__code", "sort_key"
                ),
            ),
            "themes",
            "approaches",
            # Only aggregate counts of a cited screening are shown (procurement.figures).
            Prefetch(
                "screenings",
                queryset=Screening.objects.select_related("dataset").order_by("finished_at", "pk"),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("screening__dataset").order_by(
                    "position", "id"
                ),
            ),
        )
        .first()
    )


@dataclass
class PillarCoverage:
    pillar: int
    name: str
    principles: list[Provision]
    actions: int = 0
    covered: int = 0

    @property
    def uncovered(self) -> int:
        return len(self.principles) - self.covered


def principle_coverage(version: PlanVersion) -> list[PillarCoverage]:
    """The 31 principles grouped by pillar with `n_actions` each, in one query.

    A pillar's `actions` counts distinct actions addressing any of its principles.
    """
    principles = (
        Provision.objects.ungp_principles()
        .select_related("framework")
        .annotate(
            n_actions=Count(
                "actions",
                filter=Q(actions__objective__guideline__version=version),
                distinct=True,
            )
        )
        .order_by("sort_key")
    )
    pillars: dict[int, PillarCoverage] = {}
    for principle in principles:
        pillar = pillars.setdefault(
            principle.pillar or 0,
            PillarCoverage(pillar=principle.pillar or 0, name=principle.pillar_name, principles=[]),
        )
        pillar.principles.append(principle)
        if principle.n_actions:  # type: ignore[attr-defined]
            pillar.covered += 1
    per_pillar = (
        version_actions(version)
        .filter(provisions__framework__code="ungp")
        .values("provisions__pillar")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in per_pillar:
        if row["provisions__pillar"] in pillars:
            pillars[row["provisions__pillar"]].actions = row["n"]
    return [pillars[k] for k in sorted(pillars)]


def coverage_max(pillars: list[PillarCoverage]) -> int:
    """The largest number of actions on one principle (at least 1), to scale the bars."""
    counts = [p.n_actions for pillar in pillars for p in pillar.principles]  # type: ignore[attr-defined]
    return max(counts, default=0) or 1


# Search --------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    code: str
    title: str
    plan_id: int
    action_uid: UUID | None = None
    anchor: str = ""
    rank: float = 0.0


@dataclass
class SearchGroup:
    plan: Plan
    version: PlanVersion
    hits: list[SearchHit] = field(default_factory=list)


# kind, model, text fields, path to the version, path to the action uid, path to the code
_SEARCH_TARGETS: list[tuple[str, Any, tuple[str, ...], str, str | None, str]] = [
    ("guideline", Guideline, ("title", "description"), "version", None, "code"),
    ("objective", Objective, ("title", "description"), "guideline__version", None, "code"),
    ("action", Action, ("title", "description"), "objective__guideline__version", "uid", "code"),
    (
        "indicator",
        Indicator,
        ("name",),
        "action__objective__guideline__version",
        "action__uid",
        "action__code",
    ),
]


def search_published(query: str) -> list[SearchGroup]:
    """Search the latest published version of every plan, grouped by plan.

    PostgreSQL: full text search with the Spanish configurations on Spanish fields and
    the English ones on `*_en` fields, ranked, ignoring accents and case. Other databases:
    accent- and case-insensitive substring match on the same fields, done in Python.
    """
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if not query:
        return []
    versions = {v.pk: v for v in versions_latest_published()}
    if not versions:
        return []
    hits: list[tuple[int, SearchHit]] = []
    for kind, model, fields, version_path, uid_path, code_path in _SEARCH_TARGETS:
        rows = model.objects.filter(**{f"{version_path}__in": list(versions)})
        rows = (
            _search_postgres(rows, query, fields)
            if connection.vendor == "postgresql"
            else _search_python(rows, query, fields)
        )
        for row in rows:
            title = _localized_row(row, fields[0])
            hit = SearchHit(
                kind=kind,
                code=row[code_path],
                title=title,
                plan_id=versions[row[version_path]].plan_id,
                action_uid=row[uid_path] if uid_path else None,
                anchor=f"{kind}-{row['uid']}",
                rank=float(row.get("rank") or 0.0),
            )
            hits.append((row[version_path], hit))
    groups: dict[int, SearchGroup] = {}
    for version_id, hit in sorted(hits, key=lambda h: -h[1].rank):
        version = versions[version_id]
        group = groups.setdefault(version.pk, SearchGroup(plan=version.plan, version=version))
        if len(group.hits) < SEARCH_MAX_HITS:
            group.hits.append(hit)
    return sorted(groups.values(), key=lambda g: g.plan.display_title)


def _values_fields(fields: tuple[str, ...]) -> list[str]:
    return [name for f in fields for name in (f, f"{f}_en")]


def _search_columns(model: Any) -> list[str]:
    for _kind, m, fields, version_path, uid_path, code_path in _SEARCH_TARGETS:
        if m is model:
            cols = ["uid", code_path, version_path, *_values_fields(fields)]
            if uid_path and uid_path != "uid":
                cols.append(uid_path)
            return cols
    raise LookupError(model)


# Each language is searched with its plain configuration (accented stems: "educación" and
# "educaciones" meet) and its unaccented copy from core's migration 0003 ("educacion" and
# "educación" meet). Either match is a hit.
_PG_CONFIGS = {"": ("spanish", "spanish_unaccent"), "_en": ("english", "english_unaccent")}


def _search_postgres(rows: QuerySet[Any], query: str, fields: tuple[str, ...]) -> list[Any]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    pairs = [
        ([f"{f}{suffix}" for f in fields], config)
        for suffix, configs in _PG_CONFIGS.items()
        for config in configs
    ]
    vector = reduce(operator.add, [SearchVector(*cols, config=c) for cols, c in pairs])
    queries = [SearchQuery(query, config=c, search_type="websearch") for _, c in pairs]
    search = reduce(operator.or_, queries)
    return list(
        rows.annotate(document=vector)
        .filter(document=search)
        .annotate(rank=SearchRank(vector, search))
        .order_by("-rank")
        .values(*_search_columns(rows.model), "rank")[: SEARCH_MAX_HITS * 4]
    )


def _search_python(rows: QuerySet[Any], query: str, fields: tuple[str, ...]) -> list[Any]:
    needle = normalize_key(query)
    found = []
    for row in rows.order_by("pk").values(*_search_columns(rows.model)).iterator():
        text = " ".join(str(row[f] or "") for f in _values_fields(fields))
        if needle in normalize_key(text):
            found.append(row)
            if len(found) >= SEARCH_MAX_HITS * 4:
                break
    return found


def _localized_row(row: dict[str, Any], name: str) -> str:
    from django.utils.translation import get_language

    if (get_language() or "es")[:2] == "en" and row.get(f"{name}_en"):
        return str(row[f"{name}_en"])
    return str(row[name] or row.get(f"{name}_en") or "")
