"""Metadata of OCDS datasets and their screenings.

The screening results themselves (items, flags, coverage) live in an analytical store,
a DuckDB file per screening under VAR_DIR/procurement, not in this database.
"""

from collections import Counter
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bhrplan.core.models import BaseModel
from bhrplan.procurement.figures import ScreeningFigures, figures_of, screening_label
from bhrplan.procurement.ocds.errors import FileProblem, file_error_message


class Dataset(BaseModel):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded files")
        SERVER_PATH = "server_path", _("Folder on the server")

    name = models.CharField(_("name"), max_length=200)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="procurement_datasets",
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    path = models.CharField(_("path"), max_length=1000)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("OCDS dataset")
        verbose_name_plural = _("OCDS datasets")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Screening(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="screenings"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    backend = models.CharField(_("engine"), max_length=16, default="duckdb")
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    store = models.CharField(_("result store"), max_length=1000, blank=True)
    coverage = models.JSONField(_("coverage"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    file_errors = models.JSONField(_("file errors"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Why the screening stopped, as data (ocds/errors.py), shown in the reader's language;
    # screenings that failed before codes existed have only the English `error`.
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.get_status_display()})"

    STAGE_LABELS = {
        "read": _("reading files"),
        "compile": _("compiling releases"),
        "screen": _("matching risks"),
    }

    @property
    def stage_label(self) -> str:
        return str(self.STAGE_LABELS.get(self.stage, self.stage))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def error_message(self) -> str:
        """Why the screening stopped, in the active language."""
        if self.error_code:
            return FileProblem(self.error_code, dict(self.error_params)).message()
        return self.error

    @property
    def file_error_messages(self) -> list[tuple[str, str]]:
        """(file name, why it was not used) in the active language."""
        return [(str(e.get("path", "")), file_error_message(e)) for e in self.file_errors]

    # The page lists the first files not used; the whole list is a download.
    FILE_ERRORS_SHOWN = 50

    @property
    def file_errors_shown(self) -> list[tuple[str, str]]:
        shown = self.file_errors[: self.FILE_ERRORS_SHOWN]
        return [(str(e.get("path", "")), file_error_message(e)) for e in shown]

    @property
    def file_error_summary(self) -> list[tuple[str, int]]:
        """(the problem, how many files have it), the commonest first: a national dataset
        can hold thousands of files that cannot be used (Paraguay's has empty ones)."""
        # Counted by the stored problem (the same problem with another reason is a row of
        # its own), each put into words once.
        counts: Counter[tuple[Any, str, Any]] = Counter()
        examples: dict[tuple[Any, str, Any], dict[str, Any]] = {}
        for entry in self.file_errors:
            key = (entry.get("code"), repr(entry.get("params")), entry.get("error"))
            counts[key] += 1
            examples.setdefault(key, entry)
        rows = [(_problem_text(examples[key]), count) for key, count in counts.items()]
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def figures(self) -> ScreeningFigures:
        """Aggregate counts only (see figures.py); what plans and the public may read."""
        return figures_of(self)

    @property
    def label(self) -> str:
        """ "<dataset>, screened on <date>": how plans name a cited screening."""
        return screening_label(self)


def _problem_text(entry: dict[str, Any]) -> str:
    """A stored file error's problem in the active language, without where in the file."""
    if entry.get("code"):
        return FileProblem(str(entry["code"]), dict(entry.get("params") or {})).message()
    return str(entry.get("error") or "")
