"""Prescription of the public action: the last day a prosecution can still start (pure, no database).

The rules are rows of RULES, first match wins, each citing its article. Counting, as the Cour de
cassation does: the period « ne commence à courir que le lendemain du jour où l'infraction a été
commise, … se calcule de quantième à quantième et expire le dernier jour à minuit » (Crim. 8 January
2018, n° 16-86.735). So a délit of 25 October 2017 can still be prosecuted on 25 October 2023 and is
prescribed from 26 October 2023. `PrescriptionResult.date` is that last day (24:00 included).
- Art. 801 CPP (prorogation to the next working day) governs periods « pour l'accomplissement d'un
  acte ou d'une formalité », not prescription; the rewritten CPP says so expressly (art. L1322-1,
  ordonnance 2025-1091): no weekend or holiday extension here.
- A start on 29 February ends on 28 February of a common year (the last day of the month when it has
  no such date: CPC 641 al. 2; new CPP art. L1322-4). The earlier date is also the safer warning.
- The majority is the 18th birthday; a period « à compter de la majorité » is counted from that day
  as from the day of the facts (a victim born 15 May 2008: majority 15 May 2026, ten years to
  15 May 2036 included).
- Interruption (art. 9-2): each act « fait courir un délai de prescription d'une durée égale au délai
  initial » from its own date; an act made after the prescription was acquired revives nothing.
  For minors, an act before the majority changes nothing, as the period from majority ends later.
- Hidden offences (art. 9-1 al. 2, « par dérogation au premier alinéa des articles 7 et 8 »): only
  for the ordinary periods; the period runs from the discovery, capped at 12 years (délits) or
  30 years (crimes) from the facts. An interrupting act before the cap restores the ordinary
  periods from that act (circulaire JUSD1706599C of 28 February 2017).
- Suspension (art. 9-3, an insurmountable obstacle) is not modelled: record it on the procedure.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from procedures.eligibility import ArticleRange, add_years, in_ranges, parse_ranges

Nature = Literal["crime", "delit", "contravention"]
NATURES: tuple[str, ...] = ("crime", "delit", "contravention")
MAJORITY_AGE = 18
HIDDEN_CAP_YEARS = {"delit": 12, "crime": 30}  # art. 9-1 al. 2


# Art. 706-47 CPP (offences against minors), as items 1° to 13°. Checked: 1° (murder, 221-1 to
# 221-4: the 2018 wording added « précédés ou accompagnés d'un viol, de tortures ou d'actes de
# barbarie », which a 2018 amendment proposed to drop); 4° and 7° as quoted in the Senate's 2021
# amendments; the rest follows the consolidated text as summarised by practitioners. The range
# 222-23 to 222-33 takes in the Senate's 2021 change of 4° (222-31-1 -> 222-33).
ARTICLE_706_47: tuple[ArticleRange, ...] = parse_ranges(
    "221-1..221-4, "  # 1° meurtre, assassinat d'un mineur
    "222-1..222-6, "  # 2° tortures et actes de barbarie
    "222-23..222-33, "  # 3°-4° viols, agressions sexuelles (incestueuses comprises)
    "225-4-1..225-4-4, "  # 5° traite des êtres humains à l'égard d'un mineur
    "225-7..225-12-4, "  # 6°-7° proxénétisme à l'égard d'un mineur, recours à la prostitution d'un mineur
    "227-22..227-28-3"  # 8°-13° corruption, propositions sexuelles, images, atteintes sexuelles
)

# Art. 7 al. 2: crimes of 706-16 (terrorism: 421-1 to 421-6 CP), 706-26 (drug trafficking:
# 222-34 to 222-40), 214-1 to 214-4, 221-12, livre IV bis (461-1 to 462-11).
THIRTY_YEAR_CRIMES = parse_ranges("421-1..421-6, 222-34..222-40, 214-1..214-4, 221-12, 461-1..462-11")
TERRORISM = parse_ranges("421-1..421-6")
DRUG_TRAFFICKING = parse_ranges("222-34..222-40")


@dataclass(frozen=True)
class Rule:
    key: str
    natures: tuple[str, ...]
    years: int | None  # None: imprescriptible
    from_majority: bool
    label_fr: str
    source: str
    articles: tuple[ArticleRange, ...] = ()  # empty: any article
    excluded: tuple[ArticleRange, ...] = ()
    flags: tuple[str, ...] = ()  # "terrorism", "drug_trafficking": match even without an article
    minor_victim: bool = False
    hidden_allowed: bool = False  # art. 9-1 al. 2 only derogates from 7 al. 1 and 8 al. 1
    serial: tuple[ArticleRange, ...] = ()  # prescription glissante (7 al. 3, 8 al. 4)


RULES: tuple[Rule, ...] = (
    Rule(
        key="imprescriptible",
        natures=("crime",),
        years=None,
        from_majority=False,
        label_fr="Crime contre l'humanité ou génocide : imprescriptible",
        source="art. 7 al. 4 CPP",
        articles=parse_ranges("211-1..212-3"),
    ),
    # Art. 8 al. 3: « délits prévus aux articles 222-12, 222-29-1 et 227-26 du code pénal, lorsqu'ils
    # sont commis sur des mineurs … vingt années révolues à compter de la majorité ». Al. 4 (loi
    # 21 April 2021): 222-29-1 and 227-26 prolonged by a new sexual offence on another minor.
    Rule(
        key="minor_delit_20_years",
        natures=("delit",),
        years=20,
        from_majority=True,
        label_fr="Délit sur mineur (222-12, 222-29-1, 227-26) : 20 ans à compter de la majorité",
        source="art. 8 al. 3 CPP",
        articles=parse_ranges("222-12, 222-29-1, 227-26"),
        minor_victim=True,
        serial=parse_ranges("222-29-1, 227-26"),
    ),
    # Art. 7 al. 3: « crimes mentionnés à l'article 706-47 …, lorsqu'ils sont commis sur des mineurs,
    # … trente années révolues à compter de la majorité »; for a rape, prolonged by a new rape,
    # sexual assault or atteinte sexuelle on another minor by the same person (loi 21 April 2021).
    Rule(
        key="minor_crime_706_47",
        natures=("crime",),
        years=30,
        from_majority=True,
        label_fr="Crime sur mineur (art. 706-47) : 30 ans à compter de la majorité",
        source="art. 7 al. 3 CPP",
        articles=ARTICLE_706_47,
        minor_victim=True,
        serial=parse_ranges("222-23..222-26-1"),
    ),
    # Art. 8 al. 2: délits of 706-47 on minors, ten years from the majority; also 223-15-2 and
    # 223-15-3 (abus de faiblesse, sujétion), as quoted by practitioners since the law of 10 May 2024.
    Rule(
        key="minor_delit_706_47",
        natures=("delit",),
        years=10,
        from_majority=True,
        label_fr="Délit sur mineur (art. 706-47) : 10 ans à compter de la majorité",
        source="art. 8 al. 2 CPP",
        articles=(*ARTICLE_706_47, *parse_ranges("223-15-2..223-15-3")),
        minor_victim=True,
    ),
    Rule(
        key="crime_30_years",
        natures=("crime",),
        years=30,
        from_majority=False,
        label_fr="Crime de terrorisme, de trafic de stupéfiants ou assimilé : 30 ans",
        source="art. 7 al. 2 CPP (706-16, 706-26, 706-25-1)",
        articles=THIRTY_YEAR_CRIMES,
        flags=("terrorism", "drug_trafficking"),
    ),
    # Art. 706-25-1 al. 2 and 706-31 al. 2: délits of terrorism and drug trafficking, 20 years; not
    # the apology / provocation délits of 421-2-5 to 421-2-5-2 (ordinary six years).
    Rule(
        key="delit_20_years",
        natures=("delit",),
        years=20,
        from_majority=False,
        label_fr="Délit de terrorisme ou de trafic de stupéfiants : 20 ans",
        source="art. 706-25-1 et 706-31 CPP",
        articles=(*TERRORISM, *DRUG_TRAFFICKING),
        excluded=parse_ranges("421-2-5..421-2-5-2"),
        flags=("terrorism", "drug_trafficking"),
    ),
    Rule(
        key="crime",
        natures=("crime",),
        years=20,
        from_majority=False,
        label_fr="Crime : 20 ans",
        source="art. 7 al. 1 CPP",
        hidden_allowed=True,
    ),
    Rule(
        key="delit",
        natures=("delit",),
        years=6,
        from_majority=False,
        label_fr="Délit : 6 ans",
        source="art. 8 al. 1 CPP",
        hidden_allowed=True,
    ),
    Rule(
        key="contravention",
        natures=("contravention",),
        years=1,
        from_majority=False,
        label_fr="Contravention : 1 an",
        source="art. 9 CPP",
    ),
)


@dataclass(frozen=True)
class SerialOffence:
    """A later rape, sexual assault or atteinte sexuelle by the same person on another minor."""

    committed_on: date
    prescription_date: date


@dataclass(frozen=True)
class PrescriptionResult:
    date: date | None  # last day the action can be brought (until 24:00); None: imprescriptible
    rule_key: str
    explanation_fr: str
    source: str

    @property
    def prescribed_from(self) -> date | None:
        return self.date + timedelta(days=1) if self.date else None


def add_months(start: date, months: int) -> date:
    """Same day `months` later (or earlier, if negative), or the last day of a shorter month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def majority_date(birth_date: date) -> date:
    return add_years(birth_date, MAJORITY_AGE)


