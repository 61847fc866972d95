import pytest
from django.db import connection
from django.urls import reverse

from bhrplan.conftest import build_plan_tree
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action


def search(client, q, lang="es"):
    return client.get(reverse("portal:search").replace("/es/", f"/{lang}/", 1), {"q": q})


@pytest.mark.django_db
def test_it_finds_actions_in_spanish_grouped_by_plan(client, published_plan, draft_only_plan):
    response = search(client, "capacitar")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<section class="card"') == 1  # the draft-only plan is not searched
    assert published_plan.title in html
    action = Action.objects.filter(
        objective__guideline__version__plan=published_plan, code="1.1.1"
    ).get()
    assert reverse("portal:action", args=[published_plan.pk, action.uid]) in html


@pytest.mark.django_db
def test_it_finds_english_text(client, published_plan):
    html = search(client, "train officials", "en").content.decode()
    assert "Action 1.1.1: train officials" in html


@pytest.mark.django_db
def test_it_finds_indicators_and_guidelines(client, published_plan):
    html = search(client, "funcionarios capacitados").content.decode()
    assert "Número de funcionarios capacitados" in html
    html = search(client, "Lineamiento").content.decode()
    assert "#guideline-" in html


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback runs on SQLite")
def test_it_ignores_accents_and_case_without_postgresql(client, published_plan):
    html = search(client, "ACCION 1.2.1").content.decode()
    assert "Acción 1.2.1: capacitar a funcionarios" in html


@pytest.fixture
def accented_plan(plan, lead_org):
    build_plan_tree(plan, lead_org, guidelines=1, objectives=1, actions=1)
    plan_services.guideline_create(
        plan=plan,
        actor=None,
        title="Educación pública en derechos humanos",
        title_en="Human rights education in Perú's schools",
        description="Ampliar la formación de docentes",
    )
    plan_services.guideline_create(
        plan=plan, actor=None, title="Educacion sin tildes", title_en="Cafe owners"
    )
    plan_services.plan_publish(plan=plan, actor=None)
    return plan


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
@pytest.mark.parametrize(
    ("query", "lang", "found", "not_found"),
    [
        ("educacion", "es", ["Educación pública", "Educacion sin tildes"], []),
        ("EDUCACIÓN PÚBLICA", "es", ["Educación pública"], ["Educacion sin tildes"]),
        ("educación", "es", ["Educación pública", "Educacion sin tildes"], []),
        ("formacion", "es", ["Educación pública"], []),
        ("peru schools", "en", ["Perú&#x27;s schools"], ["Cafe owners"]),
        ("café", "en", ["Cafe owners"], ["Perú"]),
    ],
)
def test_it_ignores_accents_on_postgresql(client, accented_plan, query, lang, found, not_found):
    html = search(client, query, lang).content.decode()
    for text in found:
        assert text in html
    for text in not_found:
        assert text not in html


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_it_still_stems_accented_words_on_postgresql(client, accented_plan):
    html = search(client, "educaciones públicas").content.decode()
    assert "Educación pública" in html  # plural and singular meet through the stems


@pytest.mark.django_db
def test_it_never_finds_draft_text(client, plan_with_draft):
    html = search(client, "confidencial").content.decode()
    assert "Borrador confidencial" not in html
    assert html.count('<section class="card"') == 0
    plan_services.plan_publish(plan=plan_with_draft, actor=None)
    assert "Borrador confidencial" in search(client, "confidencial").content.decode()


@pytest.mark.django_db
def test_it_handles_empty_and_too_long_queries(client, published_plan):
    empty = search(client, "")
    assert empty.status_code == 200
    assert 'role="status"' not in empty.content.decode()
    too_long = search(client, "derechos " * 40)
    assert too_long.status_code == 200
    assert 'class="errorlist' in too_long.content.decode()
    odd = search(client, "!!! & | ( ' \" :*")
    assert odd.status_code == 200


@pytest.mark.django_db
def test_it_shows_the_same_results_to_every_persona(persona_clients, published_plan):
    pages = {name: search(client, "capacitar") for name, client in persona_clients.items()}
    assert {r.status_code for r in pages.values()} == {200}
    assert len({r.content.decode().count('<li><span class="tag">') for r in pages.values()}) == 1


@pytest.mark.django_db
def test_it_refuses_post(client_for, outsider):
    assert client_for(outsider).post(reverse("portal:search")).status_code == 405


@pytest.mark.django_db
def test_it_keeps_its_query_count(client, published_plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        search(client, "capacitar")
