"""Read and write simple tables (XLSX and CSV) with no knowledge of models.

Reading returns a list of rows (lists of cell values, row 1 first). Merged cells are
resolved: the value of the top-left cell applies to every cell of the range, because
spreadsheets often merge a guideline cell over all the rows of its actions.

Writing escapes formula injection: a text cell that starts with = + - @ tab or CR gets
a leading apostrophe, so no spreadsheet program runs it. Numbers and dates stay typed.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from bhrplan.lib import signatures

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 20_000
MAX_COLUMNS = 200


class TabularError(Exception):
    """The file cannot be read as a table; the message is for the user."""


# Escaping ---------------------------------------------------------------------------


def escape_formula(value: Any) -> Any:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_CHARS):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo `escape_formula` so that an exported file re-imports unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


# Reading ----------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> list[list[Any]]:
    """Rows of the first sheet of an XLSX file, or of a CSV file (guessed from the bytes)."""
    return read_sheets(data, filename)[0][1]


def read_sheets(data: bytes, filename: str = "") -> list[tuple[str, list[list[Any]]]]:
    """(sheet title, rows) for every sheet of an XLSX file, or the one table of a CSV."""
    if not data or not data.strip():
        raise TabularError(_("The file is empty."))
    if data.startswith(signatures.OLE2):
        raise TabularError(
            _(
                "The file is password-protected or in the old .xls format. "
                "Remove the password and save it as .xlsx or .csv."
            )
        )
    if data.startswith(signatures.ZIP):
        return read_xlsx_sheets(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise TabularError(_("The file is not a valid XLSX spreadsheet."))
    return [("", read_csv(data))]


def read_xlsx(data: bytes) -> list[list[Any]]:
    return read_xlsx_sheets(data)[0][1]


def read_xlsx_sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    """(title, rows) of every worksheet, in workbook order."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # corrupt files raise many kinds (zipfile, KeyError, XML...)
        raise TabularError(_("The file is not a valid XLSX spreadsheet.")) from exc
    if not workbook.worksheets:
        raise TabularError(_("The file is not a valid XLSX spreadsheet."))
    try:
        sheets = [(sheet.title, _sheet_rows(sheet)) for sheet in workbook.worksheets]
    except TabularError:
        raise
    except Exception as exc:
        raise TabularError(_("The file is not a valid XLSX spreadsheet.")) from exc
    finally:
        workbook.close()
    return sheets


def _sheet_rows(sheet: Any) -> list[list[Any]]:
    width = min(sheet.max_column, MAX_COLUMNS)
    rows: list[list[Any]] = []
    filled = 0
    for row in sheet.iter_rows(max_col=width, values_only=True):
        rows.append([unescape_formula(v) for v in row])
        if any(v is not None and v != "" for v in row):
            filled += 1
            if filled > MAX_ROWS:
                raise TabularError(
                    _("The sheet has too many rows (at most %(max)s).") % {"max": MAX_ROWS}
                )
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()  # formatting often stretches a sheet far below its data
    for merged in sheet.merged_cells.ranges:
        if merged.min_row > len(rows) or merged.min_col > width:
            continue
        top_value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            for c in range(merged.min_col, min(merged.max_col, width) + 1):
                rows[r - 1][c - 1] = top_value
    return [_normalize_row(row) for row in rows]


def _normalize_row(row: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for value in row:
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            value = value.date()
        out.append(value)
    return out


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the one that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in (";", "\t", ","):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        # Most columns on the widest common row count wins.
        common = max(set(counts), key=counts.count)
        score = common + counts.count(common) / (len(counts) + 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes) -> list[list[Any]]:
    if b"\x00" in data[:4096]:
        raise TabularError(_("The file is not a spreadsheet (XLSX) or a CSV file."))
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([unescape_formula(v) for v in row[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS:
                raise TabularError(
                    _("The sheet has too many rows (at most %(max)s).") % {"max": MAX_ROWS}
                )
    except csv.Error as exc:
        raise TabularError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return rows


# Writing ----------------------------------------------------------------------------


# Control characters that XML (so XLSX) cannot hold; openpyxl refuses the whole workbook
# for one. Text pasted from a word processor carries some: its manual line break is a
# vertical tab, kept as a line break; the others are left out.
_XML_BREAKS = re.compile("[\x0b\x0c]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f]")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):  # (first: what is left may start like a formula)
        value = _XML_ILLEGAL.sub("", _XML_BREAKS.sub("\n", value))
    return escape_formula(value)


def write_xlsx(rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1") -> bytes:
    """An XLSX file; the first row is bold (a header). Text is formula-escaped, and kept
    to the characters XML can hold."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        if index == 0:
            header = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                cell.font = bold
                header.append(cell)
            sheet.append(header)
        else:
            # Plain values are much faster than styled cells; dates get a date format.
            sheet.append([None if v == "" else _xlsx_value(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads accents), comma-separated, formula-escaped."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return escape_formula(value)
