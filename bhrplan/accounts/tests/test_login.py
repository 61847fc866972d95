import pytest
from django.urls import reverse

from bhrplan.conftest import PASSWORD


@pytest.mark.django_db
def test_it_signs_in_with_email_case_insensitively(client, coordinator):
    response = client.post(
        reverse("accounts:login"), {"username": "COORDINADORA@minjus.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


@pytest.mark.django_db
def test_it_rejects_a_wrong_password_with_a_message(client, coordinator):
    response = client.post(
        reverse("accounts:login"), {"username": coordinator.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert (
        "no es correcta" in response.content.decode() or "not correct" in response.content.decode()
    )


@pytest.mark.django_db
def test_it_sends_the_anonymous_to_sign_in(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_it_refuses_the_admin_to_non_superusers(client_for, coordinator):
    response = client_for(coordinator).get("/admin/")
    assert response.status_code == 302  # to the admin login: not allowed in


@pytest.mark.django_db
def test_it_refuses_post_on_workspace(client_for, coordinator):
    assert client_for(coordinator).post(reverse("accounts:home")).status_code == 405


@pytest.mark.django_db
def test_it_signs_out_on_post_only(client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.django_db
def test_it_shows_coordination_tools_to_coordinators_only(client_for, coordinator, stakeholder):
    page = client_for(coordinator).get(reverse("accounts:home")).content.decode()
    assert reverse("plans:import_upload") in page
    assert reverse("procurement:screening_list") in page
    page = client_for(stakeholder).get(reverse("accounts:home")).content.decode()
    assert reverse("plans:import_upload") not in page
