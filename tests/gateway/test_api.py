"""AdultWorkApi over real HTTP, against the sandbox (and a tiny echo server for headers)."""

import json
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gateway import (
    AdultWorkApi,
    AdultWorkError,
    Booking,
    DeleteResult,
    Forbidden,
    NotFound,
    RateLimited,
    Refused,
    TimedOut,
    TokenExpired,
    Unavailable,
    UnreadableAnswer,
)
from sandbox.control import SandboxControl

from .conftest import CLIENT, MANAGER, NOW, OUTSIDER, PERFORMER

SHORT = 0.3  # a client timeout well under the sandbox's timeout-fault delay
FAULT_DELAY = 2.0


def calls_to(control: SandboxControl, path: str) -> list[dict]:
    return [entry for entry in control.requests() if entry["path"] == path]


def find(
    api: AdultWorkApi,
    service: str,
    direction: str,
    where: Callable[[Booking], bool],
) -> Booking:
    """The first of the connected user's bookings that fits."""
    page = api.list_bookings(service=service, direction=direction)
    found = next((b for b in page.bookings if where(b)), None)
    assert found is not None, f"the demo data has no {direction} {service} booking that fits"
    return found


def pending_in_future(b: Booking) -> bool:
    return b.status == "Pending" and b.accept_by > NOW and b.session_at > NOW


# --- reads ------------------------------------------------------------------------------------


def test_verify_credentials_tells_who_the_token_belongs_to(performer: AdultWorkApi) -> None:
    identity = performer.verify_credentials()

    assert (identity.user_id, identity.nickname) == (PERFORMER, "ScarlettRose")
    assert (identity.group_id, identity.group_name, identity.is_group_manager) == (
        501,
        "Velvet Rooms",
        False,
    )


@pytest.mark.parametrize("service", ["webcam", "phonechat"])
@pytest.mark.parametrize(("user_id", "direction"), [(PERFORMER, "received"), (CLIENT, "made")])
def test_each_list_reads_a_page_of_typed_bookings(
    connect, control: SandboxControl, service: str, user_id: int, direction: str
) -> None:
    page = connect(user_id).list_bookings(service=service, direction=direction)

    assert page.page_number == 1
    assert page.page_count >= 1
    assert page.bookings
    assert {(b.service, b.direction) for b in page.bookings} == {(service, direction)}
    assert all(isinstance(b.credits, Decimal) for b in page.bookings)
    assert all(b.created_at is not None and b.created_at.tzinfo for b in page.bookings)
    assert all(b.other_party is not None for b in page.bookings)
    section = "Webcam" if service == "webcam" else "PhoneChat"
    [call] = calls_to(control, f"/v1/{section}/{direction.title()}Bookings")
    assert call["authorization"] is True


