"""Distinct persons among the suspects, per parquet: suspects a lawyer judged to be one person
(linking's clusters, from live `same` decisions) count once, across procedures and cases; the
others count as themselves. Computed on the spot from the fact rows (their suspects' ids) and the
current cluster memberships, kept in the cache until either changes."""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import Max

from linking.models import ClusterMembership, Person

from .figures import FILTERED_TIMEOUT, Figures, StatisticsFilter, _where, facts_version
from .sql import FACT

PERSONS_SQL = f"""
WITH appearances AS (
    SELECT parquet_id, suspect_id FROM {FACT} CROSS JOIN LATERAL unnest(suspects) AS s (suspect_id)
    WHERE {{where}}
)
SELECT GROUPING(a.parquet_id) = 1 AS total, a.parquet_id,
       count(DISTINCT coalesce(m.cluster, -a.suspect_id))
FROM appearances a
LEFT JOIN {Person._meta.db_table} p ON p.suspect_id = a.suspect_id
LEFT JOIN {ClusterMembership._meta.db_table} m ON m.person_id = p.id AND m.valid_to IS NULL
GROUP BY ROLLUP (a.parquet_id)
"""  # noqa: S608 - table names from the models, the filter's values are parameters


def clusters_version(association_id: int | None) -> int:
    """Any change of a cluster closes a membership and opens one: the newest row names the state."""
    return ClusterMembership.objects.filter(association_id=association_id).aggregate(last=Max("pk"))["last"] or 0


def distinct_persons(flt: StatisticsFilter) -> dict[str, int]:
    """{parquet id as text: distinct persons}, the key "" for all parquets together."""
    if flt.association_id is None:
        return {}
    state = (facts_version(), clusters_version(flt.association_id), flt)
    key = "statistics:persons:" + hashlib.sha256(repr(state).encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        where, _category_where, params = _where(flt)
        with connection.cursor() as cursor:
            cursor.execute(PERSONS_SQL.format(where=where), params)
            counts = {"" if total else str(parquet or ""): count for total, parquet, count in cursor.fetchall()}
        cache.set(key, counts, FILTERED_TIMEOUT)
    return counts


def with_persons(figures: Figures) -> Figures:
    counts = distinct_persons(figures.filter)
    figures.totals["persons"] = counts.get("", 0)
    for item in figures.by.get("parquet", []):
        item["persons"] = counts.get(item["key"], 0)
    return figures
