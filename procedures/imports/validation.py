"""Validation, row by row: each cell resolved against the reference data (parquets, offences,
platforms, stages and outcomes), victim keys and suspects read (suspects.py), each row a Row or a
Rejection with its reasons. A rejected row never stops the valid ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, Offence, Parquet, Platform, Victim

from ..models import Outcome, Procedure, Stage
from ..models.procedure import normalise_parquet_reference
from .reading import FIELD_ALIASES, LIST_SEPARATOR, MINOR_SUFFIX, SourceFile
from .suspects import parse_suspects
from .tabular import cell_text, normalise_header

# A victim key is a pseudonym: 1 to 4 letters, a hyphen, 1 to 6 digits (« V-001 », « DK-12 »).
PSEUDONYM_KEY = re.compile(r"[A-Z]{1,4}-\d{1,6}")
_ARTICLE = re.compile(r"^(?:art(?:icle)?\.?\s*)?([LRDA]?\s?\d+(?:[-.]\d+)*(?:\s(?:bis|ter|quater))?)$", re.IGNORECASE)
_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SPACES = re.compile(r"\s+")
_MINOR_WORDS = re.compile(r"\s*\((?:mineure?|minor)\)$", re.IGNORECASE)

# --- Reference data, resolved once -------------------------------------------------------------

AMBIGUOUS = object()


def _index(pairs) -> dict:
    index: dict = {}
    for key, value in pairs:
        if not key:
            continue
        if key in index and index[key] != value:
            index[key] = AMBIGUOUS
        else:
            index[key] = value
    return index


def _choice_index(choices) -> dict[str, str]:
    pairs = []
    for language in ("fr", "en"):
        with translation.override(language):
            pairs += [(normalise_header(str(label)), value) for value, label in choices.choices]
    pairs += [(normalise_header(value), value) for value in choices.values]
    return _index(pairs)


STAGE_ALIASES = {"classement": Outcome.CLASSEMENT, "relaxe": Outcome.ACQUITTAL, "acquittement": Outcome.ACQUITTAL}


class Catalogue:
    """Parquets, offences and platforms as dicts, and the answers already given for a cell text."""

    def __init__(self, case: Case):
        self.case_platform_id = case.platform_id
        parquets = list(Parquet.objects.values_list("id", "code", "name", "court"))
        self.parquet_names = {pk: name for pk, _code, name, _court in parquets}
        pairs = []
        for pk, code, name, court in parquets:
            pairs.append((("code", code.strip().upper()), pk))
            for text in (name, court):
                normalised = normalise_header(text)
                pairs.append((("name", normalised), pk))
                short = re.sub(r"^(parquet|tribunal_judiciaire|tj)_(de_la|de_l|de|du|des|d)_", "", normalised)
                pairs.append((("name", short), pk))
        self.parquets = _index(pairs)
        offences = list(Offence.objects.values_list("id", "natinf", "article", "label"))
        self.offence_labels = {pk: label for pk, _natinf, _article, label in offences}
        self.offences_by_natinf = {natinf: pk for pk, natinf, _article, _label in offences if natinf}
        self.offences_by_article: dict[str, list[int]] = {}
        for pk, _natinf, article, _label in offences:
            self.offences_by_article.setdefault(_article_key(article), []).append(pk)
        self.offences_by_label = _index((normalise_header(label), pk) for pk, _natinf, _article, label in offences)
        self.platforms = _index(
            [(normalise_header(name), pk) for pk, name, _url in Platform.objects.values_list("id", "name", "url")]
            + [
                (normalise_header(re.sub(r"^https?://(www\.)?", "", url).rstrip("/")), pk)
                for pk, _name, url in Platform.objects.values_list("id", "name", "url")
                if url
            ]
        )
        self.platform_names = dict(Platform.objects.values_list("id", "name"))
        self.stages = _choice_index(Stage)
        self.outcomes = {**_choice_index(Outcome), **STAGE_ALIASES}
        self._cache: dict = {}

    def cached(self, kind: str, text: str, resolve):
        key = (kind, text)
        try:
            return self._cache[key]
        except KeyError:
            result = self._cache[key] = resolve(text)
            return result

    def parquet(self, text: str):
        found = self.parquets.get(("code", text.upper()))
        if found is None:
            found = self.parquets.get(("name", normalise_header(text)))
        if found is None:
            return None, _("parquet inconnu « %(value)s »") % {"value": text}
        if found is AMBIGUOUS:
            return None, _("parquet ambigu « %(value)s » : indiquez son code") % {"value": text}
        return found, None

    def offence(self, text: str):
        if text.isdigit():
            found = self.offences_by_natinf.get(int(text))
            if found is not None:
                return found, None
        match = _ARTICLE.match(text)
        if match:
            candidates = self.offences_by_article.get(_article_key(match.group(1)), [])
            if len(candidates) == 1:
                return candidates[0], None
            if len(candidates) > 1:
                labels = " ; ".join(f"« {self.offence_labels[pk]} »" for pk in candidates)
                return None, _(
                    "l'article %(article)s correspond à plusieurs infractions (%(labels)s) : indiquez le libellé"
                ) % {"article": text, "labels": labels}
        found = self.offences_by_label.get(normalise_header(text))
        if found is AMBIGUOUS:
            return None, _("libellé d'infraction ambigu « %(value)s »") % {"value": text}
        if found is None:
            if text.isdigit():
                return None, _("NATINF inconnu « %(value)s »") % {"value": text}
            return None, _("infraction inconnue « %(value)s »") % {"value": text}
        return found, None

    def offences(self, text: str):
        ids, errors = [], []
        for part in text.split(LIST_SEPARATOR):
            part = part.strip()
            if not part:
                continue
            pk, error = self.offence(part)
            if error:
                errors.append(error)
            elif pk not in ids:
                ids.append(pk)
        return (None, "; ".join(errors)) if errors else (frozenset(ids), None)

    def platform(self, text: str):
        found = self.platforms.get(normalise_header(re.sub(r"^https?://(www\.)?", "", text).rstrip("/")))
        if found is None or found is AMBIGUOUS:
            return None, _("plateforme inconnue « %(value)s »") % {"value": text}
        if self.case_platform_id and found != self.case_platform_id:
            return None, _("la plateforme « %(value)s » n'est pas celle de l'affaire (%(case)s)") % {
                "value": text,
                "case": self.platform_names[self.case_platform_id],
            }
        return found, None

    def choice(self, kind: str, text: str):
        index = self.stages if kind == "stage" else self.outcomes
        found = index.get(normalise_header(text))
        if found is None or found is AMBIGUOUS:
            choices = Stage if kind == "stage" else Outcome
            with translation.override("fr"):
                allowed = ", ".join(str(label) for label in choices.labels)
            # « stade » is masculine, « issue » feminine.
            message = (
                _("stade inconnu « %(value)s » (valeurs admises : %(allowed)s)")
                if kind == "stage"
                else _("issue inconnue « %(value)s » (valeurs admises : %(allowed)s)")
            )
            return None, message % {
                "value": text,
                "allowed": allowed,
            }
        return found, None


def _article_key(article: str) -> str:
    return re.sub(r"\s+", "", article or "").replace(".", "-").upper()


def _full_year(two_digits: int, day: int, month: int, today: date) -> int:
    """A spreadsheet saved back as text writes « 03/01/21 ». A procedure date is never after the
    import day (the row would be refused as future anyway), so the century is the latest one that
    puts the date on or before today: on 5 Dec 2026, « 21 » is 2021 and « 27 » is 1927."""
    year = today.year - today.year % 100 + two_digits
    try:
        if date(year, month, day) > today:
            year -= 100
    except ValueError:
        pass  # an impossible date: reported as such by the caller
    return year


def parse_date(value, today: date | None = None):
    """A date cell or text: JJ/MM/AAAA or JJ/MM/AA (also with - or .) or AAAA-MM-JJ. Returns
    (date, error)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = cell_text(value)
    match = _FR_DATE.match(text)
    try:
        if match:
            day, month, year = (int(group) for group in match.groups())
            if len(match.group(3)) == 2:
                year = _full_year(year, day, month, today or timezone.localdate())
            return date(year, month, day), None
        match = _ISO_DATE.match(text)
        if match:
            year, month, day = (int(group) for group in match.groups())
            return date(year, month, day), None
    except ValueError:
        return None, _("date impossible « %(value)s »") % {"value": text}
    return None, _("date illisible « %(value)s » (attendu JJ/MM/AAAA)") % {"value": text}