def test_list_parameters_are_sent_as_adultwork_names_them(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    page = performer.list_bookings(
        service="webcam",
        direction="received",
        page=2,
        per_page=5,
        start_date=date(2026, 5, 1),
        order_by="createddate-asc",
    )

    [call] = calls_to(control, "/v1/Webcam/ReceivedBookings")
    assert call["query"] == {
        "PageNumber": "2",
        "BookingsPerPage": "5",
        "StartDate": "2026-05-01",
        "OrderBy": "createddate-asc",
    }
    assert page.page_number == 2
    assert len(page.bookings) <= 5
    created = [b.created_at for b in page.bookings]
    assert created == sorted(created)


@pytest.mark.parametrize(("page", "per_page"), [(0, 10), (1, 0), (1, 101)])
def test_a_page_outside_the_documented_bounds_is_refused_before_any_call(
    performer: AdultWorkApi, control: SandboxControl, page: int, per_page: int
) -> None:
    with pytest.raises(ValueError, match="page"):
        performer.list_bookings(service="webcam", direction="made", page=page, per_page=per_page)

    assert control.requests() == []


def test_an_order_adultwork_does_not_know_is_refused_with_its_own_words(
    performer: AdultWorkApi,
) -> None:
    with pytest.raises(Refused, match="OrderBy parameter must be one of") as raised:
        performer.list_bookings(service="phonechat", direction="received", order_by="whenever")

    assert raised.value.status == 400


@pytest.mark.parametrize(("service", "direction"), [("webcam", "received"), ("phonechat", "made")])
def test_booking_details_read_the_same_booking_as_the_list(
    connect, service: str, direction: str
) -> None:
    api = connect(PERFORMER if direction == "received" else CLIENT)
    listed = api.list_bookings(service=service, direction=direction).bookings[0]

    details = api.booking_details(service=service, direction=direction, booking_id=listed.remote_id)

    assert details == listed


def test_a_booking_that_is_not_there_is_not_found(performer: AdultWorkApi) -> None:
    with pytest.raises(NotFound) as raised:
        performer.booking_details(service="webcam", direction="received", booking_id=999)

    assert (raised.value.message, raised.value.status) == ("Booking not found.", 404)


# --- group managers ---------------------------------------------------------------------------


def test_a_group_manager_reads_a_members_made_bookings_through_the_groups_twin(
    connect, control: SandboxControl
) -> None:
    own = connect(PERFORMER).list_bookings(service="webcam", direction="made")

    as_manager = connect(MANAGER).list_bookings(
        service="webcam", direction="made", member_id=PERFORMER
    )

    assert [b.remote_id for b in as_manager.bookings] == [b.remote_id for b in own.bookings]
    [call] = calls_to(control, "/v1/Groups/Webcam/MadeBookings")
    assert call["query"]["UserID"] == str(PERFORMER)


def test_a_group_manager_reads_a_members_received_booking_details(connect) -> None:
    booking = connect(PERFORMER).list_bookings(service="webcam", direction="received").bookings[0]

    seen = connect(MANAGER).booking_details(
        service="webcam", direction="received", booking_id=booking.remote_id, member_id=PERFORMER
    )

    assert seen == booking


def test_a_group_manager_cannot_read_someone_outside_the_group(connect) -> None:
    with pytest.raises(Forbidden, match="manager"):
        connect(MANAGER).list_bookings(service="phonechat", direction="made", member_id=OUTSIDER)


@pytest.mark.parametrize(
    "read",
    [
        lambda api: api.list_bookings(service="webcam", direction="received", member_id=PERFORMER),
        lambda api: api.booking_details(
            service="phonechat", direction="received", booking_id=1, member_id=PERFORMER
        ),
    ],
    ids=["received list", "received PhoneChat details"],
)
def test_a_group_read_adultwork_does_not_document_is_refused_before_any_call(
    connect, control: SandboxControl, read: Callable[[AdultWorkApi], object]
) -> None:
    api = connect(MANAGER)

    with pytest.raises(ValueError, match="/v1/"):
        read(api)

    assert control.requests() == []


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["webcam", "phonechat"])
def test_accept_sends_the_credits_exactly_and_answers_the_accepted_booking(
    performer: AdultWorkApi, control: SandboxControl, service: str
) -> None:
    booking = find(performer, service, "received", pending_in_future)

    accepted = performer.accept(
        service=service, booking_id=booking.remote_id, credits=Decimal("12.5")
    )

    assert (accepted.remote_id, accepted.status) == (booking.remote_id, "Accepted")
    assert accepted.credits == Decimal("12.5")
    assert accepted.accepted_at == NOW
    section = "Webcam" if service == "webcam" else "PhoneChat"
    [call] = calls_to(control, f"/v1/{section}/AcceptReceivedBooking")
    assert call["body"] == {"BookingID": booking.remote_id, "Credits": 12.5}


def test_accept_will_not_take_a_float(performer: AdultWorkApi) -> None:
    with pytest.raises(TypeError, match="Decimal"):
        performer.accept(service="webcam", booking_id=1, credits=12.5)  # type: ignore[arg-type]


