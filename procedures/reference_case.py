"""The reference scale as data: one case with the Coco.gg volume (23,051 procedures, 70
parquets, 480 victims, figures of the Paris procureure's communiqué), built with the product's own
path (generate_dataset's generator, then an import job), so that the demo, the tests and the
benchmarks measure the pages against what an association really holds.

Every value is synthetic (generate_dataset): no victim, parquet number or step is real."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date

from cases import services as case_services
from cases.models import Association, Case, Offence, Platform, Role

from .exports import write_csv
from .imports import import_job_create, import_job_execute
from .management.commands.generate_dataset import HEADERS, generate
from .models import Procedure

REFERENCE_CASE_REFERENCE = "ACPE-REF-COCO"
REFERENCE_CASE_TITLE = "Coco.gg — volume de référence (23 051 procédures, données synthétiques)"
REFERENCE_PROCEDURES = 23051
REFERENCE_PARQUETS = 70
REFERENCE_VICTIMS = 480
# The case's qualifications: procuring, child procuring and corruption of minors, the heads of the
# Coco.gg complaint (art. 225-7, 225-12-1 et 227-22-1 C. pén.).
REFERENCE_ARTICLES = ("225-7", "225-12-1", "227-22-1")
SKIP_ENVIRONMENT_VARIABLE = "SEED_DEMO_SANS_REFERENCE"


@dataclass(frozen=True)
class ReferenceCaseResult:
    case: Case
    created: bool
    procedures: int


def reference_case_load(
    *,
    association: Association,
    user=None,
    procedures: int = REFERENCE_PROCEDURES,
    parquets: int = REFERENCE_PARQUETS,
    victims: int = REFERENCE_VICTIMS,
    seed: int = 2024,
    reference: str = REFERENCE_CASE_REFERENCE,
) -> ReferenceCaseResult:
    """The association's reference case, created and imported when missing (idempotent: a case
    that already holds its procedures is returned as is; a half-loaded one is completed by the
    import, which skips the rows it already has)."""
    case = Case.objects.filter(association=association, reference=reference).first()
    if case is not None and Procedure.objects.filter(case=case).count() >= procedures:
        return ReferenceCaseResult(case=case, created=False, procedures=procedures)
    lawyer = user or _lawyer(association)
    if case is None:
        case = case_services.case_create(
            user=lawyer,
            association=association,
            offences=list(Offence.objects.filter(code="Code pénal", article__in=REFERENCE_ARTICLES)),
            reference=reference,
            title=REFERENCE_CASE_TITLE if procedures == REFERENCE_PROCEDURES else f"Volume de test ({procedures})",
            platform=Platform.objects.filter(name__iexact="Coco.gg").first(),
            facts_start=date(2021, 1, 1),
            facts_end=date(2024, 5, 7),
            lead_lawyer=lawyer,
            summary=(
                "Affaire de démonstration au volume de l'affaire Coco.gg : procédures, parquets et victimes "
                "générés (fictifs), importés par le chemin d'import du produit."
            ),
        )
    rows = generate(procedures=procedures, parquets=parquets, victims=victims, minors=0.6, seed=seed)
    buffer = io.StringIO()
    write_csv(buffer, HEADERS, rows, bom=False)
    job = import_job_create(user=None, case=case, data=buffer.getvalue().encode(), name="reference.csv", dry_run=False)
    job = import_job_execute(job.pk)
    if job is None or job.status != "done":
        raise RuntimeError(f"Import du volume de référence en échec : {getattr(job, 'error', 'non exécuté')}")
    return ReferenceCaseResult(case=case, created=True, procedures=Procedure.objects.filter(case=case).count())


def reference_case_seed(*, stdout=None) -> None:
    """seed_demo's hook: the reference case in ACPE's files, unless SEED_DEMO_SANS_REFERENCE is set."""
    if os.environ.get(SKIP_ENVIRONMENT_VARIABLE):
        return
    association = Association.objects.get(short_name="ACPE")
    result = reference_case_load(association=association)
    if stdout is not None and result.created:
        stdout.write(f"Affaire de référence {result.case.reference} : {result.procedures} procédures importées.")


def _lawyer(association: Association):
    membership = association.memberships.filter(role=Role.LAWYER).select_related("user").order_by("pk").first()
    if membership is None:
        raise RuntimeError(f"{association.short_name} n'a pas d'avocat·e : impossible de créer l'affaire.")
    return membership.user
