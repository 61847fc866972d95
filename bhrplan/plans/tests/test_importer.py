from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from bhrplan.core.models import AuditEvent
from bhrplan.plans.importer import (
    matrix_parse,
    matrix_save,
    parse_date,
    parse_decimal,
    split_code,
)
from bhrplan.plans.models import Action, Indicator, Plan
from bhrplan.plans.selectors import version_tree, version_working
from bhrplan.plans.tests.matrix_files import SPANISH_HEADER, messy_spanish_matrix, xlsx_bytes
from bhrplan.territories.models import Organization


@pytest.fixture(autouse=True)
def _english():
    """These tests read the importer's messages in English; one test checks Spanish too."""
    with translation.override("en"):
        yield


def parse(data, territory, name="m.xlsx", **options):
    return matrix_parse(data, filename=name, territory=territory, **options)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("12%", Decimal("12")),
        ("1,5", Decimal("1.5")),
        ("1,234", Decimal("1234")),
        ("1.234.567", Decimal("1234567")),
        ("S/ 150,000.00", Decimal("150000.00")),
        (3, Decimal("3")),
        (2.5, Decimal("2.5")),
        ("n.d.", None),
        ("", None),
    ],
)
def test_it_reads_numbers_in_local_formats(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["abc", "12 personas", "tres"])
def test_it_refuses_text_as_number(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("31/12/2027", False, date(2027, 12, 31)),
        ("1/6/2025", False, date(2025, 6, 1)),
        ("2026-01-15", False, date(2026, 1, 15)),
        ("2026-01-15 00:00:00", False, date(2026, 1, 15)),
        ("2027", True, date(2027, 12, 31)),
        ("2027", False, date(2027, 1, 1)),
    ],
)
def test_it_reads_dates(text, end, expected):
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "mañana", "2025/13/45"])
def test_it_refuses_bad_dates(text):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Fortalecer", ("1", "Fortalecer")),
        ("Lineamiento 1: Fortalecer la DD", ("1", "Fortalecer la DD")),
        ("Objetivo 1.2 - Promover", ("1.2", "Promover")),
        ("2.1 Fortalecer mecanismos", ("2.1", "Fortalecer mecanismos")),
        ("Fortalecer sin código", ("", "Fortalecer sin código")),
    ],
)
def test_it_splits_codes_off_titles(text, expected):
    assert split_code(text) == expected


def test_it_reads_a_messy_spanish_matrix(territory, matrix_orgs):
    parsed = parse(messy_spanish_matrix(), territory)
    assert [str(e) for e in parsed.errors] == []
    assert parsed.header_row == 4
    assert parsed.counts() == {
        "guidelines": 2,
        "objectives": 2,
        "actions": 3,
        "indicators": 3,
        "organizations": 0,
    }
    g1, g2 = parsed.guidelines
    assert (g1.fields["code"], g1.fields["title"]) == ("1", "Fortalecer la debida diligencia")
    assert (g2.fields["code"], g2.fields["title"]) == ("2", "Acceso a la reparación")
    assert g1.objectives[0].fields["code"] == "1.1"
    train, spread = g1.objectives[0].actions
    assert train.lead == matrix_orgs["minjus"]
    assert train.co_responsible == [matrix_orgs["mtpe"], matrix_orgs["minem"]]
    assert sorted(p.code for p in train.provisions) == ["SDG-16.3", "SDG-8.7", "UNGP-6", "UNGP-7"]
    assert sorted(t.slug for t in train.themes) == ["mining", "women"]
    assert [a.slug for a in train.approaches] == ["gender"]
    assert train.fields["start_date"] == date(2025, 3, 1)
    assert train.fields["end_date"] == date(2027, 12, 31)
    assert train.fields["budget"] == Decimal("150000.00")
    first, second = train.indicators
    assert first.fields["target_value"] == Decimal("1234.5")
    assert first.fields["direction"] == "increase"
    assert second.fields["direction"] == "decrease"
    assert spread.indicators == []
    assert spread.co_responsible == [matrix_orgs["minjus"], matrix_orgs["comma"]]
    assert sorted(p.code for p in spread.provisions) == ["SDG-12.6", "SDG-8.7", "UNGP-8"]
    assert spread.fields["end_date"] == date(2027, 12, 31)
    assert [a.slug for a in spread.approaches] == ["gender", "intercultural"]
    remedy = g2.objectives[0].actions[0]
    assert [t.slug for t in remedy.themes] == ["non-judicial-remedy"]
    assert sorted(p.code for p in remedy.provisions) == ["SDG-16.3", "UNGP-25", "UNGP-29"]
    assert parsed.start_date == date(2025, 3, 1)
    assert parsed.end_date == date(2029, 12, 31)
    unknown = [c for c in parsed.columns if not c.recognised]
    assert [(c.letter, c.header) for c in unknown] == [("T", "Observaciones")]


