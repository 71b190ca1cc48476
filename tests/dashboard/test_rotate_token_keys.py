import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.models import Connection
from tests.factories import ConnectionFactory


def test_rotation_moves_every_token_to_the_first_key(db, settings):
    old = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    ConnectionFactory.create_batch(2)
    new = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_token_keys")
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    for connection in Connection.objects.all():
        assert connection.access_token == "unknown-access-token"
        assert connection.refresh_token == "unknown-refresh-token"


def test_rotation_with_a_missing_key_changes_nothing_and_says_so(db, settings):
    ConnectionFactory()
    before = list(Connection.objects.values_list("access_token_ciphertext", flat=True))
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("rotate_token_keys")
    assert list(Connection.objects.values_list("access_token_ciphertext", flat=True)) == before
