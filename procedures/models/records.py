"""What happens in a procedure: referrals, civil-party filings, hearings, decisions, events."""

from datetime import date

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Association, Case, Parquet
from cases.models.history import track_changes

from .procedure import Procedure


class ReferralKind(models.TextChoices):
    ARTICLE_40 = "article_40", _("Signalement article 40 (art. 40 al. 2 CPP)")
    PLAINTE_SIMPLE = "plainte_simple", _("Plainte simple (art. 15-3 CPP)")
    PACPC = "pacpc", _("Plainte avec constitution de partie civile (art. 85 CPP)")
    CITATION_DIRECTE = "citation_directe", _("Citation directe (art. 390, 392-1 CPP)")
    PHAROS = "pharos", _("Signalement Pharos")
    OTHER = "other", _("Autre signalement")


class ComplaintLodgedWith(models.TextChoices):
    """Where a plainte simple was lodged: only the first two start the 3 months of art. 85 al. 2."""

    PROCUREUR = "procureur", _("Auprès du procureur de la République (récépissé ou lettre recommandée)")
    POLICE_COPY_TO_PROCUREUR = (
        "police_copy",
        _("Service de police ou de gendarmerie, copie adressée au procureur en recommandé"),
    )
    POLICE = "police", _("Service de police ou de gendarmerie seulement")


class ReferralAnswer(models.TextChoices):
    NONE = "", _("Pas de réponse")
    PROSECUTION = "prosecution", _("Poursuites")
    ALTERNATIVE = "alternative", _("Alternative aux poursuites")
    CLASSEMENT = "classement", _("Classement sans suite")
    INVESTIGATION = "investigation", _("Enquête ouverte")


@track_changes()
class Referral(models.Model):
    """How facts reached a parquet (saisine / signalement): an article 40 notice, a complaint…"""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("affaire"))
    kind = models.CharField(_("nature"), max_length=20, choices=ReferralKind.choices)
    author = models.CharField(
        _("auteur"), max_length=200, help_text=_("Ex. « Gérald Darmanin, ministre de l'Intérieur », ou l'association.")
    )
    author_association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("association auteur"),
    )
    recipient = models.CharField(_("destinataire"), max_length=200, help_text=_("Autorité saisie."))
    recipient_parquet = models.ForeignKey(
        Parquet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parquet destinataire"),
    )
    sent_on = models.DateField(_("envoyé le"))
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    lodged_with = models.CharField(
        _("plainte déposée"),
        max_length=20,
        choices=ComplaintLodgedWith.choices,
        blank=True,
        help_text=_("Plainte simple : le délai de trois mois de l'art. 85 ne court que d'une plainte au procureur."),
    )
    subject = models.TextField(_("objet"), blank=True)
    acknowledged_on = models.DateField(_("accusé de réception le"), null=True, blank=True)
    answer_received_on = models.DateField(
        _("réponse reçue le"), null=True, blank=True, help_text=_("Avis de la décision du procureur (art. 40-2 CPP).")
    )
    answer = models.CharField(_("réponse"), max_length=20, choices=ReferralAnswer.choices, blank=True)
    answer_details = models.TextField(_("détail de la réponse"), blank=True)
    general_prosecutor_appeal_on = models.DateField(
        _("recours au procureur général le"),
        null=True,
        blank=True,
        help_text=_("Recours contre un classement (art. 40-3 CPP, sans délai légal)."),
    )
    procedures = models.ManyToManyField(
        Procedure, blank=True, related_name="referrals", verbose_name=_("procédures ouvertes")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "sent_on", "pk"]
        verbose_name = _("saisine")
        verbose_name_plural = _("saisines")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_on__isnull=True) | Q(acknowledged_on__gte=F("sent_on")),
                name="referral_acknowledged_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(answer_received_on__isnull=True) | Q(answer_received_on__gte=F("sent_on")),
                name="referral_answer_after_sent",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.sent_on:%d/%m/%Y}"

    def clean(self):
        errors = {}
        if self.acknowledged_on and self.sent_on and self.acknowledged_on < self.sent_on:
            errors["acknowledged_on"] = _("L'accusé de réception ne peut précéder l'envoi.")
        if self.answer_received_on and self.sent_on and self.answer_received_on < self.sent_on:
            errors["answer_received_on"] = _("La réponse ne peut précéder l'envoi.")
        if self.general_prosecutor_appeal_on and self.answer != ReferralAnswer.CLASSEMENT:
            errors["general_prosecutor_appeal_on"] = _("Le recours de l'art. 40-3 ne vise qu'un classement sans suite.")
        if errors:
            raise ValidationError(errors)

    @property
    def awaiting_answer(self) -> bool:
        """Art. 40-2: the procureur must tell whoever reported what was decided."""
        return self.kind in {ReferralKind.ARTICLE_40, ReferralKind.PLAINTE_SIMPLE} and not self.answer_received_on

    @property
    def general_prosecutor_appeal_open(self) -> bool:
        """Art. 40-3: after a classement, an appeal to the procureur général is the follow-up action."""
        return self.answer == ReferralAnswer.CLASSEMENT and not self.general_prosecutor_appeal_on


