"""Which CPP article lets an association file as partie civile: a pure rule engine (no database).

Each article (2-2, 2-3, 2-6, 2-9, 2-16, 2-22 CPP) is a row of ARTICLE_RULES, written from the
article's own wording. For a given association, procedure and victims, `evaluate` says for every
article whether it applies ("yes" / "no" / "unknown") and shows each condition as met, missing or
unknown, with the article or decision it comes from.

Texts read:
- 2-2: Légifrance text via codes-et-lois.fr (victim adult at the facts, victim's agreement).
- 2-3: Légifrance version 2010 via git.tricoteuses.fr; same list in domain.md's 2023 check.
- 2-6: version of the law of 10 May 2024 quoted in Cons. const. 2024-1113 QPC (22 Nov 2024).
- 2-9: text on lexbase.fr (law of 3 June 2016); Crim. 22 April 2020, n° 19-81.273.
- 2-16: Légifrance version 2011 via archeo-lex.fr.
- 2-22: Légifrance version of 2017 (three paragraphs, foundations in the last one).

Boundary chosen for « déclarée depuis au moins cinq ans à la date des faits »: the condition is met
from the fifth anniversary of the declaration (declared 10 March 2019: met for facts of
10 March 2024, missing for facts of 9 March 2024). A declaration of 29 February reaches its
anniversary on 28 February, as a period in months or years ends on the last day of the month
when it has no such date (CPC 641 al. 2; new CPP art. L1322-4, ordonnance 2025-1091).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache

RULES_VERSION = "CPP consolidé, vérifié 2025 (2-2, 2-3, 2-6, 2-9, 2-16, 2-22)"
SENIORITY_YEARS = 5


class Status(StrEnum):
    MET = "met"
    MISSING = "missing"
    UNKNOWN = "unknown"


class Applies(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


# --- article numbers ---------------------------------------------------------------------------

_ARTICLE_RE = re.compile(r"^(?:art(?:icle)?\.?\s*)?(\d+(?:-\d+)*)(?:\s*-?\s*([A-Z]))?$", re.IGNORECASE)


@lru_cache(maxsize=4096)  # a case's prescription table asks for the same few articles thousands of times
def article_key(article: str) -> tuple[int, ...]:
    """Sort key of a Code pénal article number.

    "222-18-1" -> (222, 18, 1, 0): a trailing 0 marks the plain article, so 222-18 < 222-18-1 <
    222-19 and 225-4 < 225-4-1, exactly as tuples of ints compare. A capital letter suffix
    ("224-1 A", inserted before 224-1 by the law of 5 August 2013) becomes a negative last element
    (A = -26 … Z = -1), so 224-1 A < 224-1 B < 224-1 C < 224-1 and 2-22's range "224-1 A to
    224-1 C" does not swallow 224-1 (séquestration).
    """
    match = _ARTICLE_RE.match(article.strip())
    if not match:
        raise ValueError(f"Numéro d'article illisible : {article!r}")
    numbers = tuple(int(part) for part in match.group(1).split("-"))
    letter = match.group(2)
    suffix = ord(letter.upper()) - ord("A") - 26 if letter else 0
    return (*numbers, suffix)


def compare_articles(first: str, second: str) -> int:
    """-1, 0 or 1, as `first` comes before, with or after `second`."""
    a, b = article_key(first), article_key(second)
    return (a > b) - (a < b)


@dataclass(frozen=True)
class ArticleRange:
    """An inclusive range of Code pénal articles, as the CPP writes them ("222-1 à 222-18")."""

    first: str
    last: str | None = None  # None: a single article

    def __contains__(self, article: str) -> bool:
        key = article_key(article)
        return article_key(self.first) <= key <= article_key(self.last or self.first)

    def __str__(self) -> str:
        return f"{self.first} à {self.last}" if self.last else self.first


def in_ranges(article: str, ranges: tuple[ArticleRange, ...]) -> bool:
    return any(article in article_range for article_range in ranges)


def parse_ranges(spans: str) -> tuple[ArticleRange, ...]:
    """Ranges written as the CPP lists them: "222-1..222-18, 226-4" is 222-1 to 222-18, and 226-4."""
    return tuple(ArticleRange(*span.strip().split("..")) for span in spans.split(","))


# --- inputs and outputs ------------------------------------------------------------------------

PURPOSE_LABELS_FR = {
    "child_protection": "défense ou assistance de l'enfant en danger et victime de maltraitance",
    "sexual_violence": "lutte contre les violences sexuelles ou intrafamiliales",
    "discrimination_lgbt": "lutte contre les discriminations fondées sur le sexe, les mœurs, "
    "l'orientation sexuelle ou l'identité de genre",
    "procuring": "lutte contre l'esclavage, la traite des êtres humains, le proxénétisme, "
    "ou action sociale en faveur des personnes prostituées",
    "drugs": "lutte contre la toxicomanie ou le trafic de stupéfiants",
    "terrorism": "défense des victimes d'infractions terroristes",
    "victims": "assistance aux victimes d'infractions",
}


@dataclass(frozen=True)
class AssociationFacts:
    purposes: frozenset[str]  # keys of PURPOSE_LABELS_FR, as written in the statutes
    declared_on: date | None  # date of the declaration in the prefecture (for a foundation: its decree)
    public_utility: bool  # reconnue d'utilité publique
    ministry_approved: bool  # inscrite / agréée auprès du ministère de la Justice (2-3 al. 2, 2-9 al. 2)
    is_foundation: bool = False


@dataclass(frozen=True)
class OffenceFacts:
    article: str  # Code pénal article, e.g. "225-7"
    # 2-6 only covers facts committed « en raison du sexe, de l'orientation sexuelle, de l'identité
    # de genre ou des mœurs de la victime »; None when the file does not say yet.
    discriminatory_motive: bool | None = None


@dataclass(frozen=True)
class VictimFacts:
    minor_at_facts: bool | None
    consent: bool | None  # agreement of the victim, legal representative or heirs as the article says
    deceased: bool = False


@dataclass(frozen=True)
class ProcedureFacts:
    facts_date: date | None
    public_action_started: bool | None  # mise en mouvement par le parquet ou la partie lésée
    offences: list[OffenceFacts]
    victims: list[VictimFacts]
    committed_abroad: bool = False


@dataclass(frozen=True)
class Condition:
    key: str
    label_fr: str
    status: Status
    source: str
    detail_fr: str = ""


@dataclass(frozen=True)
class ArticleAssessment:
    article: str
    title_fr: str
    applies: Applies
    offences_covered: list[str]  # the procedure's offences listed by the article
    offences_admissible: list[str]  # among them, those for which every condition is met
    conditions: list[Condition]  # shown for the most favourable covered offence
    notes_fr: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Eligibility:
    assessments: list[ArticleAssessment]
    applicable_articles: list[str]
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict:
        """A JSON-serialisable snapshot, stored on a filing as the reasons it was admissible."""
        return asdict(self, dict_factory=lambda items: {k: str(v) if isinstance(v, StrEnum) else v for k, v in items})


# --- the rule table ----------------------------------------------------------------------------


class Consent(StrEnum):
    NEVER = "never"
    ALWAYS = "always"
    UNLESS_PUBLIC_UTILITY = "unless_public_utility"
    LISTED_OFFENCES = "listed_offences"  # only for the offences in consent_offences


@dataclass(frozen=True)
class ArticleRule:
    """One CPP article giving associations the rights of a partie civile."""

    article: str
    title_fr: str
    purposes: frozenset[str]  # any of them in the statutes will do
    offences: tuple[ArticleRange, ...]
    consent: Consent
    consent_offences: tuple[ArticleRange, ...] = ()
    victim_adult: bool = False
    victim_minor: bool = False
    public_action_required: bool = False
    # Offences for which a ministry-approved association may act before the public action starts.
    approved_without_public_action: tuple[ArticleRange, ...] = ()
    approved_without_public_action_abroad: tuple[ArticleRange, ...] = ()
    motive_required: bool = False
    approval_replaces_seniority: bool = False
    notes_fr: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return f"art. {self.article} CPP"


# « lorsque l'action publique a été mise en mouvement par le ministère public ou la partie lésée »:
# the association joins a prosecution and cannot start one itself.
NO_PACPC_NOTE = (
    "Pas de plainte avec constitution de partie civile (art. 85) : l'action publique doit déjà avoir été mise en "
    "mouvement par le parquet ou la victime ; l'association intervient ensuite (art. 87, 418, 420-1)."
)

ARTICLE_RULES: tuple[ArticleRule, ...] = (
    # Art. 2-2: « lorsque la victime de ces infractions était majeure à la date des faits »; « ne
    # sera recevable … que si elle justifie avoir reçu l'accord de la victime » (majeur en tutelle:
    # son représentant légal). No condition on the public action.
    ArticleRule(
        article="2-2",
        title_fr="Violences sexuelles et violences intrafamiliales",
        purposes=frozenset({"sexual_violence"}),
        offences=parse_ranges("221-1..221-4, 222-1..222-18, 222-23..222-33, 224-1..224-5, 226-4, 432-8"),
        consent=Consent.ALWAYS,
        victim_adult=True,
    ),
    # Art. 2-3 al. 1: offences « commises sur la personne d'un mineur », « lorsque l'action publique a
    # été mise en mouvement par le ministère public ou la partie lésée »; no victim's agreement.
    # Al. 2: an association « inscrite auprès du ministère de la justice » may act without it for
    # 227-23, and for offences abroad under 222-22 (sexual assaults on minors) and 227-27-1.
    ArticleRule(
        article="2-3",
        title_fr="Enfance en danger et victime de maltraitance",
        purposes=frozenset({"child_protection"}),
        offences=parse_ranges(
            "221-1..221-5, 222-1..222-18-1, 222-23..222-33-1, 223-1..223-10, 223-13, 224-1..224-5, "
            "225-7..225-9, 225-12-1..225-12-4, 227-1, 227-2, 227-15..227-27-1"
        ),
        consent=Consent.NEVER,
        victim_minor=True,
        public_action_required=True,
        approved_without_public_action=parse_ranges("227-23"),
        approved_without_public_action_abroad=parse_ranges("222-22..222-33-1, 227-22..227-27-1"),
        notes_fr=(
            "Pas de plainte avec constitution de partie civile (art. 85) pour mettre l'action publique en mouvement, "
            "sauf association inscrite auprès du ministère de la Justice pour 227-23 ou des faits commis à "
            "l'étranger (al. 2).",
            "Les faits doivent caractériser une maltraitance de l'enfant (Crim. 4 déc. 2018).",
            "Ancienneté appréciée à la date des faits (Crim. 27 févr. 2001, n° 00-81.718).",
        ),
    ),
    # Art. 2-6 (loi du 10 mai 2024): discriminations 225-2 and 432-7 without the victim's agreement
    # (except after sexual harassment: written agreement); attacks on persons and property for
    # those motives « dès lors qu'elle justifie avoir reçu l'accord de la victime ».
    ArticleRule(
        article="2-6",
        title_fr="Discriminations fondées sur le sexe, les mœurs, l'orientation sexuelle ou l'identité de genre",
        purposes=frozenset({"discrimination_lgbt"}),
        offences=parse_ranges("221-1..221-4, 222-1..222-18, 225-4-13, 322-1..322-13, 225-2, 432-7"),
        consent=Consent.LISTED_OFFENCES,
        consent_offences=parse_ranges("221-1..221-4, 222-1..222-18, 225-4-13, 322-1..322-13"),
        motive_required=True,
        notes_fr=(
            "Séquestration, vol et extorsion ne sont pas couverts ; exclusion jugée conforme à la "
            "Constitution (Cons. const., 22 nov. 2024, n° 2024-1113 QPC).",
            "Discrimination consécutive à un harcèlement sexuel : accord écrit de la victime requis.",
            "Art. L1146-1 et L1155-2 du code du travail également couverts (hors Code pénal).",
        ),
    ),
    # Art. 2-9 al. 1: « assister les victimes d'infractions », offences of art. 706-16 (421-1 to 421-6
    # CP), « lorsque l'action publique a été mise en mouvement »; al. 2: approved, without seniority.
    ArticleRule(
        article="2-9",
        title_fr="Victimes d'actes de terrorisme",
        purposes=frozenset({"victims", "terrorism"}),
        offences=parse_ranges("421-1..421-6"),
        consent=Consent.NEVER,
        public_action_required=True,
        approval_replaces_seniority=True,
        notes_fr=(
            "Infractions connexes et autres infractions de l'art. 706-16 CPP également couvertes.",
            "Recevable sans assister une victime dans l'affaire (Crim. 22 avr. 2020, n° 19-81.273).",
            "Sans ancienneté : association de victimes de l'attentat agréée (al. 2, art. D1 CPP).",
        ),
    ),
    # Art. 2-16: « lorsque l'action publique a été mise en mouvement »; no victim's agreement.
    ArticleRule(
        article="2-16",
        title_fr="Toxicomanie et trafic de stupéfiants",
        purposes=frozenset({"drugs"}),
        offences=parse_ranges("222-34..222-40, 227-18-1"),
        consent=Consent.NEVER,
        public_action_required=True,
        notes_fr=(NO_PACPC_NOTE,),
    ),
    # Art. 2-22 al. 1: public action set in motion and « l'accord de la victime » (minor or protected
    # adult: legal representative); al. 2: « reconnue d'utilité publique … y compris sans l'accord ».
    ArticleRule(
        article="2-22",
        title_fr="Esclavage, traite des êtres humains et proxénétisme",
        purposes=frozenset({"procuring"}),
        offences=parse_ranges("224-1 A..224-1 C, 225-4-1..225-4-9, 225-5..225-12-2, 225-14-1..225-14-2"),
        consent=Consent.UNLESS_PUBLIC_UTILITY,
        public_action_required=True,
        notes_fr=(NO_PACPC_NOTE,),
    ),
)


# --- evaluation --------------------------------------------------------------------------------


def add_years(start: date, years: int) -> date:
    """Same day and month `years` later; 29 February falls on 28 February (CPC 641 al. 2)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def combine(statuses: list[Status]) -> Status:
    if Status.MISSING in statuses:
        return Status.MISSING
    return Status.UNKNOWN if Status.UNKNOWN in statuses else Status.MET


