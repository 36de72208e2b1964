"""A case's proceedings at one parquet."""

import re

import pghistory
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from cases.models import Association, Case, Offence, Parquet, Suspect, Victim
from cases.models.history import track_changes


def normalise_parquet_reference(reference: str) -> str:
    """Parquet numbers differ by court: keep the text, ignore only case and spacing (domain.md)."""
    return re.sub(r"\s+", " ", reference or "").strip().upper()


class Stage(models.TextChoices):
    ENQUETE = "enquete", _("Enquête")
    INSTRUCTION = "instruction", _("Instruction")
    JUGEMENT = "jugement", _("Jugement")
    APPEL = "appel", _("Appel")
    CASSATION = "cassation", _("Cassation")
    EXECUTION = "execution", _("Exécution")


# Stages at which the public action has been set in motion (mise en mouvement de l'action
# publique: réquisitoire introductif, citation or PACPC), which art. 2-3, 2-16 and 2-22 require.
PUBLIC_ACTION_STAGES = {Stage.INSTRUCTION, Stage.JUGEMENT, Stage.APPEL, Stage.CASSATION, Stage.EXECUTION}


class Outcome(models.TextChoices):
    PENDING = "pending", _("En cours")
    CLASSEMENT = "classement", _("Classement sans suite")
    ALTERNATIVE = "alternative", _("Alternative aux poursuites")
    POURSUITES = "poursuites", _("Poursuites engagées")
    NON_LIEU = "non_lieu", _("Non-lieu")
    CONVICTION = "conviction", _("Condamnation")
    ACQUITTAL = "acquittal", _("Relaxe ou acquittement")
    TRANSFERRED = "transferred", _("Dessaisissement au profit d'un autre parquet")


def _search_key():
    """The parquet number's letters and digits, upper case: what both search indexes hold."""
    return models.Func(
        Upper("parquet_reference"),
        models.Value("[^0-9A-Z]"),
        models.Value(""),
        models.Value("g"),
        function="REGEXP_REPLACE",
    )


@track_changes(level=pghistory.Statement)
class Procedure(models.Model):
    """The proceedings (procédure) opened by one parquet for a case. A transfer (dessaisissement)
    creates a new procedure at the receiving parquet pointing to the one it came from."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("affaire"))
    # Copied from the case: tenancy filters and uniqueness per association without a join.
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+", editable=False)
    parquet = models.ForeignKey(Parquet, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("parquet"))
    parquet_reference = models.CharField(
        _("numéro de parquet"),
        max_length=80,
        help_text=_("Tel que le parquet l'écrit (format propre à chaque juridiction)."),
    )
    normalised_reference = models.CharField(max_length=80, editable=False)
    opened_on = models.DateField(_("ouverte le"), null=True, blank=True)
    stage = models.CharField(_("stade"), max_length=15, choices=Stage.choices, default=Stage.ENQUETE)
    outcome = models.CharField(_("issue"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING)
    classement_reason = models.CharField(
        _("motif du classement"), max_length=200, blank=True, help_text=_("Communiqué au plaignant (art. 40-2 CPP).")
    )
    investigating_service = models.CharField(
        _("service enquêteur"),
        max_length=200,
        blank=True,
        help_text=_("Ex. UNCyber, OFMIN, commissariat de Dunkerque."),
    )
    investigating_judge = models.CharField(_("juge d'instruction"), max_length=200, blank=True)
    victims = models.ManyToManyField(Victim, blank=True, related_name="procedures", verbose_name=_("victimes"))
    suspects = models.ManyToManyField(Suspect, blank=True, related_name="procedures", verbose_name=_("mis en cause"))
    offences = models.ManyToManyField(Offence, blank=True, related_name="procedures", verbose_name=_("qualifications"))
    suspect_detained = models.BooleanField(
        _("mis en examen détenu"), default=False, help_text=_("Raccourcit les délais de l'art. 175 CPP.")
    )
    conduct_ended_on = models.DateField(
        _("fin du comportement"),
        null=True,
        blank=True,
        help_text=_("Infraction continue ou d'habitude : la prescription court de la fin du comportement."),
    )
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transférée depuis"),
        help_text=_("La procédure du parquet qui s'est dessaisi."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # case_id, not case: "case" would sort by the case's own ordering, through a join.
        ordering = ["case_id", "opened_on", "pk"]
        verbose_name = _("procédure")
        verbose_name_plural = _("procédures")
        constraints = [
            # Unique per parquet within an association: two associations following the same real
            # procedure each keep their own record (tenancy), but one association never twice.
            models.UniqueConstraint(
                fields=["association", "parquet", "normalised_reference"],
                name="procedure_unique_reference_per_parquet",
                violation_error_code="unique",
                violation_error_message=_("Ce numéro de parquet est déjà enregistré pour ce parquet."),
            ),
        ]
        indexes = [
            models.Index(fields=["association", "opened_on"]),
            # The lists' order: a page of procedures is read from the index, not sorted.
            models.Index(fields=["case", "opened_on", "id"], name="procedure_case_opened_idx"),
            # The list's other sorts, read from an index too (EXPLAIN: no sort of the case's rows).
            models.Index(fields=["case", "normalised_reference", "id"], name="procedure_case_number_idx"),
            models.Index(fields=["case", "stage", "id"], name="procedure_case_stage_idx"),
            models.Index(fields=["case", "updated_at", "id"], name="procedure_case_updated_idx"),
            # Search by parquet number whatever its spacing, slashes or dots ("24/123.456" =
            # "24123456"): the key procedures.procedure_list.parquet_search_key computes.
            models.Index(
                OpClass(
                    _search_key(),
                    name="text_pattern_ops",
                ),
                name="procedure_search_key_idx",
            ),
            # "Part of the number is enough": LIKE '%…%' on the same key, through trigrams.
            GinIndex(
                OpClass(
                    _search_key(),
                    name="gin_trgm_ops",
                ),
                name="procedure_search_key_trgm_idx",
            ),
        ]

    def __str__(self):
        return f"{self.parquet} n° {self.parquet_reference}"

    def save(self, *args, **kwargs):
        self.normalised_reference = normalise_parquet_reference(self.parquet_reference)
        self.association_id = self.case.association_id
        super().save(*args, **kwargs)

    def clean(self):
        self.normalised_reference = normalise_parquet_reference(self.parquet_reference)
        if self.case_id:
            self.association_id = self.case.association_id
        if self.transferred_from_id and self.transferred_from.case_id != self.case_id:
            raise ValidationError({"transferred_from": _("La procédure d'origine doit appartenir à la même affaire.")})
        if self.transferred_from_id and self.transferred_from.parquet_id == self.parquet_id:
            raise ValidationError({"transferred_from": _("Un dessaisissement change de parquet.")})

    @property
    def public_action_started(self) -> bool:
        return self.stage in PUBLIC_ACTION_STAGES or self.outcome in {Outcome.POURSUITES, Outcome.CONVICTION}

    def parquet_chain(self) -> list["Procedure"]:
        """This procedure and the ones it was transferred from, oldest first."""
        chain, current = [], self
        while current is not None:
            chain.append(current)
            current = current.transferred_from
        return list(reversed(chain))
