"""The encrypted stream of a backup, in memory with tiny chunks: whatever is changed, cut, reordered
or appended is refused, and a wrong key is told apart from an altered file."""

import io

import pytest
from cryptography.fernet import Fernet

from cases.backup import BackupError
from cases.backup.crypto import HEADER, KEY_HOWTO, RECORD, TAG_SIZE, DecryptingReader, EncryptingWriter
from cases.backup.crypto import key_from_environment as read_key

KEY = bytes(range(32))
CHUNK = 16
PLAIN = bytes(range(40))  # two full chunks and a final one of 8 bytes


def encrypted(plain: bytes = PLAIN, key: bytes = KEY) -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, key, chunk_size=CHUNK)
    for start in range(0, len(plain), 7):  # writes that straddle chunk boundaries
        writer.write(plain[start : start + 7])
    writer.finish()
    return raw.getvalue()


def decrypted(data: bytes, key: bytes = KEY) -> bytes:
    reader = DecryptingReader(io.BytesIO(data), key)
    out = reader.read(5) + reader.read()
    reader.drain()
    return out


def records(data: bytes) -> list[bytes]:
    found, offset = [], HEADER.size
    while offset < len(data):
        length = RECORD.unpack_from(data, offset)[1]
        found.append(data[offset : offset + RECORD.size + length])
        offset += RECORD.size + length
    return found


def test_what_is_written_reads_back_across_chunks():
    data = encrypted()

    assert decrypted(data) == PLAIN
    assert [len(record) - RECORD.size - TAG_SIZE for record in records(data)] == [16, 16, 8]
    assert PLAIN[:8] not in data


def test_an_empty_stream_still_has_its_final_record():
    assert decrypted(encrypted(b"")) == b""


def test_a_missing_final_record_is_a_truncated_backup():
    data = encrypted()
    without_final = data[: len(data) - len(records(data)[-1])]

    with pytest.raises(BackupError, match="tronquée"):
        decrypted(without_final)


def test_reordered_records_fail_authentication():
    data = encrypted()
    first, second, final = records(data)

    with pytest.raises(BackupError, match="altérée"):
        decrypted(data[: HEADER.size] + second + first + final)


def test_bytes_after_the_final_record_are_refused():
    with pytest.raises(BackupError, match="altérée"):
        decrypted(encrypted() + b"\x00")


def test_a_non_final_record_flagged_final_is_refused():
    data = bytearray(encrypted())
    data[HEADER.size] = 1  # the first record's flag

    with pytest.raises(BackupError, match="altérée"):
        decrypted(bytes(data))


def test_a_wrong_key_is_told_apart_from_an_altered_file():
    with pytest.raises(BackupError, match="n'est pas la clé"):
        decrypted(encrypted(), key=bytes(32))


def test_a_file_that_is_not_a_backup_is_refused():
    with pytest.raises(BackupError, match="en-tête inconnu"):
        decrypted(b"PGDMP" + bytes(100))


def test_the_key_comes_from_the_environment_and_a_fernet_key_fits(monkeypatch):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    with pytest.raises(BackupError) as missing:
        read_key()
    assert str(missing.value) == KEY_HOWTO

    monkeypatch.setenv("BACKUP_KEY", "trop-courte")
    with pytest.raises(BackupError, match="pas une clé valide"):
        read_key()

    monkeypatch.setenv("BACKUP_KEY", Fernet.generate_key().decode())
    assert len(read_key()) == 32
