"""Import of the Ministry of Justice's NATINF table (its spreadsheet saved as CSV, about 17,000 rows).

Columns are found by name, whatever the case, accents or punctuation: the NATINF number, the nature (« CRIME »,
« DELIT », « C5 »…), the label (libellé or qualification) and the defining articles (« Art.225-5 C.penal »). Rows are
upserted by NATINF number in bulk; a bad row is reported with its line number and the valid rows are still imported.
Only the fields the NATINF table owns are written: categories and prescription rules set by hand are kept.
"""

import re
import unicodedata

import pghistory
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import Offence, OffenceNature
from cases.reference_data import LoadResult, ReferenceDataError, csv_rows, normalize_header, read_text, sniff_delimiter

# Header names seen in the ministry's exports, after normalize_header(); a header containing the fragment is the
# fallback when no exact name matches.
COLUMNS = {
    "natinf": (("natinf", "numeronatinf", "nnatinf", "nonatinf", "codenatinf", "numnatinf", "numero"), "natinf"),
    "nature": (("nature", "natureinfraction", "naturedelinfraction", "naturenatinf"), "nature"),
    "label": (
        (
            "libelle",
            "libellecourt",
            "qualification",
            "qualificationsimplifiee",
            "libelleinfraction",
            "libelledelinfraction",
            "qualificationdelinfraction",
            "intitule",
        ),
        "libelle",
    ),
    "defined_by": (("definiepar", "articlesdefinition", "textesdefinition", "definition"), "defini"),
}
REQUIRED = ("natinf", "nature", "label")

CODES = (
    (r"C\.?\s*P\.?\s*P\b|CODE DE PROCEDURE PENALE", "Code de procédure pénale"),
    (r"C\.?\s*PEN(AL)?\b|CODE PENAL", "Code pénal"),
    (r"C\.?\s*ROUTE|CODE DE LA ROUTE", "Code de la route"),
    (r"C\.?\s*SANTE PUB|CODE DE LA SANTE PUBLIQUE", "Code de la santé publique"),
    (r"C\.?\s*TRAV|CODE DU TRAVAIL", "Code du travail"),
    (r"C\.?\s*DOUANES|CODE DES DOUANES", "Code des douanes"),
    (r"C\.?\s*COM\b|C\.?\s*COMMERCE|CODE DE COMMERCE", "Code de commerce"),
    (r"C\.?\s*ENV|CODE DE L'ENVIRONNEMENT", "Code de l'environnement"),
)
ARTICLE = re.compile(
    r"\bART(?:ICLES?|S)?\.?\s*((?:[LRDA]\.?\s*)?\d+(?:\s*-\s*\d+)*(?:\s*(?:BIS|TER|QUATER|QUINQUIES)\b)?)"
)
MAX_REPORTED_ERRORS = 100


