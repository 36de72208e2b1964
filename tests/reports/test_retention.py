"""Dossiers printed with real identities keep their file only REVEALED_DOSSIER_RETENTION_DAYS days
(issue 16: revealed-identity PDFs were kept in clear on disk forever)."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Dossier, DossierStatus
from reports.retention import dossiers_expire_revealed

pytestmark = pytest.mark.django_db


def _rendered(owner, case, *, reveal: bool) -> Dossier:
    dossier = services.dossier_request(
        user=owner, case=case, recipient="Me Dupont", sections=["cover", "summary"], reveal_identities=reveal
    )
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE
    return dossier


def test_a_revealed_dossier_loses_its_file_after_the_retention_period(
    owner, case, media_root, settings, django_capture_on_commit_callbacks
):
    settings.REVEALED_DOSSIER_RETENTION_DAYS = 7
    revealed = _rendered(owner, case, reveal=True)
    plain = _rendered(owner, case, reveal=False)
    name = revealed.file.name
    now = timezone.now()
    assert dossiers_expire_revealed(now=now + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert dossiers_expire_revealed(now=now + timedelta(days=8)) == 1
    revealed.refresh_from_db()
    plain.refresh_from_db()
    assert (revealed.status, revealed.file.name, len(revealed.sha256)) == (DossierStatus.EXPIRED, "", 64)
    assert not default_storage.exists(name)
    assert plain.status == DossierStatus.DONE and default_storage.exists(plain.file.name)
    assert dossiers_expire_revealed(now=now + timedelta(days=9)) == 0


def test_an_expired_dossier_cannot_be_downloaded(client, owner, case, media_root):
    revealed = _rendered(owner, case, reveal=True)
    dossiers_expire_revealed(now=timezone.now() + timedelta(days=30))
    client.force_login(owner)
    assert client.get(reverse("dossier_download", args=[revealed.pk])).status_code == 404
