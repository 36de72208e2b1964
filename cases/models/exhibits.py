"""Exhibits (pièces): numbered per case, fingerprinted, never overwritten."""

import uuid
from pathlib import PurePosixPath

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case
from .history import track_changes


def exhibit_path(instance, filename):
    # A fresh name for every upload: a stored file is never replaced by another.
    suffix = settings.EXHIBIT_ALLOWED_TYPES.get(instance.content_type, PurePosixPath(filename).suffix.lower())
    return f"exhibits/{instance.case.association_id}/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


@track_changes()
class Exhibit(models.Model):
    """A piece of evidence or document (pièce), numbered in order within its case as French
    lawyers number their exhibits; a new version is a new exhibit pointing to the one it replaces."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exhibits", verbose_name=_("affaire"))
    number = models.PositiveIntegerField(
        _("numéro"), editable=False, help_text=_("Pièce n° X, dans l'ordre d'arrivée.")
    )
    title = models.CharField(_("intitulé"), max_length=300)
    file = models.FileField(_("fichier"), upload_to=exhibit_path, max_length=300)
    original_filename = models.CharField(_("nom du fichier d'origine"), max_length=255, editable=False)
    content_type = models.CharField(_("type"), max_length=100, editable=False, help_text=_("Déterminé par le contenu."))
    size = models.PositiveBigIntegerField(_("taille (octets)"), editable=False)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    source = models.CharField(_("provenance"), max_length=200, blank=True, help_text=_("Qui a fourni la pièce."))
    received_on = models.DateField(_("reçue le"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("remplace la pièce"),
        help_text=_("La version précédente ; elle reste au dossier."),
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("déposée le"), auto_now_add=True)

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("pièce")
        verbose_name_plural = _("pièces")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="exhibit_unique_number_per_case"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="exhibit_number_positive"),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="exhibit_not_empty"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="exhibit_sha256_hex"),
        ]
        triggers = [
            # The database itself refuses to rewrite an exhibit's content or number.
            pgtrigger.Protect(
                name="exhibit_content_is_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("file", "sha256", "size", "number", "case", "content_type"),
            ),
        ]

    def __str__(self):
        return _("Pièce n° %(number)s — %(title)s") % {"number": self.number, "title": self.title}

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by")
