"""Reads for stakeholders, working groups, events and participation statistics.

Public readers only ever get approved organisations, public events of published plans, and
counts in which numbers below 5 are replaced by "<5". No selector here returns contact data
to a public page: templates and exports use `stakeholder_map_table`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bhrplan.accounts.selectors import plans_coordinated_by, territories_coordinated_by
from bhrplan.participation.models import (
    AttendanceCount,
    Event,
    Gender,
    StakeholderRating,
    WorkingGroup,
)
from bhrplan.plans.models import Plan
from bhrplan.plans.selectors import plans_published
from bhrplan.territories.models import Organization, Territory

SMALL_COUNT = 5
# Capital region(s) per plan territory (ISO 3166 codes). Override with the setting
# PARTICIPATION_CAPITAL_REGIONS = {"PE": ["PE-LMA"], ...}.
DEFAULT_CAPITAL_REGIONS: dict[str, list[str]] = {
    "AR": ["AR-C"],
    "BO": ["BO-L"],
    "BR": ["BR-DF"],
    "CL": ["CL-RM"],
    "CO": ["CO-DC"],
    "CR": ["CR-SJ"],
    "EC": ["EC-P"],
    "GT": ["GT-01"],
    "HN": ["HN-FM"],
    "MX": ["MX-CMX"],
    "NI": ["NI-MN"],
    "PA": ["PA-8"],
    "PE": ["PE-LMA"],
    "PY": ["PY-ASU"],
    "SV": ["SV-SS"],
    "UY": ["UY-MO"],
    "VE": ["VE-A"],
}


# Permission-checking getters


def plan_public(plan_id: int) -> Plan | None:
    return plans_published().filter(pk=plan_id).first()


def plan_coordinated(user: Any, plan_id: int) -> Plan | None:
    return plans_coordinated_by(user).select_related("territory").filter(pk=plan_id).first()


def organizations_pending_for(user: Any) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(
            approval=Organization.Approval.PENDING,
            territory__in=territories_coordinated_by(user),
        )
        .select_related("territory")
        .prefetch_related("sectors")
        .order_by("created_at", "id")
    )


def organization_for_review(user: Any, organization_id: int) -> Organization | None:
    return organizations_pending_for(user).filter(pk=organization_id).first()


def event_of_plan(plan: Plan, event_id: int) -> Event | None:
    return Event.objects.filter(plan=plan, pk=event_id).select_related("territory").first()


def event_public(plan: Plan, event_id: int) -> Event | None:
    return Event.objects.filter(plan=plan, pk=event_id, is_public=True).first()


def working_group_of_plan(plan: Plan, group_id: int) -> WorkingGroup | None:
    return WorkingGroup.objects.filter(plan=plan, pk=group_id).first()


# Lists


def _approved() -> QuerySet[Organization]:
    return Organization.objects.filter(approval=Organization.Approval.APPROVED).order_by("name")


def organizations_for_plan(plan: Plan) -> QuerySet[Organization]:
    """Approved organisations of the plan's territory and its sub-territories."""
    tid = plan.territory_id
    return _approved().filter(
        Q(territory_id=tid) | Q(territory__parent_id=tid) | Q(territory__parent__parent_id=tid)
    )


def working_groups_for_plan(plan: Plan) -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.filter(plan=plan).prefetch_related(
        Prefetch("members", queryset=_approved().select_related("territory"))
    )


def events_for_plan(plan: Plan, *, public: bool) -> QuerySet[Event]:
    events = Event.objects.filter(plan=plan)
    if public:
        events = events.filter(is_public=True)
    return events.select_related("territory", "working_group").prefetch_related(
        "counts", Prefetch("organizations", queryset=_approved())
    )


def attendance_total(counts: list[AttendanceCount]) -> int:
    """People at an event: the largest of the breakdown sums (they may be partly filled)."""
    sums: dict[str, int] = defaultdict(int)
    for row in counts:
        sums[row.dimension] += row.count
    return max(sums.values(), default=0)


def shown(value: int, *, public: bool) -> str:
    """A count as the public sees it: below 5 (but not zero) becomes "<5"."""
    if public and 0 < value < SMALL_COUNT:
        return "<5"
    return str(value)


# Regions


def plan_country_code(plan: Plan) -> str:
    return plan.territory.code.split("-")[0]


