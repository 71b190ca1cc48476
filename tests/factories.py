from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.models import Booking, Direction, Service, Status
from dashboard.models import Account, AuditEntry, Connection, Grant


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    owner = factory.SubFactory(UserFactory)
    remote_user_id = factory.Sequence(lambda n: 900_000 + n)
    nickname = factory.Sequence(lambda n: f"Performer{n}")


class ConnectionFactory(factory.django.DjangoModelFactory):
    """Tokens that no server knows: for tests that must never reach AdultWork."""

    class Meta:
        model = Connection
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    access_token_ciphertext = ""
    refresh_token_ciphertext = ""
    access_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))

    @factory.post_generation
    def tokens(self, create, extracted, **kwargs):
        self.store_tokens(
            access_token="unknown-access-token",
            refresh_token="unknown-refresh-token",
            expires_in=3600,
            now=timezone.now(),
        )
        if create:
            self.save()


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Grant.Role.OPERATOR


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """A staff member's reject of one booking, as the audit log records it."""

    class Meta:
        model = AuditEntry

    account = factory.SubFactory(AccountFactory)
    username = "staff"
    account_nickname = factory.SelfAttribute("account.nickname")
    action = "reject"
    target = "Webcam received booking 7 with Client"
    outcome = "done"
    inputs = factory.LazyFunction(lambda: {"reason": "Busy"})
    message = "Rejected."


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    account = factory.SubFactory(AccountFactory)
    service = Service.WEBCAM
    direction = Direction.RECEIVED
    remote_id = factory.Sequence(lambda n: 1_000 + n)
    status = Status.PENDING
    duration_minutes = 15
    credits = Decimal("10.0000")
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    session_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=5))
    accept_by = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2, minutes=10))
    party_user_id = factory.Sequence(lambda n: 500_000 + n)
    party_nickname = factory.Sequence(lambda n: f"Client{n}")
