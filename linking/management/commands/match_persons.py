"""python manage.py match_persons FILE.csv --out PAIRS.csv

Matches a standalone file of person records with the product's engine (normal forms, blocking,
Fellegi–Sunter weights learnt on the file itself) and writes the pairs scored as `match` or
`possible`, best first, so the engine's accuracy can be measured on labelled data. Reads nothing
from and writes nothing to the database."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linking.engine import MATCH_AT, POSSIBLE_AT, match, prepare
from procedures.imports.limits import ImportFileError
from procedures.imports.tabular import cell_text, normalise_header, read_table

COLUMNS = (
    "record_id",
    "given_name",
    "surname",
    "birth_date",
    "address",
    "postcode",
    "city",
    "phone",
    "email",
    "identifier",
)


class Command(BaseCommand):
    help = "Rapproche les personnes d'un fichier CSV et écrit les paires probables (match ou possible)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            help=(
                "CSV (UTF-8 ou Windows-1252, « , » ou « ; ») ou XLSX (première feuille) : "
                + ",".join(COLUMNS)
                + " ; toutes sauf record_id peuvent être vides."
            ),
        )
        parser.add_argument(
            "--out", type=Path, required=True, help="CSV écrit : record_id_1,record_id_2,score,decision"
        )

    def handle(self, *args, file: Path, out: Path, **options):
        records = self._read(file)
        scored = match(records)[0] if len(records) > 1 else []
        try:
            with open(out, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["record_id_1", "record_id_2", "score", "decision"])
                for pair in scored:
                    writer.writerow([pair.left["id"], pair.right["id"], f"{pair.probability:.4f}", pair.decision])
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {out} : {error.strerror or error}.") from error
        matches = sum(1 for pair in scored if pair.decision == "match")
        self.stdout.write(
            f"{len(records)} personnes lues ; {matches} paires « match » (probabilité ≥ {MATCH_AT:g}) et "
            f"{len(scored) - matches} « possible » (≥ {POSSIBLE_AT:g}) écrites dans {out}."
        )

    def _read(self, file: Path) -> list[dict]:
        """The file through the product's one reader of tables (procedures/imports/tabular.py):
        the same encodings, separators, workbook checks and limits as an import of procedures."""
        try:
            data = file.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(f"{file} : fichier introuvable.") from error
        except OSError as error:
            raise CommandError(f"{file} : lecture impossible ({error.strerror or error}).") from error
        try:
            table = read_table(data, file.name)
        except ImportFileError as error:
            raise CommandError(f"{file} : {error}") from error
        columns: dict[str, int] = {}
        unknown = []
        for index, header in enumerate(table.headers):
            name = normalise_header(header)
            if not name:
                continue
            if name not in COLUMNS:
                unknown.append(header)
            elif name in columns:
                raise CommandError(f"{file} : la colonne {name} est en double.")
            else:
                columns[name] = index
        if "record_id" not in columns:
            raise CommandError(f"{file} : la colonne record_id manque (colonnes attendues : {', '.join(COLUMNS)}).")
        if unknown:
            raise CommandError(f"{file} : colonnes inconnues {', '.join(unknown)} (attendues : {', '.join(COLUMNS)}).")
        records, seen = [], set()
        for line, cells in table.rows:
            row = {name: cell_text(cells[index]) if index < len(cells) else "" for name, index in columns.items()}
            if not row["record_id"]:
                raise CommandError(f"{file}, ligne {line} : record_id est vide.")
            if row["record_id"] in seen:
                raise CommandError(f"{file}, ligne {line} : record_id « {row['record_id']} » est déjà pris.")
            seen.add(row["record_id"])
            records.append(prepare(row))
        return records
