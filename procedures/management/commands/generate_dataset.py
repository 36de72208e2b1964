"""A realistic synthetic import file, for tests and benchmarks.

Defaults are the Coco.gg figures from the Paris procureure's communiqué: 23,051 procedures
transmitted by 70 parquets between 1 January 2021 and 7 May 2024, 480 victims. The file also
names suspects (« mis en cause », last column; --sans-mis-en-cause leaves it out): see
dataset_suspects.py. Deterministic for a given --seed and reference data; every value is fictitious."""

import random
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import Offence, OffenceCategory, Parquet, ParquetKind, Platform
from procedures.exports import _french, offence_keys, write_csv, write_xlsx
from procedures.imports import COLUMNS, LIST_SEPARATOR, MINOR_SUFFIX
from procedures.models import Outcome, Stage

from ..dataset_suspects import suspect_cells

# The columns generate() yields; the reference case (procedures/reference_case.py) and the
# statistics tests import exactly these.
HEADERS = [
    COLUMNS[name]
    for name in ("parquet", "parquet_reference", "opened_on", "offences", "platform", "victims", "stage", "outcome")
]
HEADERS_WITH_SUSPECTS = [*HEADERS, COLUMNS["suspects"]]
START, END = date(2021, 1, 1), date(2024, 5, 7)

# How often each kind of offence appears in the Coco.gg procedures (child sexual offences and
# procuring first, then rape, ambushes, drugs).
CATEGORY_WEIGHTS = {
    OffenceCategory.SEXUAL_OFFENCE_MINOR: 6,
    OffenceCategory.PROCURING: 4,
    OffenceCategory.RAPE: 2,
    OffenceCategory.THEFT: 2,
    OffenceCategory.VIOLENCE: 1.5,
    OffenceCategory.DRUGS: 1.5,
    OffenceCategory.DISCRIMINATION: 1,
    OffenceCategory.HOMICIDE: 0.3,
    OffenceCategory.LAUNDERING: 0.3,
    OffenceCategory.CRIMINAL_ASSOCIATION: 0.3,
    OffenceCategory.PLATFORM: 0.2,
}
# (stage, outcome, weight): most procedures are still investigations or closed.
STAGE_OUTCOMES = (
    (Stage.ENQUETE, Outcome.PENDING, 44),
    (Stage.ENQUETE, Outcome.CLASSEMENT, 18),
    (Stage.ENQUETE, Outcome.ALTERNATIVE, 4),
    (Stage.ENQUETE, Outcome.TRANSFERRED, 2),
    (Stage.INSTRUCTION, Outcome.PENDING, 10),
    (Stage.INSTRUCTION, Outcome.NON_LIEU, 1),
    (Stage.JUGEMENT, Outcome.POURSUITES, 6),
    (Stage.JUGEMENT, Outcome.CONVICTION, 7),
    (Stage.JUGEMENT, Outcome.ACQUITTAL, 1),
    (Stage.APPEL, Outcome.CONVICTION, 2),
    (Stage.CASSATION, Outcome.CONVICTION, 0.3),
    (Stage.EXECUTION, Outcome.CONVICTION, 4),
)
VICTIMS_PER_PROCEDURE = ((0, 55), (1, 32), (2, 9), (3, 4))
OFFENCES_PER_PROCEDURE = ((1, 60), (2, 30), (3, 10))


class Command(BaseCommand):
    help = (
        "Écrit un jeu de données synthétique réaliste (par défaut les chiffres Coco.gg : 23 051 procédures, "
        "70 parquets, 480 victimes, du 01/01/2021 au 07/05/2024) au format d'import, CSV ou XLSX selon l'extension."
    )

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=23051)
        parser.add_argument("--parquets", type=int, default=70)
        parser.add_argument("--victims", type=int, default=480)
        parser.add_argument("--minors", type=float, default=0.6, help="Part des victimes mineures aux faits.")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--sans-mis-en-cause",
            dest="without_suspects",
            action="store_true",
            help="Sans la colonne « mis en cause » (les huit colonnes d'origine seulement).",
        )
        parser.add_argument("--out", required=True, help="Fichier à écrire : .csv (« ; », UTF-8) ou .xlsx.")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("Le fichier de sortie doit finir par .csv ou .xlsx.")
        if options["procedures"] < 0 or options["victims"] < 0 or options["parquets"] < 1:
            raise CommandError(
                "Les nombres de procédures et de victimes sont positifs, et il faut au moins un parquet."
            )
        rows = list(generate(**{key: options[key] for key in ("procedures", "parquets", "victims", "minors", "seed")}))
        headers = HEADERS
        if not options["without_suspects"]:
            headers = HEADERS_WITH_SUSPECTS
            rows = [
                [*row, cell] for row, cell in zip(rows, suspect_cells(len(rows), seed=options["seed"]), strict=True)
            ]
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".xlsx":
            with out.open("wb") as handle:
                write_xlsx(handle, headers, rows, title="Procédures")
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                write_csv(handle, headers, rows, bom=False)
        named = sum(1 for row in rows if len(row) > len(HEADERS) and row[-1])
        self.stdout.write(
            f"{len(rows)} procédures, {options['parquets']} parquets, {options['victims']} victimes, "
            f"{named} procédures nommant un mis en cause → {out}"
        )