def test_it_saves_the_matrix_through_the_services(territory, matrix_orgs):
    parsed = parse(messy_spanish_matrix(), territory)
    plan = matrix_save(parsed, territory=territory, title="Plan regional", actor=None)
    version = version_working(plan)
    tree = version_tree(version)
    assert [g.code for g in tree] == ["1", "2"]
    codes = [a.code for g in tree for o in g.objectives.all() for a in o.actions.all()]
    assert codes == ["1.1.1", "1.1.2", "2.1.1"]
    assert Indicator.objects.filter(action__objective__guideline__version=version).count() == 3
    assert AuditEvent.objects.filter(verb="version.imported").count() == 1
    assert (plan.start_date, plan.end_date) == (date(2025, 3, 1), date(2029, 12, 31))


def test_it_collects_every_problem_and_saves_nothing(territory, matrix_orgs):
    rows = [
        SPANISH_HEADER,
        [
            "1. Lineamiento",
            "1.1 Objetivo",
            "1.1.1",
            "Acción A",
            "Ministerio Inexistente",
            None,
            "Ind",
            "personas",
            "10",
            2024,
            "5",
            2026,
            "PR 40",
            "ODS 99.9",
            "Tema raro",
            None,
            "31/02/2025",
            "2026-12-31",
            "mucho",
        ],
        [None, "1.2 Otro objetivo", None, None, None, None, "Ind sin acción", "u"],
        [
            None,
            None,
            None,
            "Acción B",
            "MINEM",
            None,
            "Ind B",
            "u",
            "5",
            2024,
            "10",
            2031,
            None,
            None,
            None,
            None,
            "2024-01-01",
        ],
        [None, None, None, "Acción C", "MINEM", None, "Ind C", None, "x"],
    ]
    before = (Plan.objects.count(), Organization.objects.count(), Action.objects.count())
    parsed = parse(
        xlsx_bytes(rows), territory, start_date=date(2025, 1, 1), end_date=date(2029, 12, 31)
    )
    found = {(e.row, e.column.split(" ")[0]) for e in parsed.errors}
    assert {
        (2, "E"),  # unknown organisation
        (2, "M"),  # UNGP 40
        (2, "N"),  # SDG 99.9
        (2, "O"),  # unknown theme
        (2, "Q"),  # 31 February
        (2, "S"),  # budget not a number
        (3, "D"),  # indicator without an action
        (4, "L"),  # target year outside the plan
        (4, "Q"),  # start before the plan
        (5, "H"),  # no unit
        (5, "I"),  # baseline not a number
    } <= found
    assert all("(" in e.column for e in parsed.errors if e.row)
    assert not parsed.ok
    with pytest.raises(Exception, match="nothing was imported"):
        matrix_save(parsed, territory=territory, title="x", actor=None)
    after = (Plan.objects.count(), Organization.objects.count(), Action.objects.count())
    assert after == before


def test_it_reports_a_target_against_its_direction(territory, matrix_orgs):
    header = [
        "Lineamiento",
        "Objetivo",
        "Acción",
        "Indicador",
        "Unidad",
        "Sentido",
        "Línea de base",
        "Meta",
    ]
    rows = [header, ["1. L", "1.1 O", "A", "I", "u", "Aumentar", "10", "5"]]
    parsed = parse(xlsx_bytes(rows), territory)
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "H (Meta)")]


def test_it_reports_errors_in_the_active_language(territory, matrix_orgs):
    rows = [["Guideline", "Objective", "Action", "Start"], ["1. G", "1.1 O", "A", "someday"]]
    with translation.override("en"):
        parsed = parse(xlsx_bytes(rows), territory)
        assert str(parsed.errors[0]) == (
            "Row 2, column D (Start): someday is not a date (use dd/mm/yyyy or yyyy-mm-dd)."
        )
    with translation.override("es"):
        parsed = parse(xlsx_bytes(rows), territory)
        assert str(parsed.errors[0]) == (
            "Fila 2, columna D (Start): someday no es una fecha (use dd/mm/aaaa o aaaa-mm-dd)."
        )


def test_it_reads_a_latin1_semicolon_csv_with_english_headers(territory, matrix_orgs):
    text = (
        "Guideline;Objective;Code;Action;Lead entity;Co-responsible entities;Indicator;Unit;"
        "Baseline;Target;Target year;UNGP;SDG;Themes;Approaches;Start;End;Budget\n"
        "1. Due diligence;1.1 Capacities;1.1.1;Train officials;MINEM;MTPE, Ministerio de Justicia "
        "y Derechos Humanos;Officials trained;people;0;500;2028;UNGP 1;8.7;Women;Gender approach;"
        "01/02/2025;31/12/2026;1.234,50\n"
        ";;;;;;Guides;documents;1;3;2028;;;;;;;\n"
        ";;;;;;;;;;;;;;;;;\n"
        "2. Remedy;2.1 Access;2.1.1;Set up a desk;Energía y Minas, Ministerio de;;;;;;;;;;;;;\n"
    )
    parsed = parse(text.encode("cp1252"), territory, name="m.csv", create_organizations=True)
    assert [str(e) for e in parsed.errors] == []
    actions = parsed.actions()
    assert [a.fields["title"] for a in actions] == ["Train officials", "Set up a desk"]
    assert actions[0].co_responsible == [matrix_orgs["mtpe"], matrix_orgs["minjus"]]
    assert len(actions[0].indicators) == 2
    assert actions[0].fields["budget"] == Decimal("1234.50")
    assert [n.name for n in parsed.new_organizations] == ["Energía y Minas, Ministerio de"]


