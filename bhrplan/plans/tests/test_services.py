from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bhrplan.core.models import AuditEvent
from bhrplan.plans import services
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, PlanVersion
from bhrplan.plans.selectors import (
    version_draft,
    version_latest_published,
    version_nodes,
)
from bhrplan.plans.tests.conftest import draft_node, first


def _links(action):
    return (
        {o.pk for o in action.co_responsible.all()},
        {p.pk for p in action.provisions.all()},
        {t.pk for t in action.themes.all()},
        {a.pk for a in action.approaches.all()},
    )


@pytest.mark.django_db
def test_it_copies_a_published_tree_into_a_new_draft_keeping_uids_and_links(
    published_plan, coordinator
):
    published = version_latest_published(published_plan)
    draft = services.draft_for_edit(plan=published_plan, actor=coordinator)
    assert draft.number == 2 and draft.based_on == published
    for kind in ("guideline", "objective", "action", "indicator"):
        old = set(version_nodes(published, kind).values_list("uid", flat=True))
        new = set(version_nodes(draft, kind).values_list("uid", flat=True))
        assert old == new and old
    for action in version_nodes(published, "action"):
        copy = version_nodes(draft, "action").get(uid=action.uid)
        assert copy.pk != action.pk
        assert _links(copy) == _links(action)
        assert copy.lead_id == action.lead_id and copy.budget == action.budget


@pytest.mark.django_db
def test_it_returns_the_same_draft_when_one_exists(tree_plan, coordinator):
    first_draft = services.draft_for_edit(plan=tree_plan, actor=coordinator)
    assert services.draft_for_edit(plan=tree_plan, actor=coordinator) == first_draft
    assert PlanVersion.objects.filter(plan=tree_plan).count() == 1


@pytest.mark.django_db
def test_it_freezes_a_published_version(published_plan, coordinator):
    guideline = first(published_plan, "guideline")
    with pytest.raises(ValidationError):
        services.guideline_update(guideline=guideline, actor=coordinator, title="Otro")
    with pytest.raises(ValidationError):
        services.node_delete(node=first(published_plan, "action"), actor=coordinator)
    with pytest.raises(ValidationError):
        services.node_move(node=first(published_plan, "action"), direction="down", actor=None)
    guideline.refresh_from_db()
    assert guideline.title == "Lineamiento 1"


@pytest.mark.django_db
def test_it_edits_the_draft_copy_by_uid_and_leaves_the_published_version(
    published_plan, coordinator
):
    action = first(published_plan, "action")
    services.node_update_in_draft(
        plan=published_plan,
        node_type="action",
        uid=action.uid,
        actor=coordinator,
        title="Nuevo título",
    )
    action.refresh_from_db()
    assert action.title.startswith("Acción 1.1.1")
    assert draft_node(published_plan, "action", action.uid).title == "Nuevo título"
    assert AuditEvent.objects.filter(verb="action.updated", actor=coordinator).count() == 1


@pytest.mark.django_db
def test_it_leaves_no_draft_when_the_change_is_refused(published_plan, coordinator):
    action = first(published_plan, "action")
    with pytest.raises(ValidationError) as error:
        services.node_update_in_draft(
            plan=published_plan,
            node_type="action",
            uid=action.uid,
            actor=coordinator,
            start_date=date(2040, 1, 1),
        )
    assert "start_date" in error.value.message_dict
    assert version_draft(published_plan) is None


@pytest.mark.django_db
def test_it_adds_under_a_published_parent_by_mapping_it_into_the_draft(published_plan, coordinator):
    objective = first(published_plan, "objective")
    action = services.node_create_in_draft(
        plan=published_plan,
        node_type="action",
        parent_uid=objective.uid,
        actor=coordinator,
        title="Acción nueva",
    )
    assert action.objective.uid == objective.uid
    assert action.objective.pk != objective.pk
    assert action.objective.guideline.version.status == PlanVersion.Status.DRAFT
    assert action.code == "1.1.3"


@pytest.mark.django_db
def test_it_moves_an_objective_to_another_guideline_of_the_draft(tree_plan, coordinator):
    objective = first(tree_plan, "objective")
    target = Guideline.objects.filter(version__plan=tree_plan).order_by("position")[1]
    services.node_update_in_draft(
        plan=tree_plan,
        node_type="objective",
        uid=objective.uid,
        actor=coordinator,
        guideline_uid=target.uid,
    )
    objective.refresh_from_db()
    assert objective.guideline == target


@pytest.mark.django_db
def test_it_refuses_a_parent_from_another_plan(tree_plan, coordinator, territory, lead_org):
    other = services.plan_create(
        territory=territory,
        title="Otro plan",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 1, 1),
        actor=None,
    )
    foreign = services.guideline_create(plan=other, actor=None, title="Ajeno")
    with pytest.raises(ValidationError):
        services.node_update_in_draft(
            plan=tree_plan,
            node_type="objective",
            uid=first(tree_plan, "objective").uid,
            actor=coordinator,
            guideline_uid=foreign.uid,
        )


