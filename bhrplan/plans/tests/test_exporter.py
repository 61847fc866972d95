import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from bhrplan.conftest import build_plan_tree
from bhrplan.frameworks.models import Provision, Theme
from bhrplan.plans import services
from bhrplan.plans.exporter import content_type_for, export_version, filename_for, matrix_rows
from bhrplan.plans.importer import matrix_parse, matrix_save
from bhrplan.plans.selectors import version_latest_published, version_tree, version_working


def snapshot(version):
    """The whole tree as plain values, without ids and uids, to compare two plans."""
    node = ("code", "title", "title_en", "description", "description_en")
    out = []
    for g in version_tree(version):
        objectives = []
        for o in g.objectives.all():
            actions = []
            for a in o.actions.all():
                actions.append(
                    {
                        **{
                            f: getattr(a, f)
                            for f in (*node, "kind", "start_date", "end_date", "budget")
                        },
                        "lead": a.lead.name if a.lead else None,
                        "co": [c.name for c in a.co_responsible.all()],
                        "provisions": sorted(p.code for p in a.provisions.all()),
                        "themes": sorted(t.slug for t in a.themes.all()),
                        "approaches": sorted(x.slug for x in a.approaches.all()),
                        "indicators": [
                            {
                                f: getattr(i, f)
                                for f in (
                                    "name",
                                    "name_en",
                                    "unit",
                                    "direction",
                                    "baseline_value",
                                    "baseline_year",
                                    "target_value",
                                    "target_year",
                                    "data_source",
                                )
                            }
                            for i in a.indicators.all()
                        ],
                    }
                )
            objectives.append({**{f: getattr(o, f) for f in node}, "actions": actions})
        out.append({**{f: getattr(g, f) for f in node}, "objectives": objectives})
    return out


@pytest.fixture
def rich_plan(plan, lead_org, other_org, stakeholder_org):
    build_plan_tree(plan, lead_org, [other_org, stakeholder_org], indicators=2)
    guideline = services.guideline_create(
        plan=plan,
        actor=None,
        title="=Lineamiento con fórmula",
        description="Texto; con, signos",
        description_en="Text",
        title_en="+Guideline",
    )
    objective = services.objective_create(
        guideline=guideline,
        actor=None,
        title="-Objetivo",
        title_en="Objective",
        description="Desc",
        description_en="Desc EN",
    )
    action = services.action_create(
        objective=objective,
        actor=None,
        title="@Acción sin indicador",
        kind="remedy",
        description="Descripción\nen dos líneas",
        description_en="Two lines",
        provisions=[Provision.objects.get(code="UNGP-25"), Provision.objects.get(code="SDG-16.3")],
        themes=[Theme.objects.get(slug="children")],
        budget=Decimal("1234.56"),
    )
    other = services.action_create(
        objective=objective,
        actor=None,
        title="Acción con indicadores variados",
        kind="mitigate",
        lead=other_org,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 6, 30),
    )
    services.indicator_create(
        action=other,
        actor=None,
        name="Quejas pendientes",
        unit="quejas",
        direction="decrease",
        baseline_value=Decimal("12.5"),
        baseline_year=2024,
        target_value=Decimal("0.25"),
        target_year=2028,
        data_source="Registro administrativo",
    )
    services.indicator_create(
        action=other,
        actor=None,
        name="Tasa estable",
        name_en="Stable rate",
        unit="%",
        direction="maintain",
        baseline_value=Decimal("3"),
        target_value=Decimal("3"),
    )
    services.indicator_create(
        action=other,
        actor=None,
        name="Sin valores",
        unit="u",
        direction="decrease",
    )
    assert action.pk
    return plan


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_exports_and_reimports_the_same_plan(rich_plan, fmt, language):
    version = version_working(rich_plan)
    with translation.override(language):
        data = export_version(version, fmt)
        parsed = matrix_parse(
            data,
            filename=f"plan.{fmt}",
            territory=rich_plan.territory,
            start_date=rich_plan.start_date,
            end_date=rich_plan.end_date,
        )
    assert [str(e) for e in parsed.errors] == []
    copy = matrix_save(parsed, territory=rich_plan.territory, title="Copia", actor=None)
    assert snapshot(version_working(copy)) == snapshot(version)


def test_it_escapes_formulas_in_spreadsheets(rich_plan):
    version = version_working(rich_plan)
    sheet = openpyxl.load_workbook(io.BytesIO(export_version(version, "xlsx"))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=Lineamiento con fórmula" in values
    assert "'@Acción sin indicador" in values
    assert "=Lineamiento con fórmula" not in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    csv_text = export_version(version, "csv").decode("utf-8-sig")
    assert "'=Lineamiento con fórmula" in csv_text
    assert "'-Objetivo" in csv_text


def test_it_keeps_numbers_and_dates_typed_in_xlsx(rich_plan):
    version = version_working(rich_plan)
    sheet = openpyxl.load_workbook(io.BytesIO(export_version(version, "xlsx"))).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert isinstance(row[header.index("Presupuesto")], int | float)
    assert row[header.index("Inicio")].year == 2025


def test_it_writes_headers_in_the_active_language(rich_plan):
    version = version_working(rich_plan)
    with translation.override("en"):
        assert matrix_rows(version)[0][:2] == ["Guideline code", "Guideline"]
    with translation.override("es"):
        assert matrix_rows(version)[0][:2] == ["Código del lineamiento", "Lineamiento estratégico"]


def test_it_exports_the_whole_tree_as_json(rich_plan):
    services.plan_publish(plan=rich_plan, actor=None)
    version = version_latest_published(rich_plan)
    data = json.loads(export_version(version, "json"))
    assert data["plan"]["territory"]["code"] == "PE"
    assert data["version"]["status"] == "published"
    first = data["guidelines"][0]["objectives"][0]["actions"][0]
    assert set(first) >= {"uid", "code", "title", "title_en", "provisions", "themes", "approaches"}
    assert first["lead"]["name"] == "Ministerio de Justicia y Derechos Humanos"
    assert "SDG-8.7" in first["provisions"]
    assert first["indicators"][0]["target_value"] == "500.0000"
    total = sum(len(o["actions"]) for g in data["guidelines"] for o in g["objectives"])
    assert total == 10


def test_it_names_files_and_content_types(rich_plan):
    version = version_working(rich_plan)
    assert filename_for(rich_plan, version, "csv") == (
        "plan-nacional-de-accion-sobre-empresas-y-derechos-humanos-v1.csv"
    )
    assert content_type_for("xlsx").endswith("spreadsheetml.sheet")
    assert content_type_for("json") == "application/json"
    with pytest.raises(ValueError):
        export_version(version, "pdf")
