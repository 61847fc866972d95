import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bhrplan.plans.models import Plan
from bhrplan.plans.tests.matrix_files import messy_spanish_matrix, xlsx_bytes


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.fixture
def coord_client(client_for, coordinator):
    return client_for(coordinator)


def url(name):
    return reverse(f"plans:{name}")


def upload(client, territory, data, name="matriz.xlsx", **extra):
    payload = {
        "file": SimpleUploadedFile(name, data),
        "territory": territory.pk,
        "title": "Plan regional importado",
        **extra,
    }
    return client.post(url("import_upload"), payload)


def stored_files(upload_dir):
    folder = upload_dir / "plan-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("outsider", 200),  # coordinates another territory: may import there
        ("focal_point", 403),
        ("committee_member", 403),
        ("stakeholder", 403),
        ("anonymous", 302),
    ],
)
def test_it_shows_the_upload_form_to_coordinators_only(persona_clients, persona, status):
    response = persona_clients[persona].get(url("import_upload"))
    assert response.status_code == status


@pytest.mark.parametrize("persona", ["coordinator", "outsider", "focal_point", "stakeholder"])
def test_it_has_no_preview_or_confirm_without_an_upload(persona_clients, persona):
    client = persona_clients[persona]
    assert client.get(reverse("plans:import_preview")).status_code == 404
    assert client.post(reverse("plans:import_confirm")).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(persona_clients):
    client = persona_clients["anonymous"]
    assert client.get(url("import_preview")).status_code == 302
    assert client.post(url("import_confirm")).status_code == 302


def test_it_refuses_wrong_methods(coord_client):
    client = coord_client
    assert client.put(url("import_upload")).status_code == 405
    assert client.delete(url("import_preview")).status_code == 405
    assert client.get(url("import_confirm")).status_code == 405


def test_it_offers_only_the_territories_the_user_coordinates(
    coord_client, other_territory, territory
):
    client = coord_client
    page = client.get(url("import_upload")).content.decode()
    assert f'value="{territory.pk}"' in page and f'value="{other_territory.pk}"' not in page
    response = upload(client, other_territory, messy_spanish_matrix())
    assert response.status_code == 200
    assert "territory" in response.context["form"].errors


def test_it_uploads_previews_and_imports(coord_client, territory, matrix_orgs, upload_dir):
    client = coord_client
    response = upload(client, territory, messy_spanish_matrix())
    assert response.status_code == 302 and response["Location"] == url("import_preview")
    [stored] = stored_files(upload_dir)
    assert stored.suffix == ".xlsx"
    preview = client.get(url("import_preview"))
    assert preview.status_code == 200
    assert preview.context["counts"]["actions"] == 3
    assert preview.context["parsed"].header_row == 4
    page = preview.content.decode()
    assert "Observaciones" in page and 'name="col_19"' in page
    assert url("import_confirm") in page
    response = client.post(url("import_confirm"))
    plan = Plan.objects.get(title="Plan regional importado")
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_detail", kwargs={"plan_id": plan.pk})
    assert stored_files(upload_dir) == []
    assert client.get(url("import_preview")).status_code == 404


def test_it_lists_new_organisations_and_creates_them(coord_client, territory, matrix_orgs):
    client = coord_client
    rows = [
        ["Lineamiento", "Objetivo", "Acción", "Entidad responsable"],
        ["1. L", "1.1 O", "A", "SUNAFIL"],
    ]
    upload(client, territory, xlsx_bytes(rows), create_organizations="on")
    page = client.get(url("import_preview")).content.decode()
    assert "SUNAFIL" in page
    client.post(url("import_confirm"))
    assert territory.organizations.filter(name="SUNAFIL").exists()


def test_it_shows_every_problem_and_imports_nothing(coord_client, territory, matrix_orgs):
    client = coord_client
    rows = [
        ["Lineamiento", "Objetivo", "Acción", "Inicio", "ODS"],
        ["1. L", "1.1 O", "A", "ayer", "99"],
    ]
    upload(client, territory, xlsx_bytes(rows))
    preview = client.get(url("import_preview"))
    errors = preview.context["parsed"].errors
    assert [(e.row, e.column.split(" ")[0]) for e in errors] == [(2, "D"), (2, "E")]
    assert url("import_confirm") not in preview.content.decode()
    before = Plan.objects.count()
    response = client.post(url("import_confirm"))
    assert response.status_code == 302 and response["Location"] == url("import_preview")
    assert Plan.objects.count() == before


def test_it_lets_the_user_map_an_unknown_column(coord_client, territory, matrix_orgs):
    client = coord_client
    rows = [["Lineamiento", "Objetivo", "Medida"], ["1. L", "1.1 O", "Acción A"]]
    rows[0][2] = "Medida adoptada"
    upload(client, territory, xlsx_bytes(rows))
    assert not client.get(url("import_preview")).context["parsed"].ok
    response = client.post(url("import_preview"), {"col_2": "action"})
    assert response.status_code == 302
    preview = client.get(url("import_preview"))
    assert preview.context["parsed"].ok
    client.post(url("import_confirm"))
    assert Plan.objects.filter(title="Plan regional importado").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("matriz.pdf", b"%PDF-1.4", "Upload an Excel"),
        ("matriz.xlsx", b"", "empty"),
    ],
)
def test_it_refuses_wrong_files_in_the_form(coord_client, territory, name, data, message):
    client = coord_client
    with_lang = client.post(
        url("import_upload").replace("/es/", "/en/"),
        {"file": SimpleUploadedFile(name, data), "territory": territory.pk, "title": "X"},
    )
    assert with_lang.status_code == 200
    assert message in with_lang.content.decode()


def test_it_refuses_a_file_over_the_size_limit(coord_client, territory, settings):
    settings.PLAN_IMPORT_MAX_BYTES = 1024 * 1024
    client = coord_client
    response = upload(client, territory, b"a;b\n" * 300_000, name="grande.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 broken zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # password-protected / .xls
        b"\x00\x01\x02\x03",
        b"just some words without any header at all\n",
    ],
)
def test_it_never_fails_on_a_bad_file(coord_client, territory, data):
    client = coord_client
    upload(client, territory, data)
    preview = client.get(url("import_preview"))
    assert preview.status_code == 200
    assert preview.context["problem"] or preview.context["parsed"].errors
    assert client.post(url("import_confirm")).status_code == 302


def test_it_deletes_abandoned_uploads(coord_client, territory, upload_dir):
    import os
    import time

    old = upload_dir / "plan-imports" / "abandonedtokenabandonedtoken.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)
    upload(coord_client, territory, messy_spanish_matrix())
    assert not old.exists()
    assert len(stored_files(upload_dir)) == 1
