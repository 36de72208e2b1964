"""The deadline rules as versioned data: each period, whose right it is, the text that sets it, each
version with the dates it was in force and where it was read. procedures/deadlines.py computes them.

A version is chosen by the date of the triggering event (a decision delivered on 29 Sept. 2024 keeps
the old 5-day pourvoi). A citation is chosen the same way, so the numbering of the rewritten code
(ordonnance n° 2025-1091 of 19 Nov. 2025, in force 1 Jan. 2029 under its art. 57, tricoteuses.fr)
applies to events from that date, where the new article could be read; elsewhere the old number is
kept and the computation says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Party(StrEnum):
    ASSOCIATION = "association"
    PREVENU = "prevenu"
    MINISTERE_PUBLIC = "ministere_public"


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    JOURS_FRANCS = "jours_francs"
    HOURS = "hours"
    FIXED_DATE = "fixed_date"  # due on the date a judge set: the trigger is that date


class Direction(StrEnum):
    FORWARD = "forward"  # the result is the last day to act (art. 801 prorogation applies)
    EARLIEST = "earliest"  # a waiting period: the result is the first day the act is admissible
    BACKWARD = "backward"  # counted back from a future event: the last day before it


class NoVersionInForce(ValueError):
    """No version of the rule was in force on the date asked (the rule did not exist yet)."""


NEW_CODE_IN_FORCE = date(2029, 1, 1)


def _fr(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _in_force(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


@dataclass(frozen=True)
class RuleVersion:
    valid_from: date | None  # None: in force before any date this product deals with
    valid_until: date | None  # inclusive; None: still in force
    length: int
    unit: Unit
    direction: Direction
    enacted_by: str
    source: str  # the words that set the period, and where they were read


@dataclass(frozen=True)
class Citation:
    article: str
    code: str
    valid_from: date | None
    valid_until: date | None
    source: str = ""

    def label(self) -> str:
        return f"art. {self.article} {self.code}"


@dataclass(frozen=True)
class Rule:
    key: str
    label_fr: str
    party: Party
    trigger_fr: str
    versions: tuple[RuleVersion, ...]
    citations: tuple[Citation, ...]
    # Rule keys whose deadline opens once the act governed by this rule is done.
    opens: tuple[str, ...] = ()
    # Forward: this period starts at the (prorogued) end of that rule's period for the same trigger.
    # Backward: this period is added to that rule's period (art. 552: ten days « augmenté d'un mois »).
    counted_after: str | None = None
    safety_margin_fr: str = ""
    notes_fr: tuple[str, ...] = ()

    def version_on(self, day: date) -> RuleVersion:
        for version in self.versions:
            if _in_force(version.valid_from, version.valid_until, day):
                return version
        starts = [version.valid_from for version in self.versions if version.valid_from]
        since = f" (en vigueur à partir du {_fr(min(starts))})" if starts else ""
        raise NoVersionInForce(
            f"Aucune version de l'{self.citation_on(day)} n'était en vigueur le {_fr(day)} pour « {self.label_fr} » : "
            f"ce délai n'existait pas à cette date{since}."
        )

    def citation_for(self, day: date) -> Citation:
        for citation in self.citations:
            if _in_force(citation.valid_from, citation.valid_until, day):
                return citation
        return self.citations[-1]

    def citation_on(self, day: date) -> str:
        return self.citation_for(day).label()

    @property
    def article(self) -> str:
        """Today's citation without « art. », e.g. « 568 CPP »."""
        return self.citation_on(date.today()).removeprefix("art. ")

    @property
    def current_version(self) -> RuleVersion:
        return self.versions[-1]

    @property
    def direction(self) -> Direction:
        return self.current_version.direction

    @property
    def unit(self) -> Unit:
        return self.current_version.unit

    @property
    def source(self) -> str:
        return self.current_version.source


def _v(length, unit, direction=Direction.FORWARD, *, by, src, start=None, end=None) -> RuleVersion:
    return RuleVersion(start, end, length, unit, direction, by, SOURCES[src])


