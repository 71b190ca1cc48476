"""The control API through SandboxControl: reset, clock, tokens, users, patches, bulk data and
the request log."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from sandbox.control import SandboxControlError
from tests.sandbox.conftest import IVY, LOCAL_NOW, NIGHT_OWL, NOW, SCARLETT, booking_id


def test_reset_with_a_moment_freezes_the_clock_there(control):
    assert control.now() == NOW
    assert control.info()["clock_fixed"] is True


def test_the_clock_can_be_set_advanced_and_given_back(control):
    later = NOW + timedelta(days=2)
    control.set_clock(now=later)
    assert control.now() == later
    control.set_clock(advance_seconds=90)
    assert control.now() == later + timedelta(seconds=90)
    control.set_clock()
    assert abs(control.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert control.info()["clock_fixed"] is False


def test_the_empty_seed_has_the_users_and_no_bookings(control, as_user):
    control.reset(seed="empty", now=NOW)
    assert len(control.users()) >= 10
    envelope = as_user(SCARLETT).get("/v1/Webcam/ReceivedBookings").json()
    assert envelope == {"PageCount": 0, "PageNumber": 1, "WebcamBookings": []}


def test_an_unknown_seed_is_refused(control):
    with pytest.raises(SandboxControlError, match="seed"):
        control.reset(seed="production")


def test_users_lists_each_demo_user_with_a_password(control):
    users = {user["Nickname"]: user for user in control.users()}
    assert users["ScarlettRose"] == {
        "UserID": SCARLETT,
        "Nickname": "ScarlettRose",
        "GroupID": 501,
        "GroupName": "Velvet Rooms",
        "IsGroupManager": False,
        "Password": "scarlettrose",
        "Role": "performer",
        "Balance": 150,
    }
    assert users["VelvetRoomsDesk"]["IsGroupManager"] is True
    assert users["IvyBlaze"]["GroupID"] is None


def test_issue_token_grants_the_scopes_asked_for(control, server):
    tokens = control.issue_token(user_id=IVY, scope="account_phonechat_bookings")
    assert tokens["scope"] == "account_phonechat_bookings"
    assert tokens["token_type"] == "bearer"
    headers = {"Authorization": f"bearer {tokens['access_token']}"}
    webcam = requests.get(server.url + "/v1/Webcam/MadeBookings", headers=headers, timeout=5)
    assert webcam.status_code == 403
    with pytest.raises(SandboxControlError, match="user_id"):
        control.issue_token(user_id=999)


def test_patch_booking_changes_it_behind_the_dashboards_back(control, scarlett):
    booking = scarlett.bookings("webcam", "received")[0]
    changed = control.patch_booking(
        service="webcam",
        booking_id=booking_id(booking),
        Status="Cancelled",
        CancelledBy=booking["Client"]["Nickname"],
        CancelledReason="Changed my mind",
        CancelledDate=datetime(2026, 3, 10, 9, 0),
        Credits="17.25",
    )
    assert changed["Status"] == "Cancelled"
    assert changed["CancelledDate"] == "2026-03-10T09:00"
    assert changed["Credits"] == 17.25
    assert changed["LastUpdated"] == "2026-03-10T09:30"
    seen = scarlett.get("/v1/Webcam/ReceivedBookingDetails", BookingID=booking_id(booking))
    assert seen.json() == changed


def test_patch_booking_takes_aware_datetimes_too(control, scarlett):
    booking = scarlett.bookings("phonechat", "received")[0]
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    changed = control.patch_booking(
        service="phonechat", booking_id=booking_id(booking), SessionDate=summer
    )
    assert changed["SessionDate"] == "2026-07-01T13:00"


def test_patch_booking_refuses_unknown_fields_and_bookings(control, scarlett):
    booking = scarlett.bookings("webcam", "received")[0]
    with pytest.raises(SandboxControlError, match="cannot be changed"):
        control.patch_booking(service="webcam", booking_id=booking_id(booking), Colour="red")
    with pytest.raises(SandboxControlError, match="wrong type"):
        control.patch_booking(service="webcam", booking_id=booking_id(booking), Status="Lost")
    with pytest.raises(SandboxControlError, match="404"):
        control.patch_booking(service="webcam", booking_id=1, Status="Pending")


def test_generate_makes_ten_thousand_bookings_in_under_two_seconds(control, as_user):
    started = time.monotonic()
    control.generate(user_id=IVY, service="webcam", direction="received", count=10_000)
    assert time.monotonic() - started < 2
    ivy = as_user(IVY)
    envelope = ivy.get("/v1/Webcam/ReceivedBookings", BookingsPerPage=100).json()
    assert envelope["PageCount"] >= 100
    last = ivy.get("/v1/Webcam/ReceivedBookings", BookingsPerPage=100, PageNumber=100).json()
    assert len(last["WebcamBookings"]) == 100


def test_generated_made_bookings_belong_to_the_user_as_client(control, as_user):
    control.generate(user_id=SCARLETT, service="phonechat", direction="made", count=30)
    made = as_user(SCARLETT).bookings("phonechat", "made")
    assert len(made) >= 30
    assert all(b["Candidate"]["UserID"] != SCARLETT for b in made)


def test_the_request_log_records_api_and_sign_in_requests_oldest_first(control, scarlett, server):
    control.clear_requests()
    scarlett.get("/v1/Webcam/ReceivedBookings", PageNumber=2)
    scarlett.post("/v1/Webcam/RejectReceivedBooking", {"BookingID": 1, "Reason": "Busy"})
    requests.post(
        server.url + "/OAuth/token",
        data={"grant_type": "refresh_token", "refresh_token": "secret-value", "client_id": "x"},
        timeout=5,
    )
    first, second, third = control.requests()
    assert first.pop("duration_ms") >= 0
    assert first == {
        "method": "GET",
        "path": "/v1/Webcam/ReceivedBookings",
        "query": {"PageNumber": "2"},
        "body": None,
        "authorization": True,
        "status": 200,
        "at": NOW.isoformat(),
        "fault": None,
    }
    assert (second["method"], second["status"]) == ("POST", 404)
    assert second["body"] == {"BookingID": 1, "Reason": "Busy"}
    assert third["body"]["refresh_token"] == "[redacted]"
    assert third["body"]["grant_type"] == "refresh_token"
    assert third["authorization"] is False
    assert "secret-value" not in str(control.requests())


def test_control_requests_are_not_logged(control):
    control.clear_requests()
    control.users()
    control.info()
    assert control.requests() == []


def test_an_unknown_control_route_is_not_found(control):
    with pytest.raises(SandboxControlError, match="404"):
        control._call("GET", "/nothing")


def test_a_new_request_is_pending_for_the_performer_and_made_by_the_client(control, as_user):
    remote_id = control.add_request(
        performer_id=IVY,
        client_id=NIGHT_OWL,
        credits=42,
        accept_within_minutes=25,
        session_in_minutes=90,
    )
    received = as_user(IVY).get("/v1/Webcam/ReceivedBookings").json()["WebcamBookings"]
    [booking] = [b for b in received if booking_id(b) == remote_id]
    assert booking["Status"] == "Pending"
    assert booking["Credits"] == 42
    # March is GMT in London, the sandbox's zone: local time is UTC.
    assert booking["CreateDate"].startswith(LOCAL_NOW.isoformat(timespec="minutes"))
    assert booking["AcceptBy"].startswith("2026-03-10T09:55")
    made = as_user(NIGHT_OWL).get("/v1/Webcam/MadeBookings").json()["WebcamBookings"]
    assert remote_id in {booking_id(b) for b in made}


def test_a_new_request_must_go_to_a_performer(control):
    with pytest.raises(SandboxControlError, match="performer"):
        control.add_request(performer_id=NIGHT_OWL)
    with pytest.raises(SandboxControlError, match="minutes"):
        control.add_request(performer_id=IVY, accept_within_minutes=0)
