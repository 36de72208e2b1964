import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Consultation")
    REVEAL_IDENTITY = "reveal_identity", _("Affichage d'une identité")
    DOWNLOAD = "download", _("Téléchargement")
    PRINT = "print", _("Impression")
    EXPORT = "export", _("Export")
    PURGE = "purge", _("Purge")
    ERASE = "erase", _("Effacement")


class AccessLog(models.Model):
    """Append-only log of every read of a case, a victim, an exhibit or a dossier (CNIL guidance:
    keep 6 to 12 months). Plain ids, no foreign keys, so the log outlives what it mentions."""

    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    association_id = models.BigIntegerField(
        _("association"), null=True, help_text=_("Association au titre de laquelle.")
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    object_type = models.CharField(_("type d'objet"), max_length=40)
    object_id = models.BigIntegerField(_("objet"))
    case_id = models.BigIntegerField(_("affaire"), null=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(
        _("détails"),
        default=dict,
        blank=True,
        help_text=_("Pour une purge ou un effacement : combien de lignes, jusqu'à quelle date. Jamais une identité."),
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("journal d'accès")
        verbose_name_plural = _("journal d'accès")
        indexes = [
            # The association's log, newest first (viewer, export): ASVS 5.0 V16.3 reviews it.
            models.Index(fields=["association_id", "-at", "-id"], name="access_log_association_at"),
            # Filtered by member: without it, a member with few rows costs a walk of the whole log.
            models.Index(fields=["association_id", "user", "-at", "-id"], name="access_log_association_user"),
        ]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}#{self.object_id}"
