"""Writes: datasets, screenings and their progress."""

import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bhrplan.core import audit
from bhrplan.lib import uploads
from bhrplan.procurement.models import Dataset, Screening
from bhrplan.procurement.ocds.errors import FileProblem
from bhrplan.procurement.screening.run import XLSX_MAX_ROWS, write_flags_csv, write_flags_xlsx
from bhrplan.procurement.selectors import FlagView, coordinated_territories, view_flag_count

UPLOAD_TYPES = ("json", "gzip", "bzip2", "xz", "zstd", "zip", "tar", "rar", "7z")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def procurement_dir() -> Path:
    return Path(settings.VAR_DIR) / "procurement"


def dataset_roots() -> list[Path]:
    """Server folders from which coordinators may screen data (settings.PROCUREMENT_DATA_ROOTS)."""
    roots = getattr(settings, "PROCUREMENT_DATA_ROOTS", None) or [procurement_dir() / "datasets"]
    return [Path(r).resolve() for r in roots]


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._")
    return cleaned[:120] or "file.json"


def _check_territory(territory: Any, actor: Any) -> None:
    if not coordinated_territories(actor).filter(pk=territory.pk).exists():
        raise ValidationError(_("You do not coordinate this territory."))


@transaction.atomic
def dataset_create_from_upload(
    *, name: str, territory: Any, files: Iterable[UploadedFile], actor: Any
) -> Dataset:
    _check_territory(territory, actor)
    files = list(files)
    if not files:
        raise ValidationError(_("Choose at least one file."))
    for f in files:
        # Empty files pass: the screening reports them per file, like empty files on the server.
        uploads.check_upload(
            f,
            types=UPLOAD_TYPES,
            max_bytes=MAX_UPLOAD_BYTES,
            accepted=_(
                "JSON, JSON Lines, gzip, bzip2, xz, Zstandard, ZIP, tar, RAR or 7-Zip files"
            ),
            allow_empty=True,
        )
    folder = procurement_dir() / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        for n, f in enumerate(files):
            with (folder / f"{n:04d}-{_safe_name(f.name or '')}").open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
        dataset = Dataset(
            name=name,
            territory=territory,
            source=Dataset.Source.UPLOAD,
            path=str(folder),
            file_count=len(files),
        )
        dataset.created_by = actor
        dataset.full_clean()
        dataset.save()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # all or nothing
        raise
    audit.record(actor=actor, verb="procurement.dataset_uploaded", obj=dataset, summary=name)
    return dataset


@transaction.atomic
def dataset_create_from_path(*, name: str, territory: Any, path: str, actor: Any) -> Dataset:
    _check_territory(territory, actor)
    target = Path(path).expanduser().resolve()
    roots = dataset_roots()
    if not any(target == root or root in target.parents for root in roots):
        raise ValidationError(
            _("The path must be inside a folder allowed for screening: %(roots)s")
            % {"roots": ", ".join(str(r) for r in roots)}
        )
    if not target.exists():
        raise ValidationError(_("The path does not exist on the server."))
    count = sum(1 for p in target.rglob("*") if p.is_file()) if target.is_dir() else 1
    dataset = Dataset(
        name=name, territory=territory, source=Dataset.Source.SERVER_PATH, path=str(target)
    )
    dataset.file_count = count
    dataset.created_by = actor
    dataset.full_clean()
    dataset.save()
    audit.record(actor=actor, verb="procurement.dataset_registered", obj=dataset, summary=name)
    return dataset


@transaction.atomic
def sample_screening_create(*, name: str, territory: Any, path: str) -> Screening:
    """A dataset and its screening loaded by the system (the demo), not by a person.

    The screening is not queued: the caller runs it (the demo runs it at once).
    """
    target = Path(path)
    dataset = Dataset(
        name=name,
        territory=territory,
        source=Dataset.Source.SERVER_PATH,
        path=str(target),
        file_count=sum(1 for p in target.rglob("*") if p.is_file()),
    )
    dataset.full_clean(exclude=["created_by"])
    dataset.save()
    audit.record(actor=None, verb="procurement.dataset_registered", obj=dataset, summary=name)
    screening = Screening(dataset=dataset)
    screening.full_clean(exclude=["created_by"])
    screening.save()
    audit.record(actor=None, verb="procurement.screening_started", obj=screening)
    return screening


@transaction.atomic
def screening_start(*, dataset: Dataset, actor: Any, backend: str = "duckdb") -> Screening:
    from bhrplan.procurement.tasks import run_screening_task

    screening = Screening(dataset=dataset, backend=backend)
    screening.created_by = actor
    screening.full_clean()
    screening.save()
    audit.record(actor=actor, verb="procurement.screening_started", obj=screening)
    transaction.on_commit(lambda: run_screening_task.enqueue(screening.pk))
    return screening


def screening_progress(*, screening: Screening, stage: str, done: int, total: int) -> None:
    """Progress from the background task (no actor: the worker writes it)."""
    screening.stage, screening.done, screening.total = stage, done, total
    screening.status = Screening.Status.RUNNING
    if screening.started_at is None:
        screening.started_at = timezone.now()
    screening.save(update_fields=["stage", "done", "total", "status", "started_at", "updated_at"])


def screening_finish(
    *,
    screening: Screening,
    store: str = "",
    coverage: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    file_errors: list[dict[str, Any]] | None = None,
    error: str = "",
    failure: FileProblem | None = None,
) -> None:
    """Keep a screening's results, or why it stopped (`failure`; `error`: plain text)."""
    if failure is not None:
        error = failure.english()
        screening.error_code, screening.error_params = failure.code, dict(failure.params)
    screening.status = Screening.Status.FAILED if error else Screening.Status.DONE
    screening.store = store
    screening.coverage = coverage or {}
    screening.summary = summary or {}
    screening.file_errors = file_errors or []
    screening.error = error
    screening.finished_at = timezone.now()
    screening.save()
    audit.record(
        actor=None,
        verb="procurement.screening_finished",
        obj=screening,
        summary=screening.status,
        data={"summary": screening.summary},
    )


def xlsx_refusal(flags: int) -> str:
    """Why an XLSX of this many flags is not offered, or "" when it is."""
    if flags <= XLSX_MAX_ROWS:
        return ""
    return _(
        "The XLSX download holds at most %(max)s flags. Download the CSV (it opens in "
        "spreadsheet programs too), or narrow the view to a group or a search first."
    ) % {"max": number_format(XLSX_MAX_ROWS, force_grouping=True)}


def flags_export(*, screening: Screening, view: FlagView, fmt: str) -> IO[bytes]:
    """The flags of the view as a CSV or XLSX file, open for reading (its name is gone:
    the file vanishes once read). An XLSX of more than XLSX_MAX_ROWS flags is refused
    (ValidationError, code "too_big", saying what to do: see xlsx_refusal)."""
    store = Path(screening.store)
    where, params = view.where()
    if fmt == "xlsx" and (refusal := xlsx_refusal(view_flag_count(screening, view))):
        raise ValidationError(refusal, code="too_big")
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False) as out:
        path = Path(out.name)
    try:
        write = write_flags_csv if fmt == "csv" else write_flags_xlsx
        write(store, path, where, params)
        return path.open("rb")
    finally:
        path.unlink(missing_ok=True)
