"""The archive inside the encryption: a tar stream of `database.dump`, `media/<path>` for every
file of MEDIA_ROOT, then `manifest.json` (every file's path, size and SHA-256, and the dump's).

The manifest comes last so that one pass both hashes and writes each file: what it records is
exactly what the archive holds, even for a file changed while the backup ran."""

import hashlib
import io
import json
import os
import tarfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from . import BackupError, media
from .crypto import DecryptingReader, EncryptingWriter

FORMAT = "coco-backup"
VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media/"
COPY_BUFFER = 1024 * 1024


class _Hashing:
    """Reads through to a file while hashing what tarfile copies."""

    def __init__(self, handle):
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def write(raw, *, key: bytes, dump_path: Path, database: dict, media_root: Path) -> dict:
    """Writes the encrypted archive to `raw`; returns its manifest."""
    writer = EncryptingWriter(raw, key)
    files = []
    with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        dump_entry = _add(tar, DUMP, dump_path)
        for relative, path in media.files(media_root):
            try:
                files.append({"path": relative, **_add(tar, MEDIA + relative, path)})
            except FileNotFoundError:
                # Deleted since the walk (a dossier expiring): the dump, taken first, may name it,
                # as it named every file whose retention ran out.
                continue
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {**database, **dump_entry},
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
        tar.addfile(info, io.BytesIO(data))
    writer.finish()
    manifest["archive_bytes"] = writer.bytes_written
    return manifest


def _checked_name(member: tarfile.TarInfo) -> str:
    name = member.name
    parts = PurePosixPath(name).parts
    safe = (
        member.isreg()
        and not name.startswith("/")
        and not {"..", "."} & set(parts)
        and (name in {DUMP, MANIFEST} or (name.startswith(MEDIA) and len(parts) > 1))
    )
    if not safe:
        raise BackupError("Archive invalide : une entrée n'est ni la base, ni un fichier, ni le manifeste.")
    return name


def read(raw, *, key: bytes, staging: Path) -> dict:
    """Decrypts into `staging` (database.dump and media/…), checks every size and SHA-256 against
    the manifest and returns it; raises BackupError on any difference."""
    reader = DecryptingReader(raw, key)
    found = {}
    manifest = None
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            name = _checked_name(member)
            source = tar.extractfile(member)
            if name == MANIFEST:
                manifest = json.loads(source.read())
                continue
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with open(target, "xb") as out:
                while chunk := source.read(COPY_BUFFER):
                    digest.update(chunk)
                    out.write(chunk)
            os.utime(target, (member.mtime, member.mtime))
            found[name] = (member.size, digest.hexdigest())
    # tarfile stops at its end marker: reading on authenticates the final record too.
    reader.drain()
    _verify(manifest, found)
    return manifest


def _verify(manifest: dict | None, found: dict) -> None:
    if not manifest or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"Archive invalide : manifeste absent ou d'un format inconnu (attendu {FORMAT} {VERSION}).")
    database = manifest["database"]
    expected = {DUMP: (database["size"], database["sha256"])}
    expected |= {MEDIA + entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    problems = sorted(set(expected) ^ set(found)) + sorted(
        n for n in expected.keys() & found if expected[n] != found[n]
    )
    if problems:
        sample = ", ".join(problems[:3])
        raise BackupError(
            f"La sauvegarde ne correspond pas à son manifeste ({len(problems)} entrée(s) absente(s), en trop ou "
            f"d'empreinte SHA-256 différente, par exemple : {sample}) : rien n'a été restauré."
        )
