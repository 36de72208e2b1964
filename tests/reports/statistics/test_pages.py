"""Dashboards, exports, the procedures behind a figure, the API, publications: who sees what,
what is logged, and bad input answered with messages (400), never a 500."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import AccessAction, AccessLog, ApiToken
from procedures.models import Procedure
from reports.statistics.figures import StatisticsFilter, figures_for
from reports.statistics.models import PublishedStatistics, StatisticsRun

from .conftest import raw_rows, release_failures

pytestmark = pytest.mark.django_db
DASHBOARD = "/statistiques/"
API = "/api/v1/statistics/summary"


def logged(user, action):
    return AccessLog.objects.filter(user=user, action=action).count()


@pytest.mark.parametrize("who", ["lawyer", "admin"])
def test_admins_and_lawyers_see_their_associations_dashboard(client, dataset, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    totals = response.context["totals"]
    assert totals["procedures"] == 750
    assert b'id="statistics-data" type="application/json"' in response.content
    assert b"vendor/echarts/echarts.min.js" in response.content
    assert b"<script>" not in response.content  # no inline script
    assert logged(user, AccessAction.VIEW) == 1


def test_staff_do_not_see_figures(client, dataset, staff):
    client.force_login(staff)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(API).status_code == 403


def test_an_outsider_sees_only_their_own_associations_figures(client, dataset, other_admin):
    client.force_login(other_admin)
    response = client.get(DASHBOARD)
    assert response.context["totals"]["procedures"] == 120
    assert client.get(API, {"association": dataset.association.pk}).status_code == 404
    listed = client.get(reverse("statistics_procedures"))
    assert listed.context["page"].paginator.count == 120


def test_a_filtered_dashboard_links_each_figure_to_its_procedures(client, dataset, lawyer):
    client.force_login(lawyer)
    response = client.get(DASHBOARD, {"plateforme": dataset.coco.pk, "du": "2022-01", "categorie": "procuring"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert not figures.from_snapshot
    row = figures.by["parquet"][0]
    listed = client.get(row["url"])
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == row["procedures"]
    month = figures.by["month"][3]
    assert client.get(month["url"]).context["page"].paginator.count == month["procedures"]
    outcome = figures.by["outcome"][0]
    assert client.get(outcome["url"]).context["page"].paginator.count == outcome["procedures"]
    total = client.get(response.context["totals_url"]).context["page"].paginator.count
    assert total == figures.totals["procedures"]


def test_the_cached_parquet_table_follows_the_runs_of_the_job(client, dataset, lawyer):
    """The dashboard's tables are a cached fragment: a second view serves it as it was, a run of
    the job that moves a procedure gives the new counts."""
    import re

    from reports.statistics.compute import statistics_compute

    def parquet_counts():
        content = client.get(DASHBOARD).content.decode()
        table = content[
            content.index('id="parquet-table"') : content.index("</table>", content.index('id="parquet-table"'))
        ]
        cells = re.findall(r'<tr>\s*<td><a[^>]*>[^<]*</a></td>\s*<td>[^<]*</td>\s*<td data-value="(\d+)"', table)
        return sorted(int(value) for value in cells)

    client.force_login(lawyer)
    before = parquet_counts()
    assert sum(before) == 750 and parquet_counts() == before
    procedure = Procedure.objects.filter(association=dataset.association).first()
    other = Procedure.objects.filter(association=dataset.association).exclude(parquet=procedure.parquet_id).first()
    Procedure.objects.filter(pk=procedure.pk).update(parquet=other.parquet_id)
    statistics_compute()
    after = parquet_counts()
    assert sum(after) == 750 and after != before


def test_lawyers_open_the_procedures_admins_do_not(client, dataset, lawyer, admin):
    client.force_login(lawyer)
    procedure = Procedure.objects.filter(association=dataset.association).order_by("-opened_on", "pk").first()
    page = client.get(reverse("statistics_procedures"))
    assert reverse("procedure_detail", args=[procedure.pk]).encode() in page.content
    client.force_login(admin)
    page = client.get(reverse("statistics_procedures"))
    assert reverse("procedure_detail", args=[procedure.pk]).encode() not in page.content
    assert procedure.parquet_reference.encode() not in page.content


@pytest.mark.parametrize(
    "query",
    [
        {"du": "2023-13"},
        {"du": "n'importe quoi"},
        {"du": "2023-05", "au": "2022-01"},
        {"plateforme": "abc"},
        {"categorie": "inconnue"},
        {"cour_appel": "999999"},
    ],
)
def test_bad_filters_are_form_errors_never_a_500(client, dataset, lawyer, query):
    client.force_login(lawyer)
    response = client.get(DASHBOARD, query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get(reverse("statistics_procedures"), query).status_code == 400
    assert client.get(reverse("statistics_export", args=["parquet"]), query).status_code == 400


def test_each_chart_exports_its_data_as_csv_and_the_export_is_logged(client, dataset, admin):
    client.force_login(admin)
    response = client.get(reverse("statistics_export", args=["parquet"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";"))
    expected = {}
    for row in raw_rows(dataset.association.pk):
        expected[str(row.parquet)] = expected.get(str(row.parquet), 0) + 1
    assert {row[0]: int(row[2]) for row in rows[1:]} == expected
    assert logged(admin, AccessAction.EXPORT) == 1
    assert client.get("/statistiques/export/inconnu.csv").status_code == 404


def test_the_api_summary_gives_numbers_within_the_callers_rights(client, dataset, lawyer):
    token_key = "coco_" + "x" * 40
    ApiToken.objects.create(user=lawyer, association=dataset.association, name="t", key_hash=ApiToken.hash(token_key))
    response = client.get(API, HTTP_AUTHORIZATION=f"Bearer {token_key}")
    assert response.status_code == 200
    body = response.json()
    totals = figures_for(StatisticsFilter(dataset.association.pk)).totals
    for name in ("procedures", "parquets", "victims", "minor_victims", "filings"):
        assert body[name] == totals[name]
        assert isinstance(body[name], int)
    assert body["procedures"] == 750
    filtered = client.get(
        API, {"platform": dataset.coco.pk, "offence_category": "procuring"}, HTTP_AUTHORIZATION=f"Bearer {token_key}"
    ).json()
    assert filtered["procedures"] == sum(
        1 for r in raw_rows(dataset.association.pk) if r.platform == dataset.coco.pk and "procuring" in r.categories
    )
    other = client.get(API, {"association": dataset.other_association.pk}, HTTP_AUTHORIZATION=f"Bearer {token_key}")
    assert other.status_code == 404


def test_bad_api_filters_are_400_with_field_messages(client, dataset, lawyer):
    client.force_login(lawyer)
    response = client.get(API, {"from": "2024-02", "to": "2023-01", "platform": "x", "offence_category": "zz"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"platform", "offence_category"} <= set(errors)
    assert client.get(API, {"from": "2024-99"}).json()["errors"]["from"]
    assert "to" in client.get(API, {"from": "2024-02", "to": "2023-01"}).json()["errors"]


def test_the_openapi_schema_documents_the_summary_and_stays_valid():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=out)
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/statistics/summary" in schema["paths"]


def test_an_admin_publishes_a_masked_aggregate_of_every_association(client, dataset, admin, lawyer):
    client.force_login(lawyer)
    form = {"title": "Chiffres 2022", "annee": "2022", "trimestre": "", "confirm": "on"}
    assert client.post(reverse("statistics_publications"), form).status_code == 403
    client.force_login(admin)
    response = client.post(reverse("statistics_publications"), form)
    published = PublishedStatistics.objects.get()
    assert response.status_code == 302
    assert (published.published_by, published.period) == (admin, "2022")
    table = published.figures["table"]
    in_2022 = Procedure.objects.filter(opened_on__year=2022).count()  # both associations
    assert table["values"][-1][-1] in (None, in_2022)
    assert published.figures["headline"]["procedures"] == table["values"][-1][-1]
    for values, marks in zip(table["values"], table["marks"], strict=True):
        for value, mark in zip(values, marks, strict=True):
            assert (value is None) == bool(mark)
    assert any("s" in row for row in table["marks"])
    assert release_failures(published.figures) == []
    assert logged(admin, AccessAction.EXPORT) == 1
    client.force_login(lawyer)
    page = client.get(reverse("statistics_publication", args=[published.pk]))
    assert page.status_code == 200
    assert "secret statistique" in page.content.decode()


def test_only_admins_run_the_job_on_demand(client, dataset, admin, lawyer, django_capture_on_commit_callbacks):
    client.force_login(lawyer)
    assert client.post(reverse("statistics_run")).status_code == 403
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("statistics_run"), {"full": "1"}).status_code == 302
    assert StatisticsRun.objects.order_by("-pk").first().status == "done"  # eager in tests


def test_the_home_panel_shows_the_headline(client, dataset, admin):
    client.force_login(admin)
    response = client.get("/")
    assert "750 procédures" in response.content.decode().replace("\u202f", "").replace("\xa0", "")


def test_the_dashboard_offers_the_parquet_filter_and_applies_it(client, dataset, lawyer):
    from procedures.models import Procedure

    procedure = Procedure.objects.filter(association=dataset.association).first()
    client.force_login(lawyer)
    html = client.get(DASHBOARD).content.decode()
    assert 'name="parquet"' in html and '<label for="id_parquet">Parquet</label>' in html
    response = client.get(DASHBOARD, {"parquet": procedure.parquet_id})
    expected = Procedure.objects.filter(association=dataset.association, parquet=procedure.parquet_id).count()
    assert response.context["figures"].totals["procedures"] == expected