def parse_victims(text: str):
    """« V-001*|V-002 » → ((« V-001 », True), (« V-002 », None)). Returns (victims, error)."""
    victims: dict[str, bool | None] = {}
    for position, part in enumerate(text.split(LIST_SEPARATOR), start=1):
        part = part.strip()
        if not part:
            continue
        minor = None
        if part.endswith(MINOR_SUFFIX):
            part, minor = part[: -len(MINOR_SUFFIX)].strip(), True
        elif _MINOR_WORDS.search(part):
            part, minor = _MINOR_WORDS.sub("", part).strip(), True
        key = _SPACES.sub(" ", part).upper()
        if not key:
            return None, _("clé de victime vide dans « %(value)s »") % {"value": text}
        if len(key) > Victim._meta.get_field("pseudonym").max_length:
            return None, _("clé de victime trop longue « %(value)s » (20 caractères au plus)") % {"value": part}
        if not PSEUDONYM_KEY.fullmatch(key):
            # Whatever is not a pseudonym may be a real name (loi 1881, art. 39 bis): never stored,
            # not even in the reason of the rejected line.
            return None, _(
                "victime n° %(position)s de la liste refusée : un pseudonyme est attendu (lettres, tiret, numéro, "
                "ex. « V-001 »), jamais un nom ; la valeur n'est pas reprise ici"
            ) % {"position": position}
        victims[key] = victims.get(key) or minor
    return tuple(victims.items()), None


