"""Forms of the plan editor. They validate input; the services in services.py write it.

Model validation (dates inside the plan period, target consistent with direction) runs
in `is_valid()` through the model's `clean()`, and errors raised later by a service are
put back on the form with `add_service_error`, so bad input never reaches a 500.
"""

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan, PlanVersion
from bhrplan.territories.models import Organization, Territory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PickerWidget(forms.CheckboxSelectMultiple):
    """A plain checkbox list, grouped; static/js/picker.js adds a filter box to it."""

    template_name = "plans/widgets/picker.html"

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> list[Any]:
        """Ungrouped options come one group each from Django; keep them in one list."""
        groups: list[Any] = []
        for group_name, options, index in super().optgroups(name, value, attrs):
            if group_name is None and groups and groups[-1][0] is None:
                groups[-1][1].extend(options)
            else:
                groups.append((group_name, list(options), index))
        return groups


class PickerField(forms.MultipleChoiceField):
    """Choose several objects from a list, optionally grouped; cleans to the objects."""

    widget = PickerWidget

    def __init__(
        self,
        objects: Iterable[Any],
        label_of: Callable[[Any], str] = str,
        group_of: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        items = list(objects)
        self.objects = {str(o.pk): o for o in items}
        choices: list[Any]
        if group_of is None:
            choices = [(str(o.pk), label_of(o)) for o in items]
        else:
            groups: dict[str, list[tuple[str, str]]] = {}
            for o in items:
                groups.setdefault(group_of(o), []).append((str(o.pk), label_of(o)))
            choices = list(groups.items())
        kwargs.setdefault("required", False)
        super().__init__(choices=choices, **kwargs)

    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        return [self.objects[v] for v in super().clean(value)]


def _pks(objects: Iterable[Any]) -> list[str]:
    return [str(o.pk) for o in objects]


# Plans -----------------------------------------------------------------------------


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "title_en",
            "description",
            "description_en",
            "start_date",
            "end_date",
            "status",
            "legal_instrument",
            "currency",
        ]
        widgets = {
            "title": forms.TextInput(),
            "title_en": forms.TextInput(),
            "start_date": DATE,
            "end_date": DATE,
            "currency": forms.TextInput(attrs={"size": 3, "maxlength": 3}),
        }

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise ValidationError(_("Write a three-letter ISO 4217 code, e.g. PEN."))
        return value


