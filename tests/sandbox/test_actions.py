"""Every action over HTTP, allowed and refused, with the sandbox clock fixed at NOW."""

from datetime import timedelta

import pytest

from tests.sandbox.conftest import (
    JADE,
    LOCAL_NOW,
    PENNY,
    booking_id,
    local,
)

NOW_TEXT = LOCAL_NOW.strftime("%Y-%m-%dT%H:%M")


def _open_request(booking):
    return (
        booking["Status"] == "Pending"
        and local(booking["AcceptBy"]) > LOCAL_NOW
        and local(booking["SessionDate"]) > LOCAL_NOW
    )


def _status(name):
    return lambda booking: booking["Status"] == name


def _accepted_ahead(booking):
    return booking["Status"] == "Accepted" and local(booking["SessionDate"]) > LOCAL_NOW


def _expired_request(booking):
    return booking["Status"] == "Pending" and local(booking["SessionDate"]) <= LOCAL_NOW


# Webcam, received


def test_accept_sets_the_credits_and_the_accepted_date(scarlett):
    booking = scarlett.find("webcam", "received", _open_request)
    answer = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(booking), "Credits": 12.5}
    )
    assert answer.status_code == 200, answer.text
    accepted = answer.json()
    assert accepted["Status"] == "Accepted"
    assert accepted["Credits"] == 12.5
    assert accepted["AcceptedDate"] == accepted["LastUpdated"] == NOW_TEXT
    assert accepted["Client"] == booking["Client"]


def test_accept_is_refused_once_the_time_to_accept_has_run_out(scarlett):
    booking = scarlett.find(
        "webcam",
        "received",
        lambda b: (
            b["Status"] == "Pending" and local(b["AcceptBy"]) <= LOCAL_NOW < local(b["SessionDate"])
        ),
    )
    answer = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(booking), "Credits": 10}
    )
    assert answer.status_code == 400
    assert answer.json()["Message"] == "The time to accept this booking has run out."


def test_accept_is_refused_for_a_booking_that_is_not_pending(scarlett):
    booking = scarlett.find("webcam", "received", _status("Confirmed"))
    answer = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(booking), "Credits": 10}
    )
    assert answer.status_code == 400
    assert "pending" in answer.json()["Message"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"Credits": 10}, "BookingID"),
        ({"BookingID": "seven", "Credits": 10}, "BookingID"),
        ({"BookingID": 1.5, "Credits": 10}, "BookingID"),
        ({"BookingID": 40001}, "Credits"),
        ({"BookingID": 40001, "Credits": -1}, "Credits"),
        ({"BookingID": 40001, "Credits": "lots"}, "Credits"),
        ({"BookingID": 40001, "Credits": True}, "Credits"),
        ({"BookingID": 40001, "Credits": 8.12345}, "Credits"),
    ],
)
def test_accept_refuses_a_missing_or_invalid_parameter_by_name(scarlett, body, named):
    answer = scarlett.post("/v1/Webcam/AcceptReceivedBooking", body)
    assert answer.status_code == 400
    assert named in answer.json()["Message"]


def test_credits_may_have_four_decimal_places_or_come_as_text(scarlett):
    first, second = [b for b in scarlett.bookings("webcam", "received") if _open_request(b)][:2]
    exact = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(first), "Credits": 8.1234}
    )
    assert exact.json()["Credits"] == 8.1234
    text = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(second), "Credits": "9.5"}
    )
    assert text.json()["Credits"] == 9.5


def test_an_action_on_someone_elses_booking_is_not_found(scarlett, as_user):
    jades = as_user(JADE).find("webcam", "received", _open_request)
    answer = scarlett.post(
        "/v1/Webcam/AcceptReceivedBooking", {"BookingID": booking_id(jades), "Credits": 10}
    )
    assert answer.status_code == 404
    assert answer.json() == {"Message": "Booking not found."}


def test_a_body_that_is_not_a_json_object_is_refused(scarlett):
    import requests

    broken = requests.post(
        scarlett.base_url + "/v1/Webcam/RejectReceivedBooking",
        data="{not json",
        headers={**scarlett.headers(), "Content-Type": "application/json"},
        timeout=5,
    )
    assert broken.status_code == 400
    assert scarlett.post("/v1/Webcam/RejectReceivedBooking", [1, 2]).status_code == 400


def test_reject_requires_a_reason(scarlett):
    booking = scarlett.find("webcam", "received", _status("Pending"))
    for body in ({}, {"Reason": ""}, {"Reason": "   "}):
        answer = scarlett.post(
            "/v1/Webcam/RejectReceivedBooking", {"BookingID": booking_id(booking), **body}
        )
        assert answer.status_code == 400
        assert "Reason" in answer.json()["Message"]


