import pytest
from django.urls import reverse

from bhrplan.territories.models import Network


@pytest.mark.django_db
def test_it_lists_territories_with_published_plans_only(client, published_plan, draft_only_plan):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert published_plan.title in html
    assert reverse("portal:territory", args=["PE"]) in html
    assert "Plan secreto en borrador" not in html
    assert reverse("portal:territory", args=["CO"]) not in html


@pytest.mark.django_db
def test_it_shows_networks_and_the_sample_badge(client, published_plan, territory):
    network = Network.objects.create(name="Red Andina de Planes")
    network.territories.add(territory)
    published_plan.is_sample = True
    published_plan.save(update_fields=["is_sample"])
    html = client.get(reverse("portal:home")).content.decode()
    assert "Red Andina de Planes" in html
    assert 'class="badge badge-sample"' in html


@pytest.mark.django_db
def test_it_says_when_nothing_is_published(client, draft_only_plan):
    response = client.get(reverse("portal:home"))
    assert "Plan secreto" not in response.content.decode()
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_shows_the_same_public_page_to_every_persona(persona_clients, published_plan):
    for name, client in persona_clients.items():
        response = client.get(reverse("portal:home"))
        assert response.status_code == 200, name
        assert published_plan.title in response.content.decode(), name


@pytest.mark.django_db
def test_it_refuses_post(client, outsider, client_for):
    assert client.post(reverse("portal:home")).status_code == 405
    assert client_for(outsider).post(reverse("portal:home")).status_code == 405


@pytest.mark.django_db
def test_it_keeps_its_query_count(client, published_plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:home"))
