"""Import of procedures from a spreadsheet (CSV or XLSX) into one case.

The file: UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated, or an XLSX workbook
(first sheet). One header row; columns are found by name, case and accents ignored, in French or
English (FIELD_ALIASES); other columns are listed as ignored. Cells:
- parquet: its code (« N° TJ », or PNAT, JUNALCO…) or its name (« Parquet de Dunkerque », « Dunkerque »);
- numéro de parquet: free text, identity ignores case and spacing (normalise_parquet_reference);
- ouverte le: JJ/MM/AAAA or AAAA-MM-JJ (or a date cell);
- infractions: `|`-separated, each a NATINF number, an article (« 225-7 », « art. 227-23 ») or a label;
  an article shared by several offences of the catalogue must be given by its label or NATINF;
- plateforme: the case's platform (a procedure belongs to the case of its platform);
- victimes: `|`-separated pseudonym keys of the case (« V-001 »), matched or created by key.
  MINOR FLAG: a key ending in `*` (« V-001* ») is a victim minor at the time of the facts;
  « (mineure) » / « (mineur) » after the key is read the same way. No flag = nothing said: an
  existing victim keeps what its record says, a new one is created with minority unknown;
- stade, issue: the key or the French label (« Enquête », « Classement sans suite »…).
A column present with an empty cell means « none / default » (the file is the truth for the columns
it has); a column absent from the file leaves that field of an existing procedure as it is.

Rows are validated one by one: a rejected row (with its line number and reason) never stops the
valid ones. Procedures are matched by (parquet, normalised reference) within the association; a
row identical to the stored procedure is left alone (no write, no history row), so importing the
same file twice changes nothing. Writing is done by chunks (CHUNK_SIZE rows), each in one
transaction together with the job's progress: an interrupted job resumes after the last committed
chunk, and the upsert keys make a chunk run twice harmless.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
import unicodedata
import uuid
import zipfile
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import pghistory
import psycopg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, Offence, Parquet, Platform, Victim
from cases.selectors import case_access

from .models import Event, EventKind, ImportFormat, ImportJob, ImportStatus, Outcome, Procedure, Stage
from .models.imports import REJECTED_ROWS_KEPT, STALE_AFTER
from .models.procedure import normalise_parquet_reference

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
MAX_FILE_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 30 * 1024 * 1024)
SAMPLES_KEPT = 50
# Chunks written at once, each by a thread with its own connection: the database's work per row
# (history triggers, foreign keys) dominates, and runs in parallel on several cores.
WRITE_THREADS = getattr(settings, "IMPORT_WRITE_THREADS", 2)
MINOR_SUFFIX = "*"
# A victim key is a pseudonym: 1 to 4 letters, a hyphen, 1 to 6 digits (« V-001 », « DK-12 »).
PSEUDONYM_KEY = re.compile(r"[A-Z]{1,4}-\d{1,6}")
LIST_SEPARATOR = "|"
# First characters that make a spreadsheet read a cell as a formula (OWASP « CSV Injection »): the
# CSV export prefixes such text with `'` (exports.escape_formula) and the CSV import removes it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Canonical header (used by the export, so that an export re-imports) and accepted aliases, written
# as normalised by _normalise (lower case, no accents, `_` between words).
COLUMNS = {
    "parquet": "parquet",
    "parquet_reference": "numero_parquet",
    "opened_on": "ouverte_le",
    "offences": "infractions",
    "platform": "plateforme",
    "victims": "victimes",
    "stage": "stade",
    "outcome": "issue",
}
FIELD_ALIASES = {
    "parquet": ("parquet", "code_parquet", "parquet_code", "nom_parquet", "prosecution_office"),
    "parquet_reference": (
        "numero_parquet",
        "numero_de_parquet",
        "n_parquet",
        "n_de_parquet",
        "no_parquet",
        "no_de_parquet",
        "num_parquet",
        "reference_parquet",
        "ref_parquet",
        "parquet_reference",
        "parquet_ref",
        "parquet_number",
        "reference",
        "numero",
    ),
    "opened_on": (
        "ouverte_le",
        "ouvert_le",
        "date_ouverture",
        "date_d_ouverture",
        "ouverture",
        "opened_on",
        "opened",
        "opening_date",
        "date_opened",
    ),
    "offences": ("infractions", "infraction", "qualifications", "qualification", "offences", "offenses", "offence"),
    "platform": ("plateforme", "platform", "site"),
    "victims": ("victimes", "victime", "victims", "victim"),
    "stage": ("stade", "stage"),
    "outcome": ("issue", "suite", "suite_donnee", "outcome"),
}
REQUIRED_FIELDS = ("parquet", "parquet_reference")
FIELD_LABELS = {
    "parquet": "parquet",
    "parquet_reference": "numéro de parquet",
    "opened_on": "ouverte le",
    "offences": "infractions",
    "platform": "plateforme",
    "victims": "victimes",
    "stage": "stade",
    "outcome": "issue",
}

_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
_ARTICLE = re.compile(r"^(?:art(?:icle)?\.?\s*)?([LRDA]?\s?\d+(?:[-.]\d+)*(?:\s(?:bis|ter|quater))?)$", re.IGNORECASE)
_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SPACES = re.compile(r"\s+")
_MINOR_WORDS = re.compile(r"\s*\((?:mineure?|minor)\)$", re.IGNORECASE)


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message is a sentence for the user."""


