"""A large case's dossier, on a small case with the thresholds lowered: summaries in the body,
the full lists as annexes cut into chunks through storage, the estimate on the request form, a
bar that moves during long steps, and « Relancer » after a failure. The same at the real scale
is tests/reports/test_dossier_reference.py."""

import re
import time
from datetime import date, timedelta

import pytest
from django.urls import reverse

from procedures.models import Event, Procedure
from reports import services
from reports.estimate import default_sections, dossier_estimate
from reports.models import Dossier, DossierStatus
from reports.workflow import Run
from tests.factories import ParquetFactory
from tests.reports.conftest import outline, read_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, owner, case, media_root):
    settings.DOSSIER_SUMMARY_PROCEDURES = 5
    settings.DOSSIER_CHUNK_ROWS = 12
    settings.DOSSIER_PASS_ROWS = 20
    parquets = [ParquetFactory(name=f"Parquet de Ville-{letter} (test)") for letter in "ABC"]
    for index in range(30):
        procedure = Procedure.objects.create(
            case=case, parquet=parquets[index % 3], parquet_reference=f"24/{index:04d}", opened_on=date(2024, 1, 1)
        )
        Event.objects.create(
            case=case,
            procedure=procedure,
            kind="procedure_opened",
            occurred_on=date(2024, 1, 1) + timedelta(days=index),
            title=f"Ouverture n° 24/{index:04d}",
        )
    return case


def test_a_large_case_prints_summaries_and_its_full_lists_as_chunked_annexes(owner, large):
    dossier = services.dossier_request(user=owner, case=large, recipient="Greffe", sections=default_sections(large))
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error
    assert dossier.chunks.count() >= 3 and not dossier.chunks.exclude(file="").exists()
    reader, _data = read_pdf(dossier)
    titles = [title for depth, title, page in outline(reader) if depth == 0]
    assert "Annexe 1 — Liste des procédures" in titles and "Annexe 2 — Chronologie complète" in titles
    assert "Prescription de l’action publique" in titles
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "30 procédures ouvertes par 3 parquets" in text
    # Every procedure once in the annex, every step once in the full timeline.
    for index in range(30):
        assert text.count(f"24/{index:04d} · 01/01/2024") == 1, index
        assert text.count(f"Ouverture n° 24/{index:04d}") >= 1
    assert dossier_estimate(large, dossier.sections).pages >= dossier.pages // 2


def test_the_request_form_shows_the_estimate_before_anything_is_queued(client, owner, large):
    client.force_login(owner)
    page = client.get(reverse("dossier_request", args=[large.pk])).content.decode()
    estimate = dossier_estimate(large)
    assert f"environ {estimate.pages} pages, environ {estimate.minutes} minute" in page
    assert 'id="dossier-estimate"' in page and "listes complètes sont en annexes" in page
    assert not Dossier.objects.exists()


def test_a_small_case_defaults_to_no_annex_and_says_its_estimate(client, owner, case):
    client.force_login(owner)
    page = client.get(reverse("dossier_request", args=[case.pk])).content.decode()
    assert dossier_estimate(case).text in page
    ticked = set(re.findall(r'value="(\w+)"[^>]*checked', page))
    assert "summary" in ticked and "annex_procedures" not in ticked and 'value="annex_procedures"' in page
    assert "annex_procedures" not in default_sections(case)


def test_a_failed_large_dossier_says_why_and_relancer_renders_it(client, owner, large, settings):
    settings.DOSSIER_MAX_PAGES = 3
    dossier = services.dossier_request(user=owner, case=large, recipient="Greffe", sections=default_sections(large))
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FAILED and "limite" in dossier.error
    client.force_login(owner)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    assert "Relancer" in page and "limite" in page
    settings.DOSSIER_MAX_PAGES = 2000
    assert client.post(reverse("dossier_retry", args=[dossier.pk])).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.QUEUED and not dossier.chunks.exists()
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error


@pytest.mark.django_db(transaction=True)
def test_the_bar_moves_during_a_long_step_and_never_past_its_ceiling(owner, case, settings):
    settings.DOSSIER_TICK_SECONDS = 0.05
    dossier = services.dossier_request(user=owner, case=case, recipient="Greffe", sections=["summary"])
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RENDERING, progress=10, attempt=1)
    dossier.refresh_from_db()
    with Run(dossier).ticking(14):
        time.sleep(0.6)
    dossier.refresh_from_db()
    assert dossier.progress == 14 and dossier.heartbeat_at is not None
