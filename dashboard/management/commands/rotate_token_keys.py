from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard import crypto
from dashboard.models import Connection


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored token under the first key of TOKEN_ENCRYPTION_KEYS, so that "
        "the older keys can be removed."
    )

    def handle(self, *args, **options) -> None:
        rotated = 0
        with transaction.atomic():
            for connection in Connection.objects.select_for_update().order_by("pk"):
                try:
                    connection.access_token_ciphertext = crypto.rotate(
                        connection.access_token_ciphertext
                    )
                    connection.refresh_token_ciphertext = crypto.rotate(
                        connection.refresh_token_ciphertext
                    )
                except crypto.TokenDecryptionError as error:
                    raise CommandError(
                        f"The tokens of account {connection.account_id} cannot be read with "
                        "any configured key; nothing was changed."
                    ) from error
                connection.save(
                    update_fields=["access_token_ciphertext", "refresh_token_ciphertext"]
                )
                rotated += 1
        self.stdout.write(f"{rotated} connection(s) re-encrypted under the first key.")
