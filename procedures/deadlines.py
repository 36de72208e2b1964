"""Délais de procédure pénale: a pure rule engine (no database, no Django). The rules are data in
procedures/deadline_rules.py, the courts' holidays in procedures/court_calendar.py.

How a deadline is computed:
- Art. 801 CPP (version of 8 July 1989, loi 89-461, doctrine.fr): « Tout délai [...] expire le
  dernier jour à vingt-quatre heures. Le délai qui expirerait normalement un samedi ou un dimanche
  ou un jour férié ou chômé est prorogé jusqu'au premier jour ouvrable suivant. » The rewritten code
  says the same (ordonnance 2025-1091, art. L1322-3 to L1322-5, juriblio.fr, in force 1 Jan. 2029).
- In days: the day of the triggering event does not count (L1322-2 1°: « au lendemain du jour où se
  produit l'événement »), so ten days from the 1st end on the 11th (Crim. 16-86.853, art. 186).
- Jours francs: neither the first nor the last day counts, so the act is still possible the day
  after the last counted day (L1322-3 al. 2: « il expire le lendemain du dernier jour » ; Crim. 7 Feb.
  1989, 88-84.512, art. 568).
- In months: « de quantième à quantième », and when the last month has no such date, its last day
  (L1322-4; CPC 641 al. 2; Crim. 11 May 2010, 10-81.055).
- Backward rules (a letter that must reach the court before a hearing, a citation that must be
  delivered before it) move a non-working day back, never forward: the safe side.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .court_calendar import (
    ALSACE_MOSELLE_SUBDIVISION,
    UnknownSubdivisionError,
    court_timezone,
    customary_holiday,
    day_off_reason,
    format_day,
    is_working_day,
    next_working_day,
    package_subdivision,
    previous_working_day,
)
from .court_calendar import (
    NOTES as COURT_NOTES,
)
from .deadline_rules import (
    NEW_CODE_IN_FORCE,
    RULES,
    Citation,
    Direction,
    NoVersionInForce,
    Party,
    Rule,
    RuleVersion,
    Unit,
)

__all__ = [
    "ALSACE_MOSELLE_SUBDIVISION",
    "RULES",
    "Citation",
    "Computation",
    "Direction",
    "NoVersionInForce",
    "Party",
    "Rule",
    "RuleVersion",
    "Unit",
    "UnknownRuleError",
    "UnknownSubdivisionError",
    "add_months",
    "chained_rules",
    "compute",
    "compute_due_date",
    "court_timezone",
    "get_rule",
    "is_working_day",
    "list_rules",
    "next_working_day",
    "previous_working_day",
]

# Crim. 13 Jan. 2015: the pourvoi number could not be found through the search tool (see report).
GREFFE_NOTE = (
    "Un acte à faire au greffe (déclaration d'appel ou de pourvoi, dépôt, consignation) ne peut l'être "
    "que pendant ses heures d'ouverture, même si le délai court jusqu'à 24 heures (Crim. 13 janv. 2015) : "
    "ne pas attendre le dernier moment."
)
NEW_CODE_NOTE = (
    "Le numéro de cet article dans le nouveau code de procédure pénale (ordonnance n° 2025-1091, en vigueur le "
    "01/01/2029) n'est pas renseigné : l'article cité est celui de l'ancien code."
)
_UNITS_FR = {Unit.DAYS: "jours", Unit.MONTHS: "mois", Unit.JOURS_FRANCS: "jours francs", Unit.HOURS: "heures"}

_RULES_BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}


class UnknownRuleError(ValueError):
    """A rule key that is not in RULES."""


@dataclass(frozen=True)
class Computation:
    """A computed deadline with the reasoning a lawyer can check line by line."""

    rule: str
    party: str
    trigger: date
    due_on: date
    version_label: str
    citation: str
    steps: tuple[str, ...]
    extensions: tuple[tuple[date, str], ...]
    notes: tuple[str, ...]
    timezone: str

    def explanation_fr(self) -> str:
        return "\n".join((*self.steps, *self.notes))

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "party": self.party,
            "trigger": self.trigger.isoformat(),
            "due_on": self.due_on.isoformat(),
            "version_label": self.version_label,
            "citation": self.citation,
            "steps": list(self.steps),
            "extensions": [{"date": day.isoformat(), "reason": reason} for day, reason in self.extensions],
            "notes": list(self.notes),
            "timezone": self.timezone,
        }


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


def add_months(day: date, months: int) -> date:
    """Same quantième `months` later (or earlier), or the last day of that month (L1322-4)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def _fr(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def version_label(rule: Rule, day: date) -> str:
    version = rule.version_on(day)
    since = f", version du {_fr(version.valid_from)}" if version.valid_from else ""
    return f"{rule.citation_on(day)}{since} ({version.enacted_by})"


def _period_fr(version: RuleVersion) -> str:
    if version.unit is Unit.FIXED_DATE:
        return "date fixée par le juge"
    return f"{version.length} {_UNITS_FR[version.unit]}"


def _months_step(start: date, months: int, end: date) -> str:
    clamp = "" if end.day == start.day else f" (pas de {start.day:02d}/{end.month:02d} : dernier jour du mois)"
    return f"{_fr(start)} + {months} mois, de quantième à quantième{clamp} → {_fr(end)}"


class _Trace:
    """Collects the steps and the days skipped while a computation runs."""

    def __init__(self, subdivision: str | None, closures: frozenset[date]):
        self.subdivision, self.closures = subdivision, closures
        self.steps: list[str] = []
        self.extensions: list[tuple[date, str]] = []

    def move(self, day: date, step: int, header: str) -> date:
        reason = day_off_reason(day, self.subdivision, self.closures)
        if reason:
            self.steps.append(header)
        while reason:
            self.steps.append(f"{format_day(day)} : {reason}")
            self.extensions.append((day, reason))
            day += timedelta(days=step)
            reason = day_off_reason(day, self.subdivision, self.closures)
        return day


PROROGATION = "Art. 801 CPP : un délai qui expire un samedi, un dimanche ou un jour férié ou chômé est prorogé au premier jour ouvrable suivant."
MOVED_BACK = "Jour non ouvrable : par prudence, la date est avancée au dernier jour ouvrable précédent."


def _forward_end(start: date, version: RuleVersion, trace: _Trace) -> date:
    """The last day of a forward period before art. 801, said in `trace`."""
    n = version.length
    if version.unit is Unit.MONTHS:
        end = add_months(start, n)
        trace.steps.append(_months_step(start, n, end))
    elif version.unit is Unit.JOURS_FRANCS:
        end = start + timedelta(days=n + 1)
        trace.steps.append(
            f"{n} jours francs : ni le jour de départ ({_fr(start)}) ni le dernier jour ({_fr(start + timedelta(days=n))}) "
            f"ne comptent → acte encore possible le {_fr(end)}"
        )
    else:
        end = start + timedelta(days=n)
        trace.steps.append(
            f"{n} jours à compter du lendemain du {_fr(start)} (le jour de départ ne compte pas) → {_fr(end)}"
        )
    return end


def _backward_raw(rule: Rule, hearing: date, ref: date, trace: _Trace) -> date:
    """The last day before `hearing` on which the act is in time, before the working-day check."""
    version = rule.version_on(ref)
    if rule.counted_after:
        base = _backward_raw(get_rule(rule.counted_after), hearing, ref, trace)
        offset = (hearing - base).days
        first, second = add_months(base, -version.length), add_months(hearing, -version.length) - timedelta(days=offset)
        raw = min(first, second)
        trace.steps.append(
            f"Délai augmenté de {version.length} mois : {_fr(base)} − {version.length} mois → {_fr(first)} ; "
            f"{_fr(hearing)} − {version.length} mois − {offset} jours → {_fr(second)} ; date la plus tôt retenue → {_fr(raw)}"
        )
        return raw
    if version.unit is Unit.HOURS:
        days_before = -(-version.length // 24) + 1
        raw = hearing - timedelta(days=days_before)
        trace.steps.append(
            f"{version.length} heures au moins avant l'audience, dont l'heure n'est pas connue : "
            f"au plus tard l'avant-veille → {_fr(raw)}"
        )
        return raw
    raw = hearing - timedelta(days=version.length + 1)
    trace.steps.append(
        f"{version.length} jours francs entre la délivrance et l'audience : ni le jour de la citation ni celui de "
        f"l'audience ne comptent → délivrance au plus tard le {_fr(raw)}"
    )
    return raw


def compute(
    rule_key: str,
    trigger: date,
    *,
    subdivision: str | None = None,
    closures=frozenset(),
    on: date | None = None,
) -> Computation:
    """The date attached to `rule_key` for an event on `trigger`, at a court of `subdivision`
    whose recorded closures are `closures`, with its reasoning.

    FORWARD rules: the last day to act (until 24:00, court's local time). EARLIEST: the first day the
    act is admissible. BACKWARD: the last day before `trigger` (the hearing) on which the act is in
    time. FIXED_DATE: `trigger` is the date the judge set. `on` picks the version and the citation
    (default: `trigger`); pass the decision's date when the period runs from a later signification
    (art. 568 al. 2: the 10-day pourvoi applies to decisions delivered from 30 Sept. 2024).
    Raises UnknownRuleError, UnknownSubdivisionError, NoVersionInForce (all ValueError).
    """
    rule = get_rule(rule_key)
    package_subdivision(subdivision)
    closures = frozenset(closures)
    ref = on or trigger
    version = rule.version_on(ref)
    label = version_label(rule, ref)
    trace = _Trace(subdivision, closures)
    trace.steps.append(f"Fait générateur : {rule.trigger_fr}, le {format_day(trigger)}.")
    trace.steps.append(f"Règle : {rule.label_fr} — {label} : {_period_fr(version)}.")
    if version.unit is Unit.FIXED_DATE:
        due = trigger
        trace.steps.append("Aucune prorogation n'est appliquée à une date fixée par le juge.")
    elif version.direction is Direction.BACKWARD:
        raw = _backward_raw(rule, trigger, ref, trace)
        due = trace.move(raw, -1, MOVED_BACK)
    else:
        start = trigger
        if rule.counted_after:
            base = compute(rule.counted_after, trigger, subdivision=subdivision, closures=closures, on=on)
            start = base.due_on
            trace.steps.append(
                f"Point de départ : fin du délai de l'{base.citation}, prorogation comprise → {_fr(start)}."
            )
            trace.extensions.extend(base.extensions)
            trace.steps.extend(f"  (délai principal) {format_day(day)} : {reason}" for day, reason in base.extensions)
        end = _forward_end(start, version, trace)
        if version.direction is Direction.EARLIEST:
            end += timedelta(days=1)
            trace.steps.append(
                f"Le délai d'attente est écoulé à 24 heures : l'acte est recevable à partir du {_fr(end)}"
            )
        due = trace.move(end, 1, PROROGATION)
    if rule.safety_margin_fr:
        trace.steps.append(f"Marge de sécurité : {rule.safety_margin_fr}")
    trace.steps.append(_conclusion(version, due))
    return Computation(
        rule=rule.key,
        party=rule.party.value,
        trigger=trigger,
        due_on=due,
        version_label=label,
        citation=rule.citation_on(ref),
        steps=tuple(trace.steps),
        extensions=tuple(trace.extensions),
        notes=_notes(rule, rule.citation_for(ref), ref, due, subdivision, closures),
        timezone=court_timezone(subdivision),
    )


def _conclusion(version: RuleVersion, due: date) -> str:
    if version.unit is Unit.FIXED_DATE:
        return f"Échéance : {format_day(due)} (date fixée par le juge)."
    if version.direction is Direction.EARLIEST:
        return f"Recevable à partir du {format_day(due)}."
    if version.direction is Direction.BACKWARD:
        return f"Dernier jour utile : {format_day(due)}."
    return f"Échéance : {format_day(due)} à 24 heures (art. 801 CPP)."


def _notes(rule: Rule, citation: Citation, ref: date, due: date, subdivision, closures) -> tuple[str, ...]:
    notes = [GREFFE_NOTE, *rule.notes_fr]
    zone = court_timezone(subdivision)
    if zone != "Europe/Paris":
        notes.append(f"24 heures, heure locale du tribunal (fuseau {zone}).")
    court_note = COURT_NOTES.get(package_subdivision(subdivision) or "")
    if court_note:
        notes.append(court_note)
    custom = customary_holiday(due, subdivision)
    if custom and due not in closures:
        notes.append(
            f"Le {format_day(due)} ({custom}) est un jour férié d'usage, non prévu par la loi : il ne proroge pas le "
            "délai, sauf fermeture du tribunal enregistrée ; le greffe peut être fermé, agir la veille."
        )
    if rule.version_on(ref).unit is Unit.FIXED_DATE and not is_working_day(due, subdivision, closures):
        notes.append(
            f"Le {format_day(due)} n'est pas un jour ouvrable : consigner au plus tard le jour ouvrable précédent."
        )
    if ref >= NEW_CODE_IN_FORCE and (citation.valid_from is None or citation.valid_from < NEW_CODE_IN_FORCE):
        notes.append(NEW_CODE_NOTE)
    return tuple(notes)


def compute_due_date(
    rule: str,
    trigger: date,
    *,
    alsace_moselle: bool = False,
    subdivision: str | None = None,
    closures=frozenset(),
    on: date | None = None,
) -> date:
    """`compute(...).due_on`. `subdivision` wins over `alsace_moselle` (which means "57")."""
    if subdivision is None and alsace_moselle:
        subdivision = ALSACE_MOSELLE_SUBDIVISION
    return compute(rule, trigger, subdivision=subdivision, closures=closures, on=on).due_on
