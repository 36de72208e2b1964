import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Crée la base PostgreSQL configurée par DATABASE_URL si elle n'existe pas."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        params = {
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
            "dbname": "postgres",
            "connect_timeout": 5,
        }
        name = database["NAME"]
        try:
            with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if exists:
                    self.stdout.write(f"La base « {name} » existe.")
                    return
                conn.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
                )
        except psycopg.OperationalError as error:
            raise CommandError(
                f"PostgreSQL ne répond pas ({error.__class__.__name__}) : vérifiez DATABASE_URL."
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Base « {name} » créée."))