def region_choices(plan: Plan) -> list[tuple[str, str]]:
    """Top-level ISO 3166-2 subdivisions of the plan's country, plus sub-territories added by
    hand below the plan's territory (municipalities)."""
    country = plan_country_code(plan)
    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    choices = {s.code: s.name for s in subdivisions if not s.parent_code}
    for code, name in Territory.objects.filter(parent_id=plan.territory_id).values_list(
        "code", "name"
    ):
        choices[code] = name
    return sorted(choices.items(), key=lambda item: item[1])


def territory_choices(plan: Plan) -> list[tuple[str, str]]:
    """Where an event can take place: the plan's territory and its regions."""
    return [(plan.territory.code, plan.territory.display_name), *region_choices(plan)]


def capital_codes(plan: Plan) -> list[str]:
    configured = getattr(settings, "PARTICIPATION_CAPITAL_REGIONS", DEFAULT_CAPITAL_REGIONS)
    return list(configured.get(plan.territory.code, []))


def _region_labels(codes: set[str]) -> dict[str, str]:
    labels = {}
    for code in codes:
        sub = pycountry.subdivisions.get(code=code)
        labels[code] = sub.name if sub is not None else code
    for territory in Territory.objects.filter(code__in=codes):
        labels[territory.code] = territory.display_name
    return labels


# Statistics


@dataclass
class Row:
    key: str
    label: str
    value: int
    display: str
    events: int | None = None


@dataclass
class Statistics:
    public: bool
    events: int = 0
    people: int = 0
    people_display: str = "0"
    by_kind: list[Row] = field(default_factory=list)
    by_group: list[Row] = field(default_factory=list)
    by_gender: list[Row] = field(default_factory=list)
    by_region: list[Row] = field(default_factory=list)
    over_time: list[Row] = field(default_factory=list)
    period: str = "month"
    capital_codes: list[str] = field(default_factory=list)
    capital_people: int = 0
    capital_display: str = "0"
    region_people: int = 0
    capital_share: float | None = None

    @property
    def capital_percent(self) -> int | None:
        return None if self.capital_share is None else round(self.capital_share * 100)


def _period_key(value: date, period: str) -> tuple[str, str]:
    if period == "quarter":
        quarter = (value.month - 1) // 3 + 1
        return f"{value.year}-Q{quarter}", _("Q%(quarter)s %(year)s") % {
            "quarter": quarter,
            "year": value.year,
        }
    return f"{value.year}-{value.month:02d}", f"{value.year}-{value.month:02d}"


