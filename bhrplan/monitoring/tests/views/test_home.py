import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_each_persona_their_monitoring_links(persona_clients, reporting_plan):
    url = reverse("monitoring:home")
    coordinator = persona_clients["coordinator"].get(url).content.decode()
    assert reverse("monitoring:review_queue", args=[reporting_plan.pk]) in coordinator
    assert reverse("monitoring:period_list", args=[reporting_plan.pk]) in coordinator
    focal = persona_clients["focal_point"].get(url).content.decode()
    assert reverse("monitoring:task_list", args=[reporting_plan.pk]) in focal
    assert reverse("monitoring:review_queue", args=[reporting_plan.pk]) not in focal
    committee = persona_clients["committee_member"].get(url).content.decode()
    assert reverse("monitoring:review_queue", args=[reporting_plan.pk]) in committee
    assert reverse("monitoring:period_list", args=[reporting_plan.pk]) not in committee
    outsider = persona_clients["outsider"].get(url)
    assert outsider.status_code == 200
    assert reporting_plan.title not in outsider.content.decode()
    response = persona_clients["anonymous"].get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert persona_clients["coordinator"].post(url).status_code == 405


def test_it_lists_plans_in_few_queries(
    persona_clients, reporting_plan, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        persona_clients["committee_member"].get(reverse("monitoring:home"))
