"""Reference data shipped with the code: platforms, courts of appeal, parquets, offences."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .history import track_changes


@track_changes()
class Platform(models.Model):
    """An online platform (plateforme) that the procedures are linked to, e.g. Coco.gg."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    url = models.URLField(_("adresse"), blank=True)
    created_year = models.PositiveSmallIntegerField(_("année de création"), null=True, blank=True)
    registration_country = models.CharField(
        _("pays d'immatriculation"), max_length=80, blank=True, help_text=_("Là où la plateforme est immatriculée.")
    )
    operator = models.CharField(_("exploitant"), max_length=200, blank=True)
    operator_country = models.CharField(_("pays de l'exploitant"), max_length=80, blank=True)
    closed_on = models.DateField(_("fermée le"), null=True, blank=True, help_text=_("Date de fermeture effective."))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plateforme")
        verbose_name_plural = _("plateformes")

    def __str__(self):
        return self.name


class CourtOfAppeal(models.Model):
    """A cour d'appel: 36 in France; the procureur général of each hears art. 40-3 appeals."""

    code = models.CharField(_("numéro"), max_length=10, unique=True, help_text=_("N° CA de la liste officielle."))
    name = models.CharField(_("cour d'appel"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cour d'appel")
        verbose_name_plural = _("cours d'appel")

    def __str__(self):
        return self.name


class ParquetKind(models.TextChoices):
    TJ = "tj", _("Parquet d'un tribunal judiciaire")
    PNAT = "pnat", _("Parquet national antiterroriste")
    PNF = "pnf", _("Parquet national financier")
    PNACO = "pnaco", _("Parquet national anticriminalité organisée")
    JUNALCO = "junalco", _("JUNALCO (juridiction nationale de lutte contre la criminalité organisée)")


@track_changes()
class Parquet(models.Model):
    """A prosecution office (parquet): the one of a tribunal judiciaire, or a national office."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("N° TJ de la liste officielle, ou sigle du parquet national."),
    )
    name = models.CharField(_("parquet"), max_length=160, help_text=_("Par exemple « Parquet de Dunkerque »."))
    court = models.CharField(
        _("juridiction"), max_length=160, help_text=_("Le tribunal judiciaire (ou la juridiction nationale).")
    )
    court_of_appeal = models.ForeignKey(
        CourtOfAppeal, on_delete=models.PROTECT, related_name="parquets", verbose_name=_("cour d'appel")
    )
    kind = models.CharField(_("nature"), max_length=10, choices=ParquetKind.choices, default=ParquetKind.TJ)
    holiday_subdivision = models.CharField(
        _("subdivision des jours fériés"),
        max_length=5,
        blank=True,
        help_text=_(
            "Code de subdivision du paquet « holidays » : « 57 » ou « 6AE » (Alsace-Moselle : Vendredi saint et "
            "26 décembre), « 971 » à « 976 » (outre-mer). Vide pour la plupart des parquets."
        ),
    )
    active = models.BooleanField(
        _("en activité"), default=True, help_text=_("Faux pour un parquet historique (JUNALCO, remplacé par le PNACO).")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("parquet")
        verbose_name_plural = _("parquets")

    def __str__(self):
        return self.name

    @property
    def alsace_moselle(self) -> bool:
        return self.holiday_subdivision in {"57", "6AE", "67", "68"}


class OffenceNature(models.TextChoices):
    CRIME = "crime", _("Crime")
    DELIT = "delit", _("Délit")
    CONTRAVENTION = "contravention", _("Contravention")


class OffenceCategory(models.TextChoices):
    SEXUAL_OFFENCE_MINOR = "sexual_offence_minor", _("Infractions sexuelles sur mineurs")
    PROCURING = "procuring", _("Proxénétisme et prostitution")
    RAPE = "rape", _("Viol et agressions sexuelles")
    HOMICIDE = "homicide", _("Atteintes à la vie")
    VIOLENCE = "violence", _("Violences")
    DISCRIMINATION = "discrimination", _("Motif discriminatoire (orientation sexuelle)")
    DRUGS = "drugs", _("Stupéfiants")
    LAUNDERING = "laundering", _("Blanchiment")
    CRIMINAL_ASSOCIATION = "criminal_association", _("Association de malfaiteurs")
    PLATFORM = "platform", _("Plateforme en ligne illicite")
    THEFT = "theft", _("Vols et extorsions")
    OTHER = "other", _("Autres")


class PrescriptionRule(models.TextChoices):
    """Which period of the public action applies (art. 7 to 9-3 CPP)."""

    STANDARD = "standard", _("Droit commun (crime 20 ans, délit 6 ans, contravention 1 an)")
    MINOR_VICTIM = "minor_victim", _("Victime mineure, art. 706-47 : à compter de la majorité (art. 7 et 8)")
    MINOR_VICTIM_20Y = (
        "minor_victim_20y",
        _("Victime mineure, délit puni de 20 ans à compter de la majorité (art. 8 al. 3)"),
    )
    TERRORISM_DRUGS = "terrorism_drugs", _("Terrorisme, trafic de stupéfiants : crime 30 ans (art. 706-25-1, 706-26)")


@track_changes()
class Offence(models.Model):
    """An offence (infraction / qualification) as defined by a code article; NATINF when known."""

    label = models.CharField(_("libellé"), max_length=300)
    code = models.CharField(
        _("code"), max_length=40, default="Code pénal", help_text=_("Code qui définit l'infraction.")
    )
    article = models.CharField(_("article"), max_length=40, help_text=_("Article définissant l'infraction, ex. 225-7."))
    article_version_date = models.DateField(
        _("version de l'article"),
        null=True,
        blank=True,
        help_text=_("Date de la version consolidée citée (la numérotation du CPP doit changer vers 2029)."),
    )
    nature = models.CharField(_("nature"), max_length=15, choices=OffenceNature.choices)
    maximum_penalty = models.CharField(
        _("peine maximale"), max_length=200, blank=True, help_text=_("Par exemple « 10 ans d'emprisonnement ».")
    )
    maximum_prison_years = models.PositiveSmallIntegerField(
        _("emprisonnement maximal (années)"), null=True, blank=True, help_text=_("Vide si réclusion à perpétuité.")
    )
    prescription_rule = models.CharField(
        _("règle de prescription"), max_length=20, choices=PrescriptionRule.choices, default=PrescriptionRule.STANDARD
    )
    natinf = models.PositiveIntegerField(
        _("NATINF"), null=True, blank=True, help_text=_("Code NATINF du ministère de la Justice, quand il est connu.")
    )
    categories = ArrayField(
        models.CharField(max_length=30, choices=OffenceCategory.choices),
        verbose_name=_("catégories"),
        default=list,
        blank=True,
    )
    continuing = models.BooleanField(
        _("infraction continue ou d'habitude"),
        default=False,
        help_text=_("La prescription court de la fin du comportement (détention, recel, association de malfaiteurs…)."),
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Texte consolidé lu : article, version, site.")
    )

    class Meta:
        ordering = ["code", "article", "label"]
        verbose_name = _("infraction")
        verbose_name_plural = _("infractions")
        constraints = [
            models.UniqueConstraint(
                fields=["natinf"], condition=models.Q(natinf__isnull=False), name="offence_unique_natinf"
            ),
            models.UniqueConstraint(
                fields=["code", "article", "label"],
                condition=models.Q(natinf__isnull=True),
                name="offence_unique_article_label_without_natinf",
            ),
            # The statistics count a procedure in each category of its offences: an unknown one
            # would be counted nowhere.
            models.CheckConstraint(
                condition=models.Q(categories__contained_by=OffenceCategory.values),
                name="offence_categories_known",
                violation_error_message=_("Catégorie d'infraction inconnue."),
            ),
        ]

    def __str__(self):
        return f"{self.label} (art. {self.article})"