def test_accepting_a_booking_twice_is_refused_with_adultworks_reason(
    performer: AdultWorkApi,
) -> None:
    booking = find(performer, "webcam", "received", pending_in_future)
    performer.accept(service="webcam", booking_id=booking.remote_id, credits=booking.credits)

    with pytest.raises(Refused) as raised:
        performer.accept(service="webcam", booking_id=booking.remote_id, credits=booking.credits)

    assert raised.value.message == (
        "Only a pending booking can be accepted; this booking is accepted."
    )
    assert raised.value.permanent


def test_reject_answers_the_rejected_booking_with_its_reason(performer: AdultWorkApi) -> None:
    booking = find(performer, "webcam", "received", lambda b: b.status == "Pending")

    rejected = performer.reject(booking_id=booking.remote_id, reason="Away that week, sorry.")

    assert (rejected.status, rejected.rejected_reason) == ("Rejected", "Away that week, sorry.")


@pytest.mark.parametrize(
    ("user_id", "service", "direction", "may_cancel"),
    [
        (PERFORMER, "webcam", "received", lambda b: b.status == "Accepted" and b.session_at > NOW),
        (CLIENT, "webcam", "made", lambda b: b.status in ("Pending", "Accepted")),
        (CLIENT, "phonechat", "made", lambda b: b.status in ("Pending", "Accepted")),
    ],
)
def test_cancel_answers_the_cancelled_booking(
    connect, user_id: int, service: str, direction: str, may_cancel: Callable
) -> None:
    api = connect(user_id)
    booking = find(api, service, direction, may_cancel)

    cancelled = api.cancel(
        service=service, direction=direction, booking_id=booking.remote_id, reason="Unwell."
    )

    assert (cancelled.status, cancelled.cancelled_reason, cancelled.cancelled_at) == (
        "Cancelled",
        "Unwell.",
        NOW,
    )


def test_cancelling_a_received_phonechat_booking_is_not_documented_so_not_sent(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    with pytest.raises(ValueError, match="received phonechat"):
        performer.cancel(service="phonechat", direction="received", booking_id=1, reason="No.")

    assert control.requests() == []


def test_confirm_answers_the_confirmed_booking(booker: AdultWorkApi) -> None:
    booking = find(
        booker, "webcam", "made", lambda b: b.status == "Accepted" and b.session_at > NOW
    )

    confirmed = booker.confirm(booking_id=booking.remote_id)

    assert (confirmed.status, confirmed.confirmed_at) == ("Confirmed", NOW)


@pytest.mark.parametrize("service", ["webcam", "phonechat"])
def test_reschedule_answers_the_new_booking_five_minutes_ahead(
    booker: AdultWorkApi, service: str
) -> None:
    booking = find(booker, service, "made", lambda b: b.session_at < NOW)

    fresh = booker.reschedule(service=service, booking_id=booking.remote_id)

    assert fresh.remote_id != booking.remote_id
    assert (fresh.status, fresh.direction) == ("Pending", "made")
    assert fresh.session_at == NOW + timedelta(minutes=5)


def expired_request(b: Booking) -> bool:
    return b.status == "Pending" and b.session_at <= NOW


def test_reinvite_without_a_reason_leaves_it_out_so_adultwork_uses_its_own(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    booking = find(performer, "phonechat", "received", expired_request)

    reinvited = performer.reinvite(booking_id=booking.remote_id)

    assert reinvited.status == "Rejected"
    assert reinvited.rejected_reason
    [call] = calls_to(control, "/v1/PhoneChat/ReInvite")
    assert call["body"] == {"BookingID": booking.remote_id}


def test_reinvite_with_a_reason_sends_it(performer: AdultWorkApi) -> None:
    booking = find(performer, "phonechat", "received", expired_request)

    reinvited = performer.reinvite(booking_id=booking.remote_id, reason="Please book again.")

    assert reinvited.rejected_reason == "Please book again."


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("webcam", "/v1/Webcam/DeleteReceivedBookings"),
        ("phonechat", "/v1/PhoneChat/DeleteReceivedBooking"),
    ],
)
def test_delete_answers_one_result_per_booking(
    performer: AdultWorkApi, control: SandboxControl, service: str, path: str
) -> None:
    finished = find(performer, service, "received", lambda b: b.status == "Rejected")
    pending = find(performer, service, "received", lambda b: b.status == "Pending")

    results = performer.delete(
        service=service,
        direction="received",
        booking_ids=[finished.remote_id, pending.remote_id],
    )

    assert results[0] == DeleteResult(finished.remote_id, True, "The booking was deleted.")
    assert (results[1].booking_id, results[1].deleted) == (pending.remote_id, False)
    assert results[1].message
    [call] = calls_to(control, path)
    assert call["body"] == {"BookingIDs": f"{finished.remote_id},{pending.remote_id}"}


