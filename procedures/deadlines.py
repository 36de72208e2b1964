"""Délais de procédure pénale: a pure rule engine (no database, no Django).

How a deadline is computed (art. 801 CPP, version in force since 8 July 1989, loi 89-461, read on
Légifrance through doctrine.fr): « Tout délai prévu par une disposition de procédure pénale pour
l'accomplissement d'un acte ou d'une formalité expire le dernier jour à vingt-quatre heures. Le
délai qui expirerait normalement un samedi ou un dimanche ou un jour férié ou chômé est prorogé
jusqu'au premier jour ouvrable suivant. »

- In days: the day of the triggering event does not count (dies a quo), so a 10-day period from
  the 1st ends on the 11th at 24:00 (CPC 641 al. 1, applied in criminal matters, e.g. art. 186:
  notified 14 April 2016, expired Sunday 24 April, prorogued to Monday 25 April, Crim. 16-86.853).
- In months: « de quantième à quantième », to the same date of the last month, and when that month
  has no such date, its last day. Sources: CPC 641 al. 2 (« A défaut d'un quantième identique, le
  délai expire le dernier jour du mois »); Crim. 11 May 2010, n° 10-81.055 (a period in months
  « expire le jour du dernier mois qui porte le même quantième »); the rewritten CPP, art. L1322-4
  (ordonnance 2025-1091 of 19 November 2025, in force 1 January 2029) codifies both sentences.
- Jours francs: neither the first nor the last day counts, so the act is still possible the day
  after the last counted day (new CPP art. L1322-3 al. 2; Crim. 7 Feb 1989, 88-84.512 for art. 568).
- Public holidays: the list of C. trav. L3133-1, not local exceptions (Crim. 10 May 2006, 05-86.744:
  Whit Monday 16 May 2005 stayed a holiday despite the « journée de solidarité »). Alsace-Moselle
  courts add Good Friday and 26 December; overseas departments their own days. The `holidays`
  package knows them per subdivision.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    JOURS_FRANCS = "jours_francs"
    HOURS = "hours"


class Direction(StrEnum):
    FORWARD = "forward"  # the result is the last day to act (art. 801 prorogation applies)
    EARLIEST = "earliest"  # a waiting period: the result is the first day the act is admissible
    BACKWARD = "backward"  # counted back from a future event: the last day before it


class UnknownRuleError(ValueError):
    """A rule key that is not in RULES."""


class UnknownSubdivisionError(ValueError):
    """A holiday subdivision the `holidays` package does not know for France."""


@dataclass(frozen=True)
class Rule:
    key: str
    article: str
    label_fr: str
    length: int
    unit: Unit
    direction: Direction
    trigger_fr: str
    source: str
    # Rule keys whose deadline opens once the act governed by this rule is done (recording an
    # appeal opens the other parties' incidental appeal; the art. 175 avis opens the next steps).
    opens: tuple[str, ...] = ()
    # When set, this period starts at the (already prorogued) end of that rule's period for the
    # same trigger, instead of at the trigger itself.
    counted_after: str | None = None


RULES: tuple[Rule, ...] = (
    # Art. 498 al. 1 CPP: « dix jours à compter du prononcé du jugement contradictoire »; al. 2: from
    # the signification for a party absent and not told the date of the judgment.
    Rule(
        key="appeal_correctionnel",
        article="498 CPP",
        label_fr="Appel d'un jugement du tribunal correctionnel",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé du jugement (ou sa signification à la partie absente, art. 498 al. 2)",
        source="Art. 498 CPP : « dans le délai de dix jours à compter du prononcé du jugement »",
        opens=("appeal_incident",),
    ),
    # Art. 500 CPP: « En cas d'appel d'une des parties pendant les délais ci-dessus, les autres
    # parties ont un délai supplémentaire de cinq jours pour interjeter appel. » The five days are
    # « supplémentaire » to « les délais ci-dessus » (498), so they run from the end of the 10-day
    # period, not from the day of the main appeal (Legibase, « Pratique du tribunal correctionnel »,
    # L'appel incident; CA Paris cited there). The trigger is therefore the same as the main appeal's
    # (the judgment), and the 10-day period is taken as prorogued by art. 801 before the 5 days
    # are added, as the same commentary describes (« par suite d'une nouvelle prorogation »).
    Rule(
        key="appeal_incident",
        article="500 CPP",
        label_fr="Appel incident des autres parties (appel correctionnel)",
        length=5,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé du jugement (point de départ du délai d'appel principal)",
        source="Art. 500 CPP : « un délai supplémentaire de cinq jours pour interjeter appel »",
        counted_after="appeal_correctionnel",
    ),
    # Art. 505 al. 1 CPP (loi 2009-1436): the procureur général, after a conviction, has 20 days.
    Rule(
        key="appeal_procureur_general",
        article="505 CPP",
        label_fr="Appel du procureur général (jugement de condamnation)",
        length=20,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé du jugement de condamnation",
        source="Art. 505 al. 1 CPP : « dans le délai de vingt jours à compter du jour du prononcé »",
        opens=("appeal_incident_procureur_general",),
    ),
    # Art. 505 al. 2 CPP: « les autres parties ont alors un délai de cinq jours pour interjeter
    # appel incident »; « alors » ties it to the procureur général's appeal.
    Rule(
        key="appeal_incident_procureur_general",
        article="505 CPP",
        label_fr="Appel incident après l'appel du procureur général",
        length=5,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Appel du procureur général (sa signification)",
        source="Art. 505 al. 2 CPP : « les autres parties ont alors un délai de cinq jours »",
    ),
    # Art. 380-9 CPP: « dans le délai de dix jours à compter du prononcé de l'arrêt ».
    Rule(
        key="appeal_assises",
        article="380-9 CPP",
        label_fr="Appel d'un arrêt de cour d'assises",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé de l'arrêt (ou sa signification à la partie absente)",
        source="Art. 380-9 CPP : « dans le délai de dix jours à compter du prononcé de l'arrêt »",
        opens=("appeal_assises_incident",),
    ),
    # Art. 380-10 CPP repeats art. 500 word for word for the cour d'assises: same computation.
    Rule(
        key="appeal_assises_incident",
        article="380-10 CPP",
        label_fr="Appel incident des autres parties (cour d'assises)",
        length=5,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé de l'arrêt (point de départ du délai d'appel principal)",
        source="Art. 380-10 CPP : « un délai supplémentaire de cinq jours pour interjeter appel »",
        counted_after="appeal_assises",
    ),
    # Art. 186 al. 4 CPP: the parties appeal « dans les dix jours qui suivent la notification ou la
    # signification de la décision »; a plain (not franc) period.
    Rule(
        key="appeal_instruction_order",
        article="186 CPP",
        label_fr="Appel d'une ordonnance du juge d'instruction par une partie",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Notification ou signification de l'ordonnance",
        source="Art. 186 CPP : « dans les dix jours qui suivent la notification ou la signification »",
        # Only when the mis en examen appeals an ordonnance de mise en accusation (art. 181).
        opens=("appeal_instruction_order_procureur_incident",),
    ),
    # Art. 185 al. 2 CPP (10 days since loi 2019-222; 5 days before).
    Rule(
        key="appeal_instruction_order_procureur",
        article="185 CPP",
        label_fr="Appel d'une ordonnance du juge d'instruction par le procureur de la République",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Notification de l'ordonnance au procureur de la République",
        source="Art. 185 al. 2 CPP : « dans les dix jours qui suivent la notification de la décision »",
    ),
    # Art. 185 al. 3 CPP counts this one « à compter de l'appel de la personne mise en examen ».
    Rule(
        key="appeal_instruction_order_procureur_incident",
        article="185 CPP",
        label_fr="Appel incident du procureur contre l'ordonnance de mise en accusation",
        length=5,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Appel de la personne mise en examen contre l'ordonnance de mise en accusation",
        source="Art. 185 al. 3 CPP : « cinq jours supplémentaires à compter de l'appel »",
    ),
    # Art. 491 CPP (and 492 for a signification not made to the person).
    Rule(
        key="opposition",
        article="491 CPP",
        label_fr="Opposition à un jugement par défaut (prévenu résidant en métropole)",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Signification du jugement par défaut",
        source="Art. 491 CPP : « dix jours si le prévenu réside en France métropolitaine »",
    ),
    Rule(
        key="opposition_outside_metropole",
        article="491 CPP",
        label_fr="Opposition à un jugement par défaut (prévenu résidant hors métropole)",
        length=1,
        unit=Unit.MONTHS,
        direction=Direction.FORWARD,
        trigger_fr="Signification du jugement par défaut",
        source="Art. 491 CPP : « un mois s'il réside hors de ce territoire »",
    ),
    # Art. 568 CPP: « cinq jours francs après celui où la décision attaquée a été prononcée »: the
    # five days D+1..D+5 count, the act is still possible on D+6 (Crim. 7 Feb 1989, 88-84.512), and
    # art. 801 then prorogues D+6 (domain.md: 2 June 2025 -> Tuesday 10 June 2025).
    Rule(
        key="pourvoi",
        article="568 CPP",
        label_fr="Pourvoi en cassation",
        length=5,
        unit=Unit.JOURS_FRANCS,
        direction=Direction.FORWARD,
        trigger_fr="Prononcé de la décision attaquée",
        source="Art. 568 CPP : « cinq jours francs après celui où la décision attaquée a été prononcée »",
    ),
    # Art. 85 al. 2 CPP: the PACPC is admissible only once « un délai de trois mois s'est écoulé
    # depuis qu'elle a déposé plainte » (or after the procureur's refusal). A waiting period: the
    # result is the first working day after the three months have run out.
    Rule(
        key="pacpc_after_complaint",
        article="85 CPP",
        label_fr="Plainte avec constitution de partie civile après une plainte simple",
        length=3,
        unit=Unit.MONTHS,
        direction=Direction.EARLIEST,
        trigger_fr="Dépôt de la plainte simple",
        source="Art. 85 CPP : « un délai de trois mois s'est écoulé depuis qu'elle a déposé plainte »",
    ),
    # Art. 175 III CPP (loi 2019-222): « Dans un délai de quinze jours à compter ... de l'envoi de
    # l'avis prévu au I », the parties declare that they intend to exercise the rights of IV and VI.
    Rule(
        key="art175_intent",
        article="175 CPP",
        label_fr="Déclaration d'intention après l'avis de fin d'information",
        length=15,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Envoi de l'avis de fin d'information",
        source="Art. 175 III CPP : « dans un délai de quinze jours à compter ... de l'envoi de l'avis »",
        opens=("art175_requests", "art175_requests_detained"),
    ),
    # Art. 175 IV CPP: observations, requests and nullity motions within one month (a mis en
    # examen is detained) or three months, « à compter de l'envoi de l'avis prévu au I ».
    Rule(
        key="art175_requests_detained",
        article="175 CPP",
        label_fr="Observations et demandes après l'avis de fin d'information (mis en examen détenu)",
        length=1,
        unit=Unit.MONTHS,
        direction=Direction.FORWARD,
        trigger_fr="Envoi de l'avis de fin d'information",
        source="Art. 175 IV CPP : « d'un même délai d'un mois ... à compter de l'envoi de l'avis »",
        opens=("art175_observations_detained",),
    ),
    Rule(
        key="art175_requests",
        article="175 CPP",
        label_fr="Observations et demandes après l'avis de fin d'information",
        length=3,
        unit=Unit.MONTHS,
        direction=Direction.FORWARD,
        trigger_fr="Envoi de l'avis de fin d'information",
        source="Art. 175 IV CPP : « ... ou de trois mois à compter de l'envoi de l'avis »",
        opens=("art175_observations",),
    ),
    # Art. 175 VI CPP: observations complémentaires within 10 days (detained) or one month from the
    # communication of the procureur's réquisitions.
    Rule(
        key="art175_observations_detained",
        article="175 CPP",
        label_fr="Observations complémentaires après les réquisitions (mis en examen détenu)",
        length=10,
        unit=Unit.DAYS,
        direction=Direction.FORWARD,
        trigger_fr="Communication des réquisitions du procureur de la République",
        source="Art. 175 VI CPP : « un délai de dix jours si une personne mise en examen est détenue »",
    ),
    Rule(
        key="art175_observations",
        article="175 CPP",
        label_fr="Observations complémentaires après les réquisitions",
        length=1,
        unit=Unit.MONTHS,
        direction=Direction.FORWARD,
        trigger_fr="Communication des réquisitions du procureur de la République",
        source="Art. 175 VI CPP : « ou d'un mois dans les autres cas »",
    ),
    # Art. 420-1 CPP: the letter or electronic message must have « parvenu au tribunal vingt-quatre
    # heures au moins avant la date de l'audience ». The engine knows the hearing's date, not its
    # hour, so the result is the last day on which a receipt is in time whatever the hour: the day
    # before the eve (receipt on the eve is late for a morning hearing). Prorogation to the next
    # working day would land on or after the hearing and defeat the rule, so a day that is not
    # working moves back to the previous working day, when the court registry receives mail.
    Rule(
        key="letter_420_1",
        article="420-1 CPP",
        label_fr="Constitution de partie civile par lettre ou message avant l'audience",
        length=24,
        unit=Unit.HOURS,
        direction=Direction.BACKWARD,
        trigger_fr="Date de l'audience",
        source="Art. 420-1 CPP : « parvenue au tribunal vingt-quatre heures au moins avant la date »",
    ),
)

_RULES_BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}

# The package lists Whit Monday only from 2008 (loi 2004-626 made it the « journée de solidarité »),
# yet it stayed a holiday for art. 801 in 2005-2007 (Crim. 10 May 2006, 05-86.744). Easter + 50 days.
_WHIT_MONDAYS_2005_2007 = (date(2005, 5, 16), date(2006, 6, 5), date(2007, 5, 28))

# Saint-Pierre-et-Miquelon is "PM" in the package, "975" in the INSEE numbering the rest follows.
_SUBDIVISION_ALIASES = {"975": "PM"}
ALSACE_MOSELLE_SUBDIVISION = "57"


def list_rules() -> list[Rule]:
    return list(RULES)


def get_rule(key: str) -> Rule:
    try:
        return _RULES_BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(_RULES_BY_KEY))
        raise UnknownRuleError(f"Règle de délai inconnue : « {key} ». Règles connues : {known}.") from None


def chained_rules(rule: str) -> list[str]:
    """Rule keys whose deadline opens once the act governed by `rule` is done."""
    return list(get_rule(rule).opens)


@lru_cache(maxsize=512)
def _holiday_dates(year: int, subdivision: str | None) -> frozenset[date]:
    subdiv = _SUBDIVISION_ALIASES.get(subdivision, subdivision) if subdivision else None
    try:
        days = set(holidays.France(years=year, subdiv=subdiv))
    except NotImplementedError:
        known = ", ".join(holidays.France.subdivisions)
        raise UnknownSubdivisionError(
            f"Subdivision inconnue pour les jours fériés : « {subdivision} ». Subdivisions connues : {known}."
        ) from None
    days.update(day for day in _WHIT_MONDAYS_2005_2007 if day.year == year)
    return frozenset(days)


def is_working_day(day: date, subdivision: str | None = None) -> bool:
    """Not a Saturday, a Sunday or a public holiday of the subdivision (art. 801 CPP)."""
    return day.weekday() < 5 and day not in _holiday_dates(day.year, subdivision)


def next_working_day(day: date, subdivision: str | None = None) -> date:
    """`day` itself if it is a working day, else the first working day after it (art. 801 CPP)."""
    while not is_working_day(day, subdivision):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, subdivision: str | None = None) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day, subdivision):
        day -= timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """Same quantième `months` later, or the last day of that month (CPC 641 al. 2, CPP L1322-4)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def _last_counted_day(start: date, rule: Rule) -> date:
    if rule.unit is Unit.MONTHS:
        return add_months(start, rule.length)
    if rule.unit is Unit.JOURS_FRANCS:
        # The day after the last counted day is still open (art. 568: filing possible until D+6).
        return start + timedelta(days=rule.length + 1)
    # Days: the trigger day itself is not counted (dies a quo), so the last day is start + length.
    return start + timedelta(days=rule.length)


