"""Forms for consultations, the public comment and suggestion forms, moderation and answers.

Public forms carry a signed one-time token (hidden field) and a honeypot field that
people never see; the service stores the token so a form sent twice is stored once.
"""

import secrets
from typing import Any
from uuid import UUID

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from bhrplan.frameworks.models import Theme
from bhrplan.participation.models import Contribution, Gender, Response
from bhrplan.participation.selectors_consultations import (
    Element,
    later_versions,
    published_versions,
    regions_for,
    version_elements,
)
from bhrplan.participation.services_consultations import MAX_TEXT
from bhrplan.plans.models import Plan, PlanVersion
from bhrplan.territories.models import Organization

TOKEN_SALT = "bhrplan.participation.form-token"  # noqa: S105 - a signing salt
TOKEN_MAX_AGE = 60 * 60 * 24
HONEYPOT = "homepage"
TZ_HELP = _("Date and time in the site's time zone.")


def new_form_token() -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(secrets.token_urlsafe(18))


def read_form_token(value: str) -> str | None:
    """The raw token, or None when it is forged or older than a day."""
    try:
        return signing.TimestampSigner(salt=TOKEN_SALT).unsign(value, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ConsultationForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Version under consultation"), queryset=PlanVersion.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput(), help_text=TZ_HELP)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput(), help_text=TZ_HELP)

    def __init__(self, *args: Any, plan: Plan, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["version"]
        else:
            field = self.fields["version"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = published_versions(plan)
            field.label_from_instance = _version_label  # type: ignore[method-assign,assignment]


def _version_label(version: PlanVersion) -> str:
    return _("Version %(number)s") % {"number": version.number}


def element_choices(elements: list[Element]) -> list[Any]:
    """The select options, grouped by guideline."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for element in elements:
        groups.setdefault(element.group, []).append((element.key, element.label))
    return [("plan", _("The whole plan")), *groups.items()]


class ContributorFields(forms.Form):
    """Optional self-declared data, the private e-mail, the honeypot and the token."""

    declared_organization = forms.CharField(
        label=_("Organisation (optional)"), max_length=300, required=False
    )
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group (optional)"),
        choices=[("", "—"), *Organization.StakeholderGroup.choices],
        required=False,
    )
    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Region (optional)"), queryset=None, required=False, empty_label="—"
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional, self-declared)"),
        choices=[("", "—"), *Gender.choices],
        required=False,
    )
    contact_email = forms.EmailField(
        label=_("E-mail for the answer (optional, never published)"), required=False
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: Plan, organization: Organization | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = regions_for(plan)
        if organization is not None:
            for name in ("declared_organization", "stakeholder_group"):
                del self.fields[name]
        self.fields["text"].help_text = _(
            "Up to %(limit)s characters. Text only: any HTML is shown as typed."
        ) % {"limit": MAX_TEXT}

    def clean_homepage(self) -> str:
        if self.cleaned_data.get(HONEYPOT):
            raise forms.ValidationError(_("This field must stay empty. Nothing was sent."))
        return ""

    def clean_token(self) -> str:
        raw = read_form_token(self.cleaned_data["token"])
        if raw is None:
            raise forms.ValidationError(
                _("This form has expired. Copy your text, reload the page and send it again.")
            )
        return raw

    def contributor_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "declared_organization": data.get("declared_organization", ""),
            "stakeholder_group": data.get("stakeholder_group", ""),
            "region": data.get("region"),
            "gender": data.get("gender", ""),
            "contact_email": data.get("contact_email", ""),
            "submission_token": data["token"],
        }


class ContributionForm(ContributorFields):
    field_order = ["element", "text"]
    element = forms.ChoiceField(
        label=_("About"),
        error_messages={
            "invalid_choice": _("That element is not part of the plan version under consultation.")
        },
    )
    text = forms.CharField(
        label=_("Your contribution"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "max_length": _(
                "Your contribution is too long: the limit is %(limit_value)s characters."
            )
        },
    )

    def __init__(self, *args: Any, version: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        element = self.fields["element"]
        assert isinstance(element, forms.ChoiceField)
        element.choices = element_choices(version_elements(version))


class SuggestionForm(ContributorFields):
    field_order = ["theme", "text"]
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.order_by("kind", "slug")
    )
    text = forms.CharField(
        label=_("Your suggestion"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "max_length": _("Your suggestion is too long: the limit is %(limit_value)s characters.")
        },
    )


class ModerationForm(forms.Form):
    moderation = forms.ChoiceField(label=_("Moderation"), choices=Contribution.Moderation.choices)
    hidden_reason = forms.CharField(label=_("Reason for hiding"), max_length=300, required=False)


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"), max_length=20, help_text=_("For example ABCD-EFGH-JKLM.")
    )


class ReportFilterForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[("", _("All")), *Response.Outcome.choices, ("unanswered", _("Not answered yet"))],
    )
    group = forms.ChoiceField(
        label=_("Stakeholder group"),
        required=False,
        choices=[("", _("All")), *Organization.StakeholderGroup.choices],
    )
    element = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, *args: Any, elements: list[Element], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["element"]
        assert isinstance(field, forms.ChoiceField)
        choices = element_choices(elements)
        field.choices = [("", _("All")), *[(str(c[0]).split(":")[-1], c[1]) for c in choices[:1]]]
        for group, options in choices[1:]:
            field.choices.append((group, [(key.split(":")[1], label) for key, label in options]))


class IdListField(forms.Field):
    """Ids of the contributions ticked in the list (the list itself is paginated)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select contributions from the list.")) from None

    def validate(self, value: Any) -> None:
        if not value:
            raise forms.ValidationError(_("Select at least one contribution to answer."))


class ResponseForm(forms.Form):
    contributions = IdListField(label=_("Contributions answered"))
    outcome = forms.ChoiceField(label=_("Answer"), choices=Response.Outcome.choices)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4}))
    rationale_en = forms.CharField(
        label=_("Rationale (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    changed = forms.ChoiceField(
        label=_("Element changed in a later version (optional)"), required=False
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        after: PlanVersion | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {v.pk: v for v in later_versions(plan, after)}
        changed: list[Any] = [("", "—")]
        for version in self.versions.values():
            label = _("Version %(number)s") % {"number": version.number}
            changed.append(
                (label, [(f"{version.pk}:{e.uid}", e.label) for e in version_elements(version)])
            )
        field = self.fields["changed"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = changed

    def change(self) -> tuple[PlanVersion | None, UUID | None]:
        value = self.cleaned_data.get("changed") or ""
        if not value:
            return None, None
        version_id, uid = value.split(":", 1)
        return self.versions[int(version_id)], UUID(uid)
