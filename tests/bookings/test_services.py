"""bookings/services.py: one action and a bulk delete take a booking the same way: claim it,
re-read its row if it changed since it was read, ask the rules of that row. What the views
add on top is in test_action_view.py; what the audit keeps, in test_action_audit.py."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking, Status
from bookings.rules import Action, allowed_actions
from bookings.services import BUSY, booking_act, bookings_delete
from dashboard.models import AuditEntry


def finished(account, count: int) -> list[Booking]:
    now = timezone.now()
    rows = Booking.objects.filter(account=account, service="webcam", direction="received")
    return [b for b in rows if Action.DELETE in allowed_actions(b, now)][:count]


def rejectable(account) -> Booking:
    now = timezone.now()
    rows = Booking.objects.filter(account=account, service="webcam", direction="received")
    return next(b for b in rows if Action.REJECT in allowed_actions(b, now))


def held_by_another_request(booking: Booking) -> None:
    Booking.objects.filter(pk=booking.pk).update(action_claimed_at=timezone.now())


def stored_by_a_sync(booking: Booking, **fields) -> None:
    """What a sync's upsert does to a row whose page it stores: new data, known as of the
    moment the page was asked for."""
    Booking.objects.filter(pk=booking.pk).update(known_as_of=timezone.now(), **fields)


def posts(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].startswith("/v1")]


def test_a_booking_another_request_holds_is_busy_and_its_claim_left_alone(
    owner, performer, sandbox
):
    booking = rejectable(performer)
    held_by_another_request(booking)

    result = booking_act(booking=booking, user=owner, action=Action.REJECT, reason="Away")

    assert (result.outcome, result.message) == ("refused", BUSY)
    assert Booking.objects.get(pk=booking.pk).action_claimed_at is not None
    assert posts(sandbox) == []


def test_in_a_bulk_delete_a_held_booking_is_busy_and_the_others_are_deleted(
    owner, performer, sandbox
):
    held, free = finished(performer, 2)
    held_by_another_request(held)

    busy, done = bookings_delete(bookings=[held, free], user=owner)

    assert (busy.outcome, busy.message) == ("refused", BUSY)
    assert done.ok
    assert Booking.objects.get(pk=held.pk).action_claimed_at is not None
    assert sorted(AuditEntry.objects.values_list("outcome", flat=True)) == ["done", "refused"]


def test_the_rules_are_asked_of_the_row_as_it_stands_once_claimed(owner, performer, sandbox):
    # Read for the tap, then changed by a sync before the claim: the rules see the change.
    booking = rejectable(performer)
    stored_by_a_sync(booking, status=Status.CANCELLED)

    result = booking_act(booking=booking, user=owner, action=Action.REJECT, reason="Away")

    assert result.outcome == "refused"
    assert "cancelled" in result.message.lower()
    assert Booking.objects.get(pk=booking.pk).action_claimed_at is None
    assert posts(sandbox) == []


def test_a_bulk_delete_asks_the_rules_of_each_row_as_it_stands_once_claimed(
    owner, performer, sandbox
):
    changed, unchanged = finished(performer, 2)
    stored_by_a_sync(changed, status=Status.PENDING)

    refused, done = bookings_delete(bookings=[changed, unchanged], user=owner)

    assert refused.outcome == "refused"
    assert done.ok
    assert not Booking.objects.filter(
        pk__in=[changed.pk, unchanged.pk], action_claimed_at__isnull=False
    ).exists()


def test_a_row_the_claim_finds_as_it_was_read_is_not_read_again(owner, performer, sandbox):
    booking = rejectable(performer)

    with CaptureQueriesContext(connection) as queries:
        result = booking_act(booking=booking, user=owner, action=Action.REJECT, reason="Away")

    assert result.ok
    table = Booking._meta.db_table
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]
    assert reads == []
