"""The consideration report as CSV, XLSX and PDF.

Contributed text is untrusted: cells that a spreadsheet would read as a formula are
prefixed with an apostrophe, and the PDF is rendered from an auto-escaping template.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from bhrplan.core.models import localized
from bhrplan.participation.models import Consultation, Contribution
from bhrplan.participation.selectors_consultations import (
    consideration_counts,
    contributions_public,
    element_labels,
)
from bhrplan.territories.models import Organization

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def group_label(code: str) -> str:
    return str(dict(Organization.StakeholderGroup.choices).get(code, code))


def report_header() -> list[str]:
    return [
        _("Receipt code"),
        _("Date"),
        _("About"),
        _("Contribution"),
        _("Organisation"),
        _("Stakeholder group"),
        _("Region"),
        _("Answer"),
        _("Rationale"),
    ]


def report_rows(consultation: Consultation) -> Iterator[list[Any]]:
    labels = element_labels(consultation.version)
    whole_plan = _("The whole plan")
    qs = contributions_public(consultation).order_by("created_at", "id")
    for c in qs.iterator(chunk_size=2000):
        yield _row(c, labels, whole_plan)


def _row(c: Contribution, labels: dict[str, str], whole_plan: str) -> list[Any]:
    response = c.response
    about = labels.get(str(c.target_uid), "") if c.target_uid else whole_plan
    return [
        c.receipt_code,
        timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
        about,
        c.text,
        c.declared_organization,
        group_label(c.stakeholder_group),
        c.region.name if c.region else "",
        response.get_outcome_display() if response else _("Not answered yet"),
        localized(response, "rationale") if response else "",
    ]


def _rows(consultation: Consultation) -> Iterable[list[Any]]:
    yield report_header()
    yield from report_rows(consultation)


def report_csv(consultation: Consultation) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(consultation):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(consultation: Consultation) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contributions")[:31])
    for row in _rows(consultation):
        sheet.append([safe_cell(v) for v in row])
    counts = workbook.create_sheet(_("Counts")[:31])
    titles = count_titles()
    for key, rows in consideration_counts(consultation).items():
        counts.append([titles[key], _("Contributions")])
        for label, n in rows:
            counts.append([safe_cell(label), n])
        counts.append([])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def count_titles() -> dict[str, str]:
    return {
        "answer": _("By answer"),
        "group": _("By stakeholder group"),
        "gender": _("By gender"),
        "region": _("By region"),
    }


def report_pdf(consultation: Consultation) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "participation/consultations/report_pdf.html",
        {
            "consultation": consultation,
            "header": report_header(),
            "rows": report_rows(consultation),
            "counts": consideration_counts(consultation),
            "count_titles": count_titles(),
            "generated_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
