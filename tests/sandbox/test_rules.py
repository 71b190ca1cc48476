"""The rules alone, at their boundaries: strict comparisons, as the reference words them."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sandbox import rules
from sandbox.models import Direction, Service, Status

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
SOON = NOW + timedelta(minutes=1)
AGO = NOW - timedelta(minutes=1)


@dataclass
class Facts:
    status: str = Status.PENDING
    session_date: datetime = NOW + timedelta(days=1)
    accept_by: datetime = NOW + timedelta(hours=2)
    credits: Decimal = Decimal(10)


def test_accept_needs_a_pending_booking_with_time_left_to_accept_and_a_future_session():
    assert rules.may_accept(Facts(), NOW) is None
    assert "pending" in rules.may_accept(Facts(status=Status.ACCEPTED), NOW)
    assert rules.may_accept(Facts(accept_by=NOW), NOW) is not None
    assert rules.may_accept(Facts(accept_by=SOON, session_date=NOW), NOW) is not None
    assert rules.may_accept(Facts(accept_by=SOON, session_date=SOON), NOW) is None


def test_reject_needs_only_a_pending_booking():
    assert rules.may_reject(Facts(session_date=AGO, accept_by=AGO), NOW) is None
    for status in (Status.ACCEPTED, Status.CONFIRMED, Status.CANCELLED, Status.REJECTED):
        assert rules.may_reject(Facts(status=status), NOW) is not None


def test_cancel_received_needs_an_accepted_booking_whose_session_is_not_past():
    assert rules.may_cancel_received(Facts(status=Status.ACCEPTED, session_date=NOW), NOW) is None
    assert rules.may_cancel_received(Facts(status=Status.ACCEPTED, session_date=AGO), NOW)
    assert rules.may_cancel_received(Facts(status=Status.PENDING), NOW)
    assert rules.may_cancel_received(Facts(status=Status.CONFIRMED), NOW)


def test_confirm_needs_an_accepted_booking_a_future_session_and_the_credits():
    accepted = Facts(status=Status.ACCEPTED)
    assert rules.may_confirm(accepted, NOW, balance=Decimal(10)) is None
    assert rules.may_confirm(accepted, NOW) is None
    assert "credits" in rules.may_confirm(accepted, NOW, balance=Decimal("9.9999"))
    assert rules.may_confirm(Facts(status=Status.ACCEPTED, session_date=NOW), NOW) is not None
    assert rules.may_confirm(Facts(), NOW) is not None


def test_cancel_made_refuses_finished_bookings_and_confirmed_ones_whose_session_passed():
    assert rules.may_cancel_made(Facts(), NOW) is None
    assert rules.may_cancel_made(Facts(status=Status.ACCEPTED, session_date=AGO), NOW) is None
    assert rules.may_cancel_made(Facts(status=Status.CONFIRMED, session_date=NOW), NOW) is None
    assert rules.may_cancel_made(Facts(status=Status.CONFIRMED, session_date=AGO), NOW)
    assert rules.may_cancel_made(Facts(status=Status.CANCELLED), NOW)
    assert rules.may_cancel_made(Facts(status=Status.REJECTED), NOW)


def test_webcam_reschedule_has_no_prerequisite():
    for status in Status:
        assert rules.may_reschedule_webcam(Facts(status=status), NOW) is None


def test_phonechat_reschedule_needs_a_passed_session_and_the_credits():
    assert rules.may_reschedule_phonechat(Facts(session_date=AGO), NOW) is None
    assert rules.may_reschedule_phonechat(Facts(session_date=NOW), NOW) is not None
    assert rules.may_reschedule_phonechat(Facts(session_date=AGO), NOW, balance=Decimal(5))


def test_reinvite_needs_a_pending_booking_whose_session_is_not_in_the_future():
    assert rules.may_reinvite(Facts(session_date=NOW), NOW) is None
    assert rules.may_reinvite(Facts(session_date=SOON), NOW) is not None
    assert rules.may_reinvite(Facts(status=Status.ACCEPTED, session_date=AGO), NOW)


@pytest.mark.parametrize("status", list(Status))
def test_only_rejected_confirmed_or_cancelled_bookings_can_be_deleted(status):
    allowed = status in (Status.REJECTED, Status.CONFIRMED, Status.CANCELLED)
    assert (rules.may_delete(Facts(status=status), NOW) is None) is allowed


def test_every_rule_is_named_by_service_direction_and_action():
    assert rules.ACTION_RULES[(Service.WEBCAM, Direction.RECEIVED, "accept")] is rules.may_accept
    assert len(rules.ACTION_RULES) == 17
    for rule in rules.ACTION_RULES.values():
        assert rule(Facts(), NOW, balance=None) is None or isinstance(rule(Facts(), NOW), str)