def test_a_reason_longer_than_five_hundred_characters_is_refused(scarlett):
    booking = scarlett.find("webcam", "received", _status("Pending"))
    path = "/v1/Webcam/RejectReceivedBooking"
    too_long = scarlett.post(path, {"BookingID": booking_id(booking), "Reason": "x" * 501})
    assert too_long.status_code == 400
    assert "500" in too_long.json()["Message"]
    assert scarlett.post(path, {"BookingID": booking_id(booking), "Reason": "x" * 500}).ok


def test_reject_records_the_reason_even_after_the_time_to_accept(scarlett):
    booking = scarlett.find("webcam", "received", _expired_request)
    reason = "I have a photo-shoot at that time, can't make it. Sorry xxx"
    answer = scarlett.post(
        "/v1/Webcam/RejectReceivedBooking", {"BookingID": booking_id(booking), "Reason": reason}
    )
    assert answer.status_code == 200
    assert answer.json()["Status"] == "Rejected"
    assert answer.json()["RejectedReason"] == reason
    again = scarlett.post(
        "/v1/Webcam/RejectReceivedBooking", {"BookingID": booking_id(booking), "Reason": reason}
    )
    assert again.status_code == 400


def test_a_performer_cancels_an_accepted_booking_before_its_session(scarlett):
    booking = scarlett.find("webcam", "received", _accepted_ahead)
    answer = scarlett.post(
        "/v1/Webcam/CancelReceivedBooking",
        {"BookingID": booking_id(booking), "Reason": "I'm unwell today, sorry."},
    )
    assert answer.status_code == 200
    cancelled = answer.json()
    assert cancelled["Status"] == "Cancelled"
    assert cancelled["CancelledBy"] == "ScarlettRose"
    assert cancelled["CancelledReason"] == "I'm unwell today, sorry."
    assert cancelled["CancelledDate"] == NOW_TEXT


def test_a_performer_cannot_cancel_once_the_session_has_passed(scarlett):
    booking = scarlett.find(
        "webcam",
        "received",
        lambda b: b["Status"] == "Accepted" and local(b["SessionDate"]) < LOCAL_NOW,
    )
    answer = scarlett.post(
        "/v1/Webcam/CancelReceivedBooking", {"BookingID": booking_id(booking), "Reason": "Sorry"}
    )
    assert answer.status_code == 400
    assert "passed" in answer.json()["Message"]


# Webcam, made


def test_a_client_confirms_an_accepted_booking(scarlett):
    booking = scarlett.find("webcam", "made", _accepted_ahead)
    answer = scarlett.post("/v1/Webcam/ConfirmMadeBooking", {"BookingID": booking_id(booking)})
    assert answer.status_code == 200
    assert answer.json()["Status"] == "Confirmed"
    assert answer.json()["ConfirmedDate"] == NOW_TEXT
    assert "Performer" in answer.json()


def test_confirm_is_refused_to_a_client_without_the_credits(as_user):
    penny = as_user(PENNY)
    booking = penny.find("webcam", "made", _accepted_ahead)
    answer = penny.post("/v1/Webcam/ConfirmMadeBooking", {"BookingID": booking_id(booking)})
    assert answer.status_code == 400
    assert "credits" in answer.json()["Message"]


def test_confirm_is_refused_when_the_session_has_passed_or_not_accepted(scarlett, control):
    booking = scarlett.find("webcam", "made", _accepted_ahead)
    control.patch_booking(
        service="webcam",
        booking_id=booking_id(booking),
        SessionDate=(LOCAL_NOW - timedelta(minutes=1)).isoformat(),
    )
    passed = scarlett.post("/v1/Webcam/ConfirmMadeBooking", {"BookingID": booking_id(booking)})
    assert passed.status_code == 400
    pending = scarlett.find("webcam", "made", _status("Pending"))
    refused = scarlett.post("/v1/Webcam/ConfirmMadeBooking", {"BookingID": booking_id(pending)})
    assert refused.status_code == 400


def test_a_client_cancels_a_made_booking_with_a_reason(scarlett):
    booking = scarlett.find("webcam", "made", _status("Pending"))
    path = "/v1/Webcam/CancelMadeBooking"
    assert scarlett.post(path, {"BookingID": booking_id(booking)}).status_code == 400
    answer = scarlett.post(path, {"BookingID": booking_id(booking), "Reason": "Work ran late"})
    assert answer.status_code == 200
    assert answer.json()["CancelledBy"] == "ScarlettRose"
    again = scarlett.post(path, {"BookingID": booking_id(booking), "Reason": "Work ran late"})
    assert again.status_code == 400