def test_it_creates_new_organisations_only_when_asked(territory, matrix_orgs):
    rows = [
        ["Lineamiento", "Objetivo", "Acción", "Entidad responsable", "Entidades corresponsables"],
        ["1. L", "1.1 O", "A", "Gobierno Regional de Cusco", "DIRESA / MINEM"],
    ]
    refused = parse(xlsx_bytes(rows), territory)
    assert {e.column.split(" ")[0] for e in refused.errors} == {"D", "E"}
    parsed = parse(xlsx_bytes(rows), territory, create_organizations=True)
    assert parsed.ok
    assert [n.name for n in parsed.new_organizations] == ["Gobierno Regional de Cusco", "DIRESA"]
    plan = matrix_save(parsed, territory=territory, title="Plan", actor=None)
    action = Action.objects.get(objective__guideline__version__plan=plan)
    assert action.lead.name == "Gobierno Regional de Cusco"
    assert {o.name for o in action.co_responsible.all()} == {
        "DIRESA",
        "Ministerio de Energía y Minas",
    }


def test_it_lets_the_user_map_an_unknown_header(territory, matrix_orgs):
    rows = [
        ["Lineamiento", "Objetivo", "Medida adoptada", "Responsable directo"],
        ["1. L", "1.1 O", "Acción A", "MINEM"],
    ]
    parsed = parse(xlsx_bytes(rows), territory)
    assert not parsed.ok
    mapped = parse(xlsx_bytes(rows), territory, mapping={2: "action", 3: "lead"})
    assert mapped.ok
    assert mapped.actions()[0].lead == matrix_orgs["minem"]
    ignored = parse(xlsx_bytes(rows), territory, mapping={2: "action", 3: ""})
    assert ignored.actions()[0].lead is None


def test_it_carries_guideline_rows_without_actions(territory, matrix_orgs):
    rows = [
        ["Lineamiento", "Objetivo", "Acción"],
        ["1. Primero", None, None],
        [None, "1.1 Obj", None],
        [None, None, "Acción A"],
        ["Segundo", None, None],
        [None, "Obj B", "Acción B"],
    ]
    parsed = parse(xlsx_bytes(rows), territory)
    assert parsed.ok, [str(e) for e in parsed.errors]
    assert [g.fields["title"] for g in parsed.guidelines] == ["Primero", "Segundo"]
    assert [len(g.objectives[0].actions) for g in parsed.guidelines] == [1, 1]


def test_it_needs_a_header_row(territory):
    parsed = parse(xlsx_bytes([["nada"], ["que", "ver"]]), territory)
    assert not parsed.ok
    assert parsed.errors[0].row is None


def test_it_keeps_indicator_rows_with_their_action_by_code_or_title(territory, matrix_orgs):
    header = ["Lineamiento", "Objetivo", "Código", "Acción", "Indicador", "Unidad"]
    rows = [
        header,
        ["1. L", "1.1 O", "1.1.1", "Capacitar", "I1", "u"],
        ["1. L", "1.1 O", None, "Capacitar", "I2", "u"],
        ["L", "O", "1.1.1", None, "I3", "u"],
        [None, None, None, None, "I4", "u"],
        [None, None, "1.1.2", "Capacitar", "I5", "u"],
    ]
    parsed = parse(xlsx_bytes(rows), territory)
    assert parsed.ok, [str(e) for e in parsed.errors]
    assert len(parsed.guidelines) == 1
    actions = parsed.actions()
    assert [[i.fields["name"] for i in a.indicators] for a in actions] == [
        ["I1", "I2", "I3", "I4"],
        ["I5"],
    ]


def test_it_skips_a_cover_sheet_before_the_matrix(territory, matrix_orgs):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Presentación"
    cover.append(["Plan regional"])
    cover.append(["Lineamiento", "Objetivo"])  # a header-looking row without actions
    matrix = workbook.create_sheet("Matriz")
    matrix.append(["Lineamiento", "Objetivo", "Acción"])
    matrix.append(["1. L", "1.1 O", "Acción A"])
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse(out.getvalue(), territory)
    assert parsed.ok, [str(e) for e in parsed.errors]
    assert parsed.sheet == "Matriz"
    assert parsed.counts()["actions"] == 1
