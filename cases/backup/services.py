"""Writing a backup and restoring one: each either completes or leaves things as they were."""

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from . import BackupError, archive, media, postgres


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@dataclass(frozen=True)
class Summary:
    path: Path
    tables: int
    rows: int
    files: int
    file_bytes: int
    dump_bytes: int
    archive_bytes: int
    seconds: float

    @classmethod
    def of(cls, manifest: dict, *, path: Path, archive_bytes: int, started: float) -> "Summary":
        database = manifest["database"]
        return cls(
            path=path,
            tables=len(database["tables"]),
            rows=sum(database["tables"].values()),
            files=len(manifest["files"]),
            file_bytes=sum(entry["size"] for entry in manifest["files"]),
            dump_bytes=database["size"],
            archive_bytes=archive_bytes,
            seconds=time.monotonic() - started,
        )

    def text(self) -> str:
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        return (
            f"{_number(self.tables)} tables, {_number(self.rows)} lignes (dump de {filesizeformat(self.dump_bytes)}), "
            f"{_number(self.files)} fichiers ({filesizeformat(self.file_bytes)}) ; "
            f"archive chiffrée de {filesizeformat(self.archive_bytes)}, en {seconds} s."
        )


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_create(*, out: Path, key: bytes) -> Summary:
    """Dumps the database, then archives MEDIA_ROOT, all encrypted into `out`.

    The dump comes first: a file uploaded meanwhile is in the archive without its row (harmless),
    rather than a row without its file. The archive is written beside `out` under a temporary
    name and renamed once complete and on disk, so `out` is never a half-written backup."""
    started = time.monotonic()
    out = Path(out).absolute()
    if not out.parent.is_dir():
        raise BackupError(f"Le dossier de destination « {out.parent} » n'existe pas.")
    descriptor, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        # The clear dump lives in the system's temporary folder (TMPDIR) for the time of the backup,
        # never beside the archive, which may sit on a shared backup volume.
        with tempfile.TemporaryDirectory(prefix="coco-backup-") as scratch:
            dump_path = Path(scratch, archive.DUMP)
            database = postgres.dump(dump_path)
            with os.fdopen(descriptor, "wb") as raw:
                manifest = archive.write(
                    raw, key=key, dump_path=dump_path, database=database, media_root=Path(settings.MEDIA_ROOT)
                )
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, out)
        _fsync_directory(out.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return Summary.of(manifest, path=out, archive_bytes=manifest["archive_bytes"], started=started)


def _refusal(state: postgres.TargetState, media_root: Path, media_busy: bool) -> str:
    reasons = []
    if state.tables_with_rows:
        reasons.append(
            f"la base « {postgres.database_name()} » contient des données ({len(state.tables_with_rows)} tables non vides)"
        )
    if media_busy:
        reasons.append(f"le dossier des fichiers « {media_root} » n'est pas vide")
    return (
        f"Restauration refusée : {' et '.join(reasons)} ; restaurez dans une base et un dossier vides, ou ajoutez "
        "--force pour les remplacer par la sauvegarde."
    )


def backup_restore(*, path: Path, key: bytes, force: bool = False) -> Summary:
    """Decrypts and checks the whole archive before touching anything, then restores the database
    (one transaction) and puts the files in MEDIA_ROOT (renames), then checks the row counts."""
    started = time.monotonic()
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Sauvegarde introuvable : « {path} ».")
    media_root = Path(settings.MEDIA_ROOT).absolute()
    state = postgres.target_state()
    media_busy = media_root.is_dir() and media.has_files(media_root)
    if (state.tables_with_rows or media_busy) and not force:
        raise BackupError(_refusal(state, media_root, media_busy))
    staging = media.staging_directory(media_root, "restore")
    try:
        with open(path, "rb") as raw:
            manifest = archive.read(raw, key=key, staging=staging)
        tables = manifest["database"]["tables"]
        unknown = sorted(set(state.tables) - set(tables))
        if unknown:
            # pg_restore --clean drops only what the dump holds: these would survive beside it.
            raise BackupError(
                f"La base « {postgres.database_name()} » a {len(unknown)} table(s) que la sauvegarde n'a pas "
                f"(par exemple {', '.join(unknown[:3])}) : restaurez dans une base vide (dropdb puis createdb, "
                "ou python manage.py ensure_database) ; rien n'a été restauré."
            )
        postgres.restore(staging / archive.DUMP, clean=bool(state.tables))
        media.install(staging / archive.MEDIA, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with postgres.connect(autocommit=True) as connection:
        restored = postgres.table_counts(connection)
    different = sorted(name for name in set(tables) | set(restored) if tables.get(name) != restored.get(name))
    if different:
        raise BackupError(
            f"Base et fichiers restaurés, mais {len(different)} table(s) n'ont pas le nombre de lignes du manifeste "
            f"(par exemple {', '.join(different[:3])}) : l'application écrivait-elle pendant la restauration ?"
        )
    return Summary.of(manifest, path=path, archive_bytes=path.stat().st_size, started=started)