def test_a_confirmed_booking_cannot_be_cancelled_after_its_session(scarlett, control):
    booking = scarlett.find("webcam", "made", _status("Confirmed"))
    path, body = "/v1/Webcam/CancelMadeBooking", {"BookingID": booking_id(booking), "Reason": "No"}
    control.patch_booking(
        service="webcam", booking_id=booking_id(booking), SessionDate="2026-03-10T09:29"
    )
    assert scarlett.post(path, body).status_code == 400
    control.patch_booking(
        service="webcam", booking_id=booking_id(booking), SessionDate="2026-03-10T09:30"
    )
    assert scarlett.post(path, body).status_code == 200


def test_reschedule_creates_a_new_booking_five_minutes_from_now(scarlett):
    old = scarlett.find("webcam", "made", _status("Cancelled"))
    answer = scarlett.post("/v1/Webcam/RescheduleMadeBooking", {"BookingID": booking_id(old)})
    assert answer.status_code == 200
    new = answer.json()
    assert booking_id(new) != booking_id(old)
    assert new["Status"] == "Pending"
    assert new["SessionDate"] == "2026-03-10T09:35"
    assert new["CreateDate"] == NOW_TEXT
    for same in ("Duration", "Credits", "SoftwareTypeID", "SignInNameOrEmail", "Performer"):
        assert new[same] == old[same]
    assert scarlett.get("/v1/Webcam/MadeBookingDetails", BookingID=booking_id(new)).ok
    assert scarlett.bookings("webcam", "made")[0] == new


# PhoneChat


def test_phonechat_accept_tells_the_client_to_confirm(scarlett, as_user):
    booking = scarlett.find("phonechat", "received", _open_request)
    assert booking["ActionCandidate"].startswith("Accept or reject by ")
    answer = scarlett.post(
        "/v1/PhoneChat/AcceptReceivedBooking",
        {"BookingID": booking_id(booking), "Credits": booking["Credits"] + 2},
    )
    assert answer.status_code == 200
    client_name = booking["Client"]["Nickname"]
    assert answer.json()["ActionCandidate"] == f"{client_name} Needs to Confirm"
    client = as_user(booking["Client"]["UserID"])
    made = client.get("/v1/PhoneChat/MadeBookingDetails", BookingID=booking_id(booking)).json()
    assert made["ActionClient"].startswith("Confirm the booking")
    assert "instead of" in made["ActionClient"]


def test_phonechat_accept_is_refused_once_the_session_has_passed(scarlett):
    booking = scarlett.find("phonechat", "received", _expired_request)
    answer = scarlett.post(
        "/v1/PhoneChat/AcceptReceivedBooking", {"BookingID": booking_id(booking), "Credits": 8}
    )
    assert answer.status_code == 400


def test_reinvite_uses_a_default_reason_when_none_is_given(scarlett):
    booking = scarlett.find("phonechat", "received", _expired_request)
    assert booking["ActionCandidate"].startswith("Request expired")
    answer = scarlett.post("/v1/PhoneChat/ReInvite", {"BookingID": booking_id(booking)})
    assert answer.status_code == 200
    assert answer.json()["Status"] == "Rejected"
    assert answer.json()["RejectedReason"]
    assert answer.json()["ActionCandidate"] is None


def test_reinvite_keeps_a_given_reason(scarlett):
    booking = scarlett.find("phonechat", "received", _expired_request)
    reason = "I don't have time at the scheduled date"
    answer = scarlett.post(
        "/v1/PhoneChat/ReInvite", {"BookingID": booking_id(booking), "Reason": reason}
    )
    assert answer.json()["RejectedReason"] == reason


def test_reinvite_is_refused_while_the_session_is_still_to_come(scarlett):
    booking = scarlett.find("phonechat", "received", _open_request)
    answer = scarlett.post("/v1/PhoneChat/ReInvite", {"BookingID": booking_id(booking)})
    assert answer.status_code == 400
    assert "expired" in answer.json()["Message"]


def test_phonechat_cancel_made_follows_the_webcam_rule(scarlett, control):
    booking = scarlett.find("phonechat", "made", _status("Accepted"))
    path = "/v1/PhoneChat/CancelMadeBooking"
    answer = scarlett.post(
        path, {"BookingID": booking_id(booking), "Reason": "I've had something come up"}
    )
    assert answer.status_code == 200
    assert answer.json()["Status"] == "Cancelled"
    assert answer.json()["ActionClient"] is None
    rejected = scarlett.find("phonechat", "made", _status("Rejected"))
    refused = scarlett.post(path, {"BookingID": booking_id(rejected), "Reason": "x"})
    assert refused.status_code == 400


def test_phonechat_reschedule_needs_a_passed_session(scarlett):
    path = "/v1/PhoneChat/RescheduleMadeBooking"
    passed = scarlett.find("phonechat", "made", _expired_request)
    answer = scarlett.post(path, {"BookingID": booking_id(passed)})
    assert answer.status_code == 200
    new = answer.json()
    assert new["Status"] == "Pending"
    assert new["SessionDate"] == "2026-03-10T09:35"
    assert (new["Method"], new["PhoneNumber"], new["SkypeName"]) == (
        passed["Method"],
        passed["PhoneNumber"],
        passed["SkypeName"],
    )
    refused = scarlett.post(path, {"BookingID": booking_id(new)})
    assert refused.status_code == 400


