"""The encryption of a backup: AES-256-GCM in chunks (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár), so a multi-gigabyte archive is encrypted and decrypted in constant memory and
any change to it is detected.

Layout: a header (magic, random salt, key check, chunk size), then records, each a final flag,
a length and a ciphertext with its tag. A record's nonce is its index and its final flag, and the
header is its associated data: a changed, removed, reordered, appended or truncated record fails.
"""

import base64
import binascii
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import BackupError

MAGIC = b"COCOBAK1"
CHUNK_SIZE = 1024 * 1024
# A header claiming more is altered: refused before anything that large is allocated.
MAX_CHUNK_SIZE = 64 * 1024 * 1024
TAG_SIZE = 16
HEADER = struct.Struct(">8s16s32sI")
RECORD = struct.Struct(">BI")

KEY_HOWTO = (
    "BACKUP_KEY est absente : créez une clé avec « python manage.py backup --generate-key » (ou "
    '« python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" »), '
    "gardez-en une copie hors de ce serveur (sans elle aucune sauvegarde ne se relit) et exportez-la dans BACKUP_KEY."
)


def generate_key() -> str:
    """32 random bytes in URL-safe base64: the same shape as a Fernet key, so either tool makes one."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def key_from_environment() -> bytes:
    # Read here, not in settings: only these two commands need the key, web and workers never hold it.
    value = os.environ.get("BACKUP_KEY", "").strip()
    if not value:
        raise BackupError(KEY_HOWTO)
    try:
        key = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            "BACKUP_KEY n'est pas une clé valide (32 octets en base64, comme une clé Fernet) : "
            "créez-en une avec « python manage.py backup --generate-key »."
        )
    return key


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    # A fresh key per archive (random salt), so counter nonces never repeat under one key; the
    # second half tells a wrong key from an altered record.
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"coco-backup/1").derive(key)
    return material[:32], material[32:]


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written goes out encrypted, chunk by chunk, to `raw`.
    `finish()` writes the final record; without it the archive reads as truncated."""

    def __init__(self, raw, key: bytes, chunk_size: int = CHUNK_SIZE):
        salt = os.urandom(16)
        cipher_key, check = _derive(key, salt)
        self._raw = raw
        self._aead = AESGCM(cipher_key)
        self._header = HEADER.pack(MAGIC, salt, check, chunk_size)
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self.bytes_written = 0
        self._emit(self._header)

    def _emit(self, data: bytes) -> None:
        self._raw.write(data)
        self.bytes_written += len(data)

    def _record(self, plaintext: bytes, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, final), plaintext, self._header)
        self._emit(RECORD.pack(1 if final else 0, len(sealed)) + sealed)
        self._index += 1

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= self._chunk_size:
            self._record(bytes(self._buffer[: self._chunk_size]), final=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def finish(self) -> None:
        self._record(bytes(self._buffer), final=True)
        self._buffer.clear()
        self._raw.flush()


class DecryptingReader:
    """A read-only file object over an encrypted archive. Every record is authenticated before a
    byte of it is returned; `drain()` reads to the end, so a missing final record is noticed even
    when the reader (tarfile) stops early."""

    def __init__(self, raw, key: bytes):
        self._raw = raw
        header = raw.read(HEADER.size)
        if len(header) < HEADER.size or not header.startswith(MAGIC):
            raise BackupError("Ce fichier n'est pas une sauvegarde chiffrée de l'application (en-tête inconnu).")
        _, salt, check, self._chunk_size = HEADER.unpack(header)
        cipher_key, expected = _derive(key, salt)
        if not hmac.compare_digest(check, expected):
            raise BackupError(
                "BACKUP_KEY n'est pas la clé qui a chiffré cette sauvegarde (ou son en-tête a été altéré) : "
                "rien n'a été restauré."
            )
        if not 0 < self._chunk_size <= MAX_CHUNK_SIZE:
            raise _altered("en-tête")
        self._aead = AESGCM(cipher_key)
        self._header = header
        self._index = 0
        self._plain = b""
        self._position = 0
        self._done = False

    def _next_record(self) -> None:
        head = self._raw.read(RECORD.size)
        if len(head) < RECORD.size:
            raise BackupError("Sauvegarde tronquée : la fin de l'archive manque, rien n'a été restauré.")
        flag, length = RECORD.unpack(head)
        if flag > 1 or length > self._chunk_size + TAG_SIZE:
            raise _altered(f"bloc n° {self._index}")
        sealed = self._raw.read(length)
        if len(sealed) < length:
            raise BackupError("Sauvegarde tronquée : la fin de l'archive manque, rien n'a été restauré.")
        try:
            self._plain = self._aead.decrypt(_nonce(self._index, bool(flag)), sealed, self._header)
        except InvalidTag:
            raise _altered(f"bloc n° {self._index}") from None
        self._position = 0
        self._index += 1
        if flag:
            if self._raw.read(1):
                raise _altered("données après la fin")
            self._done = True

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else float("inf")
        while wanted > 0:
            if self._position == len(self._plain):
                if self._done:
                    break
                self._next_record()
                continue
            piece = self._plain[self._position : self._position + min(wanted, len(self._plain))]
            self._position += len(piece)
            wanted -= len(piece)
            parts.append(piece)
        return b"".join(parts)

    def drain(self) -> None:
        while self.read(CHUNK_SIZE):
            pass


def _altered(where: str) -> BackupError:
    return BackupError(
        f"Sauvegarde altérée ({where} : l'authentification échoue) : le fichier a été modifié, "
        "tronqué ou réordonné ; rien n'a été restauré."
    )
