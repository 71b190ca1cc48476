import pytest
from cryptography.fernet import Fernet
from django.db import connection as database

from dashboard import crypto
from tests.factories import ConnectionFactory


def test_tokens_round_trip_through_encryption():
    assert crypto.decrypt(crypto.encrypt("a-token")) == "a-token"


def test_no_plaintext_token_is_stored(db):
    stored = ConnectionFactory()
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_ciphertext, refresh_token_ciphertext FROM dashboard_connection"
            " WHERE id = %s",
            [stored.pk],
        )
        row = cursor.fetchone()
    assert "unknown-access-token" not in "".join(row)
    assert "unknown-refresh-token" not in "".join(row)
    assert stored.access_token == "unknown-access-token"


def test_a_token_under_an_unknown_key_is_an_error_not_ciphertext(db, settings):
    stored = ConnectionFactory()
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.TokenDecryptionError, match="connect the account again"):
        _ = stored.access_token


def test_older_keys_still_decrypt_and_rotate_moves_to_the_newest(settings):
    old = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    ciphertext = crypto.encrypt("a-token")
    new = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(ciphertext) == "a-token"
    rotated = crypto.rotate(ciphertext)
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "a-token"


def test_no_keys_at_all_is_an_error(settings):
    settings.TOKEN_ENCRYPTION_KEYS = []
    with pytest.raises(crypto.TokenDecryptionError):
        crypto.decrypt("anything")
