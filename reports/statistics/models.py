"""Statistics: snapshot tables written by the statistics job (compute.py) — one fact row per
procedure, the unfiltered figures of each association and their duration histograms —, the
changes that tell it what to refresh, its runs, the published cross-association aggregates and
the PDF reports.

Scope of an association's figures: the cases it holds (lead association). A case shared with it
counts in the figures of the association that holds it: a share gives read access to a file, not
its figures, and counting it twice would make every cross-association sum wrong."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from cases.models import Association, CourtOfAppeal, Parquet, Platform

MEASURES = ("procedures", "victims", "minor_victims", "suspects", "filings", "convictions")
DURATIONS = ("decision_median", "decision_p90", "judgment_median", "judgment_p90")


class StatisticsFact(models.Model):
    """What the job last counted of one procedure: its place in every dimension, its filings and
    durations, and the ids of its victims (minors apart) and suspects. Filtered figures are read
    from these rows (one narrow table, no join); the incremental refresh subtracts a changed
    procedure's old row and adds its new one, so it never rereads the procedures left alone."""

    # Derived rows, rewritten by the job: no foreign-key constraints (checking five per row made
    # writing them slower than computing them), and no index but the primary key and the read
    # index below: each index kept up to date while a million rows are written costs seconds
    # (the rebuild drops those two and builds them again once the rows are in).
    procedure = models.OneToOneField(
        "procedures.Procedure", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    association = models.ForeignKey(
        Association, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    parquet = models.ForeignKey(
        Parquet, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    court_of_appeal = models.ForeignKey(
        CourtOfAppeal, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(null=True, help_text=_("Premier jour du mois d'ouverture ; vide si la date est inconnue."))
    stage = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20)
    category_bits = models.BigIntegerField(
        default=0, help_text=_("Catégories des infractions : bit n° i pour la i-ème de sql.CATEGORIES.")
    )
    filings = models.PositiveIntegerField(default=0, help_text=_("Constitutions de partie civile déposées."))
    decision_days = models.IntegerField(null=True, help_text=_("Jours de l'ouverture à la première décision."))
    judgment_days = models.IntegerField(
        null=True, help_text=_("Jours de la première constitution de partie civile au jugement.")
    )
    victims = ArrayField(models.BigIntegerField(), default=list)
    minor_victims = ArrayField(models.BigIntegerField(), default=list)
    suspects = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        db_table = "reports_statistics_fact"
        # A block range index: the filtered reads skip the blocks of other associations (their
        # procedures come in runs of ids from imports, and the facts are written in id order);
        # at a million facts it builds in 0.18 s where a B-tree took 0.48 s of each full rebuild.
        indexes = [BrinIndex(fields=["association"], name="statistics_fact_association")]

    def __str__(self):
        return str(self.procedure_id)


class StatisticsFigure(models.Model):
    """The figures of an association's dashboard without filters, kept up to date by the job: what
    the dashboard and the API read when no filter is set. dimension 'total' has the key ''."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    procedures = models.PositiveIntegerField(default=0)
    victims = models.PositiveIntegerField(default=0)
    minor_victims = models.PositiveIntegerField(default=0)
    suspects = models.PositiveIntegerField(default=0)
    filings = models.PositiveIntegerField(default=0)
    convictions = models.PositiveIntegerField(default=0)
    decision_median = models.FloatField(null=True)
    decision_p90 = models.FloatField(null=True)
    judgment_median = models.FloatField(null=True)
    judgment_p90 = models.FloatField(null=True)

    class Meta:
        db_table = "reports_statistics_figure"
        constraints = [
            models.UniqueConstraint(fields=["association", "dimension", "key"], name="statistics_figure_unique"),
        ]

    def __str__(self):
        return f"{self.association_id} {self.dimension}={self.key}"


class StatisticsHistogram(models.Model):
    """How many procedures of a figure took each number of days (from opening to decision, from
    filing to judgment): medians and 90th percentiles are exact functions of it, and a changed
    procedure moves one count instead of forcing a rescan of every duration."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("de l'ouverture à la décision")
        JUDGMENT = "judgment", _("de la constitution de partie civile au jugement")

    # Rewritten by the job only: the unique key below (association first) serves every lookup.
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days = models.IntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        db_table = "reports_statistics_histogram"
        constraints = [
            models.UniqueConstraint(
                fields=["association", "dimension", "key", "kind", "days"], name="statistics_histogram_unique"
            ),
        ]

    def __str__(self):
        return f"{self.association_id} {self.dimension}={self.key} {self.kind} {self.days}: {self.count}"


class StatisticsChange(models.Model):
    """A procedure whose figures may have changed since the last run: written by database
    triggers on procedures and everything counted (victims, offences, filings, decisions, a
    victim's age, a case's platform…), so no writer can forget it; claimed and deleted by the job.

    An append-only log without a unique key: with one, two transactions marking the same
    procedure (the parallel chunks of an import) wait for each other on the index entry."""

    procedure_id = models.BigIntegerField()

    class Meta:
        db_table = "reports_statistics_change"

    def __str__(self):
        return str(self.procedure_id)


class RunMode(models.TextChoices):
    FULL = "full", _("Reconstruction complète")
    INCREMENTAL = "incremental", _("Mise à jour des changements")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    SKIPPED = "skipped", _("Ignoré : un calcul était déjà en cours")


class StatisticsRun(models.Model):
    """One run of the statistics job: what it refreshed and how long it took."""

    mode = models.CharField(_("mode"), max_length=15, choices=RunMode.choices)
    status = models.CharField(_("statut"), max_length=15, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    procedures = models.PositiveIntegerField(_("procédures recalculées"), default=0)
    figures = models.PositiveIntegerField(_("chiffres tenus à jour"), default=0)
    seconds = models.FloatField(_("durée (s)"), null=True, blank=True)

    class Meta:
        db_table = "reports_statistics_run"
        ordering = ["-requested_at"]
        verbose_name = _("calcul des statistiques")
        verbose_name_plural = _("calculs des statistiques")

    def __str__(self):
        return f"{self.get_mode_display()} {self.requested_at:%Y-%m-%d %H:%M}"


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class PublishedStatistics(models.Model):
    """A cross-association aggregate published by an admin: the table of one fixed period (a
    calendar year or a quarter, publication.Period). Only the figures after statistical
    disclosure control are stored (suppression.py): the raw figures are never kept here, so
    nothing can leak from this row.

    A period is published once and periods never overlap (the exclusion constraint): a second
    release of the same months, or of months inside a published year, would give two tables of
    the same procedures whose differences recover the masked cells (attack (a) of the issue).
    Rows without a period are the releases of arbitrary ranges and platforms made before that
    rule; no new one can be made."""

    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("publié par")
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("au titre de"),
        help_text=_("L'association de l'administrateur·rice qui a publié."),
    )
    published_at = models.DateTimeField(_("publié le"), auto_now_add=True)
    title = models.CharField(_("intitulé"), max_length=200)
    period = models.CharField(
        _("période"),
        max_length=7,
        blank=True,
        default="",
        help_text=_(
            "Année civile (« 2023 ») ou trimestre (« 2023-T2 ») publié ; vide pour les anciennes publications."
        ),
    )
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    month_from = models.DateField(_("du mois"), null=True, blank=True)
    month_to = models.DateField(_("au mois"), null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(_("seuil"), help_text=_("Une case sous ce nombre est masquée."))
    figures = models.JSONField(_("chiffres publiés"), help_text=_("Après masquage : jamais les valeurs masquées."))

    class Meta:
        db_table = "reports_statistics_publication"
        ordering = ["-published_at"]
        verbose_name = _("statistiques publiées")
        verbose_name_plural = _("statistiques publiées")
        constraints = [
            ExclusionConstraint(
                name="statistics_publication_periods_disjoint",
                expressions=[(DateRange("month_from", "month_to", models.Value("[]")), RangeOperators.OVERLAPS)],
                condition=~Q(period=""),
                violation_error_message=_("Une publication couvre déjà tout ou partie de cette période."),
            ),
            models.CheckConstraint(
                condition=Q(period="")
                | (Q(platform__isnull=True) & Q(month_from__isnull=False) & Q(month_to__isnull=False)),
                name="statistics_publication_period_unfiltered",
                violation_error_message=_("Une période publiée couvre toutes les plateformes."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def period_label(self) -> str:
        from .publication import Period  # publication.py reads the fact table defined here

        return Period.parse(self.period).label if self.period else ""


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RENDERING = "rendering", _("En cours de rendu")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")


def report_path(report: "StatisticsReport", _filename: str = "") -> str:
    return f"statistiques/{report.association_id}/rapport-{report.pk}-{report.attempt}.pdf"


class StatisticsReport(models.Model):
    """A PDF statistics report of an association for a period and a platform, rendered by Celery
    (tasks.render_statistics_report) like dossiers: the row is what the page polls."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    platform = models.ForeignKey(
        Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("plateforme")
    )
    month_from = models.DateField(_("du mois"), null=True, blank=True)
    month_to = models.DateField(_("au mois"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=15, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    error = models.TextField(_("motif de l'échec"), blank=True)
    file = models.FileField(_("fichier"), upload_to=report_path, max_length=300, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        db_table = "reports_statistics_report"
        ordering = ["-created_at"]
        verbose_name = _("rapport statistique")
        verbose_name_plural = _("rapports statistiques")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="statistics_report_done_has_file",
            ),
            models.CheckConstraint(
                condition=Q(month_from__isnull=True)
                | Q(month_to__isnull=True)
                | Q(month_to__gte=models.F("month_from")),
                name="statistics_report_period_in_order",
            ),
        ]

    def __str__(self):
        return _("Rapport statistique n° %(number)s") % {"number": self.pk}

    @property
    def is_finished(self) -> bool:
        return self.status in {ReportStatus.DONE, ReportStatus.FAILED}

    @property
    def download_name(self) -> str:
        return f"statistiques-{self.pk}.pdf"