def _flag(value: bool | None) -> Status:
    return Status.UNKNOWN if value is None else (Status.MET if value else Status.MISSING)


def _best(statuses: list[Status]) -> int:
    """Index of the most favourable status: met, then unknown, then missing."""
    rank = {Status.MET: 0, Status.UNKNOWN: 1, Status.MISSING: 2}
    return min(range(len(statuses)), key=lambda i: rank[statuses[i]])


def _standing(rule: ArticleRule, association: AssociationFacts, facts_date: date | None) -> list[Condition]:
    purposes = ", ".join(PURPOSE_LABELS_FR[key] for key in sorted(rule.purposes))
    has_purpose = _flag(bool(rule.purposes & association.purposes))
    conditions = [Condition("purpose", f"Objet statutaire : {purposes}", has_purpose, rule.source)]
    if association.is_foundation:
        # « Toute fondation reconnue d'utilité publique peut exercer les droits … dans les mêmes
        # conditions »; no seniority for a foundation (service-public.fr, fiche F1127).
        label = "Fondation reconnue d'utilité publique"
        return [
            *conditions,
            Condition("foundation_public_utility", label, _flag(association.public_utility), rule.source),
        ]
    if rule.approval_replaces_seniority and association.ministry_approved and "terrorism" in association.purposes:
        label = "Association de victimes agréée (sans condition d'ancienneté)"
        return [*conditions, Condition("approval", label, Status.MET, f"{rule.source}, al. 2")]
    label = f"Déclarée depuis au moins {SENIORITY_YEARS} ans à la date des faits"
    if association.declared_on is None or facts_date is None:
        missing = "date de déclaration" if association.declared_on is None else "date des faits"
        return [*conditions, Condition("seniority", label, Status.UNKNOWN, rule.source, f"Inconnue : {missing}.")]
    reached = add_years(association.declared_on, SENIORITY_YEARS)
    detail = f"Déclarée le {association.declared_on:%d/%m/%Y} ; {SENIORITY_YEARS} ans le {reached:%d/%m/%Y}."
    return [*conditions, Condition("seniority", label, _flag(facts_date >= reached), rule.source, detail)]


