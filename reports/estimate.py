"""How long a dossier will be and take, said before it is queued: pages per section from the
case's counts (one cheap COUNT per table), seconds from the measured speed of the workers
(benchmarks/bench_dossier.py --reference). An order of magnitude, printed as « environ »."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procedures.models import DeadlineStatus, Decision, Filing, Hearing, Procedure

from . import aggregates
from .models import PROCEDURE_SECTIONS, SECTION_ORDER, DossierScope, Section

# Rows of each kind on one printed page, measured on the print stylesheet.
ROWS_PER_PAGE = {
    "procedure_detail": 2.5,
    "event": 38,
    "annex_line": 76,
    "party": 40,
    "referral": 3,
    "filing": 2,
    "hearing": 25,
    "deadline": 18,
    "exhibit_row": 22,
}


def pages_per_second() -> float:
    """Pages a dossier gains per second of rendering, its chunks shared by the workers and its
    assembly included: rather low than high, since a user plans on it (benchmarks/bench_dossier.py
    --reference measures what two workers do)."""
    return getattr(settings, "DOSSIER_ESTIMATE_PAGES_PER_SECOND", 15.0)


@dataclass(frozen=True)
class Estimate:
    pages: int
    seconds: int
    per_section: dict[str, int]
    large: bool

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def text(self) -> str:
        pages = ngettext("environ %(count)s page", "environ %(count)s pages", self.pages) % {
            "count": f"{self.pages:,}".replace(",", "\u202f")
        }
        minutes = ngettext("environ %(count)s minute", "environ %(count)s minutes", self.minutes) % {
            "count": self.minutes
        }
        return _("%(pages)s, %(minutes)s") % {"pages": pages, "minutes": minutes}


def counts(case) -> dict[str, int]:
    procedures = Procedure.objects.filter(case=case).aggregate(
        procedures=Count("pk"), parquets=Count("parquet", distinct=True)
    )
    parties = case.victims.count() + case.suspects.count()
    return {
        **procedures,
        "parties": parties,
        "events": case.timeline.count(),
        "referrals": case.referrals.count(),
        "filings": Filing.objects.filter(procedure__case=case).count(),
        "hearings": Hearing.objects.filter(procedure__case=case).count()
        + Decision.objects.filter(procedure__case=case).count(),
        "deadlines": case.deadlines.own().filter(status=DeadlineStatus.OPEN).count(),
        "exhibits": case.exhibits.count(),
        "offences": case.offences.count(),
    }


def _pages(rows: float, kind: str) -> int:
    return max(1, math.ceil(rows / ROWS_PER_PAGE[kind]))


def section_pages(figures: dict[str, int], *, large: bool) -> dict[str, int]:
    """Pages of each section (a new section starts a page)."""
    return {
        Section.COVER: 1,
        Section.SUMMARY: 1,
        Section.PARTIES: _pages(figures["parties"] + 6, "party"),
        Section.PROCEDURES: (
            2 + math.ceil(figures["parquets"] / 30) if large else _pages(figures["procedures"], "procedure_detail")
        ),
        Section.TIMELINE: (
            _pages(aggregates.recent_steps() + aggregates.major_steps() // 2, "event")
            if large
            else _pages(figures["events"], "event")
        ),
        Section.REFERRALS: _pages(figures["referrals"], "referral"),
        Section.FILINGS: _pages(figures["filings"], "filing"),
        Section.HEARINGS: _pages(figures["hearings"] + 4, "hearing"),
        Section.DEADLINES: _pages(figures["deadlines"] + 2, "deadline"),
        Section.PRESCRIPTION: 1 + math.ceil(3 * figures["offences"] / 12),
        Section.BORDEREAU: _pages(figures["exhibits"], "exhibit_row"),
        Section.ANNEX_PROCEDURES: _pages(figures["procedures"] + 2 * figures["parquets"], "annex_line"),
        Section.ANNEX_TIMELINE: _pages(figures["events"] + 10, "annex_line"),
        # An exhibit's own pages are unknown until it is read: two on average.
        Section.EXHIBITS: 2 * figures["exhibits"],
    }


def default_sections(case, *, large: bool | None = None) -> list[str]:
    """Everything for a large case (summaries and annexes); a small case's sections already list
    every row, so its default has no annex."""
    large = aggregates.is_large(case) if large is None else large
    if large:
        return list(SECTION_ORDER)
    return [key for key in SECTION_ORDER if key not in (Section.ANNEX_PROCEDURES, Section.ANNEX_TIMELINE)]


def dossier_estimate(case, sections=None, *, scope: str = DossierScope.CASE) -> Estimate:
    figures = counts(case)
    large = scope == DossierScope.CASE and aggregates.is_large(
        case, procedures=figures["procedures"], events=figures["events"]
    )
    if scope != DossierScope.CASE:
        figures = {**figures, "procedures": 1, "parquets": 1}
    per_section = section_pages(figures, large=large)
    chosen = sections or (default_sections(case, large=large) if scope == DossierScope.CASE else PROCEDURE_SECTIONS)
    pages = 1 + sum(per_section[key] for key in chosen if key in per_section)  # + the table of contents
    seconds = 5 + pages / pages_per_second()
    return Estimate(pages=pages, seconds=round(seconds), per_section=per_section, large=large)
