"""Background work of monitoring, run by the tasks framework's worker
(`python manage.py db_worker`)."""

from django_tasks import task

from bhrplan.monitoring import services


@task()
def send_report_reminders() -> int:
    """E-mail focal points about reports due soon or overdue (each reminder once)."""
    return services.reminders_send()