class PlanCreateForm(PlanForm):
    territory = forms.ModelChoiceField(queryset=Territory.objects.none(), label=_("territory"))

    class Meta(PlanForm.Meta):
        fields = ["territory", *PlanForm.Meta.fields]

    def __init__(self, *args: Any, territories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory_field: Any = self.fields["territory"]
        territory_field.queryset = territories


class PublishForm(forms.Form):
    """Publishing freezes the draft; the note tells readers what changed."""

    note = forms.CharField(
        label=_("What changed in this version"),
        widget=forms.Textarea,
        max_length=5000,
        help_text=_("Shown to the public beside the version."),
    )


class MoveForm(forms.Form):
    """One button of the editor's tree: `move=<kind>:<uid>:<up|down>`."""

    move = forms.RegexField(
        regex=r"^(guideline|objective|action|indicator):[0-9a-f-]{36}:(up|down)$", max_length=60
    )

    def clean_move(self) -> tuple[str, UUID, str]:
        kind, uid, direction = self.cleaned_data["move"].split(":")
        try:
            return kind, UUID(uid), direction
        except ValueError as error:
            raise ValidationError(_("Choose an element of the plan.")) from error


class CompareForm(forms.Form):
    """Two versions of one plan, by number. Works as a plain GET form."""

    a = forms.TypedChoiceField(label=_("Older version"), coerce=int)
    b = forms.TypedChoiceField(label=_("Newer version"), coerce=int)

    def __init__(self, *args: Any, versions: Iterable[PlanVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {v.number: v for v in versions}
        choices = [(str(n), version_label(v)) for n, v in self.versions.items()]
        a: Any = self.fields["a"]
        b: Any = self.fields["b"]
        a.choices = b.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "a" in data and "b" in data and data["a"] == data["b"]:
            raise ValidationError(_("Choose two different versions."))
        return data

    def pair(self) -> tuple[PlanVersion, PlanVersion]:
        """The two versions, older first whatever order they were chosen in."""
        first, second = self.versions[self.cleaned_data["a"]], self.versions[self.cleaned_data["b"]]
        return (first, second) if first.number < second.number else (second, first)


def version_label(version: PlanVersion) -> str:
    if version.is_published:
        return _("Version %(number)s (published)") % {"number": version.number}
    return _("Version %(number)s (draft)") % {"number": version.number}


# Tree elements ---------------------------------------------------------------------------

NODE_FIELDS = ["code", "title", "title_en", "description", "description_en"]
NODE_WIDGETS = {
    "code": forms.TextInput(attrs={"size": 10}),
    "title": forms.Textarea(attrs={"rows": 2}),
    "title_en": forms.Textarea(attrs={"rows": 2}),
    "description": forms.Textarea(attrs={"rows": 4}),
    "description_en": forms.Textarea(attrs={"rows": 4}),
}


class NodeForm(forms.ModelForm):
    """Base of the element forms: a blank code is proposed by the service on creation."""

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        siblings: Iterable[Any] = (),
        user: Any = None,
        **kwargs: Any,
    ):
        self.plan = plan
        self.siblings = list(siblings)
        self.user = user
        super().__init__(*args, **kwargs)
        if "code" in self.fields and self.instance.pk is None:
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Leave blank to number it automatically.")

    def service_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self._meta.fields or [] if k in self.cleaned_data}


class GuidelineForm(NodeForm):
    class Meta:
        model = Guideline
        fields = NODE_FIELDS
        widgets = NODE_WIDGETS


def _parent_choices(parents: Iterable[Any]) -> list[tuple[str, str]]:
    return [(str(p.uid), f"{p.code} {p.display_title}"[:120]) for p in parents]


class ObjectiveForm(NodeForm):
    """`guideline` (existing objectives only) moves the objective to another guideline."""

    class Meta:
        model = Objective
        fields = NODE_FIELDS
        widgets = NODE_WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["guideline"] = forms.ChoiceField(
                label=_("strategic guideline"),
                choices=_parent_choices(self.siblings),
            )
            self.initial.setdefault("guideline", str(self.instance.guideline.uid))
            self.order_fields(["guideline"])

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        if "guideline" in self.cleaned_data:
            fields["guideline_uid"] = self.cleaned_data["guideline"]
        return fields


def _provision_group(p: Provision) -> str:
    if p.framework.code == "ungp" or p.parent is None:
        return str(p.pillar_name)
    return str(p.parent.label)


class ActionForm(NodeForm):
    """An action and its links. `objective` (existing actions only) moves it."""

    class Meta:
        model = Action
        fields = [*NODE_FIELDS, "kind", "lead", "start_date", "end_date", "budget"]
        widgets = {**NODE_WIDGETS, "start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = list(self._organizations())
        lead: Any = self.fields["lead"]
        lead.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
        lead.widget.attrs.update(
            {"data-picker": "", "data-filter-label": _("Filter the organisations")}
        )
        self.fields["co_responsible"] = PickerField(
            organizations, _org_label, label=_("co-responsible entities")
        )
        ungp = Provision.objects.ungp_principles().select_related("framework").order_by("sort_key")
        sdg = (
            Provision.objects.sdg_targets()
            .select_related("framework", "parent__framework")
            .order_by("sort_key")
        )
        self.fields["principles"] = PickerField(
            ungp, _provision_label, _provision_group, label=_("UNGP principles")
        )
        self.fields["sdg_targets"] = PickerField(
            sdg, _provision_label, _provision_group, label=_("SDG targets")
        )
        self.fields["themes"] = PickerField(
            Theme.objects.order_by("kind", "position", "slug"),
            lambda t: t.label,
            lambda t: str(t.get_kind_display()),
            label=_("themes"),
        )
        self.fields["approaches"] = PickerField(
            Approach.objects.all(), lambda a: a.label, label=_("population approaches")
        )
        self.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": self.plan.currency}
        if self.instance.pk is not None:
            self.fields["objective"] = forms.ChoiceField(
                label=_("objective"),
                choices=_parent_choices(self.siblings),
            )
            self.initial.setdefault("objective", str(self.instance.objective.uid))
            self.order_fields(["objective"])
            self.initial["co_responsible"] = _pks(self.instance.co_responsible.all())
            provisions = list(self.instance.provisions.all())
            self.initial["principles"] = _pks(p for p in provisions if p.kind == "principle")
            self.initial["sdg_targets"] = _pks(p for p in provisions if p.kind == "target")
            self.initial["themes"] = _pks(self.instance.themes.all())
            self.initial["approaches"] = _pks(self.instance.approaches.all())
        self._add_screenings()

    def _add_screenings(self) -> None:
        """Procurement screenings to cite: only when the user may cite some or some are cited.

        Citations the user may not see are not listed; the service keeps them.
        """
        from bhrplan.procurement.selectors import screenings_citable

        citable = list(screenings_citable(self.plan.territory, self.user))
        cited = list(self.instance.screenings.all()) if self.instance.pk is not None else []
        citable_ids = {s.pk for s in citable}
        self.hidden_screenings = sum(1 for s in cited if s.pk not in citable_ids)
        if not citable:
            return
        help_text: Any = _(
            "Finished screenings of the plan's territory or its parent territories. The "
            "public action page shows only their aggregate figures, never suppliers."
        )
        if self.hidden_screenings:
            help_text = ngettext(
                "Finished screenings of the plan's territory or its parent territories. The "
                "public action page shows only their aggregate figures, never suppliers. The "
                "action also cites %(count)s screening you may not see; it stays.",
                "Finished screenings of the plan's territory or its parent territories. The "
                "public action page shows only their aggregate figures, never suppliers. The "
                "action also cites %(count)s screenings you may not see; they stay.",
                self.hidden_screenings,
            ) % {"count": self.hidden_screenings}
        self.fields["screenings"] = PickerField(
            citable,
            _screening_choice_label,
            label=_("procurement screenings cited"),
            help_text=help_text,
        )
        self.initial["screenings"] = _pks(s for s in cited if s.pk in citable_ids)

    def _organizations(self) -> Iterable[Organization]:
        """The plan's organisations, plus any already linked from elsewhere (imports)."""
        from bhrplan.plans.selectors import plan_organizations

        organizations = plan_organizations(self.plan)
        if self.instance.pk is None:
            return organizations
        linked = {o.pk for o in self.instance.co_responsible.all()} | {self.instance.lead_id}
        return organizations | Organization.objects.filter(pk__in=linked - {None})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead")
        if lead is not None and lead in data.get("co_responsible", []):
            self.add_error(
                "co_responsible", _("The lead entity cannot also be a co-responsible entity.")
            )
        return data

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        data = self.cleaned_data
        fields["co_responsible"] = data["co_responsible"]
        fields["provisions"] = [*data["principles"], *data["sdg_targets"]]
        fields["themes"] = data["themes"]
        fields["approaches"] = data["approaches"]
        if "screenings" in data:
            fields["screenings"] = data["screenings"]
        if "objective" in data:
            fields["objective_uid"] = data["objective"]
        return fields


def _org_label(org: Organization) -> str:
    return f"{org.display_name} ({org.acronym})" if org.acronym else org.display_name


def _provision_label(p: Provision) -> str:
    return f"{p.label} — {p.title}"


def _screening_choice_label(screening: Any) -> str:
    figures = screening.figures
    return _("%(screening)s — processes flagged: %(flagged)s of %(screened)s") % {
        "screening": screening.label,
        "flagged": "?" if figures.flagged_processes is None else figures.flagged_processes,
        "screened": "?" if figures.processes_screened is None else figures.processes_screened,
    }


class IndicatorForm(NodeForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "name_en",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "data_source",
            "screening",
            "screening_metric",
            "screening_role",
        ]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "name_en": forms.Textarea(attrs={"rows": 2}),
            "unit": forms.TextInput(),
            "data_source": forms.TextInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = getattr(self.instance, "action", None)
        if action is None or not (self.instance.screening_id or action.screenings.exists()):
            for name in ("screening", "screening_metric", "screening_role"):
                del self.fields[name]
            return
        screening: Any = self.fields["screening"]
        screening.queryset = action.screenings.select_related("dataset")
        screening.label_from_instance = lambda s: s.label
        self.fields["screening_role"].help_text = _(
            "“n of N”: e.g. “contracts with human-rights clauses” of the screening's flagged "
            "contracts. The focal point sees N beside the value and reports n."
        )


NODE_FORMS: dict[str, type[NodeForm]] = {
    "guideline": GuidelineForm,
    "objective": ObjectiveForm,
    "action": ActionForm,
    "indicator": IndicatorForm,
}


# Organisations ---------------------------------------------------------------------------


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["territory", "name", "name_en", "acronym", "stakeholder_group", "website"]

    def __init__(self, *args: Any, territories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory: Any = self.fields["territory"]
        territory.queryset = territories
        self.fields["sectors"] = PickerField(
            Theme.objects.filter(kind=Theme.Kind.SECTOR).order_by("position", "slug"),
            lambda t: t.label,
            label=_("sectors"),
        )
        if self.instance.pk is not None:
            self.initial["sectors"] = _pks(self.instance.sectors.all())

    def _post_clean(self) -> None:
        """Uniqueness of the name is checked by the service, which normalises it first."""

    def service_fields(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in [*(self._meta.fields or []), "sectors"]
            if k in self.cleaned_data
        }
