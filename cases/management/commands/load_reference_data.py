from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.reference_data import ReferenceDataError, load_all


class Command(BaseCommand):
    help = (
        "Charge les données de référence (cours d'appel, parquets, infractions, plateforme Coco.gg) ; idempotent. "
        "--parquets accepte aussi la « Liste des juridictions compétentes pour les communes de France » du ministère."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parquets", metavar="FICHIER", help="CSV des parquets (par défaut cases/data/parquets.csv)."
        )
        parser.add_argument(
            "--offences", metavar="FICHIER", help="CSV des infractions (par défaut cases/data/offences.csv)."
        )

    def handle(self, *args, parquets=None, offences=None, **options):
        # One transaction: an unreadable file, or one without a single valid row, leaves the database as it was.
        with transaction.atomic():
            try:
                results = load_all(parquets=parquets, offences=offences, stdout=self.stderr)
            except ReferenceDataError as exc:
                raise CommandError(f"{exc} Rien n'a été chargé.") from exc
            for path, result in ((parquets, results[0]), (offences, results[1])):
                if path and not result.loaded and not result.skipped:
                    raise CommandError(f"Aucune ligne valide dans le fichier « {path} » : rien n'a été chargé.")
        for result in results:
            for related in result.related:
                self.stdout.write(related.summary())
            self.stdout.write(result.summary())
        self.stdout.write(self.style.SUCCESS("Données de référence chargées."))
