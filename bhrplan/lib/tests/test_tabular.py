import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from bhrplan.lib.tabular import (
    TabularError,
    decode_text,
    escape_formula,
    read_table,
    sniff_delimiter,
    unescape_formula,
    write_csv,
    write_xlsx,
)


def xlsx(rows, merges=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_reads_xlsx_and_spreads_merged_cells():
    data = xlsx(
        [["Lineamiento", "Acción"], ["1. Fortalecer", "A"], [None, "B"], [None, "C"]],
        merges=["A2:A4"],
    )
    rows = read_table(data, "m.xlsx")
    assert [r[0] for r in rows[1:]] == ["1. Fortalecer"] * 3
    assert [r[1] for r in rows[1:]] == ["A", "B", "C"]


def test_it_turns_midnight_datetimes_into_dates():
    rows = read_table(xlsx([["Inicio"], [datetime(2025, 3, 1)]]), "m.xlsx")
    assert rows[1][0] == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acción;Meta\nCapacitar;1,5\n".encode("cp1252"), ["Capacitar", "1,5"]),
        ("Acción,Meta\nCapacitar,2\n".encode("utf-8-sig"), ["Capacitar", "2"]),
        ("Acción\tMeta\nCapacitar\t3\n".encode(), ["Capacitar", "3"]),
    ],
)
def test_it_reads_csv_in_any_common_encoding_and_delimiter(raw, expected):
    rows = read_table(raw, "m.csv")
    assert rows[0] == ["Acción", "Meta"]
    assert rows[1] == expected


def test_it_decodes_latin1_and_utf8():
    assert decode_text("Año".encode("latin-1")) == "Año"
    assert decode_text("\ufeffAño".encode()) == "Año"


def test_it_sniffs_the_semicolon_even_with_commas_in_text():
    text = "Acción;Entidad\nCapacitar, difundir;MTPE\nOtra;MINJUS\n"
    assert sniff_delimiter(text) == ";"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "m.xlsx"),
        (b"   \n", "m.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "m.xlsx"),
        (b"PK\x03\x04garbage", "m.xlsx"),
        (b"not a zip", "m.xlsx"),
        (b"\x00\x01\x02binary", "m.csv"),
    ],
)
def test_it_refuses_unreadable_files_with_a_message(data, name):
    with pytest.raises(TabularError) as exc:
        read_table(data, name)
    assert str(exc.value)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_it_escapes_formula_injection(text):
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


def test_it_leaves_plain_text_and_numbers_alone():
    assert escape_formula("Capacitar") == "Capacitar"
    assert escape_formula(-5) == -5
    assert unescape_formula("'hola") == "'hola"


def test_it_writes_xlsx_with_escaped_text_and_typed_values():
    data = write_xlsx(
        [["Acción", "Meta", "Inicio"], ['=HYPERLINK("x")', Decimal("12.5"), date(2025, 1, 2)]]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5
    assert sheet["C2"].value.date() == date(2025, 1, 2)
    assert read_table(data, "x.xlsx")[1][0] == '=HYPERLINK("x")'


def test_it_writes_xlsx_of_text_pasted_with_control_characters():
    # a word processor's manual line break is a vertical tab; XML holds no control character
    rows = [["Acción"], ["Capacitar\x0ba inspectores\x02"], ["\x0c=1"], ["\x02=HYPERLINK()"]]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet["A2"].value == "Capacitar\na inspectores"
    assert sheet["A3"].value == "\n=1"
    assert sheet["A4"].value == "'=HYPERLINK()"  # a formula once cleaned: escaped


def test_it_writes_csv_with_bom_and_escaping():
    data = write_csv([["Acción", "Inicio"], ["-1 dólar", date(2025, 1, 2)], [None, 3]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'-1 dólar,2025-01-02" in text
    assert read_table(data, "x.csv")[1] == ["-1 dólar", "2025-01-02"]


def test_it_refuses_too_many_rows(monkeypatch):
    monkeypatch.setattr("bhrplan.lib.tabular.MAX_ROWS", 3)
    with pytest.raises(TabularError, match="too many rows"):
        read_table(xlsx([["a"], ["b"], ["c"], ["d"]]), "m.xlsx")
    with pytest.raises(TabularError, match="too many rows"):
        read_table(b"a\nb\nc\nd\ne\n", "m.csv")


def test_it_drops_empty_rows_below_the_data():
    rows = read_table(xlsx([["a", "b"], ["c", None], [None, None], [None, ""]]), "m.xlsx")
    assert rows == [["a", "b"], ["c", None]]


def test_it_reads_every_sheet_of_a_workbook():
    from bhrplan.lib.tabular import read_sheets

    workbook = openpyxl.Workbook()
    workbook.active.title = "Uno"
    workbook.active.append(["a"])
    workbook.create_sheet("Dos").append(["b", 2])
    out = io.BytesIO()
    workbook.save(out)
    assert read_sheets(out.getvalue(), "x.xlsx") == [("Uno", [["a"]]), ("Dos", [["b", 2]])]
    assert read_sheets(b"a;b\n1;2\n", "x.csv") == [("", [["a", "b"], ["1", "2"]])]
