"""DeferredJoinPaginator: the page's ids first from the narrow rows, then those rows with their
joins; the same rows in the same order as a plain slice, for any page size and orphans."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.pagination import DeferredJoinPaginator
from procedures.models import Procedure
from tests.factories import CaseFactory, ParquetFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures():
    case = CaseFactory()
    parquets = [ParquetFactory() for _ in range(3)]
    # Ties on opened_on: the id decides, as in the API's ordering.
    for n in range(11):
        ProcedureFactory(case=case, parquet=parquets[n % 3], opened_on=f"2024-0{1 + n % 4}-01")
    return Procedure.objects.filter(case=case).select_related("parquet").order_by("opened_on", "id")


# The rows are only read: one set for every example.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_page=st.integers(1, 12), orphans=st.integers(0, 3), number=st.integers(1, 12))
def test_each_page_holds_the_rows_of_a_plain_slice_in_order(procedures, per_page, orphans, number):
    deferred = DeferredJoinPaginator(procedures, per_page, orphans=orphans)
    plain = DeferredJoinPaginator(list(procedures), per_page, orphans=orphans)
    assert deferred.num_pages == plain.num_pages
    if number <= plain.num_pages:
        assert [p.pk for p in deferred.page(number)] == [p.pk for p in plain.page(number)]


def test_the_joined_rows_are_read_by_id_only(procedures):
    paginator = DeferredJoinPaginator(procedures, 4)
    paginator.count  # noqa: B018 - counted apart, as the API does
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(2)
        parquet_names = [procedure.parquet.name for procedure in page]
    ids_query, rows_query = (query["sql"] for query in queries.captured_queries)
    assert "JOIN" not in ids_query and "OFFSET 4" in ids_query
    assert "JOIN" in rows_query and "OFFSET" not in rows_query and '"id" IN (' in rows_query
    assert len(parquet_names) == 4
