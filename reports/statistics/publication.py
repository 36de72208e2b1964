"""The cross-association aggregate of one fixed period (a calendar year or a quarter), masked
(suppression.py) before anything is stored or shown. Rows: courts of appeal; columns: the months
of the period; with row totals, column totals and the grand total.

Fixed periods, each published once (models.PublishedStatistics): releases of arbitrary month
ranges subtracted into 141 exact court × month counts (attack (a) of the issue), and a filter
(a platform) made tables whose differences with the unfiltered one gave cells exactly. Only
closed periods are published, so a period's figures are final when they are frozen."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from cases.models import CourtOfAppeal

from . import suppression
from .sql import FACT


def threshold() -> int:
    return getattr(settings, "STATISTICS_K_THRESHOLD", 5)


@dataclass(frozen=True)
class Period:
    """A calendar year (quarter None) or one of its quarters (1–4)."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, key: str) -> "Period":
        """'2023' or '2023-T2', the key stored on a publication."""
        year, _sep, quarter = key.partition("-T")
        return cls(int(year), int(quarter) if quarter else None)

    @property
    def key(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-T{self.quarter}"

    @property
    def month_from(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def month_to(self) -> date:
        return date(self.year, 12 if self.quarter is None else 3 * self.quarter, 1)

    @property
    def months(self) -> list[date]:
        return [date(self.year, month, 1) for month in range(self.month_from.month, self.month_to.month + 1)]

    @property
    def label(self) -> str:
        if self.quarter is None:
            return _("Année %(year)s") % {"year": self.year}
        ordinal = _("1er") if self.quarter == 1 else _("%(n)se") % {"n": self.quarter}
        return _("%(ordinal)s trimestre %(year)s") % {"ordinal": ordinal, "year": self.year}

    def is_closed(self, today: date) -> bool:
        return (today.year, today.month) > (self.month_to.year, self.month_to.month)


VICTIMS_SQL = (
    "SELECT association_id, court_of_appeal_id, month, count(DISTINCT v), "  # noqa: S608 - constants
    "GROUPING(association_id), GROUPING(court_of_appeal_id), GROUPING(month) "
    f"FROM {FACT}, unnest(victims) AS v WHERE month BETWEEN %(month_from)s AND %(month_to)s "
    "GROUP BY GROUPING SETS ((association_id, court_of_appeal_id, month), (association_id, court_of_appeal_id), "
    "(association_id, month), (association_id), (court_of_appeal_id, month), (court_of_appeal_id), (month), ())"
)


def _grid(period: Period):
    """Procedures by (association, court, month); distinct victims and minor victims by the same
    keys, margins included (people are not additive: the database counts each total)."""
    params = {"month_from": period.month_from, "month_to": period.month_to}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT association_id, court_of_appeal_id, month, count(*) FROM {FACT} "  # noqa: S608 - constants
            "WHERE month BETWEEN %(month_from)s AND %(month_to)s GROUP BY 1, 2, 3",
            params,
        )
        procedures = {(row[0], row[1], row[2]): int(row[3]) for row in cursor.fetchall()}
        cursor.execute(VICTIMS_SQL, params)
        victims = {}
        for association, court, month, count, g_association, g_court, g_month in cursor.fetchall():
            key = (None if g_association else association, None if g_court else court, None if g_month else month)
            victims[key] = int(count)
        cursor.execute(
            f"SELECT association_id, count(DISTINCT v), GROUPING(association_id) FROM {FACT}, "  # noqa: S608
            "unnest(minor_victims) AS v WHERE month BETWEEN %(month_from)s AND %(month_to)s "
            "GROUP BY GROUPING SETS ((association_id), ())",
            params,
        )
        minors = {None if grouped else association: int(count) for association, count, grouped in cursor.fetchall()}
    return procedures, victims, minors


def _headline_value(total: int, parts: dict, k: int) -> int | None:
    """The table's rule for a figure printed alone: masked when the public (the whole value) or
    an association (the value minus its part) would learn a count between 1 and k − 1."""
    others = [total, *(total - part for part in parts.values())]
    return None if any(1 <= value <= k - 1 for value in others) else total


def build(period: Period) -> dict:
    """The figures to publish, already masked: JSON-ready, without any masked value."""
    k = threshold()
    procedures, victims, minors = _grid(period)
    courts_ids = {court for _association, court, _month in procedures}
    names = dict(CourtOfAppeal.objects.filter(pk__in=courts_ids).values_list("pk", "name"))
    courts = sorted(courts_ids, key=lambda pk: (names.get(pk, ""), pk))
    months = period.months
    associations = sorted({association for association, _court, _month in procedures})
    keys_court = [*courts, None]
    keys_month = [*months, None]

    def inner(association):
        return [[procedures.get((association, court, month), 0) for month in months] for court in courts]

    def people(association):
        return [[victims.get((association, court, month), 0) for month in keys_month] for court in keys_court]

    parts = {association: inner(association) for association in associations}
    totals = [[sum(parts[a][i][j] for a in associations) for j in range(len(months))] for i in range(len(courts))]
    table = None
    grand_total = 0
    if courts:
        masked = suppression.suppress(
            totals,
            threshold=k,
            victims=people(None),
            parts=parts,
            victim_parts={association: people(association) for association in associations},
        )
        published = masked.published()
        grand_total = published[-1][-1]
        table = {
            "rows": [names.get(court, str(court)) for court in courts],
            "columns": [f"{month:%m/%Y}" for month in months],
            "values": published,
            "marks": masked.marks(),
        }
    victim_parts = {a: victims.get((a, None, None), 0) for a in associations}
    minor_parts = {a: minors.get(a, 0) for a in associations}
    headline = {
        # The grand total of the table, masked exactly when the table masks it (attack (d)).
        "procedures": grand_total,
        "victims": _headline_value(victims.get((None, None, None), 0), victim_parts, k),
        "minor_victims": _headline_value(minors.get(None, 0), minor_parts, k),
    }
    return {"period": period.key, "threshold": k, "headline": headline, "table": table}
