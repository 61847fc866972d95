"""Reads: who may screen, screening metadata, and aggregates from the result store."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import duckdb
from django.db.models import Q, QuerySet

from bhrplan.accounts.models import Role
from bhrplan.procurement.models import Screening
from bhrplan.territories.models import Territory


def can_screen(user: Any) -> bool:
    """Screening is for signed-in plan coordinators (procurement work sits with them)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(user=user, kind=Role.Kind.COORDINATOR).exists()


def coordinated_territories(user: Any) -> QuerySet[Territory]:
    """Territories the user coordinates, with their sub-territories (two levels down).

    Written here because accounts.selectors.territories_coordinated_by builds its filter
    on `pk__parent__in`, which Django rejects (reported to the lead).
    """
    if not getattr(user, "is_authenticated", False):
        return Territory.objects.none()
    if user.is_superuser:
        return Territory.objects.all()
    ids = list(
        Role.objects.filter(
            user=user, kind=Role.Kind.COORDINATOR, territory__isnull=False
        ).values_list("territory_id", flat=True)
    )
    return Territory.objects.filter(
        Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids)
    ).distinct()


def screenings_for(user: Any) -> QuerySet[Screening]:
    """Screenings of datasets in the territories the user coordinates."""
    if not can_screen(user):
        return Screening.objects.none()
    return (
        Screening.objects.filter(dataset__territory__in=coordinated_territories(user))
        .select_related("dataset", "dataset__territory", "created_by")
        .order_by("-created_at")
    )


def screening_for(user: Any, screening_id: int) -> Screening | None:
    return screenings_for(user).filter(pk=screening_id).first()


def screenings_citable(territory: Territory, user: Any) -> QuerySet[Screening]:
    """Finished screenings a plan of `territory` may cite: those of datasets of the
    territory or of its parent territories, among those `user` may see.

    `user=None` is a system write (imports, data loaders): no viewer to restrict by.
    """
    qs = Screening.objects.filter(
        status=Screening.Status.DONE,
        dataset__territory_id__in=territory.ancestors_and_self_ids(),
    )
    if user is not None:
        qs = qs.filter(pk__in=screenings_for(user).values("pk"))
    return qs.select_related("dataset").order_by("-finished_at", "-pk")


GROUPINGS = {"category": "category", "buyer": "buyer", "supplier": "suppliers"}


def _query(store: str, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if not store or not Path(store).is_file():
        return []
    con = duckdb.connect(store, read_only=True)
    try:
        table = con.sql(sql, params=params or None).to_arrow_table()
    finally:
        con.close()
    return table.to_pylist()


class ResultRows:
    """The rows of a query over a screening's results, read a page at a time: Django's
    Paginator counts them, then slices the page it shows (a national screening has
    hundreds of thousands of flagged processes and tens of thousands of suppliers)."""

    def __init__(self, store: str, select: str, source: str, params: dict[str, Any]) -> None:
        self.store, self.select, self.source, self.params = store, select, source, params
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            sql = f"SELECT count(*) AS n FROM ({self.source})"  # noqa: S608 - built here
            rows = _query(self.store, sql, self.params)
            self._count = int(rows[0]["n"]) if rows else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        sql = f"{self.select} LIMIT {max(0, stop - start):d} OFFSET {start:d}"
        return _query(self.store, sql, self.params)


def flags_grouped(screening: Screening, by: str) -> ResultRows:
    """Flag counts per category, buyer or supplier (missing values grouped as None), the
    groups with the most flagged items first."""
    column = GROUPINGS[by]
    source = f"SELECT DISTINCT {column} FROM flags"  # noqa: S608 - fixed column
    select = (
        f"SELECT {column} AS label, count(DISTINCT row_id) AS items, "  # noqa: S608
        "count(DISTINCT ocid) AS tenders FROM flags GROUP BY 1 ORDER BY items DESC, label"
    )
    return ResultRows(screening.store, select, source, {})


@dataclass(frozen=True)
class FlagView:
    """What the screening page shows: the flags of one group when `by` and `value` are
    given, and of the processes whose OCID, title, buyer or suppliers hold `text`,
    whatever its case and accents, when given. The downloads hold the same flags."""

    by: str = "category"
    value: str = ""
    text: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.value or self.text.strip())

    def where(self) -> tuple[str, dict[str, Any]]:
        """The view as an SQL WHERE clause over `flags`, and its parameters."""
        conditions, params = [], {}
        if self.by in GROUPINGS and self.value:
            conditions.append(f"{GROUPINGS[self.by]} = $value")
            params["value"] = self.value
        if self.text.strip():
            params["text"] = self.text.strip()
            conditions.append(
                "(lower(ocid) = lower($text) OR "
                + " OR ".join(
                    f"contains(strip_accents(lower({c})), strip_accents(lower($text)))"
                    for c in ("tender_title", "buyer", "suppliers")
                )
                + ")"
            )
        return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


def results_available(screening: Screening) -> bool:
    """Whether a finished screening's results are still on the server."""
    return bool(screening.store) and Path(screening.store).is_file()


def view_flag_count(screening: Screening, view: FlagView) -> int:
    """How many flags the view holds (0 when the results are no longer on disk)."""
    where, params = view.where()
    rows = _query(screening.store, f"SELECT count(*) AS n FROM flags {where}", params)  # noqa: S608
    return int(rows[0]["n"]) if rows else 0


def flagged_tenders(screening: Screening, view: FlagView) -> ResultRows:
    """The flagged processes of the view, those with the most flagged items first."""
    where, params = view.where()
    select = (
        "SELECT ocid, any_value(buyer) AS buyer, any_value(tender_title) AS title, "  # noqa: S608
        "list(DISTINCT category ORDER BY category) AS categories, "
        f"count(DISTINCT row_id) AS items FROM flags {where} GROUP BY ocid "
        "ORDER BY items DESC, ocid"
    )
    source = f"SELECT DISTINCT ocid FROM flags {where}"  # noqa: S608
    return ResultRows(screening.store, select, source, params)


def tender_flags(screening: Screening, ocid: str) -> list[dict[str, Any]]:
    return _query(
        screening.store,
        "SELECT * FROM flags WHERE ocid = $ocid ORDER BY row_id, category",
        {"ocid": ocid},
    )