def _public_action(
    rule: ArticleRule, association: AssociationFacts, procedure: ProcedureFacts, article: str
) -> Condition:
    label = "Action publique mise en mouvement par le parquet ou la partie lésée"
    exempt = association.ministry_approved and (
        in_ranges(article, rule.approved_without_public_action)
        or (procedure.committed_abroad and in_ranges(article, rule.approved_without_public_action_abroad))
    )
    if procedure.public_action_started is not True and exempt:
        detail = f"Non requise pour {article} : association inscrite auprès du ministère de la Justice."
        return Condition("public_action", label, Status.MET, f"{rule.source}, al. 2", detail)
    return Condition("public_action", label, _flag(procedure.public_action_started), rule.source)


def _victim_conditions(
    rule: ArticleRule, association: AssociationFacts, article: str, victim: VictimFacts
) -> list[Condition]:
    conditions = []
    if rule.victim_adult:
        adult = None if victim.minor_at_facts is None else not victim.minor_at_facts
        conditions.append(Condition("victim_adult", "Victime majeure à la date des faits", _flag(adult), rule.source))
    if rule.victim_minor:
        label = "Victime mineure à la date des faits"
        conditions.append(Condition("victim_minor", label, _flag(victim.minor_at_facts), rule.source))
    needs_consent = (
        rule.consent is Consent.ALWAYS
        or (rule.consent is Consent.UNLESS_PUBLIC_UTILITY and not association.public_utility)
        or (rule.consent is Consent.LISTED_OFFENCES and in_ranges(article, rule.consent_offences))
    )
    if needs_consent:
        whose = "de ses ayants droit" if victim.deceased else "de la victime ou de son représentant légal"
        conditions.append(Condition("victim_consent", f"Accord {whose}", _flag(victim.consent), rule.source))
    elif rule.consent is not Consent.NEVER:
        reason = "association reconnue d'utilité publique" if association.public_utility else article
        detail = f"Non requis ({reason})."
        conditions.append(Condition("victim_consent", "Accord de la victime", Status.MET, rule.source, detail))
    return conditions


