"""Encryption at rest for endpoint API keys (Fernet, key rotation supported)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "PROMPTLOOPER_FERNET_KEYS holds a malformed key; each key is 32 "
            "url-safe base64-encoded bytes (Fernet.generate_key())."
        ) from None


def encrypt(plaintext: str) -> str:
    return _fernet(tuple(settings.FERNET_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt with any configured key; a token from an unknown key is an error."""
    try:
        return _fernet(tuple(settings.FERNET_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with PROMPTLOOPER_FERNET_KEYS; "
            "was the key changed without keeping the old one in the list?"
        ) from None
