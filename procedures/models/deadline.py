"""Deadlines (délais) computed by procedures/deadlines.py, their reminders and calendar feeds."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.models import Association, Case
from cases.models.history import track_changes

from ..deadlines import RULES, Party
from .procedure import Procedure
from .records import Event

RULE_CHOICES = [(rule.key, f"{rule.label_fr} (art. {rule.article})") for rule in RULES]


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    DONE = "done", _("Accompli")
    MISSED = "missed", _("Manqué")
    CANCELLED = "cancelled", _("Sans objet")


class DeadlineParty(models.TextChoices):
    ASSOCIATION = Party.ASSOCIATION.value, _("L'association (partie civile)")
    PREVENU = Party.PREVENU.value, _("Le prévenu (information)")
    MINISTERE_PUBLIC = Party.MINISTERE_PUBLIC.value, _("Le ministère public (information)")


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DeadlineStatus.OPEN)

    def own(self):
        """The association's own deadlines: « Mes délais », reminders and ICS show only these."""
        return self.filter(party=DeadlineParty.ASSOCIATION)

    def others(self):
        """Other parties' periods, shown on the timeline as information (art. 500, 505)."""
        return self.exclude(party=DeadlineParty.ASSOCIATION)


@track_changes()
class Deadline(models.Model):
    """A deadline for one association in one procedure, computed by the rule engine from a trigger
    date. Its due date changes only by a manual override with a reason (kept in history)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("affaire"))
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("procédure"),
    )
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+", editable=False)
    rule = models.CharField(_("règle"), max_length=60, choices=RULE_CHOICES)
    party = models.CharField(
        _("titulaire du droit"),
        max_length=20,
        choices=DeadlineParty.choices,
        default=DeadlineParty.ASSOCIATION,
        help_text=_("Seuls les délais de l'association vont dans « Mes délais », les rappels et le calendrier."),
    )
    rule_version = models.CharField(_("version de la règle"), max_length=300, blank=True, editable=False)
    explanation = models.JSONField(
        _("explication du calcul"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Point de départ, règle et version, calcul, prorogations de l'art. 801."),
    )
    trigger_event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("événement déclencheur"),
    )
    trigger_date = models.DateField(_("point de départ"))
    computed_due_on = models.DateField(_("échéance calculée"), editable=False)
    due_on = models.DateField(_("échéance"))
    override_reason = models.TextField(_("motif de la modification manuelle"), blank=True)
    status = models.CharField(_("statut"), max_length=15, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("responsable"),
    )
    completed_on = models.DateField(_("accompli le"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("délai")
        verbose_name_plural = _("délais")
        constraints = [
            # Recording the same decision twice never doubles its deadlines.
            models.UniqueConstraint(
                fields=["association", "procedure", "rule", "trigger_date"], name="deadline_unique_per_trigger"
            ),
            models.CheckConstraint(
                condition=Q(party="association") | Q(owner__isnull=True),
                name="deadline_others_have_no_owner",
                violation_error_message=_("Le délai d'une autre partie n'a pas de responsable dans l'association."),
            ),
            models.CheckConstraint(
                condition=Q(due_on=models.F("computed_due_on")) | ~Q(override_reason=""),
                name="deadline_override_has_reason",
                violation_error_message=_("Une échéance modifiée à la main exige un motif."),
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self):
        return f"{self.get_rule_display()} — {self.due_on:%d/%m/%Y}"

    def clean(self):
        if (
            self.due_on
            and self.computed_due_on
            and self.due_on != self.computed_due_on
            and not self.override_reason.strip()
        ):
            raise ValidationError({"override_reason": _("Une échéance modifiée à la main exige un motif.")})

    @property
    def is_overridden(self) -> bool:
        return self.due_on != self.computed_due_on

    @property
    def is_own(self) -> bool:
        return self.party == DeadlineParty.ASSOCIATION

    @property
    def explanation_steps(self) -> list[str]:
        return list(self.explanation.get("steps", []))

    @property
    def explanation_lines(self) -> list[str]:
        return [*self.explanation.get("steps", []), *self.explanation.get("notes", [])]

    @property
    def legal_explanation(self) -> str:
        """Why the law opens this deadline and the article it rests on, as stored when computed:
        what a list shows next to each deadline so the lawyer can check it without opening it."""
        explanation = self.explanation or {}
        why = (explanation.get("why") or "").strip()
        citation = (explanation.get("citation") or self.rule_version or "").strip()
        if why and citation:
            return f"{why} — {citation}"
        return why or citation

    def days_left(self, today) -> int:
        return (self.due_on - today).days

    def countdown(self, today) -> str:
        """« J-5 », « aujourd'hui » or « dépassé de 3 jours »: the words say it, not a colour."""
        if self.status not in (DeadlineStatus.OPEN, DeadlineStatus.MISSED):
            return ""
        days = self.days_left(today)
        if days > 0:
            return _("J-%(days)d") % {"days": days}
        if days == 0:
            return _("J-0 (aujourd'hui)")
        return ngettext("dépassé de %(days)d jour", "dépassé de %(days)d jours", -days) % {"days": -days}


class CourtClosure(models.Model):
    """A day a court was closed that is not a statutory holiday (a customary overseas day, a strike
    of the registry…): art. 801 extends a deadline over it only when it is recorded here."""

    parquet = models.ForeignKey(
        "cases.Parquet", on_delete=models.CASCADE, related_name="closures", verbose_name=_("juridiction")
    )
    closed_on = models.DateField(_("fermé le"))
    reason = models.CharField(_("motif"), max_length=200, help_text=_("Ex. arrêté du chef de juridiction du …"))

    class Meta:
        ordering = ["parquet", "closed_on"]
        verbose_name = _("fermeture de juridiction")
        verbose_name_plural = _("fermetures de juridiction")
        constraints = [models.UniqueConstraint(fields=["parquet", "closed_on"], name="court_closure_once_a_day")]

    def __str__(self):
        return f"{self.parquet} — {self.closed_on:%d/%m/%Y}"


class DeadlineReminder(models.Model):
    """One reminder e-mail sent for a deadline at one step (J-7, J-3, J-1, missed). The unique
    constraint makes the morning job safe to run twice."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=10)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "recipient", "step"], name="deadline_reminder_once_per_step"),
        ]

    def __str__(self):
        return f"{self.deadline_id} {self.step} {self.sent_on}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarToken(models.Model):
    """A secret URL token for a user's ICS feed of open deadlines; stored hashed, revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} ({'révoqué' if self.revoked_at else 'actif'})"

    @classmethod
    def issue(cls, user) -> tuple["CalendarToken", str]:
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=_hash(token)), token

    @classmethod
    def lookup(cls, token: str):
        return cls.objects.select_related("user").filter(token_hash=_hash(token), revoked_at__isnull=True).first()
