"""`python manage.py backup --out FILE`: the database and every file of MEDIA_ROOT, in one archive
encrypted with BACKUP_KEY. `--generate-key` prints a new key (the only thing on stdout)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.backup import BackupError, crypto, services


class Command(BaseCommand):
    help = "Sauvegarde chiffrée (BACKUP_KEY) de la base et des fichiers (pièces, dossiers) dans un seul fichier."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--out", help="Fichier de sauvegarde à écrire (remplacé s'il existe, une fois complet).")
        action.add_argument(
            "--generate-key", action="store_true", help="Affiche une nouvelle clé à mettre dans BACKUP_KEY."
        )

    def handle(self, *args, out=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(crypto.generate_key())
            # On stderr, so that `backup --generate-key > fichier` keeps the key alone.
            sys.stderr.write(
                "Gardez une copie de cette clé hors du serveur : sans elle, aucune sauvegarde ne se relit.\n"
            )
            return
        try:
            summary = services.backup_create(out=Path(out), key=crypto.key_from_environment())
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {summary.path}"))
        self.stdout.write(summary.text())
