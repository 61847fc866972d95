from decimal import Decimal

import pytest

from bhrplan.monitoring.forms import ReportForm
from bhrplan.plans.models import Indicator
from bhrplan.territories import services as territory_services

pytestmark = pytest.mark.django_db


def _form(action, plan, data):
    return ReportForm(data, action=action, plan=plan, report=None)


def _with_breakdowns(action, breakdowns):
    Indicator.objects.filter(action=action).update(disaggregations=breakdowns)
    return action.indicators.get()


def test_it_uses_the_sub_territories_as_regions(reporting_plan, plain_action):
    territory_services.territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    territory_services.territory_get_or_create_from_iso(code="PE-CUS", actor=None)
    ind = _with_breakdowns(plain_action, ["region"])
    data = {"status": "completed", f"ind{ind.pk}": "10", f"ind{ind.pk}__region__PE-LIM": "6"}
    form = _form(plain_action, reporting_plan, data)
    assert f"ind{ind.pk}__region__PE-CUS" in form.fields
    assert not form.is_valid()
    assert "adds up to 6, not 10" in form.errors[f"ind{ind.pk}_note"][0]
    data[f"ind{ind.pk}__region__PE-CUS"] = "4"
    form = _form(plain_action, reporting_plan, data)
    assert form.is_valid(), form.errors
    assert form.values[0].breakdown == {"region": {"PE-LIM": Decimal(6), "PE-CUS": Decimal(4)}}


def test_it_takes_free_region_codes_when_there_are_no_sub_territories(reporting_plan, plain_action):
    ind = _with_breakdowns(plain_action, ["region"])
    name = f"ind{ind.pk}__region_free"
    form = _form(
        plain_action,
        reporting_plan,
        {"status": "completed", f"ind{ind.pk}": "5", name: "A: 2\nB: 3"},
    )
    assert form.is_valid(), form.errors
    assert form.values[0].breakdown == {"region": {"A": Decimal(2), "B": Decimal(3)}}
    for bad in ("A 2", "A: dos", ": 3"):
        form = _form(
            plain_action, reporting_plan, {"status": "completed", f"ind{ind.pk}": "5", name: bad}
        )
        assert not form.is_valid()
        assert name in form.errors


def test_it_breaks_down_by_stakeholder_group(reporting_plan, plain_action):
    ind = _with_breakdowns(plain_action, ["stakeholder_group"])
    prefix = f"ind{ind.pk}__stakeholder_group__"
    data = {
        "status": "in_progress",
        f"ind{ind.pk}": "7",
        f"{prefix}company": "4",
        f"{prefix}trade_union": "3",
    }
    form = _form(plain_action, reporting_plan, data)
    assert f"{prefix}civil_society" in form.fields
    assert form.is_valid(), form.errors


def test_it_refuses_infinite_and_overlong_numbers(reporting_plan, plain_action):
    ind = plain_action.indicators.get()
    for bad in ("Infinity", "NaN", "1e400", "12345678901234567890"):
        form = _form(plain_action, reporting_plan, {"status": "completed", f"ind{ind.pk}": bad})
        assert not form.is_valid(), bad
        assert f"ind{ind.pk}" in form.errors
