from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dashboard import crypto

if TYPE_CHECKING:
    from dashboard.forms import GroupMemberForm, RoleForm


class AccountQuerySet(models.QuerySet["Account"]):
    def connected(self) -> "AccountQuerySet":
        """Accounts whose bookings can be read: with a connection of their own, or group
        members read through their group manager's."""
        return self.filter(Q(connection__isnull=False) | Q(managed_through__isnull=False))

    def visible_to(self, user) -> "AccountQuerySet":
        """Accounts the user owns or holds any grant on."""
        if not user.is_authenticated:
            return self.none()
        return self._owned_or_granted(user, Grant.objects.filter(user=user))

    def grantable_by(self, user) -> "AccountQuerySet":
        """Accounts whose grants the user may manage: owned, run by an agency the user owns,
        or granted the admin role."""
        if not user.is_authenticated:
            return self.none()
        return self._owned_or_granted(user, Grant.objects.filter(user=user, role=Grant.Role.ADMIN))

    def actionable_by(self, user) -> "AccountQuerySet":
        """Accounts the user may act for: owned, or granted as operator or admin."""
        if not user.is_authenticated:
            return self.none()
        return self._owned_or_granted(
            user, Grant.objects.filter(user=user, role__in=Grant.ACTING_ROLES)
        )

    def _owned_or_granted(self, user, grants: "models.QuerySet[Grant]") -> "AccountQuerySet":
        # An IN (subquery) rather than EXISTS (correlated): the same rows, and a third less of
        # this process's time to build, on every page and twice in every action.
        granted = Q(pk__in=grants.values("account_id"))
        return self.filter(Q(owner=user) | Q(agency__owner=user) | granted)


def people_who_see(account: "Account") -> models.QuerySet:
    """The users who may see the account, as AccountQuerySet.visible_to has it the other way
    round: its owner, its agency's owner and everyone granted a role on it."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(owned_accounts=account)
            | Q(owned_agencies__accounts=account)
            | Q(grants__account=account),
            is_active=True,
        )
        .distinct()
    )


class Agency(models.Model):
    """An agency runs performers' accounts through its staff."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_agencies"
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="agencies", blank=True, through="StaffMember"
    )

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.agency}"


class Account(models.Model):
    """An AdultWork account connected to the dashboard by the performer who owns it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_accounts"
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="The agency that runs this account; its owner may grant its staff access.",
    )
    # A group member added by its group manager: read through the manager's connection with
    # the /v1/Groups twins, which AdultWork offers for made lists and details only.
    managed_through = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="group_members"
    )
    remote_user_id = models.PositiveBigIntegerField(unique=True)
    nickname = models.CharField(max_length=100)
    group_id = models.PositiveBigIntegerField(null=True, blank=True)
    group_name = models.CharField(max_length=200, blank=True)
    is_group_manager = models.BooleanField(default=False)
    reconnect_needed = models.BooleanField(
        default=False, help_text="AdultWork refused this account's connection: connect it again."
    )
    connected_at = models.DateTimeField(default=timezone.now)

    objects = AccountQuerySet.as_manager()

    # Why an account is marked reconnect_needed, as every page and message says it.
    RECONNECT_REASON = "AdultWork no longer accepts this account's connection"

    # Not columns: set on the accounts of a page for its templates. Whether the viewer may act
    # for the account (as actionable_by decides), and the role of the viewer's grant, in words.
    can_act: bool
    my_role: str
    # On the accounts page, a group manager's form for adding a member.
    member_form: "GroupMemberForm"

    class Meta:
        ordering = ["nickname", "pk"]

    def __str__(self) -> str:
        return self.nickname

    @property
    def has_own_connection(self) -> bool:
        return self.managed_through_id is None


class Connection(models.Model):
    """An account's OAuth tokens, encrypted at rest. Read them only through the properties."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="connection")
    access_token_ciphertext = models.TextField()
    refresh_token_ciphertext = models.TextField()
    token_type = models.CharField(max_length=20, default="bearer")
    scope = models.CharField(max_length=300, blank=True)
    access_expires_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "connection"

    def __str__(self) -> str:
        return f"connection of {self.account_id}"

    def __repr__(self) -> str:
        return f"<Connection account={self.account_id} expires={self.access_expires_at}>"

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_ciphertext)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_ciphertext)

    @sensitive_variables("access_token", "refresh_token")
    def store_tokens(
        self, *, access_token: str, refresh_token: str, expires_in: int, now: datetime
    ) -> None:
        self.access_token_ciphertext = crypto.encrypt(access_token)
        self.refresh_token_ciphertext = crypto.encrypt(refresh_token)
        self.access_expires_at = now + timedelta(seconds=expires_in)
        self.refreshed_at = now

    def expires_within(self, seconds: int, *, now: datetime) -> bool:
        return self.access_expires_at <= now + timedelta(seconds=seconds)


