from __future__ import annotations

from django.db import models

from experiments import crypto


class EncryptedTextField(models.TextField):
    """A text column that holds only Fernet ciphertext; Python sees plaintext.

    Empty strings stay empty so "no key" needs no decryption.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)
