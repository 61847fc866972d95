"""`manage.py import_plan FILE --territory PE --title "…"`: import a plan matrix, all or nothing."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bhrplan.lib.tabular import TabularError
from bhrplan.plans.importer import matrix_parse, matrix_save
from bhrplan.territories.services import territory_get_or_create_from_iso


def _date(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = "Import a plan matrix (XLSX or CSV) as a new plan. Nothing is saved on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--territory", required=True, help="ISO 3166 code, e.g. PE or CO-ANT")
        parser.add_argument("--title", required=True)
        parser.add_argument("--title-en", default="")
        parser.add_argument("--start", type=_date, help="plan start, yyyy-mm-dd")
        parser.add_argument("--end", type=_date, help="plan end, yyyy-mm-dd")
        parser.add_argument("--create-organizations", action="store_true")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        try:
            territory = territory_get_or_create_from_iso(code=options["territory"], actor=None)
            parsed = matrix_parse(
                path.read_bytes(),
                filename=path.name,
                territory=territory,
                create_organizations=options["create_organizations"],
                start_date=options["start"],
                end_date=options["end"],
            )
        except (TabularError, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if not parsed.ok:
            for error in parsed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)s problem found; nothing was imported.",
                    "%(count)s problems found; nothing was imported.",
                    len(parsed.errors),
                )
                % {"count": len(parsed.errors)}
            )
        counts = parsed.counts()
        summary = (
            _(
                "guidelines: %(guidelines)s, objectives: %(objectives)s, actions: %(actions)s, "
                "indicators: %(indicators)s, new organisations: %(organizations)s"
            )
            % counts
        )
        for new in parsed.new_organizations:
            self.stdout.write(_("New organisation: %(name)s") % {"name": new.name})
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run, nothing saved. It would create %(summary)s.") % {"summary": summary}
            )
            return
        plan = matrix_save(
            parsed,
            territory=territory,
            title=options["title"],
            title_en=options["title_en"],
            actor=None,
            publish=options["publish"],
        )
        self.stdout.write(
            _("Created plan %(id)s (%(title)s) with %(summary)s.")
            % {"id": plan.pk, "title": plan.title, "summary": summary}
        )
