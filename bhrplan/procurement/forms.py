from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bhrplan.procurement.selectors import coordinated_territories
from bhrplan.procurement.services import MAX_UPLOAD_BYTES
from bhrplan.territories.models import Territory


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # Empty files are reported per file by the screening, like the real 0-byte files.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class DatasetForm(forms.Form):
    name = forms.CharField(label=_("Name of the dataset"), max_length=200)
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none())
    upload = MultipleFileField(
        label=_(
            "OCDS files (JSON, JSON Lines, gzip, bzip2, xz, Zstandard, ZIP, tar, RAR or 7-Zip)"
        ),
        required=False,
        help_text=_(
            "Release or record packages, single releases or records; several files allowed. "
            "Each file in an archive is read on its own."
        ),
    )
    server_path = forms.CharField(
        label=_("Or a folder on the server"),
        max_length=1000,
        required=False,
        help_text=_("Only folders inside the screening data folder are accepted."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["territory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = coordinated_territories(user).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files = data.get("upload") or []
        path = (data.get("server_path") or "").strip()
        if bool(files) == bool(path):
            raise forms.ValidationError(_("Upload files or give a server folder (one of the two)."))
        total = sum(f.size for f in files)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The upload is too large (%(mb)s MB at most); use a server folder instead.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        data["server_path"] = path
        return data
