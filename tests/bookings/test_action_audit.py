"""The audit entry of an action is written before AdultWork is called and completed after, so
that a request that dies on the way (a killed worker) leaves "outcome unknown", never nothing."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

import gateway.api
from bookings.models import Booking
from bookings.rules import Action, allowed_actions
from bookings.services import SENT, booking_act
from bookings.sync import sync_account
from dashboard.models import AuditEntry
from tests.conftest import connect

REJECT = "/v1/Webcam/RejectReceivedBooking"


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    sync_account(account=account)
    return account


def rejectable(account) -> Booking:
    now = timezone.now()
    return next(
        b
        for b in Booking.objects.filter(account=account, service="webcam", direction="received")
        if Action.REJECT in allowed_actions(b, now)
    )


@pytest.mark.django_db(transaction=True)
def test_while_adultwork_holds_the_call_the_audit_already_says_it_was_sent(
    performer, owner, sandbox, monkeypatch
):
    booking = rejectable(performer)
    sandbox.add_fault(path=REJECT, kind="latency", delay=2.0)
    calling = threading.Event()
    post = gateway.api.AdultWorkApi._post

    def announced_post(self, *args, **kwargs):
        calling.set()
        return post(self, *args, **kwargs)

    monkeypatch.setattr(gateway.api.AdultWorkApi, "_post", announced_post)

    def act() -> None:
        try:
            booking_act(booking=booking, user=owner, action=Action.REJECT, reason="Away")
        finally:
            connections.close_all()

    worker = threading.Thread(target=act)
    worker.start()
    assert calling.wait(timeout=5)
    # What a worker killed now would leave behind.
    [entry] = AuditEntry.objects.filter(account=performer)
    assert entry.outcome == AuditEntry.Outcome.UNKNOWN
    assert entry.message == SENT
    assert entry.status_before == "Pending"
    worker.join(timeout=10)
    entry.refresh_from_db()
    assert entry.outcome == AuditEntry.Outcome.DONE
    assert entry.status_after == "Rejected"


def test_a_request_that_dies_during_the_remote_call_leaves_outcome_unknown(
    performer, owner, monkeypatch
):
    booking = rejectable(performer)

    def killed(self, *args, **kwargs):
        # What the worker's process sees when it is stopped mid-call: not an Exception.
        raise SystemExit(1)

    monkeypatch.setattr(gateway.api.AdultWorkApi, "_post", killed)
    with pytest.raises(SystemExit):
        booking_act(booking=booking, user=owner, action=Action.REJECT, reason="Away")
    [entry] = AuditEntry.objects.filter(account=performer)
    assert entry.outcome == AuditEntry.Outcome.UNKNOWN
    assert entry.message == SENT
    assert entry.inputs == {"reason": "Away"}
    booking.refresh_from_db()
    assert booking.action_claimed_at is None


def test_an_action_the_rules_refuse_is_never_sent_and_has_one_entry_with_its_reason(
    performer, owner, sandbox
):
    booking = rejectable(performer)
    sandbox.clear_requests()
    booking_act(booking=booking, user=owner, action=Action.REINVITE)
    [entry] = AuditEntry.objects.filter(account=performer)
    assert entry.outcome == AuditEntry.Outcome.REFUSED
    assert "not something AdultWork offers" in entry.message
    assert not [r for r in sandbox.requests() if r["method"] == "POST"]
