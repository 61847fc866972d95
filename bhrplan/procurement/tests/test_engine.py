import duckdb
import ibis
import pyarrow as pa
import pytest

from bhrplan.lib.text import normalize_key
from bhrplan.procurement.ocds.pipeline import ITEMS_SCHEMA, build_items
from bhrplan.procurement.screening.engine import coverage, screen, summary


def item(row_id, description, **extra):
    row = dict.fromkeys(ITEMS_SCHEMA.names)
    row.update(
        row_id=row_id,
        ocid=f"ocds-x-{row_id}",
        stage="award",
        item_id=str(row_id),
        description=description,
        description_norm=description.lower(),
        source="releases",
    )
    row.update(extra)
    return row


def run(rows):
    con = duckdb.connect()
    con.register("items_arrow", pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA))
    con.execute("CREATE TABLE items AS SELECT * FROM items_arrow")
    items = ibis.duckdb.from_connection(con).table("items")
    return screen(items).to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def sample_flags(tmp_path_factory):
    from bhrplan.procurement.tests.conftest import OCDS_SAMPLES

    con = duckdb.connect()
    build_items([OCDS_SAMPLES], con)
    items = ibis.duckdb.from_connection(con).table("items")
    return (
        screen(items).to_pyarrow().to_pylist(),
        coverage(items).to_pyarrow().to_pylist()[0],
    )


def test_it_flags_by_code_with_confidence_from_the_code_level():
    flags = run(
        [
            item(
                1,
                "Computadoras personales",
                scheme="DNCP",
                classification_id="43211508-001",
                unspsc="43211508",
            ),
            item(2, "Uniformes", scheme="UNSPSC", classification_id="53102710", unspsc="53102710"),
            item(3, "Impresora", scheme="UNSPSC", classification_id="43000000", unspsc="43000000"),
            item(
                4,
                "Guantes de nitrilo",
                scheme="CPV",
                classification_id="33141420-0",
                cpv="33141420",
            ),
        ]
    )
    got = {
        (f["row_id"], f["category"], f["evidence"], f["confidence"], f["matched"]) for f in flags
    }
    assert got == {
        (1, "ict_electronics", "code", "medium", "UNSPSC 4321"),
        (2, "garments_footwear", "code", "high", "UNSPSC 531027"),
        (3, "ict_electronics", "keyword", "low", "impresora"),
        (4, "ppe_medical_gloves", "code", "high", "CPV 33141420"),
    }


def test_a_code_of_the_whole_tender_flags_with_low_confidence():
    flags = run(
        [
            item(
                1,
                "",
                description_norm="suministros medicos",
                scheme="CPV",
                classification_id="33141420-0",
                cpv="33141420",
                code_origin="tender classification",
            ),
            item(2, "Insumos", scheme="CPV", classification_id="33141420-0", cpv="33141420"),
        ]
    )
    got = {(f["row_id"], f["category"], f["evidence"], f["confidence"]) for f in flags}
    assert got == {
        (1, "ppe_medical_gloves", "tender code", "low"),
        (2, "ppe_medical_gloves", "code", "high"),
    }


def test_rows_without_an_item_count_as_processes_screened_by_title():
    rows = [
        item(1, "Uniformes", ocid="ocds-x-a"),
        item(2, "", item_id=None, ocid="ocds-x-b", description_norm="compra de uniformes"),
    ]
    con = duckdb.connect()
    con.register("items_arrow", pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA))
    items = ibis.duckdb.from_connection(con).table("items_arrow")
    cov = coverage(items).to_pyarrow().to_pylist()[0]
    assert (cov["items"], cov["tenders"], cov["titles_only"], cov["with_description"]) == (
        1,
        1,
        1,
        1,
    )
    flags = {
        (f["row_id"], f["evidence"], f["confidence"])
        for f in screen(items).to_pyarrow().to_pylist()
    }
    assert flags == {(1, "keyword", "medium"), (2, "title keyword", "low")}


def test_it_falls_back_to_accent_insensitive_keywords():
    flags = run(
        [
            item(
                1,
                "Adquisición de PANELES SOLARES",
                description_norm="adquisicion de paneles solares",
            ),
            item(
                2,
                "Servicio de limpieza de oficinas",
                description_norm="servicio de limpieza de oficinas",
            ),
            item(3, "Decorado de salón", description_norm="decorado de salon"),
            item(4, "Solar modules 400 W", description_norm="solar modules 400 w"),
        ]
    )
    got = {(f["row_id"], f["category"], f["confidence"]) for f in flags}
    assert got == {
        (1, "solar_panels", "medium"),
        (2, "labour_intensive_services", "medium"),
        (4, "solar_panels", "medium"),
    }


