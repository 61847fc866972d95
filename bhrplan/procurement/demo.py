"""A sample procurement screening for the demo: the real OCDS samples shipped in
`data/ocds-samples` (Paraguay DNCP and Colombia SECOP I), screened once, so that the
procurement pages show results right after `make run` (idempotent)."""

from __future__ import annotations

import shutil
from typing import Any

from django.utils.translation import gettext as _

from bhrplan.procurement.models import Dataset, Screening
from bhrplan.procurement.reference import OCDS_SAMPLES_DIR
from bhrplan.procurement.services import procurement_dir, sample_screening_create
from bhrplan.procurement.tasks import run_screening_task

# The name is the demo's key: a dataset of this name in the territory means "loaded".
DEMO_DATASET_NAME = "Datos OCDS de muestra: Paraguay (DNCP) y Colombia (SECOP I)"


def demo_procurement_load(*, territory: Any) -> Screening | None:
    """Copy the samples into the datasets folder and screen them; None when already there."""
    if Dataset.objects.filter(territory=territory, name=DEMO_DATASET_NAME).exists():
        return None
    folder = procurement_dir() / "datasets" / "demo-ocds-samples"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(OCDS_SAMPLES_DIR, folder)
    screening = sample_screening_create(
        name=DEMO_DATASET_NAME, territory=territory, path=str(folder)
    )
    # Screened here, not by the worker: the demo is complete when the command ends.
    run_screening_task.call(screening.pk)
    screening.refresh_from_db()
    if screening.status != Screening.Status.DONE:
        raise RuntimeError(_("The sample screening failed: %(error)s") % {"error": screening.error})
    return screening