D, M, JF, H = Unit.DAYS, Unit.MONTHS, Unit.JOURS_FRANCS, Unit.HOURS
A, P, MP = Party.ASSOCIATION, Party.PREVENU, Party.MINISTERE_PUBLIC
CODE_1958 = "ordonnance n° 58-1296 du 23 déc. 1958, délai inchangé depuis"
UNDATED = "rédaction en vigueur, date de la dernière modification non vérifiée"
LOI_2000_516 = "loi n° 2000-516 du 15 juin 2000 (en vigueur le 1er janv. 2001)"
LOI_2007_291 = "loi n° 2007-291 du 5 mars 2007 (en vigueur le 1er juill. 2007)"
LOI_2009_1436 = "loi n° 2009-1436 du 24 nov. 2009, art. 73"
LOI_2019_222_56 = "loi n° 2019-222 du 23 mars 2019, art. 56 (en vigueur le 1er juin 2019)"

# Where each period was read (the words that set it). Art. 175: versions of 1 July 2007, 5 June 2016
# and 1 June 2019 on doctrine.fr (LEGIARTI000006575787); the 2016 text gave the same 1 / 3 months
# and 10 days / 1 month. Loi 2023-1059 art. 13 amended it for avis from 30 Sept. 2024 (its art. 60
# IV): that text was not read; the new code (art. L3451-x, tricoteuses.fr) keeps 1 / 3 months.
SOURCES = {
    "498": "Art. 498 al. 1 CPP : « dans le délai de dix jours à compter du prononcé du jugement contradictoire » (Crim. 14 janv. 2014, n° 12-84.592, courdecassation.fr)",
    "499": "Art. 499 CPP : « le délai d'appel ne court qu'à compter de la signification du jugement, quel qu'en soit le mode » (BOFiP 13E3384)",
    "500": "Art. 500 CPP : « les autres parties ont un délai supplémentaire de cinq jours pour interjeter appel » ; point de départ : l'expiration du délai de dix jours, prorogé le cas échéant (Legibase, « L'appel incident »)",
    "505-1960": "Art. 505 CPP : « dans le délai de deux mois à compter du jour du prononcé du jugement » (tricoteuses.fr, LEGIARTI000006576767, version du 8 juin 1960 au 26 nov. 2009)",
    "505-2009": "Art. 505 al. 1 CPP : « dans le délai de vingt jours à compter du jour du prononcé de la décision » (doctrine.fr, version du 26/11/2009)",
    "505-2": "Art. 505 al. 2 CPP : « les autres parties ont alors un délai de cinq jours pour interjeter appel incident » (doctrine.fr, version du 26/11/2009)",
    "380-9": "Art. 380-9 CPP : « L'appel est interjeté dans le délai de dix jours à compter du prononcé de l'arrêt » (Légifrance, version en vigueur depuis le 01/01/2001)",
    "380-10": "Art. 380-10 CPP : « un délai supplémentaire de cinq jours pour interjeter appel », même computation que l'art. 500",
    "186": "Art. 186 al. 4 CPP : « dans les dix jours qui suivent la notification ou la signification de la décision » ; délai non franc (vagneux.fr, 13 oct. 2022 ; Crim. n° 16-86.853)",
    "185-old": "Art. 185 al. 2 CPP : « dans les cinq jours qui suivent la notification de la décision » (admi.net)",
    "185-2019": "Art. 185 al. 2 CPP : « dans les dix jours qui suivent la notification de la décision » (lexbase L7480LPQ ; simonnetavocat.fr : « auparavant de cinq jours »)",
    "185-3": "Art. 185 al. 3 CPP : « un délai d'appel incident de cinq jours supplémentaires à compter de l'appel de la personne mise en examen » (admi.net, lexbase)",
    "491": "Art. 491 CPP : « dix jours si le prévenu réside en France métropolitaine » (doctrine.fr, version unique depuis le 2 mars 1959)",
    "491-outside": "Art. 491 CPP : « un mois s'il réside hors de ce territoire » (doctrine.fr, version unique depuis le 2 mars 1959)",
    "568-1960": "Art. 568 CPP : « cinq jours francs après celui où la décision attaquée a été prononcée » (admi.net)",
    "568-2004": "Art. 568 CPP : « cinq jours francs après celui où la décision attaquée a été prononcée » (doctrine.fr, version du 01/10/2004)",
    "568-2024": "Art. 568 CPP : « dix jours francs » pour les décisions rendues à compter du 30 septembre 2024 (loi n° 2023-1059, art. 60 IV, lexbase ; alinea-avocats.eu)",
    "85": "Art. 85 al. 2 CPP : « un délai de trois mois s'est écoulé depuis qu'elle a déposé plainte devant ce magistrat » (loi 2007-291 sur tricoteuses.fr ; cpepesc.org : « A compter du 1er juillet 2007 »)",
    "175-III": "Art. 175 III CPP : « Dans un délai de quinze jours à compter [...] de l'envoi de l'avis prévu au I » (doctrine.fr, version du 01/06/2019)",
    "175-requests": "Art. 175 CPP : « un mois si une personne mise en examen est détenue ou [...] trois mois dans les autres cas », à compter de l'envoi de l'avis (doctrine.fr, versions de 2016 et 2019)",
    "175-observations": "Art. 175 CPP : observations complémentaires dans « un délai de dix jours si une personne mise en examen est détenue ou d'un mois dans les autres cas » (doctrine.fr ; Dalloz actualité, 21 juin 2017)",
    "420-1": "Art. 420-1 CPP : lettre ou message « parvenu au tribunal vingt-quatre heures au moins avant la date de l'audience »",
    "88": "Art. 88 CPP : le juge fixe « le délai dans lequel celle-ci devra être faite sous peine de non-recevabilité de la plainte » (Légifrance ; amendement Sénat n° 68 du 3 juill. 2007 citant l'article)",
    "552": "Art. 552 CPP : « d'au moins dix jours » ; « augmenté d'un mois » (outre-mer, Union européenne), « de deux mois dans les autres cas » (juriblio.fr ; vagneux.fr, 20 mars 2024 : « dix jours francs »)",
}
NEW_CODE = {
    "L4471-4": "ordonnance n° 2025-1091 : « délai de vingt jours » (tricoteuses.fr, LEGIARTI000052683130)",
    "L3762-5": "ordonnance n° 2025-1091 : « cinq jours supplémentaires » (tricoteuses.fr, JORFARTI000052653640)",
    "L7212-1": "ordonnance n° 2025-1091 : « dix jours francs après celui où la décision attaquée a été prononcée » (juriblio.fr)",
}
NOTES = {
    "civil": "L'appel de la partie civile ne porte que sur ses intérêts civils (art. 497 3°).",
    "mp": "Délai du ministère public : information pour l'association.",
    "prevenu": "Délai du prévenu : information pour l'association.",
    "opposition": "Voie de recours du prévenu défaillant, jamais de l'association (art. 489 à 492) : information seulement.",
    "intent": "Ce délai n'est ouvert qu'à la partie qui a fait la déclaration du III dans les quinze jours de l'avis.",
    "abroad": "Pour une partie résidant à l'étranger, le délai ne court que de la remise effective de la citation (Crim. 6 oct. 2010, n° 10-81.585).",
}
MARGIN_552 = (
    "Le texte dit « au moins dix jours » sans les dire francs : le produit les compte francs (ni le jour de la "
    "citation ni celui de l'audience), lecture la plus prudente, prend pour le mois l'ordre de calcul qui donne la "
    "date la plus tôt et remplace un jour non ouvrable par le dernier jour ouvrable précédent."
)
_175_OLD = {"start": date(2007, 7, 1), "end": date(2019, 5, 31), "by": LOI_2007_291}
_175_NEW = {"start": date(2019, 6, 1), "by": LOI_2019_222_56}


