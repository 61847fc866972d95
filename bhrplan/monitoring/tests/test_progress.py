"""The dashboard's figures loaded from the database, checked against hand-computed numbers."""

import pytest

from bhrplan.monitoring import progress
from bhrplan.monitoring.tests.progress_data import TODAY, scenario


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def test_it_computes_the_scenario_figures(published_plan, data, lead_org, other_org):
    result = progress.progress_for_plan(published_plan, TODAY)
    assert result is not None
    f = result.figures
    by_code = {a.code: a for a in f.actions}
    a = data["actions"]
    assert [by_code[x.code].progress for x in a] == [0.5, 1.0, None, None, 0.5, 0.0, None, None]
    assert by_code[a[1].code].indicators[0].attainment.raw == pytest.approx(1.2)
    assert f.progress.progress == pytest.approx(0.5)
    assert (f.progress.known, f.progress.unknown, f.progress.cancelled) == (4, 3, 1)
    assert [x.code for x in f.delayed] == [a[4].code, a[6].code]
    assert dict(f.status_distribution) == {
        "not_started": 1,
        "in_progress": 1,
        "delayed": 1,
        "completed": 1,
        "cancelled": 1,
        "no_report": 3,
    }
    guidelines = [g.figure.progress for g in f.groups["guideline"]]
    assert guidelines == [pytest.approx(0.75), pytest.approx(0.25)]
    on_time = {row.key: (row.on_time, row.expected) for row in f.on_time}
    assert on_time == {str(lead_org.pk): (5, 24), str(other_org.pk): (1, 24)}
    assert f.on_time_total.rate == pytest.approx(6 / 48)
    rows = {r["uid"]: r for r in result.action_rows}
    assert [x["rating"] for x in rows[str(a[0].uid)]["assessments"]] == ["partial"]
    assert [x["source"] for x in rows[str(a[1].uid)]["assessments"]] == ["committee"]
