"""Who recurs across procedures and parquets.

A `Person` is one appearance (a suspect or a victim of a case, as imported or entered) with its
normal forms; linking never modifies it. `Identifier` rows hold what was seized (platform account,
e-mail, phone, IP, national identifier), found again by a keyed digest of their normal form, so
that an exact join runs in SQL without the value in clear. A `MatchDecision` says same / not same
/ possible for a pair, with who, when and why; withdrawing one keeps the row. Clusters are rebuilt
from the live decisions (linking.resolver) and each membership is kept with its validity dates.

A victim's identity is encrypted at rest (cases.Victim): its normal forms here are encrypted too
and fuzzy comparison runs in the worker on the decrypted forms, with the same levels PostgreSQL
could evaluate (linking.comparisons)."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.fields import EncryptedCharField


def digest(kind: str, value: str) -> str:
    """A keyed digest of a normal form: equal values meet in SQL, the value cannot be read back
    nor guessed from a list of names without the key."""
    key = hashlib.sha256(("linking:" + settings.FIELD_ENCRYPTION_KEYS[0]).encode()).digest()
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


class PersonRole(models.TextChoices):
    SUSPECT = "suspect", _("Mis en cause")
    VICTIM = "victim", _("Victime")


class Person(models.Model):
    association = models.ForeignKey("cases.Association", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="linked_persons")
    role = models.CharField(_("rôle"), max_length=10, choices=PersonRole.choices)
    suspect = models.OneToOneField(
        "cases.Suspect", on_delete=models.CASCADE, null=True, blank=True, related_name="linked_person"
    )
    victim = models.OneToOneField(
        "cases.Victim", on_delete=models.CASCADE, null=True, blank=True, related_name="linked_person"
    )
    # Normal forms (linking.normalise), encrypted: a victim's are an identity.
    given_name = EncryptedCharField(max_length=200, blank=True, null=True)
    surname = EncryptedCharField(max_length=200, blank=True, null=True)
    surname_core = EncryptedCharField(max_length=200, blank=True, null=True)
    birth_date = EncryptedCharField(max_length=10, blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="suspect") & Q(suspect__isnull=False) & Q(victim__isnull=True))
                | (Q(role="victim") & Q(victim__isnull=False) & Q(suspect__isnull=True)),
                name="person_is_one_suspect_or_one_victim",
            )
        ]
        indexes = [models.Index(fields=["association", "role"])]

    def __str__(self):
        return f"{self.get_role_display()} n° {self.pk}"

    def as_record(self) -> dict:
        """The engine's record (linking.engine) of this person."""
        record = dict.fromkeys(("address", "postcode", "city", "phone", "email", "identifier"), "")
        record.update(
            id=self.pk,
            given_name=self.given_name or "",
            surname=self.surname or "",
            surname_core=self.surname_core or "",
            birth_date=self.birth_date or "",
        )
        return record


class IdentifierKind(models.TextChoices):
    ACCOUNT = "account", _("Compte sur la plateforme")
    EMAIL = "email", _("Adresse électronique")
    PHONE = "phone", _("Téléphone")
    IP = "ip", _("Adresse IP")
    NATIONAL = "national", _("Identifiant national")


# An IP address is shared by a household, a café, a mobile operator's NAT: weak evidence only.
WEAK_KINDS = frozenset({IdentifierKind.IP})


class Identifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("nature"), max_length=10, choices=IdentifierKind.choices)
    value = EncryptedCharField(_("valeur"), max_length=300)  # the normal form
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("identifiant")
        constraints = [models.UniqueConstraint(fields=["person", "kind", "digest"], name="identifier_once_per_person")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.person})"

    @property
    def weak(self) -> bool:
        return self.kind in WEAK_KINDS


class Judgement(models.TextChoices):
    SAME = "same", _("Même personne")
    NOT_SAME = "not_same", _("Personnes différentes")
    POSSIBLE = "possible", _("À examiner")


class Decision(models.Model):
    """What every decision on a pair records: the judgement and why, who and when, and its
    withdrawal (the row is never deleted)."""

    association = models.ForeignKey("cases.Association", on_delete=models.CASCADE, related_name="+")
    judgement = models.CharField(_("décision"), max_length=10, choices=Judgement.choices)
    reason = models.TextField(_("motif"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.left_id} / {self.right_id} : {self.get_judgement_display()}"


class MatchDecision(Decision):
    """A pair of persons (left.pk < right.pk) judged by a lawyer, or proposed by the engine
    (`possible`, no user). Never deleted: withdrawing one sets withdrawn_at."""

    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("probabilité"), null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)

    class Meta(Decision.Meta):
        verbose_name = _("décision de rapprochement")
        constraints = [
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="decision_pair_ordered"),
            # One live decision per pair: a new one withdraws the previous.
            models.UniqueConstraint(
                fields=["left", "right"], condition=Q(withdrawn_at__isnull=True), name="decision_one_live_per_pair"
            ),
        ]

    @property
    def absent_fields(self) -> str:
        """The fields missing on one side or the other, which weigh nothing either way."""
        return ", ".join(step["label"] for step in self.explanation if step.get("level") == "absent")


class ClusterMembership(models.Model):
    """A person in a cluster (named by its smallest person id) from valid_from to valid_to."""

    association = models.ForeignKey("cases.Association", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    cluster = models.BigIntegerField(db_index=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="membership_one_current_per_person"
            )
        ]

    def __str__(self):
        return f"{self.person_id} ∈ {self.cluster}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")


class LinkingRun(models.Model):
    """One search of an association's persons (sync, proposals, clusters), as a row: the source of
    truth for the worker, the sweeper and the page's progress."""

    association = models.ForeignKey("cases.Association", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement"), default=0)
    attempt = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("motif de l'échec"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("recherche de rapprochements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status__in=["queued", "running"]),
                name="linking_run_one_unfinished_per_association",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="linking_run_failure_has_a_reason"
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} n° {self.pk}"


class ProcedureDecision(Decision):
    """Two procedures of a case judged one (imported twice under two spellings of its number),
    or not, or proposed by the detector (`possible`, no user). Nothing of either procedure is
    moved or deleted: « same » groups them, for the counts and on their pages; withdrawing the
    decision ungroups them. Never deleted: withdrawing sets withdrawn_at."""

    left = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")

    class Meta(Decision.Meta):
        verbose_name = _("décision sur un doublon de procédure")
        constraints = [
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="procedure_decision_pair_ordered"),
            models.UniqueConstraint(
                fields=["left", "right"],
                condition=Q(withdrawn_at__isnull=True),
                name="procedure_decision_one_live_per_pair",
            ),
        ]
