"""`python manage.py generate_scale_data`: a national-scale monitoring dataset for benchmarks.

    python manage.py generate_scale_data --territories 30 --actions 150 --indicators 3 --periods 16

builds a national territory `BENCH` with `territories − 1` regions (`BENCH-01`, …), one
published plan per territory (5 guidelines × 2 objectives), `actions` actions per plan
with `indicators` indicators each, `periods` quarterly reporting periods, one report
per action and period from the lead entity (≈ 85 % validated, the rest submitted,
returned or draft), one value per indicator and report (some with a breakdown by sex)
and a few independent assessments. With the defaults above: 72,000 reports and 216,000
indicator values. Rows are written with bulk inserts; everything is marked as sample
data. Running it again does nothing unless `--reset` is given, which first removes the
previous benchmark data. Not for production databases.
"""

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.frameworks.services import catalogs_load
from bhrplan.lib.text import normalize_key
from bhrplan.monitoring.models import (
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion
from bhrplan.territories.models import Organization, Territory

PREFIX = "BENCH"
BATCH = 5000
STATUSES = ["not_started", "in_progress", "in_progress", "in_progress", "delayed", "completed"]


class Command(BaseCommand):
    help = "Generate a national-scale monitoring dataset for the benchmarks (sample data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--territories", type=int, default=30)
        parser.add_argument("--actions", type=int, default=150)
        parser.add_argument("--indicators", type=int, default=3)
        parser.add_argument("--periods", type=int, default=16)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="Remove earlier bench data.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["reset"]:
            self._reset()
        if Plan.objects.filter(territory__code__startswith=PREFIX).exists():
            self.stdout.write("Benchmark data already present; use --reset to build it again.")
            return
        if Provision.objects.ungp_principles().count() < 31:
            catalogs_load()
        self.rng = random.Random(options["seed"])
        with transaction.atomic():
            counts = self._generate(
                options["territories"],
                options["actions"],
                options["indicators"],
                options["periods"],
            )
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"Created {summary} in {time.monotonic() - started:.0f} s.")
        national = Territory.objects.get(code=PREFIX)
        plan = Plan.objects.filter(territory=national).first()
        self.stdout.write(
            f"Territory overview: /es/progress/territories/{PREFIX}/ · "
            f"plan dashboard: /es/progress/plans/{plan.pk if plan else '?'}/"
        )

    def _reset(self) -> None:
        plans = Plan.objects.filter(territory__code__startswith=PREFIX)
        with transaction.atomic():
            IndicatorValue.objects.filter(report__plan__in=plans).delete()
            ProgressReport.objects.filter(plan__in=plans).delete()
            IndependentAssessment.objects.filter(plan__in=plans).delete()
            plans.delete()
            Organization.objects.filter(territory__code__startswith=PREFIX).delete()
            Territory.objects.filter(code__startswith=PREFIX, parent__isnull=False).delete()
            Territory.objects.filter(code=PREFIX).delete()

    def _bulk(self, model: Any, rows: list[Any]) -> list[Any]:
        created: list[Any] = []
        for start in range(0, len(rows), BATCH):
            created += model.objects.bulk_create(rows[start : start + BATCH])
        return created

    def _generate(self, territories: int, actions: int, indicators: int, periods: int) -> dict:
        rng = self.rng
        now = timezone.now()
        national = Territory.objects.create(
            code=PREFIX,
            name="País de prueba",
            name_en="Benchmark country",
            level="national",
            is_sample=True,
        )
        regions = self._bulk(
            Territory,
            [
                Territory(
                    code=f"{PREFIX}-{n:02d}",
                    name=f"Región {n:02d}",
                    name_en=f"Region {n:02d}",
                    level="regional",
                    parent=national,
                    is_sample=True,
                )
                for n in range(1, territories)
            ],
        )
        places = [national, *regions]
        orgs: dict[int, list[Organization]] = {}
        org_rows = []
        for place in places:
            for n in range(8):
                name = f"Entidad {n + 1} de {place.name}"
                group = "civil_society" if n == 7 else "public_authority"
                org_rows.append(
                    Organization(
                        name=name,
                        normalized_name=normalize_key(name),
                        stakeholder_group=group,
                        territory=place,
                        is_sample=True,
                    )
                )
        for org in self._bulk(Organization, org_rows):
            orgs.setdefault(org.territory_id, []).append(org)
        plans = self._bulk(
            Plan,
            [
                Plan(
                    territory=place,
                    title=f"Plan de Acción de {place.name}",
                    title_en=f"Action Plan of {place.name_en}",
                    start_date=date(2023, 1, 1),
                    end_date=date(2030, 12, 31),
                    status="implementing",
                    is_sample=True,
                )
                for place in places
            ],
        )
        versions = self._bulk(
            PlanVersion,
            [PlanVersion(plan=p, number=1, status="published", published_at=now) for p in plans],
        )
        guidelines = self._bulk(
            Guideline,
            [
                Guideline(version=v, code=str(g + 1), position=g, title=f"Lineamiento {g + 1}")
                for v in versions
                for g in range(5)
            ],
        )
        objectives = self._bulk(
            Objective,
            [
                Objective(guideline=g, code=f"{g.code}.{o + 1}", position=o, title=f"Objetivo {o}")
                for g in guidelines
                for o in range(2)
            ],
        )
        per_plan = {
            v.pk: [o for o in objectives if o.guideline.version_id == v.pk] for v in versions
        }
        action_rows = []
        for version, place in zip(versions, places, strict=True):
            objs = per_plan[version.pk]
            for n in range(actions):
                obj = objs[n % len(objs)]
                lead = orgs[place.pk][n % 6]
                end = date(2024, 6, 30) + timedelta(days=rng.randrange(0, 2200))
                action_rows.append(
                    Action(
                        objective=obj,
                        code=f"{obj.code}.{n // len(objs) + 1}",
                        position=n,
                        title=f"Acción {n + 1} de {place.name}",
                        lead=lead,
                        start_date=date(2023, 1, 1),
                        end_date=min(end, date(2030, 12, 31)),
                    )
                )
        all_actions = self._bulk(Action, action_rows)
        self._links(all_actions, orgs)
        indicator_rows = []
        for action in all_actions:
            for i in range(indicators):
                decrease = i == 2
                indicator_rows.append(
                    Indicator(
                        action=action,
                        position=i,
                        name=f"Indicador {i + 1}",
                        unit="casos",
                        direction="decrease" if decrease else "increase",
                        baseline_value=Decimal(100 if decrease else 0),
                        baseline_year=2022,
                        target_value=Decimal(20 if decrease else 100),
                        target_year=2030,
                        disaggregations=["sex"] if i == 0 else [],
                    )
                )
        all_indicators = self._bulk(Indicator, indicator_rows)
        by_action: dict[int, list[Indicator]] = {}
        for ind in all_indicators:
            by_action.setdefault(ind.action_id, []).append(ind)
        period_rows = []
        for p in plans:
            for q in range(periods):
                start = date(2023 + q // 4, 1 + 3 * (q % 4), 1)
                end = (start + timedelta(days=92)).replace(day=1) - timedelta(days=1)
                period_rows.append(
                    ReportingPeriod(
                        plan=p,
                        label=f"{start.year}-T{q % 4 + 1}",
                        start_date=start,
                        end_date=end,
                        due_date=end + timedelta(days=30),
                    )
                )
        all_periods = self._bulk(ReportingPeriod, period_rows)
        plan_periods: dict[int, list[ReportingPeriod]] = {}
        for period in all_periods:
            plan_periods.setdefault(period.plan_id, []).append(period)
        version_plan = {v.pk: v.plan_id for v in versions}
        objective_version = {o.pk: o.guideline.version_id for o in objectives}
        report_rows, pending_values, assessments = [], [], []
        stakeholders = {
            pid: orgs[place.pk][7] for pid, place in zip(version_plan.values(), places, strict=True)
        }
        for action in all_actions:
            plan_id = version_plan[objective_version[action.objective_id]]
            level = 0.0
            for period in plan_periods[plan_id]:
                level = min(1.2, level + rng.random() * 0.15)
                roll = rng.random()
                state = (
                    "validated" if roll < 0.85 else rng.choice(["submitted", "returned", "draft"])
                )
                late = rng.random() < 0.2
                submitted = period.due_date + timedelta(
                    days=rng.randrange(1, 40) if late else -rng.randrange(0, 20)
                )
                submitted_at = timezone.make_aware(
                    datetime(submitted.year, submitted.month, submitted.day, 10)
                )
                report_rows.append(
                    ProgressReport(
                        plan_id=plan_id,
                        period=period,
                        action=action,
                        action_uid=action.uid,
                        organization_id=action.lead_id,
                        status=rng.choice(STATUSES),
                        narrative="Se avanzó en la implementación de la acción.",
                        state=state,
                        submitted_at=None if state == "draft" else submitted_at,
                        validated_at=submitted_at + timedelta(days=10)
                        if state == "validated"
                        else None,
                    )
                )
                pending_values.append((action, level))
                if rng.random() < 0.08:
                    assessments.append(
                        IndependentAssessment(
                            plan_id=plan_id,
                            period=period,
                            action=action,
                            action_uid=action.uid,
                            source="stakeholder",
                            organization=stakeholders[plan_id],
                            rating=rng.choice(IndependentAssessment.Rating.values),
                            narrative="Evaluación independiente de prueba.",
                        )
                    )
        reports = self._bulk(ProgressReport, report_rows)
        value_rows = []
        for report, (action, level) in zip(reports, pending_values, strict=True):
            for ind in by_action.get(action.pk, []):
                base, target = ind.baseline_value or 0, ind.target_value or 0
                value = (base + (target - base) * Decimal(str(round(level, 3)))).quantize(
                    Decimal("0.01")
                )
                breakdown = {}
                if ind.disaggregations:
                    female = (value / 2).quantize(Decimal("0.01"))
                    breakdown = {"sex": {"female": float(female), "male": float(value - female)}}
                value_rows.append(
                    IndicatorValue(
                        report=report,
                        indicator=ind,
                        indicator_uid=ind.uid,
                        value=value,
                        breakdown=breakdown,
                    )
                )
        self._bulk(IndicatorValue, value_rows)
        self._bulk(IndependentAssessment, assessments)
        return {
            "territories": len(places),
            "plans": len(plans),
            "actions": len(all_actions),
            "indicators": len(all_indicators),
            "periods": len(all_periods),
            "reports": len(reports),
            "indicator values": len(value_rows),
            "assessments": len(assessments),
        }

    def _links(self, actions: list[Action], orgs: dict[int, list[Organization]]) -> None:
        rng = self.rng
        ungp = list(Provision.objects.ungp_principles())
        sdg = list(Provision.objects.sdg_targets())
        themes = list(Theme.objects.all())
        approaches = list(Approach.objects.all())
        org_territory = {o.pk: tid for tid, items in orgs.items() for o in items}
        provisions, theme_links, approach_links, co_links = [], [], [], []
        for action in actions:
            for provision in {rng.choice(ungp).pk, rng.choice(sdg).pk}:
                provisions.append(
                    Action.provisions.through(action_id=action.pk, provision_id=provision)
                )
            for theme in {rng.choice(themes).pk for _ in range(2)} if themes else set():
                theme_links.append(Action.themes.through(action_id=action.pk, theme_id=theme))
            if approaches:
                approach_links.append(
                    Action.approaches.through(
                        action_id=action.pk, approach_id=rng.choice(approaches).pk
                    )
                )
            assert action.lead_id is not None
            local = orgs[org_territory[action.lead_id]]
            co = local[(local.index(next(o for o in local if o.pk == action.lead_id)) + 1) % 6]
            co_links.append(
                Action.co_responsible.through(action_id=action.pk, organization_id=co.pk)
            )
        self._bulk(Action.provisions.through, provisions)
        self._bulk(Action.themes.through, theme_links)
        self._bulk(Action.approaches.through, approach_links)
        self._bulk(Action.co_responsible.through, co_links)