# Descriptions from real procurement data in which a keyword means something else, and
# their counterparts that should be flagged.
KEYWORD_CASES = [
    # Found in Latin American catalogues (Mexico, Central America, the Andes).
    ("MICA TAMAÑO CARTA PARA ENMICAR", None),
    ("Pintura esmalte color oro", None),
    ("Tela asfáltica para techos", None),
    ("TELA METALICA GALVANIZADA", None),
    ("Alimentación para efectivos de la Guardia Nacional", None),
    ("Sistema de vigilancia CCTV", None),
    ("Licencia de software para computadora", None),
    ("Computer software licences", None),
    ("Medio de cultivo celular", None),
    ("Pelotas de tenis", None),
    ("Papel carbón tamaño oficio", None),
    ("Playeras tipo polo bordadas", "garments_footwear"),
    ("CHAMARRA IMPERMEABLE", "garments_footwear"),
    ("Tenis deportivos escolares", "garments_footwear"),
    ("Sábanas de cama hospitalarias", "garments_footwear"),
    ("Monitor LED de 24 pulgadas", "ict_electronics"),
    ("Proyector multimedia", "ict_electronics"),
    ("Adquisición de Scanner", "ict_electronics"),
    ("ESCÁNER DE DOCUMENTOS", "ict_electronics"),
    ("Pavimentación de calles", "construction_bricks"),
    ("Rehabilitation of the High Court Parking Yard", "construction_bricks"),
    ("Refurbishment of the district office", "construction_bricks"),
    ("Rehabilitation of the patients after surgery", None),
    ("Drug rehabilitation programme", None),
    ("Rehabilitación de la persona con discapacidad", None),
    ("Rehabilitación de caminos vecinales", "construction_bricks"),
    ("Varilla corrugada de 3/8", "construction_bricks"),
    ("Servicio de seguridad privada", "labour_intensive_services"),
    ("Vigilantes para el hospital", "labour_intensive_services"),
    ("Desayunos escolares fríos", "agriculture_food"),
    ("Panela en bloque", "agriculture_food"),
    ("Atún en aceite", "agriculture_food"),
    ("Carbón para parrilla", "mining"),
    ("Mica en polvo", "mining"),
    ("PARACETAMOL 500 MG TABLETA RECUBIERTA", None),
    ("Paracetamol 500mg tablets", None),
    ("TABLETA ELECTRONICA 10 PULGADAS", "ict_electronics"),
    ("Mantenimiento del Jardín Botánico", None),
    ("BOTELLA DE AGUA 500 ML", None),
    ("BOTAS DE SEGURIDAD PUNTA DE ACERO", "garments_footwear"),
    ("ESCRITORIO COLOR CAFÉ", None),
    ("SILLA TONO CAFE OSCURO", None),
    ("CAFÉ MOLIDO 500 GR", "agriculture_food"),
    ("Caja color café con café en grano", "agriculture_food"),
    ("Tin-free steel cans", None),
    ("Exhibition booth rental", None),
    ("Servicio de facturación electrónica", None),
    ("Equipo electrónico de medición", "ict_electronics"),
    ("Equipo de cómputo portátil", "ict_electronics"),
    ("Vigilancia epidemiológica del dengue", None),
    ("Servicio de vigilancia privada", "labour_intensive_services"),
    ("Servicio de aseo de oficinas", "labour_intensive_services"),
    ("Juego de comedor de madera", None),
    ("Impresión de carnets", None),
    ("Carne de res molida", "agriculture_food"),
    ("Arroz blanco grado 1", "agriculture_food"),
    ("Pollo entero congelado", "agriculture_food"),
    ("Pollera plisada azul", None),
    ("Camisa de cilindro para motor", None),
    ("Vestuario institucional", "garments_footwear"),
    ("Overoles de trabajo", "garments_footwear"),
    ("Construcción de capacidades locales", None),
]


def test_a_keyword_inside_a_phrase_that_means_something_else_does_not_flag():
    rows = [
        item(n, text, description_norm=normalize_key(text))
        for n, (text, _category) in enumerate(KEYWORD_CASES, start=1)
    ]
    got = {f["row_id"]: (f["category"], f["matched"]) for f in run(rows)}
    expected = {
        n: category for n, (_text, category) in enumerate(KEYWORD_CASES, start=1) if category
    }
    assert {n: category for n, (category, _m) in got.items()} == expected
    coffee = KEYWORD_CASES.index(("Caja color café con café en grano", "agriculture_food")) + 1
    assert got[coffee] == ("agriculture_food", "cafe")  # the coffee, not the colour


