"""Dossiers: the PDF of a case, rendered by Celery workers. The row is the source of truth: its
status, progress and figures are what the page and the API poll."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Association, Case


class Section(models.TextChoices):
    """What a dossier may contain, in the order it is printed."""

    COVER = "cover", _("Page de garde")
    SUMMARY = "summary", _("Résumé de l'affaire")
    PARTIES = "parties", _("Parties (victimes pseudonymisées, mis en cause)")
    PROCEDURES = "procedures", _("Procédures et parquets successifs")
    TIMELINE = "timeline", _("Chronologie de toutes les étapes")
    REFERRALS = "referrals", _("Saisines et signalements de l'article 40")
    FILINGS = "filings", _("Constitutions de partie civile et leur fondement")
    HEARINGS = "hearings", _("Audiences et décisions")
    DEADLINES = "deadlines", _("Délais en cours")
    PRESCRIPTION = "prescription", _("Prescription de l'action publique (par infraction et groupe de victimes)")
    BORDEREAU = "bordereau", _("Bordereau des pièces")
    ANNEX_PROCEDURES = "annex_procedures", _("Annexe : liste complète des procédures")
    ANNEX_TIMELINE = "annex_timeline", _("Annexe : chronologie complète")
    EXHIBITS = "exhibits", _("Pièces elles-mêmes, en annexe")


SECTION_ORDER = [section.value for section in Section]
# The full lists of a large case, printed after the body: its procedures and timeline sections
# are then summaries (reports/aggregates.py). A small case's sections already list every row.
ANNEX_SECTIONS = [Section.ANNEX_PROCEDURES.value, Section.ANNEX_TIMELINE.value]


def ordered_sections(sections) -> list[str]:
    """The sections chosen, without duplicates, in the printed order."""
    chosen = set(sections)
    return [key for key in SECTION_ORDER if key in chosen]


class DossierScope(models.TextChoices):
    """What a dossier covers: the whole case, one procedure, or one procedure for a hearing."""

    CASE = "case", _("Affaire entière")
    PROCEDURE = "procedure", _("Une procédure")
    HEARING = "hearing", _("Une audience")


# A procedure or hearing dossier prints these sections: the case's parties and timeline belong to
# the whole case; its exhibits are the case's (an exhibit is not tied to a procedure).
PROCEDURE_SECTIONS = ["cover", "summary", "procedures", "filings", "hearings", "deadlines", "bordereau"]


class DossierStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RENDERING = "rendering", _("En cours de rendu")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")
    EXPIRED = "expired", _("Expiré (identités réelles : fichier supprimé après le délai de conservation)")


class DossierPhase(models.TextChoices):
    """Inside `rendering`: which step holds the dossier (parallel chunks, then their assembly)."""

    NONE = "", _("—")
    CHUNKS = "chunks", _("Morceaux en cours de rendu")
    ASSEMBLING = "assembling", _("Assemblage")


class DossierPreset(models.Model):
    """A saved choice of sections, reusable by every member of the association."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="dossier_presets", verbose_name=_("association")
    )
    name = models.CharField(_("nom"), max_length=80, help_text=_("Par exemple « Audience correctionnelle »."))
    sections = ArrayField(
        models.CharField(max_length=20, choices=Section.choices),
        verbose_name=_("sections"),
        help_text=_("Les parties du dossier, dans l'ordre d'impression."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["association", "name"]
        verbose_name = _("modèle de dossier")
        verbose_name_plural = _("modèles de dossier")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name"],
                name="dossier_preset_unique_name_per_association",
                violation_error_code="unique",
                violation_error_message=_("L'association a déjà un modèle de dossier de ce nom."),
            ),
            models.CheckConstraint(condition=~Q(sections=[]), name="dossier_preset_has_sections"),
        ]

    def __str__(self):
        return self.name


def dossier_path(dossier: "Dossier", _filename: str = "") -> str:
    # One name per attempt: a worker that lost its claim deletes its own file, never the winner's.
    return f"dossiers/{dossier.association_id}/{dossier.case_id}/dossier-{dossier.pk}-{dossier.attempt}.pdf"


def chunk_path(chunk: "DossierChunk", _filename: str = "") -> str:
    dossier = chunk.dossier
    return f"dossiers/{dossier.association_id}/{dossier.case_id}/chunks/dossier-{dossier.pk}-{chunk.index}-{chunk.attempt}.pdf"


