"""`python manage.py render_dossier ACPE-2024-002 --out dossier.pdf [--preset NAME] [--recipient TEXT]`

Renders a dossier through the same service as the page and the workers (the dossier row is kept,
with its figures and its entry in the access log), here, in this process, then copies the PDF."""

import shutil

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from reports import services
from reports.estimate import default_sections, dossier_estimate
from reports.models import SECTION_ORDER, DossierPreset, DossierStatus


class Command(BaseCommand):
    help = "Rend le dossier PDF d'une affaire (sections d'un modèle, ou toutes) et l'écrit dans un fichier."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="Référence de l'affaire, par exemple ACPE-2024-002.")
        parser.add_argument("--out", required=True, help="Fichier PDF à écrire.")
        parser.add_argument("--preset", help="Nom d'un modèle de dossier de l'association.")
        parser.add_argument("--recipient", default="Usage interne", help="Imprimé en pied de page : « Remis à … ».")
        parser.add_argument("--association", help="Sigle de l'association, si la référence est ambiguë.")
        parser.add_argument(
            "--sections", help=f"Sections séparées par des virgules, parmi : {', '.join(SECTION_ORDER)}."
        )

    def handle(self, *args, reference, out, preset, recipient, association, sections, **options):
        cases = Case.objects.filter(reference=reference).select_related("association")
        if association:
            cases = cases.filter(association__short_name=association)
        found = list(cases[:2])
        if not found:
            raise CommandError(f"Aucune affaire de référence « {reference} ».")
        if len(found) > 1:
            raise CommandError("Référence ambiguë : précisez --association.")
        case = found[0]
        chosen_preset = None
        if preset:
            chosen_preset = DossierPreset.objects.filter(association=case.association, name=preset).first()
            if chosen_preset is None:
                raise CommandError(f"Aucun modèle « {preset} » pour {case.association.short_name}.")
        # A large case's default is summaries plus the full lists as annexes, rendered chunk by
        # chunk through storage: this process never holds the whole case.
        chosen = sections.split(",") if sections else (None if chosen_preset else default_sections(case))
        try:
            dossier = services.dossier_request_from_command(
                case=case, recipient=recipient, sections=chosen, preset=chosen_preset
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Estimation : {dossier_estimate(case, dossier.sections).text}.")
        services.dossier_render(dossier_id=dossier.pk, parallel=False)
        dossier.refresh_from_db()
        if dossier.status != DossierStatus.DONE:
            raise CommandError(f"Dossier n° {dossier.pk} en échec : {dossier.error}")
        with dossier.file.open("rb") as source, open(out, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        seconds = dossier.duration.total_seconds() if dossier.duration else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Dossier n° {dossier.pk} : {dossier.pages} pages, {dossier.size} octets, {seconds:.2f} s → {out}"
            )
        )
        self.stdout.write(f"SHA-256 : {dossier.sha256}")
