"""Read a plan matrix (the Excel sheet ministries keep) into a plan, all or nothing.

One row per indicator, or per action when it has none. `matrix_parse` reads and checks
everything without writing and returns every problem with its row and column;
`matrix_save` writes a checked matrix through the services in one transaction.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.lib.tabular import read_sheets
from bhrplan.lib.text import clean_text, normalize_key
from bhrplan.plans.models import Action, Guideline, Indicator, Objective, Plan
from bhrplan.territories.models import Organization, Territory


@dataclass(frozen=True)
class Column:
    key: str
    es: str
    en: str
    aliases: tuple[str, ...] = ()


# The order is the export order. Spanish and English headers both import.
COLUMNS: tuple[Column, ...] = (
    Column("guideline_code", "Código del lineamiento", "Guideline code", ("cod lineamiento",)),
    Column(
        "guideline",
        "Lineamiento estratégico",
        "Guideline",
        (
            "lineamiento",
            "lineamientos",
            "lineamientos estrategicos",
            "strategic guideline",
            "eje",
            "eje estrategico",
        ),
    ),
    Column("guideline_en", "Lineamiento (inglés)", "Guideline (English)"),
    Column("guideline_description", "Descripción del lineamiento", "Guideline description"),
    Column(
        "guideline_description_en",
        "Descripción del lineamiento (inglés)",
        "Guideline description (English)",
    ),
    Column("objective_code", "Código del objetivo", "Objective code", ("cod objetivo",)),
    Column(
        "objective",
        "Objetivo",
        "Objective",
        ("objetivos", "objetivo estrategico", "objetivo especifico", "objectives"),
    ),
    Column("objective_en", "Objetivo (inglés)", "Objective (English)"),
    Column("objective_description", "Descripción del objetivo", "Objective description"),
    Column(
        "objective_description_en",
        "Descripción del objetivo (inglés)",
        "Objective description (English)",
    ),
    Column(
        "code",
        "Código",
        "Code",
        ("codigo de la accion", "codigo accion", "action code", "cod", "n", "no", "nro"),
    ),
    Column(
        "action",
        "Acción",
        "Action",
        ("acciones", "accion estrategica", "acciones estrategicas", "medida", "medidas", "actions"),
    ),
    Column("action_en", "Acción (inglés)", "Action (English)"),
    Column(
        "action_description",
        "Descripción de la acción",
        "Action description",
        ("descripcion", "description"),
    ),
    Column(
        "action_description_en",
        "Descripción de la acción (inglés)",
        "Action description (English)",
    ),
    Column("kind", "Tipo de acción", "Kind of action", ("tipo", "kind", "action kind")),
    Column(
        "lead",
        "Entidad responsable",
        "Lead entity",
        (
            "responsable",
            "responsible",
            "entidad lider",
            "responsible entity",
            "lead",
            "entidades responsables",
        ),
    ),
    Column(
        "co_responsible",
        "Entidades corresponsables",
        "Co-responsible entities",
        ("entidad corresponsable", "corresponsables", "co responsible", "co responsible entity"),
    ),
    Column("indicator", "Indicador", "Indicator", ("indicadores", "indicators")),
    Column("indicator_en", "Indicador (inglés)", "Indicator (English)"),
    Column("unit", "Unidad de medida", "Unit", ("unidad", "unit of measure")),
    Column("direction", "Sentido del indicador", "Indicator direction", ("sentido", "direction")),
    Column("baseline", "Línea de base", "Baseline", ("linea base", "baseline value")),
    Column(
        "baseline_year",
        "Año línea de base",
        "Baseline year",
        ("ano de linea de base", "ano linea base", "ano de la linea de base"),
    ),
    Column("target", "Meta", "Target", ("metas", "valor meta", "target value", "targets")),
    Column("target_year", "Año meta", "Target year", ("ano de la meta",)),
    Column(
        "data_source",
        "Fuente de datos",
        "Data source",
        ("fuente", "medio de verificacion", "fuente de verificacion", "source"),
    ),
    Column(
        "ungp",
        "Principios Rectores",
        "UNGP",
        (
            "principio rector",
            "principios",
            "pr",
            "ungps",
            "guiding principles",
            "un guiding principles",
            "principios rectores onu",
        ),
    ),
    Column(
        "sdg",
        "ODS",
        "SDG",
        (
            "objetivos de desarrollo sostenible",
            "objetivo de desarrollo sostenible",
            "metas ods",
            "sdgs",
            "sdg targets",
            "metas de los ods",
        ),
    ),
    Column("themes", "Temas", "Themes", ("tema", "theme")),
    Column(
        "approaches", "Enfoques", "Approaches", ("enfoque", "approach", "population approaches")
    ),
    Column("start", "Inicio", "Start", ("fecha de inicio", "fecha inicio", "start date")),
    Column(
        "end",
        "Fin",
        "End",
        ("fecha de fin", "fecha fin", "end date", "fecha de termino", "fecha de finalizacion"),
    ),
    Column("budget", "Presupuesto", "Budget", ("presupuesto estimado", "costo", "cost")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

HEADER_SCAN_ROWS = 30
PARENT_KEYS = {
    "guideline", "guideline_code", "guideline_en", "guideline_description",
    "guideline_description_en", "objective", "objective_code", "objective_en",
    "objective_description", "objective_description_en",
}  # fmt: skip
BLANK_WORDS = {"-", "--", "—", "nd", "n d", "na", "n a", "sd", "s d", "por definir", "tbd"}


def header_key(text: Any) -> str:
    """`Año  Línea de Base:` → `ano linea de base`; punctuation counts as space."""
    return normalize_key(re.sub(r"[^\w\s]", " ", str(text or "")))


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for text in (column.key.replace("_", " "), column.es, column.en, *column.aliases):
            index.setdefault(header_key(text), column.key)
    return index


HEADER_INDEX = _header_index()


def find_header_row(rows: list[list[Any]]) -> int | None:
    """Index of the row (among the first 30) that matches the most known headers (≥ 2)."""
    best, best_count = None, 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = {match_header(v) for v in row if isinstance(v, str)} - {None}
        if len(keys) > best_count:
            best, best_count = index, len(keys)
    return best


def choose_sheet(sheets: list[tuple[str, list[list[Any]]]]) -> tuple[str, list[list[Any]]]:
    """The first sheet whose header names an action column; else the first sheet.

    Workbooks often open with a cover or instructions sheet before the matrix."""
    for title, rows in sheets:
        index = find_header_row(rows)
        if index is not None and "action" in {match_header(v) for v in rows[index]}:
            return title, rows
    return sheets[0]


def match_header(text: Any) -> str | None:
    key = header_key(text)
    if not key:
        return None
    if key in HEADER_INDEX:
        return HEADER_INDEX[key]
    # "Unidad (de medida)", "Presupuesto (S/)": try again without the parenthesis.
    bare = header_key(re.sub(r"\(.*?\)", " ", str(text)))
    return HEADER_INDEX.get(bare)


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def field_label(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return column.en if (translation.get_language() or "es").startswith("en") else column.es


# Results ------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class SheetColumn:
    index: int
    letter: str
    header: str
    key: str | None
    recognised: bool  # matched automatically from the header text


@dataclass(frozen=True)
class NewOrganization:
    key: str
    name: str


OrgRef = Organization | NewOrganization


@dataclass
class ParsedIndicator:
    row: int
    fields: dict[str, Any]


@dataclass
class ParsedAction:
    row: int
    fields: dict[str, Any]
    lead: OrgRef | None = None
    co_responsible: list[OrgRef] = field(default_factory=list)
    provisions: list[Provision] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    approaches: list[Approach] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class ParsedObjective:
    row: int
    fields: dict[str, Any]
    actions: list[ParsedAction] = field(default_factory=list)
    index: dict[str, ParsedAction] = field(default_factory=dict)


@dataclass
class ParsedGuideline:
    row: int
    fields: dict[str, Any]
    objectives: list[ParsedObjective] = field(default_factory=list)
    index: dict[str, ParsedObjective] = field(default_factory=dict)


@dataclass
class MatrixImport:
    sheet: str = ""
    header_row: int | None = None
    columns: list[SheetColumn] = field(default_factory=list)
    guidelines: list[ParsedGuideline] = field(default_factory=list)
    new_organizations: list[NewOrganization] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        objectives = [o for g in self.guidelines for o in g.objectives]
        actions = [a for o in objectives for a in o.actions]
        return {
            "guidelines": len(self.guidelines),
            "objectives": len(objectives),
            "actions": len(actions),
            "indicators": sum(len(a.indicators) for a in actions),
            "organizations": len(self.new_organizations),
        }

    def actions(self) -> list[ParsedAction]:
        return [a for g in self.guidelines for o in g.objectives for a in o.actions]


# Value parsers: each returns the value or raises ValueError with a message for the user.


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean_text(value)


def _long_text(value: Any) -> str:
    """Like `_text` but keeps line breaks (descriptions)."""
    if not isinstance(value, str):
        return _text(value)
    lines = [clean_text(line) for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value: Any) -> Decimal | None:
    """Numbers as typed cells or text: `1.234,5`, `1,234.5`, `12%`, `S/ 1 500`."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("%(value)s is not a number.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = clean_text(value)
    if header_key(text) in BLANK_WORDS or text in BLANK_WORDS:
        return None
    number = re.sub(r"[^\d.,\-]", "", text.replace("%", ""))
    letters = re.sub(r"(S/|USD|PEN|COP|EUR|US\$)", "", text)
    if not re.search(r"\d", number) or re.search(r"[a-zA-Z]", letters):
        raise ValueError(_("%(value)s is not a number.") % {"value": text})
    if "," in number and "." in number:
        if number.rfind(",") > number.rfind("."):
            number = number.replace(".", "").replace(",", ".")
        else:
            number = number.replace(",", "")
    elif "," in number:
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+", number):
            number = number.replace(",", "")
        else:
            number = number.replace(",", ".")
    elif number.count(".") > 1:
        number = number.replace(".", "")
    try:
        return Decimal(number)
    except InvalidOperation as exc:
        raise ValueError(_("%(value)s is not a number.") % {"value": text}) from exc


