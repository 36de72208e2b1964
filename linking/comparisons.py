"""What two person records are compared on, as data: for each field, agreement levels from the
strongest to the weakest, each a test PostgreSQL can also evaluate (=, fuzzystrmatch's
levenshtein(), substr()), so the weights learnt on a file score the same way at import time.

A record is a dict of normal forms (linking.normalise): given_name, surname, birth_date, address,
postcode, city, phone, email, identifier. A missing value on either side gives no evidence (level
None), an agreement level its index (1 = strongest), a disagreement 0."""

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


def _digits(value: str) -> str:
    return value.replace("-", "")


@dataclass(frozen=True)
class Level:
    label: str
    test: Callable[[str, str, dict, dict], bool]
    sql: str  # the same test on columns a and b, for PostgreSQL


@dataclass(frozen=True)
class Comparison:
    field: str
    label: str
    levels: tuple[Level, ...]

    def level(self, left: dict, right: dict) -> int | None:
        a, b = left.get(self.field) or "", right.get(self.field) or ""
        if not a or not b:
            return None
        for index, level in enumerate(self.levels, start=1):
            if level.test(a, b, left, right):
                return index
        return 0


def exact(label="identique"):
    return Level(label, lambda a, b, *_: a == b, "a = b")


def within(distance: int, label: str):
    return Level(
        label,
        lambda a, b, *_: Levenshtein.distance(a, b, score_cutoff=distance) <= distance,
        f"levenshtein(a, b) <= {distance}",
    )


def name_within(distance: int, label: str):
    """A typo in a name: not in a short one, nor in a code (« P-04 » against « P-05 »), where one
    character is the whole difference."""

    def test(a: str, b: str, *_):
        if min(len(a), len(b)) < 5 or any(char.isdigit() for char in a + b):
            return False
        return Levenshtein.distance(a, b, score_cutoff=distance) <= distance

    return Level(label, test, f"least(length(a), length(b)) >= 5 AND a !~ '[0-9]' AND levenshtein(a, b) <= {distance}")


def _initial(a: str, b: str, *_):
    # « J » against « Jean », « J P » against « Jean Pierre ».
    short, long = sorted((a, b), key=len)
    letters = short.replace(" ", "")
    return len(letters) <= 2 and letters == "".join(word[0] for word in long.split())[: len(letters)]


def _swapped_given(a: str, b: str, left: dict, right: dict) -> bool:
    # Given name and surname written the other way round.
    return a.replace(" ", "") == (right.get("surname") or "") or b.replace(" ", "") == (left.get("surname") or "")


def _swapped_surname(a: str, b: str, left: dict, right: dict) -> bool:
    return a == (right.get("given_name") or "").replace(" ", "") or b == (left.get("given_name") or "").replace(" ", "")


def _same_core(a: str, b: str, left: dict, right: dict) -> bool:
    # Not for codes: « Mis en examen M-2 » and « M-4 » share every word but the one that counts.
    if a != b and any(char.isdigit() for char in a + b):
        return False
    core = left.get("surname_core") or ""
    return bool(core) and core == right.get("surname_core")


def _date_typo(a: str, b: str, *_):
    return Levenshtein.distance(_digits(a), _digits(b), score_cutoff=1) <= 1


def _day_month_swapped(a: str, b: str, *_):
    a, b = _digits(a), _digits(b)
    return len(a) == len(b) == 8 and a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]


def _same_year(a: str, b: str, *_):
    return a[:4] == b[:4]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        "Prénom",
        (
            exact(),
            name_within(1, "une faute de frappe"),
            name_within(2, "deux fautes de frappe"),
            Level("initiale", _initial, "substr(a, 1, 1) = substr(b, 1, 1) AND least(length(a), length(b)) = 1"),
            Level("inversé avec le nom", _swapped_given, "a = other.surname"),
        ),
    ),
    Comparison(
        "surname",
        "Nom",
        (
            exact(),
            name_within(1, "une faute de frappe"),
            name_within(2, "deux fautes de frappe"),
            Level(
                "même nom sans particule",
                _same_core,
                "a.surname_core = b.surname_core AND (a.surname = b.surname OR a.surname || b.surname !~ '[0-9]')",
            ),
            Level("inversé avec le prénom", _swapped_surname, "a = other.given_name"),
        ),
    ),
    Comparison(
        "birth_date",
        "Date de naissance",
        (
            exact(),
            Level("une faute de frappe", _date_typo, "levenshtein(a, b) <= 1"),
            Level("jour et mois inversés", _day_month_swapped, "substr(a, 6, 2) = substr(b, 9, 2) AND …"),
            Level("même année", _same_year, "substr(a, 1, 4) = substr(b, 1, 4)"),
        ),
    ),
    Comparison("address", "Adresse", (exact(), within(2, "proche"), within(5, "voisine"))),
    Comparison("postcode", "Code postal", (exact(), within(1, "un chiffre près"))),
    Comparison("city", "Commune", (exact(), within(2, "proche"))),
    Comparison("phone", "Téléphone", (exact(),)),
    Comparison("email", "Adresse électronique", (exact(),)),
    Comparison("identifier", "Identifiant", (exact(), within(1, "un caractère près"))),
)


def gamma(left: dict, right: dict, comparisons=COMPARISONS) -> tuple:
    """The comparison vector of a pair: one level (or None) per comparison."""
    return tuple(comparison.level(left, right) for comparison in comparisons)
