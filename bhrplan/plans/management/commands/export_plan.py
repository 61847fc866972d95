"""`manage.py export_plan PLAN_ID --format xlsx -o FILE`: the plan matrix or its JSON tree."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bhrplan.plans.exporter import FORMATS, export_version
from bhrplan.plans.models import Plan
from bhrplan.plans.selectors import version_draft, version_latest_published


class Command(BaseCommand):
    help = "Export a plan version as XLSX, CSV or JSON (default: latest published, else draft)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version (the plan version) replaces Django's --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--version", dest="version_number", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(_("There is no plan %(id)s.") % {"id": options["plan_id"]})
        number = options["version_number"]
        if number is not None:
            version = plan.versions.filter(number=number).first()
        else:
            version = version_latest_published(plan) or version_draft(plan)
        if version is None:
            raise CommandError(_("The plan has no such version."))
        data = export_version(version, options["format"])
        options["output"].write_bytes(data)
        self.stdout.write(
            _("Wrote version %(number)s of plan %(id)s to %(path)s.")
            % {"number": version.number, "id": plan.pk, "path": options["output"]}
        )