# --- Validation, row by row --------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """A valid row. None for a field whose column is absent (an existing value is then kept)."""

    line: int
    parquet_id: int
    reference: str
    normalised_reference: str
    opened_on: date | None = None
    stage: str | None = None
    outcome: str | None = None
    offence_ids: frozenset | None = None
    victims: tuple | None = None
    suspects: tuple | None = None  # (suspects.SuspectEntry, …)
    has_opened_on: bool = False
    # The date as written when its year had two digits (« 03/01/21 »): the dry run says how it was read.
    short_year_text: str = ""

    @property
    def key(self) -> tuple[int, str]:
        return self.parquet_id, self.normalised_reference


@dataclass(slots=True)
class Rejection:
    line: int
    reason: str


def validate_rows(source: SourceFile, catalogue: Catalogue, *, today: date | None = None) -> list[Row | Rejection]:
    """Every data row of the file, in order, as a Row or a Rejection with all its reasons."""
    today = today or timezone.localdate()
    columns = source.columns
    get = {name: columns.get(name) for name in FIELD_ALIASES}
    reference_max = Procedure._meta.get_field("parquet_reference").max_length
    seen: dict[tuple[int, str], int] = {}
    results: list[Row | Rejection] = []
    width = max(columns.values()) + 1
    for line, cells in source.rows:
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]

        def cell(name, cells=cells):
            return cells[get[name]]

        errors = []
        parquet_text = cell_text(cell("parquet"))
        parquet_id = None
        if not parquet_text:
            errors.append(_("parquet manquant"))
        else:
            parquet_id, error = catalogue.cached("parquet", parquet_text, catalogue.parquet)
            if error:
                errors.append(error)
        reference = _SPACES.sub(" ", cell_text(cell("parquet_reference")))
        if not reference:
            errors.append(_("numéro de parquet manquant"))
        elif len(reference) > reference_max:
            errors.append(_("numéro de parquet trop long (%(max)s caractères au plus)") % {"max": reference_max})
        row = Row(line, parquet_id, reference, normalise_parquet_reference(reference))
        if get["opened_on"] is not None:
            row.has_opened_on = True
            raw = cell("opened_on")
            if cell_text(raw):
                opened_on, error = (
                    catalogue.cached("date", raw, parse_date) if isinstance(raw, str) else parse_date(raw)
                )
                if error:
                    errors.append(_("ouverte le : %(error)s") % {"error": error})
                elif opened_on > today:
                    errors.append(_("date d'ouverture dans le futur (%(date)s)") % {"date": f"{opened_on:%d/%m/%Y}"})
                row.opened_on = opened_on
                if (
                    opened_on
                    and isinstance(raw, str)
                    and (match := _FR_DATE.match(cell_text(raw)))
                    and len(match.group(3)) == 2
                ):
                    row.short_year_text = cell_text(raw)
        for kind in ("stage", "outcome"):
            if get[kind] is not None:
                text = cell_text(cell(kind))
                value = Stage.ENQUETE if kind == "stage" else Outcome.PENDING
                if text:
                    value, error = catalogue.cached(kind, text, lambda text, kind=kind: catalogue.choice(kind, text))
                    if error:
                        errors.append(error)
                setattr(row, kind, value)
        if get["offences"] is not None:
            row.offence_ids, error = catalogue.cached("offences", cell_text(cell("offences")), catalogue.offences)
            if error:
                errors.append(error)
        if get["platform"] is not None:
            text = cell_text(cell("platform"))
            if text:
                _platform, error = catalogue.cached("platform", text, catalogue.platform)
                if error:
                    errors.append(error)
        if get["victims"] is not None:
            row.victims, error = catalogue.cached("victims", cell_text(cell("victims")), parse_victims)
            if error:
                errors.append(error)
        if get["suspects"] is not None:
            row.suspects, error = catalogue.cached("suspects", cell_text(cell("suspects")), parse_suspects)
            if error:
                errors.append(error)
        if not errors:
            first = seen.setdefault(row.key, line)
            if first != line:
                errors.append(_("même procédure (parquet et numéro) qu'à la ligne %(line)s") % {"line": first})
        results.append(Rejection(line, "; ".join(errors)) if errors else row)
    return results
