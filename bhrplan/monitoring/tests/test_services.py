from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bhrplan.core.models import AuditEvent
from bhrplan.monitoring import services
from bhrplan.monitoring.models import (
    Evidence,
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportRevision,
)
from bhrplan.monitoring.tests.conftest import PDF, PNG, make_report, upload, values_for

pytestmark = pytest.mark.django_db


# Periods


@pytest.mark.parametrize(
    ("frequency", "count", "first_label", "last_label"),
    [
        ("quarterly", 20, "2025-Q1", "2029-Q4"),
        ("half_yearly", 10, "2025-H1", "2029-H2"),
        ("yearly", 5, "2025", "2029"),
    ],
)
def test_it_generates_periods_over_the_plan(
    plan, coordinator, frequency, count, first_label, last_label
):
    periods = services.periods_generate(
        plan=plan, frequency=frequency, due_days_after_end=15, actor=coordinator
    )
    assert len(periods) == count
    assert (periods[0].label, periods[-1].label) == (first_label, last_label)
    assert periods[0].start_date == plan.start_date
    assert periods[-1].end_date == plan.end_date
    assert (periods[0].due_date - periods[0].end_date).days == 15
    assert AuditEvent.objects.filter(verb="periods.generate", actor=coordinator).count() == 1


def test_it_clips_periods_to_a_plan_starting_mid_quarter(plan):
    plan.start_date = date(2025, 2, 10)
    plan.save()
    periods = services.periods_generate(
        plan=plan, frequency="quarterly", due_days_after_end=0, actor=None
    )
    assert periods[0].start_date == date(2025, 2, 10)
    assert periods[0].end_date == date(2025, 3, 31)
    assert periods[1].start_date == date(2025, 4, 1)


def test_it_refuses_to_generate_twice_or_bad_input(plan):
    services.periods_generate(plan=plan, frequency="yearly", due_days_after_end=30, actor=None)
    with pytest.raises(ValidationError):
        services.periods_generate(plan=plan, frequency="yearly", due_days_after_end=30, actor=None)
    with pytest.raises(ValidationError):
        services.periods_generate(plan=plan, frequency="weekly", due_days_after_end=3, actor=None)
    with pytest.raises(ValidationError):
        services.periods_generate(plan=plan, frequency="yearly", due_days_after_end=-1, actor=None)


def test_it_updates_a_period(period, coordinator):
    services.period_update(
        period=period, actor=coordinator, label="Año 2025", due_date=date(2026, 3, 1)
    )
    period.refresh_from_db()
    assert (period.label, period.due_date) == ("Año 2025", date(2026, 3, 1))
    with pytest.raises(ValidationError):
        services.period_update(
            period=period, actor=coordinator, label="x", due_date=date(2024, 1, 1)
        )


def test_it_deletes_only_periods_without_reports(reporting_plan, period, action, lead_org):
    empty = reporting_plan.reporting_periods.order_by("start_date").last()
    services.period_delete(period=empty, actor=None)
    make_report(period, action, lead_org)
    with pytest.raises(ValidationError):
        services.period_delete(period=period, actor=None)
    assert reporting_plan.reporting_periods.count() == 4


# Reports and workflow


def test_it_saves_a_draft_with_values_and_breakdowns(period, action, lead_org, lead_focal):
    report = services.report_save(
        period=period,
        action=action,
        organization=lead_org,
        actor=lead_focal,
        status="in_progress",
        narrative=" Talleres ",
        values=values_for(
            action,
            "20",
            sex={"female": "12", "male": "8"},
            age_group={"18_29": "5", "30_59": "15"},
        ),
    )
    assert report.state == ProgressReport.State.DRAFT
    assert report.action_uid == action.uid
    assert report.narrative == "Talleres"
    value = IndicatorValue.objects.get(report=report)
    assert value.value == Decimal("20")
    assert value.breakdown == {
        "sex": {"female": "12", "male": "8"},
        "age_group": {"18_29": "5", "30_59": "15"},
    }
    assert not ReportRevision.objects.exists()
    assert AuditEvent.objects.filter(verb="report.create").count() == 1