class Grant(models.Model):
    """A staff member's role on an account that is not their own."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer (sees)"
        OPERATOR = "operator", "Operator (acts)"
        ADMIN = "admin", "Admin (manages grants)"

    ACTING_ROLES = (Role.OPERATOR, Role.ADMIN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not a column: set on the grants of the access page, the form that changes this role.
    role_form: "RoleForm"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_grant_per_user_account")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.account}"


def role_verb(role: str) -> str:
    """What a role lets its holder do to an account, as the sentences about grants say it."""
    return {
        Grant.Role.VIEWER: "see",
        Grant.Role.OPERATOR: "see and act for",
        Grant.Role.ADMIN: "act for and manage access to",
    }[Grant.Role(role)]


class AuditEntry(models.Model):
    """Who did what, for which account, with what inputs and what came of it."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Outcome unknown"

    class AccessAction(models.TextChoices):
        """The changes of access that dashboard.services records. The actions on bookings
        (bookings.rules.Action) share the `action` column, which is why it has no choices."""

        GRANT = "grant", "Grant access"
        REGRANT = "regrant", "Change role"
        REVOKE = "revoke", "Revoke access"
        STAFF_ADD = "staff_add", "Add staff"
        STAFF_REMOVE = "staff_remove", "Remove staff"
        MEMBER_ADD = "member_add", "Add group member"
        CONNECT = "connect", "Connect"
        DISCONNECT = "disconnect", "Disconnect"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text too, so the log still reads right after a user or account is deleted.
    username = models.CharField(max_length=150)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, related_name="audit_entries"
    )
    account_nickname = models.CharField(max_length=100)
    # Set on changes of access: staff entries have no account, and a disconnected account's
    # entry outlives it; the agency's export finds both through it.
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(max_length=20)
    target = models.CharField(max_length=200, help_text="what was acted on, in words")
    inputs = models.JSONField(default=dict, blank=True)
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["account", "-at"], name="audit_by_account")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.target}: {self.outcome}"


class Preferences(models.Model):
    """A user's alerts, wording and calendar feed. Alerts are opt-in; made when first saved."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    alert_in_page = models.BooleanField(
        "Show alerts in the open dashboard",
        default=False,
        help_text="A message in the page for a new request and when 30 minutes are left.",
    )
    alert_browser = models.BooleanField(
        "Browser notifications",
        default=False,
        help_text="A notification from your browser while a dashboard tab is open.",
    )
    alert_push = models.BooleanField(
        "Push notifications",
        default=False,
        help_text="A notification on your phone or computer even when no dashboard tab is open. "
        "Turn it on here, then on each device under “Push notifications on this device”.",
    )
    alert_email = models.BooleanField(
        "Email",
        default=False,
        help_text="An email for a new request and when 30 minutes are left to accept.",
    )
    discreet = models.BooleanField(
        "Discreet wording",
        default=False,
        help_text='Titles, notifications, emails and the calendar say only "New request" or '
        '"Session": no nicknames, services or credits.',
    )
    # The secret of the user's calendar feed link; blank when no link is issued.
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    @property
    def any_alert(self) -> bool:
        return self.alert_in_page or self.alert_browser or self.alert_email or self.alert_push


def preferences_of(user) -> Preferences:
    """The user's preferences, or unsaved defaults (every alert off) for a user who has none."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)
