"""`python manage.py load_demo_monitoring`: sample periods, reports and assessments for the
demo plan (run `load_demo` first; idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bhrplan.monitoring.demo import demo_monitoring_load
from bhrplan.plans.demo.loader import demo_plan_find


class Command(BaseCommand):
    help = "Add sample reporting periods, progress reports and assessments to the demo plan."

    def handle(self, *args: Any, **options: Any) -> None:
        plan = demo_plan_find()
        if plan is None:
            raise CommandError("Load the demo first: python manage.py load_demo")
        written = demo_monitoring_load(plan=plan)
        if written:
            self.stdout.write(f"{written} sample reports written for plan {plan.pk}.")
        else:
            self.stdout.write(f"Plan {plan.pk} already has reporting periods; nothing changed.")
