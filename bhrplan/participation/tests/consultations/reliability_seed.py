"""Prepare the database of the reliability test: a published plan and an open consultation.

Run in a separate process against the server's database: prints the consultation id.
"""

from datetime import date, timedelta

import django


def seed() -> int:
    from django.utils import timezone

    from bhrplan.participation import services_consultations as svc
    from bhrplan.plans import services as plan_services
    from bhrplan.territories import services as territory_services

    territory = territory_services.territory_get_or_create_from_iso(code="PE", actor=None)
    plan = plan_services.plan_create(
        territory=territory,
        title="Plan de prueba de carga",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    guideline = plan_services.guideline_create(plan=plan, actor=None, title="Lineamiento 1")
    objective = plan_services.objective_create(guideline=guideline, actor=None, title="Objetivo")
    plan_services.action_create(objective=objective, actor=None, title="Acción 1.1.1")
    version = plan_services.plan_publish(plan=plan, actor=None)
    now = timezone.now()
    consultation = svc.consultation_create(
        plan=plan,
        version=version,
        title="Consulta de carga",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        actor=None,
    )
    return consultation.pk


if __name__ == "__main__":
    django.setup()
    print(seed())
