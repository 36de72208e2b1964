"""Recompute every deadline with the rule versions in force on its trigger date (after a law
change or a corrected rule), keeping manual overrides; each change is recorded in history."""

from django.core.management.base import BaseCommand, CommandError

from procedures.models import Deadline
from procedures.services.deadlines import deadlines_recompute


class Command(BaseCommand):
    help = "Recalcule les délais avec la version des règles en vigueur à leur point de départ."

    def add_arguments(self, parser):
        parser.add_argument("--rule", action="append", default=[], help="Limiter à cette règle (répétable).")
        parser.add_argument("--reason", default="Règles de délai corrigées ou nouvelle version de la loi.")

    def handle(self, *args, rule, reason, **options):
        deadlines = Deadline.objects.all()
        if rule:
            known = {choice for choice, _label in Deadline._meta.get_field("rule").choices}
            unknown = sorted(set(rule) - known)
            if unknown:
                raise CommandError(f"Règle inconnue : {', '.join(unknown)}.")
            deadlines = deadlines.filter(rule__in=rule)
        counts = deadlines_recompute(deadlines=deadlines, reason=reason)
        self.stdout.write(
            f"{counts['changed']} délai(s) recalculé(s), {counts['unchanged']} inchangé(s), "
            f"{counts['cancelled']} sans objet (aucune version de la règle en vigueur à leur point de départ)."
        )
