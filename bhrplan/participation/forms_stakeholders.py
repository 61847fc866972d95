"""Forms for self-registration, review, ratings, working groups, events and attendance."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bhrplan.frameworks.models import Theme
from bhrplan.participation.models import AttendanceCount, Event, Gender, WorkingGroup
from bhrplan.participation.selectors_stakeholders import (
    organizations_for_plan,
    region_choices,
    territory_choices,
)
from bhrplan.participation.services_stakeholders import minutes_check, minutes_max_bytes
from bhrplan.plans.models import Plan
from bhrplan.territories.models import Organization, Territory

MAX_PEOPLE = 100_000


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=300)
    acronym = forms.CharField(label=_("Acronym"), max_length=40, required=False)
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), choices=Organization.StakeholderGroup.choices
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Theme.objects.filter(kind=Theme.Kind.SECTOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("code"),
        help_text=_("Where the organisation is based."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=254)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    # Honeypot: hidden from people, filled in by naive bots.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


SCALE = [(i, str(i)) for i in range(1, 6)]


class RatingForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    influence = forms.TypedChoiceField(label=_("Influence (1–5)"), choices=SCALE, coerce=int)
    interest = forms.TypedChoiceField(label=_("Interest (1–5)"), choices=SCALE, coerce=int)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for_plan(plan)  # type: ignore[attr-defined]


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = organizations_for_plan(plan)  # type: ignore[attr-defined]


def working_group_initial(group: WorkingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "name_en": group.name_en,
        "description": group.description,
        "members": list(group.members.all()),
    }


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    territory = forms.ChoiceField(label=_("Where"))
    modality = forms.ChoiceField(label=_("Modality"), choices=Event.Modality.choices)
    phase = forms.ChoiceField(label=_("Plan phase"), choices=Event.Phase.choices)
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )
    minutes = forms.FileField(
        label=_("Minutes"),
        required=False,
    )
    remove_minutes = forms.BooleanField(label=_("Remove the current minutes"), required=False)
    is_public = forms.BooleanField(label=_("Shown on the public site"), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].help_text = _(
            "PDF, DOCX or ODT, at most %(size)s. Public events offer it for download."
        ) % {"size": filesizeformat(minutes_max_bytes())}
        self.fields["territory"].choices = territory_choices(plan)  # type: ignore[attr-defined]
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(plan=plan)  # type: ignore[attr-defined]

    def clean_minutes(self) -> Any:
        upload = self.cleaned_data.get("minutes")
        if upload:
            try:
                minutes_check(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["minutes"]) from error
        return upload

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("remove_minutes", None)
        data.pop("minutes", None)
        return data


def event_initial(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "title": event.title,
        "title_en": event.title_en,
        "description": event.description,
        "date": event.date,
        "territory": event.territory.code,
        "modality": event.modality,
        "phase": event.phase,
        "working_group": event.working_group_id,
        "is_public": event.is_public,
    }


DIMENSION_PREFIX: dict[str, str] = {
    AttendanceCount.Dimension.GENDER: "gender",
    AttendanceCount.Dimension.STAKEHOLDER_GROUP: "group",
    AttendanceCount.Dimension.REGION: "region",
}


class AttendanceForm(forms.Form):
    """Participating organisations and one number field per gender, group and region."""

    organizations = forms.ModelMultipleChoiceField(
        label=_("Participating organisations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: Plan, event: Event, **kwargs: Any) -> None:
        existing = {(c.dimension, c.category): c.count for c in event.counts.all()}
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations_for_plan(plan)  # type: ignore[attr-defined]
        self.initial.setdefault("organizations", list(event.organizations.all()))
        self.fieldsets: list[tuple[str, list[str]]] = []
        self.count_fields: dict[str, tuple[str, str]] = {}
        choices: dict[str, list[tuple[str, Any]]] = {
            AttendanceCount.Dimension.GENDER: list(Gender.choices),
            AttendanceCount.Dimension.STAKEHOLDER_GROUP: list(
                Organization.StakeholderGroup.choices
            ),
            AttendanceCount.Dimension.REGION: region_choices(plan),
        }
        for dimension, options in choices.items():
            names = []
            for code, label in options:
                name = f"{DIMENSION_PREFIX[dimension]}__{code}"
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=0, max_value=MAX_PEOPLE, required=False
                )
                self.initial.setdefault(name, existing.get((dimension, code)))
                self.count_fields[name] = (dimension, code)
                names.append(name)
            self.fieldsets.append((str(AttendanceCount.Dimension(dimension).label), names))

    def grouped(self) -> list[tuple[str, list[Any]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for name, (dimension, code) in self.count_fields.items():
            result.setdefault(dimension, {})[code] = self.cleaned_data.get(name) or 0
        return result
