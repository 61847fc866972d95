"""Forms for periods, reports, evidence, reviews and assessments. They validate input;
services apply the business rules (and raise ValidationError the views show here)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bhrplan.monitoring import breakdowns
from bhrplan.monitoring.models import (
    Evidence,
    IndependentAssessment,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.monitoring.services import ValueInput
from bhrplan.plans.models import Action, Indicator, Plan

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=18, decimal_places=4)


class PeriodGenerateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=ReportingPeriod.Frequency.choices
    )
    due_days_after_end = forms.IntegerField(
        label=gettext_lazy("Reports due (days after the period ends)"),
        min_value=0,
        max_value=365,
        initial=30,
    )


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["label", "due_date"]
        widgets = {"due_date": DATE_WIDGET}


class ReportForm(forms.Form):
    """Status, narrative and, for each indicator of the action, a value with its breakdowns
    and a note. Field names: ind<id>, ind<id>_note, ind<id>__<breakdown>__<category>,
    ind<id>__region_free (lines "CODE: amount" when the territory has no sub-territories)."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status of the action"), choices=ProgressReport.Status.choices
    )
    narrative = forms.CharField(
        label=gettext_lazy("What was done in this period"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )

    def __init__(
        self, *args: Any, action: Action, plan: Plan, report: ProgressReport | None, **kwargs: Any
    ) -> None:
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(report)
        super().__init__(*args, **kwargs)
        self.indicators: list[Indicator] = list(action.indicators.all())
        self.plan = plan
        self._categories: dict[str, list[tuple[str, Any]]] = {}
        for ind in self.indicators:
            self.fields[f"ind{ind.pk}"] = _decimal_field(_("Value (%(unit)s)") % {"unit": ind.unit})
            self._screening_help(ind, report)
            for dim in ind.disaggregations or []:
                cats = self._cats(dim)
                if not cats:
                    self.fields[f"ind{ind.pk}__{dim}_free"] = forms.CharField(
                        label=_("Parts by %(breakdown)s, one per line as “code: amount”")
                        % {"breakdown": breakdowns.dimension_label(dim).lower()},
                        required=False,
                        widget=forms.Textarea(attrs={"rows": 3}),
                    )
                for code, label in cats:
                    self.fields[f"ind{ind.pk}__{dim}__{code}"] = _decimal_field(label)
            self.fields[f"ind{ind.pk}_note"] = forms.CharField(
                label=_("Note (e.g. why the parts do not add up)")
                if ind.disaggregations
                else _("Note"),
                required=False,
                max_length=500,
            )

    def _screening_help(self, ind: Indicator, report: ProgressReport | None) -> None:
        """Beside the value: the figure of the procurement screening the indicator cites."""
        figures = ind.screening_figures
        if figures is None:
            return
        field = self.fields[f"ind{ind.pk}"]
        parts = {
            "figure": ind.get_screening_metric_display(),
            "n": "—" if ind.screening_figure is None else ind.screening_figure,
            "dataset": figures.dataset_name,
            "date": date_format(figures.screened_on, "SHORT_DATE_FORMAT")
            if figures.screened_on
            else "—",
        }
        if ind.is_screening_denominator:
            field.help_text = (
                _(
                    "Screening “%(dataset)s” (%(date)s): %(figure)s = %(n)s. Report how many "
                    "of these %(n)s qualify (n of %(n)s)."
                )
                % parts
            )
            return
        field.help_text = _("Screening “%(dataset)s” (%(date)s): %(figure)s = %(n)s.") % parts
        if report is None and ind.screening_figure is not None:
            self.initial.setdefault(f"ind{ind.pk}", breakdowns.plain(ind.screening_figure))

    def _cats(self, dim: str) -> list[tuple[str, Any]]:
        if dim not in self._categories:
            self._categories[dim] = breakdowns.categories(dim, self.plan)
        return self._categories[dim]

    @staticmethod
    def _initial(report: ProgressReport) -> dict[str, Any]:
        initial: dict[str, Any] = {"status": report.status, "narrative": report.narrative}
        for value in report.values.all():
            key = f"ind{value.indicator_id}"
            initial[key] = breakdowns.plain(value.value)
            initial[f"{key}_note"] = value.note
            for dim, parts in (value.breakdown or {}).items():
                for code, amount in parts.items():
                    initial[f"{key}__{dim}__{code}"] = amount
                initial[f"{key}__{dim}_free"] = "\n".join(f"{c}: {a}" for c, a in parts.items())
        return initial

    def groups(self) -> list[dict[str, Any]]:
        """The indicator fields, grouped for the template (fieldset per indicator)."""
        out = []
        for ind in self.indicators:
            dims = []
            for dim in ind.disaggregations or []:
                names = [n for n in self.fields if n.startswith(f"ind{ind.pk}__{dim}_")]
                dims.append(
                    {"label": breakdowns.dimension_label(dim), "fields": [self[n] for n in names]}
                )
            out.append(
                {
                    "indicator": ind,
                    "value": self[f"ind{ind.pk}"],
                    "note": self[f"ind{ind.pk}_note"],
                    "breakdowns": dims,
                }
            )
        return out

    def _free_parts(self, name: str) -> dict[str, Decimal]:
        parts: dict[str, Decimal] = {}
        for line in (self.cleaned_data.get(name) or "").splitlines():
            if not line.strip():
                continue
            code, sep, amount = line.partition(":")
            try:
                if not sep or not code.strip():
                    raise ValueError
                parts[code.strip()[:20]] = Decimal(amount.strip())
            except (ValueError, ArithmeticError):
                self.add_error(name, _("Write each part as “code: amount”, e.g. “PE-LIM: 12”."))
                return {}
            if not parts[code.strip()[:20]].is_finite():
                self.add_error(name, _("Enter a number."))
                return {}
        return parts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.values: list[ValueInput] = []
        for ind in self.indicators:
            key = f"ind{ind.pk}"
            parts: dict[str, dict[str, Decimal]] = {}
            for dim in ind.disaggregations or []:
                if not self._cats(dim):
                    parts[dim] = self._free_parts(f"{key}__{dim}_free")
                    continue
                parts[dim] = {
                    code: cleaned[f"{key}__{dim}__{code}"]
                    for code, _label in self._cats(dim)
                    if cleaned.get(f"{key}__{dim}__{code}") is not None
                }
            value = cleaned.get(key)
            note = cleaned.get(f"{key}_note") or ""
            if value is None:
                if any(parts.values()) and key not in self.errors:
                    self.add_error(key, _("Give the total when you give its parts."))
                self.values.append(ValueInput(ind, None))
                continue
            for message in ind.screening_value_errors(value):
                self.add_error(key, message)
            for message in breakdowns.sum_errors(ind, value, parts, note):
                self.add_error(f"{key}_note", message)
            self.values.append(ValueInput(ind, value, parts, note))
        return cleaned


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "PDF, PNG, JPEG, WebP, DOCX, XLSX, PPTX, ODT or ODS, up to the size limit."
        ),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see it"),
        choices=Evidence.Visibility.choices,
        initial=Evidence.Visibility.INTERNAL,
        help_text=gettext_lazy(
            "Public files are shown with the validated report; internal files only to the "
            "plan's coordinators, the committee and your organisation."
        ),
    )
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=300)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("validate", gettext_lazy("Validate")),
            ("return", gettext_lazy("Return with a comment")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say what the organisation should change."))
        return cleaned


class AssessmentForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Assess on behalf of"))
    rating = forms.ChoiceField(
        label=gettext_lazy("Rating"), choices=IndependentAssessment.Rating.choices
    )
    narrative = forms.CharField(
        label=gettext_lazy("Assessment"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = {key: org for key, _label, org in sources}
        choices = [(key, label) for key, label, _org in sources]
        self.fields["source"].choices = choices  # type: ignore[attr-defined]
