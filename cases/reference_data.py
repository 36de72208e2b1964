"""Reference data shipped with the code: courts of appeal, parquets, offences and the Coco.gg platform.

The tables live in `cases/data/*.csv` (their header comments cite the sources). Every loader is idempotent: a row is
looked up by its natural key, created if missing, saved only when a value differs, and counted as created, updated or
unchanged; a bad row is reported with its line number and the others are still loaded. Each load runs in one
transaction and inside `pghistory.context(command=...)`, so the history events say which load wrote them.

The loaders take an optional `apps` registry. The data migration passes its historical one, and the loaders then only
write the fields that exist at that point of the migration history: a later model change cannot break the migration
on a fresh database. Management commands pass nothing and get the current models.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import holidays
import pghistory
from django.apps import apps as global_apps
from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
PARQUETS_CSV = DATA_DIR / "parquets.csv"
OFFENCES_CSV = DATA_DIR / "offences.csv"

# The 36 cours d'appel with their « N° CA » in the ministry's list « Liste des juridictions compétentes pour les
# communes de France » (data.gouv.fr, July 2026). Nouméa and Papeete have no tribunal judiciaire (only tribunaux de
# première instance), so they cannot be derived from parquets.csv and are listed here.
COURTS_OF_APPEAL = (
    ("14", "Cour d'appel d'Agen"),
    ("1", "Cour d'appel d'Aix-en-Provence"),
    ("28", "Cour d'appel d'Amiens"),
    ("15", "Cour d'appel d'Angers"),
    ("31", "Cour d'appel de Basse-Terre"),
    ("4", "Cour d'appel de Bastia"),
    ("6", "Cour d'appel de Besançon"),
    ("9", "Cour d'appel de Bordeaux"),
    ("3", "Cour d'appel de Bourges"),
    ("2", "Cour d'appel de Caen"),
    ("43116", "Cour d'appel de Cayenne"),
    ("24", "Cour d'appel de Chambéry"),
    ("22", "Cour d'appel de Colmar"),
    ("5", "Cour d'appel de Dijon"),
    ("19", "Cour d'appel de Douai"),
    ("32", "Cour d'appel de Fort-de-France"),
    ("12", "Cour d'appel de Grenoble"),
    ("30", "Cour d'appel de Limoges"),
    ("23", "Cour d'appel de Lyon"),
    ("18", "Cour d'appel de Metz"),
    ("10", "Cour d'appel de Montpellier"),
    ("17", "Cour d'appel de Nancy"),
    ("7", "Cour d'appel de Nîmes"),
    ("37", "Cour d'appel de Nouméa"),
    ("13", "Cour d'appel d'Orléans"),
    ("36", "Cour d'appel de Papeete"),
    ("14815", "Cour d'appel de Paris"),
    ("21", "Cour d'appel de Pau"),
    ("29", "Cour d'appel de Poitiers"),
    ("16", "Cour d'appel de Reims"),
    ("11", "Cour d'appel de Rennes"),
    ("20", "Cour d'appel de Riom"),
    ("26", "Cour d'appel de Rouen"),
    ("33", "Cour d'appel de Saint-Denis de La Réunion"),
    ("8", "Cour d'appel de Toulouse"),
    ("27", "Cour d'appel de Versailles"),
)

# Holiday subdivision of a tribunal judiciaire created from the ministry's list, from the département of its first
# commune: Alsace-Moselle adds Good Friday and 26 December (local law), the overseas départements their own days.
HOLIDAY_SUBDIVISION_BY_DEPARTMENT = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}

COCO_GG = {
    "name": "Coco.gg",
    "url": "https://coco.gg",
    "created_year": 2003,
    "registration_country": "Guernesey",
    "operator": "Société immatriculée en Bulgarie (dénomination non citée par les sources)",
    "operator_country": "Bulgarie",
    "closed_on": date(2024, 6, 25),
    "notes": (
        "Site de discussion sans inscription (pseudonyme, âge, sexe, code postal), créé en 2003, immatriculé à "
        "Guernesey et détenu par une société immatriculée en Bulgarie ; son propriétaire vivait dans le Var. "
        "Du 1er janvier 2021 au 7 mai 2024, 23 051 procédures judiciaires liées au site, transmises par 70 parquets "
        "(communiqué de la procureure de Paris). Fermé le 25 juin 2024 par la douane (DGDDI) et la gendarmerie sous "
        "l'autorité de la JUNALCO (parquet de Paris). Sources : dossier seeds/ (presse régionale d'avril et mai 2024, "
        "actualité d'ADHEOS et tribune de l'ACPE du 25 juin 2024) et domain.md."
    ),
}

TRUE_WORDS = {"oui", "true", "vrai", "1", "o", "yes", "y"}
FALSE_WORDS = {"non", "false", "faux", "0", "n", "no"}


class ReferenceDataError(Exception):
    """The file cannot be used at all (unreadable, empty, unknown columns): nothing was loaded from it."""


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"ligne {self.line} : {self.message}"


@dataclass
class LoadResult:
    """Counts of one load; `related` holds the loads it implied (the courts of appeal of a parquet load)."""

    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    related: list[LoadResult] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged

    def error(self, line: int, message: str) -> None:
        self.errors.append(RowError(line, message))

    def summary(self) -> str:
        text = f"{self.name} : {self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s)"
        if self.skipped:
            text += f", {self.skipped} ignoré(s)"
        if self.deleted:
            text += f", {self.deleted} supprimé(s)"
        if self.errors:
            text += f", {self.rejected} rejeté(s)"
        return text + "."


# Reading files -----------------------------------------------------------------------------------------------------


def read_text(path: str | Path) -> tuple[str, str]:
    """The file's text and encoding: UTF-8 (with or without BOM), else Windows-1252 (the ministry's exports)."""
    path = Path(path)
    try:
        payload = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"Impossible de lire le fichier « {path} » : il n'existe pas.") from exc
    except IsADirectoryError as exc:
        raise ReferenceDataError(f"Impossible de lire le fichier « {path} » : c'est un dossier.") from exc
    except PermissionError as exc:
        raise ReferenceDataError(f"Impossible de lire le fichier « {path} » : accès refusé.") from exc
    except OSError as exc:
        raise ReferenceDataError(f"Impossible de lire le fichier « {path} » ({exc}).") from exc
    if not payload.strip():
        raise ReferenceDataError(f"Le fichier « {path} » est vide.")
    if payload.startswith(b"\xef\xbb\xbf"):
        return payload.decode("utf-8-sig"), "utf-8-sig"
    try:
        return payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return payload.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return payload.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab, guessed from the first lines that are not comments."""
    sample_lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")][:20]
    sample = "\n".join(sample_lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample_lines[0] if sample_lines else ""
        return max(";,\t", key=first.count)


def csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each record, skipping blank lines and `#` comment lines; numbers count every line."""
    cleaned = "".join("\n" if line.startswith("#") else line for line in text.splitlines(keepends=True))
    reader = csv.reader(io.StringIO(cleaned, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield line, [cell.strip() for cell in cells]
        line = reader.line_num + 1


def normalize_header(value: str) -> str:
    """Header key, case-, accent- and punctuation-insensitive: « N° TJ » -> « ntj »."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", ascii_text)


