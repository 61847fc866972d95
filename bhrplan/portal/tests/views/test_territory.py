import pytest
from django.urls import reverse

from bhrplan.territories import services as territory_services


@pytest.mark.django_db
def test_it_shows_a_territory_and_its_published_plans(client, published_plan):
    response = client.get(reverse("portal:territory", args=["PE"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Perú" in html
    assert reverse("portal:plan", args=[published_plan.pk]) in html


@pytest.mark.django_db
def test_it_lists_sub_territories_with_published_plans(client, published_plan, territory):
    from datetime import date

    from bhrplan.conftest import build_plan_tree, make_org
    from bhrplan.plans import services as plan_services

    lima = territory_services.territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    org = make_org(lima, "Gobierno Regional de Lima")
    regional = plan_services.plan_create(
        territory=lima,
        title="Plan Regional de Lima",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    build_plan_tree(regional, org, guidelines=1, objectives=1, actions=1)
    plan_services.plan_publish(plan=regional, actor=None)
    html = client.get(reverse("portal:territory", args=["PE"])).content.decode()
    assert reverse("portal:territory", args=["PE-LIM"]) in html
    html = client.get(reverse("portal:territory", args=["pe-lim"])).content.decode()
    assert "Plan Regional de Lima" in html
    assert reverse("portal:territory", args=["PE"]) in html  # breadcrumb to the parent


@pytest.mark.django_db
def test_it_hides_territories_without_published_plans(client, draft_only_plan):
    assert client.get(reverse("portal:territory", args=["CO"])).status_code == 404
    assert client.get(reverse("portal:territory", args=["ZZ-NOPE"])).status_code == 404
    assert client.get(reverse("portal:territory", args=["x" * 300])).status_code == 404


@pytest.mark.django_db
def test_it_shows_the_same_page_to_every_persona(persona_clients, published_plan):
    pages = {
        name: client.get(reverse("portal:territory", args=["PE"]))
        for name, client in persona_clients.items()
    }
    assert {r.status_code for r in pages.values()} == {200}
    assert all(published_plan.title in r.content.decode() for r in pages.values())


@pytest.mark.django_db
def test_it_refuses_post(client_for, outsider, published_plan):
    assert client_for(outsider).post(reverse("portal:territory", args=["PE"])).status_code == 405


@pytest.mark.django_db
def test_it_keeps_its_query_count(client, published_plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:territory", args=["PE"]))
