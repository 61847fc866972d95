import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from bhrplan.conftest import build_plan_tree
from bhrplan.plans import services
from bhrplan.plans.models import Plan
from bhrplan.plans.selectors import version_latest_published, version_working
from bhrplan.plans.tests.matrix_files import SPANISH_HEADER, messy_spanish_matrix, xlsx_bytes
from bhrplan.territories.models import Organization, Territory


@pytest.fixture(autouse=True)
def _english():
    """These tests read the importer's messages in English; one test checks Spanish too."""
    with translation.override("en"):
        yield


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_matrix_and_creates_the_territory(tmp_path, catalogs):
    path = tmp_path / "matriz.xlsx"
    rows = [SPANISH_HEADER[:6], ["1. L", "1.1 O", "", "Acción", "Gobierno Regional", "DIRESA"]]
    path.write_bytes(xlsx_bytes(rows))
    out, _err = run(
        "import_plan",
        str(path),
        "--territory",
        "co-ant",
        "--title",
        "Plan Antioquia",
        "--create-organizations",
        "--publish",
    )
    plan = Plan.objects.get(title="Plan Antioquia")
    assert plan.territory.code == "CO-ANT"
    assert Territory.objects.filter(code="CO").exists()
    assert version_latest_published(plan) is not None
    assert "New organisation: DIRESA" in out or "DIRESA" in out
    assert Organization.objects.filter(territory=plan.territory).count() == 2


def test_it_does_a_dry_run_without_saving(tmp_path, territory, matrix_orgs):
    path = tmp_path / "matriz.xlsx"
    path.write_bytes(messy_spanish_matrix())
    out, _err = run("import_plan", str(path), "--territory", "PE", "--title", "X", "--dry-run")
    assert "Dry run, nothing saved. It would create guidelines: 2, objectives: " in out
    assert not Plan.objects.filter(title="X").exists()
    with translation.override("es"):
        out, _err = run("import_plan", str(path), "--territory", "PE", "--title", "X", "--dry-run")
    assert "Simulación: no se guardó nada. Se crearían lineamientos: 2, objetivos: " in out


def test_it_exits_with_status_1_and_lists_every_problem(tmp_path, territory, matrix_orgs):
    path = tmp_path / "matriz.csv"
    path.write_text(
        "Lineamiento;Objetivo;Acción;Inicio;ODS\n1. L;1.1 O;A;ayer;99.99\n1. L;1.1 O;B;2025;8.7\n"
    )
    before = Plan.objects.count()
    with pytest.raises(CommandError, match="2 problems") as exc:
        run("import_plan", str(path), "--territory", "PE", "--title", "X")
    assert exc.value.returncode == 1
    assert Plan.objects.count() == before


def test_it_counts_one_problem_in_the_singular(tmp_path, territory, matrix_orgs):
    path = tmp_path / "matriz.csv"
    path.write_text("Lineamiento;Objetivo;Acción;Inicio\n1. L;1.1 O;A;ayer\n")
    with translation.override("es"), pytest.raises(CommandError) as exc:
        run("import_plan", str(path), "--territory", "PE", "--title", "X")
    assert str(exc.value) == "Se encontró 1 problema; no se importó nada."


def test_it_reports_the_rows_on_stderr(tmp_path, territory, matrix_orgs, capsys):
    path = tmp_path / "matriz.csv"
    path.write_text("Lineamiento;Objetivo;Acción;Inicio\n1. L;1.1 O;A;ayer\n")
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--territory", "PE", "--title", "X", stderr=err)
    assert "Row 2, column D (Inicio)" in err.getvalue() or "Fila 2" in err.getvalue()


def test_it_refuses_an_unreadable_file(tmp_path, territory):
    path = tmp_path / "matriz.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError):
        run("import_plan", str(path), "--territory", "PE", "--title", "X")
    with pytest.raises(CommandError):
        run("import_plan", str(tmp_path / "missing.xlsx"), "--territory", "PE", "--title", "X")
    with pytest.raises(CommandError):
        run("import_plan", str(path), "--territory", "ZZ", "--title", "X")


def test_it_exports_the_latest_published_version_else_the_draft(tmp_path, plan, lead_org):
    build_plan_tree(plan, lead_org, guidelines=1, objectives=1, actions=1)
    out_file = tmp_path / "plan.json"
    run("export_plan", str(plan.pk), "--format", "json", "-o", str(out_file))
    assert json.loads(out_file.read_bytes())["version"]["status"] == "draft"
    services.plan_publish(plan=plan, actor=None)
    services.guideline_create(plan=plan, actor=None, title="Nuevo")
    run("export_plan", str(plan.pk), "--format", "json", "-o", str(out_file))
    assert json.loads(out_file.read_bytes())["version"]["number"] == 1
    run("export_plan", str(plan.pk), "--format", "json", "-o", str(out_file), "--version", "2")
    assert json.loads(out_file.read_bytes())["version"]["number"] == 2
    assert version_working(plan).number == 2
    xlsx = tmp_path / "plan.xlsx"
    run("export_plan", str(plan.pk), "--format", "xlsx", "-o", str(xlsx))
    assert xlsx.read_bytes().startswith(b"PK")


def test_it_refuses_an_unknown_plan_or_version(tmp_path, plan):
    with pytest.raises(CommandError):
        run("export_plan", "999999", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError):
        run("export_plan", str(plan.pk), "-o", str(tmp_path / "x.csv"), "--version", "7")
