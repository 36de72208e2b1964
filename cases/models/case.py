"""The case file (affaire) and its sharing with other associations."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .accounts import Association
from .history import track_changes
from .reference import Offence, Platform


class CaseStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    DORMANT = "dormant", _("En veille")
    CLOSED = "closed", _("Clôturée")
    ARCHIVED = "archived", _("Archivée")

    @classmethod
    def finished(cls) -> frozenset[str]:
        """Statuses after which the case is no longer followed: its retention period runs."""
        return frozenset({cls.CLOSED, cls.ARCHIVED})


@track_changes()
class Case(models.Model):
    """An association's case file (affaire): the facts it follows, across every parquet involved."""

    association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("association"),
        help_text=_("L'association qui tient le dossier ; elle seule le voit, sauf partage."),
    )
    reference = models.CharField(
        _("référence"), max_length=60, help_text=_("Référence interne du dossier, unique dans l'association.")
    )
    title = models.CharField(
        _("intitulé"), max_length=200, help_text=_("Lieu et qualification, jamais le nom d'une victime.")
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("plateforme")
    )
    facts_start = models.DateField(_("début des faits"), null=True, blank=True)
    facts_end = models.DateField(_("fin des faits"), null=True, blank=True)
    place = models.CharField(_("lieu des faits"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=15, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_on = models.DateField(
        _("clôturée le"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Jour où l'affaire a été clôturée ou archivée ; vide tant qu'elle est suivie. Point de départ de la "
            "durée de conservation (CASE_RETENTION_YEARS), après quoi l'affaire est purgée (RGPD, art. 5.1.e)."
        ),
    )
    offences = models.ManyToManyField(
        Offence, through="CaseOffence", blank=True, related_name="cases", verbose_name=_("qualifications")
    )
    lead_lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("avocat·e référent·e"),
    )
    summary = models.TextField(
        _("résumé"), blank=True, help_text=_("Sans identité de victime (loi de 1881, art. 39 bis).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("affaire")
        verbose_name_plural = _("affaires")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "reference"],
                name="case_unique_reference_per_association",
                violation_error_code="unique",
                violation_error_message=_("Cette référence est déjà utilisée par une autre affaire de l'association."),
            ),
            models.CheckConstraint(
                condition=Q(facts_end__isnull=True) | Q(facts_start__isnull=True) | Q(facts_end__gte=F("facts_start")),
                name="case_facts_end_after_start",
                violation_error_message=_("La fin des faits ne peut précéder leur début."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.facts_start and self.facts_end and self.facts_end < self.facts_start:
            raise ValidationError({"facts_end": _("La fin des faits ne peut précéder leur début.")})


@track_changes()
class CaseOffence(models.Model):
    """An offence (qualification) the case is about; its own row so that history records it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_offences")
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("qualification de l'affaire")
        verbose_name_plural = _("qualifications de l'affaire")
        constraints = [models.UniqueConstraint(fields=["case", "offence"], name="case_offence_unique")]

    def __str__(self):
        return f"{self.case_id} · {self.offence_id}"


class ShareAccess(models.TextChoices):
    READ = "read", _("Lecture")
    READ_PRINT = "read_print", _("Lecture et impression")


class CaseShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


@track_changes()
class CaseShare(models.Model):
    """A case shared by its association with another one, read-only or read and print."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares", verbose_name=_("affaire"))
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="received_shares",
        verbose_name=_("partagée avec"),
        help_text=_("L'association qui reçoit l'accès ; jamais celle qui tient le dossier."),
    )
    access = models.CharField(_("accès"), max_length=15, choices=ShareAccess.choices, default=ShareAccess.READ)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("accordé par")
    )
    granted_at = models.DateTimeField(_("accordé le"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("partage")
        verbose_name_plural = _("partages")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "association"],
                condition=Q(revoked_at__isnull=True),
                name="case_share_one_active_per_association",
                violation_error_code="unique",
                violation_error_message=_("L'affaire est déjà partagée avec cette association."),
            ),
        ]

    def __str__(self):
        return f"{self.case.reference} → {self.association}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.case_id and self.association_id and self.case.association_id == self.association_id:
            raise ValidationError({"association": _("Une affaire ne se partage pas avec l'association qui la tient.")})

    @property
    def allows_print(self) -> bool:
        return self.access == ShareAccess.READ_PRINT