def _ascii_upper(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().upper()


def parse_nature(value: str) -> str | None:
    """« CRIME », « Délit », « DELIT », « CONTRAVENTION DE 5EME CLASSE », « C5 »… -> OffenceNature value."""
    key = re.sub(r"[^A-Z0-9]", "", _ascii_upper(value))
    if key.startswith("CRIM") or key == "CR":
        return OffenceNature.CRIME
    if key.startswith("DEL") or key == "D":
        return OffenceNature.DELIT
    if key.startswith("CONTRAV") or re.fullmatch(r"C[1-5]|CONTR", key):
        return OffenceNature.CONTRAVENTION
    return None


def parse_reference(value: str) -> tuple[str, str]:
    """(code, article) of the first article cited: « ART.225-5 C.PENAL. » -> (« Code pénal », « 225-5 »)."""
    text = _ascii_upper(value)
    match = ARTICLE.search(text)
    if match is None:
        return "", value.strip()[:40]
    article = re.sub(r"\s+", "", match.group(1).replace(".", ""))
    article = re.sub(r"(BIS|TER|QUATER|QUINQUIES)$", lambda suffix: " " + suffix.group(1).lower(), article)
    rest = ARTICLE.split(text[match.end() :], maxsplit=1)[0]
    rest = re.sub(r"^\s*AL(?:INEA)?\.?\s*\d+\S*", "", rest)
    for pattern, code in CODES:
        if re.search(pattern, rest):
            return code, article[:40]
    return rest.strip(" .,;:")[:40], article[:40]


def find_columns(header: list[str]) -> dict[str, int]:
    """Index of each known column: exact names first, then a header containing the name's fragment."""
    keys = [normalize_header(name) for name in header]
    columns = {}
    for name, (exact, _) in COLUMNS.items():
        matches = [index for index, key in enumerate(keys) if key in exact]
        if matches:
            columns[name] = matches[0]
    for name, (_, fragment) in COLUMNS.items():
        if name in columns:
            continue
        matches = [
            index
            for index, key in enumerate(keys)
            if fragment in key and index not in columns.values() and not (name == "natinf" and key.startswith("nature"))
        ]
        if matches:
            columns[name] = matches[0]
    return columns


class Command(BaseCommand):
    help = "Importe la table NATINF du ministère de la Justice (export CSV du tableur) ; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER.csv", help="Export CSV de la table NATINF.")

    def handle(self, *args, file, **options):
        try:
            text, encoding = read_text(file)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        rows = csv_rows(text, sniff_delimiter(text))
        columns = self._columns(rows, file)
        result = LoadResult("NATINF")
        records = self._records(rows, columns, result)
        if not records:
            self._report_errors(result)
            raise CommandError(
                f"Aucune ligne NATINF n'a pu être lue dans « {file} » ({result.rejected} ligne(s) rejetée(s))."
            )
        with pghistory.context(command="import_natinf"), transaction.atomic():
            self._upsert(records, result)
        self._report_errors(result)
        self.stdout.write(
            f"NATINF ({encoding}) : {result.created} créée(s), {result.updated} mise(s) à jour, "
            f"{result.unchanged} inchangée(s), {result.rejected} rejetée(s)."
        )

    def _columns(self, rows, file) -> dict[str, int]:
        for _ in range(10):
            try:
                _, header = next(rows)
            except StopIteration:
                break
            columns = find_columns(header)
            if all(name in columns for name in REQUIRED):
                return columns
        raise CommandError(
            f"Le fichier « {file} » n'a pas d'en-tête NATINF reconnu (colonnes attendues : numéro NATINF, nature, "
            "libellé ou qualification)."
        )

    def _records(self, rows, columns, result) -> dict[int, dict]:
        records: dict[int, dict] = {}
        first_line: dict[int, int] = {}
        for line, cells in rows:
            cell = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
            raw_number = re.sub(r"\s", "", cell["natinf"])
            nature = parse_nature(cell["nature"])
            problems, number = [], None
            if re.fullmatch(r"\d+(\.0+)?", raw_number) and 0 < int(raw_number.split(".")[0]) < 2**31:
                number = int(raw_number.split(".")[0])
            else:
                problems.append(f"numéro NATINF « {cell['natinf']} » non numérique")
            if nature is None:
                problems.append(f"nature « {cell['nature']} » inconnue")
            if not cell["label"]:
                problems.append("libellé manquant")
            if number in first_line:
                problems.append(f"NATINF {number} déjà lu ligne {first_line[number]}")
            if problems:
                result.error(line, " ; ".join(problems))
                continue
            first_line[number] = line
            code, article = parse_reference(cell.get("defined_by", ""))
            records[number] = {"label": cell["label"][:300], "nature": nature, "code": code, "article": article}
        return records

    def _upsert(self, records: dict[int, dict], result: LoadResult) -> None:
        fields = ["label", "nature", "code", "article"]
        existing = {
            offence.natinf: offence for offence in Offence.objects.filter(natinf__isnull=False).only("natinf", *fields)
        }
        to_create, to_update = [], []
        for number, values in records.items():
            offence = existing.get(number)
            if offence is None:
                to_create.append(Offence(natinf=number, **values))
            elif any(getattr(offence, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(offence, name, value)
                to_update.append(offence)
            else:
                result.unchanged += 1
        Offence.objects.bulk_create(to_create, batch_size=1000)
        Offence.objects.bulk_update(to_update, fields, batch_size=1000)
        result.created, result.updated = len(to_create), len(to_update)

    def _report_errors(self, result: LoadResult) -> None:
        for row_error in result.errors[:MAX_REPORTED_ERRORS]:
            self.stderr.write(f"Ligne {row_error.line} : {row_error.message}.")
        if result.rejected > MAX_REPORTED_ERRORS:
            self.stderr.write(f"… et {result.rejected - MAX_REPORTED_ERRORS} autre(s) ligne(s) rejetée(s).")
