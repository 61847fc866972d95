import codecs
import csv
import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from bhrplan.procurement.models import Screening
from bhrplan.procurement.ocds.errors import ScreeningStopped, file_error_message
from bhrplan.procurement.services import dataset_create_from_path, screening_start
from bhrplan.procurement.tests.conftest import OCDS_SAMPLES, finished_screening, release

NOT_COORDINATORS = ["focal_point", "committee_member", "stakeholder"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path / "var"
    settings.PROCUREMENT_DATA_ROOTS = [str(OCDS_SAMPLES)]


@pytest.fixture
def done_screening(coordinator, territory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dataset = dataset_create_from_path(
            name="Paraguay",
            territory=territory,
            path=str(OCDS_SAMPLES / "paraguay"),
            actor=coordinator,
        )
        screening = screening_start(dataset=dataset, actor=coordinator)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.DONE, screening.error
    return screening


def downloaded(response) -> bytes:
    """The bytes of a file download (streamed)."""
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict]:
    data = downloaded(response)
    assert data.startswith(codecs.BOM_UTF8)  # as the platform's other CSV files: for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def upload(name, content: bytes):
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_it_shows_the_screening_list_only_to_coordinators(
    persona_clients, django_assert_max_num_queries
):
    url = reverse("procurement:screening_list")
    with django_assert_max_num_queries(8):
        assert persona_clients["coordinator"].get(url).status_code == 200
    for persona in NOT_COORDINATORS:
        assert persona_clients[persona].get(url).status_code == 404, persona
    assert persona_clients["anonymous"].get(url).status_code == 302


def test_it_lists_only_screenings_of_the_territories_one_coordinates(
    persona_clients, done_screening
):
    url = reverse("procurement:screening_list")
    assert "Paraguay" in persona_clients["coordinator"].get(url).content.decode()
    assert "Paraguay" not in persona_clients["outsider"].get(url).content.decode()


def screen_uploads(client, territory, capture, name: str, files: list) -> object:
    """Post the screening form with these files; the screening runs at once."""
    with capture(execute=True):
        return client.post(
            reverse("procurement:screening_create"),
            {"name": name, "territory": territory.pk, "upload": files},
        )


def test_it_rejects_the_wrong_method(persona_clients):
    client = persona_clients["coordinator"]
    assert client.post(reverse("procurement:screening_list")).status_code == 405
    assert client.put(reverse("procurement:screening_create")).status_code == 405


def test_it_screens_an_upload_in_the_background(
    persona_clients, territory, django_capture_on_commit_callbacks
):
    package = {
        "version": "1.1",
        "releases": [
            release(
                buyer={"name": "Ministerio de Salud"},
                tender={"id": "t", "items": [{"id": "1", "description": "Guantes de nitrilo"}]},
            )
        ],
    }
    response = screen_uploads(
        persona_clients["coordinator"],
        territory,
        django_capture_on_commit_callbacks,
        "Salud",
        [upload("p.json", json.dumps(package).encode()), upload("empty.json", b"")],
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.DONE
    assert screening.summary["flagged_items"] == 1
    assert screening.file_errors == [
        {
            "path": "0001-empty.json",
            "error": "The file is empty (0 bytes).",
            "code": "empty",
            "params": {},
            "location": {"line": None, "value": None, "path": ""},
        }
    ]
    page = persona_clients["coordinator"].get(response.url)
    assert "Guantes" not in page.content.decode()  # items are on the tender page
    assert "The file is empty (0 bytes)." in page.content.decode()


def test_it_screens_compressed_files_and_archives_uploaded(
    persona_clients, territory, django_capture_on_commit_callbacks, tmp_path
):
    import bz2
    import lzma

    from bhrplan.procurement.tests.test_archives import (
        DEFLATE64_ZIP,
        package,
        tender,
        write_archive,
        zstd,
    )

    def archive(name: str, ocid: str) -> bytes:
        members = {"datos/a.json": package(tender(ocid)), "LEEME.txt": b"-"}
        return write_archive(tmp_path / name, members).read_bytes()

    response = screen_uploads(
        persona_clients["coordinator"],
        territory,
        django_capture_on_commit_callbacks,
        "Comprimidos",
        [
            upload("a.json.bz2", bz2.compress(package(tender("ocds-abc-1")))),
            upload("b.json.xz", lzma.compress(package(tender("ocds-abc-2")))),
            upload("c.json.zst", zstd(package(tender("ocds-abc-3")))),
            upload("d.tar.gz", archive("d.tar.gz", "ocds-abc-4")),
            upload("e.rar", archive("e.rar", "ocds-abc-5")),
            upload("f.7z", archive("f.7z", "ocds-abc-6")),
            # Deflate64, as Windows Explorer compresses big files: 400 releases of gloves
            upload("g.zip", DEFLATE64_ZIP.read_bytes()),
        ],
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.DONE and screening.file_errors == []
    assert screening.summary["flagged_items"] == 406


def test_it_says_why_files_were_not_used_in_the_viewers_language(
    persona_clients, territory, django_capture_on_commit_callbacks
):
    no_ocid = json.dumps({"releases": [release(), {"id": "2"}]}, indent=2).encode()
    bad_types = json.dumps(release(tender=[])).encode() + b"\n"
    screen_uploads(
        persona_clients["coordinator"],
        territory,
        django_capture_on_commit_callbacks,
        "Errores",
        [
            upload("ok.json", json.dumps(release()).encode()),
            upload("vacio.json", b""),
            upload("cortado.json", b'{"releases": [{"ocid": "ocds-1"'),
            upload("latin1.json", '{"ocid": "Adquisición"}'.encode("latin-1")),
            upload("sin-ocid.json", no_ocid),
            upload("tipos.jsonl", bad_types),
        ],
    )
    screening = Screening.objects.get()
    with translation.override("es"):
        url = reverse("procurement:screening_detail", args=[screening.pk])
    page = persona_clients["coordinator"].get(url).content.decode()
    for text in (
        "0001-vacio.json</span>: El archivo está vacío (0 bytes).",
        "0002-cortado.json</span>: El archivo termina antes de que el JSON esté completo "
        "(¿descarga interrumpida?).",
        "0003-latin1.json</span>: El texto no está codificado en UTF-8",
        "0004-sin-ocid.json</span>: releases[1]: La entrega no tiene ocid",
        "0005-tipos.jsonl</span>: Línea 1: El campo “tender” debe ser un objeto JSON {…}.",
    ):
        assert text in page, text
    english = persona_clients["coordinator"].get(url.replace("/es/", "/en/")).content.decode()
    assert "releases[1]: The release has no ocid" in english
    assert persona_clients["outsider"].get(url).status_code == 404
    assert persona_clients["coordinator"].post(url).status_code == 405


def test_it_screens_each_file_of_an_uploaded_zip_archive(
    persona_clients, territory, django_capture_on_commit_callbacks
):
    gloves = {"id": "t", "items": [{"id": "1", "description": "Guantes de nitrilo"}]}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("2024/enero.json", json.dumps({"releases": [release(tender=gloves)]}))
        out.writestr("2024/febrero.json", b"")
        out.writestr("2024/hoja.rar", b"Rar!\x1a\x07\x01\x00")
        out.writestr("__MACOSX/2024/._enero.json", b"\x00\x05\x16\x07")
    response = screen_uploads(
        persona_clients["coordinator"],
        territory,
        django_capture_on_commit_callbacks,
        "Salud 2024",
        [SimpleUploadedFile("compras.zip", archive.getvalue())],
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.DONE, screening.error
    assert screening.summary["flagged_items"] == 1
    assert [(e["path"], e["code"]) for e in screening.file_errors] == [
        ("0000-compras.zip › 2024/febrero.json", "empty"),
        ("0000-compras.zip › 2024/hoja.rar", "archive_nested"),
    ]
    with translation.override("es"):
        url = reverse("procurement:screening_detail", args=[screening.pk])
    page = persona_clients["coordinator"].get(url).content.decode()
    assert (
        "0000-compras.zip › 2024/hoja.rar</span>: Es un archivo comprimido dentro del archivo"
        in page
    )
    assert "Requieren debida diligencia: 1 ítem en 1 proceso de " in page  # (singular)


@pytest.mark.parametrize(
    ("raised", "code", "spanish"),
    [
        (
            ScreeningStopped("disk_too_small", needed=40, free=3),
            "disk_too_small",
            "necesita al menos 40 GB durante el análisis y hay 3 GB libres",
        ),
        (MemoryError(), "out_of_memory", "El servidor se quedó sin memoria"),
        (
            KeyError("tender"),
            "unexpected",
            "Un error inesperado detuvo el análisis (detalle técnico: KeyError",
        ),
    ],
)
def test_it_says_why_a_screening_stopped_in_the_viewers_language(
    persona_clients,
    territory,
    coordinator,
    monkeypatch,
    raised,
    code,
    spanish,
    django_capture_on_commit_callbacks,
):
    from bhrplan.procurement import tasks

    def stop(*args, **kwargs):
        raise raised

    monkeypatch.setattr(tasks, "run_screening", stop)
    with django_capture_on_commit_callbacks(execute=True):
        dataset = dataset_create_from_path(
            name="Paraguay", territory=territory, path=str(OCDS_SAMPLES), actor=coordinator
        )
        screening = screening_start(dataset=dataset, actor=coordinator)
    screening.refresh_from_db()
    assert (screening.status, screening.error_code) == (Screening.Status.FAILED, code)
    with translation.override("es"):
        url = reverse("procurement:screening_detail", args=[screening.pk])
    page = persona_clients["coordinator"].get(url).content.decode()
    assert "El análisis falló:" in page and spanish in page
    english = persona_clients["coordinator"].get(url.replace("/es/", "/en/")).content.decode()
    assert screening.error in html.unescape(english)  # the English text is kept too


def test_it_shows_a_screening_error_stored_before_it_had_a_code(
    persona_clients, territory, coordinator
):
    screening = finished_screening(territory, coordinator, error="OSError: disk full")
    url = reverse("procurement:screening_detail", args=[screening.pk])
    assert "OSError: disk full" in persona_clients["coordinator"].get(url).content.decode()


def test_it_shows_file_errors_stored_before_they_had_codes(persona_clients, done_screening):
    done_screening.file_errors = [{"path": "old.json", "error": "empty file"}]
    done_screening.save(update_fields=["file_errors"])
    url = reverse("procurement:screening_detail", args=[done_screening.pk])
    assert "old.json</span>: empty file" in persona_clients["coordinator"].get(url).content.decode()


def test_it_counts_processes_merged_with_a_workaround(persona_clients, done_screening):
    assert done_screening.coverage["undated"] == 0  # the real samples merge as published
    url = reverse("procurement:screening_detail", args=[done_screening.pk])
    assert "with a workaround" not in persona_clients["coordinator"].get(url).content.decode()
    done_screening.coverage = {**done_screening.coverage, "undated": 2, "conflicting": 1}
    done_screening.save(update_fields=["coverage"])
    page = persona_clients["coordinator"].get(url).content.decode()
    assert "2 with releases without a date (put first); 1 with releases" in page


def test_it_tells_of_processes_that_list_no_items(persona_clients, done_screening):
    # The real samples hold one: a Paraguayan process published only at planning.
    assert done_screening.coverage["without_items"] > 0
    url = reverse("procurement:screening_detail", args=[done_screening.pk])
    assert "without items to screen" in persona_clients["coordinator"].get(url).content.decode()
    for count, text in ((0, None), (1, "1 more process was read; its tender"), (3, "3 more pr")):
        done_screening.coverage = {**done_screening.coverage, "without_items": count}
        done_screening.save(update_fields=["coverage"])
        page = persona_clients["coordinator"].get(url).content.decode()
        assert ("without items to screen" in page) is bool(text)
        assert text is None or text in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x"}, "one of the two"),
        ({"name": "x", "server_path": "/etc"}, "inside a folder allowed"),
        ({"name": "x", "server_path": str(OCDS_SAMPLES / "nope")}, "does not exist"),
        ({"name": "x", "upload": "notes.txt"}, "is not an accepted type"),
        ({"name": "", "server_path": str(OCDS_SAMPLES)}, 'class="errorlist"'),
    ],
)
def test_it_answers_bad_input_with_form_errors(persona_clients, territory, data, message):
    data = {"territory": territory.pk, **data}
    if data.get("upload") == "notes.txt":
        data = {**data, "upload": upload("notes.txt", b"hello")}
    response = persona_clients["coordinator"].post(reverse("procurement:screening_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("p.json", b"hello"),
        ("p.json.gz", b'{"releases": []}'),
        ("p.jsonl", b"\x1f\x8bxx"),
        ("p.zip", b"PK\x03\x04 cut short"),
        ("p.json.bz2", b'{"releases": []}'),
        ("p.json.xz", b"BZh91AY&SY"),
        ("p.json.zst", b'{"releases": []}'),
        ("p.tar", b'{"releases": []}'),
        ("p.rar", b"PK\x03\x04 a zip named rar"),
        ("p.7z", b"Rar!\x1a\x07\x01\x00"),
    ],
)
def test_it_refuses_files_whose_content_is_not_what_their_name_says(
    persona_clients, territory, name, content
):
    data = {"territory": territory.pk, "name": "x", "upload": upload(name, content)}
    response = persona_clients["coordinator"].post(reverse("procurement:screening_create"), data)
    assert response.status_code == 200
    assert "does not match its extension" in response.content.decode()
    assert not Screening.objects.exists()


def test_it_browses_flags_by_category_buyer_and_supplier(persona_clients, done_screening):
    client = persona_clients["coordinator"]
    url = reverse("procurement:screening_detail", args=[done_screening.pk])
    page = client.get(url).content.decode()
    assert "ICT hardware and electronics" in page or "Hardware TIC" in page
    for by in ("buyer", "supplier"):
        assert client.get(url, {"by": by}).status_code == 200
    filtered = client.get(url, {"by": "category", "value": "ict_electronics"}).content.decode()
    assert "ocds-03ad3f-277004" in filtered
    # the flagged processes name their categories, not the categories' codes
    assert "<td>ICT hardware and electronics</td>" in filtered
    for persona in [*NOT_COORDINATORS, "outsider"]:
        assert persona_clients[persona].get(url).status_code == 404


def test_it_shows_flagged_processes_and_groups_a_page_at_a_time_and_finds_processes(
    persona_clients, done_screening, monkeypatch
):
    from bhrplan.procurement import views

    monkeypatch.setattr(views, "PROCESSES_PER_PAGE", 5)
    monkeypatch.setattr(views, "GROUPS_PER_PAGE", 4)
    client = persona_clients["coordinator"]
    url = reverse("procurement:screening_detail", args=[done_screening.pk])
    ocids = []
    for number in (1, 2):
        page = client.get(url, {"by": "supplier", "page": number}).content.decode()
        assert f"<span>Page {number} of 2</span>" in page  # 9 flagged processes, 5 a page
        ocids += re.findall(r"\?ocid=([\w-]+)\">", page)
    assert len(ocids) == len(set(ocids)) == 9  # each once, the most flagged first
    assert ocids[0] == "ocds-03ad3f-273637"
    first = client.get(url, {"by": "supplier"}).content.decode()
    # groups: 4 a page (the first, the tenders' items, which have no supplier yet)
    assert first.count("?by=supplier&amp;value=") == 3
    assert "<td>no supplier (tender items, which have none yet, or not published)</td>" in first
    assert "Page 1 of " in first and 'aria-label="Pages of groups"' in first
    second = client.get(url, {"by": "supplier", "groups": 2}).content.decode()
    # each list keeps the other's page: processes' next page stays on groups' page 2
    assert "?by=supplier&amp;groups=2&amp;page=2" in second
    assert "?by=supplier&amp;groups=1" in second  # back to the first page of groups
    assert client.get(url, {"page": 99}).status_code == 200  # the last page, not an error
    for text in ("ASUNCIÓN", "asuncion"):  # any case, with or without accents
        found = client.get(url, {"q": text}).content.decode()
        assert re.findall(r"\?ocid=([\w-]+)\">", found) == ["ocds-03ad3f-277004"], text
        assert "(1 process)" in found and f'value="{text}"' in found
    exact = client.get(url, {"q": "ocds-03ad3f-284182"}).content.decode()
    assert re.findall(r"\?ocid=([\w-]+)\">", exact) == ["ocds-03ad3f-284182"]
    for text in ("100%", "'; DROP TABLE flags; --", "_"):
        page = client.get(url, {"q": text}).content.decode()
        assert "No flagged process matches." in page
    with translation.override("es"):
        es_url = reverse("procurement:screening_detail", args=[done_screening.pk])
    page = client.get(es_url, {"by": "buyer", "value": "Municipalidad de Ciudad del Este"})
    assert "(3 procesos)" in page.content.decode()


def test_it_shows_a_tender_with_evidence_and_criteria_by_stage(persona_clients, done_screening):
    url = reverse("procurement:screening_tender", args=[done_screening.pk])
    client = persona_clients["coordinator"]
    page = client.get(url, {"ocid": "ocds-03ad3f-277004"}).content.decode()
    assert "43211508-001" in page
    # the process itself: title, buyer, suppliers of its flagged contracts, value
    assert "<dd>ADQUISICION DE EQUIPOS E INSUMOS INFORMATICOS</dd>" in page
    assert "Municipalidad de Asunción" in page
    assert "PARASUR SA" in page and "DATA LAB SA" in page
    assert "CONTRACT-1" in page and "COC-1" in page
    assert client.get(url, {"ocid": "ocds-unknown"}).status_code == 404
    assert client.post(url, {"ocid": "ocds-03ad3f-277004"}).status_code == 405
    with translation.override("es"):
        es_url = reverse("procurement:screening_tender", args=[done_screening.pk])
    page = client.get(es_url, {"ocid": "ocds-03ad3f-277004"}).content.decode()
    # codes of the results store are shown in the reader's language
    assert "(licitación)" in page and "(contrato)" in page and "(tender)" not in page
    assert ">desconocido<" in page or "desconocido</td>" in page
    assert "unknown (" not in page
    assert persona_clients["outsider"].get(url, {"ocid": "ocds-03ad3f-277004"}).status_code == 404


def test_it_exports_flags_as_csv_and_xlsx(persona_clients, done_screening):
    client = persona_clients["coordinator"]
    csv_response = client.get(
        reverse("procurement:screening_export", args=[done_screening.pk, "csv"])
    )
    assert csv_response.status_code == 200
    assert downloaded(csv_response).decode("utf-8-sig").startswith("ocid,buyer,suppliers")
    xlsx_response = client.get(
        reverse("procurement:screening_export", args=[done_screening.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(downloaded(xlsx_response))).active
    assert sheet.cell(1, 1).value == "ocid"
    assert sheet.max_row == done_screening.summary["flags"] + 1
    bad = reverse("procurement:screening_export", args=[done_screening.pk, "pdf"])
    assert client.get(bad).status_code == 404
    outsider = persona_clients["outsider"]
    assert (
        outsider.get(
            reverse("procurement:screening_export", args=[done_screening.pk, "csv"])
        ).status_code
        == 404
    )


def test_the_downloads_hold_the_flags_of_the_view_and_a_big_xlsx_is_refused_with_what_to_do(
    persona_clients, done_screening, monkeypatch
):
    from bhrplan.procurement import services

    client = persona_clients["coordinator"]
    detail = reverse("procurement:screening_detail", args=[done_screening.pk])
    csv_url = reverse("procurement:screening_export", args=[done_screening.pk, "csv"])
    xlsx_url = reverse("procurement:screening_export", args=[done_screening.pk, "xlsx"])
    view = {"by": "buyer", "value": "Municipalidad de Ciudad del Este"}
    page = client.get(detail, {**view, "page": 1}).content.decode()
    assert "The downloads hold the 6 flags of the processes shown." in page
    assert f'href="{csv_url}?by=buyer&amp;value=Municipalidad+de+Ciudad+del+Este"' in page
    rows = csv_rows(client.get(csv_url, view))
    assert len(rows) == 6 and {r["buyer"] for r in rows} == {view["value"]}
    assert {r["ocid"] for r in rows} == {
        "ocds-03ad3f-284444",
        "ocds-03ad3f-284462",
        "ocds-03ad3f-284745",
    }
    sheet = load_workbook(io.BytesIO(downloaded(client.get(xlsx_url, view)))).active
    assert sheet.max_row == 7
    found = csv_rows(client.get(csv_url, {"q": "asuncion"}))
    assert {r["ocid"] for r in found} == {"ocds-03ad3f-277004"}
    everything = csv_rows(client.get(csv_url))
    assert len(everything) == done_screening.summary["flags"]
    assert "missing" in {r["suppliers"] for r in everything}  # tender items: no supplier yet
    monkeypatch.setattr(services, "XLSX_MAX_ROWS", 5)
    response = client.get(xlsx_url, view)
    assert response.status_code == 302
    assert response["Location"] == f"{detail}?by=buyer&value=Municipalidad+de+Ciudad+del+Este"
    page = client.get(response["Location"]).content.decode()
    assert "The XLSX download holds at most 5 flags." in page  # the message, and the note
    assert page.count("The XLSX download holds at most 5 flags.") == 2
    assert xlsx_url not in page
    assert client.get(csv_url, view).status_code == 200  # the CSV has no such limit


def test_files_not_used_are_summed_up_by_problem_listed_in_part_and_downloadable(
    persona_clients, done_screening, monkeypatch
):
    monkeypatch.setattr(Screening, "FILE_ERRORS_SHOWN", 2)
    client = persona_clients["coordinator"]
    with translation.override("es"):
        detail = reverse("procurement:screening_detail", args=[done_screening.pk])
        files_url = reverse("procurement:screening_files_csv", args=[done_screening.pk])
    page = client.get(detail).content.decode()
    assert "5 archivos no utilizados, por problema" in page
    assert "<tr><td>El archivo está vacío (0 bytes).</td><td>3</td></tr>" in page
    # the same problem with another reason is another row (its count of its own)
    done_screening.file_errors += [
        {"path": f"{n}.json", "code": "invalid_json", "params": {"reason": reason}}
        for n, reason in enumerate(["unexpected character", "unexpected end", "unexpected end"])
    ]
    with translation.override("es"):
        summary = done_screening.file_error_summary
        ending, character = (
            file_error_message({"code": "invalid_json", "params": {"reason": reason}})
            for reason in ("unexpected end", "unexpected character")
        )
    assert summary[0] == ("El archivo está vacío (0 bytes).", 3)
    assert (ending, 2) in summary and (character, 1) in summary and len(summary) == 4
    assert page.count('<li><span class="code">') == 2
    assert "Se listan los primeros 2 de 5 archivos; la descarga los contiene todos." in page
    response = client.get(files_url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Archivo", "Por qué no se utilizó"] and len(rows) == 6
    assert ["283826.json", "El archivo está vacío (0 bytes)."] in rows
    assert persona_clients["outsider"].get(files_url).status_code == 404


def test_a_screening_whose_results_were_removed_shows_no_flags_and_no_downloads(
    persona_clients, done_screening
):
    Path(done_screening.store).unlink()
    client = persona_clients["coordinator"]
    page = client.get(reverse("procurement:screening_detail", args=[done_screening.pk]))
    assert page.status_code == 200
    assert "The results of this screening are no longer on the server" in page.content.decode()
    for fmt in ("csv", "xlsx"):
        url = reverse("procurement:screening_export", args=[done_screening.pk, fmt])
        assert client.get(url).status_code == 404


def test_it_refuses_a_territory_the_user_does_not_coordinate(persona_clients, other_territory):
    response = persona_clients["coordinator"].post(
        reverse("procurement:screening_create"),
        {"name": "x", "territory": other_territory.pk, "server_path": str(OCDS_SAMPLES)},
    )
    assert response.status_code == 200
    assert not Screening.objects.exists()


def test_it_reports_the_share_of_items_each_field_covers(persona_clients, done_screening):
    done_screening.coverage = {
        **done_screening.coverage,
        "items": 1077,
        "with_classification": 1077,
        "with_supplier_id": 359,
        "with_country": 40,
        "unspsc": 61,
        "dncp": 1016,
    }
    done_screening.save(update_fields=["coverage"])
    with translation.override("es"):
        url = reverse("procurement:screening_detail", args=[done_screening.pk])
    page = persona_clients["coordinator"].get(url).content.decode()
    assert "<dd>359 (33 %)</dd>" in page and "<dd>40 (4 %)</dd>" in page
    assert "<dd>1077 (100 %)</dd>" in page or "<dd>1.077 (100 %)</dd>" in page
    assert "UNSPSC 61 (6 %) · DNCP " in page  # by scheme, too


def test_a_process_listing_no_items_is_shown_screened_by_its_title(
    persona_clients, coordinator, territory, settings, tmp_path, django_capture_on_commit_callbacks
):
    folder = tmp_path / "titles"
    folder.mkdir()
    titled = release(
        tender={"id": "t", "title": "Adquisición de uniformes escolares"},
        awards=[{"id": "a", "suppliers": [{"name": "Textil SA"}]}],
    )
    (folder / "p.json").write_text(json.dumps({"version": "1.1", "releases": [titled]}))
    settings.PROCUREMENT_DATA_ROOTS = [str(tmp_path)]
    with django_capture_on_commit_callbacks(execute=True):
        dataset = dataset_create_from_path(
            name="Títulos", territory=territory, path=str(folder), actor=coordinator
        )
        screening = screening_start(dataset=dataset, actor=coordinator)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.DONE, screening.error
    # one process screened (by its title), flagged: the share is 100 %, not "of none"
    assert (screening.figures.processes_screened, screening.figures.flagged_share) == (1, 100)
    client = persona_clients["coordinator"]
    with translation.override("es"):
        detail = reverse("procurement:screening_detail", args=[screening.pk])
        tender = reverse("procurement:screening_tender", args=[screening.pk])
    page = client.get(detail).content.decode()
    assert "Procesos analizados por sus títulos" in page
    page = client.get(tender, {"ocid": "ocds-abc-1"}).content.decode()
    assert page.count("ningún ítem publicado (se analizó el título)") == 2  # tender and award
    assert "Textil SA" in page
