"""Sample monitoring data for the demo plan: half-yearly periods, a few progress reports
in each state and two independent assessments. Written through the services; skipped
when the plan already has reporting periods."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from bhrplan.accounts.models import Role
from bhrplan.monitoring import selectors, services
from bhrplan.monitoring.models import ProgressReport
from bhrplan.plans.models import Plan
from bhrplan.territories.models import Organization


@transaction.atomic
def demo_monitoring_load(*, plan: Plan, actor: Any = None) -> int:
    """Returns the number of reports written (0 when the plan already had periods)."""
    if selectors.periods_of(plan).exists():
        return 0
    periods = services.periods_generate(
        plan=plan, frequency="half_yearly", due_days_after_end=30, actor=actor
    )
    focal_orgs = set(
        Role.objects.filter(plan=plan, kind=Role.Kind.FOCAL_POINT).values_list(
            "organization_id", flat=True
        )
    )
    every = selectors.reported_actions(plan).select_related("lead").order_by("id")
    # actions of the demo focal point's organisation first, so its task list has reports
    actions = sorted(every, key=lambda a: a.lead_id not in focal_orgs)[:6]
    states = ["validated", "validated", "submitted", "returned", "draft", "draft"]
    written = 0
    for index, action in enumerate(actions):
        if action.lead is None:
            continue
        period = periods[index % 2]
        values = []
        for indicator in action.indicators.all():
            base = indicator.baseline_value or Decimal(0)
            target = indicator.target_value if indicator.target_value is not None else base
            values.append(
                services.ValueInput(
                    indicator=indicator,
                    value=(base + (target - base) * Decimal("0.3")).quantize(Decimal("0.01")),
                    note="Valor de ejemplo; sin desagregación."
                    if indicator.disaggregations
                    else "",
                )
            )
        report = services.report_save(
            period=period,
            action=action,
            organization=action.lead,
            actor=actor,
            status=ProgressReport.Status.IN_PROGRESS,
            narrative="Avance de ejemplo: se realizaron talleres y se elaboró el informe.",
            values=values,
            submit=states[index] != "draft",
        )
        if states[index] == "validated":
            services.report_validate(report=report, actor=actor, comment="Conforme (ejemplo).")
        elif states[index] == "returned":
            services.report_return(
                report=report, actor=actor, comment="Falta el acta de los talleres (ejemplo)."
            )
        written += 1
    if actions:
        services.assessment_save(
            period=periods[0], action=actions[0], source="committee", organization=None,
            actor=actor, rating="partial", narrative="Evaluación de ejemplo del comité.",
        )  # fmt: skip
        csos = Organization.objects.filter(
            is_sample=True, stakeholder_group=Organization.StakeholderGroup.CIVIL_SOCIETY
        )
        cso = csos.order_by("id").first()
        if cso is not None:
            services.assessment_save(
                period=periods[0], action=actions[0], source="stakeholder", organization=cso,
                actor=actor, rating="insufficient",
                narrative="Evaluación de ejemplo de una organización de la sociedad civil.",
            )  # fmt: skip
    return written
