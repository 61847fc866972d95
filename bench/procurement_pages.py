"""Benchmark of the screening result pages on a national-scale screening (not a test).

    .venv/bin/python bench/procurement_pages.py [--releases 100000] [--repeat 5]

Screens the benchmark's generated file (`var/bench/ocds-N.jsonl.gz`, made by
`bench/procurement.py` and made here if missing) into a results store once
(`var/bench/pages-N.duckdb`), then renders, through the views and their templates, the
screening page (by category, by supplier, a later page of processes, a search, one
buyer's processes), a process page and two downloads (every flag as CSV, one buyer's as
XLSX), each `--repeat` times. Prints the median and the slowest time and the size of
each response, as a Markdown table. The screening itself
is stood in for by an unsaved Screening whose results are the store: no database is read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def results_store(releases: int) -> Path:
    import procurement  # this folder's benchmark of the screening

    data = ROOT / "var" / "bench" / f"ocds-{releases}.jsonl.gz"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        procurement.generate(data, releases)
    store = data.with_name(f"pages-{releases}.duckdb")
    if not store.exists():
        command = [sys.executable, "manage.py", "screen_ocds", str(data), "--store", str(store)]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    store = results_store(opts.releases)

    import django

    django.setup()
    import duckdb
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.utils import translation

    from bhrplan.procurement import views
    from bhrplan.procurement.models import Dataset, Screening
    from bhrplan.procurement.screening.run import XLSX_MAX_ROWS

    con = duckdb.connect(str(store), read_only=True)
    ((flags, tenders),) = con.sql("SELECT count(*), count(DISTINCT ocid) FROM flags").fetchall()
    ((buyer, ocid),) = con.sql(
        "SELECT buyer, ocid FROM flags WHERE buyer IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()
    # the buyer with the most flags that an XLSX download still holds
    ((xlsx_buyer, xlsx_rows),) = con.sql(
        "SELECT buyer, count(*) AS n FROM flags WHERE buyer IS NOT NULL GROUP BY buyer "
        "HAVING n <= $most ORDER BY n DESC LIMIT 1",
        params={"most": XLSX_MAX_ROWS},
    ).fetchall()
    con.close()
    screening = Screening(
        pk=1,
        dataset=Dataset(name="Benchmark"),
        status=Screening.Status.DONE,
        store=str(store),
        summary={"flagged_items": flags, "tenders": tenders, "buyers": 0},
        coverage={"items": flags, "tenders": tenders},
    )
    views._screening_or_404 = lambda request, screening_id: screening  # type: ignore[assignment]
    views.messages.error = lambda request, message: None  # type: ignore[assignment]
    user: Any = get_user_model()(email="bench@example.org")
    factory = RequestFactory()
    pages = [
        ("screening, by category", "detail", {}),
        ("screening, by supplier", "detail", {"by": "supplier"}),
        ("screening, processes page 200", "detail", {"page": "200"}),
        ("screening, search", "detail", {"q": "informaticos"}),
        ("screening, one buyer", "detail", {"by": "buyer", "value": buyer}),
        ("process page", "tender", {"ocid": ocid}),
        ("CSV of every flag", "csv", {}),
        (f"XLSX of one buyer ({xlsx_rows:,} flags)", "xlsx", {"by": "buyer", "value": xlsx_buyer}),
    ]
    print(f"{flags:,} flags in {tenders:,} processes ({opts.releases:,} releases)\n")
    print("| page | median ms | slowest ms | KB |")
    print("| --- | ---: | ---: | ---: |")
    translation.activate("es")
    for label, view, params in pages:
        times = []
        for _ in range(opts.repeat):
            request = factory.get("/", params)
            request.user = user
            started = time.perf_counter()
            if view == "detail":
                response = views.screening_detail(request, 1)
            elif view == "tender":
                response = views.screening_tender(request, 1)
            else:
                response = views.screening_export(request, 1, view)
            body = b"".join(response) if response.streaming else response.content
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        size = len(body) / 1024
        print(f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} | {size:.0f} |")


if __name__ == "__main__":
    main()
