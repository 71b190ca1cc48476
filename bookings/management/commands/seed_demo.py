from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.sync import SyncFailed, sync_account
from dashboard.adultwork import connect_account
from gateway import Identity, TokenSet

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Create the demo sign-in and connect it to sandbox accounts (DEBUG only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sandbox-url", default=None, help="the running sandbox")
        parser.add_argument("--no-sync", action="store_true", help="skip the first sync")

    def handle(self, *args, sandbox_url: str | None, no_sync: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates a published password: it runs only with DEBUG on."
            )
        # The demo command is the one place outside the tests allowed to know the sandbox.
        from sandbox.control import SandboxControl

        control = SandboxControl(sandbox_url or settings.ADULTWORK_API_URL)
        with transaction.atomic():
            demo, created = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"first_name": "Demo"}
            )
            if created:
                demo.set_password(DEMO_PASSWORD)
                demo.save()
            accounts = [
                connect_account(
                    owner=demo, identity=identity_of(remote), tokens=sandbox_tokens(control, remote)
                )
                for remote in demo_performers(control.users())
            ]
        self.stdout.write(f"Demo sign-in: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        if no_sync:
            return
        for account in accounts:
            try:
                run = sync_account(account=account)
            except SyncFailed as failure:
                self.stderr.write(f"First sync failed: {failure}")
                continue
            self.stdout.write(f"{account.nickname}: {run.bookings_seen} bookings synced")


def demo_performers(users: list[dict]) -> list[dict]:
    """The demo performer runs two accounts: the independent one and one in the group."""
    performers = [u for u in users if u.get("Role", "performer") == "performer"]
    independent = [u for u in performers if u.get("GroupID") is None][:1]
    in_group = [u for u in performers if u.get("GroupID") is not None][:1]
    return independent + in_group


def identity_of(remote: dict) -> Identity:
    return Identity(
        user_id=remote["UserID"],
        nickname=remote["Nickname"],
        group_id=remote.get("GroupID"),
        group_name=remote.get("GroupName"),
        is_group_manager=bool(remote.get("IsGroupManager")),
    )


def sandbox_tokens(control, remote: dict, **options) -> TokenSet:
    issued = control.issue_token(user_id=remote["UserID"], **options)
    return TokenSet(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        token_type=issued.get("token_type", "bearer"),
        expires_in=int(issued["expires_in"]),
        scope=issued.get("scope"),
    )
