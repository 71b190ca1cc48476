import json
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from dashboard.models import Account


class Service(models.TextChoices):
    WEBCAM = "webcam", "Webcam"
    PHONECHAT = "phonechat", "PhoneChat"


class Direction(models.TextChoices):
    RECEIVED = "received", "Received"
    MADE = "made", "Made"


class Status(models.TextChoices):
    PENDING = "Pending", "Pending"
    ACCEPTED = "Accepted", "Accepted"
    REJECTED = "Rejected", "Rejected"
    CONFIRMED = "Confirmed", "Confirmed"
    CANCELLED = "Cancelled", "Cancelled"


FINISHED_STATUSES = (Status.REJECTED, Status.CONFIRMED, Status.CANCELLED)


class PhoneChatMethod(models.IntegerChoices):
    """How a PhoneChat session is held: AdultWork's `Method` 1, 2 or 3."""

    PERFORMER_CALLS = 1, "The performer calls the client"
    CLIENT_CALLS = 2, "The client calls the performer"
    SKYPE = 3, "Skype"


# The method in the words of the performer whose list the booking is on: the performer on a
# received booking, the client on a made one.
METHOD_WORDS: dict[tuple[int | None, str], str] = {
    (PhoneChatMethod.PERFORMER_CALLS, Direction.RECEIVED): "You call the client",
    (PhoneChatMethod.PERFORMER_CALLS, Direction.MADE): "You are called",
    (PhoneChatMethod.CLIENT_CALLS, Direction.RECEIVED): "The client calls you",
    (PhoneChatMethod.CLIENT_CALLS, Direction.MADE): "You call",
    (PhoneChatMethod.SKYPE, Direction.RECEIVED): "Skype",
    (PhoneChatMethod.SKYPE, Direction.MADE): "Skype",
}


class RawPayloadEncoder(json.JSONEncoder):
    """Writes the Decimals the gateway parsed back as JSON numbers, as the API sent them.

    A float's shortest repr gives back the same digits for the API's four-decimal amounts, so
    the stored payload reads as the original did; the typed `credits` column stays exact.
    """

    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


class PayloadField(models.TextField):
    """AdultWork's payload of a booking, kept whole as the API notes ask: a dict here, its
    JSON text in the database.

    Text, not jsonb: nothing queries inside it, and the sync's upsert only compares it whole
    to tell whether a booking changed. Building jsonb from the text cost PostgreSQL more than
    everything else of storing a page (0.20 of 0.30 s for 10,000 bookings).
    """

    encoder = RawPayloadEncoder(separators=(",", ":"), ensure_ascii=False)

    def from_db_value(self, value, expression, connection) -> dict | None:
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value) -> str | None:
        return None if value is None else self.encoder.encode(value)

    def value_to_string(self, obj) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""


class PresentManager(models.Manager["Booking"]):
    """Bookings still on AdultWork: what every list, action and alert reads."""

    def get_queryset(self) -> models.QuerySet["Booking"]:
        return super().get_queryset().filter(gone_at__isnull=True)


def credits_text(amount) -> str:
    """Credits with their meaningful decimals only: 10, 8.5, 7.25."""
    if amount is None:
        return ""
    text = f"{amount:.4f}".rstrip("0").rstrip(".")
    return text or "0"


