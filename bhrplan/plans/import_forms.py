"""Forms of the browser import of a plan matrix (upload → preview → confirm)."""

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bhrplan.accounts.selectors import territories_coordinated_by
from bhrplan.plans.importer import COLUMNS, SheetColumn, field_label
from bhrplan.territories.models import Territory

ALLOWED_EXTENSIONS = (".xlsx", ".csv")


def max_upload_bytes() -> int:
    return int(getattr(settings, "PLAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan matrix"),
        help_text=_("An Excel (.xlsx) or CSV file with one row per indicator."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    territory: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none()
    )
    title = forms.CharField(label=_("Plan title"), max_length=300)
    title_en = forms.CharField(label=_("Plan title (English)"), max_length=300, required=False)
    start_date = forms.DateField(
        label=_("Plan start"),
        required=False,
        help_text=_("Leave empty to take it from the earliest action start."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=_("Plan end"),
        required=False,
        help_text=_("Leave empty to take it from the latest action end or target year."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    create_organizations = forms.BooleanField(
        label=_("Create the organisations that do not exist yet"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = territories_coordinated_by(user).order_by("code")
        choices = list(territory.queryset[:2])
        if len(choices) == 1:
            territory.initial = choices[0].pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": max_upload_bytes() // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The plan cannot end before it starts."))
        return data


IGNORE = ""


class ColumnMappingForm(forms.Form):
    """A select for each column the importer did not recognise (or the user re-mapped)."""

    def __init__(self, *args: Any, columns: list[SheetColumn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (IGNORE, _("Ignore this column")),
            *((c.key, field_label(c.key)) for c in COLUMNS),
        ]
        self.all_columns = columns
        self.columns = [c for c in columns if not c.recognised]
        for column in self.columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=_("Column %(letter)s: %(header)s")
                % {"letter": column.letter, "header": column.header or "—"},
                choices=choices,
                required=False,
                initial=column.key or IGNORE,
            )

    def mapping(self) -> dict[int, str]:
        return {c.index: self.cleaned_data.get(f"col_{c.index}") or IGNORE for c in self.columns}

    def rows(self) -> list[dict[str, Any]]:
        """Every column of the sheet, with its select when the user may choose."""
        return [
            {
                "column": c,
                "field": None if c.recognised else self[f"col_{c.index}"],
                "label": field_label(c.key) if c.key else "",
            }
            for c in self.all_columns
        ]