def _offence_conditions(
    rule: ArticleRule, association: AssociationFacts, procedure: ProcedureFacts, offence: OffenceFacts
) -> list[Condition]:
    conditions = _standing(rule, association, procedure.facts_date)
    if rule.public_action_required:
        conditions.append(_public_action(rule, association, procedure, offence.article))
    if rule.motive_required:
        label = "Faits commis en raison du sexe, de l'orientation sexuelle, de l'identité de genre ou des mœurs"
        conditions.append(Condition("discriminatory_motive", label, _flag(offence.discriminatory_motive), rule.source))
    if not procedure.victims:
        template = _victim_conditions(rule, association, offence.article, VictimFacts(None, None))
        return conditions + [c if c.status is Status.MET else replace(c, detail_fr="Aucune victime.") for c in template]
    # The association acts for the victims who meet the conditions: show the most favourable one.
    per_victim = [_victim_conditions(rule, association, offence.article, victim) for victim in procedure.victims]
    best = _best([combine([c.status for c in victim_conditions]) for victim_conditions in per_victim])
    return conditions + [
        replace(c, detail_fr=f"Victime n° {best + 1}. {c.detail_fr}".strip()) for c in per_victim[best]
    ]


def assess(rule: ArticleRule, association: AssociationFacts, procedure: ProcedureFacts) -> ArticleAssessment:
    covered = [offence for offence in procedure.offences if in_ranges(offence.article, rule.offences)]
    evaluated = [_offence_conditions(rule, association, procedure, offence) for offence in covered]
    statuses = [combine([c.status for c in conditions]) for conditions in evaluated]
    if not covered:
        listed = ", ".join(str(r) for r in rule.offences)
        notes = [f"Aucune infraction de la procédure n'est visée (art. {listed} C. pén.).", *rule.notes_fr]
        conditions, applies = _standing(rule, association, procedure.facts_date), Applies.NO
    else:
        best = _best(statuses)
        conditions, notes = evaluated[best], list(rule.notes_fr)
        applies = {Status.MET: Applies.YES, Status.UNKNOWN: Applies.UNKNOWN, Status.MISSING: Applies.NO}[statuses[best]]
    return ArticleAssessment(
        article=rule.article,
        title_fr=rule.title_fr,
        applies=applies,
        offences_covered=[offence.article for offence in covered],
        offences_admissible=[o.article for o, s in zip(covered, statuses, strict=True) if s is Status.MET],
        conditions=conditions,
        notes_fr=notes,
    )


def evaluate(association: AssociationFacts, procedure: ProcedureFacts) -> Eligibility:
    """Every article of ARTICLE_RULES assessed for this association and procedure."""
    unknown = association.purposes - PURPOSE_LABELS_FR.keys()
    if unknown:
        raise ValueError(f"Objets statutaires inconnus : {sorted(unknown)}")
    assessments = [assess(rule, association, procedure) for rule in ARTICLE_RULES]
    applicable = [item.article for item in assessments if item.applies is Applies.YES]
    return Eligibility(assessments=assessments, applicable_articles=applicable)