class Booking(models.Model):
    """The local copy of one AdultWork booking, as one account sees it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bookings")
    service = models.CharField(max_length=10, choices=Service.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    remote_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    duration_minutes = models.PositiveIntegerField()
    credits = models.DecimalField(max_digits=12, decimal_places=4)

    created_at = models.DateTimeField(null=True, blank=True)
    session_at = models.DateTimeField(null=True, blank=True)
    accept_by = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    cancelled_by = models.CharField(max_length=100, blank=True)
    rejected_reason = models.TextField(blank=True)

    # Webcam only.
    is_multiple = models.BooleanField(null=True)
    software_type = models.PositiveSmallIntegerField(null=True, blank=True)
    sign_in_name_or_email = models.CharField(max_length=200, blank=True)
    also_phonechat = models.BooleanField(null=True)
    # PhoneChat only.
    method = models.PositiveSmallIntegerField(null=True, blank=True)
    phone_number = models.CharField(max_length=50, blank=True)
    skype_name = models.CharField(max_length=100, blank=True)
    comments = models.TextField(blank=True)
    action_needed = models.CharField(max_length=300, blank=True)

    # The other party: the client on received bookings, the performer on made ones.
    party_user_id = models.PositiveBigIntegerField(null=True, blank=True)
    party_nickname = models.CharField(max_length=100, blank=True)
    party_last_accessed_from = models.CharField(max_length=100, blank=True)
    party_sign_in_name_or_email = models.CharField(max_length=200, blank=True)
    party_phone_number = models.CharField(max_length=50, blank=True)
    party_skype_name = models.CharField(max_length=100, blank=True)
    feedback_total = models.IntegerField(default=0)
    feedback_positive = models.IntegerField(default=0)
    feedback_neutral = models.IntegerField(default=0)
    feedback_negative = models.IntegerField(default=0)
    feedback_ratings = models.IntegerField(default=0)
    feedback_disputes = models.IntegerField(default=0)

    raw = PayloadField(default=dict)
    # When a sync last had this booking in an answer (a page or a details call).
    last_seen_at = models.DateTimeField(default=timezone.now)
    # When what this row says was last known to be true on AdultWork: the moment the page
    # holding it was asked for, or the moment an action's answer came back. A sync stores a
    # page only over rows known as of an earlier moment, so it never undoes an action.
    known_as_of = models.DateTimeField(null=True, blank=True)
    # When what the lists show of this booking last changed; live pages poll for it.
    changed_at = models.DateTimeField(default=timezone.now)
    # Deleted, or no longer returned by AdultWork: hidden from the lists, kept for the audit,
    # and never brought back by a sync.
    gone_at = models.DateTimeField(null=True, blank=True)
    # Set while an action on this booking is with AdultWork, so that a second tap or a second
    # device cannot send it twice; a claim older than ACTION_CLAIM_SECONDS is abandoned.
    action_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = PresentManager()
    # Gone bookings too: for the sync, the purge and the audit.
    all_objects = models.Manager()  # noqa: DJ012 (a manager, which ruff takes for a field)

    class Meta:
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "service", "remote_id"], name="one_row_per_remote_booking"
            )
        ]
        indexes = [
            # The four lists: one account set, one service and direction, sorted by a date.
            models.Index(
                fields=["service", "direction", "account", "session_at"], name="list_by_session"
            ),
            models.Index(
                fields=["service", "direction", "account", "accept_by"], name="list_by_accept_by"
            ),
            models.Index(
                fields=["service", "direction", "status", "session_at"],
                name="list_status_session",
            ),
            # The inbox: pending received bookings across accounts, soonest deadline first.
            models.Index(fields=["direction", "status", "accept_by"], name="inbox"),
            # A live page asks for the newest change among its accounts' bookings.
            models.Index(fields=["account", "changed_at"], name="latest_change"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} booking {self.remote_id} ({self.status})"

    @property
    def session_end(self) -> datetime | None:
        """When the session is over: it takes [session_at, session_end)."""
        if self.session_at is None:
            return None
        return self.session_at + timedelta(minutes=self.duration_minutes)

    @property
    def method_text(self) -> str:
        """Who calls whom on a PhoneChat booking, in the words of METHOD_WORDS; empty for a
        method AdultWork has not documented."""
        return METHOD_WORDS.get((self.method, self.direction), "")

    def mark_gone(self, *, at: datetime) -> None:
        """No longer on AdultWork (deleted, or not found): hidden from every list, kept for the
        audit log, and known as of `at`, so that no page read earlier brings it back."""
        Booking.all_objects.filter(pk=self.pk).update(gone_at=at, known_as_of=at, changed_at=at)
        self.gone_at = self.known_as_of = self.changed_at = at


class SyncRun(models.Model):
    """One sync of one account: when, how many, and what went wrong."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sync_runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    # A full sync reads every page and marks what AdultWork no longer returns as gone.
    full = models.BooleanField(default=False)
    bookings_seen = models.PositiveIntegerField(default=0)
    pages_read = models.PositiveIntegerField(default=0)
    # Open bookings the pages did not show, read one by one.
    details_read = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-started_at"], name="latest_sync")]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"sync of {self.account_id} at {self.started_at:%Y-%m-%d %H:%M}"


class ReasonTemplate(models.Model):
    """A reason an account gives often, to pick in one tap when rejecting or cancelling."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reason_templates")
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["account", "text"], name="one_template_per_text")
        ]

    def __str__(self) -> str:
        return self.text


class SyncState(models.Model):
    """How an account's sync stands: when it is due, whether one is queued or running, and
    what went wrong last. One row per account, made when it is first needed."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="sync_state"
    )
    # Null: due now.
    next_sync_at = models.DateTimeField(null=True, blank=True)
    # Set while a sync of this account waits in the queue or runs: at most one at a time.
    queued_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker syncs this account; a second worker skips it.
    running_since = models.DateTimeField(null=True, blank=True)
    # Failures in a row, for the back-off; zero after a good sync.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_sync_at"], name="sync_due")]

    def __str__(self) -> str:
        return f"sync state of {self.account_id}"


class Alert(models.Model):
    """One alert to one user about one booking, on one channel: the unique constraint makes
    each be sent at most once, whatever the number of workers or syncs."""

    class Kind(models.TextChoices):
        NEW_REQUEST = "new_request", "New request"
        DEADLINE_SOON = "deadline_soon", "30 minutes left to accept"

    class Channel(models.TextChoices):
        PAGE = "page", "In the page"
        EMAIL = "email", "Email"
        PUSH = "push", "Push notification"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Page alerts: when an open page took it; email: when it was sent.
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "booking", "kind", "channel"], name="one_alert_per_kind"
            )
        ]
        indexes = [
            models.Index(fields=["user", "channel", "delivered_at"], name="undelivered_alerts")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id} on {self.booking_id} by {self.channel}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription: where its push service takes messages for it, and the
    keys they are encrypted to. One row per browser (the endpoint), owned by whoever signed in
    and turned push on there last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    # The browser's P-256 public key and auth secret, base64url, as PushSubscription.toJSON().
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # When the push service last refused a message for another reason than "gone", and why.
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.user_id}"

    def as_subscription_info(self) -> dict:
        """What pywebpush takes: the browser's PushSubscription as JSON."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