class FilingMode(models.TextChoices):
    PACPC = "art85", _("Plainte avec constitution de partie civile (art. 85)")
    INTERVENTION = "art87", _("Intervention à l'instruction (art. 87)")
    HEARING = "art418", _("À l'audience, avant les réquisitions (art. 418 à 420)")
    LETTER = "art420_1", _("Par lettre reçue 24 h avant l'audience (art. 420-1)")
    CITATION = "citation", _("Par citation directe (art. 390, 392-1)")


class LegalBasis(models.TextChoices):
    ART_2_2 = "2-2", _("Art. 2-2 CPP (violences sexuelles)")
    ART_2_3 = "2-3", _("Art. 2-3 CPP (enfance maltraitée)")
    ART_2_6 = "2-6", _("Art. 2-6 CPP (discriminations sexe, orientation, identité de genre)")
    ART_2_9 = "2-9", _("Art. 2-9 CPP (victimes du terrorisme)")
    ART_2_16 = "2-16", _("Art. 2-16 CPP (toxicomanie, trafic de stupéfiants)")
    ART_2_22 = "2-22", _("Art. 2-22 CPP (traite, proxénétisme)")
    NONE = "none", _("Aucun article applicable (motif à préciser)")


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    FILED = "filed", _("Déposée")
    ADMITTED = "admitted", _("Recevable")
    INADMISSIBLE = "inadmissible", _("Irrecevable")
    WITHDRAWN = "withdrawn", _("Désistement")


