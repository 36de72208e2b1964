"""The courts' calendar for art. 801 CPP: which days are not working days, and why.

Art. 801 CPP (version of 8 July 1989, loi 89-461, read on doctrine.fr): « Le délai qui expirerait
normalement un samedi ou un dimanche ou un jour férié ou chômé est prorogé jusqu'au premier jour
ouvrable suivant. » A day stops a deadline only when the law makes it a holiday (« statutory »):

- C. trav. art. L3133-1, the metropolitan list (what `holidays.France()` gives without subdivision),
  plus Whit Monday 2005-2007, which the package leaves out (Crim. 10 May 2006, 05-86.744);
- Alsace-Moselle ("57", "6AE"): Good Friday and 26 December, local law (C. trav. L3134-13);
- overseas: the day commemorating the abolition of slavery, C. trav. L3422-2 (read on Légifrance,
  version of 21 May 2019: 27 April Mayotte, 22 May Martinique, 27 May Guadeloupe and Saint-Martin,
  10 June Guyane, 9 October Saint-Barthélemy, 20 December La Réunion). Loi 83-550 and décret
  83-1003 of 23 Nov. 1983 made them holidays; décret 2012-553 of 23 April 2012 (JO 25 April) added
  Saint-Barthélemy and Saint-Martin (legisocial.fr, « La loi travail fait entrer les jours fériés
  spécifiques en outre-mer dans le code du travail »).

Every other day the package lists (Good Friday in 971/972, Mi-Carême, 21 July Victor Schœlcher,
Saint-Martin's 28 May, the local days of New Caledonia, Polynesia, Wallis-et-Futuna) is treated as
customary: it extends a deadline only when the court's closure that day is recorded (`closures`).
Reading fewer days as holidays gives earlier deadlines, the safe side.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter


class UnknownSubdivisionError(ValueError):
    """A holiday subdivision the `holidays` package does not know for France."""


ALSACE_MOSELLE_SUBDIVISION = "57"
ALSACE_MOSELLE = frozenset({"57", "6AE"})
# Saint-Pierre-et-Miquelon is "PM" in the package, "975" in the INSEE numbering the others follow.
_SUBDIVISION_ALIASES = {"975": "PM"}

# C. trav. L3422-2 (month, day) and the first day the commemoration was a legal holiday there.
SLAVERY_ABOLITION_DAYS: dict[str, tuple[int, int, date]] = {
    "971": (5, 27, date(1983, 11, 24)),
    "972": (5, 22, date(1983, 11, 24)),
    "973": (6, 10, date(1983, 11, 24)),
    "974": (12, 20, date(1983, 11, 24)),
    "976": (4, 27, date(1983, 11, 24)),
    "BL": (10, 9, date(2012, 4, 26)),
    # The package says 28 May (celebrated since 2019); L3422-2 still says 27 May (soualigapost.net,
    # 27 May 2024: the « erreur matérielle » was never corrected). The statute wins; see NOTES.
    "MF": (5, 27, date(2012, 4, 26)),
}

COURT_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
    "PM": "America/Miquelon",
    "BL": "America/St_Barthelemy",
    "MF": "America/Marigot",
    "NC": "Pacific/Noumea",
    "PF": "Pacific/Tahiti",
    "WF": "Pacific/Wallis",
    "TF": "Indian/Kerguelen",
}

# Said once per computation for a court of that subdivision.
NOTES = {
    "MF": (
        "Saint-Martin : l'abolition de l'esclavage est célébrée le 28 mai, mais l'art. L3422-2 du "
        "code du travail retient le 27 mai ; seul le 27 mai proroge un délai, le 28 mai seulement "
        "si la fermeture du tribunal est enregistrée."
    ),
}
_LOCAL_LAW_NOTE = (
    "Les jours fériés propres à la collectivité ne prorogent le délai que si la fermeture du "
    "tribunal ce jour-là est enregistrée."
)
for _code in ("NC", "PF", "WF", "TF"):
    NOTES[_code] = _LOCAL_LAW_NOTE

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_COMMON_NOUNS = ("Lundi", "Vendredi", "Jour", "Fête", "Abolition")
# The package lists Whit Monday only from 2008 (loi 2004-626, « journée de solidarité »), yet it
# stayed a holiday for art. 801 in 2005-2007 (Crim. 10 May 2006, 05-86.744). Easter + 50 days.
_WHIT_MONDAYS_2005_2007 = (date(2005, 5, 16), date(2006, 6, 5), date(2007, 5, 28))


def format_day(day: date) -> str:
    """« lundi 02/06/2025 »."""
    return f"{WEEKDAYS_FR[day.weekday()]} {day:%d/%m/%Y}"


def package_subdivision(subdivision: str | None) -> str | None:
    """The `holidays` code for a parquet's stored subdivision; raises on an unknown one."""
    if not subdivision:
        return None
    code = _SUBDIVISION_ALIASES.get(subdivision, subdivision)
    if code not in holidays.France.subdivisions:
        known = ", ".join(holidays.France.subdivisions)
        raise UnknownSubdivisionError(
            f"Subdivision inconnue pour les jours fériés : « {subdivision} ». Subdivisions connues : {known}."
        )
    return code


