"""The uploaded matrix waiting for confirmation: a file outside the web root, bound to the
user's session by a random token, deleted once imported or replaced."""

import contextlib
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "plan_import"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _directory() -> Path:
    path = Path(settings.UPLOAD_DIR) / "plan-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str, ext: str) -> Path:
    if not _TOKEN.match(token) or ext not in {"xlsx", "csv"}:
        raise ValueError("bad upload token")
    return _directory() / f"{token}.{ext}"


def _purge_abandoned(directory: Path) -> None:
    """Delete uploads nobody confirmed within a day."""
    limit = time.time() - MAX_AGE_SECONDS
    for path in directory.glob("*.*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def pending_store(request: HttpRequest, *, upload: Any, options: dict[str, Any]) -> None:
    pending_clear(request)
    _purge_abandoned(_directory())
    token = secrets.token_urlsafe(24)
    ext = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
    with _path(token, ext).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {
        **options,
        "token": token,
        "ext": ext,
        "filename": upload.name[:200],
        "mapping": {},
    }


def pending_get(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        path = _path(str(pending.get("token", "")), str(pending.get("ext", "")))
    except ValueError:
        return None
    if not path.is_file():
        return None
    return {**pending, "path": path}


def pending_set_mapping(request: HttpRequest, mapping: dict[int, str]) -> None:
    pending = request.session.get(SESSION_KEY)
    if isinstance(pending, dict):
        pending["mapping"] = {str(k): v for k, v in mapping.items()}
        request.session[SESSION_KEY] = pending


def pending_clear(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        with contextlib.suppress(ValueError):
            _path(str(pending.get("token", "")), str(pending.get("ext", ""))).unlink(
                missing_ok=True
            )


def pending_options(cleaned: dict[str, Any]) -> dict[str, Any]:
    """What the upload form chose, in a form the session can store (JSON)."""
    return {
        "territory_id": cleaned["territory"].pk,
        "title": cleaned["title"],
        "title_en": cleaned.get("title_en") or "",
        "start": cleaned["start_date"].isoformat() if cleaned.get("start_date") else "",
        "end": cleaned["end_date"].isoformat() if cleaned.get("end_date") else "",
        "create_organizations": bool(cleaned.get("create_organizations")),
    }


def pending_parse(pending: dict[str, Any], territory: Any) -> tuple[Any, str]:
    """(the checked matrix, "") or (None, why the file cannot be read)."""
    from datetime import date

    from bhrplan.lib.tabular import TabularError
    from bhrplan.plans.importer import matrix_parse

    try:
        parsed = matrix_parse(
            pending["path"].read_bytes(),
            filename=pending["filename"],
            territory=territory,
            create_organizations=pending["create_organizations"],
            start_date=date.fromisoformat(pending["start"]) if pending["start"] else None,
            end_date=date.fromisoformat(pending["end"]) if pending["end"] else None,
            mapping={int(k): v for k, v in pending.get("mapping", {}).items()},
        )
    except TabularError as exc:
        return None, str(exc)
    return parsed, ""
