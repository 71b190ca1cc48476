from django.core.management.base import BaseCommand

from dashboard.vapid import generate_key_pair


class Command(BaseCommand):
    help = "Print a fresh VAPID key pair for Web Push, as lines for the environment."

    def handle(self, *args, **options) -> None:
        keys = generate_key_pair()
        # Only to stdout: the operator puts them where the other secrets live.
        self.stdout.write(f"VAPID_PRIVATE_KEY={keys.private_key}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={keys.public_key}")
