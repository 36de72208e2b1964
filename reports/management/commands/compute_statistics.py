"""python manage.py compute_statistics [--full]: refresh the statistics snapshots here, now."""

from django.core.management.base import BaseCommand

from reports.statistics.compute import statistics_compute
from reports.statistics.models import RunStatus


class Command(BaseCommand):
    help = (
        "Calcule les statistiques : les procédures modifiées depuis le dernier calcul, ou tout avec --full. "
        "Sans effet si un autre calcul est en cours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Tout recalculer (reconstruction complète).")

    def handle(self, *args, **options):
        run = statistics_compute(full=options["full"])
        if run.status == RunStatus.SKIPPED:
            self.stdout.write("Un autre calcul des statistiques est en cours : rien n'a été fait.")
            return
        self.stdout.write(
            f"{run.get_mode_display()} : {run.procedures} procédures recalculées, {run.figures} chiffres, {run.seconds:.2f} s."
        )
