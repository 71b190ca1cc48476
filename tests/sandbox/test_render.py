"""Bookings as the seeds show them: field names (misspellings included), order, and formats."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sandbox.models import Booking, Direction, Feedback, Role, Service, Status, User
from sandbox.render import View, to_xml
from sandbox.web import dump_json
from tests.sandbox.conftest import SCARLETT

LONDON = ZoneInfo("Europe/London")
WEBCAM_FIELDS = [
    "WebcamBookingID", "Duration", "Credits", "Status", "IsMulitple", "SoftwareTypeID",
    "SignInNameOrEmail", "AlsoPhoneChat", "CreateDate", "SessionDate", "AcceptBy", "AcceptedDate",
    "ConfirmedDate", "CancelledDate", "CancelledReason", "CancelledBy", "RejectedReason",
    "LastUpdated",
]  # fmt: skip
PHONECHAT_FIELDS = [
    "BookingID", "Duration", "Credits", "Status", "Method", "PhoneNumber", "SkypeName",
    "CreateDate", "SessionDate", "AcceptBy", "AcceptedDate", "ConfirmedDate", "CancelledDate",
    "CancelledReason", "CancelledBy", "RejectedReason", "LastUpdated", "Comments",
]  # fmt: skip
WEBCAM_PARTY = [
    "UserID", "Nickname", "LastAccessedFrom", "SignInNameOrEmail", "PhoneNumber",
    "Total", "Positive", "Neutral", "Negative", "Ratings", "Disputes",
]  # fmt: skip
PHONECHAT_PARTY = [
    "UserID", "Nickname", "PhoneNumber", "SkypeName",
    "Total", "Positive", "Neutral", "Negative", "Ratings", "Disputes",
]  # fmt: skip


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _user(user_id: int, nickname: str, feedback: Feedback, **extra) -> User:
    return User(user_id, nickname, nickname.lower(), Role.CLIENT, Decimal(100), feedback=feedback,
                **extra)  # fmt: skip


# The seeds' own examples. Their users' feedback counts are copied as printed (Total 6 with 7
# positives), since they are only data here.
JOSEPHENE = _user(123456, "JosepheneBlogs", Feedback(6, 7, 1, 0, 8, 0), last_accessed_from="UK")
BOOKING_USER = _user(123654, "BookingUser", Feedback(1, 1, 0, 0, 1, 0))
BOOKED_USER = _user(123456, "BookedUser", Feedback(6, 7, 0, 1, 8, 0))
PERFORMER = _user(1, "PerformingUser", Feedback())
USERS = {u.user_id: u for u in (JOSEPHENE, BOOKING_USER, PERFORMER)}


def test_a_rejected_webcam_booking_reads_as_in_seed_000():
    booking = Booking(
        service=Service.WEBCAM, booking_id=1, client_id=123456, performer_id=1, duration=10,
        credits=Decimal("10.0000"), status=Status.REJECTED, create_date=utc(2018, 1, 1, 11, 0),
        session_date=utc(2018, 2, 1, 12, 0), accept_by=utc(2018, 2, 1, 0, 0),
        accepted_date=utc(2018, 1, 1, 15, 0),
        rejected_reason="I have a photo-shoot at that time, can't make it. Sorry xxx",
        last_updated=utc(2018, 1, 1, 16, 0), is_multiple=True, software_type_id=3,
        sign_in_name_or_email="PerformingUserOnSkype", also_phone_chat=True,
    )  # fmt: skip
    view = View(USERS, utc(2018, 1, 1, 16, 0), LONDON).booking(booking, Direction.RECEIVED)
    assert json.loads(dump_json(view)) == {
        "WebcamBookingID": 1, "Duration": 10, "Credits": 10, "Status": "Rejected",
        "IsMulitple": True, "SoftwareTypeID": 3, "SignInNameOrEmail": "PerformingUserOnSkype",
        "AlsoPhoneChat": True, "CreateDate": "2018-01-01T11:00",
        "SessionDate": "2018-02-01T12:00", "AcceptBy": "2018-02-01T00:00",
        "AcceptedDate": "2018-01-01T15:00", "ConfirmedDate": None, "CancelledDate": None,
        "CancelledReason": None, "CancelledBy": None,
        "RejectedReason": "I have a photo-shoot at that time, can't make it. Sorry xxx",
        "LastUpdated": "2018-01-01T16:00",
        "Client": {
            "UserID": 123456, "Nickname": "JosepheneBlogs", "LastAccessedFrom": "UK",
            "SignInNameOrEmail": None, "PhoneNumber": None, "Total": 6, "Positive": 7,
            "Neutral": 1, "Negative": 0, "Ratings": 8, "Disputes": 0,
        },
    }  # fmt: skip
    assert list(view) == [*WEBCAM_FIELDS, "Client"]


def test_an_accepted_phonechat_booking_reads_as_in_seed_003():
    booking = Booking(
        service=Service.PHONECHAT, booking_id=1, client_id=123654, performer_id=1, duration=15,
        credits=Decimal(8), status=Status.ACCEPTED,
        create_date=utc(2018, 1, 20, 12, 34, 56, 789000), session_date=utc(2018, 1, 22, 21, 30),
        accept_by=utc(2018, 1, 22, 0, 0), accepted_date=utc(2018, 1, 21, 13, 24, 5, 987000),
        last_updated=utc(2018, 1, 21, 13, 24, 5, 987000), method=1,
    )  # fmt: skip
    now = utc(2018, 1, 21, 13, 24, 5, 987000)
    view = View(USERS, now, LONDON).booking(booking, Direction.RECEIVED)
    # The seed writes "2018-01-22T21:30:00" here and "2018-01-01T11:00" elsewhere; the sandbox
    # writes whole minutes the short way throughout.
    assert json.loads(dump_json(view)) == {
        "BookingID": 1, "Duration": 15, "Credits": 8, "Status": "Accepted", "Method": 1,
        "PhoneNumber": None, "SkypeName": None, "CreateDate": "2018-01-20T12:34:56.789",
        "SessionDate": "2018-01-22T21:30", "AcceptBy": "2018-01-22T00:00",
        "AcceptedDate": "2018-01-21T13:24:05.987", "ConfirmedDate": None, "CancelledDate": None,
        "CancelledReason": None, "CancelledBy": None, "RejectedReason": None,
        "LastUpdated": "2018-01-21T13:24:05.987", "Comments": None,
        "ActionCandidate": "BookingUser Needs to Confirm",
        "Client": {
            "UserID": 123654, "Nickname": "BookingUser", "PhoneNumber": None, "SkypeName": None,
            "Total": 1, "Positive": 1, "Neutral": 0, "Negative": 0, "Ratings": 1, "Disputes": 0,
        },
    }  # fmt: skip


def test_a_cancelled_made_phonechat_booking_reads_as_in_seed_002():
    users = {123654: BOOKING_USER, 123456: BOOKED_USER}
    booking = Booking(
        service=Service.PHONECHAT, booking_id=1, client_id=123654, performer_id=123456,
        duration=15, credits=Decimal(8), status=Status.CANCELLED,
        create_date=utc(2018, 1, 20, 12, 34, 56, 789000), session_date=utc(2018, 1, 22, 21, 30),
        accept_by=utc(2018, 1, 22), cancelled_date=utc(2018, 1, 22, 18, 24, 11),
        cancelled_reason="I've had something come up", cancelled_by="BookingUser",
        last_updated=utc(2018, 1, 21, 13, 24, 5, 987000), method=1, phone_number="44...",
        comments="Hi, I had a great time last weekend, I want to do it again tonight!",
    )  # fmt: skip
    view = View(users, utc(2018, 1, 22, 18, 24, 11), LONDON).booking(booking, Direction.MADE)
    assert list(view) == [*PHONECHAT_FIELDS, "ActionClient", "Candidate"]
    assert view["CancelledDate"] == "2018-01-22T18:24:11"
    assert view["CancelledBy"] == "BookingUser"
    assert view["ActionClient"] is None
    assert view["Candidate"]["Nickname"] == "BookedUser"
    assert list(view["Candidate"]) == PHONECHAT_PARTY


def test_a_made_webcam_booking_carries_the_performer_as_in_seed_001():
    booking = Booking(
        service=Service.WEBCAM, booking_id=2, client_id=123654, performer_id=123456,
        duration=10, credits=Decimal(10), status=Status.PENDING,
        create_date=utc(2018, 1, 1, 11), session_date=utc(2018, 2, 1, 12),
        accept_by=utc(2018, 2, 1), is_multiple=True, sign_in_name_or_email="ClientUserOnSkype",
        also_phone_chat=True,
    )  # fmt: skip
    users = {123654: BOOKING_USER, 123456: JOSEPHENE}
    view = View(users, utc(2018, 1, 1, 11), LONDON).booking(booking, Direction.MADE)
    assert list(view) == [*WEBCAM_FIELDS, "Performer"]
    assert list(view["Performer"]) == WEBCAM_PARTY
    assert view["LastUpdated"] is None


@pytest.mark.parametrize(
    ("service", "direction", "fields", "party", "party_fields"),
    [
        ("webcam", "received", WEBCAM_FIELDS, "Client", WEBCAM_PARTY),
        ("webcam", "made", WEBCAM_FIELDS, "Performer", WEBCAM_PARTY),
        ("phonechat", "received", [*PHONECHAT_FIELDS, "ActionCandidate"], "Client",
         PHONECHAT_PARTY),
        ("phonechat", "made", [*PHONECHAT_FIELDS, "ActionClient"], "Candidate", PHONECHAT_PARTY),
    ],
)  # fmt: skip
def test_every_booking_over_http_has_exactly_the_seeds_fields(
    as_user, service, direction, fields, party, party_fields
):
    for booking in as_user(SCARLETT).bookings(service, direction):
        assert list(booking) == [*fields, party]
        assert list(booking[party]) == party_fields


@pytest.mark.parametrize(
    ("credits", "written"),
    [(Decimal("10.0000"), "10"), (Decimal("8.5"), "8.5"), (Decimal("8.1234"), "8.1234")],
)
def test_credits_are_json_numbers_without_needless_decimals(credits, written):
    assert dump_json({"Credits": credits}) == f'{{"Credits": {written}}}'.encode()


def test_the_xml_form_follows_the_data_contract_style():
    booking = Booking(
        service=Service.WEBCAM, booking_id=7, client_id=123456, performer_id=1, duration=10,
        credits=Decimal(10), status=Status.PENDING, create_date=utc(2018, 1, 1, 11),
        session_date=utc(2018, 2, 1, 12), accept_by=utc(2018, 2, 1),
    )  # fmt: skip
    payload = View(USERS, utc(2018, 1, 1, 11), LONDON).booking(booking, Direction.RECEIVED)
    namespace = "http://schemas.datacontract.org/2004/07/API.Models.Webcam.Received"
    document = to_xml(payload, "WebcamBooking", namespace)
    assert "<Credits>10.0000</Credits>" in document
    assert '<AcceptedDate i:nil="true" />' in document
    root = ET.fromstring(document)
    names = [element.tag.split("}")[1] for element in root]
    assert names == sorted(names)
    profile = "http://schemas.datacontract.org/2004/07/API.Models.Profile"
    assert root.find(f"{{{namespace}}}Client/{{{profile}}}Total").text == "6"
