"""Procurement screening pages, for signed-in coordinators only (404 for everyone else)."""

import codecs
from collections.abc import Iterator
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from bhrplan.lib.tabular import write_csv
from bhrplan.procurement import selectors, services
from bhrplan.procurement.criteria import recommend, value_band
from bhrplan.procurement.forms import DatasetForm
from bhrplan.procurement.models import Screening
from bhrplan.procurement.reference import risk_categories

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
    "title keyword": _("keyword in a title (no item description)"),
    "tender code": _("classification code of the whole tender (the item has none)"),
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


def _view_of(request: HttpRequest) -> selectors.FlagView:
    """The screening page's view (its grouping, a group, a search) from the query."""
    by = request.GET.get("by", "category")
    return selectors.FlagView(
        by=by if by in selectors.GROUPINGS else "category",
        value=request.GET.get("value", ""),
        text=request.GET.get("q", "")[:200],
    )


@require_GET
@login_required
def screening_detail(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = _screening_or_404(request, screening_id)
    view = _view_of(request)
    done = screening.status == Screening.Status.DONE
    labels = _category_labels()
    groups: Page[dict[str, Any]] | None = None
    tenders: Page[dict[str, Any]] | None = None
    view_flags = 0  # the flags that the downloads of this view hold
    if done:
        groups = Paginator(selectors.flags_grouped(screening, view.by), GROUPS_PER_PAGE).get_page(
            request.GET.get("groups")
        )
        for group in groups:
            group["display"] = labels.get(group["label"], group["label"])
        rows = selectors.flagged_tenders(screening, view)
        tenders = Paginator(rows, PROCESSES_PER_PAGE).get_page(request.GET.get("page"))
        for tender in tenders:
            tender["categories"] = ", ".join(labels.get(s, s) for s in tender["categories"] or ())
        view_flags = selectors.view_flag_count(screening, view)
    context = {
        "screening": screening,
        "by": view.by,
        "value": view.value,
        "q": view.text,
        "filtered": view.filtered,
        "groups": groups,
        "tenders": tenders,
        "view_flags": view_flags,
        "results_missing": done and not selectors.results_available(screening),
        "xlsx_too_big": services.xlsx_refusal(view_flags),
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
def screening_export(request: HttpRequest, screening_id: int, fmt: str) -> HttpResponseBase:
    """The flags of the current view (all of them, or a group's, or a search's) as a CSV
    or XLSX download; an XLSX too big for one is refused with what to do."""
    screening = _screening_or_404(request, screening_id)
    done = screening.status == Screening.Status.DONE
    if fmt not in ("csv", "xlsx") or not done or not selectors.results_available(screening):
        raise Http404
    try:
        stream = services.flags_export(screening=screening, view=_view_of(request), fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        query = request.GET.urlencode()
        detail = reverse("procurement:screening_detail", args=[screening.pk])
        return redirect(f"{detail}?{query}" if query else detail)
    filename = f"screening-{screening.pk}-flags.{fmt}"
    if fmt == "csv":
        # With a byte order mark, as the platform's other CSV files: Excel reads the
        # accents right.
        response: HttpResponseBase = StreamingHttpResponse(
            _with_bom(stream), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        stream,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _with_bom(stream: IO[bytes]) -> Iterator[bytes]:
    try:
        yield codecs.BOM_UTF8
        while chunk := stream.read(1 << 20):
            yield chunk
    finally:
        stream.close()


@require_GET
@login_required
def screening_files_csv(request: HttpRequest, screening_id: int) -> HttpResponse:
    """Every file of the dataset that was not used, and why, in the reader's language."""
    screening = _screening_or_404(request, screening_id)
    rows = [[_("File"), _("Why it was not used")], *screening.file_error_messages]
    response = HttpResponse(write_csv(rows), content_type="text/csv; charset=utf-8")
    filename = f"screening-{screening.pk}-files-not-used.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
