import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OCDS_SAMPLES = FIXTURES / "ocds"


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
