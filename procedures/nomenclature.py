"""Names of courts chosen by date. Ordonnance n° 2025-1091 du 19 novembre 2025 rewrites the code de
procédure pénale « à droit constant » with new numbers and new names, in force on 1 January 2029
(the ratification law may defer it to 1 January 2030: change NEW_CODE_FROM then, nothing else).
A step dated before that keeps the names it had; one dated after gets the new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NEW_CODE_FROM = date(2029, 1, 1)


@dataclass(frozen=True)
class CourtName:
    key: str
    before: str
    after: str
    source: str


COURT_NAMES: tuple[CourtName, ...] = (
    CourtName(
        "tribunal_correctionnel",
        "tribunal correctionnel",
        "tribunal délictuel",
        "ordonnance n° 2025-1091 du 19 nov. 2025 (nouveau CPP, livre II)",
    ),
    CourtName(
        "chambre_instruction",
        "chambre de l'instruction",
        "chambre des investigations et des libertés",
        "ordonnance n° 2025-1091 du 19 nov. 2025 (nouveau CPP)",
    ),
)
_BY_KEY = {name.key: name for name in COURT_NAMES}


def court_name(key: str, on: date) -> str:
    """The court's name in force on `on`."""
    name = _BY_KEY[key]
    return name.after if on >= NEW_CODE_FROM else name.before


def with_names_of(text: str, on: date) -> str:
    """`text` with the courts' names of the date `on` (labels are written with today's names)."""
    if on < NEW_CODE_FROM:
        return text
    for name in COURT_NAMES:
        text = text.replace(name.before, name.after).replace(name.before.capitalize(), name.after.capitalize())
    return text