def test_deleting_nothing_makes_no_call(performer: AdultWorkApi, control: SandboxControl) -> None:
    assert performer.delete(service="webcam", direction="made", booking_ids=[]) == []
    assert control.requests() == []


# --- retries ----------------------------------------------------------------------------------

VERIFY = "/v1/account/verifyCredentials"
REJECT = "/v1/Webcam/RejectReceivedBooking"


@pytest.mark.parametrize(
    "fault",
    [{"kind": "status", "status": 503}, {"kind": "status", "status": 502}, {"kind": "drop"}],
    ids=["503", "502", "dropped connection"],
)
def test_a_get_is_retried_after_a_passing_fault(
    performer: AdultWorkApi, control: SandboxControl, fault: dict
) -> None:
    control.add_fault(path=VERIFY, **fault)

    assert performer.verify_credentials().user_id == PERFORMER
    assert len(calls_to(control, VERIFY)) == 2


def test_a_get_gives_up_after_its_retries_and_says_adultwork_is_unavailable(
    connect, control: SandboxControl
) -> None:
    control.add_fault(path=VERIFY, kind="status", status=503, times=None)

    with pytest.raises(Unavailable, match="error 503") as raised:
        connect(PERFORMER, retries=2).verify_credentials()

    assert len(calls_to(control, VERIFY)) == 3
    assert not raised.value.permanent


