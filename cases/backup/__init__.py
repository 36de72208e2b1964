"""Encrypted backups that restore: one file holding the PostgreSQL dump, every file of MEDIA_ROOT
(exhibits, dossiers, imports, statistics reports) and a manifest of their SHA-256, encrypted with
BACKUP_KEY. `manage.py backup` and `manage.py restore` are thin wrappers around `services`."""


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message is French and says what to do."""
