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
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bhrplan.lib.tabular import escape_formula
from bhrplan.participation.models import Consultation, Response
from bhrplan.participation.selectors_consultations import (
    consideration_counts,
    contributions_public,
    element_labels,
)
from bhrplan.territories.models import Organization


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


ROW_FIELDS = (
    "receipt_code",
    "created_at",
    "target_uid",
    "text",
    "declared_organization",
    "stakeholder_group",
    "region__name",
    "response__outcome",
    "response__rationale",
    "response__rationale_en",
)


def report_rows(consultation: Consultation) -> Iterator[list[Any]]:
    """Rows of plain values: no model instances, labels looked up once."""
    labels = element_labels(consultation.version)
    whole_plan = _("The whole plan")
    groups = {k: str(v) for k, v in Organization.StakeholderGroup.choices}
    outcomes = {k: str(v) for k, v in Response.Outcome.choices}
    unanswered = _("Not answered yet")
    english = (get_language() or "es")[:2] == "en"
    tz = timezone.get_current_timezone()
    qs = contributions_public(consultation).order_by("created_at", "id").values_list(*ROW_FIELDS)
    for code, created, uid, text, org, group, region, outcome, why, why_en in qs.iterator(
        chunk_size=2000
    ):
        yield [
            code,
            created.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            labels.get(str(uid), "") if uid else whole_plan,
            text,
            org,
            groups.get(group, group),
            region or "",
            outcomes[outcome] if outcome else unanswered,
            ((why_en or why) if english else why) or "",
        ]


def _rows(consultation: Consultation) -> Iterable[list[Any]]:
    yield report_header()
    yield from report_rows(consultation)


def report_csv(consultation: Consultation) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(consultation):
        writer.writerow([escape_formula(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(consultation: Consultation) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contributions")[:31])
    for row in _rows(consultation):
        sheet.append([escape_formula(v) for v in row])
    counts = workbook.create_sheet(_("Counts")[:31])
    titles = count_titles()
    for key, rows in consideration_counts(consultation).items():
        counts.append([titles[key], _("Contributions")])
        for label, n in rows:
            counts.append([escape_formula(label), n])
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
