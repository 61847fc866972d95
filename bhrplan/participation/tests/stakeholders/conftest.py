"""Fixtures for stakeholders, working groups and events."""

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.models import Event, WorkingGroup
from bhrplan.plans.models import Plan
from bhrplan.territories.models import Organization, Territory


def pdf_upload(name: str = "acta.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n%minutes\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_upload(name: str = "acta.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def odt_upload(name: str = "acta.odt") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def working_group(plan: Plan, stakeholder_org: Organization) -> WorkingGroup:
    return svc.working_group_create(
        plan=plan, name="Mesa temática de minería", members=[stakeholder_org], actor=None
    )


@pytest.fixture
def event(plan: Plan, territory: Territory, working_group: WorkingGroup) -> Event:
    return svc.event_create(
        plan=plan,
        actor=None,
        kind=Event.Kind.REGIONAL_DIALOGUE,
        title="Diálogo regional en Cusco",
        date=date(2025, 3, 14),
        territory=territory,
        modality=Event.Modality.IN_PERSON,
        phase=Event.Phase.DRAFTING,
        working_group=working_group,
        is_public=True,
        minutes=pdf_upload(),
    )


@pytest.fixture
def private_event(plan: Plan, territory: Territory) -> Event:
    return svc.event_create(
        plan=plan,
        actor=None,
        kind=Event.Kind.BILATERAL,
        title="Reunión bilateral reservada",
        date=date(2025, 4, 2),
        territory=territory,
        modality=Event.Modality.VIRTUAL,
        phase=Event.Phase.DRAFTING,
        is_public=False,
        minutes=pdf_upload("reservada.pdf"),
    )


@pytest.fixture
def pending_org(territory: Territory) -> Organization:
    return svc.organization_register(
        territory=territory,
        name="Colectivo Pendiente",
        stakeholder_group="civil_society",
        contact_name="Rosa Secreta",
        contact_email="rosa.secreta@example.org",
        contact_phone="+51 999 111 222",
        address="203.0.113.9",
    )