def test_it_treats_an_unknown_country_as_unknown_never_as_no_risk():
    flags = run(
        [
            item(1, "Ladrillos", unspsc="30131602", scheme="UNSPSC", supplier_country="PY"),
            item(2, "Ladrillos", unspsc="30131602", scheme="UNSPSC", supplier_country="UY"),
            item(3, "Ladrillos", unspsc="30131602", scheme="UNSPSC"),
        ]
    )
    by_row = {f["row_id"]: f for f in flags}
    assert by_row[1]["country_status"] == "listed"
    assert by_row[1]["country_evidence"].startswith("PY: child_labour (Bricks")
    assert by_row[2]["country_status"] == "not listed"
    assert by_row[3]["country_status"] == "unknown"
    assert by_row[3]["supplier_country"] == "unknown"
    assert all(f["category"] == "construction_bricks" for f in flags)


def test_it_screens_the_real_samples(sample_flags):
    flags, cov = sample_flags
    assert cov["items"] == 1077
    assert cov["dncp"] == 1016 and cov["unspsc"] == 61
    assert cov["with_country"] == 40
    pcs = [f for f in flags if f["classification_id"] == "43211508-001"]
    assert pcs and {f["category"] for f in pcs} == {"ict_electronics"}
    staffing = [f for f in flags if f["ocid"] == "ocds-k50g02-16-12-5280389"]
    assert staffing and {f["category"] for f in staffing} == {"labour_intensive_services"}
    assert {f["code_origin"] for f in staffing} == {"item id"}
    # Items the mapping does not cover are not flagged.
    assert not [f for f in flags if f["classification_id"] == "40101701-002"]


def test_it_summarises_flags(sample_flags):
    flags, _ = sample_flags
    result = summary(ibis.memtable(pa.Table.from_pylist(flags))).to_pyarrow().to_pylist()[0]
    assert result["flagged_items"] == len({f["row_id"] for f in flags})
    assert result["tenders"] == len({f["ocid"] for f in flags})


def test_it_counts_an_award_and_its_contract_once(sample_flags):
    base = dict.fromkeys(["buyer", "ocid", "stage", "stage_id"], None)
    flags = [
        # Process a: the award and the contract signed from it carry the same item.
        base | {"row_id": 1, "ocid": "a", "stage": "award", "stage_id": "a-1", "buyer": "X"},
        base | {"row_id": 2, "ocid": "a", "stage": "contract", "stage_id": "c-1", "buyer": "X"},
        # Process b: two contracts, no award items.
        base | {"row_id": 3, "ocid": "b", "stage": "contract", "stage_id": "c-1", "buyer": "Y"},
        base | {"row_id": 4, "ocid": "b", "stage": "contract", "stage_id": "c-2", "buyer": "Y"},
        base | {"row_id": 5, "ocid": "b", "stage": "contract", "stage_id": "c-2", "buyer": "Y"},
        # Process c: flagged only at the tender stage (nothing awarded yet).
        base | {"row_id": 6, "ocid": "c", "stage": "tender", "stage_id": "t", "buyer": "Y"},
    ]
    table = pa.Table.from_pylist(
        flags,
        schema=pa.schema(
            [("row_id", pa.int64())]
            + [(k, pa.string()) for k in ("buyer", "ocid", "stage", "stage_id")]
        ),
    )
    result = summary(ibis.memtable(table)).to_pyarrow().to_pylist()[0]
    assert result["contracts"] == 3
    assert (result["tenders"], result["buyers"], result["flagged_items"]) == (3, 2, 6)
    real = summary(ibis.memtable(pa.Table.from_pylist(sample_flags[0]))).to_pyarrow()
    # Paraguay publishes contract items only; Colombia awards and contracts, one to one.
    assert real.to_pylist()[0]["contracts"] == 13 + 9


