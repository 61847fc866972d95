"""The derived-figure rules, with numbers worked out by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from bhrplan.monitoring import figures as f

TODAY = date(2026, 9, 1)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "raw", "progress"),
    [
        ("increase", D(0), D(500), D(250), 0.5, 0.5),
        ("increase", D(0), D(500), D(600), 1.2, 1.0),
        ("increase", D(100), D(200), D(90), -0.1, 0.0),
        ("decrease", D(40), D(10), D(25), 0.5, 0.5),
        ("decrease", D(40), D(10), D(50), -1 / 3, 0.0),
        ("decrease", D(40), D(10), D(4), 1.2, 1.0),
        ("maintain", D(100), D(100), D(103), 1.0, 1.0),
        ("maintain", D(100), D(100), D(94), 0.0, 0.0),
        ("maintain", D(0), D(0), D(0), 1.0, 1.0),
        ("maintain", D(0), D(0), D("0.1"), 0.0, 0.0),
        ("increase", D(5), D(5), D(5), 1.0, 1.0),
    ],
)
def test_it_computes_indicator_attainment(direction, baseline, target, value, raw, progress):
    result = f.indicator_attainment(direction, baseline, target, value)
    assert result.raw == pytest.approx(raw)
    assert result.progress == pytest.approx(progress)


@pytest.mark.parametrize(
    ("baseline", "target", "value"),
    [(None, D(5), D(1)), (D(0), None, D(1)), (D(0), D(5), None)],
)
def test_it_leaves_attainment_unknown_without_baseline_target_or_value(baseline, target, value):
    assert f.indicator_attainment("increase", baseline, target, value) == f.UNKNOWN


@pytest.mark.parametrize(
    ("status", "attainments", "expected"),
    [
        (None, [0.5], None),
        ("cancelled", [1.0], None),
        ("completed", [0.0, None], 1.0),
        ("in_progress", [0.5, None, 1.0], 0.75),
        ("delayed", [0.2], 0.2),
        ("in_progress", [], 0.5),
        ("delayed", [None], 0.5),
        ("not_started", [None], 0.0),
    ],
)
def test_it_computes_action_progress(status, attainments, expected):
    assert f.action_progress(status, attainments) == expected


@pytest.mark.parametrize(
    ("end", "status", "delayed"),
    [
        (date(2026, 8, 31), "in_progress", True),
        (date(2026, 8, 31), None, True),
        (date(2026, 8, 31), "completed", False),
        (date(2026, 8, 31), "cancelled", False),
        (date(2026, 9, 1), "not_started", False),
        (None, "delayed", False),
    ],
)
def test_it_flags_delayed_actions(end, status, delayed):
    assert f.is_delayed(end, status, TODAY) is delayed


def test_it_has_no_on_time_rate_when_nothing_was_due():
    assert f.on_time_rate(0, 0) is None
    assert f.on_time_rate(3, 4) == 0.75


def _indicator(value):
    return f.IndicatorInput("i", "n", "u", "increase", D(0), D(100), value)


def _plan() -> f.PlanInput:
    # A: 40 of 100 → 0.4; B: completed → 1; C: cancelled; D: no report → unknown
    a = f.ActionInput(
        "a",
        "1",
        "A",
        date(2026, 12, 31),
        "in_progress",
        "P2",
        [_indicator(D(40))],
        {"guideline": ["g1"], "principle": ["UNGP-1", "UNGP-2", "UNGP-1"], "entity": ["o1", "o2"]},
        ["o1", "o2"],
    )
    b = f.ActionInput(
        "b",
        "2",
        "B",
        date(2026, 1, 31),
        "completed",
        "P1",
        [_indicator(D(10))],
        {"guideline": ["g1"], "principle": ["UNGP-2"], "entity": ["o1"]},
        ["o1"],
    )
    c = f.ActionInput(
        "c",
        "3",
        "C",
        date(2026, 1, 31),
        "cancelled",
        "P1",
        [],
        {"guideline": ["g2"], "entity": ["o2"]},
        ["o2"],
    )
    d = f.ActionInput(
        "d",
        "4",
        "D",
        date(2026, 2, 28),
        None,
        "",
        [_indicator(None)],
        {"guideline": ["g2"], "principle": ["UNGP-1"], "entity": ["o2"]},
        ["o2"],
    )
    return f.PlanInput(
        actions=[a, b, c, d],
        labels={
            "guideline": {"g1": "G1", "g2": "G2"},
            "principle": {"UNGP-1": "UNGP 1", "UNGP-2": "UNGP 2", "UNGP-3": "UNGP 3"},
            "entity": {"o1": "Org 1", "o2": "Org 2"},
        },
        entities={"o1": "Org 1", "o2": "Org 2"},
        passed_periods=2,
        on_time={("o1", "a"): 2, ("o1", "b"): 1, ("o2", "a"): 1, ("o9", "a"): 2},
    )


def test_it_computes_plan_figures_by_hand():
    figs = f.plan_figures(_plan(), TODAY)
    # mean of A 0.4 and B 1.0; C cancelled; D unknown
    assert figs.progress == f.GroupFigure(pytest.approx(0.7), known=2, unknown=1, cancelled=1)
    groups = {d: {r.key: r.figure for r in rows} for d, rows in figs.groups.items()}
    assert groups["guideline"]["g1"].progress == pytest.approx(0.7)
    assert groups["guideline"]["g2"] == f.GroupFigure(None, 0, 1, 1)
    # A counts once in UNGP-1 although listed twice; UNGP-3 has no action and is left out
    assert groups["principle"]["UNGP-1"] == f.GroupFigure(pytest.approx(0.4), 1, 1, 0)
    assert groups["principle"]["UNGP-2"].progress == pytest.approx(0.7)
    assert list(groups["principle"]) == ["UNGP-1", "UNGP-2"]
    assert groups["entity"]["o2"].progress == pytest.approx(0.4)
    assert [a.code for a in figs.delayed] == ["4"]
    assert dict(figs.status_distribution)["no_report"] == 1
    assert dict(figs.status_distribution)["cancelled"] == 1
    # o1: A and B → 2 × 2 = 4 expected, 2 + 1 on time; o2: A, C, D → 6 expected, 1 on time;
    # o9 is not responsible for anything, so its report is not counted.
    rows = {r.key: (r.on_time, r.expected, r.rate) for r in figs.on_time}
    assert rows == {"o1": (3, 4, 0.75), "o2": (1, 6, pytest.approx(1 / 6))}
    assert (figs.on_time_total.on_time, figs.on_time_total.expected) == (4, 10)
    assert figs.on_time_total.rate == pytest.approx(0.4)
