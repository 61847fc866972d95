import re

import pytest
from django.core import mail
from django.urls import reverse

from bhrplan.conftest import PASSWORD


@pytest.mark.django_db
def test_it_resets_a_password_by_email(client, coordinator):
    response = client.post(reverse("accounts:password_reset"), {"email": coordinator.email})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("accounts:password_reset_done"))
    assert client.get(reverse("accounts:password_reset_done")).status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "una clave nueva y larga 2026"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("accounts:password_reset_complete"))
    assert client.get(reverse("accounts:password_reset_complete")).status_code == 200
    coordinator.refresh_from_db()
    assert coordinator.check_password(new)


@pytest.mark.django_db
def test_it_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_shows_an_invalid_reset_link_as_a_message(client):
    url = reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"])
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("accounts:password_reset") in response.content.decode()


@pytest.mark.django_db
def test_it_changes_a_password_for_the_signed_in_only(client, client_for, coordinator):
    assert client.get(reverse("accounts:password_change")).status_code == 302
    signed_in = client_for(coordinator)
    response = signed_in.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200  # errors shown, nothing changed
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)
    new = "otra clave larga para 2027"
    response = signed_in.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert signed_in.get(reverse("accounts:password_change_done")).status_code == 200
