"""Queue the reminder task (for cron, e.g. once a day), or run it now with --now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bhrplan.monitoring.tasks import send_report_reminders


class Command(BaseCommand):
    help = "E-mail focal points about progress reports due soon or overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send now instead of queueing for the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = send_report_reminders.call()
            self.stdout.write(f"{sent} reminder(s) sent.")
        else:
            result = send_report_reminders.enqueue()
            self.stdout.write(
                f"Reminder task {result.id} queued; `python manage.py db_worker` runs it."
            )