def test_a_get_is_not_retried_after_a_500_which_is_no_passing_fault(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    control.add_fault(path=VERIFY, kind="status", status=500)

    with pytest.raises(Unavailable):
        performer.verify_credentials()

    assert len(calls_to(control, VERIFY)) == 1


@pytest.mark.parametrize(
    "fault",
    [{"kind": "status", "status": 503}, {"kind": "drop"}],
    ids=["503", "dropped connection"],
)
def test_a_post_is_never_retried(
    performer: AdultWorkApi, control: SandboxControl, fault: dict
) -> None:
    booking = find(performer, "webcam", "received", lambda b: b.status == "Pending")
    control.add_fault(path=REJECT, **fault)

    with pytest.raises(Unavailable, match="may or may not have done"):
        performer.reject(booking_id=booking.remote_id, reason="No.")

    assert len(calls_to(control, REJECT)) == 1


def test_a_rate_limit_is_not_retried_and_says_how_long_to_wait(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    control.add_fault(path=VERIFY, kind="ratelimit", retry_after=17)

    with pytest.raises(RateLimited) as raised:
        performer.verify_credentials()

    assert (raised.value.retry_after, raised.value.status) == (17, 429)
    assert len(calls_to(control, VERIFY)) == 1


# --- timeouts ---------------------------------------------------------------------------------

EVERY_CALL: dict[str, tuple[str, str, Callable[[AdultWorkApi], object]]] = {
    "verify_credentials": ("GET", VERIFY, lambda api: api.verify_credentials()),
    "list_bookings": (
        "GET",
        "/v1/PhoneChat/MadeBookings",
        lambda api: api.list_bookings(service="phonechat", direction="made"),
    ),
    "booking_details": (
        "GET",
        "/v1/Webcam/ReceivedBookingDetails",
        lambda api: api.booking_details(service="webcam", direction="received", booking_id=1),
    ),
    "accept": (
        "POST",
        "/v1/PhoneChat/AcceptReceivedBooking",
        lambda api: api.accept(service="phonechat", booking_id=1, credits=Decimal(8)),
    ),
    "reject": ("POST", REJECT, lambda api: api.reject(booking_id=1, reason="No.")),
    "cancel": (
        "POST",
        "/v1/Webcam/CancelMadeBooking",
        lambda api: api.cancel(service="webcam", direction="made", booking_id=1, reason="No."),
    ),
    "confirm": ("POST", "/v1/Webcam/ConfirmMadeBooking", lambda api: api.confirm(booking_id=1)),
    "reschedule": (
        "POST",
        "/v1/PhoneChat/RescheduleMadeBooking",
        lambda api: api.reschedule(service="phonechat", booking_id=1),
    ),
    "reinvite": ("POST", "/v1/PhoneChat/ReInvite", lambda api: api.reinvite(booking_id=1)),
    "delete": (
        "POST",
        "/v1/Webcam/DeleteMadeBookings",
        lambda api: api.delete(service="webcam", direction="made", booking_ids=[1]),
    ),
}


@pytest.mark.parametrize("name", EVERY_CALL)
def test_every_call_times_out(connect, control: SandboxControl, name: str) -> None:
    method, path, call = EVERY_CALL[name]
    control.add_fault(path=path, kind="timeout", delay=FAULT_DELAY, times=None)
    api = connect(PERFORMER, timeout=SHORT, retries=0)

    started = time.monotonic()
    with pytest.raises(TimedOut, match="did not answer in time") as raised:
        call(api)

    assert time.monotonic() - started < FAULT_DELAY
    assert not raised.value.permanent
    if method == "POST":
        assert "may or may not have done what you asked" in raised.value.message
    assert len(calls_to(control, path)) == 1


def test_a_get_that_timed_out_is_tried_again(connect, control: SandboxControl) -> None:
    control.add_fault(path=VERIFY, kind="timeout", delay=FAULT_DELAY)

    assert connect(PERFORMER, timeout=SHORT, retries=1).verify_credentials().user_id == PERFORMER
    assert len(calls_to(control, VERIFY)) == 2


def test_a_get_that_keeps_timing_out_is_a_timeout_not_a_broken_connection(
    connect, control: SandboxControl
) -> None:
    control.add_fault(path=VERIFY, kind="timeout", delay=FAULT_DELAY, times=None)

    with pytest.raises(TimedOut):
        connect(PERFORMER, timeout=SHORT, retries=1).verify_credentials()

    assert len(calls_to(control, VERIFY)) == 2


def test_a_slow_answer_within_the_timeout_is_read(connect, control: SandboxControl) -> None:
    control.add_fault(path=VERIFY, kind="latency", delay=0.1)

    assert connect(PERFORMER, timeout=2.0, retries=0).verify_credentials().user_id == PERFORMER


# --- errors -----------------------------------------------------------------------------------


def test_an_unknown_token_is_an_expired_token(base_url: str) -> None:
    api = AdultWorkApi(base_url=base_url, access_token="not-a-token")

    with api, pytest.raises(TokenExpired) as raised:
        api.verify_credentials()

    assert raised.value.status == 401


def test_a_token_past_its_lifetime_is_an_expired_token(
    base_url: str, control: SandboxControl
) -> None:
    token = control.issue_token(user_id=PERFORMER, expires_in=60)["access_token"]
    control.set_clock(now=NOW + timedelta(minutes=2))

    api = AdultWorkApi(base_url=base_url, access_token=token)

    with api, pytest.raises(TokenExpired):
        api.list_bookings(service="webcam", direction="received")


def test_a_missing_scope_is_forbidden_with_adultworks_reason(
    base_url: str, control: SandboxControl
) -> None:
    token = control.issue_token(user_id=PERFORMER, scope="account_phonechat_bookings")

    api = AdultWorkApi(base_url=base_url, access_token=token["access_token"])

    with api, pytest.raises(Forbidden, match="account_webcam_bookings scope") as raised:
        api.list_bookings(service="webcam", direction="received")

    assert raised.value.permanent


@pytest.mark.parametrize(("kind", "says"), [("xml", "XML"), ("html", "web page")])
def test_an_answer_that_is_not_json_is_unreadable(
    performer: AdultWorkApi, control: SandboxControl, kind: str, says: str
) -> None:
    control.add_fault(path="/v1/Webcam/ReceivedBookings", kind=kind)

    with pytest.raises(UnreadableAnswer, match=says) as raised:
        performer.list_bookings(service="webcam", direction="received")

    assert raised.value.status == 200


def test_an_unreadable_answer_to_a_post_says_the_action_may_have_happened(
    performer: AdultWorkApi, control: SandboxControl
) -> None:
    booking = find(performer, "webcam", "received", lambda b: b.status == "Pending")
    control.add_fault(path=REJECT, kind="xml")

    with pytest.raises(UnreadableAnswer, match="may or may not have done"):
        performer.reject(booking_id=booking.remote_id, reason="No.")


def test_a_server_that_is_not_there_is_unavailable_and_nothing_was_sent() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    api = AdultWorkApi(base_url=f"http://127.0.0.1:{port}", access_token="t", retries=0)

    with api, pytest.raises(Unavailable, match="nothing was sent"):
        api.reject(booking_id=1, reason="No.")


def test_token_values_never_appear_in_an_error_message_or_repr(
    base_url: str, control: SandboxControl
) -> None:
    token = control.issue_token(user_id=PERFORMER)["access_token"]
    api = AdultWorkApi(base_url=base_url, access_token=token, timeout=SHORT, retries=0)
    control.add_fault(path=VERIFY, kind="status", status=400, message=f"Bad token {token}.")
    control.add_fault(path=VERIFY, kind="status", status=404, message=f"No {token} here.")
    control.add_fault(path=VERIFY, kind="ratelimit", message=token)
    control.add_fault(path=VERIFY, kind="status", status=503, message=token)
    control.add_fault(path=VERIFY, kind="timeout", delay=FAULT_DELAY)
    control.add_fault(path=VERIFY, kind="drop")
    control.add_fault(path=VERIFY, kind="xml")
    control.add_fault(path=VERIFY, kind="status", status=401, message=token)

    errors: list[AdultWorkError] = []
    with api:
        for _ in range(8):
            with pytest.raises(AdultWorkError) as raised:
                api.verify_credentials()
            errors.append(raised.value)

    assert {type(error) for error in errors} == {
        Refused,
        NotFound,
        RateLimited,
        Unavailable,
        TimedOut,
        UnreadableAnswer,
        TokenExpired,
    }
    for error in errors:
        shown = [str(error), repr(error), error.message, *traceback.format_exception(error)]
        assert not [text for text in shown if token in text], type(error).__name__
    assert token not in repr(api)


# --- what goes on the wire --------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers every call with a booking, keeping what it was sent."""

    seen: list[dict] = []
    answer = json.dumps({"BookingID": 5, "Status": "Accepted", "Duration": 15, "Credits": 8.5})

    def do_GET(self) -> None:
        self._record(b"")

    def do_POST(self) -> None:
        self._record(self.rfile.read(int(self.headers["Content-Length"])))

    def _record(self, body: bytes) -> None:
        self.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        data = self.answer.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


def test_every_call_carries_the_bearer_token_json_and_our_name(
    recorder: tuple[str, list[dict]],
) -> None:
    url, seen = recorder
    with AdultWorkApi(base_url=url, access_token="tok-1", user_agent="aw-bookings/1.0") as api:
        api.booking_details(service="phonechat", direction="received", booking_id=5)
        api.accept(service="phonechat", booking_id=5, credits=Decimal("8.50"))

    for call in seen:
        assert call["headers"]["Authorization"] == "bearer tok-1"
        assert call["headers"]["Accept"] == "application/json"
        assert call["headers"]["User-Agent"] == "aw-bookings/1.0"
    assert seen[0]["path"] == "/v1/PhoneChat/ReceivedBookingDetails?BookingID=5"
    assert seen[1]["headers"]["Content-Type"].startswith("application/json")
    assert seen[1]["body"] == b'{"BookingID": 5, "Credits": 8.50}'
