"""A sync of an account with a long history costs about the same as one of a new account: it
reads each list down to the oldest booking that can still change, re-reads open bookings the
pages did not show, and leaves what it did not change alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Direction, Service, Status
from bookings.rules import Action, allowed_actions
from bookings.sync import LISTS, NEWEST_FIRST, changeable, sync_account, upsert_bookings
from dashboard.adultwork import adultwork_api, fresh_access_token
from tests.conftest import connect

HISTORY_PER_LIST = 200
HISTORY_AGE = timedelta(days=200)
LIST_PATHS = {
    "/v1/Webcam/ReceivedBookings",
    "/v1/Webcam/MadeBookings",
    "/v1/PhoneChat/ReceivedBookings",
    "/v1/PhoneChat/MadeBookings",
}


@pytest.fixture
def performer(sandbox, sandbox_users, owner, settings):
    """IvyBlaze with the demo's few open bookings over a history of many pages per list, all
    stored by a first sync."""
    settings.ADULTWORK_PAGE_SIZE = 40
    user = sandbox_users["IvyBlaze"]
    # Generated as of 200 days ago: today every one of them is long finished or long expired.
    sandbox.set_clock(now=timezone.now() - HISTORY_AGE)
    for service, direction in LISTS:
        sandbox.generate(
            user_id=user["UserID"], service=service, direction=direction, count=HISTORY_PER_LIST
        )
    sandbox.set_clock()
    account = connect(sandbox, user=owner, sandbox_user=user)
    first = sync_account(account=account)
    assert first.pages_read >= 4 * HISTORY_PER_LIST // settings.ADULTWORK_PAGE_SIZE
    sandbox.clear_requests()
    return account


def api_calls(sandbox, *, ending: str = "") -> list[dict]:
    return [
        r for r in sandbox.requests() if r["path"].startswith("/v1/") and r["path"].endswith(ending)
    ]


def list_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"] in LIST_PATHS]


def read_page(account, service: str, direction: str):
    asked_at = timezone.now()
    with adultwork_api(fresh_access_token(account)) as api:
        page = api.list_bookings(
            service=service, direction=direction, per_page=100, order_by=NEWEST_FIRST[service]
        )
    return page, asked_at


def delete_elsewhere(account, booking: Booking) -> None:
    """Deleted on AdultWork by another app: the local copy is not told."""
    with adultwork_api(fresh_access_token(account)) as api:
        [answer] = api.delete(
            service=booking.service, direction=booking.direction, booking_ids=[booking.remote_id]
        )
    assert answer.deleted, answer.message


def open_request(account) -> Booking:
    return (
        Booking.objects.filter(
            changeable(timezone.now()),
            account=account,
            service=Service.WEBCAM,
            direction=Direction.RECEIVED,
            status=Status.PENDING,
        )
        .order_by("pk")
        .first()
    )


def finished(account) -> Booking:
    """A recent booking that can no longer change: only a full sync reads it again."""
    now = timezone.now()
    return next(
        b
        for b in Booking.objects.filter(
            account=account, service=Service.WEBCAM, direction=Direction.RECEIVED
        )
        .exclude(changeable(now))
        .order_by("-created_at")
        if Action.DELETE in allowed_actions(b, now)
    )


def changes(account) -> dict[int, object]:
    return dict(Booking.all_objects.filter(account=account).values_list("pk", "changed_at"))


# --- bounded ----------------------------------------------------------------------------------


def test_a_second_sync_of_a_long_history_stores_one_page_per_list(performer):
    run = sync_account(account=performer)
    assert run.ok
    assert (run.pages_read, run.details_read) == (4, 0)


def test_a_second_sync_of_a_long_history_asks_adultwork_for_one_page_per_list(performer, sandbox):
    sync_account(account=performer)
    asked = sorted((r["path"], r["query"].get("PageNumber")) for r in api_calls(sandbox))
    assert asked == sorted((path, "1") for path in LIST_PATHS)


def test_bookings_left_pending_or_accepted_long_ago_do_not_hold_the_horizon_in_history(
    performer, sandbox, settings
):
    oldest = (
        Booking.objects.filter(
            account=performer, service=Service.WEBCAM, direction=Direction.RECEIVED
        )
        .order_by("created_at")
        .first()
    )
    # The oldest booking of all reads Accepted still: its session passed 200 days ago.
    sandbox.patch_booking(service="webcam", booking_id=oldest.remote_id, Status="Accepted")
    sync_account(account=performer, full=True)
    stale = Booking.objects.filter(
        account=performer,
        status__in=(Status.PENDING, Status.ACCEPTED),
        session_at__lt=timezone.now() - HISTORY_AGE + timedelta(days=1),
    )
    assert stale.filter(pk=oldest.pk, status=Status.ACCEPTED).exists()
    assert stale.filter(status=Status.PENDING).exists()
    sandbox.clear_requests()

    run = sync_account(account=performer)

    assert run.pages_read == 4
    assert len(list_calls(sandbox)) < 4 * HISTORY_PER_LIST // settings.ADULTWORK_PAGE_SIZE


def test_a_request_whose_accept_by_passed_within_the_grace_window_still_holds_the_horizon(
    performer, sandbox, settings
):
    # One generated booking, deep in history, now reads as a request that expired a moment
    # ago: AdultWork may still be catching up with it, so the sync reads down to it.
    moment_ago = timezone.now() - timedelta(seconds=settings.SYNC_GRACE_SECONDS // 2)
    deep = (
        Booking.objects.filter(
            account=performer, service=Service.WEBCAM, direction=Direction.RECEIVED
        )
        .order_by("created_at")
        .first()
    )
    Booking.objects.filter(pk=deep.pk).update(
        status=Status.PENDING, accept_by=moment_ago, session_at=moment_ago - timedelta(hours=1)
    )
    run = sync_account(account=performer)
    assert run.pages_read > 4
    assert run.details_read == 0


# --- open bookings the pages do not show -------------------------------------------------------


def test_an_open_booking_the_pages_no_longer_show_is_read_by_its_details_call(performer, sandbox):
    booking = open_request(performer)
    # Moved out of the newest pages (AdultWork's dates are its own), and cancelled meanwhile.
    sandbox.patch_booking(
        service="webcam",
        booking_id=booking.remote_id,
        Status="Cancelled",
        CreateDate=timezone.now() - HISTORY_AGE - timedelta(days=30),
    )

    run = sync_account(account=performer)

    assert run.details_read == 1
    [details] = api_calls(sandbox, ending="BookingDetails")
    assert details["query"]["BookingID"] == str(booking.remote_id)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert booking.gone_at is None


def test_an_open_booking_adultwork_no_longer_knows_is_marked_gone(performer, sandbox):
    booking = open_request(performer)
    # Gone from AdultWork for this account: cancelled, deleted there, then the record restored
    # as it was; lists and details alike answer as if it never existed.
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Cancelled")
    delete_elsewhere(performer, booking)
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Pending")

    run = sync_account(account=performer)

    assert run.details_read == 1
    assert not Booking.objects.filter(pk=booking.pk).exists()
    gone = Booking.all_objects.get(pk=booking.pk)
    assert gone.gone_at is not None
    assert gone.status == Status.PENDING  # kept as it was last known, for the audit


# --- gone stays gone ---------------------------------------------------------------------------


def test_a_full_sync_marks_a_booking_adultwork_no_longer_returns_as_gone(performer, owner, client):
    booking = finished(performer)
    delete_elsewhere(performer, booking)

    run = sync_account(account=performer, full=True)

    assert run.ok
    assert not Booking.objects.filter(pk=booking.pk).exists()
    assert Booking.all_objects.get(pk=booking.pk).gone_at is not None
    client.force_login(owner)
    page = client.get(reverse("bookings:list", args=["webcam", "received"]))
    assert page.status_code == 200
    assert f'id="booking-{booking.pk}"' not in page.text


def test_a_booking_a_full_sync_missed_on_its_pages_but_adultwork_still_has_stays(
    performer, sandbox, monkeypatch
):
    # A booking deleted while the pages are read shifts the rest up one, so that one of them
    # is on no page read; the sandbox cannot delete between two page reads of one sync, so
    # the pages are made to miss it here.
    import bookings.sync

    booking = finished(performer)
    store = bookings.sync.upsert_answers

    def upsert_without_it(*, account, answers):
        # Pages lose it; the details call, one record alone, still stores it.
        answers = [
            ([r for r in records if r.remote_id != booking.remote_id or len(records) == 1], at)
            for records, at in answers
        ]
        return store(account=account, answers=answers)

    monkeypatch.setattr(bookings.sync, "upsert_answers", upsert_without_it)
    sandbox.clear_requests()

    run = sync_account(account=performer, full=True)

    assert run.details_read == 1
    assert [c["query"].get("BookingID") for c in api_calls(sandbox, ending="Details")] == [
        str(booking.remote_id)
    ]
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_a_normal_sync_does_not_mark_what_it_did_not_read_as_gone(performer):
    run = sync_account(account=performer)
    assert run.pages_read == 4
    assert not Booking.all_objects.filter(account=performer, gone_at__isnull=False).exists()


def test_a_gone_booking_stays_gone_through_later_syncs_and_stale_pages(performer, sandbox):
    booking = finished(performer)
    stale, asked_at = read_page(performer, booking.service, booking.direction)
    assert booking.remote_id in {b.remote_id for b in stale.bookings}
    delete_elsewhere(performer, booking)
    sync_account(account=performer, full=True)
    gone = Booking.all_objects.filter(pk=booking.pk).values().get()

    sync_account(account=performer)
    sync_account(account=performer, full=True)
    # The page read before it went, stored late; then the same page as if a lagging server
    # still listed it after the booking went.
    upsert_bookings(account=performer, records=stale.bookings, known_as_of=asked_at)
    upsert_bookings(account=performer, records=stale.bookings, known_as_of=timezone.now())

    assert not Booking.objects.filter(pk=booking.pk).exists()
    assert Booking.all_objects.filter(pk=booking.pk).values().get() == gone


# --- changed_at moves only with a change -------------------------------------------------------


def test_a_sync_that_brings_nothing_new_leaves_changed_at_alone(performer):
    before = changes(performer)
    sync_account(account=performer)
    sync_account(account=performer, full=True)
    assert changes(performer) == before


def test_a_remote_change_moves_changed_at_of_that_booking_only(performer, sandbox):
    booking = open_request(performer)
    before = changes(performer)
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Cancelled")

    run = sync_account(account=performer)

    after = changes(performer)
    assert after[booking.pk] > before[booking.pk]
    assert after[booking.pk] >= run.started_at
    assert {pk: at for pk, at in after.items() if pk != booking.pk} == {
        pk: at for pk, at in before.items() if pk != booking.pk
    }