def generate(*, procedures: int, parquets: int, victims: int, minors: float, seed: int):
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible from its seed
    available = list(Parquet.objects.filter(kind=ParquetKind.TJ).order_by("code").values_list("name", flat=True))
    if parquets > len(available):
        raise CommandError(
            f"Seulement {len(available)} parquets de tribunal judiciaire sont chargés (load_reference_data)."
        )
    chosen = rng.sample(available, parquets)
    # A few large courts send most procedures (Zipf-like), as in any national count.
    parquet_weights = [1 / (rank + 1) ** 0.8 for rank in range(parquets)]
    styles = {name: rng.randrange(3) for name in chosen}
    sequences = {name: rng.randrange(100, 5000) for name in chosen}

    keys = offence_keys()
    offences, offence_weights = [], []
    for pk, categories in Offence.objects.order_by("pk").values_list("pk", "categories"):
        weight = max((CATEGORY_WEIGHTS.get(category, 0.1) for category in categories), default=0.1)
        offences.append(keys[pk])
        offence_weights.append(weight)
    if not offences:
        raise CommandError("Aucune infraction n'est chargée (load_reference_data).")

    platform = (
        Platform.objects.filter(name__iexact="Coco.gg").values_list("name", flat=True).first()
        or Platform.objects.order_by("name").values_list("name", flat=True).first()
        or ""
    )
    victim_keys = [
        f"V-{number:03d}" + (MINOR_SUFFIX if rng.random() < minors else "") for number in range(1, victims + 1)
    ]
    stage_labels, outcome_labels = _french(Stage), _french(Outcome)
    span = (END - START).days
    stage_outcomes = [(stage, outcome) for stage, outcome, _weight in STAGE_OUTCOMES]
    stage_weights = [weight for _stage, _outcome, weight in STAGE_OUTCOMES]

    for _index in range(procedures):
        parquet = rng.choices(chosen, parquet_weights)[0]
        # More procedures as the site's notoriety grew: skewed towards the end of the period.
        opened_on = START + timedelta(days=int(span * rng.random() ** 0.7))
        sequences[parquet] += rng.randrange(1, 40)
        stage, outcome = rng.choices(stage_outcomes, stage_weights)[0]
        yield [
            parquet,
            _reference(styles[parquet], opened_on, sequences[parquet]),
            opened_on,
            LIST_SEPARATOR.join(_distinct(rng, offences, offence_weights, _count(rng, OFFENCES_PER_PROCEDURE))),
            platform,
            LIST_SEPARATOR.join(rng.sample(victim_keys, min(len(victim_keys), _count(rng, VICTIMS_PER_PROCEDURE)))),
            stage_labels[stage],
            outcome_labels[outcome],
        ]


def _reference(style: int, opened_on: date, sequence: int) -> str:
    """Parquet numbers as courts write them: « 23 187 000123 » (year, day, sequence), « 23/04521 »…"""
    year = opened_on.strftime("%y")
    if style == 0:
        return f"{year}{opened_on.timetuple().tm_yday:03d}{sequence:06d}"
    if style == 1:
        return f"{year}/{sequence:06d}"
    return f"P{year}.{sequence:06d}"


def _count(rng: random.Random, table) -> int:
    return rng.choices([count for count, _weight in table], [weight for _count, weight in table])[0]


def _distinct(rng: random.Random, values: list, weights: list, count: int) -> list:
    picked: list = []
    while len(picked) < min(count, len(values)):
        value = rng.choices(values, weights)[0]
        if value not in picked:
            picked.append(value)
    return picked
