"""Reads for monitoring, scoped by viewer.

Who may do what on a plan:
- coordinators (plan or territory scope) manage periods and review reports;
- committee members review reports and write the committee's assessments;
- focal points report for their organisation, only on actions it leads or co-leads;
- stakeholders write their organisation's independent assessments;
- the public sees validated reports and their public evidence only.
A role scoped to a territory covers plans of that territory and of its sub-territories.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from bhrplan.accounts.models import Role
from bhrplan.accounts.selectors import plans_for_role
from bhrplan.monitoring.models import (
    Evidence,
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.plans.models import Action, Indicator, Plan
from bhrplan.plans.selectors import version_actions, version_latest_published
from bhrplan.territories.models import Organization

REVIEWER_KINDS: list[str] = [Role.Kind.COORDINATOR, Role.Kind.COMMITTEE_MEMBER]


def _plan_roles(user: Any, plan: Plan, kind: str) -> QuerySet[Role]:
    """The user's roles of one kind that cover the plan (by plan, or by its territory or an
    ancestor up to two levels)."""
    territory = plan.territory
    ancestors = [territory.pk]
    if territory.parent_id:
        ancestors.append(territory.parent_id)
        parent = territory.parent
        if parent is not None and parent.parent_id:
            ancestors.append(parent.parent_id)
    return Role.objects.filter(user=user, kind=kind).filter(
        Q(plan=plan) | Q(territory_id__in=ancestors)
    )


def plans_monitored_by(user: Any) -> QuerySet[Plan]:
    """Plans where the user has any monitoring role, with a published version."""
    return (
        plans_for_role(user, list(Role.Kind.values))
        .filter(versions__status="published")
        .distinct()
        .select_related("territory")
    )


def plans_with_links(user: Any) -> list[Plan]:
    """The user's monitored plans, flagged `is_coordinator` / `is_reviewer` / `is_focal`, in
    fixed queries."""
    plans = list(plans_monitored_by(user))
    reviewer = set(plans_for_role(user, REVIEWER_KINDS).values_list("pk", flat=True))
    focal = set(plans_for_role(user, [Role.Kind.FOCAL_POINT]).values_list("pk", flat=True))
    coordinated = set(plans_for_role(user, [Role.Kind.COORDINATOR]).values_list("pk", flat=True))
    for plan in plans:
        plan.is_coordinator = plan.pk in coordinated  # type: ignore[attr-defined]
        plan.is_reviewer = plan.pk in reviewer  # type: ignore[attr-defined]
        plan.is_focal = plan.pk in focal  # type: ignore[attr-defined]
    return plans


def plan_for_role(user: Any, plan_id: int, kinds: list[str]) -> Plan | None:
    return plans_for_role(user, kinds).select_related("territory").filter(pk=plan_id).first()


def can_review(user: Any, plan: Plan) -> bool:
    return plans_for_role(user, REVIEWER_KINDS).filter(pk=plan.pk).exists()


def is_committee_member(user: Any, plan: Plan) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _plan_roles(user, plan, Role.Kind.COMMITTEE_MEMBER).exists()


def _organizations(user: Any, plan: Plan, kind: str) -> list[Organization]:
    if not getattr(user, "is_authenticated", False):
        return []
    org_ids = _plan_roles(user, plan, kind).exclude(organization=None).values("organization_id")
    return list(Organization.objects.filter(pk__in=org_ids).order_by("name"))


def focal_organizations(user: Any, plan: Plan) -> list[Organization]:
    return _organizations(user, plan, Role.Kind.FOCAL_POINT)


def stakeholder_organizations(user: Any, plan: Plan) -> list[Organization]:
    return _organizations(user, plan, Role.Kind.STAKEHOLDER)


def focal_point_users(plan: Plan, organization: Organization) -> QuerySet[Any]:
    """Active users who are focal points of the organisation for the plan."""
    from bhrplan.accounts.models import User

    territory = plan.territory
    ancestors = [territory.pk, territory.parent_id]
    if territory.parent is not None:
        ancestors.append(territory.parent.parent_id)
    roles = Role.objects.filter(kind=Role.Kind.FOCAL_POINT, organization=organization).filter(
        Q(plan=plan) | Q(territory_id__in=[a for a in ancestors if a])
    )
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id")).order_by("email")


# Periods


def periods_of(plan: Plan) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(plan=plan).order_by("start_date")


def period_for_role(user: Any, period_id: int, kinds: list[str]) -> ReportingPeriod | None:
    plans = plans_for_role(user, kinds)
    return (
        ReportingPeriod.objects.select_related("plan__territory__parent")
        .filter(pk=period_id, plan__in=plans)
        .first()
    )


def period_get(period_id: int) -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.select_related("plan__territory__parent")
        .filter(pk=period_id)
        .first()
    )


def periods_with_report_counts(plan: Plan) -> list[ReportingPeriod]:
    from django.db.models import Count

    return list(periods_of(plan).annotate(report_count=Count("reports")))


# Actions reported on


def reported_actions(plan: Plan) -> QuerySet[Action]:
    """Actions of the plan's latest published version: the ones reports are made on."""
    version = version_latest_published(plan)
    if version is None:
        return Action.objects.none()
    return version_actions(version)


