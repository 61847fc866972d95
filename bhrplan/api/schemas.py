"""Pydantic schemas of the public JSON API (they define the OpenAPI 3 document)."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


class TerritoryOut(Schema):
    code: str
    name: str
    name_en: str
    level: str


class PlanSummaryOut(Schema):
    id: int
    title: str
    title_en: str
    territory: TerritoryOut
    start_date: date
    end_date: date
    status: str
    currency: str
    is_sample: bool
    latest_version: int


class OrganizationOut(Schema):
    id: int
    name: str
    name_en: str
    acronym: str


class ScreeningFiguresOut(Schema):
    """Aggregate figures of a cited procurement screening (no supplier, buyer or item)."""

    dataset_name: str
    screened_on: date | None
    processes_screened: int | None
    flagged_processes: int | None
    flagged_share: str | None  # flagged processes per 100 screened, one decimal
    flagged_buyers: int | None
    flagged_contracts: int | None


class IndicatorOut(Schema):
    uid: UUID
    name: str
    name_en: str
    unit: str
    direction: str
    baseline_value: str | None
    baseline_year: int | None
    target_value: str | None
    target_year: int | None
    data_source: str
    # An indicator that takes a figure from a cited screening: which one and its value.
    screening_metric: str
    screening_figure: str | None


class ActionOut(Schema):
    uid: UUID
    code: str
    title: str
    title_en: str
    description: str
    description_en: str
    kind: str
    lead: OrganizationOut | None
    co_responsible: list[OrganizationOut]
    provisions: list[str]
    themes: list[str]
    approaches: list[str]
    start_date: date | None
    end_date: date | None
    budget: str | None
    indicators: list[IndicatorOut]
    screenings: list[ScreeningFiguresOut]


class ObjectiveOut(Schema):
    uid: UUID
    code: str
    title: str
    title_en: str
    actions: list[ActionOut]


class GuidelineOut(Schema):
    uid: UUID
    code: str
    title: str
    title_en: str
    objectives: list[ObjectiveOut]


class VersionOut(Schema):
    number: int
    published_at: datetime | None
    note: str


class PlanDetailOut(PlanSummaryOut):
    description: str
    description_en: str
    legal_instrument: str
    version: VersionOut
    guidelines: list[GuidelineOut]


class PrincipleOut(Schema):
    code: str
    number: str
    pillar: int | None
    pillar_es: str
    pillar_en: str
    section_es: str
    section_en: str
    title_es: str
    title_en: str


class SdgTargetOut(Schema):
    code: str
    number: str
    title_es: str
    title_en: str


class SdgGoalOut(SdgTargetOut):
    targets: list[SdgTargetOut]


class ErrorOut(Schema):
    detail: str
