from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bhrplan.conftest import build_plan_tree
from bhrplan.frameworks.models import Provision
from bhrplan.plans import services
from bhrplan.plans.diff import ADDED, CHANGED, REMOVED, version_diff
from bhrplan.plans.models import Action, Objective
from bhrplan.plans.selectors import version_draft, version_latest_published
from bhrplan.plans.tests.conftest import first


def _versions(plan):
    return version_latest_published(plan), version_draft(plan)


def _by_status(changes):
    return {c.status: c for c in changes}


@pytest.mark.django_db
def test_it_finds_no_difference_in_a_fresh_draft(published_plan, coordinator):
    services.draft_for_edit(plan=published_plan, actor=coordinator)
    diff = version_diff(*_versions(published_plan))
    assert diff.is_empty
    assert diff.counts()["actions"] == {ADDED: 0, REMOVED: 0, CHANGED: 0}


@pytest.fixture
def english():
    """These tests read the diff's labels and codes in English."""
    with translation.override("en"):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_it_lists_actions_added_removed_and_changed_field_by_field(
    published_plan, coordinator, stakeholder_org
):
    plan = published_plan
    a1 = first(plan, "action")
    removed = Action.objects.filter(objective__guideline__version__plan=plan).order_by("code")[1]
    services.node_update_in_draft(
        plan=plan,
        node_type="action",
        uid=a1.uid,
        actor=coordinator,
        title="Capacitar a jueces",
        lead=stakeholder_org,
        budget=Decimal("2000.50"),
        provisions=[Provision.objects.get(code="UNGP-25")],
    )
    services.node_delete_in_draft(plan=plan, node_type="action", uid=removed.uid, actor=coordinator)
    added = services.node_create_in_draft(
        plan=plan,
        node_type="action",
        parent_uid=first(plan, "objective").uid,
        actor=coordinator,
        title="Acción nueva",
    )
    diff = version_diff(*_versions(plan))
    statuses = {(c.status, c.node.uid) for c in diff.actions}
    assert statuses == {(CHANGED, a1.uid), (REMOVED, removed.uid), (ADDED, added.uid)}
    changed = _by_status(diff.actions)[CHANGED]
    fields = {str(f.label): (f.old, f.new) for f in changed.fields}
    assert fields["title"] == (a1.title, "Capacitar a jueces")
    assert fields["lead entity"][1] == stakeholder_org.name
    assert fields["budget"][1].startswith("2")
    assert fields["UNGP principles"] == ("UNGP 1", "UNGP 25")
    assert fields["SDG targets"] == ("SDG 8.7", "")
    assert "kind of action" not in fields
    assert diff.counts()["actions"] == {ADDED: 1, REMOVED: 1, CHANGED: 1}
    assert not diff.guidelines and not diff.objectives


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_it_reports_an_action_moved_to_another_objective(published_plan, coordinator):
    plan = published_plan
    action = first(plan, "action")
    target = Objective.objects.filter(guideline__version__plan=plan).order_by("code").last()
    services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=coordinator, objective_uid=target.uid
    )
    (change,) = version_diff(*_versions(plan)).actions
    assert change.status == CHANGED
    assert [str(f.label) for f in change.fields] == ["objective"]
    assert change.fields[0].new.startswith(target.code)


@pytest.mark.django_db
def test_it_lists_the_indicators_of_an_action(published_plan, coordinator):
    plan = published_plan
    action = first(plan, "action")
    indicator = action.indicators.get()
    services.node_update_in_draft(
        plan=plan,
        node_type="indicator",
        uid=indicator.uid,
        actor=coordinator,
        target_value=Decimal(800),
    )
    services.node_create_in_draft(
        plan=plan, node_type="indicator", parent_uid=action.uid, actor=coordinator,
        name="Guías publicadas", unit="guías",
    )  # fmt: skip
    published = version_latest_published(plan)
    other = Action.objects.filter(objective__guideline__version=published).order_by("code")[1]
    services.node_delete_in_draft(
        plan=plan, node_type="indicator", uid=other.indicators.get().uid, actor=coordinator
    )
    diff = version_diff(*_versions(plan))
    changes = {c.node.uid: c for c in diff.actions}
    assert changes[action.uid].fields == []
    indicators = _by_status(changes[action.uid].indicators)
    assert indicators[CHANGED].fields[0].new == "800"
    assert indicators[ADDED].title == "Guías publicadas"
    assert _by_status(changes[other.uid].indicators)[REMOVED].node.uid == other.indicators.get().uid


@pytest.mark.django_db
def test_it_reports_guidelines_and_objectives(published_plan, coordinator):
    plan = published_plan
    guideline = first(plan, "guideline")
    services.node_update_in_draft(
        plan=plan, node_type="guideline", uid=guideline.uid, actor=coordinator, code="A"
    )
    services.node_create_in_draft(
        plan=plan, node_type="objective", parent_uid=guideline.uid, actor=coordinator, title="Nuevo"
    )
    diff = version_diff(*_versions(plan))
    assert [(c.status, c.fields[0].old, c.fields[0].new) for c in diff.guidelines] == [
        (CHANGED, "1", "A")
    ]
    assert [c.status for c in diff.objectives] == [ADDED]


@pytest.mark.django_db
def test_it_compares_in_a_fixed_number_of_queries(plan, lead_org, other_org, coordinator):
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=2)
    services.plan_publish(plan=plan, actor=coordinator, note="v1")
    services.draft_for_edit(plan=plan, actor=coordinator)
    with CaptureQueriesContext(connection) as small:
        version_diff(*_versions(plan))
    services.draft_discard(plan=plan, actor=coordinator)
    draft = services.draft_for_edit(plan=plan, actor=coordinator)
    objective = Objective.objects.filter(guideline__version=draft).get()
    for n in range(15):
        services.action_create(
            objective=objective, actor=None, title=f"Extra {n}", lead=lead_org,
            co_responsible=[other_org], start_date=date(2026, 1, 1),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        diff = version_diff(*_versions(plan))
    assert len(diff.actions) == 15
    assert len(large) == len(small)