def actions_of_organizations(plan: Plan, organizations: list[Organization]) -> QuerySet[Action]:
    return (
        reported_actions(plan)
        .filter(Q(lead__in=organizations) | Q(co_responsible__in=organizations))
        .distinct()
        .select_related("lead")
        .prefetch_related("co_responsible")
        .order_by("objective__guideline__position", "objective__position", "position", "id")
    )


def action_for_organization(
    plan: Plan, action_uid: UUID, organization: Organization
) -> Action | None:
    return (
        actions_of_organizations(plan, [organization])
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("screening__dataset").order_by(
                    "position", "id"
                ),
            )
        )
        .filter(uid=action_uid)
        .first()
    )


def action_by_uid(plan: Plan, action_uid: UUID) -> Action | None:
    return reported_actions(plan).select_related("lead").filter(uid=action_uid).first()


# Reports


def _report_qs() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.select_related(
        "plan__territory__parent", "period", "action", "organization"
    )


def report_find(
    period: ReportingPeriod, action_uid: UUID, organization: Organization
) -> ProgressReport | None:
    return (
        _report_qs()
        .filter(period=period, action_uid=action_uid, organization=organization)
        .prefetch_related("values")
        .first()
    )


def report_for_viewer(user: Any, report_id: int) -> ProgressReport | None:
    """The report if the viewer may read it: reviewers of the plan and focal points of the
    reporting organisation always; anyone else only once validated."""
    report = _report_qs().filter(pk=report_id).first()
    if report is None:
        return None
    if report.state == ProgressReport.State.VALIDATED:
        return report
    if can_edit_report(user, report) or can_review(user, report.plan):
        return report
    return None


def report_for_internal(user: Any, report_id: int) -> ProgressReport | None:
    """The report for its reviewers and the reporting organisation's focal points only."""
    report = _report_qs().filter(pk=report_id).first()
    if report is None:
        return None
    if can_edit_report(user, report) or can_review(user, report.plan):
        return report
    return None


def report_for_focal_point(user: Any, report_id: int) -> ProgressReport | None:
    report = _report_qs().filter(pk=report_id).first()
    if report is None or not can_edit_report(user, report):
        return None
    return report


def report_for_reviewer(user: Any, report_id: int) -> ProgressReport | None:
    report = _report_qs().filter(pk=report_id).first()
    if report is None or not can_review(user, report.plan):
        return None
    return report


def can_edit_report(user: Any, report: ProgressReport) -> bool:
    return any(o.pk == report.organization_id for o in focal_organizations(user, report.plan))


def report_values(report: ProgressReport) -> QuerySet[IndicatorValue]:
    return report.values.select_related("indicator__screening__dataset").order_by(
        "indicator__position", "id"
    )


