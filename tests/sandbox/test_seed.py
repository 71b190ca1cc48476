"""The demo world: stable people, and bookings of every kind placed relative to now."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.models import Role, Service, Status
from sandbox.seed import build_bookings, demo_users

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def _world(now=NOW):
    users = {user.user_id: user for user in demo_users()}
    return users, build_bookings("demo", users, now)


def _fields(bookings):
    return [
        (b.service, b.booking_id, b.client_id, b.performer_id, b.status, b.create_date,
         b.session_date, b.accept_by, b.credits, b.cancelled_reason, b.rejected_reason)
        for b in bookings
    ]  # fmt: skip


def test_the_same_moment_builds_the_same_world():
    assert _fields(_world()[1]) == _fields(_world()[1])


def test_a_later_moment_moves_every_time_by_the_same_amount():
    later = NOW + timedelta(days=3)
    before, after = _world()[1], _world(later)[1]
    assert [b.create_date + timedelta(days=3) for b in before] == [b.create_date for b in after]
    assert [b.booking_id for b in before] == [b.booking_id for b in after]


def test_every_time_is_a_whole_minute_even_when_now_is_not():
    _, bookings = _world(NOW + timedelta(seconds=42, microseconds=5))
    for booking in bookings:
        for moment in (booking.create_date, booking.session_date, booking.accept_by):
            assert (moment.second, moment.microsecond) == (0, 0)


def test_no_recorded_event_lies_in_the_future():
    _, bookings = _world()
    for b in bookings:
        for moment in (b.create_date, b.accepted_date, b.confirmed_date, b.cancelled_date):
            assert moment is None or moment <= NOW
        assert b.create_date < b.session_date
        assert b.last_updated is None or b.last_updated <= NOW


def test_the_agency_has_three_performers_and_a_manager_in_group_501():
    users = demo_users()
    group = [u for u in users if u.group_id == 501]
    assert {u.group_name for u in group} == {"Velvet Rooms"}
    assert sum(u.role is Role.PERFORMER for u in group) == 3
    [manager] = [u for u in users if u.is_group_manager]
    assert manager.group_id == 501
    independent = [u for u in users if u.role is Role.PERFORMER and u.group_id is None]
    assert len(independent) == 1


def test_user_ids_and_passwords_are_stable():
    users = {u.nickname: u for u in demo_users()}
    assert users["ScarlettRose"].user_id == 1001
    assert users["IvyBlaze"].user_id == 1004
    assert users["BookingUser"].password == "bookinguser"


def test_there_are_at_least_five_clients_with_varied_feedback_and_one_short_of_credits():
    clients = [u for u in demo_users() if u.role is Role.CLIENT]
    assert len(clients) >= 5
    assert len({u.feedback.total for u in clients}) >= 5
    assert any(u.balance < 8 for u in clients)
    assert sum(u.balance >= 250 for u in clients) >= 4


@pytest.mark.parametrize("performer_id", [1001, 1002, 1003, 1004])
def test_each_performer_receives_forty_to_sixty_and_makes_five_to_ten(performer_id):
    _, bookings = _world()
    received = [b for b in bookings if b.performer_id == performer_id]
    made = [b for b in bookings if b.client_id == performer_id]
    assert 40 <= len(received) <= 60
    assert 5 <= len(made) <= 10
    for service in Service:
        statuses = {b.status for b in received if b.service is service}
        assert statuses == set(Status)


@pytest.mark.parametrize("service", list(Service))
def test_each_performer_has_open_late_and_expired_requests(service):
    _, bookings = _world()
    for performer_id in (1001, 1002, 1003, 1004):
        pending = [
            b
            for b in bookings
            if b.performer_id == performer_id and b.service is service
            and b.status is Status.PENDING
        ]  # fmt: skip
        assert any(NOW < b.accept_by <= NOW + timedelta(hours=9) for b in pending)
        assert any(b.accept_by <= NOW < b.session_date for b in pending)
        assert any(b.session_date <= NOW for b in pending)


def test_accepted_and_confirmed_bookings_lie_both_ahead_and_behind():
    _, bookings = _world()
    for status in (Status.ACCEPTED, Status.CONFIRMED):
        sessions = [b.session_date for b in bookings if b.status is status]
        assert min(sessions) < NOW < max(sessions)


def test_cancellations_come_from_both_sides_with_reasons():
    users, bookings = _world()
    cancelled = [b for b in bookings if b.status is Status.CANCELLED]
    by_client = [b for b in cancelled if b.cancelled_by == users[b.client_id].nickname]
    by_performer = [b for b in cancelled if b.cancelled_by == users[b.performer_id].nickname]
    assert by_client
    assert by_performer
    assert len(by_client) + len(by_performer) == len(cancelled)
    assert all(b.cancelled_reason and b.cancelled_date for b in cancelled)
    assert all(b.rejected_reason for b in bookings if b.status is Status.REJECTED)


def test_multiple_offers_go_from_one_client_to_several_performers():
    _, bookings = _world()
    offers = Counter(
        (b.client_id, b.create_date, b.session_date) for b in bookings if b.is_multiple
    )
    assert len(offers) >= 2
    assert all(count >= 2 for count in offers.values())


def test_phonechat_bookings_use_every_method_with_its_contact():
    _, bookings = _world()
    phonechat = [b for b in bookings if b.service is Service.PHONECHAT]
    assert {b.method for b in phonechat} == {1, 2, 3}
    for b in phonechat:
        if b.method == 3:
            assert b.skype_name
            assert b.phone_number is None
        else:
            assert b.phone_number
            assert b.skype_name is None


def test_ids_follow_the_order_of_creation_per_service():
    _, bookings = _world()
    for service in Service:
        mine = sorted((b for b in bookings if b.service is service), key=lambda b: b.booking_id)
        assert [b.create_date for b in mine] == sorted(b.create_date for b in mine)


def test_some_bookings_were_accepted_at_another_price():
    _, bookings = _world()
    assert any(b.status is Status.ACCEPTED and b.credits != b.offered_credits for b in bookings)


def test_the_demo_world_is_the_same_over_http_after_two_resets(control, as_user):
    first = as_user(1001).bookings("phonechat", "received")
    control.reset(now=NOW)
    assert as_user(1001).bookings("phonechat", "received") == first


def test_a_reset_forgets_the_tokens_it_issued(control, scarlett):
    control.reset(now=NOW)
    assert scarlett.get("/v1/account/verifyCredentials").status_code == 401
