"""Which deadlines a decision, an order, a step, a hearing, a referral or a filing opens: a table
(pure, no database), read by procedures/services.py. Each row names the rule (procedures/deadlines.py
gives its article, version and whose right it is), the fact its period runs from, the condition
under which the law opens it, and why, with the article.

The association's own periods (its appeal, its pourvoi, the art. 420-1 letter…) and the other
parties' periods it must know about (the prévenu's opposition, the procureur général's appeal) are
both listed; the rule's `party` decides where a deadline shows (« Mes délais » or the timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from . import deadlines as engine

# Kinds, as stored by procedures.models (kept as plain strings: this module imports no Django).
JUDGMENT_CORRECTIONNEL = "judgment_correctionnel"
VERDICT_ASSISES = "verdict_assises"
INSTRUCTION_ORDER = "instruction_order"
APPEAL_JUDGMENT = "appeal_judgment"

CONTRADICTOIRE = "contradictoire"
CONTRADICTOIRE_A_SIGNIFIER = "contradictoire_a_signifier"
DEFAUT = "defaut"
ITERATIF_DEFAUT = "iteratif_defaut"
ABSENT_NOT_INFORMED = "absent_not_informed"

# Art. 186 al. 2 and 3, 186-1, 186-3: the orders the partie civile may appeal. « unspecified » is
# an order recorded before kinds existed: its deadline is kept rather than risk a missed appeal.
APPEALABLE_ORDERS = {
    "non_informer": "art. 186 al. 2 (refus d'informer)",
    "non_lieu": "art. 186 al. 2 (non-lieu)",
    "civil_interests": "art. 186 al. 2 (ordonnance faisant grief à ses intérêts civils)",
    "constitution_inadmissible": "art. 186 al. 2 et 87 (irrecevabilité de la constitution)",
    "jurisdiction": "art. 186 al. 3 (compétence)",
    "acts_refused": "art. 186-1 (refus d'actes demandés)",
    "referral_correctionnel": "art. 186-3 (renvoi au tribunal correctionnel de faits criminels)",
    "unspecified": "nature de l'ordonnance non précisée : délai conservé par prudence",
}

RESIDENCE_RULES = {
    "same_territory": "citation_552",
    "other_territory": "citation_552_outre_mer",
    "eu": "citation_552_eu",
    "abroad": "citation_552_abroad",
}


@dataclass(frozen=True)
class Facts:
    """What the rows look at. Services fill in what the record they write knows."""

    opener: str  # "decision", "event", "hearing", "referral", "filing"
    kind: str
    on: date | None = None  # the record's own date (decided_on, occurred_on, hearing day, sent_on)
    association_served_on: date | None = None  # notification or signification to the association
    prevenu_served_on: date | None = None
    prevenu_character: str = CONTRADICTOIRE
    association_presence: str = "present"
    prevenu_outside_metropole: bool = False
    order_kind: str = ""
    stage: str = ""
    detained: bool = False
    association_filed: bool = False  # already constituted in this procedure
    declared_175: bool = False  # made the declaration of art. 175 III
    avis_175_on: date | None = None
    judgment_on: date | None = None  # the first-instance judgment an appeal by another party is against
    summoned_by_association: bool = False
    defendant_residence: str = "same_territory"
    complaint_with_procureur: bool = False
    by_the_association: bool = True
    any_crime: bool = False
    consignation_due_on: date | None = None
    consignation_paid: bool = False


@dataclass(frozen=True)
class Opened:
    rule: str
    trigger: date
    why: str


@dataclass(frozen=True)
class Waiting:
    """A period the law attaches to the record that cannot start yet (its starting fact is missing)."""

    rule: str
    why: str


@dataclass(frozen=True)
class Opening:
    opener: str
    kinds: tuple[str, ...]
    rule: str | Callable[[Facts], str]
    start: Callable[[Facts], date | None]
    when: Callable[[Facts], bool]
    why: str
    waiting_fr: str = ""  # said when `when` holds but `start` is still unknown

    def rule_for(self, facts: Facts) -> str:
        return self.rule(facts) if callable(self.rule) else self.rule


def _has_version_on(rule: str, day: date) -> bool:
    try:
        engine.get_rule(rule).version_on(day)
    except engine.NoVersionInForce:
        return False
    return True


def _always(_facts: Facts) -> bool:
    return True


def _association_start(facts: Facts) -> date | None:
    # Art. 498 al. 1 / 568 al. 1: from the prononcé for a party present, represented, or told the
    # date; al. 2: from the signification only for a party absent and not told the date.
    if facts.association_presence == ABSENT_NOT_INFORMED:
        return facts.association_served_on
    return facts.on


def _notification(facts: Facts) -> date | None:
    # Until the notification is recorded, count from the order's date: an earlier day, the safe side.
    return facts.association_served_on or facts.on


def _on(facts: Facts) -> date | None:
    return facts.on


def _prevenu_served(facts: Facts) -> date | None:
    return facts.prevenu_served_on


def _by_default(facts: Facts) -> bool:
    return facts.prevenu_character == DEFAUT


def _prevenu_from_signification(facts: Facts) -> bool:
    return facts.prevenu_character in {CONTRADICTOIRE_A_SIGNIFIER, DEFAUT, ITERATIF_DEFAUT}


def _appealable_order(facts: Facts) -> bool:
    return facts.order_kind in APPEALABLE_ORDERS


def _version_in_force(rule: str) -> Callable[[Facts], bool]:
    def check(facts: Facts) -> bool:
        return facts.on is not None and _has_version_on(rule, facts.on)

    return check


def _requests_rule(facts: Facts) -> str:
    return "art175_requests_detained" if facts.detained else "art175_requests"


def _observations_rule(facts: Facts) -> str:
    return "art175_observations_detained" if facts.detained else "art175_observations"


def _requests_on_avis(facts: Facts) -> bool:
    # Before the loi 2019-222 there was no declaration step: the requests period opened with the avis.
    return facts.on is not None and not _has_version_on("art175_intent", facts.on)


def _declared_or_before_2019(facts: Facts) -> bool:
    return facts.declared_175 or (
        facts.avis_175_on is not None and not _has_version_on("art175_intent", facts.avis_175_on)
    )


def _avis_date(facts: Facts) -> date | None:
    return facts.avis_175_on


def _judgment(facts: Facts) -> date | None:
    return facts.judgment_on


def _letter_420_1(facts: Facts) -> bool:
    # First instance only: a first constitution on appeal is inadmissible.
    return facts.stage == "jugement" and not facts.association_filed


def _pacpc_wait(facts: Facts) -> bool:
    # Art. 85 al. 2: three months from a complaint lodged with the procureur (or a copy sent to him
    # by registered letter); no waiting period for a crime.
    return facts.by_the_association and facts.complaint_with_procureur and not facts.any_crime


def _consignation(facts: Facts) -> bool:
    return facts.consignation_due_on is not None and not facts.consignation_paid


OPENINGS: tuple[Opening, ...] = (
    # --- first-instance judgment ------------------------------------------------------------------
    Opening(
        "decision",
        (JUDGMENT_CORRECTIONNEL,),
        "appeal_correctionnel",
        _association_start,
        _always,
        "Appel de la partie civile sur ses intérêts civils (art. 497 3°, 498)",
        "Absente et non informée de la date : le délai court de la signification à l'association (art. 498 al. 2).",
    ),
    Opening("decision", (JUDGMENT_CORRECTIONNEL,), "appeal_procureur", _on, _always, "Appel du procureur (art. 498)"),
    Opening(
        "decision",
        (JUDGMENT_CORRECTIONNEL,),
        "appeal_procureur_general",
        _on,
        _always,
        "Appel du procureur général (art. 505) : ouvre l'appel incident de l'association",
    ),
    Opening(
        "decision",
        (JUDGMENT_CORRECTIONNEL,),
        lambda facts: "opposition_outside_metropole" if facts.prevenu_outside_metropole else "opposition",
        _prevenu_served,
        _by_default,
        "Opposition du prévenu défaillant (art. 489 à 492) : voie du prévenu, pas de l'association",
        "Jugement par défaut : l'opposition du prévenu court de la signification qui lui sera faite (art. 491).",
    ),
    Opening(
        "decision",
        (JUDGMENT_CORRECTIONNEL,),
        "appeal_prevenu_signification",
        _prevenu_served,
        _prevenu_from_signification,
        "Appel du prévenu à compter de la signification (art. 498 al. 2, 499)",
        "L'appel du prévenu court de la signification qui lui sera faite (art. 498 al. 2, 499).",
    ),
    # --- cour d'assises, appeal court -------------------------------------------------------------
    Opening(
        "decision",
        (VERDICT_ASSISES,),
        "appeal_assises",
        _association_start,
        _always,
        "Appel de la partie civile sur ses intérêts civils (art. 380-2, 380-9)",
        "Absente et non informée de la date : le délai court de la signification (art. 380-9).",
    ),
    Opening(
        "decision",
        (APPEAL_JUDGMENT,),
        "pourvoi",
        _association_start,
        _always,
        "Pourvoi de la partie civile sur ses intérêts civils (art. 567, 568)",
        "Absente et non informée de la date : le délai court de la signification (art. 568 al. 2).",
    ),
    # --- instruction orders -------------------------------------------------------------------------
    Opening(
        "decision",
        (INSTRUCTION_ORDER,),
        "appeal_instruction_order",
        _notification,
        _appealable_order,
        "Appel de la partie civile",
        "Le délai de dix jours court de la notification de l'ordonnance à l'association (art. 186 al. 4).",
    ),
    Opening(
        "decision",
        (INSTRUCTION_ORDER,),
        "appeal_instruction_order_procureur",
        _on,
        _always,
        "Appel du procureur de la République contre l'ordonnance (art. 185)",
    ),
    # --- steps --------------------------------------------------------------------------------------
    Opening(
        "event",
        ("appeal",),
        "appeal_incident",
        _judgment,
        _always,
        "Appel d'une autre partie dans le délai : appel incident (art. 500)",
    ),
    Opening(
        "event",
        ("appeal_procureur_general",),
        "appeal_incident_procureur_general",
        _on,
        _always,
        "Appel du procureur général : appel incident des autres parties (art. 505 al. 2)",
    ),
    Opening(
        "event",
        ("avis_175",),
        "art175_intent",
        _on,
        _version_in_force("art175_intent"),
        "Avis de fin d'information : déclarer l'intention d'exercer les droits du IV et du VI (art. 175 III)",
    ),
    Opening(
        "event",
        ("avis_175",),
        _requests_rule,
        _on,
        _requests_on_avis,
        "Avis de fin d'information antérieur au 1er juin 2019 : demandes et observations sans déclaration préalable",
    ),
    Opening(
        "event",
        ("declaration_175",),
        _requests_rule,
        _avis_date,
        _always,
        "Déclaration de l'art. 175 III faite : demandes et observations (art. 175 IV), à compter de l'avis",
        "Aucun avis de fin d'information enregistré : le délai court de l'envoi de l'avis (art. 175 IV).",
    ),
    Opening(
        "event",
        ("requisitoire",),
        _observations_rule,
        _on,
        _declared_or_before_2019,
        "Réquisitions communiquées : observations complémentaires (art. 175 VI), ouvertes par la déclaration du III",
    ),
    # --- hearings -----------------------------------------------------------------------------------
    Opening(
        "hearing",
        ("scheduled",),
        "letter_420_1",
        _on,
        _letter_420_1,
        "Constitution par lettre avant l'audience de première instance (art. 420-1)",
    ),
    Opening(
        "hearing",
        ("scheduled",),
        lambda facts: RESIDENCE_RULES[facts.defendant_residence],
        _on,
        lambda facts: facts.summoned_by_association,
        "Citation directe de l'association : délai de comparution (art. 552)",
    ),
    # --- referrals and filings ----------------------------------------------------------------------
    Opening(
        "referral",
        ("plainte_simple",),
        "pacpc_after_complaint",
        _on,
        _pacpc_wait,
        "Plainte simple au procureur : plainte avec constitution de partie civile possible ensuite (art. 85 al. 2)",
    ),
    Opening(
        "filing",
        ("consignation",),
        "consignation_88",
        lambda facts: facts.consignation_due_on,
        _consignation,
        "Consignation fixée par le juge d'instruction (art. 88), à peine de non-recevabilité de la plainte",
    ),
)


@dataclass
class Result:
    opened: list[Opened] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)


def deadlines_opened(facts: Facts) -> Result:
    """The periods the record described by `facts` opens, with their trigger dates."""
    result = Result()
    for row in OPENINGS:
        if row.opener != facts.opener or facts.kind not in row.kinds or not row.when(facts):
            continue
        rule = row.rule_for(facts)
        why = row.why
        if rule == "appeal_instruction_order":
            why = f"{why} : {APPEALABLE_ORDERS[facts.order_kind]}"
            if facts.association_served_on is None:
                why += (
                    ". Notification non enregistrée : délai compté par prudence de la date de l'ordonnance ; "
                    "il court de sa notification (art. 186 al. 4)"
                )
        trigger = row.start(facts)
        if trigger is None:
            if row.waiting_fr:
                result.waiting.append(Waiting(rule, row.waiting_fr))
            continue
        result.opened.append(Opened(rule, trigger, why))
    return result