@lru_cache(maxsize=20000)
def _normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped: « N° de Parquet » → « n_de_parquet »."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _text(value) -> str:
    """A cell as text: XLSX numbers without a spurious « .0 », dates in French form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


# --- Reading the file --------------------------------------------------------------------------


@dataclass
class SourceFile:
    format: str
    encoding: str
    delimiter: str
    headers: list[str]
    columns: dict[str, int]  # field name → column index
    ignored_columns: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells), blank rows left out


def detect_format(data: bytes, name: str = "") -> str:
    """CSV or XLSX, from the content (an XLSX is a zip); the name only breaks ties."""
    if data[:4] == b"PK\x03\x04":
        return ImportFormat.XLSX
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le classeur en XLSX ou en CSV.")
        )
    if name.lower().endswith(".xlsx"):
        raise ImportFileError(_("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel lisible."))
    return ImportFormat.CSV


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not), else Windows-1252, the two encodings Excel writes in France."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise ImportFileError(_("Le fichier n'est pas un texte CSV lisible (contenu binaire)."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou Windows-1252.")
        ) from error


def unescape_formula(text: str) -> str:
    """Undo exports.escape_formula: one `'` dropped before (more quotes and) a formula trigger.
    Also reads « '=… » typed by hand as the text marker it is in Excel."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _sniff_delimiter(first_line: str) -> str:
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _csv_rows(text: str) -> tuple[str, list[tuple[int, list]]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    try:
        for cells in reader:
            rows.append((line, [unescape_formula(cell) for cell in cells]))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Le CSV est mal formé vers la ligne %(line)s : %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    return delimiter, rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(_("Le classeur Excel est illisible ou endommagé.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Some tools write a wrong sheet size: read what is there rather than what it claims.
        sheet.reset_dimensions()
        return [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def read_source(data: bytes, name: str = "") -> SourceFile:
    """Parse the file and map its header; raises ImportFileError with a sentence."""
    if not data:
        raise ImportFileError(_("Le fichier est vide."))
    file_format = detect_format(data, name)
    if file_format == ImportFormat.XLSX:
        encoding, delimiter, rows = "", "", _xlsx_rows(data)
    else:
        text, encoding = decode_text(data)
        delimiter, rows = _csv_rows(text)
    rows = [(line, cells) for line, cells in rows if any(_text(cell) for cell in cells)]
    if not rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne."))
    (_line, header_cells), rows = rows[0], rows[1:]
    headers = [_text(cell) for cell in header_cells]
    columns, ignored = map_headers(headers)
    return SourceFile(file_format, encoding, delimiter, headers, columns, ignored, rows)


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(_normalise(header))
        if name is None:
            if header:
                ignored.append(header)
            continue
        if name in columns:
            raise ImportFileError(
                _("Les colonnes « %(first)s » et « %(second)s » désignent toutes deux : %(field)s.")
                % {"first": headers[columns[name]], "second": header, "field": FIELD_LABELS[name]}
            )
        columns[name] = index
    missing = [FIELD_LABELS[name] for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _("Colonne obligatoire introuvable : %(missing)s (en-têtes lus : %(headers)s).")
            % {"missing": ", ".join(missing), "headers": ", ".join(h for h in headers if h) or "—"}
        )
    return columns, ignored


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
            pairs += [(_normalise(str(label)), value) for value, label in choices.choices]
    pairs += [(_normalise(value), value) for value in choices.values]
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
                normalised = _normalise(text)
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
        self.offences_by_label = _index((_normalise(label), pk) for pk, _natinf, _article, label in offences)
        self.platforms = _index(
            [(_normalise(name), pk) for pk, name, _url in Platform.objects.values_list("id", "name", "url")]
            + [
                (_normalise(re.sub(r"^https?://(www\.)?", "", url).rstrip("/")), pk)
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
            found = self.parquets.get(("name", _normalise(text)))
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
        found = self.offences_by_label.get(_normalise(text))
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
        found = self.platforms.get(_normalise(re.sub(r"^https?://(www\.)?", "", text).rstrip("/")))
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
        found = index.get(_normalise(text))
        if found is None or found is AMBIGUOUS:
            choices = Stage if kind == "stage" else Outcome
            with translation.override("fr"):
                allowed = ", ".join(str(label) for label in choices.labels)
            return None, _("%(field)s inconnu « %(value)s » (valeurs admises : %(allowed)s)") % {
                "field": FIELD_LABELS[kind],
                "value": text,
                "allowed": allowed,
            }
        return found, None


def _article_key(article: str) -> str:
    return re.sub(r"\s+", "", article or "").replace(".", "-").upper()


def parse_date(value):
    """A date cell or text: JJ/MM/AAAA (also with - or .) or AAAA-MM-JJ. Returns (date, error)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _text(value)
    match = _FR_DATE.match(text)
    try:
        if match:
            day, month, year = (int(group) for group in match.groups())
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
    has_opened_on: bool = False

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
        parquet_text = _text(cell("parquet"))
        parquet_id = None
        if not parquet_text:
            errors.append(_("parquet manquant"))
        else:
            parquet_id, error = catalogue.cached("parquet", parquet_text, catalogue.parquet)
            if error:
                errors.append(error)
        reference = _SPACES.sub(" ", _text(cell("parquet_reference")))
        if not reference:
            errors.append(_("numéro de parquet manquant"))
        elif len(reference) > reference_max:
            errors.append(_("numéro de parquet trop long (%(max)s caractères au plus)") % {"max": reference_max})
        row = Row(line, parquet_id, reference, normalise_parquet_reference(reference))
        if get["opened_on"] is not None:
            row.has_opened_on = True
            raw = cell("opened_on")
            if _text(raw):
                opened_on, error = (
                    catalogue.cached("date", raw, parse_date) if isinstance(raw, str) else parse_date(raw)
                )
                if error:
                    errors.append(_("ouverte le : %(error)s") % {"error": error})
                elif opened_on > today:
                    errors.append(_("date d'ouverture dans le futur (%(date)s)") % {"date": f"{opened_on:%d/%m/%Y}"})
                row.opened_on = opened_on
        for kind in ("stage", "outcome"):
            if get[kind] is not None:
                text = _text(cell(kind))
                value = Stage.ENQUETE if kind == "stage" else Outcome.PENDING
                if text:
                    value, error = catalogue.cached(kind, text, lambda text, kind=kind: catalogue.choice(kind, text))
                    if error:
                        errors.append(error)
                setattr(row, kind, value)
        if get["offences"] is not None:
            row.offence_ids, error = catalogue.cached("offences", _text(cell("offences")), catalogue.offences)
            if error:
                errors.append(error)
        if get["platform"] is not None:
            text = _text(cell("platform"))
            if text:
                _platform, error = catalogue.cached("platform", text, catalogue.platform)
                if error:
                    errors.append(error)
        if get["victims"] is not None:
            row.victims, error = catalogue.cached("victims", _text(cell("victims")), parse_victims)
            if error:
                errors.append(error)
        if not errors:
            first = seen.setdefault(row.key, line)
            if first != line:
                errors.append(_("même procédure (parquet et numéro) qu'à la ligne %(line)s") % {"line": first})
        results.append(Rejection(line, "; ".join(errors)) if errors else row)
    return results


# --- Planning and writing, chunk by chunk ------------------------------------------------------


@dataclass
class Totals:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_rows: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"create": [], "update": [], "unchanged": []})

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < REJECTED_ROWS_KEPT:
            self.rejected_rows.append({"line": line, "reason": reason})

    def sample(self, kind: str, row: Row, catalogue: Catalogue, changes=()) -> None:
        if len(self.samples[kind]) < SAMPLES_KEPT:
            entry = {"line": row.line, "parquet": catalogue.parquet_names[row.parquet_id], "reference": row.reference}
            if changes:
                entry["changes"] = [FIELD_LABELS.get(name, name) for name in changes]
            self.samples[kind].append(entry)


@dataclass(slots=True)
class Existing:
    id: int
    case_id: int
    parquet_reference: str
    opened_on: date | None
    stage: str
    outcome: str
    victim_ids: frozenset
    offence_ids: frozenset


@dataclass(slots=True)
class Planned:
    row: Row
    victim_ids: frozenset | None
    existing: Existing | None = None
    changes: tuple = ()


def _through(relation: str):
    through = Procedure._meta.get_field(relation).remote_field.through
    source = through._meta.get_field("procedure").column
    target = next(f.column for f in through._meta.concrete_fields if f.column not in {source, "id"})
    return through._meta.db_table, source, target


def _fetch_existing(association_id: int, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Existing]:
    if not keys:
        return {}
    procedure_table = Procedure._meta.db_table
    victims_table, victims_source, victims_target = _through("victims")
    offences_table, offences_source, offences_target = _through("offences")
    sql = f"""
        SELECT p.id, p.case_id, p.parquet_id, p.normalised_reference, p.parquet_reference, p.opened_on, p.stage,
               p.outcome,
               ARRAY(SELECT t.{victims_target} FROM {victims_table} t WHERE t.{victims_source} = p.id),
               ARRAY(SELECT t.{offences_target} FROM {offences_table} t WHERE t.{offences_source} = p.id)
        FROM {procedure_table} p
        JOIN unnest(%s::bigint[], %s::text[]) AS k(parquet_id, reference)
          ON p.parquet_id = k.parquet_id AND p.normalised_reference = k.reference
        WHERE p.association_id = %s
    """  # noqa: S608 - table and column names come from the models' metadata, values are parameters
    with _raw_cursor() as cursor:
        cursor.execute(sql, [[key[0] for key in keys], [key[1] for key in keys], association_id], binary=True)
        return {
            (parquet_id, reference): Existing(
                pk, case_id, raw, opened_on, stage, outcome, frozenset(victims), frozenset(offences)
            )
            for pk, case_id, parquet_id, reference, raw, opened_on, stage, outcome, victims, offences in cursor
        }


class Importer:
    """Runs a job's rows through plan (dry run) or plan-and-write (apply), chunk by chunk."""

    def __init__(self, job: ImportJob, *, chunk_size: int = CHUNK_SIZE, on_progress=None):
        self.job = job
        self.case = job.case
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.catalogue = Catalogue(self.case)
        self.victims: dict[str, list] = {}  # key → [id, minor_at_facts]
        self._case_references: dict[int, str] = {}
        self._lock = threading.Lock()
        self.victim_rejections: dict[int, str] = {}
        with translation.override(settings.LANGUAGE_CODE):
            self._title_template = _("Procédure ouverte au %(parquet)s (n° %(reference)s)")

    # Victims ----------------------------------------------------------------------------------

    def load_victims(self, keys=None) -> None:
        victims = Victim.objects.filter(case_id=self.case.pk).annotate(key=Upper("pseudonym"))
        if keys is not None:
            victims = victims.filter(key__in=keys)
        for pk, key, minor in victims.values_list("pk", "key", "minor_at_facts"):
            self.victims[key] = [pk, minor]

    def resolve_victims(self, rows: list[Row], *, write: bool) -> tuple[dict[int, str], int]:
        """Match every victim key of the file to a victim of the case, creating the missing ones in
        one statement (in a dry run, only counting them). A row flagging as minor a victim whose
        record says adult at the facts is rejected, and creates nothing. Returns the rejections
        (line → reason) and the number of victims created."""
        keys = {key for row in rows for key, _minor in row.victims or ()}
        unknown = [key for key in keys if key not in self.victims]
        if unknown:
            self.load_victims(unknown)  # created meanwhile by another import or by hand
        rejections, kept = {}, []
        for row in rows:
            adults = [
                key
                for key, minor in row.victims or ()
                if minor and key in self.victims and self.victims[key][1] is False
            ]
            if adults:
                rejections[row.line] = _("victime marquée mineure mais majeure aux faits selon sa fiche : %(keys)s") % {
                    "keys": ", ".join(adults)
                }
            else:
                kept.append(row)
        wanted: dict[str, bool | None] = {}
        for row in kept:
            for key, minor in row.victims or ():
                wanted[key] = wanted.get(key) or minor
        missing = [key for key in wanted if key not in self.victims]
        if missing:
            if write:
                created = Victim.objects.bulk_create(
                    [Victim(case_id=self.case.pk, pseudonym=key, minor_at_facts=wanted[key]) for key in missing]
                )
                for victim in created:
                    self.victims[victim.pseudonym] = [victim.pk, victim.minor_at_facts]
            else:
                for placeholder, key in enumerate(missing, start=1):
                    self.victims[key] = [-placeholder, wanted[key]]
        flagged = [key for key, minor in wanted.items() if minor and self.victims[key][1] is None]
        if flagged:
            if write:
                Victim.objects.filter(pk__in=[self.victims[key][0] for key in flagged]).update(minor_at_facts=True)
            for key in flagged:
                self.victims[key][1] = True
        return rejections, len(missing)

    def _case_reference(self, case_id: int) -> str:
        if case_id not in self._case_references:
            self._case_references[case_id] = Case.objects.filter(pk=case_id).values_list("reference", flat=True).first()
        return self._case_references[case_id]

    # Planning ---------------------------------------------------------------------------------

    def plan(self, rows: list[Row], totals: Totals) -> list[Planned]:
        """What each valid row would do; unchanged rows are counted here and go no further."""
        existing = _fetch_existing(self.case.association_id, [row.key for row in rows])
        planned = []
        for row in rows:
            victim_ids = None if row.victims is None else frozenset(self.victims[key][0] for key, _m in row.victims)
            current = existing.get(row.key)
            if current is None:
                planned.append(Planned(row, victim_ids))
                totals.created += 1
                totals.sample("create", row, self.catalogue)
                continue
            if current.case_id != self.case.pk:
                reference = self._case_reference(current.case_id)
                totals.reject(
                    row.line,
                    _("ce numéro est déjà enregistré pour ce parquet dans l'affaire %(case)s") % {"case": reference},
                )
                continue
            changes = tuple(
                name
                for name, new, old in (
                    ("parquet_reference", row.reference, current.parquet_reference),
                    ("opened_on", row.opened_on if row.has_opened_on else current.opened_on, current.opened_on),
                    ("stage", row.stage or current.stage, current.stage),
                    ("outcome", row.outcome or current.outcome, current.outcome),
                    ("victims", current.victim_ids if victim_ids is None else victim_ids, current.victim_ids),
                    (
                        "offences",
                        row.offence_ids if row.offence_ids is not None else current.offence_ids,
                        current.offence_ids,
                    ),
                )
                if new != old
            )
            if not changes:
                totals.unchanged += 1
                totals.sample("unchanged", row, self.catalogue)
                continue
            planned.append(Planned(row, victim_ids, current, changes))
            totals.updated += 1
            totals.sample("update", row, self.catalogue, changes)
        return planned

    # Writing ----------------------------------------------------------------------------------

    def write(self, planned: list[Planned], totals: Totals) -> None:
        """Upsert the chunk's procedures, then their victims, offences and timeline steps: a few
        statements per chunk, fed with arrays (server-side binding, binary), no model instances."""
        procedure_fields = {"parquet_reference", "opened_on", "stage", "outcome"}
        upserts = [item for item in planned if item.existing is None or procedure_fields & set(item.changes)]
        values = []
        for item in upserts:
            row, current = item.row, item.existing
            values.append(
                (
                    row.parquet_id,
                    row.reference,
                    row.normalised_reference,
                    row.opened_on if row.has_opened_on or current is None else current.opened_on,
                    row.stage or (current.stage if current else Stage.ENQUETE),
                    row.outcome or (current.outcome if current else Outcome.PENDING),
                )
            )
        ids: dict[tuple[int, str], int] = {}
        with _raw_cursor() as cursor:
            if values:
                columns = ("parquet_id", "parquet_reference", "normalised_reference", "opened_on", "stage", "outcome")
                sql, params = _insert_select(
                    Procedure,
                    arrays=dict(zip(columns, (list(column) for column in zip(*values, strict=True)), strict=True)),
                    constants={"case_id": self.case.pk, "association_id": self.case.association_id},
                )
                # Only a procedure of this case is ever updated (the plan rejected the others; the
                # condition also holds against a concurrent write).
                sql += (
                    " ON CONFLICT (association_id, parquet_id, normalised_reference) DO UPDATE SET "
                    + ", ".join(
                        f"{name} = EXCLUDED.{name}"
                        for name in (*columns[1:], "updated_at")
                        if name != "normalised_reference"
                    )
                    + f" WHERE {Procedure._meta.db_table}.case_id = EXCLUDED.case_id"
                    " RETURNING id, parquet_id, normalised_reference"
                )
                cursor.execute(sql, params, binary=True)
                ids = {(parquet_id, reference): pk for pk, parquet_id, reference in cursor.fetchall()}
            for item in planned:
                if item.existing is not None:
                    ids.setdefault(item.row.key, item.existing.id)
            lost = [item for item in planned if item.row.key not in ids]
            if lost:
                # Recorded meanwhile in another case of the association (the upsert leaves it alone).
                for item in lost:
                    totals.created -= item.existing is None
                    totals.updated -= item.existing is not None
                    totals.reject(
                        item.row.line, _("ce numéro vient d'être enregistré pour ce parquet dans une autre affaire")
                    )
                planned = [item for item in planned if item.row.key in ids]
                kept = [index for index, item in enumerate(upserts) if item.row.key in ids]
                upserts, values = [upserts[i] for i in kept], [values[i] for i in kept]
            self._write_relations(cursor, planned, ids, "victims")
            self._write_relations(cursor, planned, ids, "offences")
            self._write_events(cursor, upserts, values, ids)

    def _write_relations(self, cursor, planned: list[Planned], ids: dict, relation: str) -> None:
        """Set the procedure's victims or offences to the file's list: add what is missing, remove
        what is no longer there (two statements for the whole chunk)."""
        table, source, target = _through(relation)
        added: tuple[list, list] = ([], [])
        removed: tuple[list, list] = ([], [])
        for item in planned:
            wanted = item.victim_ids if relation == "victims" else item.row.offence_ids
            if wanted is None:
                continue
            current = frozenset()
            if item.existing is not None:
                current = item.existing.victim_ids if relation == "victims" else item.existing.offence_ids
            pk = ids[item.row.key]
            for other in wanted - current:
                added[0].append(pk)
                added[1].append(other)
            for other in current - wanted:
                removed[0].append(pk)
                removed[1].append(other)
        if removed[0]:
            cursor.execute(
                f"DELETE FROM {table} WHERE ({source}, {target}) IN "  # noqa: S608 - names from model metadata
                "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
                list(removed),
                binary=True,
            )
        if added[0]:
            cursor.execute(
                f"INSERT INTO {table} ({source}, {target}) "  # noqa: S608 - names from model metadata
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                list(added),
                binary=True,
            )

    def _event_title(self, parquet_id: int, reference: str) -> str:
        title = self._title_template % {"parquet": self.catalogue.parquet_names[parquet_id], "reference": reference}
        return title[: Event._meta.get_field("title").max_length]

    def _write_events(self, cursor, upserts: list[Planned], values: list[tuple], ids: dict) -> None:
        """The timeline step « procédure ouverte » of each procedure (as procedure_create writes it),
        one per procedure thanks to the (source_model, source_id) constraint; moved when the opening
        date or the number changes, removed when the date is erased."""
        source_model = Procedure._meta.model_name
        new, moved, cleared = ([], [], []), ([], [], []), []
        for item, (parquet_id, reference, normalised, opened_on, _stage, _outcome) in zip(upserts, values, strict=True):
            pk = ids[(parquet_id, normalised)]
            if opened_on is None:
                if item.existing is not None and item.existing.opened_on is not None:
                    cleared.append(pk)
                continue
            title = self._event_title(parquet_id, reference)
            target = new if item.existing is None else moved
            target[0].append(pk)
            target[1].append(opened_on)
            target[2].append(title)
        table = Event._meta.db_table
        if moved[0]:
            cursor.execute(
                f"UPDATE {table} AS e SET occurred_on = k.occurred_on, title = k.title "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::date[], %s::text[]) AS k(source_id, occurred_on, title) "
                "WHERE e.source_model = %s AND e.source_id = k.source_id "
                "AND (e.occurred_on, e.title) IS DISTINCT FROM (k.occurred_on, k.title)",
                [*moved, source_model],
                binary=True,
            )
            # A procedure that had no opening date had no step yet.
            for index in range(3):
                new[index].extend(moved[index])
        if cleared:
            cursor.execute(
                f"DELETE FROM {table} WHERE source_model = %s AND source_id = ANY(%s::bigint[])",  # noqa: S608
                [source_model, cleared],
                binary=True,
            )
        if new[0]:
            sql, params = _insert_select(
                Event,
                arrays={"procedure_id": new[0], "occurred_on": new[1], "title": new[2]},
                constants={
                    "case_id": self.case.pk,
                    "kind": EventKind.PROCEDURE_OPENED,
                    "source_model": source_model,
                    # Registering a procedure is not an act of art. 9-2: it interrupts nothing.
                    "interrupts_prescription": False,
                    "suspends_prescription": False,
                },
                expressions={"source_id": "t.procedure_id"},
            )
            cursor.execute(sql + " ON CONFLICT DO NOTHING", params, binary=True)

    # The run ----------------------------------------------------------------------------------

    def run(self, token: str) -> None:
        """Validate the whole file, resolve its victims, then plan (and write) chunk by chunk,
        skipping the chunks an earlier run already committed. Chunks are written by
        WRITE_THREADS threads, each with its own connection and transaction."""
        job = self.job
        with job.file.open("rb") as handle:
            data = handle.read()
        source = read_source(data, job.original_name)
        items = validate_rows(source, self.catalogue)
        write = not job.dry_run
        size = job.chunk_size if write and job.chunk_size else self.chunk_size
        chunks = [items[offset : offset + size] for offset in range(0, len(items), size)]
        done = set(job.chunks_done or []) if write else set()
        previous = (job.report or {}).get("samples") if write and done else None
        self.samples = previous or {"create": [], "update": [], "unchanged": []}
        report = {
            "format": source.format,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
            "columns": {name: source.headers[index] for name, index in source.columns.items()},
            "ignored_columns": source.ignored_columns,
            "samples": self.samples,
        }
        self.metadata = {"import_job": job.pk, "user": job.uploaded_by_id, "case": self.case.pk}
        with translation.override(settings.LANGUAGE_CODE), pghistory.context(**self.metadata):
            self._prelude([item for item in items if isinstance(item, Row)], token, len(items), size, report)
            pending = [index for index in range(len(chunks)) if index not in done]
            if not write or WRITE_THREADS <= 1 or len(pending) <= 1 or connection.in_atomic_block:
                # Inside an outer transaction (tests), chunks cannot commit on their own connections.
                for index in pending:
                    self.chunk(index, chunks[index], token)
            else:
                self._run_threads(pending, chunks, token)
        _job_update(job, token, report=report)

    def _run_threads(self, pending: list[int], chunks: list, token: str) -> None:
        def work(index):
            try:
                with translation.override(settings.LANGUAGE_CODE), pghistory.context(**self.metadata):
                    self.chunk(index, chunks[index], token)
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix=f"import-{self.job.pk}") as pool:
            futures = [pool.submit(work, index) for index in pending]
            wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                future.cancel()
        errors = [future.exception() for future in futures if future.done() and not future.cancelled()]
        errors = [error for error in errors if error is not None]
        if errors:
            raise next((error for error in errors if isinstance(error, JobTakenOver)), errors[0])

    def _prelude(self, rows: list[Row], token: str, total: int, size: int, report: dict) -> None:
        """Victims of the whole file at once (a chunk then needs no lock on the case), in one
        transaction with the job's size and report."""
        job = self.job
        write = not job.dry_run
        self.load_victims()
        with transaction.atomic():
            if write:
                # The victims service locks the case row the same way: two imports (or a lawyer
                # adding a victim) never create the same pseudonym twice.
                Case.objects.select_for_update().filter(pk=self.case.pk).values_list("pk").first()
                _quiet_trigger_guards()
            self.victim_rejections, created = self.resolve_victims(rows, write=write)
            values = {"total_rows": total, "chunk_size": size, "report": report}
            if write:
                values["victims_created_count"] = F("victims_created_count") + created
            else:
                values.update(
                    victims_created_count=created,
                    processed_rows=0,
                    created_count=0,
                    updated_count=0,
                    unchanged_count=0,
                    rejected_count=0,
                    rejected_rows=[],
                    chunks_done=[],
                )
            _job_update(job, token, **values)

    def chunk(self, index: int, items: list, token: str) -> None:
        totals = Totals()
        rows = []
        for item in items:
            if isinstance(item, Rejection):
                totals.reject(item.line, item.reason)
            elif item.line in self.victim_rejections:
                totals.reject(item.line, self.victim_rejections[item.line])
            else:
                rows.append(item)
        if self.job.dry_run:
            self.plan(rows, totals)
            self._record_chunk(index, len(items), totals, token)
        else:
            with transaction.atomic():
                _quiet_trigger_guards()
                planned = self.plan(rows, totals)
                if planned:
                    self.write(planned, totals)
                self._record_chunk(index, len(items), totals, token)
        with self._lock:
            for kind, entries in totals.samples.items():
                room = SAMPLES_KEPT - len(self.samples[kind])
                self.samples[kind].extend(entries[: max(room, 0)])
            for name in ("created", "updated", "unchanged", "rejected"):
                field_name = f"{name}_count"
                setattr(self.job, field_name, getattr(self.job, field_name) + getattr(totals, name))
            self.job.processed_rows += len(items)
            if self.on_progress:
                self.on_progress(self.job)

    def _record_chunk(self, index: int, size: int, totals: Totals, token: str) -> None:
        """The chunk's counts and rejected lines, added to the job in the chunk's transaction, only
        if this run still holds the job and the chunk was not recorded already."""
        table = ImportJob._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} SET
                    processed_rows = processed_rows + %s,
                    created_count = created_count + %s,
                    updated_count = updated_count + %s,
                    unchanged_count = unchanged_count + %s,
                    rejected_count = rejected_count + %s,
                    rejected_rows = (
                        SELECT COALESCE(jsonb_agg(kept.entry ORDER BY (kept.entry ->> 'line')::int), '[]'::jsonb)
                        FROM (
                            SELECT entry FROM jsonb_array_elements(rejected_rows || %s::jsonb) AS entry
                            ORDER BY (entry ->> 'line')::int LIMIT %s
                        ) AS kept
                    ),
                    chunks_done = chunks_done || %s::jsonb,
                    heartbeat_at = %s
                WHERE id = %s AND claim_token = %s AND status = %s AND NOT (chunks_done @> %s::jsonb)
                """,  # noqa: S608 - the table name comes from the model's metadata
                [
                    size,
                    totals.created,
                    totals.updated,
                    totals.unchanged,
                    totals.rejected,
                    json.dumps(totals.rejected_rows),
                    REJECTED_ROWS_KEPT,
                    json.dumps([index]),
                    timezone.now(),
                    self.job.pk,
                    token,
                    ImportStatus.RUNNING,
                    json.dumps([index]),
                ],
            )
            if cursor.rowcount != 1:
                raise JobTakenOver


def _job_update(job: ImportJob, token: str, **values) -> None:
    """Write to the job only while this run holds it (its claim token)."""
    values.setdefault("heartbeat_at", timezone.now())
    updated = ImportJob.objects.filter(pk=job.pk, claim_token=token, status=ImportStatus.RUNNING).update(**values)
    if not updated:
        raise JobTakenOver


def _quiet_trigger_guards() -> None:
    """Define, for this transaction, the setting the history triggers look up on every row.

    pgtrigger's guard reads `pgtrigger.ignore` inside an EXCEPTION block: when the setting was
    never defined, every row raises and catches an error, which made each history row cost about
    0.25 ms (10 s for 23,051 procedures and their timeline steps). An empty list ignores no trigger;
    pghistory's own setting (context) is defined by pghistory.context() around the run."""
    with connection.cursor() as cursor:
        # Not a SELECT: pghistory.context() prefixes this statement with its own settings, which
        # then hold for the rest of the transaction, raw cursors included.
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
        # A chunk's commit need not wait for the WAL flush: after a crash, a lost chunk is lost
        # with its entry in chunks_done (same transaction), and « Reprendre » writes it again.
        cursor.execute("SET LOCAL synchronous_commit = off")


def _raw_cursor():
    """A cursor with server-side binding on Django's connection, inside the same transaction:
    arrays go to PostgreSQL in binary instead of being quoted in Python. The history context
    (pghistory) and the trigger guard are transaction-local settings, already set at the start of
    the chunk's transaction by _quiet_trigger_guards through Django's cursor."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


_ARRAY_TYPES = {"BigAutoField": "bigint", "ForeignKey": "bigint", "DateField": "date", "BooleanField": "boolean"}


def _insert_select(model, *, arrays: dict[str, list], constants: dict, expressions: dict | None = None):
    """`INSERT INTO table (every column) SELECT … FROM unnest(arrays)`: the given arrays, the given
    constants, `now()` for auto_now fields, and each other field's default, so that a field added to
    the model later is still filled."""
    expressions = expressions or {}
    columns, selects, params = [], [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if model_field.primary_key and column not in arrays:
            continue
        columns.append(column)
        if column in arrays:
            selects.append(f"t.{column}")
        elif column in expressions:
            selects.append(expressions[column])
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            selects.append("now()")
        else:
            value = constants[column] if column in constants else model_field.get_default()
            selects.append(f"%s::{model_field.cast_db_type(connection)}")
            params.append(model_field.get_db_prep_save(value, connection))
    unnest = ", ".join(f"%s::{_array_type(model, column)}[]" for column in arrays)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from model metadata
        f"SELECT {', '.join(selects)} FROM unnest({unnest}) AS t({', '.join(arrays)})"
    )
    return sql, [*params, *arrays.values()]


def _array_type(model, column: str) -> str:
    model_field = next(f for f in model._meta.concrete_fields if f.column == column)
    return _ARRAY_TYPES.get(model_field.get_internal_type(), "text")


class JobTakenOver(Exception):
    """Another run took the job over; this one stops without writing its chunk."""


# --- Jobs ----------------------------------------------------------------------------------------


def inspect_source(data: bytes, name: str) -> str:
    """The format, once the file is known to be readable and to have the required columns (a
    quick look at the header, so that an upload is refused at once with a sentence)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Fichier trop volumineux (%(size)s Mo, %(max)s Mo au plus).")
            % {"size": len(data) // (1024 * 1024), "max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    file_format = detect_format(data, name)
    if file_format == ImportFormat.XLSX:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            header = next(
                (cells for cells in sheet.iter_rows(values_only=True) if any(_text(cell) for cell in cells)), None
            )
            workbook.close()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
            raise ImportFileError(_("Le classeur Excel est illisible ou endommagé.")) from error
        if header is None:
            raise ImportFileError(_("Le fichier ne contient aucune ligne."))
        map_headers([_text(cell) for cell in header])
    else:
        text, _encoding = decode_text(data)
        first_line = next((line for line in text.splitlines() if line.strip()), None)
        if first_line is None:
            raise ImportFileError(_("Le fichier ne contient aucune ligne."))
        header = next(csv.reader([first_line], delimiter=_sniff_delimiter(first_line)))
        map_headers([cell.strip() for cell in header])
    return file_format


def import_job_create(*, user, case: Case, data: bytes, name: str, dry_run: bool = True) -> ImportJob:
    """Record an upload as a job (queued). ValidationError on the file when it cannot be read."""
    if user is not None and not case_access(user, case).can_change:
        raise PermissionDenied
    name = (name or "import.csv").replace("\\", "/").rsplit("/", 1)[-1][:200] or "import.csv"
    try:
        file_format = inspect_source(data, name)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}, code="invalid") from error
    return ImportJob.objects.create(
        association_id=case.association_id,
        case=case,
        uploaded_by=user,
        file=ContentFile(data, name=name),
        original_name=name,
        format=file_format,
        dry_run=dry_run,
    )


def import_job_apply(*, user, job: ImportJob) -> ImportJob:
    """A new (queued) job writing the file a finished dry run has shown."""
    if user is not None and not case_access(user, job.case).can_change:
        raise PermissionDenied
    if not job.dry_run or job.status != ImportStatus.DONE:
        raise ValidationError(_("Seule une simulation terminée peut être appliquée."), code="invalid")
    return ImportJob.objects.create(
        association_id=job.association_id,
        case_id=job.case_id,
        uploaded_by=user,
        source_job=job,
        file=job.file.name,
        original_name=job.original_name,
        format=job.format,
        dry_run=False,
    )


def import_job_resume(*, user, job: ImportJob) -> ImportJob:
    """Put a failed import back in the queue: it resumes after its last committed chunk."""
    if user is not None and not case_access(user, job.case).can_change:
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
        status=ImportStatus.QUEUED, error="", finished_at=None
    )
    if not updated:
        raise ValidationError(_("Seul un import en échec peut être repris."), code="invalid")
    job.refresh_from_db()
    return job


def import_job_claim(job_id: int) -> str | None:
    """Take the job: queued, or running but abandoned (no progress for STALE_AFTER: its worker
    died). One conditional UPDATE, so two workers never both get it; returns this run's token
    (None when the job is not to be taken), which every later write of the run is conditional on."""
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    )
    token = uuid.uuid4().hex
    updated = (
        ImportJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(status=ImportStatus.RUNNING, heartbeat_at=now, error="", claim_token=token)
    )
    return token if updated else None


