"""Actions cite procurement screenings; indicators take a figure from a cited screening."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import translation

from bhrplan.accounts.models import Role
from bhrplan.conftest import make_user
from bhrplan.plans import services
from bhrplan.plans.diff import CHANGED, version_diff
from bhrplan.plans.exporter import export_version, matrix_rows
from bhrplan.plans.importer import matrix_parse, matrix_save
from bhrplan.plans.models import Action
from bhrplan.plans.selectors import version_draft, version_latest_published, version_nodes
from bhrplan.plans.tests.conftest import first
from bhrplan.procurement.tests.conftest import finished_screening
from bhrplan.territories import services as territory_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(territory, coordinator):
    return finished_screening(territory, coordinator)


def cite(plan, action, screenings, actor):
    return services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=actor, screenings=screenings
    )


def link_indicator(plan, action, screening, actor, role="denominator", metric="flagged_contracts"):
    indicator = version_nodes(version_draft(plan), "indicator").filter(action__uid=action.uid)[0]
    return services.indicator_update(
        indicator=indicator,
        actor=actor,
        screening=screening,
        screening_metric=metric,
        screening_role=role,
    )


def test_it_cites_a_screening_and_keeps_it_in_the_next_version(
    published_plan, coordinator, screening
):
    action = first(published_plan, "action")
    cited = cite(published_plan, action, [screening], coordinator)
    assert list(cited.screenings.all()) == [screening]
    indicator = link_indicator(published_plan, action, screening, coordinator)
    assert indicator.screening_figure == 13 and indicator.is_screening_denominator
    services.plan_publish(plan=published_plan, actor=coordinator, note="v2")
    draft = services.draft_for_edit(plan=published_plan, actor=coordinator)
    copy = version_nodes(draft, "action").get(uid=action.uid)
    assert copy.pk != cited.pk and list(copy.screenings.all()) == [screening]
    indicator_copy = copy.indicators.get(uid=indicator.uid)
    assert (indicator_copy.screening, indicator_copy.screening_metric) == (
        screening,
        "flagged_contracts",
    )
    assert indicator_copy.screening_role == "denominator"


def test_it_shows_the_citation_in_the_version_diff(published_plan, coordinator, screening):
    action = first(published_plan, "action")
    cite(published_plan, action, [screening], coordinator)
    link_indicator(published_plan, action, screening, coordinator, role="figure")
    with translation.override("en"):
        diff = version_diff(version_latest_published(published_plan), version_draft(published_plan))
        change = next(c for c in diff.actions if c.node.uid == action.uid)
        assert change.status == CHANGED
        fields = {str(f.label): f for f in change.fields}
        cited = fields["procurement screenings cited"]
        assert cited.old == "" and cited.new.startswith("Compras públicas 2024 (OCDS), screened on")
        (indicator,) = change.indicators
        (figure,) = indicator.fields
        assert str(figure.label) == "figure from a procurement screening"
        assert "Flagged contracts" in figure.new and "screening's figure" in figure.new


def test_it_refuses_screenings_one_may_not_cite(
    published_plan, coordinator, outsider, other_territory, territory
):
    action = first(published_plan, "action")
    colombian = finished_screening(other_territory, outsider, name="Colombia")
    running = finished_screening(territory, coordinator, finish=False)
    failed = finished_screening(territory, coordinator, error="ValueError: boom")
    for screening in (colombian, running, failed):
        with pytest.raises(ValidationError) as error:
            cite(published_plan, action, [screening], coordinator)
        assert "screenings" in error.value.message_dict
    assert version_draft(published_plan) is None  # a refused change leaves no draft


def test_it_keeps_citations_the_editor_may_not_see(tree_plan, coordinator, territory, screening):
    """A coordinator of the plan only (not of the territory) may not see its screenings."""
    plan_coordinator = make_user("plan.coordinator@example.org")
    Role.objects.create(user=plan_coordinator, kind=Role.Kind.COORDINATOR, plan=tree_plan)
    action = first(tree_plan, "action")
    cite(tree_plan, action, [screening], coordinator)
    services.node_update_in_draft(
        plan=tree_plan,
        node_type="action",
        uid=action.uid,
        actor=plan_coordinator,
        screenings=[],
        title="Nuevo título",
    )
    action.refresh_from_db()
    assert action.title == "Nuevo título" and list(action.screenings.all()) == [screening]
    with pytest.raises(ValidationError):
        cite(tree_plan, action, [screening], plan_coordinator)
    cite(tree_plan, action, [], coordinator)
    assert not action.screenings.exists()


def test_it_refuses_to_drop_a_screening_an_indicator_uses(tree_plan, coordinator, screening):
    action = first(tree_plan, "action")
    cite(tree_plan, action, [screening], coordinator)
    link_indicator(tree_plan, action, screening, coordinator)
    with pytest.raises(ValidationError) as error:
        cite(tree_plan, action, [], coordinator)
    assert "cambie primero el indicador" in str(error.value)  # plans tests run in Spanish
    assert list(action.screenings.all()) == [screening]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"screening_metric": "flagged_processes", "screening_role": "figure"}, "screening"),
        ({"cited": True, "screening_role": "figure"}, "screening_metric"),
        ({"cited": True, "screening_metric": "flagged_buyers"}, "screening_role"),
        (
            {"cited": True, "screening_metric": "flagged_share", "screening_role": "denominator"},
            "screening_metric",
        ),
        (
            {"uncited": True, "screening_metric": "flagged_buyers", "screening_role": "figure"},
            "screening",
        ),
    ],
)
def test_it_checks_how_an_indicator_uses_a_screening(
    tree_plan, coordinator, screening, territory, fields, field
):
    action = first(tree_plan, "action")
    cite(tree_plan, action, [screening], coordinator)
    other = finished_screening(territory, coordinator, name="Otra")
    if fields.pop("cited", False):
        fields["screening"] = screening
    if fields.pop("uncited", False):
        fields["screening"] = other
    indicator = action.indicators.get()
    with pytest.raises(ValidationError) as error:
        services.indicator_update(indicator=indicator, actor=coordinator, **fields)
    assert field in error.value.message_dict


def test_it_checks_an_n_of_n_value(tree_plan, coordinator, screening):
    action = first(tree_plan, "action")
    cite(tree_plan, action, [screening], coordinator)
    indicator = link_indicator(tree_plan, action, screening, coordinator)
    assert indicator.screening_value_errors(Decimal("13")) == []
    assert indicator.screening_value_errors(Decimal("0")) == []
    with translation.override("en"):
        assert "more than" in indicator.screening_value_errors(Decimal("14"))[0]
        assert "whole number" in indicator.screening_value_errors(Decimal("2.5"))[0]


def test_it_cites_in_a_bulk_import_and_protects_a_cited_screening(
    tree_plan, coordinator, screening
):
    services.version_tree_bulk_create(
        plan=tree_plan,
        actor=coordinator,
        guidelines=[
            {
                "title": "Compras públicas",
                "objectives": [
                    {
                        "title": "Debida diligencia",
                        "actions": [{"title": "Cláusulas", "screenings": [screening]}],
                    }
                ],
            }
        ],
    )
    imported = Action.objects.get(title="Cláusulas")
    assert list(imported.screenings.all()) == [screening]
    with pytest.raises(ProtectedError):
        screening.delete()


def test_it_refuses_a_citation_from_another_territory_in_a_bulk_import(
    tree_plan, coordinator, outsider, other_territory
):
    colombian = finished_screening(other_territory, outsider, name="Colombia")
    with pytest.raises(ValidationError):
        services.version_tree_bulk_create(
            plan=tree_plan,
            actor=coordinator,
            guidelines=[
                {
                    "title": "G",
                    "objectives": [
                        {"title": "O", "actions": [{"title": "A", "screenings": [colombian]}]}
                    ],
                }
            ],
        )
    assert not Action.objects.filter(title="A").exists()


def test_it_cites_a_screening_of_the_parent_territory_in_a_regional_plan(coordinator, screening):
    region = territory_services.territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    plan = services.plan_create(
        territory=region,
        title="Plan regional",
        start_date=date(2025, 1, 1),
        end_date=date(2028, 12, 31),
        actor=coordinator,
    )
    guideline = services.guideline_create(plan=plan, actor=coordinator, title="G")
    objective = services.objective_create(guideline=guideline, actor=coordinator, title="O")
    action = services.action_create(
        objective=objective, actor=coordinator, title="A", screenings=[screening]
    )
    assert list(action.screenings.all()) == [screening]


def test_it_exports_citations_as_public_figures_in_json_but_not_in_the_matrix(
    published_plan, coordinator, screening
):
    action = first(published_plan, "action")
    cite(published_plan, action, [screening], coordinator)
    link_indicator(published_plan, action, screening, coordinator)
    version = version_draft(published_plan)
    data = json.loads(export_version(version, "json"))
    exported = data["guidelines"][0]["objectives"][0]["actions"][0]
    assert exported["uid"] == str(action.uid)
    assert exported["procurement_screenings"] == [
        {
            "dataset": "Compras públicas 2024 (OCDS)",
            "screened_on": screening.figures.screened_on.isoformat(),
            "processes_screened": 11,
            "flagged_processes": 9,
            "flagged_share": "81.8",
        }
    ]
    figure = exported["indicators"][0]["screening_figure"]
    assert figure["metric"] == "flagged_contracts" and figure["value"] == "13"
    assert figure["use"] == "denominator"
    # The matrix carries no citation: it exports and imports back as before, without it.
    cells = [str(c) for row in matrix_rows(version) for c in row]
    assert not [c for c in cells if "Compras públicas" in c or "screening" in c.lower()]
    for fmt in ("xlsx", "csv"):
        parsed = matrix_parse(
            export_version(version, fmt),
            filename=f"plan.{fmt}",
            territory=published_plan.territory,
            start_date=published_plan.start_date,
            end_date=published_plan.end_date,
        )
        assert [str(e) for e in parsed.errors] == []
    copy = matrix_save(parsed, territory=published_plan.territory, title="Copia", actor=None)
    assert not Action.objects.filter(objective__guideline__version__plan=copy).filter(
        screenings__isnull=False
    )
