"""Publishing the cross-association table: fixed periods published once, the contributor rule and
the headline, on fact rows written directly (the statistics job's output), two associations:
ACPE (the admin's) and IED (the other)."""

import itertools
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.statistics.audit import bounds
from reports.statistics.models import PublishedStatistics, StatisticsFact
from reports.statistics.publication import Period, build
from reports.statistics.suppression import with_margins
from tests.factories import CourtOfAppealFactory, PlatformFactory

from .conftest import release_failures

pytestmark = pytest.mark.django_db
PUBLISH = "/statistiques/publications/"
_ids = itertools.count(10_000_000)


@pytest.fixture(autouse=True)
def _in_march_2025():
    with time_machine.travel(datetime(2025, 3, 10, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def courts():
    return [CourtOfAppealFactory(name=name) for name in ("Agen (test)", "Bastia (test)", "Colmar (test)")]


def procedures(association, court, month: date, count: int, *, minors: bool = False) -> None:
    """`count` procedures, each about a victim of its own."""
    StatisticsFact.objects.bulk_create(
        StatisticsFact(
            procedure_id=(pk := next(_ids)),
            association=association,
            parquet_id=1,
            court_of_appeal=court,
            month=month,
            stage="investigation",
            outcome="pending",
            victims=[pk],
            minor_victims=[pk] if minors else [],
        )
        for _ in range(count)
    )


def background(association, other_association, courts, year=2024):
    """Large counts of both associations elsewhere, so only the cells under test are small."""
    for court, month in itertools.product(courts[1:], (1, 2, 3)):
        procedures(association, court, date(year, month, 1), 12)
        procedures(other_association, court, date(year, month, 1), 9)
    for month in (2, 3):
        procedures(association, courts[0], date(year, month, 1), 15)


def publish(client, year, quarter="", **extra):
    return client.post(PUBLISH, {"title": "Chiffres", "annee": year, "trimestre": quarter, "confirm": "on", **extra})


def cell(figures, court, month_label):
    table = figures["table"]
    return table["values"][table["rows"].index(court.name)][table["columns"].index(month_label)]


def test_a_period_is_published_once_and_publishing_it_again_returns_the_same_release(
    client, association_admin, association, other_association, courts
):
    """Attack (a): releases of the same months at different times subtract into exact counts."""
    background(association, other_association, courts)
    client.force_login(association_admin)
    first = publish(client, 2024, 1)
    release = PublishedStatistics.objects.get()
    assert first.status_code == 302 and release.period == "2024-T1"
    assert (release.month_from, release.month_to) == (date(2024, 1, 1), date(2024, 3, 1))
    procedures(other_association, courts[0], date(2024, 1, 1), 1)  # imported since
    again = publish(client, 2024, 1)
    assert again.url == reverse("statistics_publication", args=[release.pk])
    assert PublishedStatistics.objects.get().figures == release.figures


def test_a_year_overlapping_a_published_quarter_is_refused(
    client, association_admin, association, other_association, courts
):
    background(association, other_association, courts)
    client.force_login(association_admin)
    publish(client, 2024, 1)
    response = publish(client, 2024)
    assert response.status_code == 400
    assert "1er trimestre 2024 est déjà publié" in response.content.decode()
    assert PublishedStatistics.objects.count() == 1


def test_the_database_refuses_overlapping_periods_and_filtered_periods(association):
    fields = {"title": "x", "threshold": 5, "figures": {}}
    PublishedStatistics.objects.create(period="2024", month_from=date(2024, 1, 1), month_to=date(2024, 12, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedStatistics.objects.create(
            period="2024-T3", month_from=date(2024, 7, 1), month_to=date(2024, 9, 1), **fields
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedStatistics.objects.create(
            period="2023",
            month_from=date(2023, 1, 1),
            month_to=date(2023, 12, 1),
            platform=PlatformFactory(name="filtre.example"),
            **fields,
        )


def test_arbitrary_month_ranges_and_platforms_are_not_publishable(
    client, association_admin, association, other_association, courts
):
    """Attack (a) and the filtered table of attack (e): the form knows only a year and a quarter."""
    background(association, other_association, courts)
    client.force_login(association_admin)
    publish(client, 2024, 1, du="2024-01", au="2024-02", plateforme="1")
    release = PublishedStatistics.objects.get()
    assert (release.month_from, release.month_to, release.platform) == (date(2024, 1, 1), date(2024, 3, 1), None)


def test_a_period_not_yet_over_is_not_published(client, association_admin):
    client.force_login(association_admin)
    response = publish(client, 2025, 1)
    assert response.status_code == 400
    assert "Seule une période terminée" in response.content.decode()
    assert not PublishedStatistics.objects.exists()


def test_only_admins_publish(client, owner):
    client.force_login(owner)
    assert publish(client, 2024, 1).status_code == 403


def test_an_association_cannot_subtract_its_own_figures_from_a_published_cell(association, other_association, courts):
    """Attack (b): ACPE learnt IED's 2 as the published 5 minus its own 3."""
    background(association, other_association, courts)
    procedures(association, courts[0], date(2024, 1, 1), 3)
    procedures(other_association, courts[0], date(2024, 1, 1), 2)
    figures = build(Period(2024, 1))
    assert cell(figures, courts[0], "01/2024") is None
    _assert_acpe_cannot_narrow(figures, association, other_association, courts, own=3)
    assert release_failures(figures) == []
    row = figures["table"]["rows"].index(courts[0].name)
    figures["table"]["values"][row][0] = 5  # what the old rule published
    assert {protection.attacker for protection, _low, _high in release_failures(figures)} >= {
        association.pk,
        other_association.pk,
    }


def test_padding_a_cell_does_not_reveal_the_other_associations_one(association, other_association, courts):
    """Attack (c): importing 4 procedures turned « < 5 » into 5 and revealed the other's 1."""
    background(association, other_association, courts)
    procedures(association, courts[0], date(2024, 1, 1), 4)
    procedures(other_association, courts[0], date(2024, 1, 1), 1)
    figures = build(Period(2024, 1))
    assert cell(figures, courts[0], "01/2024") is None
    _assert_acpe_cannot_narrow(figures, association, other_association, courts, own=4)
    assert release_failures(figures) == []


def _assert_acpe_cannot_narrow(figures, association, other_association, courts, *, own):
    """The issue's solver run as ACPE on the stored release: IED's part of the cell stays
    anywhere in [0, 4]."""
    table = figures["table"]
    published = table["values"]
    masked = {(i, j) for i, row in enumerate(published) for j, value in enumerate(row) if value is None}
    mine = [
        [
            StatisticsFact.objects.filter(
                association=association, court_of_appeal__name=name, month=date(2024, int(label[:2]), 1)
            ).count()
            for label in table["columns"]
        ]
        for name in table["rows"]
    ]
    everyone = [
        [
            StatisticsFact.objects.filter(court_of_appeal__name=name, month=date(2024, int(label[:2]), 1)).count()
            for label in table["columns"]
        ]
        for name in table["rows"]
    ]
    values = with_margins(everyone)
    assert all(published[i][j] in (None, values[i][j]) for i, row in enumerate(values) for j, _ in enumerate(row))
    row = table["rows"].index(courts[0].name)
    low, high = bounds(values, masked, (row, 0), with_margins(mine))
    assert low <= own and high >= own + 4


def test_the_headline_never_prints_a_masked_total(client, association_admin, association, other_association, courts):
    """Attack (d): the table masked its grand total and the headline printed it."""
    procedures(association, courts[0], date(2024, 4, 1), 6, minors=True)
    procedures(other_association, courts[0], date(2024, 5, 1), 1, minors=True)
    client.force_login(association_admin)
    publish(client, 2024, 2)
    release = PublishedStatistics.objects.get()
    assert release.figures["table"]["values"][-1][-1] is None
    assert release.figures["headline"] == {"procedures": None, "victims": None, "minor_victims": None}
    page = client.get(reverse("statistics_publication", args=[release.pk])).content.decode()
    assert "<dd>7</dd>" not in page
    assert page.count("<dd>s</dd>") == 3


def test_the_headline_shows_the_total_the_table_shows(
    client, association_admin, association, other_association, courts
):
    background(association, other_association, courts)
    client.force_login(association_admin)
    publish(client, 2024, 1)
    figures = PublishedStatistics.objects.get().figures
    total = StatisticsFact.objects.filter(month__range=(date(2024, 1, 1), date(2024, 3, 1))).count()
    assert figures["table"]["values"][-1][-1] == total
    assert figures["headline"]["procedures"] == total
    assert figures["headline"]["victims"] == total


def test_every_member_who_sees_figures_reads_a_release_and_an_outsider_reads_their_own_list(
    client, association_admin, owner, association, other_association, courts
):
    background(association, other_association, courts)
    client.force_login(association_admin)
    publish(client, 2024, 1)
    release = PublishedStatistics.objects.get()
    client.force_login(owner)
    page = client.get(reverse("statistics_publication", args=[release.pk]))
    assert page.status_code == 200
    assert "1er trimestre 2024" in page.content.decode()
    listing = client.get(PUBLISH)
    assert listing.status_code == 200 and listing.context["form"] is None


def test_releases_made_under_the_old_rule_are_no_longer_served(client, owner):
    """Arbitrary ranges masked by the one-masked-value rule: the solver recovered counts from them."""
    legacy = PublishedStatistics.objects.create(
        title="Ancienne", month_from=date(2022, 1, 1), month_to=date(2022, 2, 1), threshold=5, figures={}
    )
    client.force_login(owner)
    assert legacy not in client.get(PUBLISH).context["publications"]
    assert client.get(reverse("statistics_publication", args=[legacy.pk])).status_code == 404


def test_the_publication_form_offers_a_year_and_a_quarter_and_no_month_range_nor_platform(client, association_admin):
    client.force_login(association_admin)
    page = client.get(PUBLISH)
    assert set(page.context["form"].fields) == {"title", "annee", "trimestre", "confirm"}
    html = page.content.decode()
    assert "Année entière" in html and "4e trimestre" in html
    assert 'name="plateforme"' not in html and 'name="du"' not in html
