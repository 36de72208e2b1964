"""The restore drill: the demo data in a real, committed database with its exhibits and a dossier on
disk, `manage.py backup`, then `manage.py restore` into a fresh database and media folder, each as
its own process, as an operator would; every table's rows and every file's SHA-256 must come back.
Scratch databases are created and dropped here (coco_backup_src_<pid>, coco_backup_dst_<pid>)."""

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from cases.backup.crypto import generate_key

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coco_affaires")


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(BASE_URL)._replace(path=f"/{name}"))


def _server(statement: str, name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def create_database(name: str) -> None:
    _server("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    _server("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0", name)


def drop_database(name: str) -> None:
    _server("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def manage(*args, database: str, media: Path, key: str | None = None) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"BACKUP_KEY", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    environment |= {"DEBUG": "1", "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media)}
    if key:
        environment["BACKUP_KEY"] = key
    return subprocess.run(  # noqa: S603 - this interpreter, manage.py, arguments of the test
        [sys.executable, "manage.py", *map(str, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def succeeded(done: subprocess.CompletedProcess) -> bool:
    return done.returncode == 0


def row_counts(name: str) -> dict[str, int]:
    """Rows of every table of the public schema, read here rather than by the code under test."""
    with psycopg.connect(database_url(name)) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        return {
            table: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for (table,) in tables
        }


def file_hashes(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@dataclass
class Source:
    database: str
    media: Path
    key: str
    archive: Path
    output: str


@dataclass
class Target:
    database: str
    media: Path


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backup-source")
    database, media = f"coco_backup_src_{os.getpid()}", folder / "media"
    create_database(database)
    try:
        made = manage("backup", "--generate-key", database=database, media=media)
        assert succeeded(made), made.stderr[-2000:]
        key = made.stdout.strip()
        # seed_demo stores the demo exhibits through the exhibit service; render_dossier adds a
        # dossier PDF through the dossier service: both kinds of stored files are in the backup.
        for command in (
            ["migrate", "--no-input"],
            ["seed_demo", "--sans-reference"],
            ["render_dossier", "ACPE-2024-002", "--out", folder / "dossier.pdf"],
        ):
            done = manage(*command, database=database, media=media)
            assert succeeded(done), done.stderr[-2000:]
        archive = folder / "coco.sauvegarde"
        done = manage("backup", "--out", archive, database=database, media=media, key=key)
        assert succeeded(done), done.stderr[-2000:]
        yield Source(database=database, media=media, key=key, archive=archive, output=done.stdout)
    finally:
        drop_database(database)


@pytest.fixture
def target(tmp_path):
    database = f"coco_backup_dst_{os.getpid()}"
    create_database(database)
    try:
        yield Target(database=database, media=tmp_path / "media")
    finally:
        drop_database(database)


def restore(source: Source, target: Target, *options, archive: Path | None = None, key: str | None = None):
    return manage(
        "restore",
        archive or source.archive,
        *options,
        database=target.database,
        media=target.media,
        key=source.key if key is None else key,
    )


def assert_nothing_restored(target: Target) -> None:
    assert row_counts(target.database) == {}
    assert file_hashes(target.media) == {}
    # Neither the decrypted files nor the clear dump are left beside MEDIA_ROOT.
    assert [entry.name for entry in target.media.parent.iterdir() if entry.name.startswith(".media-")] == []


def test_the_restore_drill_gives_back_every_row_and_every_file(source, target):
    done = restore(source, target)

    assert succeeded(done), done.stderr[-2000:]
    expected = row_counts(source.database)
    assert row_counts(target.database) == expected
    assert expected["procedures_procedure"] > 0 and expected["cases_exhibit"] >= 5 and expected["django_migrations"]
    restored = file_hashes(target.media)
    assert restored == file_hashes(source.media)
    assert {path.split("/")[0] for path in restored} >= {"exhibits", "dossiers"}
    assert "vérifiée" in done.stdout and f"{len(expected)} tables" in done.stdout
    assert [entry.name for entry in target.media.parent.iterdir() if entry.name.startswith(".media-")] == []


def test_the_backup_is_one_encrypted_file_with_a_summary(source):
    data = source.archive.read_bytes()

    # No clear dump (custom format starts with PGDMP), PDF, manifest or case reference inside.
    for clear in (b"PGDMP", b"%PDF", b"manifest.json", b"exhibits/", b"ACPE-2024-001"):
        assert clear not in data
    assert [entry.name for entry in source.archive.parent.iterdir() if entry.suffix == ".part"] == []
    assert "Sauvegarde écrite" in source.output and "fichiers" in source.output and "lignes" in source.output


def test_restore_refuses_a_target_with_data_unless_forced(source, target):
    assert succeeded(restore(source, target))
    stray = target.media / "exhibits" / "ajoutee-apres.pdf"
    stray.write_bytes(b"%PDF-1.7 ajoutee apres la sauvegarde")

    refused = restore(source, target)

    assert refused.returncode != 0
    assert "--force" in refused.stderr and "contient des données" in refused.stderr
    assert stray.exists()

    forced = restore(source, target, "--force")

    assert succeeded(forced), forced.stderr[-2000:]
    assert row_counts(target.database) == row_counts(source.database)
    assert file_hashes(target.media) == file_hashes(source.media)


def test_restore_refuses_a_media_folder_holding_files(source, target):
    (target.media / "exhibits").mkdir(parents=True)
    (target.media / "exhibits" / "autre.pdf").write_bytes(b"%PDF-1.7 autre")

    refused = restore(source, target)

    assert refused.returncode != 0
    assert "n'est pas vide" in refused.stderr and "--force" in refused.stderr
    assert row_counts(target.database) == {}
    assert list(file_hashes(target.media)) == ["exhibits/autre.pdf"]


def test_a_wrong_key_restores_nothing(source, target):
    done = restore(source, target, key=generate_key())

    assert done.returncode != 0
    assert "n'est pas la clé qui a chiffré cette sauvegarde" in done.stderr
    assert_nothing_restored(target)


def flip_one_bit_in_the_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]


def cut_short(data: bytes) -> bytes:
    return data[:-100]


@pytest.mark.parametrize(
    ("damage", "message"), [(flip_one_bit_in_the_middle, "altérée"), (cut_short, "tronquée")], ids=["bit", "cut"]
)
def test_a_damaged_backup_restores_nothing(source, target, tmp_path, damage, message):
    damaged = tmp_path / "abimee.sauvegarde"
    damaged.write_bytes(damage(source.archive.read_bytes()))

    done = restore(source, target, archive=damaged)

    assert done.returncode != 0
    assert message in done.stderr and "rien n'a été restauré" in done.stderr
    assert_nothing_restored(target)


def test_without_backup_key_both_commands_say_how_to_make_one(source, target, tmp_path):
    out = tmp_path / "sortie"
    out.mkdir()

    backup = manage("backup", "--out", out / "coco.sauvegarde", database=source.database, media=source.media)
    restored = manage("restore", source.archive, database=target.database, media=target.media)

    for done in (backup, restored):
        assert done.returncode != 0
        assert "BACKUP_KEY est absente" in done.stderr and "--generate-key" in done.stderr
    assert list(out.iterdir()) == []
    assert_nothing_restored(target)