def test_phonechat_reschedule_is_refused_to_a_client_without_the_credits(as_user):
    penny = as_user(PENNY)
    passed = penny.find("phonechat", "made", _expired_request)
    answer = penny.post("/v1/PhoneChat/RescheduleMadeBooking", {"BookingID": booking_id(passed)})
    assert answer.status_code == 400
    assert "credits" in answer.json()["Message"]


def test_the_assumed_phonechat_actions_follow_the_webcam_ones(scarlett):
    pending = scarlett.find("phonechat", "received", _status("Pending"))
    rejected = scarlett.post(
        "/v1/PhoneChat/RejectReceivedBooking", {"BookingID": booking_id(pending), "Reason": "No"}
    )
    assert rejected.json()["Status"] == "Rejected"
    accepted = scarlett.find("phonechat", "received", _accepted_ahead)
    cancelled = scarlett.post(
        "/v1/PhoneChat/CancelReceivedBooking",
        {"BookingID": booking_id(accepted), "Reason": "Unwell"},
    )
    assert cancelled.json()["CancelledBy"] == "ScarlettRose"
    made = scarlett.find("phonechat", "made", _accepted_ahead)
    confirmed = scarlett.post("/v1/PhoneChat/ConfirmMadeBooking", {"BookingID": booking_id(made)})
    assert confirmed.json()["Status"] == "Confirmed"


# Delete


def test_delete_hides_finished_bookings_from_one_side_only(scarlett, as_user):
    finished = scarlett.find("webcam", "received", _status("Confirmed"))
    pending = scarlett.find("webcam", "received", _status("Pending"))
    ids = f"{booking_id(finished)}, {booking_id(pending)},1"
    answer = scarlett.post("/v1/Webcam/DeleteReceivedBookings", {"BookingIDs": ids})
    assert answer.status_code == 200
    results = answer.json()
    assert [(r["BookingID"], r["Deleted"]) for r in results] == [
        (booking_id(finished), True),
        (booking_id(pending), False),
        (1, False),
    ]
    assert all(r["Message"] for r in results)
    assert results[2]["Message"] == "Booking not found."
    assert booking_id(finished) not in [
        booking_id(b) for b in scarlett.bookings("webcam", "received")
    ]
    details = scarlett.get("/v1/Webcam/ReceivedBookingDetails", BookingID=booking_id(finished))
    assert details.status_code == 404
    client = as_user(finished["Client"]["UserID"])
    assert client.get("/v1/Webcam/MadeBookingDetails", BookingID=booking_id(finished)).ok


@pytest.mark.parametrize(
    ("path", "service", "direction"),
    [
        ("/v1/Webcam/DeleteMadeBookings", "webcam", "made"),
        ("/v1/PhoneChat/DeleteMadeBookings", "phonechat", "made"),
        ("/v1/PhoneChat/DeleteReceivedBooking", "phonechat", "received"),
    ],
)
def test_each_side_deletes_its_own_finished_bookings(scarlett, path, service, direction):
    finished = scarlett.find(
        service, direction, lambda b: b["Status"] in ("Rejected", "Confirmed", "Cancelled")
    )
    answer = scarlett.post(path, {"BookingIDs": str(booking_id(finished))})
    assert answer.json() == [
        {"BookingID": booking_id(finished), "Deleted": True, "Message": "The booking was deleted."}
    ]


def test_delete_needs_a_list_of_booking_ids(scarlett):
    for body in ({}, {"BookingIDs": ""}, {"BookingIDs": "1,two"}, {"BookingIDs": [1, 2]}):
        answer = scarlett.post("/v1/Webcam/DeleteMadeBookings", body)
        assert answer.status_code == 400
        assert "BookingIDs" in answer.json()["Message"]


def test_the_plural_phonechat_delete_received_path_does_not_exist(scarlett):
    answer = scarlett.post("/v1/PhoneChat/DeleteReceivedBookings", {"BookingIDs": "1"})
    assert answer.status_code == 404


def test_a_deleted_booking_cannot_be_acted_on_by_its_deleter(scarlett):
    rejected = scarlett.find("phonechat", "made", _status("Rejected"))
    scarlett.post("/v1/PhoneChat/DeleteMadeBookings", {"BookingIDs": str(booking_id(rejected))})
    answer = scarlett.post(
        "/v1/PhoneChat/RescheduleMadeBooking", {"BookingID": booking_id(rejected)}
    )
    assert answer.status_code == 404
