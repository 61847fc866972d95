"""Background screening (django-tasks; `manage.py db_worker` runs it)."""

import logging
import time
from pathlib import Path

from django_tasks import task

from bhrplan.procurement.models import Screening
from bhrplan.procurement.ocds.errors import stored_error
from bhrplan.procurement.screening.run import run_screening, stopped_problem
from bhrplan.procurement.services import procurement_dir, screening_finish, screening_progress

logger = logging.getLogger(__name__)


@task()
def run_screening_task(screening_id: int) -> None:
    screening = Screening.objects.select_related("dataset").get(pk=screening_id)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 1 or done >= total:  # at most one write a second
            last[0] = now
            screening_progress(screening=screening, stage=stage, done=done, total=total)

    store = procurement_dir() / "results" / f"screening-{screening.pk}.duckdb"
    try:
        result = run_screening(
            [screening.dataset.path], store, backend=screening.backend, progress=progress
        )
    except Exception as exc:  # the page must show the failure, the worker must go on
        logger.exception("Screening %s stopped", screening.pk)
        screening_finish(screening=screening, failure=stopped_problem(exc))
        return
    screening_finish(
        screening=screening,
        store=str(Path(result.store)),
        coverage=result.coverage,
        summary=result.summary,
        file_errors=[{"path": f.name, **stored_error(f)} for f in result.failed_files],
    )