def test_a_stored_screening_keeps_the_same_flags_in_the_items_order(ocds_samples, tmp_path):
    from bhrplan.procurement.screening.engine import FLAG_COLUMNS
    from bhrplan.procurement.screening.run import read_flags, run_screening

    store = tmp_path / "store.duckdb"
    result = run_screening([ocds_samples], store)
    # Stored in two steps (hits, then their details), unsorted: the same flags as the
    # one-query screening, in row order.
    con = duckdb.connect()
    build_items([ocds_samples], con)
    expected = screen(ibis.duckdb.from_connection(con).table("items"))
    expected = expected.select(list(FLAG_COLUMNS)).to_pyarrow().to_pylist()
    assert read_flags(store).to_pylist() == expected
    assert len(expected) == result.summary["flags"] == 243
    assert result.coverage["items"] == 1077
    stored = duckdb.connect(str(store), read_only=True)
    stored_order = [r[0] for r in stored.execute("SELECT row_id FROM flags").fetchall()]
    tables = {r[0] for r in stored.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    stored.close()
    assert stored_order == sorted(stored_order)
    # The items were in a working database beside the store, now gone; no working
    # table is left in the store.
    assert tables == {"flags", "files"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb"]


def test_a_failed_screening_leaves_no_working_database(ocds_samples, tmp_path, monkeypatch):
    from bhrplan.procurement.screening import run

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(run, "coverage", fail)
    with pytest.raises(RuntimeError):
        run.run_screening([ocds_samples], tmp_path / "store.duckdb")
    assert list(tmp_path.iterdir()) == []  # neither the working database nor the store


def test_a_dataset_that_cannot_fit_on_the_disk_is_stopped_before_anything_is_read(
    ocds_samples, tmp_path, monkeypatch
):
    from collections import namedtuple

    from bhrplan.procurement.ocds import pipeline
    from bhrplan.procurement.ocds.errors import ScreeningStopped
    from bhrplan.procurement.screening import run

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(pipeline.shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    staged = []
    monkeypatch.setattr(pipeline, "stage", lambda *args, **kwargs: staged.append(1))
    with pytest.raises(ScreeningStopped) as stopped:
        run.run_screening([ocds_samples], tmp_path / "store.duckdb")
    assert stopped.value.problem.code == "disk_too_small"
    assert stopped.value.problem.params == {"needed": 1, "free": 0}
    assert staged == [] and list(tmp_path.iterdir()) == []
    assert run.stopped_problem(stopped.value) is stopped.value.problem
    assert stopped.value.problem.message("es").startswith(
        "El servidor no tiene espacio libre suficiente en disco"
    )


def test_the_disk_check_counts_the_copy_a_big_package_needs(tmp_path, monkeypatch):
    import json
    from collections import namedtuple

    from bhrplan.procurement.ocds import pipeline
    from bhrplan.procurement.ocds.errors import ScreeningStopped
    from bhrplan.procurement.ocds.sources import expand_paths
    from bhrplan.procurement.tests.conftest import release

    releases = [release(f"ocds-abc-{n}", tender={"title": "x" * 200}) for n in range(200)]
    lines = tmp_path / "releases.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in releases))
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"version": "1.1", "releases": releases}, indent=1))
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 1024)  # both files are big
    staging = lines.stat().st_size // 2  # the lowest estimate of the staging alone
    usage = namedtuple("usage", "total used free")
    free = staging + 10
    monkeypatch.setattr(pipeline.shutil, "disk_usage", lambda path: usage(free, 0, free))
    pipeline._check_disk(expand_paths([lines]), tmp_path)  # fits
    with pytest.raises(ScreeningStopped):  # the package's copy on top of it does not
        pipeline._check_disk(expand_paths([package]), tmp_path)
    free = package.stat().st_size * 2
    pipeline._check_disk(expand_paths([package]), tmp_path)


@pytest.mark.parametrize("package", [True, False], ids=["streamed package", "json lines"])
def test_a_disk_that_fills_while_staging_stops_the_screening_not_one_file(
    tmp_path, monkeypatch, package
):
    import errno
    import json

    from bhrplan.procurement.ocds import pipeline
    from bhrplan.procurement.screening import run
    from bhrplan.procurement.tests.conftest import release

    path = tmp_path / "data" / ("p.json" if package else "r.jsonl")
    path.parent.mkdir()
    if package:
        path.write_text(json.dumps({"releases": [release()]}))
    else:
        path.write_text(json.dumps(release() | {"version": "1.1"}) + "\n")

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline._Stager, "flush", full)
    with pytest.raises(OSError) as raised:
        run.run_screening([path.parent], tmp_path / "out" / "store.duckdb")
    assert run.stopped_problem(raised.value).code == "disk_full"
    assert list((tmp_path / "out").iterdir()) == []  # no staging, no store left


def test_why_a_screening_stopped_is_told_without_programmers_words():
    from concurrent.futures.process import BrokenProcessPool

    import duckdb

    from bhrplan.procurement.screening.run import stopped_problem

    assert stopped_problem(MemoryError()).code == "out_of_memory"
    assert stopped_problem(duckdb.OutOfMemoryException("x")).code == "out_of_memory"
    assert stopped_problem(duckdb.IOException("No space left on device")).code == "disk_full"
    assert stopped_problem(BrokenProcessPool("gone")).code == "worker_stopped"
    other = stopped_problem(KeyError("tender"))
    assert (other.code, other.params) == ("unexpected", {"reason": "KeyError: 'tender'"})
    assert other.message("es").startswith(
        "Un error inesperado detuvo el análisis (detalle técnico: KeyError"
    )
