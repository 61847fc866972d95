import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bhrplan.procurement.models import Screening
from bhrplan.procurement.ocds.errors import ScreeningStopped, file_error_message, stored_error
from bhrplan.procurement.screening.run import (
    BACKENDS,
    BackendUnavailable,
    run_screening,
    write_flags_csv,
)


class ProgressBar:
    """A one-line text progress bar on stderr (redrawn in place on a terminal)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        label = str(Screening.STAGE_LABELS.get(stage, stage))  # in the active language
        line = f"{label:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
            self.stream.flush()
        elif done >= total and line != self.last:
            self.stream.write(line + "\n")
        self.last = line


class Command(BaseCommand):
    help = "Screen OCDS files for human-rights risks (flags mean due diligence needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="OCDS files or directories")
        parser.add_argument(
            "--backend",
            choices=BACKENDS,
            default="duckdb",
            help="engine that runs the screening's queries (default: duckdb; pyspark needs Java)",
        )
        parser.add_argument("--out", help="write one CSV row per flagged item to this file")
        parser.add_argument(
            "--store",
            help="DuckDB file for the results (default: var/procurement/screening-<time>.duckdb)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        store = Path(
            options["store"]
            or Path(settings.VAR_DIR)
            / "procurement"
            / f"screening-{time.strftime('%Y%m%d-%H%M%S')}.duckdb"
        )
        bar = ProgressBar(sys.stderr)
        try:
            result = run_screening(
                options["paths"], store, backend=options["backend"], progress=bar
            )
        except BackendUnavailable as exc:
            raise CommandError(str(exc)) from exc
        except ScreeningStopped as exc:
            raise CommandError(exc.problem.message()) from exc

        for report in result.failed_files:
            error = file_error_message(stored_error(report))
            self.stderr.write(
                _("Skipped %(path)s: %(error)s") % {"path": report.label, "error": error}
            )
        cov = result.coverage
        items = cov["items"] or 1

        def share(key: str) -> str:
            return f"{cov[key]} ({100 * cov[key] / items:.0f}%)"

        ok_files = len(result.files) - len(result.failed_files)
        self.stdout.write(
            _("Files read: %(ok)s; skipped: %(failed)s.")
            % {"ok": ok_files, "failed": len(result.failed_files)}
        )
        self.stdout.write(
            _("Coverage: %(items)s in %(tenders)s.")
            % {"items": _items(cov["items"]), "tenders": _processes(cov["tenders"])}
        )
        if cov.get("titles_only"):
            self.stdout.write(
                ngettext(
                    "%(count)s more process lists no items: its titles were screened instead "
                    "(low confidence).",
                    "%(count)s more processes list no items: their titles were screened instead "
                    "(low confidence).",
                    cov["titles_only"],
                )
                % {"count": cov["titles_only"]}
            )
        if cov.get("without_items"):
            self.stdout.write(
                ngettext(
                    "%(count)s more process was read that lists no items and no title to screen "
                    "(in its tender, awards or contracts).",
                    "%(count)s more processes were read that list no items and no title to "
                    "screen (in their tender, awards or contracts).",
                    cov["without_items"],
                )
                % {"count": cov["without_items"]}
            )
        if cov.get("undated") or cov.get("conflicting"):
            self.stdout.write(
                _(
                    "Processes merged with a workaround: %(undated)s with releases without a "
                    "date (put first), %(conflicting)s with releases that disagree on the shape "
                    "of a field (the latest release is used alone)."
                )
                % {"undated": cov["undated"], "conflicting": cov["conflicting"]}
            )
        for key, label in (
            ("with_classification", _("with a usable classification code")),
            ("unspsc", _("UNSPSC scheme")),
            ("dncp", _("DNCP catalogue scheme")),
            ("cpv", _("CPV scheme")),
            ("other_scheme", _("other scheme")),
            ("with_description", _("with a description")),
            ("with_supplier_id", _("with supplier identifiers")),
            ("with_country", _("with a supplier country")),
        ):
            self.stdout.write(f"  {label}: {share(key)}")
        summ = result.summary
        self.stdout.write(
            _(
                "Flagged (due diligence needed, not a finding of abuse): %(items)s in "
                "%(tenders)s of %(buyers)s."
            )
            % {
                "items": _items(summ["flagged_items"]),
                "tenders": _processes(summ["tenders"]),
                "buyers": _buyers(summ["buyers"]),
            }
        )
        self.stdout.write(_("Results stored in %(path)s") % {"path": result.store})
        if options["out"]:
            count = write_flags_csv(result.store, Path(options["out"]))
            self.stdout.write(
                ngettext(
                    "%(count)s row written to %(path)s", "%(count)s rows written to %(path)s", count
                )
                % {"count": count, "path": options["out"]}
            )
        if result.files and len(result.failed_files) == len(result.files):
            # Nothing could be read: a failure for scripts too (exit status 1).
            raise CommandError(_("No file could be read: every file was skipped."))


def _items(count: int) -> str:
    return ngettext("%(counter)s item", "%(counter)s items", count) % {"counter": count}


def _processes(count: int) -> str:
    return ngettext("%(counter)s process", "%(counter)s processes", count) % {"counter": count}


def _buyers(count: int) -> str:
    return ngettext("%(counter)s buyer", "%(counter)s buyers", count) % {"counter": count}
