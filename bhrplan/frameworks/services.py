"""Load the reference catalogs from the data files shipped in `frameworks/data/`."""

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from bhrplan.frameworks.models import Approach, Framework, Provision, Theme

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadResult:
    principles: int
    goals: int
    targets: int
    themes: int
    approaches: int


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_yaml(lang: str, name: str) -> dict[str, str]:
    with (DATA_DIR / "sdg" / lang / name).open(encoding="utf-8") as fh:
        return {str(k): str(v) for k, v in yaml.safe_load(fh).items()}


def _sdg_sort_key(number: str) -> str:
    goal, _, target = number.partition(".")
    return f"{int(goal):02d}" + (
        f".{int(target):02d}" if target.isdigit() else f".{target}" if target else ""
    )


@transaction.atomic
def catalogs_load() -> LoadResult:
    """Create or update every catalog row; running it again changes nothing."""
    ungp, _ = Framework.objects.update_or_create(
        code="ungp",
        defaults={
            "name_es": "Principios Rectores sobre las Empresas y los Derechos Humanos",
            "name_en": "UN Guiding Principles on Business and Human Rights",
            "source": "UN OHCHR, HR/PUB/11/04 (2011)",
        },
    )
    titles = {row["number"]: row for row in _read_csv("ungp_titles.csv")}
    for row in _read_csv("ungp_structure.csv"):
        number = row["number"]
        Provision.objects.update_or_create(
            code=f"UNGP-{number}",
            defaults={
                "framework": ungp,
                "number": number,
                "kind": Provision.Kind.PRINCIPLE,
                "parent": None,
                "pillar": int(row["pillar"]),
                "pillar_es": row["pillar_es"],
                "pillar_en": row["pillar_en"],
                "section_es": row["section_es"] or row["part_es"],
                "section_en": row["section_en"] or row["part_en"],
                "title_es": titles[number]["title_es"],
                "title_en": titles[number]["title_en"],
                "sort_key": f"{int(number):02d}",
            },
        )

    sdg, _ = Framework.objects.update_or_create(
        code="sdg",
        defaults={
            "name_es": "Objetivos de Desarrollo Sostenible",
            "name_en": "Sustainable Development Goals",
            "source": "open-sdg/sdg-translations (MIT)",
        },
    )
    goals = {lang: _read_yaml(lang, "global_goals.yml") for lang in ("es", "en")}
    targets = {lang: _read_yaml(lang, "global_targets.yml") for lang in ("es", "en")}
    goal_rows: dict[str, Provision] = {}
    for key in goals["en"]:
        if not key.endswith("-title"):
            continue
        number = key.removesuffix("-title")
        goal_rows[number], _ = Provision.objects.update_or_create(
            code=f"SDG-{number}",
            defaults={
                "framework": sdg,
                "number": number,
                "kind": Provision.Kind.GOAL,
                "parent": None,
                "title_es": goals["es"].get(key, goals["en"][key]),
                "title_en": goals["en"][key],
                "section_es": goals["es"].get(f"{number}-short", ""),
                "section_en": goals["en"].get(f"{number}-short", ""),
                "sort_key": _sdg_sort_key(number),
            },
        )
    target_count = 0
    for key in targets["en"]:
        if not key.endswith("-title"):
            continue
        goal, target = key.removesuffix("-title").split("-", 1)
        number = f"{goal}.{target}"
        Provision.objects.update_or_create(
            code=f"SDG-{number}",
            defaults={
                "framework": sdg,
                "number": number,
                "kind": Provision.Kind.TARGET,
                "parent": goal_rows[goal],
                "title_es": targets["es"].get(key, targets["en"][key]),
                "title_en": targets["en"][key],
                "sort_key": _sdg_sort_key(number),
            },
        )
        target_count += 1

    for position, row in enumerate(_read_csv("themes.csv")):
        Theme.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "label_es": row["label_es"],
                "label_en": row["label_en"],
                "position": position,
            },
        )
    for position, row in enumerate(_read_csv("approaches.csv")):
        Approach.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "label_es": row["label_es"],
                "label_en": row["label_en"],
                "position": position,
            },
        )
    return LoadResult(
        principles=Provision.objects.ungp_principles().count(),
        goals=len(goal_rows),
        targets=target_count,
        themes=Theme.objects.count(),
        approaches=Approach.objects.count(),
    )
