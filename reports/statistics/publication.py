"""The cross-association aggregate: every association's fact rows, masked (suppression.py) before
anything is stored or shown. Rows: courts of appeal; columns: years of opening."""

from django.conf import settings
from django.db import connection

from cases.models import CourtOfAppeal

from . import figures, suppression
from .sql import FACT


def threshold() -> int:
    return getattr(settings, "STATISTICS_K_THRESHOLD", 5)


def _grid(flt: figures.StatisticsFilter):
    where, _category_where, params = figures._where(flt)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT court_of_appeal_id, extract(year FROM month)::int, count(*) FROM {FACT} "  # noqa: S608
            f"WHERE {where} AND month IS NOT NULL GROUP BY 1, 2",
            params,
        )
        procedures = {(row[0], row[1]): int(row[2]) for row in cursor.fetchall()}
        victims_sql = (
            "SELECT court_of_appeal_id, extract(year FROM month)::int, count(DISTINCT v), "  # noqa: S608 - constants
            "GROUPING(court_of_appeal_id), GROUPING(extract(year FROM month)::int) "
            f"FROM {FACT}, unnest(victims) AS v WHERE {where} AND month IS NOT NULL "
            "GROUP BY GROUPING SETS ((court_of_appeal_id, extract(year FROM month)::int), (court_of_appeal_id), "
            "(extract(year FROM month)::int), ())"
        )
        cursor.execute(victims_sql, params)
        victims = {}
        for coa, year, count, g_coa, g_year in cursor.fetchall():
            victims[(None if g_coa else coa, None if g_year else year)] = int(count)
    return procedures, victims


def build(flt: figures.StatisticsFilter) -> dict:
    """The figures to publish, already masked: JSON-ready, without any masked value."""
    k = threshold()
    procedures, victims = _grid(flt)
    courts = sorted({coa for coa, _year in procedures})
    years = sorted({year for _coa, year in procedures})
    names = dict(CourtOfAppeal.objects.filter(pk__in=courts).values_list("pk", "name"))
    inner = [[procedures.get((coa, year), 0) for year in years] for coa in courts]
    inner_victims = [[victims.get((coa, year), 0) for year in years] for coa in courts]
    table = None
    if courts and years:
        masked = suppression.suppress(
            inner,
            threshold=k,
            victims=inner_victims,
            margin_victims=(
                [victims.get((coa, None), 0) for coa in courts],
                [victims.get((None, year), 0) for year in years],
                victims.get((None, None), 0),
            ),
        )
        table = {
            "rows": [names.get(coa, str(coa)) for coa in courts],
            "columns": [str(year) for year in years],
            "values": masked.published(),
            "marks": masked.marks(),
        }
    totals = figures.compute_rows(flt)[("total", "")]
    headline = {}
    for name in ("procedures", "victims", "minor_victims"):
        value = totals[name]
        headline[name] = value if value >= k else None
    return {"threshold": k, "headline": headline, "table": table}
