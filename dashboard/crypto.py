"""Tokens at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS (newest key first)."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables


class TokenDecryptionError(Exception):
    """A stored token cannot be read with the configured keys: never send it anywhere."""


@cache
@sensitive_variables()  # the encryption keys
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS is empty: set at least one Fernet key, made with "
            "Fernet.generate_key() from the cryptography package."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"TOKEN_ENCRYPTION_KEYS holds an invalid key: {error}") from None


def current_fernet() -> MultiFernet:
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


# sensitive_variables() hides every local of the decorated frame, and of the undecorated frames
# it calls (cryptography's hold the plaintext too), in Django's error reports and mails to ADMINS.


@sensitive_variables()
def encrypt(plaintext: str) -> str:
    return current_fernet().encrypt(plaintext.encode()).decode()


@sensitive_variables()
def decrypt(ciphertext: str) -> str:
    try:
        return current_fernet().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ImproperlyConfigured) as error:
        raise TokenDecryptionError(
            "This account's stored connection cannot be read with the current encryption keys; "
            "connect the account again."
        ) from error


@sensitive_variables()
def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key, so that older keys can be retired."""
    try:
        return current_fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise TokenDecryptionError(
            "A stored token cannot be read with any configured key."
        ) from error
