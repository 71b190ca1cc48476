"""An action never holds a web request longer than ACTION_BUDGET_SECONDS: each call to
AdultWork waits at most what is left, the re-read after a timeout is one GET (not tried
again) within what is left, and a call with no time left is not sent."""

import time
from decimal import Decimal

from bookings.rules import Action
from bookings.services import booking_act
from dashboard.models import AuditEntry
from tests.bookings.test_action_view import act, bookable, details_reads, posts, toast


def test_an_action_adultwork_never_answers_ends_with_the_budget_outcome_unknown(
    client, owner, performer, sandbox, settings
):
    settings.ACTION_BUDGET_SECONDS = 1
    settings.ADULTWORK_TIMEOUT = 10
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="timeout", delay=5)
    client.force_login(owner)

    started = time.monotonic()
    response = act(client, booking, "accept", {"credits": "10"})
    took = time.monotonic() - started

    # Without the budget the POST alone waits ADULTWORK_TIMEOUT; the hang lasts 5 s.
    assert took < 5
    assert toast(response)["level"] == "warning"
    assert "could not be read again" in toast(response)["message"]
    assert len(posts(sandbox)) == 1
    assert details_reads(sandbox) == []  # no time was left for it: not sent
    assert AuditEntry.objects.get().outcome == "unknown"


def test_the_reread_after_a_timeout_is_one_get_within_what_is_left(
    owner, performer, sandbox, settings
):
    settings.ACTION_BUDGET_SECONDS = 3
    settings.ADULTWORK_TIMEOUT = 1
    settings.ADULTWORK_GET_RETRIES = 2  # what production does outside a web request
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="timeout", delay=5)
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookingDetails", kind="timeout", delay=5, times=None)

    result = booking_act(booking=booking, user=owner, action=Action.ACCEPT, credits=Decimal(10))

    assert result.outcome == "unknown"
    assert len(details_reads(sandbox)) == 1


def test_an_action_with_no_time_left_sends_nothing_and_says_so(owner, performer, sandbox, settings):
    settings.ACTION_BUDGET_SECONDS = 0
    booking = bookable(performer, "reject", "webcam", "received")

    result = booking_act(booking=booking, user=owner, action=Action.REJECT, reason="No")

    assert result.outcome == "failed"
    assert "nothing was sent" in result.message
    assert sandbox.requests() == []
    booking.refresh_from_db()
    assert booking.status == "Pending"
