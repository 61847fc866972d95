"""`python manage.py load_demo_procurement`: a screening of the real OCDS samples in the
demo plan's territory (run `load_demo` first; idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bhrplan.plans.demo.loader import demo_plan_find
from bhrplan.procurement.demo import demo_procurement_load


class Command(BaseCommand):
    help = "Screen the sample OCDS data (Paraguay and Colombia) for the demo territory."

    def handle(self, *args: Any, **options: Any) -> None:
        plan = demo_plan_find()
        if plan is None:
            raise CommandError(_("Load the demo first: python manage.py load_demo"))
        try:
            screening = demo_procurement_load(territory=plan.territory)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if screening is None:
            self.stdout.write(_("The sample screening already exists; nothing was changed."))
            return
        self.stdout.write(
            _("Sample procurement screening %(id)s: %(items)s items, %(flagged)s flagged.")
            % {
                "id": screening.pk,
                "items": screening.coverage.get("items", 0),
                "flagged": screening.summary.get("flagged_items", 0),
            }
        )