@pytest.mark.django_db
def test_it_moves_an_element_up_and_down_among_its_siblings(tree_plan, coordinator):
    a1, a2 = Action.objects.filter(objective=first(tree_plan, "objective")).order_by("position")
    services.node_move_in_draft(
        plan=tree_plan, node_type="action", uid=a2.uid, direction="up", actor=coordinator
    )
    ordered = list(
        Action.objects.filter(objective=a1.objective)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    assert ordered == [a2.pk, a1.pk]
    with pytest.raises(ValidationError):
        services.node_move_in_draft(
            plan=tree_plan, node_type="action", uid=a2.uid, direction="sideways", actor=coordinator
        )


@pytest.mark.django_db
def test_it_deletes_an_element_and_everything_under_it(tree_plan, coordinator):
    guideline = first(tree_plan, "guideline")
    services.node_delete_in_draft(
        plan=tree_plan, node_type="guideline", uid=guideline.uid, actor=coordinator
    )
    assert Guideline.objects.filter(version__plan=tree_plan).count() == 1
    assert Objective.objects.filter(guideline__version__plan=tree_plan).count() == 2
    assert Action.objects.filter(objective__guideline__version__plan=tree_plan).count() == 4
    assert (
        Indicator.objects.filter(action__objective__guideline__version__plan=tree_plan).count() == 4
    )


@pytest.mark.django_db
def test_it_renumbers_codes_from_the_order(tree_plan, coordinator):
    second = Guideline.objects.filter(version__plan=tree_plan).order_by("position")[1]
    services.node_move_in_draft(
        plan=tree_plan, node_type="guideline", uid=second.uid, direction="up", actor=coordinator
    )
    services.version_renumber(plan=tree_plan, actor=coordinator)
    second.refresh_from_db()
    assert second.code == "1"
    codes = sorted(
        Action.objects.filter(objective__guideline=second).values_list("code", flat=True)
    )
    assert codes == ["1.1.1", "1.1.2", "1.2.1", "1.2.2"]


@pytest.mark.django_db
def test_it_publishes_then_refuses_to_publish_again(tree_plan, coordinator):
    version = services.plan_publish(plan=tree_plan, actor=coordinator, note="  Primera  ")
    assert version.is_published and version.note == "Primera"
    assert version.published_by == coordinator
    with pytest.raises(ValidationError):
        services.plan_publish(plan=tree_plan, actor=coordinator)


@pytest.mark.django_db
def test_it_refuses_to_publish_a_plan_without_actions(plan, coordinator):
    with pytest.raises(ValidationError):
        services.plan_publish(plan=plan, actor=coordinator)


@pytest.mark.django_db
def test_it_discards_a_later_draft_but_not_the_first(published_plan, tree_plan, coordinator):
    services.draft_for_edit(plan=published_plan, actor=coordinator)
    services.draft_discard(plan=published_plan, actor=coordinator)
    assert version_draft(published_plan) is None
    assert version_latest_published(published_plan).number == 1


@pytest.mark.django_db
def test_it_refuses_to_discard_the_first_draft(tree_plan, coordinator):
    with pytest.raises(ValidationError):
        services.draft_discard(plan=tree_plan, actor=coordinator)


@pytest.mark.django_db
def test_it_refuses_a_lead_that_is_also_co_responsible(tree_plan, lead_org, coordinator):
    with pytest.raises(ValidationError) as error:
        services.node_update_in_draft(
            plan=tree_plan,
            node_type="action",
            uid=first(tree_plan, "action").uid,
            actor=coordinator,
            co_responsible=[lead_org],
        )
    assert "co_responsible" in error.value.message_dict


@pytest.mark.django_db
def test_it_refuses_a_target_against_the_direction(tree_plan, coordinator):
    with pytest.raises(ValidationError) as error:
        services.node_update_in_draft(
            plan=tree_plan,
            node_type="indicator",
            uid=first(tree_plan, "indicator").uid,
            actor=coordinator,
            direction="decrease",
            baseline_value=Decimal(10),
            target_value=Decimal(20),
        )
    assert "target_value" in error.value.message_dict


@pytest.mark.django_db
def test_it_does_not_delete_a_published_plan(published_plan, coordinator):
    with pytest.raises(ValidationError):
        services.plan_delete(plan=published_plan, actor=coordinator)


@pytest.mark.django_db
def test_it_says_when_an_element_is_not_in_the_draft(tree_plan, coordinator):
    import uuid

    with pytest.raises(ValidationError):
        services.node_delete_in_draft(
            plan=tree_plan, node_type="action", uid=uuid.uuid4(), actor=coordinator
        )
