"""Encrypted model fields keyed by FIELD_ENCRYPTION_KEYS (from the environment), not by SECRET_KEY.

The cryptography is django-fernet-encrypted-fields' (Fernet: AES-128-CBC + HMAC-SHA256); only the
key source differs, so that rotating SECRET_KEY never makes victims' identities unreadable.
The first key encrypts; the others still decrypt (rotation).
"""

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.functional import cached_property
from encrypted_fields import fields as encrypted


class _EnvironmentKeyMixin:
    @cached_property
    def keys(self) -> list[bytes]:
        return [key.encode() for key in settings.FIELD_ENCRYPTION_KEYS]

    @cached_property
    def f(self):
        return MultiFernet([Fernet(key) for key in self.keys])


class EncryptedCharField(_EnvironmentKeyMixin, encrypted.EncryptedCharField):
    pass


class EncryptedTextField(_EnvironmentKeyMixin, encrypted.EncryptedTextField):
    pass


class EncryptedDateField(_EnvironmentKeyMixin, encrypted.EncryptedDateField):
    pass