def import_job_run(job_id: int, token: str, *, chunk_size: int = CHUNK_SIZE, on_progress=None) -> ImportJob:
    """Run a claimed job to the end; its row says how it went (done, or failed and why)."""
    job = ImportJob.objects.select_related("case").get(pk=job_id)
    if job.started_at is None:
        job.started_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at)
    try:
        Importer(job, chunk_size=chunk_size, on_progress=on_progress).run(token)
    except JobTakenOver:
        job.refresh_from_db()
        return job
    except ImportFileError as error:
        _finish(job, token, ImportStatus.FAILED, str(error))
        return job
    except Exception as error:
        logger.exception("Import %s failed", job.pk)
        job.refresh_from_db()
        _finish(
            job,
            token,
            ImportStatus.FAILED,
            _("L'import s'est arrêté (%(error)s) après %(rows)s lignes ; il peut être repris.")
            % {"error": f"{error.__class__.__name__}: {error}"[:300], "rows": job.processed_rows},
        )
        return job
    _finish(job, token, ImportStatus.DONE, "")
    return job


def import_job_execute(job_id: int, **options) -> ImportJob | None:
    """Claim then run; None when the job was not claimable (done, or running elsewhere)."""
    token = import_job_claim(job_id)
    if token is None:
        return None
    return import_job_run(job_id, token, **options)


def _finish(job: ImportJob, token: str, status: str, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk, claim_token=token, status=ImportStatus.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    job.refresh_from_db()