def test_it_refuses_a_breakdown_that_does_not_add_up(period, action, lead_org):
    values = values_for(action, "20", sex={"female": "12", "male": "7"}, age_group={"0_17": "20"})
    with pytest.raises(ValidationError) as error:
        services.report_save(
            period=period,
            action=action,
            organization=lead_org,
            actor=None,
            status="in_progress",
            narrative="",
            values=values,
        )
    assert "19" in str(error.value)
    assert not ProgressReport.objects.exists()


def test_it_accepts_a_breakdown_that_does_not_add_up_with_a_note(period, action, lead_org):
    values = values_for(action, "20", sex={"female": "12"})
    values[0].note = "El registro de sexo está incompleto."
    report = services.report_save(
        period=period,
        action=action,
        organization=lead_org,
        actor=None,
        status="in_progress",
        narrative="",
        values=values,
    )
    assert report.values.get().note == "El registro de sexo está incompleto."


def test_it_refuses_an_indicator_of_another_action(period, action, plain_action, lead_org):
    with pytest.raises(ValidationError):
        services.report_save(
            period=period,
            action=action,
            organization=lead_org,
            actor=None,
            status="in_progress",
            narrative="",
            values=values_for(plain_action),
        )


def test_it_runs_the_workflow_with_a_revision_row_per_transition(
    period, plain_action, lead_org, lead_focal, coordinator, committee_member
):
    report = make_report(period, plain_action, lead_org, actor=lead_focal, submit=True)
    assert report.state == "submitted" and report.submitted_at
    with pytest.raises(ValidationError):
        make_report(period, plain_action, lead_org, actor=lead_focal)  # waiting for review
    with pytest.raises(ValidationError):
        services.report_return(report=report, actor=coordinator, comment="  ")
    services.report_return(report=report, actor=coordinator, comment="Falta evidencia.")
    assert report.state == "returned"
    report = make_report(period, plain_action, lead_org, actor=lead_focal, narrative="Con acta")
    assert report.state == "returned"  # edited, still to resubmit
    services.report_submit(report=report, actor=lead_focal)
    services.report_validate(report=report, actor=committee_member, comment="Conforme")
    report.refresh_from_db()
    assert report.state == "validated" and report.validated_at and report.revision == 1
    with pytest.raises(ValidationError):
        services.report_validate(report=report, actor=coordinator)
    states = list(ReportRevision.objects.values_list("state", "revision", "comment"))
    assert states == [
        ("submitted", 1, ""),
        ("returned", 1, "Falta evidencia."),
        ("submitted", 1, ""),
        ("validated", 1, "Conforme"),
    ]
    validated = ReportRevision.objects.get(state="validated")
    assert validated.actor == committee_member
    assert validated.narrative == "Con acta"
    assert next(iter(validated.values.values()))["value"] == "20"


def test_it_starts_a_new_revision_when_a_validated_report_changes(
    period, plain_action, lead_org, coordinator
):
    report = make_report(period, plain_action, lead_org, submit=True)
    services.report_validate(report=report, actor=coordinator)
    changed = make_report(period, plain_action, lead_org, narrative="Corrección")
    assert changed.pk == report.pk
    assert (changed.state, changed.revision, changed.validated_at) == ("draft", 2, None)
    validated = ReportRevision.objects.get(state="validated")
    assert validated.revision == 1 and validated.narrative == "Se capacitó a 20 funcionarios."
    reopened = ReportRevision.objects.get(state="draft")
    assert reopened.revision == 2 and reopened.narrative == "Corrección"


def test_it_removes_values_left_blank(period, plain_action, lead_org):
    make_report(period, plain_action, lead_org)
    indicator = plain_action.indicators.get()
    services.report_save(
        period=period,
        action=plain_action,
        organization=lead_org,
        actor=None,
        status="delayed",
        narrative="",
        values=[services.ValueInput(indicator, None)],
    )
    assert not IndicatorValue.objects.exists()


# Evidence


@pytest.fixture
def draft(period, plain_action, lead_org):
    return make_report(period, plain_action, lead_org)


