"""Procurement screening pages, for signed-in coordinators only (404 for everyone else)."""

import csv
import io
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from bhrplan.procurement import selectors, services
from bhrplan.procurement.criteria import recommend, value_band
from bhrplan.procurement.forms import DatasetForm
from bhrplan.procurement.models import Screening
from bhrplan.procurement.reference import risk_categories
from bhrplan.procurement.screening.run import CSV_COLUMNS, escape_cell, read_flags

# A national screening flags hundreds of thousands of processes: shown a page at a time.
GROUPS_PER_PAGE = 25
PROCESSES_PER_PAGE = 50

# Codes stored in the analytical store, shown translated.
CODE_LABELS = {
    "low": _("low"),
    "medium": _("medium"),
    "high": _("high"),
    "unknown": _("unknown"),
    "listed": _("listed by the US DoL"),
    "not listed": _("not listed"),
    "code": _("classification code"),
    "keyword": _("keyword"),
    "child_labour": _("child labour"),
    "forced_labour": _("forced labour"),
    "forced_child_labour": _("forced child labour"),
    "labour_rights": _("labour rights"),
    # procurement stages of an item
    "tender": _("tender"),
    "award": _("award"),
    "contract": _("contract"),
}


def _label(code: str | None) -> str:
    if not code:
        return ""
    return "; ".join(str(CODE_LABELS.get(part, part)) for part in code.split("; "))


def _category_labels() -> dict[str, str]:
    """Risk category slug → its name in the reader's language."""
    spanish = get_language() == "es"
    return {c.slug: c.label_es if spanish else c.label for c in risk_categories()}


def _screening_or_404(request: HttpRequest, screening_id: int) -> Screening:
    screening = selectors.screening_for(request.user, screening_id)
    if screening is None:
        raise Http404
    return screening


@require_GET
@login_required
def screening_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_screen(request.user):
        raise Http404
    screenings = selectors.screenings_for(request.user)[:50]
    return render(
        request,
        "procurement/screening_list.html",
        {"screenings": screenings, "form": DatasetForm(user=request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def screening_create(request: HttpRequest) -> HttpResponse:
    if not selectors.can_screen(request.user):
        raise Http404
    form = DatasetForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["upload"]:
                dataset = services.dataset_create_from_upload(
                    name=data["name"],
                    territory=data["territory"],
                    files=data["upload"],
                    actor=request.user,
                )
            else:
                dataset = services.dataset_create_from_path(
                    name=data["name"],
                    territory=data["territory"],
                    path=data["server_path"],
                    actor=request.user,
                )
            screening = services.screening_start(dataset=dataset, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("procurement:screening_detail", screening_id=screening.pk)
    return render(request, "procurement/screening_create.html", {"form": form})


@require_GET
@login_required
def screening_detail(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = _screening_or_404(request, screening_id)
    by = request.GET.get("by", "category")
    by = by if by in selectors.GROUPINGS else "category"
    value = request.GET.get("value", "")
    text = request.GET.get("q", "")[:200]
    done = screening.status == Screening.Status.DONE
    labels = _category_labels()
    groups: Page[dict[str, Any]] | None = None
    tenders: Page[dict[str, Any]] | None = None
    if done:
        groups = Paginator(selectors.flags_grouped(screening, by), GROUPS_PER_PAGE).get_page(
            request.GET.get("groups")
        )
        for group in groups:
            group["display"] = labels.get(group["label"], group["label"])
        rows = selectors.flagged_tenders(screening, by=by, value=value, text=text)
        tenders = Paginator(rows, PROCESSES_PER_PAGE).get_page(request.GET.get("page"))
        for tender in tenders:
            tender["categories"] = ", ".join(labels.get(s, s) for s in tender["categories"] or ())
    context = {
        "screening": screening,
        "by": by,
        "value": value,
        "q": text,
        "groups": groups,
        "tenders": tenders,
    }
    return render(request, "procurement/screening_detail.html", context)


@require_GET
@login_required
def screening_tender(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = _screening_or_404(request, screening_id)
    ocid = request.GET.get("ocid", "")
    flags = selectors.tender_flags(screening, ocid) if ocid else []
    if not flags:
        raise Http404
    amounts = [(f["value_amount"], f["currency"]) for f in flags if f["value_amount"] is not None]
    band = value_band(*max(amounts)) if amounts else "unknown"
    # The process as the flags carry it: its title, buyer, suppliers (of the flagged
    # awards and contracts) and the value the criteria are scaled to.
    suppliers = dict.fromkeys(f["suppliers"] for f in flags if f["suppliers"])
    process = {
        "title": next((f["tender_title"] for f in flags if f["tender_title"]), ""),
        "buyer": next((f["buyer"] for f in flags if f["buyer"]), ""),
        "buyer_id": next((f["buyer_id"] for f in flags if f["buyer_id"]), ""),
        "suppliers": "; ".join(suppliers),
        "value": max(amounts) if amounts else None,
    }
    spanish = get_language() == "es"
    labels = _category_labels()
    for flag in flags:
        flag["category_label"] = labels.get(flag["category"], flag["category"])
        for key in ("risk_types", "evidence", "confidence", "country_status", "stage"):
            flag[f"{key}_label"] = _label(flag[key])
    stages = [
        (stage.label_es if spanish else stage.label, criteria)
        for stage, criteria in recommend({f["category"] for f in flags}, band)
    ]
    context = {
        "screening": screening,
        "ocid": ocid,
        "process": process,
        "flags": flags,
        "band": band,
        "band_label": _label(band),
        "stages": stages,
        "spanish": spanish,
    }
    return render(request, "procurement/screening_tender.html", context)


@require_GET
@login_required
def screening_export(request: HttpRequest, screening_id: int, fmt: str) -> HttpResponse:
    screening = _screening_or_404(request, screening_id)
    if fmt not in ("csv", "xlsx") or screening.status != Screening.Status.DONE:
        raise Http404
    rows = read_flags(Path(screening.store)).select(list(CSV_COLUMNS)).to_pylist()
    table = [[escape_cell("" if r[c] is None else r[c]) for c in CSV_COLUMNS] for r in rows]
    filename = f"screening-{screening.pk}-flags.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(table)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(CSV_COLUMNS))
        for row in table:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
