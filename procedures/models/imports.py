"""Imports of procedures from a spreadsheet (CSV or XLSX) into one case: one row per job, which the
upload page and the API poll. The work itself is in the procedures.imports package."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Association, Case

# Rejected rows kept on the job for the report; the count covers them all.
REJECTED_ROWS_KEPT = 1000
# A running job whose worker has not written progress for this long is taken over by the next run.
STALE_AFTER = timedelta(minutes=2)


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Classeur Excel (XLSX)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class ImportJob(models.Model):
    """An import of a file of procedures into a case. A dry run (simulation) writes nothing and
    reports what the file would create, update or leave unchanged, and every rejected line with its
    reason; an applied import writes by chunks, each committed with its progress, so an interrupted
    job resumes after the last committed chunk."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("association")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("affaire"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    source_job = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("simulation d'origine"),
        help_text=_("La simulation dont cet import applique le fichier."),
    )
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    format = models.CharField(_("format"), max_length=5, choices=ImportFormat.choices)
    dry_run = models.BooleanField(
        _("simulation"), default=True, help_text=_("Une simulation n'écrit rien : elle montre ce que l'import ferait.")
    )
    status = models.CharField(_("statut"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    error = models.TextField(_("erreur"), blank=True, help_text=_("Pourquoi l'import a échoué, en une phrase."))
    total_rows = models.PositiveIntegerField(_("lignes du fichier"), default=0)
    processed_rows = models.PositiveIntegerField(
        _("lignes traitées"), default=0, help_text=_("Lignes des lots validés.")
    )
    created_count = models.PositiveIntegerField(_("procédures créées"), default=0)
    updated_count = models.PositiveIntegerField(_("procédures modifiées"), default=0)
    unchanged_count = models.PositiveIntegerField(_("procédures inchangées"), default=0)
    rejected_count = models.PositiveIntegerField(_("lignes rejetées"), default=0)
    victims_created_count = models.PositiveIntegerField(_("victimes créées"), default=0)
    suspects_created_count = models.PositiveIntegerField(_("mis en cause créés"), default=0)
    suspects_completed_count = models.PositiveIntegerField(
        _("mis en cause complétés"),
        default=0,
        help_text=_("Mis en cause existants auxquels l'import a ajouté des identifiants."),
    )
    persons_written = models.JSONField(
        _("personnes écrites"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Identifiants (en base) des mis en cause créés ou complétés et des victimes créées par cet import : "
            "envoyés aux applications qui les suivent (signal import_persons_written), de nouveau à une reprise."
        ),
    )
    rejected_rows = models.JSONField(
        _("lignes rejetées (détail)"),
        default=list,
        blank=True,
        help_text=_("Numéro de ligne et motif de chaque rejet, limité aux 1 000 premiers."),
    )
    report = models.JSONField(
        _("compte rendu"),
        default=dict,
        blank=True,
        help_text=_("Colonnes reconnues et ignorées, exemples de lignes à créer, modifier ou laisser inchangées."),
    )
    chunk_size = models.PositiveIntegerField(
        _("lignes par lot"), default=0, help_text=_("Fixée au premier passage : une reprise découpe le fichier pareil.")
    )
    chunks_done = models.JSONField(
        _("lots validés"), default=list, blank=True, help_text=_("Numéros des lots déjà écrits : la reprise les saute.")
    )
    claim_token = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text=_("Le passage qui tient le travail ; change à chaque reprise."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import de procédures")
        verbose_name_plural = _("imports de procédures")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in ImportStatus]), name="import_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=[choice.value for choice in ImportFormat]), name="import_job_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["case", "created_at"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        kind = _("simulation") if self.dry_run else _("import")
        return f"{kind} {self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def stale(self) -> bool:
        return self.status == ImportStatus.RUNNING and (
            self.heartbeat_at is None or self.heartbeat_at < timezone.now() - STALE_AFTER
        )

    def progress_dict(self) -> dict:
        """What the progress bar (page and API) polls."""
        return {
            "id": self.pk,
            "status": self.status,
            "status_display": str(self.get_status_display()),
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "processed_rows": self.processed_rows,
            "progress": self.progress_percent,
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "rejected": self.rejected_count,
            "victims_created": self.victims_created_count,
            "suspects_created": self.suspects_created_count,
            "suspects_completed": self.suspects_completed_count,
            "error": self.error,
            "finished": self.finished,
        }