def participation_statistics(plan: Plan, *, public: bool, period: str = "month") -> Statistics:
    """Attendance by event kind, stakeholder group, gender, region and period, in three
    queries whatever the number of events."""
    period = period if period in {"month", "quarter"} else "month"
    events = Event.objects.filter(plan=plan)
    if public:
        events = events.filter(is_public=True)
    event_rows = list(events.values("id", "kind", "date"))
    counts = list(
        AttendanceCount.objects.filter(event__in=events).values(
            "event_id", "dimension", "category", "count"
        )
    )
    stats = Statistics(public=public, period=period, events=len(event_rows))
    per_event: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_dimension: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        per_event[row["event_id"]][row["dimension"]] += row["count"]
        per_dimension[row["dimension"]][row["category"]] += row["count"]
    totals = {eid: max(sums.values(), default=0) for eid, sums in per_event.items()}

    def make(key: str, label: str, value: int, events: int | None = None) -> Row:
        return Row(key, label, value, shown(value, public=public), events)

    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    periods: dict[str, list[Any]] = {}
    for event in sorted(event_rows, key=lambda e: e["date"]):
        people = totals.get(event["id"], 0)
        kinds[event["kind"]][0] += 1
        kinds[event["kind"]][1] += people
        key, label = _period_key(event["date"], period)
        bucket = periods.setdefault(key, [label, 0, 0])
        bucket[1] += 1
        bucket[2] += people
    kind_labels = dict(Event.Kind.choices)
    stats.by_kind = [
        make(k, str(kind_labels.get(k, k)), v[1], v[0])
        for k, v in sorted(kinds.items(), key=lambda kv: -kv[1][1])
    ]
    stats.over_time = [make(k, v[0], v[2], v[1]) for k, v in periods.items()]
    stats.people = sum(totals.values())
    stats.people_display = shown(stats.people, public=public)

    group_labels = dict(Organization.StakeholderGroup.choices)
    gender_labels = dict(Gender.choices)
    regions = per_dimension.get(AttendanceCount.Dimension.REGION, {})
    region_labels = _region_labels(set(regions))

    def breakdown(values: dict[str, int], labels: dict[str, Any]) -> list[Row]:
        return [
            make(k, str(labels.get(k, k)), v)
            for k, v in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    stats.by_group = breakdown(
        per_dimension.get(AttendanceCount.Dimension.STAKEHOLDER_GROUP, {}), group_labels
    )
    stats.by_gender = breakdown(
        per_dimension.get(AttendanceCount.Dimension.GENDER, {}), gender_labels
    )
    stats.by_region = breakdown(regions, region_labels)

    stats.capital_codes = capital_codes(plan)
    stats.region_people = sum(regions.values())
    stats.capital_people = sum(v for k, v in regions.items() if k in stats.capital_codes)
    stats.capital_display = shown(stats.capital_people, public=public)
    rest = stats.region_people - stats.capital_people
    small = public and (0 < stats.capital_people < SMALL_COUNT or 0 < rest < SMALL_COUNT)
    if stats.capital_codes and stats.region_people and not small:
        stats.capital_share = stats.capital_people / stats.region_people
    return stats


# Stakeholder map


QUADRANTS = {
    (True, True): "manage",
    (True, False): "satisfy",
    (False, True): "inform",
    (False, False): "monitor",
}


def quadrant_label(code: str) -> str:
    return {
        "manage": _("Manage closely"),
        "satisfy": _("Keep satisfied"),
        "inform": _("Keep informed"),
        "monitor": _("Monitor"),
    }[code]


@dataclass
class MapRow:
    organization: Organization
    rating: StakeholderRating | None
    groups: list[WorkingGroup]
    events: list[Event]

    @property
    def quadrant(self) -> str:
        if self.rating is None:
            return ""
        code = QUADRANTS[(self.rating.influence >= 3, self.rating.interest >= 3)]
        return quadrant_label(code)


def stakeholder_map(plan: Plan) -> list[MapRow]:
    """Every approved organisation linked to the plan: rated, in a working group, or at an
    event. Four queries whatever the number of organisations."""
    ratings = {
        r.organization_id: r
        for r in StakeholderRating.objects.filter(plan=plan).select_related("organization")
    }
    groups = list(
        WorkingGroup.objects.filter(plan=plan).prefetch_related(
            Prefetch("members", queryset=_approved().only("id"))
        )
    )
    events = list(
        Event.objects.filter(plan=plan).prefetch_related(
            Prefetch("organizations", queryset=_approved().only("id"))
        )
    )
    groups_of: dict[int, list[WorkingGroup]] = defaultdict(list)
    events_of: dict[int, list[Event]] = defaultdict(list)
    for group in groups:
        for member in group.members.all():
            groups_of[member.pk].append(group)
    for event in events:
        for org in event.organizations.all():
            events_of[org.pk].append(event)
    ids = (
        set(groups_of)
        | set(events_of)
        | {r.organization_id for r in ratings.values() if r.organization.approval == "approved"}
    )
    organizations = _approved().filter(pk__in=ids).select_related("territory")
    return [MapRow(o, ratings.get(o.pk), groups_of[o.pk], events_of[o.pk]) for o in organizations]


def stakeholder_map_table(rows: list[MapRow]) -> tuple[list[str], list[list[Any]]]:
    """The map as a table for CSV/XLSX — public fields only, never contact data."""
    header = [
        _("Organisation"),
        _("Acronym"),
        _("Stakeholder group"),
        _("Territory"),
        _("Influence (1–5)"),
        _("Interest (1–5)"),
        _("Quadrant"),
        _("Note"),
        _("Working groups"),
        _("Events"),
    ]
    body = [
        [
            row.organization.display_name,
            row.organization.acronym,
            row.organization.get_stakeholder_group_display(),
            row.organization.territory.display_name,
            row.rating.influence if row.rating else "",
            row.rating.interest if row.rating else "",
            row.quadrant,
            row.rating.note if row.rating else "",
            "; ".join(str(g) for g in row.groups),
            len(row.events),
        ]
        for row in rows
    ]
    return header, body
