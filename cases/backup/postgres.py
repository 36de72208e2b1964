"""PostgreSQL side of a backup: the client tools matching the server, a dump taken in the same
snapshot as the row counts of the manifest, the state of a restore target, and pg_restore."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg import sql

from . import BackupError

# Debian installs each major version's client tools here, side by side.
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
_OPTION_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def database_name() -> str:
    return settings.DATABASES["default"]["NAME"]


def _parameters() -> dict:
    database = settings.DATABASES["default"]
    params = {
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "dbname": database["NAME"],
    }
    options = {key: value for key, value in database.get("OPTIONS", {}).items() if key in _OPTION_ENVIRONMENT}
    return {key: value for key, value in params.items() if value} | options


def connect(**extra) -> psycopg.Connection:
    try:
        return psycopg.connect(**_parameters(), **extra)
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Connexion à la base « {database_name()} » impossible ({error.__class__.__name__}) : vérifiez "
            "DATABASE_URL et que la base existe (python manage.py ensure_database la crée)."
        ) from error


def _environment() -> dict:
    # The password travels in the environment, never on a command line other users can read.
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    names |= _OPTION_ENVIRONMENT
    return os.environ | {names[key]: str(value) for key, value in _parameters().items()}


def _major(version_text: str) -> int | None:
    match = re.search(r"\(PostgreSQL\) (\d+)", version_text)
    return int(match.group(1)) if match else None


def client_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore at least as recent as the server: an older client refuses
    to dump a newer server, and an older pg_restore cannot read a newer dump. The server's own
    version first, then the oldest newer one, then the one on PATH."""
    installed = sorted(
        (int(path.parent.parent.name), path)
        for path in DEBIAN_BINARIES.glob(f"*/bin/{name}")
        if path.parent.parent.name.isdigit()
    )
    for major, path in installed:
        if major >= server_major:
            return str(path)
    on_path = shutil.which(name)
    if on_path:
        done = subprocess.run([on_path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
        major = _major(done.stdout)
        if major is not None and major >= server_major:
            return on_path
    raise BackupError(
        f"{name} {server_major} (ou plus récent) est introuvable : installez le client de la version du serveur "
        f"(apt-get install postgresql-client-{server_major})."
    )


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        # pg_dump and pg_restore report object names and SQL errors, never row contents.
        detail = " ".join(done.stderr.strip().splitlines()[-3:]) or f"code {done.returncode}"
        raise BackupError(f"{what} a échoué : {detail}")


def _public_tables(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    return [name for (name,) in rows]


def _scalar(connection: psycopg.Connection, query: str, table: str):
    return connection.execute(sql.SQL(query).format(sql.Identifier(table))).fetchone()[0]


def table_counts(connection: psycopg.Connection) -> dict[str, int]:
    """Rows of every table of the public schema (Django's), by name."""
    return {name: _scalar(connection, "SELECT count(*) FROM public.{}", name) for name in _public_tables(connection)}


def dump(path: Path) -> dict:
    """Writes the custom-format dump to `path`; returns what the manifest says of the database.

    The counts are read in a snapshot exported to pg_dump, so they describe exactly the dump."""
    with connect() as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_major = connection.info.server_version // 10000
        tables = table_counts(connection)
        pg_dump = client_tool("pg_dump", server_major)
        _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={path}"], "pg_dump")
        connection.rollback()
        server_version = connection.execute("SHOW server_version").fetchone()[0]
    return {"name": database_name(), "server_version": server_version, "tables": tables}


@dataclass(frozen=True)
class TargetState:
    tables: list[str]
    tables_with_rows: list[str]


def target_state() -> TargetState:
    """The tables of the restore target, and which hold rows (EXISTS, not count(*), on a big one)."""
    with connect(autocommit=True) as connection:
        tables = _public_tables(connection)
        with_rows = [name for name in tables if _scalar(connection, "SELECT EXISTS (SELECT 1 FROM public.{})", name)]
    return TargetState(tables=tables, tables_with_rows=with_rows)


def restore(path: Path, *, clean: bool) -> None:
    """pg_restore in one transaction that stops at the first error: the target ends up either as it
    was or holding the whole dump. `clean` drops the dump's objects first, in that same transaction.

    Owners and grants are left out: the target's role (DATABASE_URL) owns what it restores, and a
    role of the old server missing on the new one must not abort a disaster recovery."""
    with connect(autocommit=True) as connection:
        server_major = connection.info.server_version // 10000
    command = [
        client_tool("pg_restore", server_major),
        f"--dbname={database_name()}",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-acl",
        "--no-password",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)], "pg_restore")
