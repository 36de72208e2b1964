from django.core.management.base import BaseCommand

from cases.access_log.services import access_log_purge


class Command(BaseCommand):
    help = (
        "Supprime les lignes du journal d'accès plus anciennes que ACCESS_LOG_RETENTION_MONTHS "
        "(la purge est elle-même inscrite au journal). Sans risque si lancée deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien supprimer.")

    def handle(self, *args, dry_run=False, **options):
        purge = access_log_purge(dry_run=dry_run)
        cutoff = purge.cutoff.strftime("%Y-%m-%d %H:%M:%S %Z")
        if dry_run:
            self.stdout.write(f"Simulation : {purge.count} ligne(s) antérieure(s) au {cutoff} seraient supprimées.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{purge.count} ligne(s) antérieure(s) au {cutoff} supprimée(s)."))
