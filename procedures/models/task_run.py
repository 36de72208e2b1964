"""Background work that has no record of its own (the morning reminders, the deadlines of a
referral naming many procedures) as a row: the row, not the broker's message, is the source of
truth. A task claims it by a conditional UPDATE; the sweeper (procedures/jobs.py) sends again a row
left queued (message lost with the broker) or running without a heartbeat (worker killed)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TaskRunKind(models.TextChoices):
    REMINDERS = "reminders", _("Rappels de délais du matin")
    REFERRAL_DEADLINES = "referral_deadlines", _("Délais d'un signalement")


class TaskRunStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class TaskRun(models.Model):
    kind = models.CharField(_("nature"), max_length=30, choices=TaskRunKind.choices)
    # What makes the work unique: the day of the reminders, « referral:event » for deadlines.
    key = models.CharField(_("clé"), max_length=100)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=TaskRunStatus.choices, default=TaskRunStatus.QUEUED)
    attempt = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("motif de l'échec"), blank=True)
    result = models.JSONField(_("résultat"), default=dict, blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé au worker le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("tâche de fond")
        verbose_name_plural = _("tâches de fond")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="task_run_once_per_key"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="task_run_failure_has_a_reason"),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"