class Dossier(models.Model):
    """A PDF of a case for one recipient (« Remis à … le … »): the sections chosen, whether real
    identities appear (lawyers only, loi du 29 juillet 1881 art. 39 bis), and the rendering state."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dossiers", verbose_name=_("affaire"))
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="dossiers",
        verbose_name=_("association"),
        help_text=_("L'association au titre de laquelle le dossier est demandé (la sienne, ou celle d'un partage)."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("demandé par"),
    )
    preset = models.ForeignKey(
        DossierPreset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("modèle"),
    )
    sections = ArrayField(models.CharField(max_length=20, choices=Section.choices), verbose_name=_("sections"))
    scope = models.CharField(
        _("portée"),
        max_length=10,
        choices=DossierScope.choices,
        default=DossierScope.CASE,
        help_text=_("L'affaire entière, une procédure, ou une procédure en vue d'une audience."),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procédure"),
    )
    hearing = models.ForeignKey(
        "procedures.Hearing",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience"),
    )
    recipient = models.CharField(
        _("remis à"),
        max_length=200,
        help_text=_("Imprimé en pied de chaque page : « Remis à … le … »."),
    )
    reveal_identities = models.BooleanField(
        _("identités réelles"),
        default=False,
        help_text=_("Par défaut, les victimes n'apparaissent que sous pseudonyme (loi de 1881, art. 39 bis)."),
    )
    status = models.CharField(
        _("statut"), max_length=15, choices=DossierStatus.choices, default=DossierStatus.QUEUED, db_index=True
    )
    phase = models.CharField(max_length=15, choices=DossierPhase.choices, default=DossierPhase.NONE, blank=True)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    error = models.TextField(_("motif de l'échec"), blank=True)
    file = models.FileField(_("fichier"), upload_to=dossier_path, max_length=300, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    duration = models.DurationField(_("durée du rendu"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Dernier signe de vie du worker : un rendu muet trop longtemps est relancé.")
    )
    attempt = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    task_id = models.CharField(
        max_length=64, blank=True, help_text=_("Tâche Celery qui rend le dossier : reprise dès que son worker meurt.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.CheckConstraint(condition=~Q(sections=[]), name="dossier_has_sections"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="dossier_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="dossier_done_has_file_and_sha256",
            ),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="dossier_failure_has_a_reason"),
            models.CheckConstraint(
                condition=(Q(scope="case") & Q(procedure__isnull=True) & Q(hearing__isnull=True))
                | (Q(scope="procedure") & Q(procedure__isnull=False) & Q(hearing__isnull=True))
                | (Q(scope="hearing") & Q(procedure__isnull=False) & Q(hearing__isnull=False)),
                name="dossier_scope_matches_its_target",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"]), models.Index(fields=["case", "-created_at"])]

    def __str__(self):
        return _("Dossier %(reference)s n° %(number)s") % {"reference": self.case.reference, "number": self.pk}

    @property
    def is_finished(self) -> bool:
        return self.status in {DossierStatus.DONE, DossierStatus.FAILED, DossierStatus.EXPIRED}

    @property
    def download_name(self) -> str:
        return f"dossier-{self.case.reference}-{self.pk}.pdf"

    @property
    def can_retry(self) -> bool:
        return self.status == DossierStatus.FAILED


class DossierChunk(models.Model):
    """One piece of a large dossier rendered on its own (possibly on another worker), then merged:
    its spec says which sections, and which slice of the timeline or the bordereau, it holds."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    spec = models.JSONField(help_text=_("Sections et tranches (chronologie, bordereau) de cette partie."))
    weight = models.PositiveIntegerField(default=1, help_text=_("Nombre de lignes : sert au calcul de l'avancement."))
    status = models.CharField(max_length=15, choices=DossierStatus.choices, default=DossierStatus.QUEUED)
    file = models.FileField(upload_to=chunk_path, max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    layout = models.JSONField(
        default=dict, blank=True, help_text=_("Signets [niveau, libellé, page] et page de début de chaque section.")
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["dossier", "index"]
        constraints = [models.UniqueConstraint(fields=["dossier", "index"], name="dossier_chunk_unique_index")]

    def __str__(self):
        return f"{self.dossier_id}/{self.index}"
