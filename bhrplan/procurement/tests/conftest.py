import json
from pathlib import Path

import pytest

from bhrplan.procurement.reference import OCDS_SAMPLES_DIR as OCDS_SAMPLES


@pytest.fixture
def ocds_samples() -> Path:
    return OCDS_SAMPLES


def release(ocid: str = "ocds-abc-1", rid: str = "1", date: str = "2020-01-01T00:00:00Z", **extra):
    data = {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender"}
    data.update(extra)
    return data


@pytest.fixture
def write_json(tmp_path):
    def write(name: str, value, *, raw: bytes | None = None) -> Path:
        path = tmp_path / name
        path.write_bytes(raw if raw is not None else json.dumps(value).encode())
        return path

    return write


# Figures of the Paraguay sample (see test_engine): what a finished screening keeps.
SAMPLE_COVERAGE = {"items": 1016, "tenders": 11}
SAMPLE_SUMMARY = {"flagged_items": 210, "flags": 210, "tenders": 9, "buyers": 4, "contracts": 13}


def finished_screening(
    territory,
    actor,
    *,
    name: str = "Compras públicas 2024 (OCDS)",
    summary: dict | None = None,
    coverage: dict | None = None,
    error: str = "",
    finish: bool = True,
):
    """A screening finished through the services, with given figures and no result store
    (plans and the portal read only the figures kept with its metadata)."""
    from django.test import override_settings

    from bhrplan.procurement.services import (
        dataset_create_from_path,
        screening_finish,
        screening_start,
    )

    with override_settings(PROCUREMENT_DATA_ROOTS=[str(OCDS_SAMPLES)]):
        dataset = dataset_create_from_path(
            name=name, territory=territory, path=str(OCDS_SAMPLES / "paraguay"), actor=actor
        )
    screening = screening_start(dataset=dataset, actor=actor)
    if finish:
        screening_finish(
            screening=screening,
            coverage=SAMPLE_COVERAGE if coverage is None else coverage,
            summary=SAMPLE_SUMMARY if summary is None else summary,
            error=error,
        )
    return screening