def report_evidence(report: ProgressReport, *, internal: bool) -> QuerySet[Evidence]:
    qs = report.evidence.order_by("created_at", "id")
    if not internal:
        qs = qs.filter(visibility=Evidence.Visibility.PUBLIC)
    return qs


def report_revisions(report: ProgressReport) -> QuerySet[Any]:
    return report.revisions.select_related("actor").order_by("occurred_at", "id")


def review_queue(plan: Plan) -> QuerySet[ProgressReport]:
    return (
        _report_qs()
        .filter(plan=plan, state=ProgressReport.State.SUBMITTED)
        .order_by("submitted_at", "id")
    )


@dataclass
class Task:
    """One line of a focal point's task list."""

    period: ReportingPeriod
    action: Action
    organization: Organization
    report: ProgressReport | None
    overdue: bool

    @property
    def state(self) -> str:
        return self.report.state if self.report else "not_started"

    @property
    def state_label(self) -> str:
        from django.utils.translation import gettext as _

        if self.report is None:
            return _("Not started")
        return self.report.get_state_display()


def tasks_for(user: Any, plan: Plan, today: date | None = None) -> list[Task]:
    """For each open or past period, each action the user's organisations report on."""
    today = today or timezone.localdate()
    organizations = focal_organizations(user, plan)
    if not organizations:
        return []
    periods = list(periods_of(plan).filter(start_date__lte=today).order_by("-start_date"))
    actions = list(actions_of_organizations(plan, organizations))
    reports = {
        (r.period_id, r.action_uid, r.organization_id): r
        for r in ProgressReport.objects.filter(
            plan=plan, organization__in=organizations, period__in=periods
        )
    }
    done = {ProgressReport.State.SUBMITTED, ProgressReport.State.VALIDATED}
    tasks = []
    for period in periods:
        for action in actions:
            responsible = {action.lead_id} | {o.pk for o in action.co_responsible.all()}
            for org in organizations:
                if org.pk not in responsible:
                    continue
                report = reports.get((period.pk, action.uid, org.pk))
                overdue = period.due_date < today and (report is None or report.state not in done)
                tasks.append(Task(period, action, org, report, overdue))
    return tasks


# Assessments


def assessments_for(period: ReportingPeriod, action_uid: UUID) -> QuerySet[IndependentAssessment]:
    return (
        IndependentAssessment.objects.filter(
            period=period, action_uid=action_uid, is_published=True
        )
        .select_related("organization", "author")
        .order_by("source", "organization__name", "id")
    )


def assessment_find(
    period: ReportingPeriod, action_uid: UUID, source: str, organization: Organization | None
) -> IndependentAssessment | None:
    return IndependentAssessment.objects.filter(
        period=period, action_uid=action_uid, source=source, organization=organization
    ).first()


def assessment_sources(user: Any, plan: Plan) -> list[tuple[str, str, Organization | None]]:
    """On whose behalf the user may assess: (key, label, organisation)."""
    from django.utils.translation import gettext as _

    sources: list[tuple[str, str, Organization | None]] = []
    if is_committee_member(user, plan):
        sources.append(("committee", _("Monitoring committee"), None))
    for org in stakeholder_organizations(user, plan):
        sources.append((f"org-{org.pk}", str(org), org))
    return sources


# Evidence


def evidence_for_viewer(user: Any, evidence_id: int) -> Evidence | None:
    """Public evidence of a validated report for anyone; anything else only for the plan's
    reviewers and the reporting organisation's focal points."""
    evidence = (
        Evidence.objects.select_related("report__plan__territory__parent")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None:
        return None
    report = evidence.report
    if (
        evidence.visibility == Evidence.Visibility.PUBLIC
        and report.state == ProgressReport.State.VALIDATED
    ):
        return evidence
    if can_edit_report(user, report) or can_review(user, report.plan):
        return evidence
    return None


def evidence_for_focal_point(user: Any, evidence_id: int) -> Evidence | None:
    evidence = (
        Evidence.objects.select_related("report__plan__territory__parent", "report__organization")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None or not can_edit_report(user, evidence.report):
        return None
    return evidence
