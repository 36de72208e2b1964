from django.core.management.base import BaseCommand

from cases.privacy.retention import (
    CasePurgeBlocked,
    case_purge,
    case_purge_plan,
    case_retention_cutoff,
    cases_due_for_purge,
)


class Command(BaseCommand):
    help = (
        "Affaires clôturées ou archivées depuis plus de CASE_RETENTION_YEARS ans : liste ce qui serait "
        "supprimé (par défaut), ou le supprime avec --apply (fichiers compris ; chaque purge est journalisée)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Supprimer vraiment (sinon : simulation).")

    def handle(self, *args, apply=False, **options):
        cutoff = case_retention_cutoff()
        cases = list(cases_due_for_purge())
        mode = "Purge" if apply else "Simulation"
        self.stdout.write(f"{mode} : {len(cases)} affaire(s) clôturée(s) le {cutoff:%d/%m/%Y} ou avant.")
        purged = blocked = 0
        for case in cases:
            plan = case_purge_plan(case)
            if plan.blocked:
                blocked += 1
                self.stdout.write(self.style.WARNING(f"- affaire n° {case.pk} : bloquée ({plan.blocked})"))
                continue
            counts = ", ".join(f"{label} {count}" for label, count in plan.counts.items())
            self.stdout.write(f"- affaire n° {case.pk} (clôturée le {case.closed_on:%d/%m/%Y}) : {counts}")
            if apply:
                try:
                    case_purge(case=case)
                except CasePurgeBlocked as error:
                    blocked += 1
                    self.stdout.write(self.style.WARNING(f"  bloquée : {error}"))
                else:
                    purged += 1
        if apply:
            self.stdout.write(self.style.SUCCESS(f"{purged} affaire(s) purgée(s), {blocked} bloquée(s)."))
        else:
            self.stdout.write("Rien n'a été supprimé : relancez avec --apply.")