def _cpp(article: str) -> tuple[Citation]:
    return (Citation(article, "CPP", None, None),)


def _new_cpp(article: str, new_article: str) -> tuple[Citation, Citation]:
    """The current number until 31 Dec. 2028, then the rewritten code's number."""
    until = NEW_CODE_IN_FORCE - timedelta(days=1)
    return Citation(article, "CPP", None, until), Citation(
        new_article, "CPP", NEW_CODE_IN_FORCE, None, NEW_CODE[new_article]
    )


def _175(key: str, label: str, length: int, unit: Unit, trigger: str, src: str, **extra) -> Rule:
    versions = (_v(length, unit, src=src, **_175_OLD), _v(length, unit, src=src, **_175_NEW))
    return Rule(key, label, A, trigger, versions, _cpp("175"), **extra)


def _552(key: str, label: str, months: int, by: str, notes: tuple[str, ...]) -> Rule:
    versions = (_v(months, M, Direction.BACKWARD, by=by, src="552"),)
    return Rule(key, label, A, HEARING, versions, _cpp("552"), (), "citation_552", MARGIN_552, notes)


HEARING = "Date de l'audience à laquelle la partie est citée"
AVIS = "Envoi de l'avis de fin d'information"
REQUISITIONS = "Communication des réquisitions du procureur de la République"