def parse_year(value: Any) -> int | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime | date):
        return value.year
    text = _text(value)
    if header_key(text) in BLANK_WORDS:
        return None
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    raise ValueError(_("%(value)s is not a year.") % {"value": text})


def parse_date(value: Any, *, end: bool = False) -> date | None:
    """Excel dates, dd/mm/yyyy, yyyy-mm-dd, or a bare year (1 January / 31 December)."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if header_key(text) in BLANK_WORDS:
        return None
    try:
        if m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:]+)?", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if re.fullmatch(r"\d{5}", text):  # an Excel serial number in a CSV
            return date(1899, 12, 30) + timedelta(days=int(text))
    except ValueError:
        pass
    raise ValueError(_("%(value)s is not a date (use dd/mm/yyyy or yyyy-mm-dd).") % {"value": text})


def _choice_index(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    index = {header_key(k): v for k, v in extra.items()}
    for language in ("es", "en"):
        with translation.override(language):
            for value, label in choices:
                index[header_key(value)] = value
                index[header_key(str(label))] = value
    return index


KIND_WORDS = {
    "prevenir": "prevent", "prevencion": "prevent", "mitigar": "mitigate",
    "mitigacion": "mitigate", "remediar": "remedy", "reparar": "remedy",
    "reparacion": "remedy", "remediacion": "remedy", "promover": "promote",
    "promocion": "promote",
}  # fmt: skip
DIRECTION_WORDS = {
    "aumentar": "increase", "incrementar": "increase", "ascendente": "increase",
    "creciente": "increase", "aumento": "increase", "disminuir": "decrease",
    "reducir": "decrease", "descendente": "decrease", "decreciente": "decrease",
    "reduccion": "decrease", "disminucion": "decrease", "mantener": "maintain",
    "constante": "maintain", "mantenimiento": "maintain",
}  # fmt: skip

_GUIDE_CODE = re.compile(
    r"^(?:(?:lineamiento(?:\s+estrategico)?|guideline|eje(?:\s+estrategico)?|"
    r"objetivo(?:\s+(?:estrategico|especifico))?|objective)\s*(?:n[o°º]\.?\s*)?)?"
    r"(\d{1,3}(?:\.\d{1,3}){0,2})\s*[.):\-–]?\s+(\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_UNGP = re.compile(
    r"(?:(?:principios?\s+rectores?|principios?|principles?|ungps?|pr|gp|p)\s*)?"
    r"(?:n[o°º]?\s*)?(\d{1,2})"
)
_SDG = re.compile(
    r"(?:(?:ods|sdgs?|metas?|targets?|objetivos?|goals?)\s*)?(\d{1,2}(?:\.(?:\d{1,2}|[a-z]))?)"
)
_SPLIT_CODES = re.compile(r"[;,\n/]|\s+y\s+|\s+and\s+")


def split_code(text: str) -> tuple[str, str]:
    """`1. Fortalecer…` / `Lineamiento 1: Fortalecer…` → ("1", "Fortalecer…")."""
    plain = normalize_key(text)
    m = _GUIDE_CODE.match(plain)
    if not m:
        return "", text
    # Cut the same number of leading words/characters from the original text.
    original = re.match(
        r"^\D*?" + re.escape(m[1]) + r"\s*[.):\-–]?\s+", text, re.IGNORECASE | re.DOTALL
    )
    if original is None:
        return "", text
    return m[1], text[original.end() :].strip()


# The parser ---------------------------------------------------------------------------


class MatrixParser:
    def __init__(
        self,
        *,
        territory: Territory,
        create_organizations: bool = False,
        start_date: date | None = None,
        end_date: date | None = None,
        mapping: dict[int, str] | None = None,
    ) -> None:
        self.territory = territory
        self.create_organizations = create_organizations
        self.options_period = (start_date, end_date)
        self.mapping_override = mapping or {}
        self.result = MatrixImport()
        self._load_catalogs()

    # Catalogs, loaded once.

    def _load_catalogs(self) -> None:
        self.provisions = {p.code: p for p in Provision.objects.select_related("framework")}
        self.themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for text in (theme.slug, theme.label_es, theme.label_en):
                self.themes.setdefault(header_key(text), theme)
        self.approaches: dict[str, Approach] = {}
        for approach in Approach.objects.all():
            for text in (approach.slug, approach.label_es, approach.label_en):
                key = header_key(text)
                bare = header_key(re.sub(r"\(.*?\)", "", text))
                for variant in (key, bare):
                    short = re.sub(r"^enfoque (de |del )?|approach$", "", variant).strip()
                    self.approaches.setdefault(variant, approach)
                    self.approaches.setdefault(short, approach)
        self.orgs_by_name: dict[str, Organization] = {}
        self.orgs_by_acronym: dict[str, Organization] = {}
        for org in Organization.objects.filter(territory=self.territory):
            self.orgs_by_name.setdefault(org.normalized_name, org)
            if org.acronym:
                self.orgs_by_acronym.setdefault(clean_text(org.acronym).casefold(), org)
        self.new_orgs: dict[str, NewOrganization] = {}
        self.guideline_index: dict[str, ParsedGuideline] = {}
        self.kinds = _choice_index(Action.Kind.choices, KIND_WORDS)
        self.directions = _choice_index(Indicator.Direction.choices, DIRECTION_WORDS)

    # Entry point.

    def parse(self, rows: list[list[Any]]) -> MatrixImport:
        header_index = self._find_header(rows)
        if header_index is None:
            self.result.errors.append(
                RowError(
                    None,
                    "",
                    _(
                        "No header row found in the first %(n)s rows. The matrix needs at "
                        "least a guideline column and an action column."
                    )
                    % {"n": HEADER_SCAN_ROWS},
                )
            )
            return self.result
        self.result.header_row = header_index + 1
        self._map_columns(rows[header_index])
        if not self._check_required_columns():
            return self.result
        for offset, row in enumerate(rows[header_index + 1 :]):
            self._parse_row(header_index + 2 + offset, row)
        if not self.result.guidelines and not self.result.errors:
            self.result.errors.append(RowError(None, "", _("The matrix has no actions.")))
        self._set_period()
        self._validate()
        self.result.new_organizations = list(self.new_orgs.values())
        return self.result

    def _find_header(self, rows: list[list[Any]]) -> int | None:
        return find_header_row(rows)

    def _map_columns(self, header: list[Any]) -> None:
        used: set[str] = set()
        self.col_of: dict[str, int] = {}
        for index, text in enumerate(header):
            label = _text(text)
            if index in self.mapping_override:
                chosen = self.mapping_override[index]
                key: str | None = chosen if chosen in COLUMN_BY_KEY else None
                recognised = False  # chosen by the user: keep offering the choice
            else:
                key = match_header(label) if label else None
                recognised = key is not None
            if key in used:
                key, recognised = None, False
            if key is not None:
                used.add(key)
                self.col_of[key] = index
            if label or key:
                self.result.columns.append(
                    SheetColumn(index, column_letter(index), label, key, recognised)
                )
        self.headers = {c.index: c.header for c in self.result.columns}

    def _check_required_columns(self) -> bool:
        missing = [k for k in ("guideline", "action") if k not in self.col_of]
        for key in missing:
            self.result.errors.append(
                RowError(
                    self.result.header_row,
                    "",
                    _("The matrix has no column for %(column)s.") % {"column": field_label(key)},
                )
            )
        return not missing

    def column_name(self, key: str) -> str:
        if key in self.col_of:
            index = self.col_of[key]
            return f"{column_letter(index)} ({self.headers.get(index) or field_label(key)})"
        return field_label(key)

    def error(self, row: int, key: str, message: str) -> None:
        self.result.errors.append(RowError(row, self.column_name(key), message))

    # Rows.

    def _cells(self, row: list[Any]) -> dict[str, Any]:
        return {k: (row[i] if i < len(row) else None) for k, i in self.col_of.items()}

    def _parse_row(self, number: int, row: list[Any]) -> None:
        cells = self._cells(row)
        if all(_is_blank(v) for v in cells.values()):
            return
        guideline = self._guideline(number, cells)
        if guideline is None:
            return
        objective = self._objective(number, cells, guideline)
        if objective is None:
            return
        action = self._action(number, cells, objective)
        if action is None:
            return
        self._indicator(number, cells, action)

    def _node_fields(self, cells: dict[str, Any], prefix: str, code: str, title: str) -> dict:
        return {
            "code": code,
            "title": title,
            "title_en": _text(cells.get(f"{prefix}_en")),
            "description": _long_text(cells.get(f"{prefix}_description")),
            "description_en": _long_text(cells.get(f"{prefix}_description_en")),
        }

    def _code_and_title(self, cells: dict[str, Any], prefix: str) -> tuple[str, str]:
        raw = _text(cells.get(prefix))
        code = _text(cells.get(f"{prefix}_code"))
        if code:
            return code, raw
        return split_code(raw) if raw else ("", "")

    def _guideline(self, number: int, cells: dict[str, Any]) -> ParsedGuideline | None:
        code, title = self._code_and_title(cells, "guideline")
        if not code and not title:
            if self.result.guidelines:
                return self.result.guidelines[-1]
            self.error(number, "guideline", _("Give the guideline of this row."))
            return None
        found = _lookup(self.guideline_index, code, title)
        if found is not None:
            return found
        if not title:
            self.error(
                number, "guideline", _("Give the title of guideline %(code)s.") % {"code": code}
            )
            return None
        guideline = ParsedGuideline(number, self._node_fields(cells, "guideline", code, title))
        self.result.guidelines.append(guideline)
        _register(self.guideline_index, code, title, guideline)
        return guideline

    def _objective(
        self, number: int, cells: dict[str, Any], guideline: ParsedGuideline
    ) -> ParsedObjective | None:
        if "objective" not in self.col_of:
            # No objective column: one objective per guideline, named after it.
            if not guideline.objectives:
                fields = dict(guideline.fields)
                fields["code"] = f"{fields['code']}.1" if fields["code"] else ""
                guideline.objectives.append(ParsedObjective(number, fields))
            return guideline.objectives[-1]
        code, title = self._code_and_title(cells, "objective")
        if not code and not title:
            if guideline.objectives:
                return guideline.objectives[-1]
            if all(_is_blank(v) for k, v in cells.items() if k not in PARENT_KEYS):
                return None  # a row that only names a guideline
            self.error(number, "objective", _("Give the objective of this row."))
            return None
        found = _lookup(guideline.index, code, title)
        if found is not None:
            return found
        if not title:
            self.error(
                number, "objective", _("Give the title of objective %(code)s.") % {"code": code}
            )
            return None
        objective = ParsedObjective(number, self._node_fields(cells, "objective", code, title))
        guideline.objectives.append(objective)
        _register(guideline.index, code, title, objective)
        return objective

    def _action(
        self, number: int, cells: dict[str, Any], objective: ParsedObjective
    ) -> ParsedAction | None:
        code = _text(cells.get("code"))
        title = _text(cells.get("action"))
        if not title:
            if code and f"code:{code}" in objective.index:
                return objective.index[f"code:{code}"]
            if not code and objective.actions and not _is_blank(cells.get("indicator")):
                return objective.actions[-1]
            if not code and all(_is_blank(v) for k, v in cells.items() if k not in PARENT_KEYS):
                return None  # a row that only names a guideline or objective
            self.error(number, "action", _("Give the title of the action."))
            return None
        found = _lookup(objective.index, code, title)
        if found is not None:
            return found
        fields = self._node_fields(cells, "action", code, title)
        action = ParsedAction(number, fields)
        self._action_values(number, cells, action)
        objective.actions.append(action)
        _register(objective.index, code, title, action)
        return action

    def _action_values(self, number: int, cells: dict[str, Any], action: ParsedAction) -> None:
        fields = action.fields
        kind = _text(cells.get("kind"))
        if kind:
            value = self.kinds.get(header_key(kind))
            if value is None:
                self.error(
                    number, "kind", _("%(value)s is not a kind of action.") % {"value": kind}
                )
            else:
                fields["kind"] = value
        for key, name, end in (("start", "start_date", False), ("end", "end_date", True)):
            try:
                fields[name] = parse_date(cells.get(key), end=end)
            except ValueError as exc:
                self.error(number, key, str(exc))
        try:
            fields["budget"] = parse_decimal(cells.get("budget"))
        except ValueError as exc:
            self.error(number, "budget", str(exc))
        lead_text = _text(cells.get("lead"))
        leads = self._organizations(number, "lead", lead_text) if lead_text else []
        if leads:
            action.lead = leads[0]
        co = [
            *leads[1:],
            *self._organizations(number, "co_responsible", _text(cells.get("co_responsible"))),
        ]
        for org in co:
            if org != action.lead and org not in action.co_responsible:
                action.co_responsible.append(org)
        action.provisions = [
            *self._codes(number, "ungp", cells.get("ungp")),
            *self._codes(number, "sdg", cells.get("sdg")),
        ]
        action.themes = self._labels(number, "themes", cells.get("themes"), self.themes)
        action.approaches = self._labels(
            number, "approaches", cells.get("approaches"), self.approaches
        )

    def _indicator(self, number: int, cells: dict[str, Any], action: ParsedAction) -> None:
        name = _text(cells.get("indicator"))
        values = ("unit", "baseline", "target", "baseline_year", "target_year", "direction")
        if not name:
            if any(not _is_blank(cells.get(k)) for k in values):
                self.error(number, "indicator", _("Give the name of the indicator."))
            return
        fields: dict[str, Any] = {
            "name": name,
            "name_en": _text(cells.get("indicator_en")),
            "unit": _text(cells.get("unit")),
            "data_source": _text(cells.get("data_source")),
        }
        for key, target, parser in (
            ("baseline", "baseline_value", parse_decimal),
            ("target", "target_value", parse_decimal),
            ("baseline_year", "baseline_year", parse_year),
            ("target_year", "target_year", parse_year),
        ):
            try:
                fields[target] = parser(cells.get(key))
            except ValueError as exc:
                self.error(number, key, str(exc))
        direction = _text(cells.get("direction"))
        if direction:
            value = self.directions.get(header_key(direction))
            if value is None:
                self.error(
                    number, "direction", _("%(value)s is not a direction.") % {"value": direction}
                )
            fields["direction"] = value or Indicator.Direction.INCREASE
        else:
            fields["direction"] = _infer_direction(
                fields.get("baseline_value"), fields.get("target_value")
            )
        action.indicators.append(ParsedIndicator(number, fields))

    # Cell values that point at other records.

    def _find_org(self, text: str) -> OrgRef | None:
        key = normalize_key(text)
        if not key:
            return None
        return (
            self.orgs_by_name.get(key)
            or self.orgs_by_acronym.get(clean_text(text).casefold())
            or self.new_orgs.get(key)
        )

    def _new_org(self, number: int, column: str, name: str) -> OrgRef | None:
        name = clean_text(name)
        if not self.create_organizations:
            self.error(
                number,
                column,
                _(
                    "%(name)s is not a known organisation of this territory. Add it first, "
                    "or let the import create new organisations."
                )
                % {"name": name},
            )
            return None
        new = NewOrganization(normalize_key(name), name[:300])
        self.new_orgs[new.key] = new
        return new

    def _organizations(self, number: int, column: str, text: str) -> list[OrgRef]:
        """Whole cell first, then parts split by `;` or new lines, then by `/` or `,`."""
        if not text:
            return []
        whole = self._find_org(text)
        if whole is not None:
            return [whole]
        found: list[OrgRef] = []
        for part in filter(None, (clean_text(p) for p in re.split(r"[;\n]", text))):
            ref = self._find_org(part)
            if ref is None:
                pieces = [clean_text(p) for p in re.split(r"[/,]", part) if clean_text(p)]
                known = [self._find_org(p) for p in pieces]
                if len(pieces) > 1 and (any(known) or all(" " not in p for p in pieces)):
                    for piece, ref_piece in zip(pieces, known, strict=True):
                        ref_new = ref_piece or self._new_org(number, column, piece)
                        if ref_new is not None:
                            found.append(ref_new)
                    continue
                ref = self._new_org(number, column, part)
            if ref is not None:
                found.append(ref)
        return found

    def _codes(self, number: int, column: str, value: Any) -> list[Provision]:
        text = _text(value)
        if not text:
            return []
        found: list[Provision] = []
        pattern = _UNGP if column == "ungp" else _SDG
        for token in filter(None, (normalize_key(t) for t in _SPLIT_CODES.split(text))):
            m = pattern.fullmatch(token) or pattern.fullmatch(token.replace(" ", ""))
            code = (f"UNGP-{int(m[1])}" if column == "ungp" else f"SDG-{m[1]}") if m else ""
            provision = self.provisions.get(code)
            if provision is None:
                message = (
                    _("%(value)s is not a UN Guiding Principle (1 to 31).")
                    if column == "ungp"
                    else _("%(value)s is not an SDG goal or target.")
                )
                self.error(number, column, message % {"value": token})
            elif provision not in found:
                found.append(provision)
        return found

    def _labels(self, number: int, column: str, value: Any, index: dict[str, Any]) -> list[Any]:
        text = _text(value)
        found: list[Any] = []
        for part in filter(None, (clean_text(p) for p in re.split(r"[;\n]", text))):
            items = [index.get(header_key(part))]
            if items[0] is None:
                items = [index.get(header_key(p)) for p in part.split(",")]
                if None in items:
                    self.error(
                        number, column, _("%(value)s is not in the catalog.") % {"value": part}
                    )
                    continue
            found.extend(i for i in items if i not in found)
        return found

    # Whole-plan checks.

    def _set_period(self) -> None:
        start, end = self.options_period
        actions = self.result.actions()
        indicators = [i for a in actions for i in a.indicators]
        if start is None:
            starts = [a.fields["start_date"] for a in actions if a.fields.get("start_date")]
            start = min(starts) if starts else None
        if end is None:
            ends = [a.fields["end_date"] for a in actions if a.fields.get("end_date")]
            ends += [date(y, 12, 31) for i in indicators if (y := i.fields.get("target_year"))]
            end = max(ends) if ends else None
        today = date.today()
        start = start or date(today.year, 1, 1)
        end = end or date(start.year + 4, 12, 31)
        if end < start:
            self.result.errors.append(
                RowError(None, "", _("The plan cannot end before it starts."))
            )
        self.result.start_date, self.result.end_date = start, end

    def _validate(self) -> None:
        start, end = self.result.start_date, self.result.end_date
        assert start is not None and end is not None
        plan = Plan(start_date=start, end_date=end)
        for guideline in self.result.guidelines:
            self._clean(Guideline(**guideline.fields), guideline.row, GUIDELINE_COLUMNS)
            for objective in guideline.objectives:
                self._clean(Objective(**objective.fields), objective.row, OBJECTIVE_COLUMNS)
                for action in objective.actions:
                    self._validate_action(action, plan)

    def _validate_action(self, action: ParsedAction, plan: Plan) -> None:
        fields = {k: v for k, v in action.fields.items() if v is not None}
        self._clean(Action(**fields), action.row, ACTION_COLUMNS)
        for name, key in (("start_date", "start"), ("end_date", "end")):
            value = action.fields.get(name)
            if value and not (plan.start_date <= value <= plan.end_date):
                self.error(
                    action.row,
                    key,
                    _("The date must fall inside the plan period (%(start)s – %(end)s).")
                    % {"start": plan.start_date, "end": plan.end_date},
                )
        for indicator in action.indicators:
            self._clean(Indicator(**indicator.fields), indicator.row, INDICATOR_COLUMNS)
            year = indicator.fields.get("target_year")
            if year and not (plan.start_date.year <= year <= plan.end_date.year):
                self.error(
                    indicator.row,
                    "target_year",
                    _("The target year must fall inside the plan period (%(start)s – %(end)s).")
                    % {"start": plan.start_date.year, "end": plan.end_date.year},
                )

    def _clean(self, node: Any, row: int, columns: dict[str, str]) -> None:
        exclude = ["version", "guideline", "objective", "action", "lead", "uid"]
        if getattr(node, "code", None) == "":
            exclude.append("code")  # generated when saved
        try:
            node.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.error(row, columns.get(name, columns["title"]), message)


GUIDELINE_COLUMNS = {
    "code": "guideline_code",
    "title": "guideline",
    "title_en": "guideline_en",
    "description": "guideline_description",
    "description_en": "guideline_description_en",
}
OBJECTIVE_COLUMNS = {k: v.replace("guideline", "objective") for k, v in GUIDELINE_COLUMNS.items()}
ACTION_COLUMNS = {
    "code": "code",
    "title": "action",
    "title_en": "action_en",
    "description": "action_description",
    "description_en": "action_description_en",
    "kind": "kind",
    "start_date": "start",
    "end_date": "end",
    "budget": "budget",
}
INDICATOR_COLUMNS = {
    "title": "indicator",
    "name": "indicator",
    "name_en": "indicator_en",
    "unit": "unit",
    "direction": "direction",
    "baseline_value": "baseline",
    "baseline_year": "baseline_year",
    "target_value": "target",
    "target_year": "target_year",
    "data_source": "data_source",
}


def _lookup(index: dict[str, Any], code: str, title: str) -> Any:
    """The element a row names: by code when it has one, else by title."""
    return index.get(f"code:{code}") if code else index.get(f"title:{normalize_key(title)}")


def _register(index: dict[str, Any], code: str, title: str, node: Any) -> None:
    if code:
        index.setdefault(f"code:{code}", node)
    if title:
        index.setdefault(f"title:{normalize_key(title)}", node)


def _infer_direction(baseline: Decimal | None, target: Decimal | None) -> str:
    if baseline is not None and target is not None:
        if target < baseline:
            return Indicator.Direction.DECREASE
        if target == baseline:
            return Indicator.Direction.MAINTAIN
    return Indicator.Direction.INCREASE


def matrix_parse(
    data: bytes,
    *,
    filename: str = "",
    territory: Territory,
    create_organizations: bool = False,
    start_date: date | None = None,
    end_date: date | None = None,
    mapping: dict[int, str] | None = None,
) -> MatrixImport:
    """Read and check a matrix without writing anything. Raises TabularError on unreadable files."""
    sheet, rows = choose_sheet(read_sheets(data, filename))
    parser = MatrixParser(
        territory=territory,
        create_organizations=create_organizations,
        start_date=start_date,
        end_date=end_date,
        mapping=mapping,
    )
    result = parser.parse(rows)
    result.sheet = sheet
    return result


# Saving -------------------------------------------------------------------------------


@transaction.atomic
def matrix_save(
    parsed: MatrixImport,
    *,
    territory: Territory,
    title: str,
    actor: Any,
    publish: bool = False,
    title_en: str = "",
) -> Plan:
    """Create the plan of a checked matrix through the services, all or nothing."""
    from bhrplan.plans import services as plan_services
    from bhrplan.territories import services as territory_services

    if not parsed.ok:
        raise ValidationError(_("The matrix has errors; nothing was imported."))
    created: dict[str, Organization] = {}
    for new in parsed.new_organizations:
        created[new.key] = territory_services.organization_create(
            territory=territory,
            name=new.name,
            stakeholder_group=Organization.StakeholderGroup.PUBLIC_AUTHORITY,
            actor=actor,
        )

    def org(ref: OrgRef | None) -> Organization | None:
        if isinstance(ref, NewOrganization):
            return created[ref.key]
        return ref

    assert parsed.start_date is not None and parsed.end_date is not None
    plan = plan_services.plan_create(
        territory=territory,
        title=title,
        title_en=title_en,
        start_date=parsed.start_date,
        end_date=parsed.end_date,
        actor=actor,
    )
    tree = [
        {
            **g.fields,
            "objectives": [
                {
                    **o.fields,
                    "actions": [
                        {
                            **{k: v for k, v in a.fields.items() if v is not None},
                            "lead": org(a.lead),
                            "co_responsible": [org(c) for c in a.co_responsible],
                            "provisions": a.provisions,
                            "themes": a.themes,
                            "approaches": a.approaches,
                            "indicators": [i.fields for i in a.indicators],
                        }
                        for a in o.actions
                    ],
                }
                for o in g.objectives
            ],
        }
        for g in parsed.guidelines
    ]
    plan_services.version_tree_bulk_create(plan=plan, guidelines=tree, actor=actor)
    if publish:
        plan_services.plan_publish(plan=plan, actor=actor)
    return plan
