import time

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from cases.demo import DEMO_ASSOCIATIONS, DEMO_EXTRA_MEMBERSHIPS, DEMO_USERS
from cases.models import Association, Membership

DEFAULT_DEMO_PASSWORD = "demo-coco-2024"  # noqa: S105 - demo accounts only, refused with DEBUG=0


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les identifiants."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_DEMO_PASSWORD, help="Mot de passe des comptes de démo.")
        parser.add_argument("--force", action="store_true", help="Autorise l'exécution avec DEBUG=0.")
        parser.add_argument(
            "--sans-reference",
            action="store_true",
            dest="without_reference",
            help="Ne charge pas l'affaire au volume de référence (23 051 procédures) : installations de test rapides.",
        )

    def handle(self, *args, password, force, without_reference, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo crée des comptes au mot de passe connu : refusé avec DEBUG=0 (ajoutez --force)."
            )
        with transaction.atomic(), pghistory.context(command="seed_demo"):
            rows = self._accounts(password)
            # Each app adds its own demo data; config lists them, so cases imports none of the others.
            for path in settings.DEMO_SEEDERS:
                import_string(path)(stdout=self.stdout)
        # Its own transactions (an import job claims and commits its rows): outside the block above.
        if not without_reference and getattr(settings, "DEMO_REFERENCE_SEEDER", None):
            started = time.monotonic()
            with pghistory.context(command="seed_demo"):
                import_string(settings.DEMO_REFERENCE_SEEDER)(stdout=self.stdout)
            self.stdout.write(f"Volume de référence vérifié en {time.monotonic() - started:.1f} s.")
        for path in getattr(settings, "DEMO_FINAL_SEEDERS", []):
            with transaction.atomic(), pghistory.context(command="seed_demo"):
                import_string(path)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {password}) :")
        for username, short_name, role in rows:
            self.stdout.write(f"  {username:<16} {short_name:<16} {role}")
        self.stdout.write(f"  {'superadmin':<16} {'—':<16} superutilisateur (administration technique /admin/)")
        self.stdout.write(
            "Avocats, administrateurs et superutilisateur activent la double authentification à la première "
            "connexion : munissez-vous d'une application TOTP (FreeOTP, Aegis…)."
        )

    def _accounts(self, password):
        associations = {}
        for data in DEMO_ASSOCIATIONS:
            association, _ = Association.objects.update_or_create(
                short_name=data["short_name"], defaults={k: v for k, v in data.items() if k != "short_name"}
            )
            associations[association.short_name] = association
        User = get_user_model()
        rows = []
        for username, first_name, last_name, short_name, role in DEMO_USERS:
            user = self._user(User, username, first_name, last_name, password)
            Membership.objects.update_or_create(
                user=user, association=associations[short_name], defaults={"role": role}
            )
            rows.append((username, short_name, role.label))
        for username, short_name, role in DEMO_EXTRA_MEMBERSHIPS:
            user = User.objects.get(username=username)
            Membership.objects.update_or_create(
                user=user, association=associations[short_name], defaults={"role": role}
            )
            rows.append((username, short_name, role.label))
        superuser = self._user(User, "superadmin", "Super", "Admin (fictif)", password)
        superuser.is_staff = superuser.is_superuser = True
        superuser.save(update_fields=["is_staff", "is_superuser"])
        return rows

    def _user(self, User, username, first_name, last_name, password):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@demo.invalid"},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return user
