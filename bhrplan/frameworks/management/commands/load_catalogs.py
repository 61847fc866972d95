from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bhrplan.frameworks.services import catalogs_load


class Command(BaseCommand):
    help = "Load or update the reference catalogs (UNGPs, SDGs, themes, approaches). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = catalogs_load()
        self.stdout.write(
            _(
                "Catalogs loaded: %(principles)s principles, %(goals)s goals, %(targets)s targets, "
                "%(themes)s themes, %(approaches)s approaches."
            )
            % vars(result)
        )