def compute_due_date(
    rule: str,
    trigger: date,
    *,
    alsace_moselle: bool = False,
    subdivision: str | None = None,
) -> date:
    """The date attached to `rule` for an event on `trigger`, in the parquet's holiday subdivision.

    FORWARD rules: the last day to act (until 24:00). EARLIEST: the first day the act is admissible.
    BACKWARD: the last day before `trigger` (the hearing) on which the act is in time.
    `subdivision` wins over `alsace_moselle`, which means subdivision "57" (Moselle: same holidays
    as "6AE", Alsace).
    """
    spec = get_rule(rule)
    if subdivision is None and alsace_moselle:
        subdivision = ALSACE_MOSELLE_SUBDIVISION
    if spec.direction is Direction.BACKWARD:
        # Hours before the hearing date, rounded out to whole days before it (see letter_420_1).
        days_before = -(-spec.length // 24) + 1
        return previous_working_day(trigger - timedelta(days=days_before), subdivision)
    start = trigger
    if spec.counted_after:
        start = compute_due_date(spec.counted_after, trigger, subdivision=subdivision)
    end = _last_counted_day(start, spec)
    if spec.direction is Direction.EARLIEST:
        # The waiting period has run out at 24:00 on its last day; the act can be done the next
        # working day (when a court registry can receive it).
        return next_working_day(end + timedelta(days=1), subdivision)
    return next_working_day(end, subdivision)
