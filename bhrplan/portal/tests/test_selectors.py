import pytest

from bhrplan.plans import services as plan_services
from bhrplan.portal import selectors


@pytest.mark.django_db
def test_it_returns_only_published_versions(plan_with_draft):
    assert selectors.published_version_get(plan_with_draft, None).number == 1
    assert selectors.published_version_get(plan_with_draft, "1").number == 1
    for bad in ("2", "x", "0", "-3", "1e3", str(2**40)):
        assert selectors.published_version_get(plan_with_draft, bad) is None


@pytest.mark.django_db
def test_it_never_returns_unpublished_plans(draft_only_plan, published_plan):
    assert selectors.published_plan_get(draft_only_plan.pk) is None
    assert selectors.published_plan_get(published_plan.pk) == published_plan


@pytest.mark.django_db
def test_it_finds_the_latest_published_version_of_each_plan(plan_with_draft, draft_only_plan):
    plan_services.plan_publish(plan=plan_with_draft, actor=None)
    latest = list(selectors.versions_latest_published())
    assert [(v.plan_id, v.number) for v in latest] == [(plan_with_draft.pk, 2)]


@pytest.mark.django_db
def test_it_counts_actions_per_principle_and_pillar(published_plan):
    version = selectors.published_version_get(published_plan, None)
    pillars = selectors.principle_coverage(version)
    assert [p.pillar for p in pillars] == [1, 2, 3]
    assert sum(len(p.principles) for p in pillars) == 31
    assert (pillars[0].actions, pillars[0].covered) == (8, 8)
    assert (pillars[1].actions, pillars[1].covered, pillars[1].uncovered) == (0, 0, 14)


@pytest.mark.django_db
def test_it_offers_only_filter_values_used_in_the_version(published_plan, other_org, lead_org):
    version = selectors.published_version_get(published_plan, None)
    choices = selectors.filter_choices(version)
    assert len(choices.principles) == 31
    assert [code for code, _ in choices.sdgs] == ["SDG-8", "SDG-8.7"]
    assert {int(pk) for pk, _ in choices.entities} == {lead_org.pk, other_org.pk}
    assert [value for value, _ in choices.pillars] == ["1", "2", "3"]


@pytest.mark.django_db
def test_it_groups_search_hits_by_plan(published_plan):
    groups = selectors.search_published("capacitar")
    assert [g.plan for g in groups] == [published_plan]
    assert "action" in {hit.kind for hit in groups[0].hits}
    assert selectors.search_published("   ") == []
    assert selectors.search_published("zzzzqqq") == []