def _matches(rule: Rule, nature: str, article: str | None, flags: set[str], minor: bool) -> bool:
    if nature not in rule.natures or (rule.minor_victim and not minor):
        return False
    if article is not None and in_ranges(article, rule.excluded):
        return False
    if not rule.articles and not rule.flags:
        return True
    return bool(flags & set(rule.flags)) or (article is not None and in_ranges(article, rule.articles))


def find_rule(nature: str, article: str | None = None, flags: Sequence[str] = (), minor: bool = False) -> Rule:
    if nature not in NATURES:
        raise ValueError(f"Nature inconnue : {nature!r} (crime, delit ou contravention)")
    return next(rule for rule in RULES if _matches(rule, nature, article, set(flags), minor))


def prescription_date(
    *,
    nature: Nature,
    facts_date: date,
    victim_birth_date: date | None = None,
    article: str | None = None,
    terrorism: bool = False,
    drug_trafficking: bool = False,
    interruptions: Sequence[date] = (),
    discovered_on: date | None = None,
    hidden: bool = False,
    serial_offences: Sequence[SerialOffence] = (),
) -> PrescriptionResult:
    """The last day the public action is still open for one offence and one victim.

    `interruptions`: dates of acts of investigation or prosecution (art. 9-2). `hidden`: the offence
    is occulte or dissimulée (art. 9-1), `discovered_on` the day it appeared and could be recorded.
    """
    if victim_birth_date is not None and victim_birth_date > facts_date:
        raise ValueError("La victime ne peut être née après les faits.")
    if any(act < facts_date for act in interruptions):
        raise ValueError("Un acte interruptif ne peut précéder les faits.")
    majority = majority_date(victim_birth_date) if victim_birth_date else None
    minor = majority is not None and facts_date < majority
    flags = {name for name, on in (("terrorism", terrorism), ("drug_trafficking", drug_trafficking)) if on}
    rule = find_rule(nature, article, flags, minor)
    if rule.years is None:
        return PrescriptionResult(None, rule.key, f"{rule.label_fr}.", rule.source)

    start = majority if rule.from_majority and majority else facts_date
    end = add_years(start, rule.years)
    lines = [
        f"{rule.label_fr}.",
        f"Point de départ : {_fr(start)}{' (majorité de la victime)' if rule.from_majority else ''}.",
    ]
    if victim_birth_date is None and nature != "contravention":
        lines.append("Date de naissance de la victime inconnue : règles propres aux mineurs non appliquées.")
    if hidden and rule.hidden_allowed:
        cap = add_years(facts_date, HIDDEN_CAP_YEARS[nature])
        if discovered_on is None:
            end = cap
            lines.append(f"Infraction occulte non encore découverte : délai butoir au {_fr(cap)} (art. 9-1).")
        else:
            end = min(add_years(max(discovered_on, facts_date), rule.years), cap)
            lines.append(f"Infraction occulte ou dissimulée découverte le {_fr(discovered_on)}, butoir {_fr(cap)}.")

    # Interruptions and serial offences in date order: each one counts only if made in time.
    events = [(act, None) for act in interruptions] + [(offence.committed_on, offence) for offence in serial_offences]
    serial_applies = bool(rule.serial) and article is not None and in_ranges(article, rule.serial)
    for day, serial in sorted(events, key=_day):
        if serial is None:
            if day > end:
                lines.append(f"Acte du {_fr(day)} postérieur à la prescription : sans effet.")
            elif add_years(day, rule.years) > end:
                end = add_years(day, rule.years)
                lines.append(f"Acte interruptif du {_fr(day)} : nouveau délai de {rule.years} ans (art. 9-2).")
        elif serial_applies and day <= end < serial.prescription_date:
            end = serial.prescription_date
            lines.append(f"Nouvelle infraction sur un autre mineur le {_fr(day)} : prolongé ({rule.source}).")
    lines.append(
        f"Poursuites possibles jusqu'au {_fr(end)} inclus ; prescription acquise le {_fr(end + timedelta(1))}."
    )
    return PrescriptionResult(end, rule.key, " ".join(lines), rule.source)


def _day(event: tuple[date, object]) -> date:
    return event[0]


def _fr(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def warning_due(result: PrescriptionResult, today: date, months: int = 6) -> bool:
    """True once `today` is within `months` of the last day, and after it (imprescriptible: never)."""
    if result.date is None:
        return False
    return today >= add_months(result.date, -months)


def is_prescribed(result: PrescriptionResult, today: date) -> bool:
    return result.date is not None and today > result.date
