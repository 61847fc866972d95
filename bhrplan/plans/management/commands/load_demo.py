"""`python manage.py load_demo`: the sample territory, organisations and plans (idempotent).

Demo accounts are created only when DEBUG is on: never in production.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bhrplan.frameworks.models import Provision
from bhrplan.plans.demo import DEMO_PASSWORD, demo_load
from bhrplan.plans.demo.loader import demo_summary


class Command(BaseCommand):
    help = "Load the demo territory and sample plans (sample data, idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Do not create the demo accounts even when DEBUG is on.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Provision.objects.ungp_principles().exists():
            raise CommandError(_("Load the catalogs first: python manage.py load_catalogs"))
        with_accounts = bool(settings.DEBUG) and not options["no_accounts"]
        result = demo_load(with_accounts=with_accounts)
        main = result.plans[0]
        if not result.created:
            self.stdout.write(
                _("The demo plan already exists (id %(id)s); nothing was changed.")
                % {"id": main.pk}
            )
        if result.created:
            self.stdout.write(
                _(
                    "Sample territories: %(territories)s; %(organizations)s sample organisations; "
                    "a network of both territories."
                )
                % {
                    "territories": ", ".join(result.sample_territories),
                    "organizations": result.sample_organizations,
                }
            )
        for plan in result.plans:
            figures = demo_summary(plan)
            versions = ", ".join(f"v{n} {status}" for n, status in figures["versions"])
            self.stdout.write(
                _(
                    "Sample plan %(id)s “%(title)s”: %(guidelines)s guidelines, "
                    "%(actions)s actions, %(indicators)s indicators (%(versions)s)."
                )
                % {**figures, "id": plan.pk, "title": plan.title, "versions": versions}
            )
        if result.accounts:
            self.stdout.write(
                _("Demo accounts created (development only), password: %(password)s")
                % {"password": DEMO_PASSWORD}
            )
            for email in result.accounts:
                self.stdout.write(f"  {email}")
        elif not with_accounts:
            self.stdout.write(_("No demo accounts: they are only created when DEBUG is on."))
        if result.created:
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded.")))
