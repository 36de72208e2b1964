"""The parties of a case: victims (pseudonymised, identity encrypted) and suspects."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from ..identifiers import identifiers_clean, stored_identifiers
from .case import Case
from .history import track_changes

MAJORITY_AGE = 18


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class ConsentBy(models.TextChoices):
    VICTIM = "victim", _("La victime")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Son représentant légal")
    HEIRS = "heirs", _("Ses ayants droit")


@track_changes()
class Victim(models.Model):
    """A victim (victime). Shown everywhere by pseudonym; the identity is encrypted at rest and
    shown only to the association's lawyers on request (loi du 29 juillet 1881, art. 39 bis)."""

    IDENTITY_FIELDS = ("first_name", "last_name", "birth_date", "contact")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="victims", verbose_name=_("affaire"))
    pseudonym = models.CharField(
        _("pseudonyme"), max_length=20, editable=False, help_text=_("Attribué par l'affaire (V-001…), affiché partout.")
    )
    # null=True: the encrypted fields store an empty value as NULL, never as an encrypted "".
    first_name = EncryptedCharField(_("prénom"), max_length=200, blank=True, null=True)
    last_name = EncryptedCharField(_("nom"), max_length=200, blank=True, null=True)
    birth_date = EncryptedDateField(_("date de naissance"), null=True, blank=True)
    contact = EncryptedTextField(_("coordonnées"), blank=True, null=True, help_text=_("Adresse, téléphone, courriel."))
    facts_date = models.DateField(
        _("date des faits la concernant"), null=True, blank=True, help_text=_("Par défaut, le début des faits.")
    )
    age_at_facts = models.PositiveSmallIntegerField(
        _("âge au moment des faits"),
        null=True,
        blank=True,
        help_text=_("Calculé depuis la date de naissance quand elle est connue."),
    )
    minor_at_facts = models.BooleanField(
        _("mineure au moment des faits"), null=True, editable=False, help_text=_("Calculé : âge aux faits < 18 ans.")
    )
    deceased = models.BooleanField(_("décédée"), default=False)
    consent_given_on = models.DateField(
        _("accord donné le"),
        null=True,
        blank=True,
        help_text=_("Accord pour que l'association agisse (exigé notamment par les art. 2-2, 2-6 et 2-22 CPP)."),
    )
    consent_by = models.CharField(_("accord donné par"), max_length=25, choices=ConsentBy.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    identity_erased_at = models.DateTimeField(
        _("identité effacée le"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Droit à l'effacement (RGPD, art. 17) : l'identité et les notes sont effacées, le pseudonyme et "
            "l'historique judiciaire restent."
        ),
    )
    identity_erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("identité effacée par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pseudonym"]
        verbose_name = _("victime")
        verbose_name_plural = _("victimes")
        constraints = [
            models.UniqueConstraint(fields=["case", "pseudonym"], name="victim_unique_pseudonym_per_case"),
            models.CheckConstraint(
                condition=models.Q(consent_given_on__isnull=True) | ~models.Q(consent_by=""),
                name="victim_consent_says_by_whom",
                violation_error_message=_("Précisez qui a donné l'accord."),
            ),
        ]

    def __str__(self):
        return self.pseudonym

    def save(self, *args, **kwargs):
        facts = self.effective_facts_date
        if self.birth_date and facts and self.birth_date <= facts:
            self.age_at_facts = age_on(self.birth_date, facts)
        self.minor_at_facts = None if self.age_at_facts is None else self.age_at_facts < MAJORITY_AGE
        super().save(*args, **kwargs)

    @property
    def effective_facts_date(self) -> date | None:
        return self.facts_date or (self.case.facts_start if self.case_id else None)

    def clean(self):
        errors = {}
        facts = self.effective_facts_date
        if self.birth_date and facts and self.birth_date > facts:
            errors["birth_date"] = _("La victime ne peut être née après les faits.")
        if self.birth_date and self.birth_date > date.today():
            errors["birth_date"] = _("La date de naissance est dans le futur.")
        if self.consent_given_on and not self.consent_by:
            errors["consent_by"] = _("Précisez qui a donné l'accord.")
        if self.birth_date and facts and "birth_date" not in errors:
            # The birth date, when known, decides the age; a typed age is only for when it is not.
            self.age_at_facts = age_on(self.birth_date, facts)
        if errors:
            raise ValidationError(errors)

    @property
    def identity_display(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class SuspectStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Non identifié")
    IDENTIFIED = "identified", _("Identifié")
    IN_CUSTODY = "in_custody", _("En garde à vue")
    MIS_EN_EXAMEN = "mis_en_examen", _("Mis en examen")
    PREVENU = "prevenu", _("Prévenu")
    CONVICTED = "convicted", _("Condamné")
    ACQUITTED = "acquitted", _("Relaxé ou acquitté")


@track_changes()
class Suspect(models.Model):
    """A suspect (mis en cause), by pseudonym or name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspects", verbose_name=_("affaire"))
    name = models.CharField(
        _("nom ou pseudonyme"), max_length=200, help_text=_("Un pseudonyme (« M-1 », pseudo en ligne) ou le nom.")
    )
    age_at_facts = models.PositiveSmallIntegerField(_("âge au moment des faits"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=SuspectStatus.choices, default=SuspectStatus.UNKNOWN)
    pre_trial_detention = models.BooleanField(_("en détention provisoire"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # null=True: the encrypted fields store an empty value as NULL, never as an encrypted "".
    identifiers = EncryptedTextField(
        _("identifiants"),
        blank=True,
        null=True,
        default="",
        help_text=_(
            "Ce qui a été saisi à son sujet, un par ligne : compte, courriel, téléphone, IP ou identifiant, "
            "écrit « courriel:nom@exemple.fr » ou tel quel (le type est alors reconnu)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "name"]
        verbose_name = _("mis en cause")
        verbose_name_plural = _("mis en cause")

    def __str__(self):
        return self.name

    def identifier_list(self) -> list[tuple[str, str]]:
        """The stored identifiers as (kind, value): kinds of IdentifierKind (cases/identifiers.py);
        a blank or malformed line is left out."""
        return stored_identifiers(self.identifiers)

    def clean(self):
        # The form and the API give the canonical lines already; a service called directly may not.
        try:
            self.identifiers = identifiers_clean(self.identifiers)
        except ValidationError as error:
            raise ValidationError({"identifiers": error.messages}) from error
