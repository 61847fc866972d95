from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from bhrplan.accounts.models import Role
from bhrplan.conftest import make_user
from bhrplan.monitoring import services
from bhrplan.monitoring.models import ReminderLog
from bhrplan.monitoring.tasks import send_report_reminders
from bhrplan.monitoring.tests.conftest import make_report

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def due_soon(period):
    """The first period is due five days from 'today' (2026-03-10)."""
    period.due_date = date(2026, 3, 15)
    period.save()
    return period


TODAY = date(2026, 3, 10)


def test_it_reminds_the_focal_points_of_organisations_with_pending_reports(
    due_soon, focal_point, lead_focal, third_focal, coordinator
):
    sent = services.reminders_send(today=TODAY)
    recipients = sorted(m.to[0] for m in mail.outbox)
    # lead_org and other_org (co-responsible) have pending actions; third_org has none
    assert recipients == sorted([focal_point.email, lead_focal.email])
    assert sent == 2
    assert ReminderLog.objects.filter(kind="before_due").count() == 2


def test_it_sends_each_reminder_once(due_soon, lead_focal):
    services.reminders_send(today=TODAY)
    services.reminders_send(today=TODAY + timedelta(days=1))
    assert len(mail.outbox) == 1


def test_it_sends_one_overdue_reminder_after_the_due_date(due_soon, lead_focal):
    services.reminders_send(today=TODAY)
    services.reminders_send(today=date(2026, 3, 16))
    services.reminders_send(today=date(2026, 3, 17))
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].subject
    assert list(ReminderLog.objects.values_list("kind", flat=True).order_by("sent_at")) == [
        "before_due",
        "overdue",
    ]


def test_it_does_not_remind_too_early_or_when_everything_is_submitted(
    due_soon, action, plain_action, lead_org, lead_focal, settings
):
    settings.REPORT_REMINDER_DAYS = 3
    assert services.reminders_send(today=TODAY) == 0
    make_report(due_soon, action, lead_org, submit=True)
    make_report(due_soon, plain_action, lead_org, submit=True)
    assert services.reminders_send(today=date(2026, 3, 13)) == 0


def test_it_lists_only_pending_actions(due_soon, action, plain_action, lead_org, lead_focal):
    make_report(due_soon, action, lead_org, submit=True)
    services.reminders_send(today=TODAY)
    body = mail.outbox[0].body
    assert plain_action.code in body
    assert f"{action.code} " not in body


def test_it_writes_in_each_users_language(due_soon, lead_focal, focal_point):
    assert lead_focal.preferred_language == "en"
    assert focal_point.preferred_language == "es"
    services.reminders_send(today=TODAY)
    by_user = {m.to[0]: m for m in mail.outbox}
    english = by_user[lead_focal.email]
    spanish = by_user[focal_point.email]
    assert "are due on 2026-03-15" in english.body
    assert "/en/monitoring/" in english.body
    assert "/es/monitoring/" in spanish.body
    # the plan's title in the user's language (the Spanish catalog is merged by the lead)
    assert "National Action Plan on Business" in english.body
    assert "Plan Nacional de Acción sobre Empresas" in spanish.body
    assert "National Action Plan" not in spanish.body


def test_it_reaches_focal_points_with_a_territory_role(due_soon, territory, lead_org):
    user = make_user("territorial@minjus.example")
    Role.objects.create(
        user=user, kind=Role.Kind.FOCAL_POINT, territory=territory, organization=lead_org
    )
    services.reminders_send(today=TODAY)
    assert user.email in [m.to[0] for m in mail.outbox]


def test_it_runs_as_a_task(due_soon, lead_focal, settings, monkeypatch):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(services, "timezone", _FixedNow)
    result = send_report_reminders.enqueue()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_the_command_enqueues_or_runs_now(due_soon, lead_focal, settings, monkeypatch, capsys):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(services, "timezone", _FixedNow)
    call_command("send_reminders", "--now")
    assert "1 reminder(s) sent" in capsys.readouterr().out
    call_command("send_reminders")
    assert "queued" in capsys.readouterr().out
    assert len(mail.outbox) == 1


class _FixedNow:
    """timezone stand-in: 'today' is TODAY."""

    @staticmethod
    def localdate():
        return TODAY

    @staticmethod
    def now():
        from django.utils import timezone

        return timezone.now()


def test_it_retries_a_reminder_whose_email_failed(due_soon, lead_focal, focal_point, monkeypatch):
    calls = []

    def failing(subject, body, sender, recipients):
        calls.append(recipients[0])
        if recipients[0] == lead_focal.email:
            raise OSError("SMTP down")
        mail.outbox.append(recipients[0])

    monkeypatch.setattr(services, "send_mail", failing)
    assert services.reminders_send(today=TODAY) == 1  # the other focal point still gets it
    assert not ReminderLog.objects.filter(user=lead_focal).exists()
    monkeypatch.undo()
    assert services.reminders_send(today=TODAY) == 1
    assert ReminderLog.objects.filter(user=lead_focal).exists()
