"""Benchmark: the consideration report of a consultation with 20,000 contributions.

Targets (issue 4): report page p95 ≤ 300 ms (paginated) on PostgreSQL; XLSX export ≤ 10 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhrplan .venv/bin/python bench/consultation.py

Works on a throw-away test database (test_<name>), created and dropped here.
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

CONTRIBUTIONS = int(os.environ.get("BENCH_CONTRIBUTIONS", "20000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))


def seed() -> int:
    from bhrplan.participation import services_consultations as svc
    from bhrplan.participation.models import Contribution, Gender, Response
    from bhrplan.participation.selectors_consultations import version_elements
    from bhrplan.plans import services as plan_services
    from bhrplan.territories import services as territory_services
    from bhrplan.territories.models import Organization

    country = territory_services.territory_get_or_create_from_iso(code="PE", actor=None)
    regions = [country] + [
        territory_services.territory_get_or_create_from_iso(code=code, actor=None)
        for code in ("PE-LIM", "PE-CUS", "PE-ARE", "PE-PIU", "PE-LOR")
    ]
    plan = plan_services.plan_create(
        territory=country,
        title="Plan de referencia",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    for g in range(5):
        guideline = plan_services.guideline_create(plan=plan, actor=None, title=f"Lineamiento {g}")
        for o in range(3):
            objective = plan_services.objective_create(
                guideline=guideline, actor=None, title=f"Objetivo {g}.{o}"
            )
            for a in range(4):
                plan_services.action_create(
                    objective=objective, actor=None, title=f"Acción {g}.{o}.{a}"
                )
    version = plan_services.plan_publish(plan=plan, actor=None)
    now = timezone.now()
    consultation = svc.consultation_create(
        plan=plan,
        version=version,
        title="Consulta de referencia",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        actor=None,
    )
    elements = version_elements(version)
    rng = random.Random(42)
    groups = Organization.StakeholderGroup.values
    genders = [*Gender.values, ""]
    rows = []
    for i in range(CONTRIBUTIONS):
        element = rng.choice([None, *elements])
        rows.append(
            Contribution(
                plan=plan,
                consultation=consultation,
                target_type=element.kind if element else "plan",
                target_uid=element.uid if element else None,
                text=f"Aporte {i}: " + "incluir la debida diligencia en derechos humanos. " * 8,
                declared_organization=f"Organización {i % 700}",
                stakeholder_group=rng.choice(groups),
                region=rng.choice(regions),
                gender=rng.choice(genders),
                moderation="hidden" if i % 50 == 0 else "published",
                hidden_reason="Datos personales" if i % 50 == 0 else "",
                created_at=now - timedelta(minutes=CONTRIBUTIONS - i),
            )
        )
    Contribution.objects.bulk_create(rows, batch_size=2000)
    ids = list(Contribution.objects.order_by("id").values_list("id", flat=True))
    outcomes = Response.Outcome.values
    responses = Response.objects.bulk_create(
        Response(plan=plan, outcome=outcomes[r % 4], rationale=f"Fundamento {r}. " * 10)
        for r in range(len(ids) // 5)
    )
    for r, response in enumerate(responses):
        Contribution.objects.filter(pk__in=ids[r * 4 : r * 4 + 4]).update(response=response)
    return consultation.pk


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL server: the targets are for PostgreSQL.")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        consultation_id = seed()
        print(f"Seeded {CONTRIBUTIONS} contributions in {time.perf_counter() - started:.1f} s")
        client = Client()
        url = reverse("consultations:report", args=[consultation_id])
        last = CONTRIBUTIONS // 50
        queries = [{}, {"page": 10}, {"page": last}, {"answer": "incorporated", "page": 3}]
        queries += [{"group": "company"}, {"answer": "unanswered", "page": 50}]
        client.get(url)
        if os.environ.get("BENCH_QUERIES"):
            from django.test.utils import CaptureQueriesContext

            for q in queries:
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    client.get(url, q)
                    total = (time.perf_counter() - t) * 1000
                sql_ms = sum(float(x["time"]) for x in ctx.captured_queries) * 1000
                print(f"{q}: {total:.0f} ms, {len(ctx)} queries, {sql_ms:.0f} ms in SQL")
                for x in sorted(ctx.captured_queries, key=lambda x: -float(x["time"]))[:4]:
                    print(f"   {float(x['time']) * 1000:.0f} ms  {x['sql'][:150]}")
            return
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for q in queries * 3:
                client.get(url, q)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return
        samples = []
        for i in range(REQUESTS):
            t = time.perf_counter()
            response = client.get(url, queries[i % len(queries)])
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        print(
            f"Report page: median {statistics.median(samples):.0f} ms, "
            f"p95 {p95(samples):.0f} ms over {REQUESTS} requests (target p95 ≤ 300 ms)"
        )
        t = time.perf_counter()
        xlsx = client.get(reverse("consultations:report_xlsx", args=[consultation_id]))
        seconds = time.perf_counter() - t
        assert xlsx.status_code == 200
        print(f"XLSX export: {seconds:.1f} s, {len(xlsx.content) / 1e6:.1f} MB (target ≤ 10 s)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