@pytest.mark.parametrize(
    ("name", "content"),
    [("informe.pdf", PDF), ("foto.PNG", PNG), ("foto.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)],
)
def test_it_stores_accepted_evidence_under_a_random_name(draft, lead_focal, name, content):
    evidence = services.evidence_add(
        report=draft, upload=upload(name, content), visibility="public", actor=lead_focal
    )
    assert evidence.original_name == name
    assert name not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{draft.plan_id}/")
    assert evidence.size == len(content)
    assert evidence.file.read() == content


def test_it_accepts_office_documents_by_their_zip_structure(draft, tmp_path):
    import zipfile

    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    evidence = services.evidence_add(
        report=draft,
        upload=upload("acta.docx", path.read_bytes()),
        visibility="internal",
        actor=None,
    )
    assert evidence.content_type.endswith("wordprocessingml.document")
    odt = tmp_path / "b.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    services.evidence_add(
        report=draft, upload=upload("acta.odt", odt.read_bytes()), visibility="internal", actor=None
    )
    with pytest.raises(ValidationError):  # an ODT is not a DOCX
        services.evidence_add(
            report=draft,
            upload=upload("acta.docx", odt.read_bytes()),
            visibility="internal",
            actor=None,
        )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "not an accepted type"),
        ("informe", PDF, "not an accepted type"),
        ("page.html", b"<html>", "not an accepted type"),
        ("falso.pdf", b"<html><script>", "not a valid PDF"),
        ("falso.png", PDF, "not a valid PNG"),
        ("falso.xlsx", b"PK\x03\x04garbage", "not a valid XLSX"),
    ],
)
def test_it_refuses_wrong_types_and_saves_nothing(draft, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.evidence_add(
            report=draft, upload=upload(name, content), visibility="public", actor=None
        )
    assert message in str(error.value)
    assert not Evidence.objects.exists()


def test_it_refuses_oversize_files(draft, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.evidence_add(
            report=draft,
            upload=upload("grande.pdf", PDF + b"0" * 100),
            visibility="public",
            actor=None,
        )
    assert "too large" in str(error.value)
    assert not Evidence.objects.exists()


def test_it_changes_evidence_only_on_drafts_and_returned_reports(draft, coordinator):
    evidence = services.evidence_add(
        report=draft, upload=upload("a.pdf", PDF), visibility="public", actor=None
    )
    services.report_submit(report=draft, actor=None)
    with pytest.raises(ValidationError):
        services.evidence_add(
            report=draft, upload=upload("b.pdf", PDF), visibility="public", actor=None
        )
    with pytest.raises(ValidationError):
        services.evidence_delete(evidence=evidence, actor=None)
    services.report_return(report=draft, actor=coordinator, comment="Otra vez")
    services.evidence_delete(evidence=evidence, actor=None)
    assert not Evidence.objects.exists()


# Assessments


def test_it_keeps_one_assessment_per_source(
    period, action, stakeholder_org, stakeholder, committee_member
):
    for text in ("Primera", "Segunda"):
        services.assessment_save(
            period=period, action=action, source="committee", organization=None,
            actor=committee_member, rating="partial", narrative=text,
        )  # fmt: skip
        services.assessment_save(
            period=period, action=action, source="stakeholder", organization=stakeholder_org,
            actor=stakeholder, rating="insufficient", narrative=text,
        )  # fmt: skip
    assert IndependentAssessment.objects.count() == 2
    assert set(IndependentAssessment.objects.values_list("narrative", flat=True)) == {"Segunda"}
    with pytest.raises(ValidationError):
        services.assessment_save(
            period=period, action=action, source="stakeholder", organization=None,
            actor=stakeholder, rating="partial", narrative="x",
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.assessment_save(
            period=period, action=action, source="committee", organization=None,
            actor=committee_member, rating="excellent", narrative="x",
        )  # fmt: skip


# Demo


def test_it_loads_sample_monitoring_data_once(catalogs):
    from bhrplan.monitoring.demo import demo_monitoring_load
    from bhrplan.plans.demo import demo_load

    plan = demo_load().plans[0]
    assert demo_monitoring_load(plan=plan) > 0
    states = set(ProgressReport.objects.filter(plan=plan).values_list("state", flat=True))
    assert {"validated", "submitted", "returned", "draft"} <= states
    assert IndependentAssessment.objects.filter(plan=plan).exists()
    assert demo_monitoring_load(plan=plan) == 0
