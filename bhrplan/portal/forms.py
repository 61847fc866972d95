"""Public forms: the plan page filters and the search box (GET, no JavaScript needed)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bhrplan.portal.selectors import SEARCH_MAX_LENGTH, FilterChoices

FILTER_FIELDS = ("pillar", "principle", "sdg", "theme", "approach", "entity")


class PlanFilterForm(forms.Form):
    """Filters of the plan page. Choices hold only values used in the shown version."""

    pillar = forms.ChoiceField(label=_("Pillar"), required=False)
    principle = forms.ChoiceField(label=_("Guiding principle"), required=False)
    sdg = forms.ChoiceField(label=_("SDG goal or target"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    approach = forms.ChoiceField(label=_("Population approach"), required=False)
    entity = forms.ChoiceField(
        label=_("Responsible entity"),
        required=False,
        help_text=_("Lead or co-responsible."),
    )

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        options = {
            "pillar": choices.pillars,
            "principle": choices.principles,
            "sdg": choices.sdgs,
            "theme": choices.themes,
            "approach": choices.approaches,
            "entity": choices.entities,
        }
        for name in FILTER_FIELDS:
            self.fields[name].choices = every + options[name]  # type: ignore[attr-defined]

    def active_filters(self) -> dict[str, str]:
        """The valid, non-empty filters; invalid values are reported and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in FILTER_FIELDS if data.get(name)}


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the published plans"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "search-help"}),
    )