RULES: tuple[Rule, ...] = (
    Rule(
        "appeal_correctionnel",
        "Appel d'un jugement du tribunal correctionnel",
        A,
        "Prononcé du jugement (ou sa signification à l'association dans les cas de l'art. 498 al. 2)",
        (_v(10, D, by=CODE_1958, src="498"),),
        _cpp("498"),
        opens=("appeal_incident",),
        notes_fr=(NOTES["civil"],),
    ),
    # Art. 500: the five days are « supplémentaire » to the ten of art. 498, so they run from their end.
    Rule(
        "appeal_incident",
        "Appel incident des autres parties (appel correctionnel)",
        A,
        "Prononcé du jugement (point de départ du délai d'appel principal)",
        (_v(5, D, by=CODE_1958, src="500"),),
        _cpp("500"),
        counted_after="appeal_correctionnel",
        notes_fr=(NOTES["civil"],),
    ),
    Rule(
        "appeal_procureur",
        "Appel du procureur de la République",
        MP,
        "Prononcé du jugement",
        (_v(10, D, by=CODE_1958, src="498"),),
        _cpp("498"),
        notes_fr=(NOTES["mp"],),
    ),
    # Art. 505: two months until 25 Nov. 2009, then twenty days (loi 2009-1436, in force 26 Nov. 2009).
    Rule(
        "appeal_procureur_general",
        "Appel du procureur général (jugement de condamnation)",
        MP,
        "Prononcé du jugement de condamnation",
        (
            _v(2, M, by="ordonnance n° 60-529 du 4 juin 1960, art. 8", src="505-1960", end=date(2009, 11, 25)),
            _v(20, D, by=LOI_2009_1436, src="505-2009", start=date(2009, 11, 26)),
        ),
        _new_cpp("505", "L4471-4"),
        opens=("appeal_incident_procureur_general",),
        notes_fr=(NOTES["mp"],),
    ),
    Rule(
        "appeal_incident_procureur_general",
        "Appel incident après l'appel du procureur général",
        A,
        "Appel du procureur général",
        (_v(5, D, by=LOI_2009_1436, src="505-2", start=date(2009, 11, 26)),),
        _cpp("505 al. 2"),
    ),
    Rule(
        "appeal_prevenu_signification",
        "Appel du prévenu à compter de la signification",
        P,
        "Signification du jugement au prévenu (jugement contradictoire à signifier, par défaut ou itératif défaut)",
        (_v(10, D, by=CODE_1958, src="499"),),
        _cpp("498 al. 2 et 499"),
        notes_fr=(NOTES["prevenu"],),
    ),
    Rule(
        "appeal_assises",
        "Appel d'un arrêt de cour d'assises",
        A,
        "Prononcé de l'arrêt (ou sa signification à la partie absente)",
        (_v(10, D, by=LOI_2000_516, src="380-9", start=date(2001, 1, 1)),),
        _cpp("380-9"),
        opens=("appeal_assises_incident",),
    ),
    Rule(
        "appeal_assises_incident",
        "Appel incident des autres parties (cour d'assises)",
        A,
        "Prononcé de l'arrêt (point de départ du délai d'appel principal)",
        (_v(5, D, by=LOI_2000_516, src="380-10", start=date(2001, 1, 1)),),
        _cpp("380-10"),
        counted_after="appeal_assises",
    ),
    Rule(
        "appeal_instruction_order",
        "Appel d'une ordonnance du juge d'instruction par une partie",
        A,
        "Notification ou signification de l'ordonnance",
        (_v(10, D, by=CODE_1958, src="186"),),
        _cpp("186"),
        opens=("appeal_instruction_order_procureur_incident",),
        notes_fr=("La partie civile ne peut faire appel que des ordonnances des art. 186, 186-1 et 186-3.",),
    ),
    # Art. 185 al. 2: ten days since loi 2019-222, among its immediately applicable provisions
    # (circulaire CRIM/2019-8 of 8 April 2019 lists art. 185; JORF n° 71 of 24 March 2019).
    Rule(
        "appeal_instruction_order_procureur",
        "Appel d'une ordonnance du juge d'instruction par le procureur de la République",
        MP,
        "Notification de l'ordonnance au procureur de la République",
        (
            _v(5, D, by="loi n° 2000-1354 du 30 déc. 2000, art. 26", src="185-old", end=date(2019, 3, 24)),
            _v(
                10,
                D,
                by="loi n° 2019-222 du 23 mars 2019 (application immédiate)",
                src="185-2019",
                start=date(2019, 3, 25),
            ),
        ),
        _cpp("185"),
        notes_fr=(NOTES["mp"],),
    ),
    Rule(
        "appeal_instruction_order_procureur_incident",
        "Appel incident du procureur contre l'ordonnance de mise en accusation",
        MP,
        "Appel de la personne mise en examen contre l'ordonnance de mise en accusation",
        (_v(5, D, by=LOI_2000_516, src="185-3"),),
        _new_cpp("185 al. 3", "L3762-5"),
        notes_fr=(NOTES["mp"],),
    ),
    Rule(
        "opposition",
        "Opposition à un jugement par défaut (prévenu résidant en métropole)",
        P,
        "Signification du jugement par défaut",
        (_v(10, D, by=CODE_1958, src="491"),),
        _cpp("491"),
        notes_fr=(NOTES["opposition"],),
    ),
    Rule(
        "opposition_outside_metropole",
        "Opposition à un jugement par défaut (prévenu résidant hors métropole)",
        P,
        "Signification du jugement par défaut",
        (_v(1, M, by=CODE_1958, src="491-outside"),),
        _cpp("491"),
        notes_fr=(NOTES["opposition"],),
    ),
    # Art. 568: D+1..D+n count, filing still possible on D+n+1 (Crim. 7 Feb. 1989, 88-84.512), then
    # art. 801. Ten jours francs for decisions delivered from 30 Sept. 2024: loi 2023-1059 art. 16, in
    # force that day (its art. 60 IV), without retroactive effect (alinea-avocats.eu). Versions of
    # 8 June 1960, 1 Oct. 2004 and 30 Sept. 2024 on doctrine.fr.
    Rule(
        "pourvoi",
        "Pourvoi en cassation",
        A,
        "Prononcé de la décision attaquée",
        (
            _v(5, JF, by="ordonnance n° 60-529 du 4 juin 1960, art. 2", src="568-1960", end=date(2004, 9, 30)),
            _v(
                5,
                JF,
                by="loi n° 2004-204 du 9 mars 2004, art. 133",
                src="568-2004",
                start=date(2004, 10, 1),
                end=date(2024, 9, 29),
            ),
            _v(10, JF, by="loi n° 2023-1059 du 20 nov. 2023, art. 16", src="568-2024", start=date(2024, 9, 30)),
        ),
        _new_cpp("568", "L7212-1"),
        notes_fr=("Le pourvoi de la partie civile ne porte que sur ses intérêts civils (art. 567).",),
    ),
    Rule(
        "pacpc_after_complaint",
        "Plainte avec constitution de partie civile après une plainte simple",
        A,
        "Dépôt de la plainte simple auprès du procureur de la République",
        (_v(3, M, Direction.EARLIEST, by="loi n° 2007-291 du 5 mars 2007, art. 21", src="85", start=date(2007, 7, 1)),),
        _cpp("85"),
        notes_fr=(
            "Pas de délai d'attente pour un crime, un délit de presse (loi du 29 juillet 1881) ou les délits électoraux de l'art. 85.",
        ),
    ),
    Rule(
        "art175_intent",
        "Déclaration d'intention après l'avis de fin d'information",
        A,
        AVIS,
        (_v(15, D, src="175-III", **_175_NEW),),
        _cpp("175 III"),
        opens=("art175_requests", "art175_requests_detained"),
    ),
    _175(
        "art175_requests",
        "Observations et demandes après l'avis de fin d'information",
        3,
        M,
        AVIS,
        "175-requests",
        opens=("art175_observations",),
        notes_fr=(NOTES["intent"],),
    ),
    _175(
        "art175_requests_detained",
        "Observations et demandes après l'avis de fin d'information (mis en examen détenu)",
        1,
        M,
        AVIS,
        "175-requests",
        opens=("art175_observations_detained",),
        notes_fr=(NOTES["intent"],),
    ),
    _175(
        "art175_observations",
        "Observations complémentaires après les réquisitions",
        1,
        M,
        REQUISITIONS,
        "175-observations",
    ),
    _175(
        "art175_observations_detained",
        "Observations complémentaires après les réquisitions (mis en examen détenu)",
        10,
        D,
        REQUISITIONS,
        "175-observations",
    ),
    Rule(
        "letter_420_1",
        "Constitution de partie civile par lettre ou message avant l'audience",
        A,
        "Date de l'audience",
        (_v(24, H, Direction.BACKWARD, by=UNDATED, src="420-1"),),
        _cpp("420-1"),
        safety_margin_fr=(
            "L'heure de l'audience n'étant pas connue, la lettre doit parvenir au plus tard l'avant-veille ; un jour non "
            "ouvrable est remplacé par le dernier jour ouvrable précédent, où le greffe reçoit le courrier."
        ),
        notes_fr=(
            "Première instance seulement : une première constitution de partie civile en appel est irrecevable.",
        ),
    ),
    Rule(
        "consignation_88",
        "Consignation fixée par le juge d'instruction",
        A,
        "Date limite fixée par l'ordonnance de consignation",
        (_v(0, Unit.FIXED_DATE, by=UNDATED, src="88"),),
        _cpp("88"),
        safety_margin_fr=(
            "La date retenue est celle que le juge a fixée, sans la prorogation de l'art. 801 : c'est la lecture prudente. "
            "Par virement, la consignation n'est faite que le jour où le compte de la régie est crédité (Crim., Dalloz "
            "actualité du 3 mai 2013)."
        ),
        notes_fr=(
            "Sans consignation dans le délai, la plainte avec constitution de partie civile est irrecevable (art. 88).",
        ),
    ),
    Rule(
        "citation_552",
        "Délivrance d'une citation (partie citée dans son département)",
        A,
        HEARING,
        (_v(10, JF, Direction.BACKWARD, by=CODE_1958, src="552"),),
        _cpp("552"),
        safety_margin_fr=MARGIN_552,
    ),
    _552(
        "citation_552_outre_mer",
        "Délivrance d'une citation (entre outre-mer et métropole)",
        1,
        "al. 2, rédaction en vigueur",
        (),
    ),
    # The version of art. 552 distinguishing the European Union replaced a flat two months for any
    # party abroad (juriblio.fr, « Historique des versions ») on a date that could not be read.
    _552(
        "citation_552_eu",
        "Délivrance d'une citation (partie résidant dans un autre État de l'Union européenne)",
        1,
        "al. 3, version distinguant l'Union européenne, date non vérifiée",
        (
            NOTES["abroad"],
            "Avant la version distinguant l'Union européenne, le délai était de deux mois pour toute partie résidant à l'étranger : pour une audience ancienne, vérifiez la version applicable.",
        ),
    ),
    _552(
        "citation_552_abroad",
        "Délivrance d'une citation (partie résidant hors de l'Union européenne)",
        2,
        "al. 3, rédaction en vigueur",
        (NOTES["abroad"],),
    ),
)