def name_key(value: str) -> str:
    """Comparison key of a court's name: ignores case, accents, punctuation, « St »/« Saint » and a `(précision)`."""
    text = re.sub(r"\([^)]*\)", " ", value)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", text))
    return re.sub(r"[^a-z0-9]", "", text)


def _read_table(path: str | Path) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    text, _ = read_text(path)
    rows = csv_rows(text, sniff_delimiter(text))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ReferenceDataError(f"Le fichier « {path} » ne contient aucune ligne.") from None
    return {normalize_header(name): index for index, name in enumerate(header)}, rows


# Writing rows ------------------------------------------------------------------------------------------------------


def _model(apps, name: str):
    return (apps or global_apps).get_model("cases", name)


def _known_fields(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def _choices(model, field_name: str) -> set[str]:
    model_field = model._meta.get_field(field_name)
    model_field = getattr(model_field, "base_field", model_field)
    return {str(value) for value, _ in model_field.choices}


def _save(model, obj, values: dict, result: LoadResult, **natural_key):
    """Create `obj` when it is None, else update only its differing fields: no write, hence no history event, when
    nothing changed. Fields unknown to `model` (a historical model in the data migration) are left out."""
    known = _known_fields(model)
    values = {name: value for name, value in values.items() if name in known}
    if obj is None:
        result.created += 1
        return model.objects.create(**natural_key, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


def _cell(cells: list[str], columns: dict[str, int], *names: str) -> str:
    for name in names:
        index = columns.get(name)
        if index is not None and index < len(cells):
            return cells[index]
    return ""


def _write_errors(result: LoadResult, stdout) -> None:
    if stdout is not None:
        for row_error in result.errors:
            stdout.write(f"{result.name}, {row_error}")
        for notice in result.notices:
            stdout.write(f"{result.name} : {notice}")


# Courts of appeal and parquets -------------------------------------------------------------------------------------


class _CourtsOfAppeal:
    """Courts of appeal by N° CA, created or renamed as rows reference them; each counted once per load."""

    RANK = {"unchanged": 0, "updated": 1, "created": 2}

    def __init__(self, model):
        self.model = model
        self.by_code = {court.code: court for court in model.objects.all()}
        self.status: dict[str, str] = {}

    def get(self, code: str, name: str):
        """The court of appeal with this N° CA; a name differing only in form (« Cour d'Appel ») is not rewritten."""
        court = self.by_code.get(code)
        if court is None and not name:
            return None
        if court is None:
            court = self.by_code[code] = self.model.objects.create(code=code, name=name)
            status = "created"
        elif name and name_key(name) != name_key(court.name):
            court.name = name
            court.save(update_fields=["name"])
            status = "updated"
        else:
            status = "unchanged"
        if self.RANK[status] >= self.RANK[self.status.get(code, "unchanged")]:
            self.status[code] = status
        return court

    def result(self) -> LoadResult:
        result = LoadResult("Cours d'appel")
        for status in self.status.values():
            setattr(result, status, getattr(result, status) + 1)
        return result


def load_parquets(path=None, *, stdout=None, apps=None) -> LoadResult:
    """Load the parquets: the shipped format (cases/data/parquets.csv) or the ministry's « Liste des juridictions
    compétentes pour les communes de France » (one row per commune, deduplicated by N° TJ)."""
    path = path or PARQUETS_CSV
    columns, rows = _read_table(path)
    official = {"ntj", "tribunaljudiciairecompetent"} <= columns.keys()
    if not official and not {"code", "court", "courtofappealcode"} <= columns.keys():
        raise ReferenceDataError(
            f"Le fichier « {path} » n'a ni les colonnes de cases/data/parquets.csv (code, court, "
            "court_of_appeal_code…) ni celles de la liste du ministère (N° TJ, Tribunal judiciaire compétent…)."
        )
    with pghistory.context(command="load_parquets"), transaction.atomic():
        parquet_model = _model(apps, "Parquet")
        courts = _CourtsOfAppeal(_model(apps, "CourtOfAppeal"))
        for code, name in COURTS_OF_APPEAL:
            courts.get(code, name)
        result = LoadResult("Parquets")
        if official:
            _load_official_parquets(parquet_model, courts, columns, rows, result, stdout)
        else:
            _load_shipped_parquets(parquet_model, courts, columns, rows, result)
        result.related.append(courts.result())
    _write_errors(result, stdout)
    return result


def _load_shipped_parquets(model, courts, columns, rows, result) -> None:
    kinds = _choices(model, "kind")
    subdivisions = set(holidays.France.subdivisions)
    existing = {parquet.code: parquet for parquet in model.objects.all()}
    first_line: dict[str, int] = {}
    for line, cells in rows:
        row = {name: _cell(cells, columns, name) for name in columns}
        code, kind, active = row.get("code", ""), row.get("kind") or "tj", row.get("active", "").lower() or "oui"
        required = {"code": "code", "name": "name", "court": "court", "courtofappealcode": "court_of_appeal_code"}
        problems = [f"« {label} » manquant" for name, label in required.items() if not row.get(name)]
        if kind not in kinds:
            problems.append(f"nature « {kind} » inconnue (attendu : {', '.join(sorted(kinds))})")
        if row.get("holidaysubdivision") and row["holidaysubdivision"] not in subdivisions:
            problems.append(f"subdivision « {row['holidaysubdivision']} » inconnue du paquet holidays")
        if active not in TRUE_WORDS | FALSE_WORDS:
            problems.append(f"« active » vaut « {active} » (attendu : oui ou non)")
        if code in first_line:
            problems.append(f"code « {code} » déjà présent ligne {first_line[code]}")
        court_of_appeal = None
        if not problems:
            court_of_appeal = courts.get(row["courtofappealcode"], row.get("courtofappealname", ""))
            if court_of_appeal is None:
                problems.append(f"cour d'appel « {row['courtofappealcode']} » inconnue et sans nom")
        if problems:
            result.error(line, " ; ".join(problems))
            continue
        first_line[code] = line
        values = {
            "name": row["name"],
            "court": row["court"],
            "court_of_appeal_id": court_of_appeal.pk,
            "kind": kind,
            "holiday_subdivision": row.get("holidaysubdivision", ""),
            "active": active in TRUE_WORDS,
        }
        _save(model, existing.get(code), values, result, code=code)


def _load_official_parquets(model, courts, columns, rows, result, stdout) -> None:
    existing = {parquet.code: parquet for parquet in model.objects.filter(kind="tj")}
    by_name = {name_key(parquet.court): parquet for parquet in existing.values()}
    seen: set[str] = set()
    for line, cells in rows:
        code = _cell(cells, columns, "ntj", "notj", "numerotj")
        court = _cell(cells, columns, "tribunaljudiciairecompetent")
        if not code and not court:
            continue
        if not code.isdigit() or not court:
            result.error(line, f"N° TJ « {code} » ou tribunal « {court} » invalide")
            continue
        if code in seen:
            continue
        seen.add(code)
        if not name_key(court).startswith("tribunaljudiciaire"):
            # Tribunaux de première instance (Nouméa, Mata-Utu, Papeete, Saint-Pierre-et-Miquelon): not a TJ, and
            # the Parquet model has no kind for them yet.
            result.skipped += 1
            if stdout is not None:
                stdout.write(f"Parquets, ligne {line} : « {court} » n'est pas un tribunal judiciaire, ignoré.")
            continue
        ca_code = _cell(cells, columns, "nca", "noca", "numeroca")
        court_of_appeal = courts.get(ca_code, _cell(cells, columns, "courdappelcompetente"))
        if court_of_appeal is None:
            result.error(line, f"cour d'appel « {ca_code} » inconnue et sans nom")
            continue
        parquet = existing.get(code) or by_name.get(name_key(court))
        values = {"code": code, "court_of_appeal_id": court_of_appeal.pk}
        if parquet is None or name_key(court) != name_key(parquet.court):
            values |= {"court": court, "name": court.replace("Tribunal judiciaire", "Parquet", 1)}
        if parquet is None:
            commune = _cell(cells, columns, "commune")
            department = commune[:3] if commune.startswith("97") else commune[:2]
            values |= {
                "kind": "tj",
                "active": True,
                "holiday_subdivision": HOLIDAY_SUBDIVISION_BY_DEPARTMENT.get(department, ""),
            }
        parquet = _save(model, parquet, values, result)
        existing[code] = by_name[name_key(parquet.court)] = parquet


# Offences ----------------------------------------------------------------------------------------------------------

# Rows that are not offences and must not stay in the catalogue, with the reason shown when one has to be kept. They
# are matched by (code, article) among the rows without NATINF (the shipped table's and those typed in by hand): a
# NATINF row is the ministry's and is left to import_natinf. A row that a case or a procedure still qualifies with is
# kept, and the load says so: deleting it would change what those files record, so a user must requalify them first.
RETIRED_OFFENCES = {
    ("Code pénal", "227-21-1"): (
        "l'article 227-21-1 (créé par la loi n° 2021-478, art. 4) annonce le paragraphe des infractions sexuelles "
        "commises contre les mineurs et n'incrimine rien"
    ),
}


def load_offences(path=None, *, stdout=None, apps=None) -> LoadResult:
    """Load the offence catalogue (cases/data/offences.csv), keyed by NATINF when given, else (code, article, label).

    A row whose label was corrected lists its earlier labels in `former_labels`: the row stored under one of them is
    renamed in place, so the cases and procedures it qualifies keep it. Rows of RETIRED_OFFENCES are then deleted
    unless something refers to them. A row that is simply no longer in the file is left alone (it may have been typed
    in by hand): to withdraw a shipped row, add it to RETIRED_OFFENCES."""
    path = path or OFFENCES_CSV
    columns, rows = _read_table(path)
    if not {"label", "article", "nature"} <= columns.keys():
        raise ReferenceDataError(f"Le fichier « {path} » n'a pas les colonnes label, article et nature.")
    result = LoadResult("Infractions")
    with pghistory.context(command="load_offences"), transaction.atomic():
        model = _model(apps, "Offence")
        natures, rules = _choices(model, "nature"), _choices(model, "prescription_rule")
        categories = _choices(model, "categories")
        first_line: dict[str, int] = {}
        for line, cells in rows:
            row = {name: _cell(cells, columns, name) for name in columns}
            values, former_labels, problems = _offence_values(row, natures, rules, categories)
            key = row.get("key") or f"{values['code']} {values['article']} {values['label']}"
            if key in first_line:
                problems.append(f"« {key} » déjà présent ligne {first_line[key]}")
            if (values["code"], values["article"]) in RETIRED_OFFENCES:
                problems.append(f"l'article {values['article']} n'est pas une infraction (RETIRED_OFFENCES)")
            if problems:
                result.error(line, " ; ".join(problems))
                continue
            first_line[key] = line
            if values["natinf"] is not None:
                obj = model.objects.filter(natinf=values["natinf"]).first()
            else:
                rows_without_natinf = model.objects.filter(
                    natinf__isnull=True, code=values["code"], article=values["article"]
                )
                obj = rows_without_natinf.filter(label=values["label"]).first()
                if obj is None and former_labels:
                    obj = rows_without_natinf.filter(label__in=former_labels).order_by("pk").first()
            _save(model, obj, values, result)
        _retire_offences(model, result)
    _write_errors(result, stdout)
    return result


def _offence_values(row: dict[str, str], natures, rules, categories) -> tuple[dict, list[str], list[str]]:
    """The model values of a row, its former labels and the problems found."""
    problems = []
    values = {
        "label": row.get("label", ""),
        "code": row.get("code") or "Code pénal",
        "article": row.get("article", ""),
        "nature": row.get("nature", ""),
        "maximum_penalty": row.get("maximumpenalty", ""),
        "prescription_rule": row.get("prescriptionrule") or "standard",
        "categories": [value.strip() for value in row.get("categories", "").split("|") if value.strip()],
        "natinf": None,
        "maximum_prison_years": None,
        "article_version_date": None,
        "continuing": False,
        "source": row.get("source", ""),
    }
    former_labels = [value.strip() for value in row.get("formerlabels", "").split("|") if value.strip()]
    for name in ("label", "article"):
        if not values[name]:
            problems.append(f"« {name} » manquant")
    if len(values["label"]) > 300 or len(values["maximum_penalty"]) > 200 or len(values["source"]) > 300:
        problems.append("libellé (300 caractères), peine maximale (200) ou source (300) trop long")
    if values["nature"] not in natures:
        problems.append(f"nature « {values['nature']} » inconnue (attendu : {', '.join(sorted(natures))})")
    if values["prescription_rule"] not in rules:
        problems.append(f"règle de prescription « {values['prescription_rule']} » inconnue")
    unknown = [value for value in values["categories"] if value not in categories]
    if unknown:
        problems.append(f"catégorie(s) inconnue(s) : {', '.join(unknown)}")
    for name, column in (("maximum_prison_years", "maximumprisonyears"), ("natinf", "natinf")):
        raw = row.get(column, "")
        if raw and not raw.isdigit():
            problems.append(f"« {column} » doit être un nombre entier, pas « {raw} »")
        elif raw:
            values[name] = int(raw)
    continuing = row.get("continuing", "").lower()
    if continuing and continuing not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"« continuing » vaut « {continuing} » (attendu : oui ou non)")
    values["continuing"] = continuing in TRUE_WORDS
    raw_date = row.get("articleversiondate", "")
    if raw_date:
        try:
            values["article_version_date"] = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(f"date de version « {raw_date} » invalide (attendu : AAAA-MM-JJ)")
    return values, former_labels, problems


def _retire_offences(model, result: LoadResult) -> None:
    """Delete the rows of RETIRED_OFFENCES that nothing refers to; keep the others and say which files use them."""
    for (code, article), reason in RETIRED_OFFENCES.items():
        for offence in model.objects.filter(code=code, article=article, natinf__isnull=True).order_by("pk"):
            references = _references(offence)
            if references:
                result.notices.append(
                    f"« {offence.label} » (art. {article}) conservée : {reason}, mais elle qualifie encore "
                    f"{', '.join(references)} ; requalifiez-les puis relancez le chargement."
                )
            else:
                offence.delete()
                result.deleted += 1


def _references(obj) -> list[str]:
    """« 2 × cases.CaseOffence »… for each table whose rows point at `obj`. The through tables of many-to-many fields
    are reverse foreign keys too, so a procedure's qualification is seen. History tables are left out: pghistory's
    event models (their fields pgh_obj, pgh_created_at…) copy foreign keys without constraint and keep them for good,
    so an event of a qualification since removed must not keep the row."""
    references = []
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if any(field.name.startswith("pgh_") for field in relation.related_model._meta.get_fields()):
            continue
        count = relation.related_model._base_manager.filter(**{relation.field.name: obj}).count()
        if count:
            references.append(f"{count} × {relation.related_model._meta.label}")
    return references


# Platforms ---------------------------------------------------------------------------------------------------------


def load_platforms(*, stdout=None, apps=None) -> LoadResult:
    """Load the platform of the reference case, Coco.gg (facts from shared/seeds and domain.md)."""
    result = LoadResult("Plateformes")
    with pghistory.context(command="load_platforms"), transaction.atomic():
        model = _model(apps, "Platform")
        _save(model, model.objects.filter(name=COCO_GG["name"]).first(), COCO_GG, result)
    return result


def load_all(*, parquets=None, offences=None, stdout=None, apps=None) -> list[LoadResult]:
    """Every loader, in one transaction: a file that cannot be read leaves nothing half-loaded."""
    with transaction.atomic():
        return [
            load_parquets(parquets, stdout=stdout, apps=apps),
            load_offences(offences, stdout=stdout, apps=apps),
            load_platforms(stdout=stdout, apps=apps),
        ]
