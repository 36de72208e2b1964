"""A dossier over the RPVA message limit is offered in numbered parts: each under the limit, cut
between pages, a PDF of its own (tagged, PDF/A-2b, « Partie k/N » in its title), downloadable with
the rights of the whole dossier and logged like it."""

import io
import itertools

import pikepdf
import pytest
from django.urls import reverse

from cases.models import AccessAction, AccessLog
from reports import rpva, services
from reports.models import DossierStatus
from tests.reports.test_archival import ALL_SECTIONS, assert_table_headers_resolve, assert_tagged_pdfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(owner, rich_case):
    dossier = services.dossier_request(user=owner, case=rich_case, recipient="Me Dupont", sections=ALL_SECTIONS)
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error
    return dossier


@pytest.fixture
def small_limit(settings, dossier):
    # About a third of the dossier: it must come out in several parts.
    settings.RPVA_MAX_BYTES = dossier.size // 3 + 20_000
    return settings.RPVA_MAX_BYTES


def test_a_dossier_that_fits_is_not_split(dossier):
    assert dossier.size < rpva.max_bytes() == 10 * 1024 * 1024
    assert rpva.dossier_parts(dossier) == []


def test_a_dossier_over_the_limit_splits_into_parts_under_it_that_cover_every_page_once(dossier, small_limit):
    parts = rpva.dossier_parts(dossier)
    assert len(parts) >= 2
    assert [part.number for part in parts] == list(range(1, len(parts) + 1))
    assert parts[0].first == 0 and parts[-1].end == dossier.pages
    assert all(before.end == after.first for before, after in itertools.pairwise(parts))
    total = 0
    for part in parts:
        data = rpva.part_pdf(dossier, part)
        assert len(data) <= small_limit and abs(len(data) - part.size) < 256
        pdf = pikepdf.open(io.BytesIO(data))
        assert len(pdf.pages) == part.pages
        total += len(pdf.pages)
        assert_tagged_pdfa(pdf, title=f"Partie {part.number}/{len(parts)}")
        assert_table_headers_resolve(pdf)
        assert str(pdf.docinfo.Title).startswith(f"Dossier {dossier.case.reference}")
        assert pdf.check_pdf_syntax() == []
        page_ids = {page.obj.objgen for page in pdf.pages}
        for element in pdf.Root.StructTreeRoot.K[0].K:
            assert element.Pg.objgen in page_ids
    assert total == dossier.pages


def test_a_part_is_the_same_file_at_each_download(dossier, small_limit):
    part = rpva.dossier_parts(dossier)[1]
    assert rpva.part_pdf(dossier, part) == rpva.part_pdf(dossier, part)


def test_the_dossier_page_offers_the_parts_and_a_part_downloads_and_is_logged(client, owner, dossier, small_limit):
    client.force_login(owner)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    parts = rpva.dossier_parts(dossier)
    assert "Envoi par le RPVA" in page
    assert f"Partie {len(parts)}/{len(parts)}" in page
    before = AccessLog.objects.filter(action=AccessAction.DOWNLOAD, object_id=dossier.pk).count()
    response = client.get(reverse("dossier_download_part", args=[dossier.pk, 2]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"partie-2-sur-{len(parts)}" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert len(body) <= small_limit
    assert AccessLog.objects.filter(action=AccessAction.DOWNLOAD, object_id=dossier.pk).count() == before + 1
    assert client.get(reverse("dossier_download_part", args=[dossier.pk, len(parts) + 1])).status_code == 404


def test_a_part_is_refused_like_the_whole_dossier_and_nothing_is_logged(
    client, outsider, colleague, dossier, small_limit
):
    client.force_login(outsider)
    assert client.get(reverse("dossier_download_part", args=[dossier.pk, 1])).status_code == 404
    # Staff may not download a dossier printed with real identities, nor any part of it.
    dossier.reveal_identities = True
    dossier.save(update_fields=["reveal_identities"])
    client.force_login(colleague)
    assert client.get(reverse("dossier_download_part", args=[dossier.pk, 1])).status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.DOWNLOAD, object_id=dossier.pk).exists()


def test_part_one_of_a_dossier_that_fits_is_the_whole_file(client, owner, dossier):
    client.force_login(owner)
    response = client.get(reverse("dossier_download_part", args=[dossier.pk, 1]))
    assert response.status_code == 302 and response["Location"] == reverse("dossier_download", args=[dossier.pk])
    assert client.get(reverse("dossier_download_part", args=[dossier.pk, 2])).status_code == 404


def test_the_worker_plans_the_parts_once_it_has_written_a_dossier_over_the_limit(settings, owner, rich_case):
    from django.core.cache import cache

    settings.RPVA_MAX_BYTES = 40_000
    cache.clear()
    dossier = services.dossier_request(user=owner, case=rich_case, recipient="Me Dupont", sections=ALL_SECTIONS)
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE and dossier.size > settings.RPVA_MAX_BYTES
    # The page that offers the parts reads the plan the worker left, without planning again.
    planned = cache.get(f"rpva:{dossier.sha256}:{settings.RPVA_MAX_BYTES}")
    assert planned and len(planned) >= 2
