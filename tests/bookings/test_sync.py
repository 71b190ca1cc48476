from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bookings.models import Booking, Direction, Service, SyncRun
from bookings.sync import SyncFailed, is_stale, sync_account
from bookings.templatetags import bookings_tags
from tests.conftest import connect

# Columns that a sync refreshes on every run by design; `changed_at` is not among them: it
# moves only when what AdultWork says changes.
VOLATILE = {"id", "last_seen_at", "known_as_of"}


def snapshot() -> list[dict]:
    fields = [f.attname for f in Booking._meta.concrete_fields if f.attname not in VOLATILE]
    return list(Booking.objects.order_by("account_id", "service", "remote_id").values(*fields))


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    nickname = next(
        name for name, user in sandbox_users.items() if user.get("Role", "performer") == "performer"
    )
    return connect(sandbox, user=owner, sandbox_user=sandbox_users[nickname])


def test_sync_fills_all_four_lists_from_the_sandbox(performer):
    run = sync_account(account=performer)
    assert run.ok
    assert run.bookings_seen == Booking.objects.count() > 0
    lists = set(Booking.objects.values_list("service", "direction").distinct())
    assert lists == {(s, d) for s in Service.values for d in Direction.values}


def test_synced_rows_keep_the_other_party_and_the_raw_payload(performer):
    sync_account(account=performer)
    booking = Booking.objects.filter(service=Service.WEBCAM, direction=Direction.RECEIVED).first()
    assert booking.party_nickname
    assert booking.raw["WebcamBookingID"] == booking.remote_id
    assert "Client" in booking.raw
    assert booking.session_at.tzinfo is not None


def test_a_second_run_leaves_the_same_rows(performer):
    sync_account(account=performer)
    first = snapshot()
    sync_account(account=performer, full=True)
    assert snapshot() == first


def test_a_failing_page_names_account_and_page_and_keeps_every_row(performer, sandbox, settings):
    settings.ADULTWORK_PAGE_SIZE = 5
    sync_account(account=performer)
    before = snapshot()
    sandbox.add_fault(
        path="/v1/Webcam/ReceivedBookings",
        kind="status",
        status=500,
        times=None,
        query={"PageNumber": "2"},
    )
    with pytest.raises(SyncFailed) as failure:
        sync_account(account=performer, full=True)
    assert performer.nickname in str(failure.value)
    assert "Webcam received bookings, page 2" in str(failure.value)
    assert snapshot() == before
    last = SyncRun.objects.latest()
    assert not last.ok
    assert "page 2" in last.error


def test_a_later_sync_stops_once_past_the_oldest_open_booking(performer, sandbox, settings):
    settings.ADULTWORK_PAGE_SIZE = 5
    sync_account(account=performer)
    pages_first = SyncRun.objects.latest().pages_read
    sync_account(account=performer)
    assert SyncRun.objects.latest().pages_read < pages_first


def test_a_status_changed_remotely_reaches_the_local_copy(performer, sandbox):
    sync_account(account=performer)
    booking = Booking.objects.filter(
        service=Service.WEBCAM, direction=Direction.RECEIVED, status="Pending"
    ).first()
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Cancelled")
    sync_account(account=performer)
    booking.refresh_from_db()
    assert booking.status == "Cancelled"


def test_the_command_syncs_every_account_and_reports_counts(performer, capsys):
    call_command("sync_bookings")
    assert f"{performer.nickname}:" in capsys.readouterr().out
    assert Booking.objects.filter(account=performer).exists()


def test_the_command_exits_non_zero_with_a_clear_message_when_page_2_fails(
    performer, sandbox, settings, capsys
):
    settings.ADULTWORK_PAGE_SIZE = 5
    call_command("sync_bookings")
    before = snapshot()
    sandbox.add_fault(
        path="/v1/PhoneChat/ReceivedBookings",
        kind="status",
        status=503,
        times=None,
        query={"PageNumber": "2"},
    )
    with pytest.raises(CommandError, match="the bookings already stored are kept"):
        call_command("sync_bookings", account=performer.pk, full=True)
    assert "PhoneChat received bookings, page 2" in capsys.readouterr().err
    assert snapshot() == before


def test_the_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No connected account"):
        call_command("sync_bookings", account=424242)


def test_the_command_refuses_an_account_with_no_connection(db):
    from tests.factories import AccountFactory

    unconnected = AccountFactory()
    with pytest.raises(CommandError, match="No connected account"):
        call_command("sync_bookings", account=unconnected.pk)


def test_a_sync_leaves_the_claim_of_an_action_in_flight_alone(performer):
    from django.utils import timezone

    sync_account(account=performer)
    booking = Booking.objects.filter(account=performer).first()
    claimed_at = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(action_claimed_at=claimed_at)
    sync_account(account=performer, full=True)
    booking.refresh_from_db()
    assert booking.action_claimed_at == claimed_at


def test_the_upsert_sends_each_value_as_the_models_fields_would(performer):
    from django.db import connection

    from bookings.sync import _UPSERT_COLUMNS, _rows, booking_fields
    from dashboard.adultwork import call_with_token

    page = call_with_token(
        performer,
        lambda api: api.list_bookings(service="phonechat", direction="received", page=1),
    )
    known = timezone.now()
    rows = _rows(connection, account=performer, answers=[(page.bookings, known)])
    assert len(rows) == len(page.bookings) > 0
    for record, fast in zip(page.bookings, rows, strict=True):
        values = {
            "account": performer.pk,
            "service": record.service,
            "direction": record.direction,
            "remote_id": record.remote_id,
            "last_seen_at": known,
            "known_as_of": known,
            "changed_at": known,
            **booking_fields(record),
        }
        django = [f.get_db_prep_save(values[f.name], connection) for f in _UPSERT_COLUMNS]
        assert [str(v) for v in fast] == [str(v) for v in django]


# --- when the copy is out of date ---------------------------------------------------------------


def test_a_copy_is_stale_only_once_more_than_three_long_intervals_have_passed(settings):
    settings.SYNC_INTERVAL_LONG_SECONDS = 600
    now = timezone.now()
    three = timedelta(seconds=3 * 600)
    assert not is_stale(now, now=now)
    assert not is_stale(now - three, now=now)
    assert is_stale(now - three - timedelta(microseconds=1), now=now)


def test_a_copy_never_synced_is_not_stale_but_not_synced_yet():
    assert not is_stale(None, now=timezone.now())


def test_the_pages_mark_a_stale_copy_by_the_same_rule(settings):
    settings.SYNC_INTERVAL_LONG_SECONDS = 600
    assert bookings_tags.is_stale(timezone.now() - timedelta(seconds=1801))
    assert not bookings_tags.is_stale(timezone.now() - timedelta(seconds=1790))
    assert not bookings_tags.is_stale(None)