@track_changes()
class Filing(models.Model):
    """An association's constitution de partie civile in a procedure, with the eligibility
    explanation as it stood when it was filed."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="filings", verbose_name=_("procédure")
    )
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="filings", verbose_name=_("association")
    )
    mode = models.CharField(_("mode"), max_length=15, choices=FilingMode.choices)
    legal_basis = models.CharField(_("fondement"), max_length=10, choices=LegalBasis.choices)
    eligibility_snapshot = models.JSONField(
        _("analyse de recevabilité"),
        default=dict,
        blank=True,
        help_text=_("Figée au dépôt : articles, conditions, sources."),
    )
    override_reason = models.TextField(
        _("motif du dépôt sans article applicable"),
        blank=True,
        help_text=_("Exigé si l'analyse ne trouve aucun article."),
    )
    status = models.CharField(_("statut"), max_length=15, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    filed_on = models.DateField(_("déposée le"), null=True, blank=True)
    consignation_amount = models.DecimalField(
        _("consignation (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Fixée par le juge (art. 88)."),
    )
    consignation_due_on = models.DateField(_("consignation à verser avant le"), null=True, blank=True)
    consignation_paid_on = models.DateField(_("consignation versée le"), null=True, blank=True)
    damages_claimed = models.DecimalField(
        _("dommages et intérêts demandés (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    damages_awarded = models.DecimalField(
        _("dommages et intérêts alloués (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["procedure", "filed_on", "pk"]
        verbose_name = _("constitution de partie civile")
        verbose_name_plural = _("constitutions de partie civile")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["filed", "admitted", "inadmissible"]) | Q(filed_on__isnull=False),
                name="filing_filed_has_a_date",
                violation_error_message=_("Une constitution déposée a une date de dépôt."),
            ),
            models.CheckConstraint(
                condition=Q(consignation_amount__isnull=True) | Q(consignation_amount__gte=0),
                name="filing_consignation_positive",
            ),
        ]

    def __str__(self):
        return f"{self.association} — {self.get_mode_display()}"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Prévue")
    HELD = "held", _("Tenue")
    POSTPONED = "postponed", _("Renvoyée")
    CANCELLED = "cancelled", _("Annulée")


class DefendantResidence(models.TextChoices):
    """Where the person cited lives, for the délai de comparution (art. 552 CPP)."""

    SAME_TERRITORY = "same_territory", _("Métropole, ou outre-mer devant un tribunal du même département")
    OTHER_TERRITORY = "other_territory", _("Outre-mer cité en métropole, ou l'inverse (+ 1 mois)")
    EU = "eu", _("Autre État de l'Union européenne (+ 1 mois)")
    ABROAD = "abroad", _("Hors de l'Union européenne (+ 2 mois)")


# Code de procédure pénale (loi n° 57-1426 du 31 décembre 1957, ordonnance n° 58-1296 du
# 23 décembre 1958), in force since 2 March 1959 (ordonnance n° 58-1296, art. 2).
CPP_IN_FORCE = date(1959, 3, 2)


@track_changes()
class Hearing(models.Model):
    """A hearing (audience)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="hearings", verbose_name=_("procédure")
    )
    starts_at = models.DateTimeField(_("date et heure"))
    court = models.CharField(
        _("juridiction et chambre"), max_length=200, help_text=_("Ex. tribunal correctionnel de Valenciennes.")
    )
    purpose = models.CharField(_("objet"), max_length=200, blank=True)
    status = models.CharField(
        _("statut"), max_length=15, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    summoned_by_association = models.BooleanField(
        _("citation directe de l'association"),
        default=False,
        help_text=_("L'association fait citer le prévenu : délai de comparution de l'art. 552 à respecter."),
    )
    defendant_residence = models.CharField(
        _("résidence de la personne citée"),
        max_length=20,
        choices=DefendantResidence.choices,
        default=DefendantResidence.SAME_TERRITORY,
        help_text=_("Allonge le délai de comparution (art. 552)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self):
        return f"{self.court} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def clean(self):
        # The hearings tracked are under the CPP, in force since 2 March 1959: an earlier year is a
        # typing error (and Paris time before 1911 is not a whole-minute offset, which RFC 3339
        # dates of the API cannot write).
        if self.starts_at and self.starts_at.date() < CPP_IN_FORCE:
            raise ValidationError(
                {"starts_at": _("Date antérieure au code de procédure pénale (1959) : vérifiez l'année.")}
            )
        if self.status == HearingStatus.SCHEDULED and self.starts_at and self.starts_at < timezone.now():
            raise ValidationError(
                {"starts_at": _("Une audience passée ne peut être « prévue » : indiquez si elle s'est tenue.")}
            )


class PrevenuCharacter(models.TextChoices):
    """The judgment's character towards the prévenu (art. 410 to 412, 487 to 494 CPP)."""

    CONTRADICTOIRE = "contradictoire", _("Contradictoire")
    CONTRADICTOIRE_A_SIGNIFIER = "contradictoire_a_signifier", _("Contradictoire à signifier (art. 410, 411)")
    DEFAUT = "defaut", _("Par défaut (art. 412, 487)")
    ITERATIF_DEFAUT = "iteratif_defaut", _("Itératif défaut (art. 494)")


class AssociationPresence(models.TextChoices):
    """The association's own situation when the decision was delivered (art. 498 al. 2, 568 al. 2)."""

    PRESENT = "present", _("Présente ou représentée")
    ABSENT_INFORMED = "absent_informed", _("Absente, informée de la date du prononcé")
    ABSENT_NOT_INFORMED = "absent_not_informed", _("Absente et non informée de la date du prononcé")


class OrderKind(models.TextChoices):
    """Orders of the juge d'instruction; only those of art. 186, 186-1 and 186-3 are open to the partie civile."""

    NON_INFORMER = "non_informer", _("Refus d'informer (art. 86) — appel art. 186 al. 2")
    NON_LIEU = "non_lieu", _("Non-lieu (art. 177) — appel art. 186 al. 2")
    CIVIL_INTERESTS = "civil_interests", _("Autre ordonnance faisant grief aux intérêts civils — appel art. 186 al. 2")
    CONSTITUTION_INADMISSIBLE = (
        "constitution_inadmissible",
        _("Irrecevabilité de la constitution de partie civile (art. 87) — appel art. 186 al. 2"),
    )
    JURISDICTION = "jurisdiction", _("Ordonnance sur la compétence — appel art. 186 al. 3")
    ACTS_REFUSED = "acts_refused", _("Refus d'actes demandés (art. 81, 82-1, 156, 167) — appel art. 186-1")
    REFERRAL_CORRECTIONNEL = (
        "referral_correctionnel",
        _("Renvoi devant le tribunal correctionnel — appel art. 186-3 si les faits constituent un crime"),
    )
    INDICTMENT = "indictment", _("Mise en accusation (art. 181) — pas d'appel de la partie civile")
    OTHER = "other", _("Autre ordonnance (mise en examen, détention, contrôle judiciaire…) — pas d'appel")
    UNSPECIFIED = "unspecified", _("Nature non précisée (décision saisie avant sa distinction)")


class DecisionKind(models.TextChoices):
    JUDGMENT_CORRECTIONNEL = "judgment_correctionnel", _("Jugement du tribunal correctionnel")
    VERDICT_ASSISES = "verdict_assises", _("Arrêt de la cour d'assises")
    INSTRUCTION_ORDER = "instruction_order", _("Ordonnance du juge d'instruction")
    APPEAL_JUDGMENT = "appeal_judgment", _("Arrêt de la cour d'appel")
    CASSATION = "cassation", _("Arrêt de la Cour de cassation")
    PROSECUTOR_DECISION = "prosecutor_decision", _("Décision du procureur (classement, alternative)")


@track_changes()
class Decision(models.Model):
    """A decision (décision). Recording one opens the deadlines the CPP attaches to it."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("procédure")
    )
    kind = models.CharField(_("nature"), max_length=30, choices=DecisionKind.choices)
    decided_on = models.DateField(_("rendue le"))
    outcome = models.CharField(
        _("sens"), max_length=15, choices=Procedure._meta.get_field("outcome").choices, blank=True
    )
    prevenu_character = models.CharField(
        _("caractère à l'égard du prévenu"),
        max_length=30,
        choices=PrevenuCharacter.choices,
        default=PrevenuCharacter.CONTRADICTOIRE,
        help_text=_("Ouvre les voies du prévenu (opposition, art. 489 à 492) : information pour l'association."),
    )
    association_presence = models.CharField(
        _("situation de l'association au prononcé"),
        max_length=30,
        choices=AssociationPresence.choices,
        default=AssociationPresence.PRESENT,
        help_text=_("Art. 498 et 568 : le délai de l'association court du prononcé, sauf absente et non informée."),
    )
    order_kind = models.CharField(
        _("nature de l'ordonnance"),
        max_length=30,
        choices=OrderKind.choices,
        blank=True,
        help_text=_("La partie civile ne peut faire appel que des ordonnances des art. 186, 186-1 et 186-3."),
    )
    notified_on = models.DateField(
        _("notifiée ou signifiée à l'association le"),
        null=True,
        blank=True,
        help_text=_("Point de départ quand la loi le prévoit (186, 498 al. 2, 568 al. 2)."),
    )
    prevenu_served_on = models.DateField(
        _("signifiée au prévenu le"),
        null=True,
        blank=True,
        help_text=_("Point de départ de l'opposition et de l'appel du prévenu (art. 491, 498 al. 2, 499)."),
    )
    prevenu_outside_metropole = models.BooleanField(
        _("prévenu résidant hors de la France métropolitaine"),
        default=False,
        help_text=_("Opposition dans un mois au lieu de dix jours (art. 491)."),
    )
    summary = models.TextField(_("dispositif"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_on__gte=F("decided_on")),
                name="decision_notified_after_decided",
            ),
            models.CheckConstraint(
                condition=Q(prevenu_served_on__isnull=True) | Q(prevenu_served_on__gte=F("decided_on")),
                name="decision_served_after_decided",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.decided_on:%d/%m/%Y}"

    def clean(self):
        errors = {}
        if (
            self.procedure_id
            and self.procedure.opened_on
            and self.decided_on
            and self.decided_on < self.procedure.opened_on
        ):
            errors["decided_on"] = _("Une décision ne peut précéder l'ouverture de la procédure.")
        if self.notified_on and self.decided_on and self.notified_on < self.decided_on:
            errors["notified_on"] = _("La notification ne peut précéder la décision.")
        if self.prevenu_served_on and self.decided_on and self.prevenu_served_on < self.decided_on:
            errors["prevenu_served_on"] = _("La signification ne peut précéder la décision.")
        if self.kind == DecisionKind.INSTRUCTION_ORDER and not self.order_kind:
            errors["order_kind"] = _(
                "Précisez la nature de l'ordonnance : seules certaines ouvrent l'appel (art. 186)."
            )
        if self.kind != DecisionKind.INSTRUCTION_ORDER and self.order_kind:
            errors["order_kind"] = _("La nature d'ordonnance ne concerne que les ordonnances du juge d'instruction.")
        if errors:
            raise ValidationError(errors)


class EventKind(models.TextChoices):
    REFERRAL = "referral", _("Saisine")
    PROCEDURE_OPENED = "procedure_opened", _("Ouverture de procédure")
    TRANSFER = "transfer", _("Dessaisissement")
    FILING = "filing", _("Constitution de partie civile")
    HEARING = "hearing", _("Audience")
    DECISION = "decision", _("Décision")
    APPEAL = "appeal", _("Appel interjeté")
    APPEAL_PROCUREUR_GENERAL = "appeal_procureur_general", _("Appel du procureur général (art. 505)")
    AVIS_175 = "avis_175", _("Avis de fin d'information (art. 175)")
    DECLARATION_175 = "declaration_175", _("Déclaration d'intention de l'association (art. 175 III)")
    ALTERNATIVE_41_1 = "alternative_41_1", _("Mesure alternative aux poursuites (art. 41-1, suspend la prescription)")
    REQUISITOIRE = "requisitoire", _("Réquisitoire définitif")
    CUSTODY = "custody", _("Garde à vue, mise en examen")
    OTHER = "other", _("Autre étape")


class Event(models.Model):
    """A dated step of a case: every referral, filing, hearing and decision writes one, and other
    steps are recorded directly, so a case's timeline is one ordered query."""

    # related_name "timeline": "events" is pghistory's name for the history of Case and Procedure.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("affaire"))
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, null=True, blank=True, related_name="timeline", verbose_name=_("procédure")
    )
    kind = models.CharField(_("nature"), max_length=30, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("intitulé"), max_length=300)
    details = models.TextField(_("détails"), blank=True)
    # The record this event stands for, when there is one (a referral, a hearing…).
    source_model = models.CharField(max_length=40, blank=True, editable=False)
    source_id = models.BigIntegerField(null=True, blank=True, editable=False)
    interrupts_prescription = models.BooleanField(
        _("interrompt la prescription"),
        default=False,
        help_text=_(
            "Acte d'enquête, de poursuite, d'instruction ou jugement (art. 9-2 1° à 4° CPP) ; pas un classement."
        ),
    )
    suspends_prescription = models.BooleanField(
        _("suspend la prescription"),
        default=False,
        help_text=_("Mesure de l'art. 41-1 CPP (dernier alinéa) : suspend jusqu'à la décision du procureur."),
    )
    suspension_ends_on = models.DateField(
        _("fin de la suspension"), null=True, blank=True, help_text=_("Vide tant que la mesure est en cours.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        indexes = [models.Index(fields=["case", "occurred_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source_model", "source_id"], condition=~Q(source_model=""), name="event_one_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on:%d/%m/%Y} — {self.title}"


Event = track_changes(level=pghistory.Statement)(Event)
