"""python manage.py import_procedures FILE --case REFERENCE [--apply]

A dry run by default: says what the file would create, update or leave unchanged and lists every
rejected line with its reason, writing nothing. --apply writes, here in this process with a
progress bar (or through the Celery workers with --queue). --resume JOB resumes an interrupted
import after its last committed chunk. The file format is described in procedures/imports/__init__.py."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from procedures.imports import CHUNK_SIZE, import_job_create, import_job_execute, import_job_resume
from procedures.models import ImportJob, ImportStatus


class Command(BaseCommand):
    help = (
        "Importe des procédures d'un fichier CSV ou XLSX dans une affaire (simulation par défaut, --apply pour "
        "écrire). Colonnes : parquet, numéro de parquet, ouverte le, infractions, plateforme, victimes (« V-001* » "
        "= mineure), mis en cause (« Nom [courriel:…; téléphone:…] »), stade, issue."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Fichier CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX.")
        parser.add_argument("--case", dest="case_reference", help="Référence de l'affaire cible.")
        parser.add_argument("--association", help="Sigle de l'association, si plusieurs ont cette référence.")
        parser.add_argument("--apply", action="store_true", help="Écrire (sinon : simulation, rien n'est écrit).")
        parser.add_argument("--queue", action="store_true", help="Confier l'import aux workers Celery.")
        parser.add_argument("--resume", type=int, metavar="JOB", help="Reprendre un import interrompu.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Lignes par lot validé.")

    def handle(self, *args, **options):
        job = self._resume(options["resume"]) if options["resume"] else self._create(options)
        if options["queue"] and not job.dry_run:
            from procedures.imports.tasks import queue_import

            queue_import(job)
            self.stdout.write(f"Import n° {job.pk} confié aux workers : suivez-le sur sa page ou par l'API.")
            return
        self.progress_shown = False
        result = import_job_execute(job.pk, chunk_size=options["chunk_size"], on_progress=self._progress)
        if self.progress_shown:
            self.stderr.write("")
        if result is None:
            raise CommandError(f"L'import n° {job.pk} est déjà terminé ou en cours ailleurs.")
        self._report(result)
        if result.status == ImportStatus.FAILED:
            raise CommandError(result.error)

    def _create(self, options) -> ImportJob:
        if not options["file"] or not options["case_reference"]:
            raise CommandError("Indiquez le fichier et l'affaire cible : import_procedures FICHIER --case RÉFÉRENCE.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire le fichier « {path} » : {error.strerror or error}.") from error
        case = self._case(options["case_reference"], options["association"])
        try:
            return import_job_create(user=None, case=case, data=data, name=path.name, dry_run=not options["apply"])
        except ValidationError as error:
            raise CommandError(f"Fichier « {path.name} » refusé : {' '.join(error.messages)}") from error

    def _case(self, reference: str, association: str | None) -> Case:
        cases = Case.objects.filter(reference=reference).select_related("association")
        if association:
            cases = cases.filter(association__short_name__iexact=association)
        cases = list(cases[:2])
        if not cases:
            raise CommandError(
                f"Aucune affaire de référence « {reference} »" + (f" à {association}." if association else ".")
            )
        if len(cases) > 1:
            raise CommandError(f"Plusieurs associations ont une affaire « {reference} » : précisez --association.")
        return cases[0]

    def _resume(self, job_id: int) -> ImportJob:
        try:
            job = ImportJob.objects.get(pk=job_id)
        except ImportJob.DoesNotExist:
            raise CommandError(f"Aucun import n° {job_id}.") from None
        if job.status == ImportStatus.FAILED:
            job = import_job_resume(user=None, job=job)
        return job

    def _progress(self, job: ImportJob) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        done = width * job.processed_rows // max(job.total_rows, 1)
        self.stderr.write(
            f"\r[{'#' * done}{' ' * (width - done)}] {job.progress_percent:3d} % "
            f"({job.processed_rows} / {job.total_rows} lignes)",
            ending="",
        )
        self.progress_shown = True

    def _report(self, job: ImportJob) -> None:
        if job.status == ImportStatus.FAILED and not job.total_rows:
            return
        if job.dry_run:
            self.stdout.write(
                f"Simulation de « {job.original_name} » dans l'affaire {job.case.reference} ({job.total_rows} lignes) "
                f": {job.created_count} procédures à créer, {job.updated_count} à modifier, "
                f"{job.unchanged_count} inchangées, {job.rejected_count} lignes rejetées, "
                f"{job.victims_created_count} victimes à créer, {job.suspects_created_count} mis en cause à créer et "
                f"{job.suspects_completed_count} à compléter. Rien n'a été écrit (--apply pour importer)."
            )
        else:
            self.stdout.write(
                f"Import n° {job.pk} de « {job.original_name} » dans l'affaire {job.case.reference} "
                f"({job.total_rows} lignes) : {job.created_count} procédures créées, {job.updated_count} modifiées, "
                f"{job.unchanged_count} inchangées, {job.rejected_count} lignes rejetées, "
                f"{job.victims_created_count} victimes créées, {job.suspects_created_count} mis en cause créés, "
                f"{job.suspects_completed_count} complétés."
            )
        ignored = (job.report or {}).get("ignored_columns")
        if ignored:
            self.stdout.write(f"Colonnes ignorées : {', '.join(ignored)}.")
        for rejected in job.rejected_rows:
            self.stdout.write(f"  ligne {rejected['line']} : {rejected['reason']}")
        if job.rejected_count > len(job.rejected_rows):
            self.stdout.write(f"  … et {job.rejected_count - len(job.rejected_rows)} autres lignes rejetées.")
