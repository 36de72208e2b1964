"""Prescription of the public action: the last day a prosecution can still start (pure, no database).

The successive laws are data (`procedures/prescription_rules.py`). The engine starts with the law in
force on the day of the facts (or at the end of a continuing offence), then walks the later laws and
the acts in date order; a new law applies only to an offence not yet prescribed on its first day in
force (art. 112-2 4° C. pén.: no revival), and before 10 March 2004 a longer law did not reach
earlier facts at all. Counting, as the Cour de cassation does: the period « ne commence à courir que
le lendemain du jour où l'infraction a été commise, … se calcule de quantième à quantième et expire
le dernier jour à minuit » (Crim. 8 January 2018, n° 16-86.735). So a délit of 25 October 2017 can
still be prosecuted on 25 October 2023 and is prescribed from 26 October 2023; `date` is that last
day (24:00 included), and an offence whose last day is the first day of a new law gets that law.
- Art. 801 CPP (prorogation to the next working day) governs periods « pour l'accomplissement d'un
  acte ou d'une formalité », not prescription (new CPP art. L1322-1): no weekend or holiday extension.
- A start on 29 February ends on 28 February of a common year (CPC 641 al. 2; new CPP art. L1322-4).
- The majority is the 18th birthday; a period « à compter de la majorité » is counted from that day.
  The explanation never prints it (loi de 1881 art. 39 bis): `majority_based` says it was used.
- Interruption (art. 9-2 1° to 4°: acts of prosecution or investigation, judgments): each act « fait
  courir un délai de prescription d'une durée égale au délai initial »; an act after the prescription
  was acquired revives nothing. A classement sans suite or the mere registering of a procedure is
  not such an act: callers must not pass them. An art. 41-1 measure suspends (art. 41-1 last al.; new
  CPP L1213-8): its days (end − start, the shorter count) are added if it began before the last day.
- Hidden offences (art. 9-1, loi 2017-242): start at the discovery, capped at 12 / 30 years; only for
  the periods of 7 al. 1 and 8 al. 1, and only from 1 March 2017: the earlier case law is not applied.
- Suspension for an insurmountable obstacle (art. 9-3) is not modelled: record it on the procedure.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from procedures.eligibility import add_years, in_ranges
from procedures.prescription_rules import (
    ARTICLE_706_47,
    ATTEINTES,
    CROSS_PROCEDURE_FROM,
    HIDDEN_CAP_YEARS,
    LAW_VERSIONS,
    MURDER,
    RAPE,
    RULES,
    SEXUAL_ASSAULTS,
    SLIDING_FROM,
    LawVersion,
    Rule,
    boundaries_after,
    version_on,
)

__all__ = [
    "ARTICLE_706_47",
    "LAW_VERSIONS",
    "RULES",
    "PrescriptionResult",
    "SerialOffence",
    "add_months",
    "add_years",
    "find_rule",
    "is_prescribed",
    "majority_date",
    "prescription_date",
    "warning_due",
]

Nature = Literal["crime", "delit", "contravention"]
NATURES: tuple[str, ...] = ("crime", "delit", "contravention")
MAJORITY_AGE = 18
HIDDEN_FROM = date(2017, 3, 1)
SEXUAL_OFFENCES = RAPE + SEXUAL_ASSAULTS + ATTEINTES  # art. 9-2 last al.: viol, agression, atteinte sexuelle


@dataclass(frozen=True)
class SerialOffence:
    """A later rape, sexual assault or atteinte sexuelle by the same person on another minor."""

    committed_on: date
    prescription_date: date
    article: str | None = None  # when given, checked against art. 7 al. 3 / 8 al. 4


@dataclass(frozen=True)
class PrescriptionResult:
    date: date | None  # last day the action can be brought (until 24:00); None: imprescriptible or suspended
    rule_key: str
    explanation_fr: str
    source: str
    law_steps: tuple[str, ...] = ()  # each law applied or refused, each act, in date order
    suspended_since: date | None = None  # an art. 41-1 measure not yet ended
    majority_based: bool = False  # counted from the victim's majority (whose date is never printed)

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


def _conditions(murder_with_rape_torture_barbarism: bool, murder_in_legal_recidivism: bool) -> frozenset[str]:
    return frozenset(
        name
        for name, on in (
            ("murder_rape_torture", murder_with_rape_torture_barbarism),
            ("murder_recidivism", murder_in_legal_recidivism),
        )
        if on
    )


def _rule_in(
    version: LawVersion,
    nature: str,
    article: str | None,
    flags: set[str],
    minor: bool,
    on: date,
    conditions: frozenset[str] = frozenset(),
) -> Rule:
    return next(rule for rule in version.rules if rule.matches(nature, article, flags, minor, on, conditions))


def find_rule(
    nature: str,
    article: str | None = None,
    flags: Sequence[str] = (),
    minor: bool = False,
    *,
    on: date | None = None,
    conditions: frozenset[str] = frozenset(),
) -> Rule:
    """The rule of the law in force on `on` (today's law by default), without the walk through time."""
    if nature not in NATURES:
        raise ValueError(f"Nature inconnue : {nature!r} (crime, delit ou contravention)")
    day = on or date.max
    return _rule_in(version_on(day), nature, article, set(flags), minor, day, conditions)


def _fr(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text[:1].lower() + text[1:]


def _merge(periods: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass
class _Walk:
    """The state of one offence's prescription while the laws and acts are walked in date order."""

    nature: str
    article: str | None
    flags: set[str]
    minor: bool
    conditions: frozenset[str]
    start: date  # the facts, or the end of a continuing offence
    majority: date | None
    hidden: bool
    discovered_on: date | None
    suspensions: list[tuple[date, date]]  # closed art. 41-1 measures, merged
    version: LawVersion
    rule: Rule
    acts: list[date] = field(default_factory=list)
    floors: list[date] = field(default_factory=list)  # prolongations (art. 7 al. 3, 8 al. 4)
    steps: list[str] = field(default_factory=list)
    end: date = date.min

    def hidden_applies(self) -> bool:
        return self.hidden and self.version.hidden and self.rule.hidden_allowed

    def _extend(self, end: date, anchor: date) -> date:
        # Art. 41-1 last al.: the days of a measure started before the running end are added.
        for start, stop in self.suspensions:
            if stop > anchor and start <= end:
                end += timedelta(days=(stop - max(start, anchor)).days)
        return end

    def compute_end(self) -> date:
        years = self.rule.years
        assert years is not None
        if self.hidden_applies():
            cap = add_years(self.start, HIDDEN_CAP_YEARS[self.nature])
            origin = max(self.discovered_on, self.start) if self.discovered_on else self.start
            first = cap if self.discovered_on is None else min(self._extend(add_years(origin, years), origin), cap)
        else:
            base = self.majority if self.rule.from_majority and self.majority else self.start
            first = self._extend(add_years(base, years), base)
        return max([first, *(self._extend(add_years(act, years), act) for act in self.acts), *self.floors])

    def law(self, day: date) -> None:
        version = version_on(day)
        rule = _rule_in(version, self.nature, self.article, self.flags, self.minor, day, self.conditions)
        title = _cap(version.title_fr) if version.valid_from == day else f"Liste de l'art. 706-47 au {_fr(day)}"
        same = (rule.years, rule.from_majority, rule.hidden_allowed and version.hidden) == (
            self.rule.years,
            self.rule.from_majority,
            self.rule.hidden_allowed and self.version.hidden,
        )
        if same and (self.end >= day or rule == self.rule):
            if version.applies_to_pending:  # same period: only the article's wording moved
                self.version, self.rule = version, rule
            if version.valid_from == day and self.end >= day:
                self.steps.append(f"{title} ({_fr(day)}) : délai inchangé.")
            return
        if self.end < day:
            self.steps.append(
                f"{title}, en vigueur le {_fr(day)} : non appliquée, prescription déjà acquise le "
                f"{_fr(self.end + timedelta(days=1))} (art. 112-2 4° C. pén., pas de résurrection)."
            )
            return
        if not version.applies_to_pending:
            self.steps.append(
                f"{title} ({_fr(day)}) : non appliquée aux faits antérieurs (art. 112-2 4° C. pén. dans sa "
                "rédaction antérieure au 10 mars 2004)."
            )
            return
        before = self.end
        self.version, self.rule = version, rule
        self.end = self.compute_end()
        shorter = " (délai plus court, d'application immédiate)" if self.end < before else ""
        self.steps.append(
            f"{title}, en vigueur le {_fr(day)} : appliquée{shorter}, {_low(rule.label_fr)} → {_fr(self.end)}."
        )

    def act(self, day: date, kind: str) -> None:
        if day > self.end:
            self.steps.append(f"{kind} du {_fr(day)} postérieur à la prescription : sans effet.")
            return
        before = self.end
        self.acts.append(day)
        self.end = self.compute_end()
        if self.end > before:
            self.steps.append(f"{kind} du {_fr(day)} : nouveau délai de {self.rule.years} ans → {_fr(self.end)}.")
        else:
            self.steps.append(f"{kind} du {_fr(day)} : n'allonge pas le délai en cours.")

    def cross_act(self, day: date) -> None:
        kind = "Acte d'une procédure visant la même personne pour un autre mineur"
        if not (self.minor and self.article and in_ranges(self.article, SEXUAL_OFFENCES)):
            self.steps.append(
                f"{kind} ({_fr(day)}) : sans effet, l'art. 9-2 dernier al. ne vise que le viol, "
                "l'agression ou l'atteinte sexuelle sur mineur."
            )
        elif day < CROSS_PROCEDURE_FROM:
            self.steps.append(
                f"{kind} ({_fr(day)}) : antérieur au {_fr(CROSS_PROCEDURE_FROM)} (art. 9-2 dernier al., "
                "rétabli au JO du 24 avril 2021) : sans effet."
            )
        else:
            self.act(day, f"{kind} (art. 9-2 dernier al.)")

    def serial(self, offence: SerialOffence) -> None:
        day, text = offence.committed_on, f"Nouvelle infraction sur un autre mineur le {_fr(offence.committed_on)}"
        crime = self.nature == "crime" and self.article is not None and in_ranges(self.article, RAPE)
        delit = (
            self.nature == "delit" and self.article is not None and in_ranges(self.article, SEXUAL_ASSAULTS + ATTEINTES)
        )
        later = (RAPE if crime else ()) + SEXUAL_ASSAULTS + ATTEINTES
        source = "art. 7 al. 3 CPP" if crime else "art. 8 al. 4 CPP"
        if not self.minor or not (crime or delit):
            self.steps.append(
                f"{text} : sans effet, la prolongation ne vise que le viol (art. 7 al. 3) ou l'agression "
                "ou l'atteinte sexuelle (art. 8 al. 4) sur mineur."
            )
        elif offence.article is not None and not in_ranges(offence.article, later):
            self.steps.append(f"{text} : sans effet, infraction d'un autre type que celles de l'{source}.")
        elif day < SLIDING_FROM:
            self.steps.append(
                f"{text} : antérieure au {_fr(SLIDING_FROM)} (loi n° 2021-478), prolongation non "
                "appliquée (calcul prudent)."
            )
        elif day > self.end:
            self.steps.append(f"{text} : postérieure à la prescription, sans effet.")
        elif offence.prescription_date <= self.end:
            self.steps.append(f"{text} : sa prescription ne va pas au-delà, sans effet.")
        else:
            self.floors.append(offence.prescription_date)
            self.end = offence.prescription_date
            self.steps.append(f"{text} : délai prolongé jusqu'à sa prescription, le {_fr(self.end)} ({source}).")


def _validate(
    nature: str,
    facts_date: date,
    victim_birth_date: date | None,
    conduct_ended_on: date | None,
    acts: Sequence[date],
    suspensions: Sequence[tuple[date, date | None]],
    serial_offences: Sequence[SerialOffence],
) -> None:
    if nature not in NATURES:
        raise ValueError(f"Nature inconnue : {nature!r} (crime, delit ou contravention)")
    if victim_birth_date is not None and victim_birth_date > facts_date:
        raise ValueError("La victime ne peut être née après les faits.")
    if conduct_ended_on is not None and conduct_ended_on < facts_date:
        raise ValueError("La fin du comportement ne peut précéder le début des faits.")
    if any(act < facts_date for act in acts):
        raise ValueError("Un acte interruptif ne peut précéder les faits.")
    if any(start < facts_date or (end is not None and end < start) for start, end in suspensions):
        raise ValueError("Une suspension doit commencer après les faits et finir après son début.")
    if any(offence.prescription_date < offence.committed_on for offence in serial_offences):
        raise ValueError("La prescription d'une nouvelle infraction ne peut précéder sa commission.")


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
    suspensions: Sequence[tuple[date, date | None]] = (),
    cross_procedure_interruptions: Sequence[date] = (),
    continuing: bool = False,
    conduct_ended_on: date | None = None,
    murder_with_rape_torture_barbarism: bool = False,
    murder_in_legal_recidivism: bool = False,
) -> PrescriptionResult:
    """The last day the public action is still open for one offence and one victim.

    `interruptions`: dates of acts of art. 9-2 1° to 4° in this procedure. `suspensions`: art. 41-1
    measures as (start, end), end None while running. `cross_procedure_interruptions`: acts of 9-2 1°
    to 4° in a procedure against the same person for a rape, sexual assault or atteinte sexuelle on
    another minor. `continuing`: a continuing or habitual offence, run from `conduct_ended_on`.
    `hidden`: occulte or dissimulée (art. 9-1), `discovered_on` the day it could be recorded.
    """
    _validate(
        nature,
        facts_date,
        victim_birth_date,
        conduct_ended_on,
        [*interruptions, *cross_procedure_interruptions],
        suspensions,
        serial_offences,
    )
    start = conduct_ended_on or facts_date
    majority = majority_date(victim_birth_date) if victim_birth_date else None
    minor = majority is not None and facts_date < majority
    flags = {name for name, on in (("terrorism", terrorism), ("drug_trafficking", drug_trafficking)) if on}
    conditions = _conditions(murder_with_rape_torture_barbarism, murder_in_legal_recidivism)
    version = version_on(start)
    rule = _rule_in(version, nature, article, flags, minor, start, conditions)
    if rule.years is None:
        return PrescriptionResult(None, rule.key, f"{rule.label_fr}.", rule.source)

    walk = _Walk(
        nature,
        article,
        flags,
        minor,
        conditions,
        start,
        majority,
        hidden,
        discovered_on,
        _merge([(s, e) for s, e in suspensions if e is not None]),
        version,
        rule,
    )
    walk.end = walk.compute_end()
    walk.steps.append(f"Loi applicable au {_fr(start)} : {version.title_fr}, {_low(rule.label_fr)} → {_fr(walk.end)}.")

    events: list[tuple[date, int, str, object]] = [(day, 0, "law", None) for day in boundaries_after(start)]
    events += [(s, 1, "suspension", e) for s, e in suspensions]
    events += [(day, 2, "act", None) for day in interruptions]
    events += [(day, 2, "cross", None) for day in cross_procedure_interruptions]
    events += [(offence.committed_on, 3, "serial", offence) for offence in serial_offences]
    suspended_since = None
    for day, _, kind, payload in sorted(events, key=lambda event: (event[0], event[1])):
        if kind == "law":
            walk.law(day)
        elif kind == "act":
            walk.act(day, "Acte interruptif (art. 9-2)")
        elif kind == "cross":
            walk.cross_act(day)
        elif kind == "serial":
            assert isinstance(payload, SerialOffence)
            walk.serial(payload)
        elif day > walk.end:
            walk.steps.append(f"Mesure de l'art. 41-1 du {_fr(day)} postérieure à la prescription : sans effet.")
        elif payload is None:
            suspended_since = day
            walk.steps.append(f"Mesure de l'art. 41-1 en cours depuis le {_fr(day)} : prescription suspendue.")
            break
        else:
            assert isinstance(payload, date)
            walk.steps.append(
                f"Mesure de l'art. 41-1 du {_fr(day)} au {_fr(payload)} : prescription suspendue "
                f"({(payload - day).days} jours ajoutés, art. 41-1 dernier al.)."
            )
    return _result(walk, victim_birth_date, continuing, conduct_ended_on, suspended_since)


def _result(
    walk: _Walk, birth: date | None, continuing: bool, conduct_ended_on: date | None, suspended_since: date | None
) -> PrescriptionResult:
    rule, majority_based = walk.rule, walk.rule.from_majority and walk.minor
    if majority_based:
        origin = "Point de départ : majorité de la victime."
    elif walk.hidden_applies() and walk.discovered_on:
        origin = f"Point de départ : {_fr(max(walk.discovered_on, walk.start))} (découverte de l'infraction)."
    else:
        origin = f"Point de départ : {_fr(walk.start)}{' (fin du comportement)' if conduct_ended_on else ''}."
    lines = [f"{rule.label_fr}.", origin]
    if birth is None and walk.nature != "contravention":
        lines.append("Date de naissance de la victime inconnue : règles propres aux mineurs non appliquées.")
    if continuing and conduct_ended_on is None:
        lines.append(
            "Infraction continue : date de fin du comportement inconnue, calcul prudent à partir du début des faits."
        )
    if walk.minor and walk.article and in_ranges(walk.article, MURDER) and not walk.conditions:
        lines.append(
            "Meurtre d'un mineur : jusqu'au 22/04/2021 (date retenue), l'art. 706-47 1° ne le visait que "
            "précédé ou accompagné d'un viol, de tortures ou d'actes de barbarie, ou commis en récidive "
            "légale ; la rédaction actuelle vise tout meurtre ou assassinat commis sur un mineur."
        )
    if walk.hidden and walk.start < HIDDEN_FROM:
        lines.append(
            "Infraction occulte ou dissimulée : le report du point de départ (art. 9-1) ne joue qu'à partir "
            "du 01/03/2017 ; la jurisprudence antérieure n'est pas appliquée (calcul prudent)."
        )
    if walk.hidden_applies():
        cap = add_years(walk.start, HIDDEN_CAP_YEARS[walk.nature])
        found = f"découverte le {_fr(walk.discovered_on)}" if walk.discovered_on else "non encore découverte"
        lines.append(f"Infraction occulte ou dissimulée {found} : délai butoir au {_fr(cap)} (art. 9-1).")
    lines += _summary(walk.steps)
    if suspended_since is not None:
        lines.append(
            f"Prescription suspendue depuis le {_fr(suspended_since)} : date à recalculer à la fin de la mesure."
        )
        return PrescriptionResult(
            None, rule.key, " ".join(lines), rule.source, tuple(walk.steps), suspended_since, majority_based
        )
    lines.append(
        f"Poursuites possibles jusqu'au {_fr(walk.end)} inclus ; prescription acquise le "
        f"{_fr(walk.end + timedelta(days=1))}."
    )
    return PrescriptionResult(walk.end, rule.key, " ".join(lines), rule.source, tuple(walk.steps), None, majority_based)


def _summary(steps: list[str]) -> list[str]:
    """The steps worth reading in the explanation: not the unchanged laws, one refusal after prescription."""
    kept, refused = [], False
    for step in steps:
        if step.endswith("délai inchangé.") or (refused and "pas de résurrection" in step):
            continue
        refused = refused or "pas de résurrection" in step
        kept.append(step)
    return kept


def warning_due(result: PrescriptionResult, today: date, months: int = 6) -> bool:
    """True once `today` is within `months` of the last day, and after it (no date: never)."""
    if result.date is None:
        return False
    return today >= add_months(result.date, -months)


def is_prescribed(result: PrescriptionResult, today: date) -> bool:
    return result.date is not None and today > result.date
