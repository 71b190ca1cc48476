"""The circuit breaker on AdultWork (dashboard.adultwork.circuit): after calls in a row that get
no answer, calls fail at once saying nothing was sent, the pages say so, and after the reset
time one probe decides."""

from decimal import Decimal

import circuitbreaker
import pytest

from bookings.rules import Action
from bookings.services import booking_act
from bookings.sync import SyncFailed, sync_account
from dashboard.adultwork import NOT_ANSWERING, call_with_token, circuit
from gateway import NotFound, NotSent, Unavailable
from tests.bookings.test_action_view import bookable
from tests.conftest import connect

DETAILS = "/v1/Webcam/ReceivedBookingDetails"


@pytest.fixture
def performer(sandbox, sandbox_users, owner, settings):
    settings.ADULTWORK_CIRCUIT_FAILURES = 2
    settings.ADULTWORK_CIRCUIT_RESET_SECONDS = 30
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    sync_account(account=account)
    sandbox.clear_requests()
    return account


@pytest.fixture
def clock(monkeypatch):
    """The breaker's monotonic clock, moved by hand."""
    now = [1_000.0]
    monkeypatch.setattr(circuitbreaker, "monotonic", lambda: now[0])
    return now


def read_details(account, booking_id: int = 1):
    return call_with_token(
        account,
        lambda api: api.booking_details(
            service="webcam", direction="received", booking_id=booking_id
        ),
    )


def fail_twice(account, sandbox) -> None:
    sandbox.add_fault(path=DETAILS, kind="status", status=503, times=2)
    for _ in range(2):
        with pytest.raises(Unavailable):
            read_details(account)


def test_calls_without_an_answer_open_the_circuit_and_later_ones_are_not_sent(
    performer, sandbox, clock
):
    fail_twice(performer, sandbox)
    sent = len(sandbox.requests())

    with pytest.raises(NotSent) as refused:
        read_details(performer)

    assert refused.value.message == NOT_ANSWERING
    assert len(sandbox.requests()) == sent
    assert circuit().opened


def test_answers_even_refusals_keep_the_circuit_closed(performer, sandbox, clock):
    for _ in range(4):
        with pytest.raises(NotFound):
            read_details(performer, booking_id=999_999_999)

    assert circuit().closed


def test_an_answer_between_failures_starts_the_count_again(performer, sandbox, clock):
    sandbox.add_fault(path=DETAILS, kind="status", status=503, times=1)
    with pytest.raises(Unavailable):
        read_details(performer)
    with pytest.raises(NotFound):
        read_details(performer, booking_id=999_999_999)
    sandbox.add_fault(path=DETAILS, kind="status", status=503, times=1)
    with pytest.raises(Unavailable):
        read_details(performer)

    assert circuit().closed


def test_an_action_while_the_circuit_is_open_fails_at_once_saying_nothing_was_sent(
    owner, performer, sandbox, clock
):
    fail_twice(performer, sandbox)
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.clear_requests()

    result = booking_act(booking=booking, user=owner, action=Action.ACCEPT, credits=Decimal(10))

    assert (result.outcome, result.message) == ("failed", NOT_ANSWERING)
    assert sandbox.requests() == []


def test_a_sync_while_the_circuit_is_open_fails_at_once_and_names_why(performer, sandbox, clock):
    fail_twice(performer, sandbox)
    sandbox.clear_requests()

    with pytest.raises(SyncFailed) as failed:
        sync_account(account=performer)

    assert NOT_ANSWERING in str(failed.value)
    assert sandbox.requests() == []


def test_after_the_reset_time_one_probe_that_gets_an_answer_closes_the_circuit(
    performer, sandbox, clock
):
    fail_twice(performer, sandbox)
    clock[0] += 31
    sandbox.clear_requests()

    with pytest.raises(NotFound):
        read_details(performer, booking_id=999_999_999)

    assert len(sandbox.requests()) == 1
    assert circuit().closed


def test_a_probe_without_an_answer_opens_the_circuit_again_at_once(performer, sandbox, clock):
    fail_twice(performer, sandbox)
    clock[0] += 31
    sandbox.add_fault(path=DETAILS, kind="status", status=503, times=1)

    with pytest.raises(Unavailable):
        read_details(performer)

    assert circuit().opened


def test_a_call_not_sent_for_want_of_time_says_nothing_of_adultwork(
    performer, sandbox, settings, clock
):
    sandbox.add_fault(path=DETAILS, kind="status", status=503, times=1)
    with pytest.raises(Unavailable):
        read_details(performer)
    settings.ACTION_BUDGET_SECONDS = 0
    booking = bookable(performer, "reject", "webcam", "received")

    booking_act(booking=booking, user=performer.owner, action=Action.REJECT, reason="No")

    assert circuit().failure_count == 1


@pytest.mark.parametrize("who", ["owner", "staff", "outsider"])
def test_every_signed_in_page_says_adultwork_is_not_answering_while_the_circuit_is_open(
    client, performer, sandbox, clock, who, outsider
):
    from tests.factories import GrantFactory

    people = {
        "owner": performer.owner,
        "staff": GrantFactory(account=performer, role="operator").user,
        "outsider": outsider,
    }
    client.force_login(people[who])
    assert "AdultWork is not answering" not in client.get("/bookings/").text

    fail_twice(performer, sandbox)

    assert "AdultWork is not answering" in client.get("/bookings/").text
    clock[0] += 31
    assert "AdultWork is not answering" not in client.get("/bookings/").text
