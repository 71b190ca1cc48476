from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.sync import SyncFailed, sync_account
from dashboard.adultwork import connect_account
from dashboard.models import Account, Agency, Grant, Preferences, StaffMember
from gateway import Identity, TokenSet

# The demo's published sign-ins (each password is its username), refused unless DEBUG.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # nosec B105  # published demo sign-in, refused unless DEBUG
AGENCY_OWNER = "agency"
STAFF = ("staff1", "staff2")
AGENCY_NAME = "Velvet Rooms"
# Three accounts run by the agency, each with different grants.
GRANTS = {
    ("staff1", "ScarlettRose"): Grant.Role.OPERATOR,
    ("staff1", "JadeMoon"): Grant.Role.VIEWER,
    ("staff2", "RubyLace"): Grant.Role.OPERATOR,
    ("staff2", "ScarlettRose"): Grant.Role.VIEWER,
    ("staff2", "JadeMoon"): Grant.Role.ADMIN,
}


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
        users = {u["Nickname"]: u for u in control.users()}
        with transaction.atomic():
            demo = demo_user(DEMO_USERNAME, DEMO_PASSWORD)
            # The demo shows alerts in the page and by email (the console, in the demo).
            Preferences.objects.get_or_create(
                user=demo, defaults={"alert_in_page": True, "alert_email": True}
            )
            accounts = [
                connect_account(
                    owner=demo, identity=identity_of(remote), tokens=sandbox_tokens(control, remote)
                )
                for remote in demo_performers(list(users.values()))
            ]
            accounts += self._agency(control, users)
        self.stdout.write(f"Demo sign-in: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        if no_sync:
            return
        for account in accounts:
            try:
                run = sync_account(account=account, full=True)
            except SyncFailed as failure:
                self.stderr.write(f"First sync failed: {failure}")
                continue
            if run is None:
                continue
            self.stdout.write(f"{account.nickname}: {run.bookings_seen} bookings synced")

    def _agency(self, control, users: dict[str, dict]) -> list[Account]:
        """The agency demo: its owner, two staff, and three accounts it runs."""
        boss = demo_user(AGENCY_OWNER, AGENCY_OWNER)
        agency, _ = Agency.objects.get_or_create(name=AGENCY_NAME, owner=boss)
        for name in STAFF:
            StaffMember.objects.get_or_create(agency=agency, user=demo_user(name, name))
        run = []
        for nickname in ("JadeMoon", "RubyLace"):
            run.append(
                connect_account(
                    owner=boss,
                    identity=identity_of(users[nickname]),
                    tokens=sandbox_tokens(control, users[nickname]),
                )
            )
        # ScarlettRose stays the demo performer's own account, run by the agency.
        Account.objects.filter(nickname__in=["ScarlettRose", "JadeMoon", "RubyLace"]).update(
            agency=agency
        )
        by_nickname = {a.nickname: a for a in Account.objects.filter(agency=agency)}
        for (username, nickname), role in GRANTS.items():
            Grant.objects.update_or_create(
                user=get_user_model().objects.get(username=username),
                account=by_nickname[nickname],
                defaults={"role": role, "granted_by": boss},
            )
        return run


def demo_user(username: str, password: str):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@demo.invalid"}
    )
    if created:
        user.set_password(password)
        user.save()
    return user


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
