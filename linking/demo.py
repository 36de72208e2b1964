"""Demo data of linking, after the reference case is loaded: recurring suspects of the reference
case entered under two spellings by different parquets (« FICTIF-MARTIN J. » and « Julien
Fictif-Martin »), each tied to procedures at several parquets, a pseudonym (« lapin_bleu ») whose
seized e-mail is also FICTIF-MARTIN J.'s, and one procedure imported twice; then every case's
persons, the proposals for review, and the clusters. Every name and identifier is fictional
(example.fr, the documentation range 203.0.113.0/24)."""

from cases.models import Case, Suspect
from procedures.models import Procedure
from procedures.reference_case import REFERENCE_CASE_REFERENCE

from . import services
from .duplicates import duplicates_propose

# (spelling at one parquet, spelling at another, procedures, parquets)
# What the platform's records gave for two of them: one e-mail, seized twice.
IDENTIFIERS = {
    "FICTIF-MARTIN J.": "email:julien.fictif@example.fr\naccount:julien75",
    "lapin_bleu": "email:Julien.Fictif@example.fr\nip:203.0.113.7",
}
RECURRING = [
    ("FICTIF-MARTIN J.", "Julien Fictif-Martin", 14, 9),
    ("EXEMPLE Y.", "Yanis Exemple", 5, 3),
    ("Léa Témoin-Fictive", "TEMOIN-FICTIVE Léa", 4, 4),
]


def _recurring_suspects(case: Case) -> int:
    if case.suspects.filter(name=RECURRING[0][0]).exists():
        return 0
    parquets = list(
        Procedure.objects.filter(case=case).values_list("parquet_id", flat=True).distinct().order_by("parquet_id")
    )
    made = 0
    for offset, (first, second, count, parquet_count) in enumerate(RECURRING):
        chosen = parquets[offset * 10 : offset * 10 + parquet_count]
        procedures = []
        for index in range(count):
            parquet = chosen[index % len(chosen)]
            procedures.append(
                Procedure.objects.filter(case=case, parquet_id=parquet).order_by("opened_on", "pk")[
                    index // len(chosen)
                ]
            )
        half = (len(procedures) + 1) // 2
        for name, linked in ((first, procedures[:half]), (second, procedures[half:])):
            suspect = Suspect.objects.create(
                case=case,
                name=name,
                identifiers=IDENTIFIERS.get(name, ""),
                notes="Fictif (démonstration des rapprochements).",
            )
            suspect.procedures.set(linked)
            made += 1
    pseudonym = Suspect.objects.create(
        case=case,
        name="lapin_bleu",
        identifiers=IDENTIFIERS["lapin_bleu"],
        notes="Fictif : pseudonyme sur la plateforme (démonstration des rapprochements).",
    )
    pseudonym.procedures.set(
        Procedure.objects.filter(case=case, parquet_id__in=parquets[40:42]).order_by("opened_on", "pk")[:2]
    )
    return made + 1


DUPLICATE_NOTE = "Doublon fictif : la même procédure importée une seconde fois (démonstration)."


def _duplicate_procedure(case: Case) -> int:
    """One procedure imported twice, its number written another way (« 21/008478 » → « 21/8478 »)."""
    if Procedure.objects.filter(case=case, notes=DUPLICATE_NOTE).exists():
        return 0
    original = Procedure.objects.filter(case=case, parquet_reference__contains="/0").order_by("pk").first()
    if original is None:
        return 0
    year, _slash, number = original.parquet_reference.partition("/")
    Procedure.objects.create(
        case=case,
        association_id=original.association_id,
        parquet_id=original.parquet_id,
        parquet_reference=f"{year}/{number.lstrip('0')}",
        opened_on=original.opened_on,
        stage=original.stage,
        notes=DUPLICATE_NOTE,
    )
    return 1


def seed(stdout=None) -> None:
    reference = Case.objects.filter(reference=REFERENCE_CASE_REFERENCE).first()
    made = _recurring_suspects(reference) if reference else 0
    if reference:
        _duplicate_procedure(reference)
    associations = set()
    for case in Case.objects.all():
        services.persons_sync_case(case)
        associations.add(case.association_id)
    proposed = 0
    for association_id in sorted(associations):
        proposed += services.candidates_propose(association_id=association_id)
        proposed += duplicates_propose(association_id=association_id)
        services.clusters_rebuild(association_id=association_id)
    if stdout is not None:
        stdout.write(
            f"Rapprochements : {made} mis en cause récurrents ajoutés, {proposed} paires proposées à l'examen."
        )