def court_timezone(subdivision: str | None) -> str:
    """The IANA zone of the court's local time: a deadline ends at 24:00 there (art. 801)."""
    return COURT_TIMEZONES.get(package_subdivision(subdivision) or "", "Europe/Paris")


def _name(raw: str) -> str:
    return raw[0].lower() + raw[1:] if raw.startswith(_COMMON_NOUNS) else raw


@lru_cache(maxsize=1024)
def _package_days(year: int, code: str | None) -> dict[date, str]:
    return {day: _name(name) for day, name in holidays.France(years=year, subdiv=code, language="fr").items()}


@lru_cache(maxsize=1024)
def statutory_holidays(year: int, subdivision: str | None = None) -> dict[date, str]:
    """Day -> reason, with its legal basis, for the days the law makes holidays at that court."""
    code = package_subdivision(subdivision)
    days = {day: f"{name} (jour férié, art. L3133-1 C. trav.)" for day, name in _package_days(year, None).items()}
    for whit_monday in _WHIT_MONDAYS_2005_2007:
        if whit_monday.year == year:
            days[whit_monday] = (
                "lundi de Pentecôte (jour férié, art. L3133-1 C. trav. ; Crim. 10 mai 2006, n° 05-86.744)"
            )
    local = _package_days(year, code) if code else {}
    if code in ALSACE_MOSELLE:
        for day, default in (
            (easter(year) - timedelta(days=2), "vendredi saint"),
            (date(year, 12, 26), "Saint-Étienne"),
        ):
            days[day] = f"{local.get(day, default)} (jour férié local en Alsace-Moselle, art. L3134-13 C. trav.)"
    if code in SLAVERY_ABOLITION_DAYS:
        month, day_of_month, since = SLAVERY_ABOLITION_DAYS[code]
        day = date(year, month, day_of_month)
        if day >= since and day not in days:
            days[day] = "abolition de l'esclavage (jour férié, art. L3422-2 C. trav.)"
    return days


@lru_cache(maxsize=1024)
def customary_holidays(year: int, subdivision: str | None = None) -> dict[date, str]:
    """Days the package lists for the subdivision that no statute makes holidays (see module doc)."""
    code = package_subdivision(subdivision)
    if not code:
        return {}
    statutory = statutory_holidays(year, subdivision)
    return {day: name for day, name in _package_days(year, code).items() if day not in statutory}


def day_off_reason(day: date, subdivision: str | None = None, closures=frozenset()) -> str | None:
    """Why the court's registry is not open that day for art. 801, or None on a working day."""
    statutory = statutory_holidays(day.year, subdivision)
    if day in statutory:
        return statutory[day]
    if day.weekday() >= 5:
        return WEEKDAYS_FR[day.weekday()]
    if day in closures:
        custom = customary_holidays(day.year, subdivision).get(day)
        return "fermeture du tribunal enregistrée" + (f" ({custom}, jour férié d'usage)" if custom else "")
    return None


def customary_holiday(day: date, subdivision: str | None = None) -> str | None:
    """The name of a customary (non-statutory) holiday on that day, if any."""
    return customary_holidays(day.year, subdivision).get(day)


def is_working_day(day: date, subdivision: str | None = None, closures=frozenset()) -> bool:
    """Not a Saturday, a Sunday, a statutory holiday of the court, or a recorded closure."""
    return day_off_reason(day, subdivision, closures) is None


def next_working_day(day: date, subdivision: str | None = None, closures=frozenset()) -> date:
    """`day` itself if it is a working day, else the first working day after it (art. 801 CPP)."""
    while not is_working_day(day, subdivision, closures):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, subdivision: str | None = None, closures=frozenset()) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day, subdivision, closures):
        day -= timedelta(days=1)
    return day
