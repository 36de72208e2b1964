"""Dossiers printed with the real identities of victims are kept only for a few days (setting
REVEALED_DOSSIER_RETENTION_DAYS, 7 by default): a PDF naming a minor victim of a sexual offence
(loi du 29 juillet 1881, art. 39 bis) must not stay on disk after it was handed over. The record
stays, with its figures and hash, as the trace of what was printed and for whom."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Dossier, DossierStatus

logger = logging.getLogger(__name__)


def dossiers_expire_revealed(*, now=None) -> int:
    """Delete the files of revealed-identity dossiers finished more than the retention period ago;
    each dossier becomes « expiré ». Safe to run twice: an expired dossier is not selected again."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.REVEALED_DOSSIER_RETENTION_DAYS)
    expired = 0
    for dossier_id in Dossier.objects.filter(
        reveal_identities=True, status=DossierStatus.DONE, finished_at__lt=limit
    ).values_list("pk", flat=True):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update(skip_locked=True).filter(pk=dossier_id).first()
            if dossier is None or dossier.status != DossierStatus.DONE:
                continue
            names = [dossier.file.name, *dossier.chunks.exclude(file="").values_list("file", flat=True)]
            Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.EXPIRED, file="")
            dossier.chunks.update(file="")
            # Files go once the row says so: a failed delete leaves a file no page serves any more.
            transaction.on_commit(lambda names=names: [default_storage.delete(name) for name in names if name])
            expired += 1
    if expired:
        logger.info("%s dossier(s) aux identités réelles expiré(s) : fichiers supprimés", expired)
    return expired
