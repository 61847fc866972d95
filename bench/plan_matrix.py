"""Benchmark: import and export of a plan matrix of 1,000 actions and 3,000 indicators.

Run from the project root:

    .venv/bin/python bench/plan_matrix.py                   # SQLite (a throw-away test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/plan_matrix.py

It creates a test database (never touches your data), generates the matrix as XLSX and
CSV, then times parse + save (import) and each export format. Goals: import ≤ 10 s,
export ≤ 5 s. Not a test: the figures go into bench/README.md.
"""

import io
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

GUIDELINES, OBJECTIVES, ACTIONS, INDICATORS = 10, 5, 20, 3  # 1,000 actions, 3,000 indicators
ENTITIES = [
    ("Ministerio de Justicia y Derechos Humanos", "MINJUSDH"),
    ("Ministerio de Trabajo y Promoción del Empleo", "MTPE"),
    ("Ministerio de Energía y Minas", "MINEM"),
    ("Ministerio del Ambiente", "MINAM"),
    ("Ministerio de la Mujer y Poblaciones Vulnerables", "MIMP"),
    ("Ministerio de Cultura", "MINCUL"),
    ("Defensoría del Pueblo", "DP"),
    ("Superintendencia Nacional de Fiscalización Laboral", "SUNAFIL"),
]
THEMES = ["Mujeres", "Minería", "Trabajo infantil", "Pueblos indígenas", "informality"]
APPROACHES = ["Género", "intercultural", "Enfoque de discapacidad"]


def matrix_rows() -> list[list[object]]:
    from bhrplan.plans.importer import COLUMN_BY_KEY

    keys = [
        "guideline", "objective", "code", "action", "lead", "co_responsible", "indicator",
        "unit", "baseline", "baseline_year", "target", "target_year", "ungp", "sdg", "themes",
        "approaches", "start", "end", "budget",
    ]  # fmt: skip
    rows: list[list[object]] = [
        ["Plan de Acción sobre Empresas y Derechos Humanos — matriz generada"],
        [],
        [COLUMN_BY_KEY[k].es for k in keys],
    ]
    n = 0
    for g in range(1, GUIDELINES + 1):
        for o in range(1, OBJECTIVES + 1):
            for a in range(1, ACTIONS + 1):
                lead = ENTITIES[n % len(ENTITIES)]
                others = (ENTITIES[(n + 1) % len(ENTITIES)], ENTITIES[(n + 2) % len(ENTITIES)])
                co = f"{others[0][1]} / {others[1][1]}"
                for i in range(1, INDICATORS + 1):
                    first = i == 1
                    rows.append(
                        [
                            f"{g}. Lineamiento estratégico número {g}" if first else None,
                            f"{g}.{o} Objetivo {g}.{o}" if first else None,
                            f"{g}.{o}.{a}",
                            f"Acción {g}.{o}.{a}: fortalecer capacidades en debida diligencia",
                            lead[0].upper() if n % 3 == 0 else lead[1],
                            co,
                            f"Indicador {i} de la acción {g}.{o}.{a}",
                            "personas",
                            str(10 * i),
                            2024,
                            f"{1000 * i:,}".replace(",", "."),
                            2028,
                            f"PR {1 + n % 31}, Principio {1 + (n + 5) % 31}",
                            f"ODS 8.7; {16 if n % 2 else 12}.{3 if n % 2 else 6}",
                            "; ".join(THEMES[n % 3 : n % 3 + 2]),
                            APPROACHES[n % len(APPROACHES)],
                            f"01/0{1 + n % 9}/2025",
                            date(2027, 12, 31),
                            f"{150000 + n},50",
                        ]
                    )
                n += 1
    return rows


def to_xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(rows: list[list[object]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("cp1252")


def timed(label: str, fn, repeat: int = 3) -> tuple[object, float]:
    """Median wall-clock time of `repeat` runs, and the median CPU time of this process
    (the fairer figure on a busy shared machine; it leaves out the database server)."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    wall, cpu_median = statistics.median(walls), statistics.median(cpus)
    runs = ", ".join(f"{t:.2f}" for t in walls)
    print(f"  {label:<32} wall {wall:6.2f} s  cpu {cpu_median:6.2f} s  (wall runs: {runs})")
    return result, wall


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from django.db import transaction

    from bhrplan.frameworks.services import catalogs_load
    from bhrplan.plans.exporter import export_version
    from bhrplan.plans.importer import matrix_parse, matrix_save
    from bhrplan.plans.selectors import version_counts, version_working
    from bhrplan.territories.services import organization_create, territory_get_or_create_from_iso

    catalogs_load()
    territory = territory_get_or_create_from_iso(code="PE", actor=None)
    for name, acronym in ENTITIES:
        organization_create(
            territory=territory, name=name, acronym=acronym, stakeholder_group="public_authority",
            actor=None,
        )  # fmt: skip
    rows = matrix_rows()
    files = {"xlsx": to_xlsx(rows), "csv": to_csv(rows)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Database: {connection.vendor}; matrix rows: {len(rows) - 3}; load average {load:.1f}")
    results: dict[str, float] = {}
    plan = None
    for fmt, data in files.items():
        print(f"Import from {fmt.upper()} ({len(data) / 1024:.0f} KB):")

        def parse(data: bytes = data, fmt: str = fmt):
            return matrix_parse(data, filename=f"m.{fmt}", territory=territory)

        parsed, t_parse = timed("read + check (no writes)", parse)
        assert parsed.ok, [str(e) for e in parsed.errors[:5]]

        def save(parsed=parsed):
            with transaction.atomic():
                return matrix_save(parsed, territory=territory, title="Bench", actor=None)

        plan, t_save = timed("save (one transaction)", save)
        results[f"import_{fmt}"] = t_parse + t_save
        print(f"  {'import total':<38} {t_parse + t_save:6.2f} s   goal ≤ 10 s")
    assert plan is not None
    version = version_working(plan)
    print("Counts:", version_counts(version))
    print("Export:")
    for fmt in ("xlsx", "csv", "json"):
        _data, t = timed(f"export {fmt}", lambda fmt=fmt: export_version(version, fmt))
        results[f"export_{fmt}"] = t
    print("Goals met:", all(v <= 10 for k, v in results.items() if k.startswith("import"))
          and all(v <= 5 for k, v in results.items() if k.startswith("export")))  # fmt: skip


if __name__ == "__main__":
    main()
