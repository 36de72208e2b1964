"""The case page's prescription table: one row per victim and offence, computed by
procedures/prescription.py from the facts the database links to that victim and offence.

Only the steps of the procedures that concern both the victim and the offence interrupt or suspend
its prescription: a step of another parquet's procedure about other facts does not (counting it
would give a date too late, the dangerous error). The exception is art. 9-2 last alinéa (loi
2021-478): for a 706-47 offence on a minor, an act in a procedure against the same person for such
an offence on another minor interrupts too. The same person is the same suspect of the case, or
suspects of the case a lawyer judged to be one person (settings.SAME_PERSON_SUSPECTS names who says
so: the linking app; procedures never imports it). Sliding prescription (art. 7 al. 3, 8 al. 4)
uses the later offences of the same person on other minors of the case the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from cases.models import Offence, Victim

from .eligibility import add_years, in_ranges, parse_ranges
from .models import Event, Procedure
from .prescription import (
    ARTICLE_706_47,
    RULES,
    PrescriptionResult,
    SerialOffence,
    is_prescribed,
    majority_date,
    prescription_date,
    warning_due,
)

PRESCRIPTION_WARNING_MONTHS = 6
RULE_LABELS = {rule.key: rule.label_fr for rule in RULES}
# Art. 7 al. 3 and 8 al. 4: the later offence on another minor is a rape, a sexual assault or an
# atteinte sexuelle (222-22 to 222-33-1, 227-25 to 227-27-1 C. pén.).
SERIAL_LATER_OFFENCES = parse_ranges("222-22..222-33-1, 227-25..227-27-1")


@dataclass(frozen=True)
class PrescriptionRow:
    victim: Victim | None
    offence: Offence
    facts_date: date | None
    result: PrescriptionResult | None
    explanation: str
    warning: bool
    prescribed: bool
    birth_date_estimated: bool = False
    # Counted from the victim's majority and shown to a role that may not see identities: the exact
    # date (and the dates of its computation) would give the birth date away (loi 1881, art. 39 bis).
    date_withheld: bool = False
    # The interruptive acts the computation counted (art. 9-2): how many, and the last one.
    acts: int = 0
    last_act: date | None = None

    @property
    def shown_year(self) -> int | None:
        return self.result.date.year if self.result and self.result.date else None


def for_viewer(rows: list[PrescriptionRow], *, can_reveal_identity: bool) -> list[PrescriptionRow]:
    """The rows as a viewer may see them: lawyers of the association get every date; others get,
    for a period counted from the majority, the year and the rule only (the warning flags stay)."""
    if can_reveal_identity:
        return rows
    return [
        replace(
            row,
            date_withheld=True,
            explanation=f"{RULE_LABELS.get(row.result.rule_key, row.result.source)}. "
            "Date exacte réservée aux avocats de l'association : elle révèle la date de naissance de la victime.",
        )
        if row.result is not None and (row.result.majority_based or row.birth_date_estimated)
        else row
        for row in rows
    ]


def prescription_events(events):
    """Only the steps that interrupt or suspend prescription, and only what the rows read of them:
    a case of 23,051 procedures has tens of thousands of other steps."""
    return events.filter(Q(interrupts_prescription=True) | Q(suspends_prescription=True)).only(
        "procedure_id", "occurred_on", "interrupts_prescription", "suspends_prescription", "suspension_ends_on"
    )


@dataclass
class CaseLinks:
    """Who and what each procedure of a case concerns, and its steps that matter to prescription,
    indexed both ways so that a row reads only its own procedures (a case may hold 23,051)."""

    victims: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    offences: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    suspects: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_victim: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_offence: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_suspect: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    interruptions: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))
    suspensions: dict[int, list[tuple[date, date | None]]] = field(default_factory=lambda: defaultdict(list))
    conduct_ended_on: dict[int, date] = field(default_factory=dict)

    @classmethod
    def load(cls, case, timeline=None, same_person: dict[int, int] | None = None) -> CaseLinks:
        """`same_person`: suspect id → the id standing for all the suspects judged one person."""
        links = cls()
        procedures = Procedure.objects.filter(case=case)
        same_person = same_person_of(case) if same_person is None else same_person
        for through, target, store, index in (
            (Procedure.victims.through, "victim_id", links.victims, links.by_victim),
            (Procedure.offences.through, "offence_id", links.offences, links.by_offence),
            (Procedure.suspects.through, "suspect_id", links.suspects, links.by_suspect),
        ):
            person = same_person.get if store is links.suspects else None
            for procedure_id, target_id in through.objects.filter(procedure__in=procedures).values_list(
                "procedure_id", target
            ):
                if person is not None:
                    target_id = person(target_id, target_id)
                store[procedure_id].add(target_id)
                index[target_id].add(procedure_id)
        events = timeline if timeline is not None else prescription_events(Event.objects.filter(case=case))
        for event in events:
            if event.procedure_id is None:
                continue
            if event.interrupts_prescription:
                links.interruptions[event.procedure_id].append(event.occurred_on)
            if event.suspends_prescription:
                links.suspensions[event.procedure_id].append((event.occurred_on, event.suspension_ends_on))
        for procedure_id, ended in procedures.filter(conduct_ended_on__isnull=False).values_list(
            "pk", "conduct_ended_on"
        ):
            links.conduct_ended_on[procedure_id] = ended
        return links

    def procedures_of(self, victim: Victim | None, offence: Offence) -> set[int]:
        with_offence = self.by_offence.get(offence.pk, set())
        if victim is None:
            return set(with_offence)
        return with_offence & self.by_victim.get(victim.pk, set())

    def suspects_of(self, procedures: set[int]) -> set[int]:
        return set().union(*(self.suspects.get(pk, set()) for pk in procedures)) if procedures else set()


def same_person_of(case) -> dict[int, int]:
    """The suspects of the case judged to be one person (art. 9-2 last al. speaks of « la même
    personne »), by the app settings.SAME_PERSON_SUSPECTS names; none without it."""
    path = getattr(settings, "SAME_PERSON_SUSPECTS", "")
    return import_string(path)(case) if path else {}


def _birth_date_for_computation(victim: Victim | None, facts_date: date) -> tuple[date | None, bool]:
    """The birth date the rules need (minors: art. 7 and 8 count from the majority), or, when only
    the age at the facts is known, the earliest birth date that age allows: the earliest majority,
    so the earliest prescription date, which is the safe side for a warning."""
    if victim is None:
        return None, False
    if victim.birth_date:
        return victim.birth_date, False
    if victim.age_at_facts is not None:
        return add_years(facts_date, -(victim.age_at_facts + 1)) + timedelta(days=1), True
    return None, False


def _hide_birth_date(explanation: str, birth_date: date | None) -> str:
    """The explanation must not name the majority date, which gives away the birth date (identity,
    loi de 1881 art. 39 bis): keep only that it counts from the majority."""
    if birth_date is None:
        return explanation
    majority = majority_date(birth_date)
    explanation = explanation.replace(
        f"Point de départ : {majority:%d/%m/%Y} (majorité de la victime).", "Point de départ : majorité de la victime."
    )
    return explanation.replace(f"{majority:%d/%m/%Y}", "la majorité de la victime")


def _is_706_47(offence: Offence) -> bool:
    return offence.code == "Code pénal" and in_ranges(offence.article, ARTICLE_706_47)


def _cross_procedure_acts(
    links: CaseLinks, own: set[int], victim: Victim | None, offence: Offence, minors: set[int], listed: set[int]
) -> list[date]:
    """Art. 9-2 last al.: acts in procedures against the same person (suspect) for a 706-47 offence on
    another minor of the case (the engine keeps only those the article names)."""
    if victim is None or not _is_706_47(offence):
        return []
    acts = []
    others = set().union(*(links.by_suspect.get(s, set()) for s in links.suspects_of(own))) - own
    for pk in others:
        if (links.victims.get(pk, set()) & minors) - {victim.pk} and links.offences.get(pk, set()) & listed:
            acts.extend(links.interruptions.get(pk, ()))
    return acts


def prescription_row(
    *,
    victim: Victim | None,
    offence: Offence,
    case_facts_start: date | None,
    today: date,
    interruptions=(),
    suspensions=(),
    cross_procedure_interruptions=(),
    conduct_ended_on: date | None = None,
    serial_offences=(),
) -> PrescriptionRow:
    facts_date = (victim.facts_date if victim else None) or case_facts_start
    if facts_date is None:
        return PrescriptionRow(
            victim, offence, None, None, "Date des faits inconnue : calcul impossible.", False, False
        )
    birth_date, estimated = _birth_date_for_computation(victim, facts_date)
    # An act before the facts cannot interrupt them (a step about other facts of the case).
    counted = sorted({day for day in (*interruptions, *cross_procedure_interruptions) if day >= facts_date})
    try:
        result = prescription_date(
            nature=offence.nature,
            facts_date=facts_date,
            victim_birth_date=birth_date,
            article=offence.article if offence.code == "Code pénal" else None,
            # An act before the facts cannot interrupt them (a step about other facts of the case).
            interruptions=sorted({day for day in interruptions if day >= facts_date}),
            suspensions=sorted({span for span in suspensions if span[0] >= facts_date}, key=lambda span: span[0]),
            cross_procedure_interruptions=sorted({day for day in cross_procedure_interruptions if day >= facts_date}),
            continuing=bool(getattr(offence, "continuing", False)),
            conduct_ended_on=conduct_ended_on if conduct_ended_on and conduct_ended_on >= facts_date else None,
            serial_offences=serial_offences,
        )
    except ValueError as error:
        return PrescriptionRow(victim, offence, facts_date, None, str(error), False, False)
    explanation = _hide_birth_date(result.explanation_fr, birth_date)
    if estimated and facts_date < majority_date(birth_date):
        explanation += " Date de naissance inconnue : majorité estimée au plus tôt d'après l'âge aux faits."
    return PrescriptionRow(
        victim=victim,
        offence=offence,
        facts_date=facts_date,
        result=result,
        explanation=explanation,
        warning=warning_due(result, today, months=PRESCRIPTION_WARNING_MONTHS),
        prescribed=is_prescribed(result, today),
        birth_date_estimated=estimated,
        acts=len(counted),
        last_act=counted[-1] if counted else None,
    )


def prescription_rows(
    case, *, victims, offences, today: date, timeline=None, same_person: dict[int, int] | None = None
) -> list[PrescriptionRow]:
    """One row per victim and offence of the case (per offence alone when no victim is recorded)."""
    links = CaseLinks.load(case, timeline, same_person)
    listed = {offence.pk for offence in offences if _is_706_47(offence)}
    minors = {victim.pk for victim in victims if victim.minor_at_facts}
    inputs = {}
    for victim in victims or [None]:
        for offence in offences:
            own = links.procedures_of(victim, offence)
            ended = [links.conduct_ended_on[pk] for pk in own if pk in links.conduct_ended_on]
            inputs[(victim, offence)] = {
                "interruptions": [day for pk in own for day in links.interruptions.get(pk, ())],
                "suspensions": [span for pk in own for span in links.suspensions.get(pk, ())],
                "cross_procedure_interruptions": _cross_procedure_acts(links, own, victim, offence, minors, listed),
                # The earliest recorded end of the conduct: the safe side for a warning.
                "conduct_ended_on": min(ended) if ended else None,
                "suspects": links.suspects_of(own),
            }
    rows = {
        key: prescription_row(
            victim=key[0],
            offence=key[1],
            case_facts_start=case.facts_start,
            today=today,
            **{name: value for name, value in facts.items() if name != "suspects"},
        )
        for key, facts in inputs.items()
    }
    return _with_serial_offences(rows, inputs, case, today)


def _with_serial_offences(rows: dict, inputs: dict, case, today: date) -> list[PrescriptionRow]:
    """Art. 7 al. 3 and 8 al. 4: a later sexual offence by the same suspect on another minor of the
    case prolongs the period to that offence's own prescription date (the engine checks the kinds)."""
    later_by_suspect = defaultdict(list)
    for (victim, offence), row in rows.items():
        if (
            victim is not None
            and victim.minor_at_facts
            and row.result is not None
            and row.result.date is not None
            and _later_sexual_offence(offence)
        ):
            for suspect in inputs[(victim, offence)]["suspects"]:
                later_by_suspect[suspect].append(row)
    result = []
    for key, row in rows.items():
        victim = key[0]
        if victim is None or row.result is None or row.result.date is None:
            result.append(row)
            continue
        candidates = {id(other): other for s in inputs[key]["suspects"] for other in later_by_suspect.get(s, ())}
        later = [
            SerialOffence(
                committed_on=other.facts_date, prescription_date=other.result.date, article=other.offence.article
            )
            for other in candidates.values()
            if other.victim.pk != victim.pk and other.facts_date > row.facts_date
        ]
        if not later:
            result.append(row)
            continue
        facts = {name: value for name, value in inputs[key].items() if name != "suspects"}
        result.append(
            prescription_row(
                victim=victim,
                offence=key[1],
                case_facts_start=case.facts_start,
                today=today,
                serial_offences=later,
                **facts,
            )
        )
    return result


def _later_sexual_offence(offence: Offence) -> bool:
    return offence.code == "Code pénal" and in_ranges(offence.article, SERIAL_LATER_OFFENCES)
