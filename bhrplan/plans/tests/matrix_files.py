"""Messy plan matrices generated for the tests, like the ones ministries really keep."""

import io
from datetime import datetime
from typing import Any

import openpyxl

SPANISH_HEADER = [
    "LINEAMIENTO  ESTRATÉGICO",
    "Objetivo",
    "Código",
    "Acción ",
    "Entidad Responsable",
    "Entidades corresponsables",
    "Indicador",
    "Unidad (de medida)",
    "Línea de base",
    "Año línea de base",
    "Meta",
    "Año meta",
    "Principios Rectores",
    "ODS",
    "Temas",
    "Enfoques",
    "Inicio",
    "Fin",
    "Presupuesto",
    "Observaciones",
]


def xlsx_bytes(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def messy_spanish_matrix() -> bytes:
    """Title rows, merged guideline/objective cells, a blank row, mixed code styles."""
    rows: list[list[Any]] = [
        ["Plan de Acción Regional sobre Empresas y Derechos Humanos 2025-2029"],
        [],
        ["Matriz de acciones", None, None, "versión final"],
        SPANISH_HEADER,
        [
            "1. Fortalecer la debida diligencia",
            "Objetivo 1.1: Promover capacidades",
            "1.1.1",
            "Capacitar a funcionarios",
            "  ministerio de JUSTICIA y derechos humanos ",
            "MTPE / MINEM",
            "Funcionarios capacitados",
            "personas",
            "0",
            2024,
            "1.234,5",
            "2029",
            "PR 6, Principio 7",
            "ODS 8.7; 16.3",
            "Mujeres; Minería",
            "Género",
            datetime(2025, 3, 1),
            "31/12/2027",
            "S/ 150,000.00",
            "revisar",
        ],
        [
            None,
            None,
            "1.1.1",
            "Capacitar a funcionarios",
            None,
            None,
            "Quejas pendientes",
            "quejas",
            "10",
            2024,
            "2",
            2028,
        ],
        [],
        [
            None,
            None,
            "1.1.2",
            "Difundir la guía",
            "MINEM",
            "Ministerio de Justicia y Derechos Humanos; "
            "Ministerio de Trabajo, Empleo y Seguridad Social",
            None,
            None,
            None,
            None,
            None,
            None,
            "UNGP 8",
            "SDG 8.7 y Meta 12.6",
            "mining",
            "gender; intercultural",
            "2026-01-15",
            "2027",
            1500,
        ],
        [
            "Lineamiento 2: Acceso a la reparación",
            "2.1 Fortalecer mecanismos",
            None,
            "Crear un mecanismo de queja",
            "MINEM",
            None,
            "Mecanismo creado",
            "mecanismo",
            None,
            None,
            "1",
            2027,
            "25; 29",
            "16.3",
            "Mecanismos extrajudiciales de reparación",
            None,
            "01/06/2025",
            "30/06/2026",
            "12%",
        ],
    ]
    return xlsx_bytes(rows, merges=("A5:A8", "B5:B7"))
