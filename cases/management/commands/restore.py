"""`python manage.py restore FILE [--force]`: a backup of `manage.py backup` back into the database of
DATABASE_URL and MEDIA_ROOT, after checking every SHA-256 of its manifest. Stop the web server and
the workers first: nothing may write while the database is replaced."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.backup import BackupError, crypto, services


class Command(BaseCommand):
    help = "Restaure une sauvegarde chiffrée (BACKUP_KEY) dans une base et un dossier de fichiers vides."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier écrit par « manage.py backup ».")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remplace une base ou des fichiers existants par ceux de la sauvegarde.",
        )

    def handle(self, *args, file, force=False, **options):
        try:
            summary = services.backup_restore(path=Path(file), key=crypto.key_from_environment(), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde restaurée et vérifiée (SHA-256, lignes) : {summary.path}"))
        self.stdout.write(summary.text())
