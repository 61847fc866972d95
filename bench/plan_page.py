"""Benchmark of the public plan page on a plan of 1,000 actions and 3,000 indicators.

Builds the plan in a throw-away test database (SQLite in memory, or `test_<name>` on
PostgreSQL when DATABASE_URL is set) through the bulk tree service, publishes it, then
requests the public plan page (unfiltered and filtered), the coverage page and one
action page with Django's test client. Reports SQL queries and the median render time.

    .venv/bin/python bench/plan_page.py [--requests 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/plan_page.py
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402

GUIDELINES, OBJECTIVES, ACTIONS, INDICATORS = 10, 5, 20, 3  # 10 × 5 × 20 = 1,000 actions


def build_plan():
    from bhrplan.frameworks.models import Approach, Provision, Theme
    from bhrplan.frameworks.services import catalogs_load
    from bhrplan.plans import services as plan_services
    from bhrplan.territories import services as territory_services

    catalogs_load()
    territory = territory_services.territory_get_or_create_from_iso(code="PE", actor=None)
    orgs = [
        territory_services.organization_create(
            territory=territory,
            name=f"Ministerio de Prueba {n}",
            stakeholder_group="public_authority",
            actor=None,
        )
        for n in range(30)
    ]
    ungp = list(Provision.objects.ungp_principles().order_by("sort_key"))
    sdg = list(Provision.objects.sdg_targets().order_by("sort_key"))
    themes, approaches = list(Theme.objects.all()), list(Approach.objects.all())
    plan = plan_services.plan_create(
        territory=territory,
        title="Plan de referencia de mil acciones",
        title_en="Benchmark plan of a thousand actions",
        start_date=date(2025, 1, 1),
        end_date=date(2030, 12, 31),
        actor=None,
    )
    n = 0
    tree = []
    for g in range(GUIDELINES):
        objectives = []
        for o in range(OBJECTIVES):
            actions = []
            for a in range(ACTIONS):
                actions.append(
                    {
                        "title": f"Acción {g + 1}.{o + 1}.{a + 1}: fortalecer la debida diligencia",
                        "title_en": f"Action {g + 1}.{o + 1}.{a + 1}: strengthen due diligence",
                        "description": "Descripción de la acción " * 5,
                        "kind": "prevent",
                        "lead": orgs[n % len(orgs)],
                        "co_responsible": [orgs[(n + 1) % len(orgs)], orgs[(n + 2) % len(orgs)]],
                        "provisions": [ungp[n % len(ungp)], sdg[n % len(sdg)]],
                        "themes": [themes[n % len(themes)]],
                        "approaches": [approaches[n % len(approaches)]],
                        "start_date": date(2025, 3, 1),
                        "end_date": date(2028, 12, 31),
                        "budget": Decimal("125000.00"),
                        "indicators": [
                            {
                                "name": f"Indicador {i + 1} de la acción {n + 1}",
                                "unit": "personas",
                                "direction": "increase",
                                "baseline_value": Decimal(0),
                                "baseline_year": 2024,
                                "target_value": Decimal(100 + i),
                                "target_year": 2030,
                            }
                            for i in range(INDICATORS)
                        ],
                    }
                )
                n += 1
            objectives.append({"title": f"Objetivo {g + 1}.{o + 1}", "actions": actions})
        tree.append({"title": f"Lineamiento {g + 1}", "objectives": objectives})
    started = time.perf_counter()
    plan_services.version_tree_bulk_create(plan=plan, guidelines=tree, actor=None)
    plan_services.plan_publish(plan=plan, actor=None)
    return plan, orgs, time.perf_counter() - started


def measure(client, url, requests):
    reset_queries()  # the log is a bounded deque, filled while building the plan
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
    html = response.content
    return (
        len(ctx.captured_queries),
        statistics.median(timings),
        len(html),
        len(gzip.compress(html)),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from bhrplan.plans.models import Action, Indicator

        plan, orgs, build_seconds = build_plan()
        actions = Action.objects.filter(objective__guideline__version__plan=plan)
        print(f"database: {connection.vendor}")
        print(
            f"plan: {actions.count()} actions, "
            f"{Indicator.objects.filter(action__in=actions).count()} indicators "
            f"(built and published in {build_seconds:.1f} s)"
        )
        client = Client()
        plan_url = reverse("portal:plan", args=[plan.pk])
        pages = {
            "plan page": plan_url,
            "plan page, filtered": f"{plan_url}?pillar=1&entity={orgs[3].pk}",
            "coverage page": reverse("portal:coverage", args=[plan.pk]),
            "action page": reverse("portal:action", args=[plan.pk, actions.first().uid]),
        }
        print(f"{'page':<22} {'queries':>7} {'median ms':>10} {'HTML KB':>8} {'gzip KB':>8}")
        for name, url in pages.items():
            queries, median, size, zipped = measure(client, url, args.requests)
            print(
                f"{name:<22} {queries:>7} {median * 1000:>10.0f} "
                f"{size / 1024:>8.0f} {zipped / 1024:>8.0f}"
            )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
