"""gateway.parsing: AdultWork's answers into records, without HTTP."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway import Booking, DeleteResult, Identity, Party, TokenSet, UnreadableAnswer
from gateway.parsing import (
    encode_body,
    format_date,
    format_request_datetime,
    load_json,
    parse_booking,
    parse_booking_page,
    parse_datetime,
    parse_delete_results,
    parse_identity,
    parse_token_set,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

# The five response samples of shared/seeds, verbatim but for the typos the README lists.

SEED_000_REJECT_RECEIVED_WEBCAM = """
{
    "WebcamBookingID": 1,
    "Duration": 10,
    "Credits": 10,
    "Status": "Rejected",
    "IsMulitple": true,
    "SoftwareTypeID": 3,
    "SignInNameOrEmail": "PerformingUserOnSkype",
"AlsoPhoneChat": true, "CreateDate": "2018-01-01T11:00",
"SessionDate": "2018-02-01T12:00",
"AcceptBy": "2018-02-01T00:00",
"AcceptedDate": "2018-01-01T15:00", "ConfirmedDate": null, "CancelledDate": null,
"CancelledReason": null, "CancelledBy": null,
"RejectedReason": "I have a photo-shoot at that time, can't make it. Sorry xxx",
"LastUpdated": "2018-01-01T16:00",
"Client": { "UserID": 123456, "Nickname": "JosepheneBlogs",
"LastAccessedFrom": "UK", "SignInNameOrEmail": null,
"PhoneNumber": null,
"Total": 6, "Positive": 7, "Neutral": 1, "Negative": 0, "Ratings": 8, "Disputes": 0 } }
"""

SEED_001_RESCHEDULE_MADE_WEBCAM = """
{
    "WebcamBookingID": 2,
    "Duration": 10,
    "Credits": 10,
    "Status": "Pending",
    "IsMulitple": true,
    "SoftwareTypeID": 3,
    "SignInNameOrEmail": "ClientUserOnSkype",
    "AlsoPhoneChat": true,
    "CreateDate": "2018-01-01T11:00",
    "SessionDate": "2018-02-01T12:00",
    "AcceptBy": "2018-02-01T00:00",
    "AcceptedDate": null,
    "ConfirmedDate": null,
    "CancelledDate": null,
    "CancelledReason": null,
    "CancelledBy": null,
    "RejectedReason": null,
    "LastUpdated": null,
    "Performer": {
        "UserID": 123456,
        "Nickname": "JosepheneBlogs",
        "SignInNameOrEmail": null,
        "PhoneNumber": null,
        "Total": 6,
        "Positive": 7,
        "Neutral": 1,
        "Negative": 0,
        "Ratings": 8,
        "Disputes": 0
    }
}
"""

# Mended: the comma missing after "CancelledBy".
SEED_002_CANCEL_MADE_PHONECHAT = """
{
    "BookingID": 1,
    "Duration": 15,
    "Credits": 8,
    "Status": "Cancelled",
    "Method": 1,
    "PhoneNumber": "44...",
    "SkypeName": null,
    "CreateDate": "2018-01-20T12:34:56.789",
    "SessionDate": "2018-01-22T21:30:00",
    "AcceptBy": "2018-01-22T00:00:00",
    "AcceptedDate": null,
    "ConfirmedDate": null,
    "CancelledDate": "2018-01-22T18:24:11",
    "CancelledReason": "I've had something come up",
    "CancelledBy": "BookingUser",
    "RejectedReason": null,
    "LastUpdated": "2018-01-21T13:24:05.987",
    "Comments": "Hi, I had a great time last weekend, I want to do it again tonight!",
    "ActionClient": null,
    "Candidate": {
        "UserID": 123456,
        "Nickname": "BookedUser",
        "PhoneNumber": null,
        "SkypeName": null,
        "Total": 6,
        "Positive": 7,
        "Neutral": 0,
        "Negative": 1,
        "Ratings": 8,
        "Disputes": 0
    }
}
"""

SEED_003_ACCEPT_RECEIVED_PHONECHAT = """
{
    "BookingID": 1,
    "Duration": 15,
    "Credits": 8,
    "Status": "Accepted",
    "Method": 1,
    "PhoneNumber": null,
    "SkypeName": null,
    "CreateDate": "2018-01-20T12:34:56.789",
    "SessionDate": "2018-01-22T21:30:00",
    "AcceptBy": "2018-01-22T00:00:00",
    "AcceptedDate": "2018-01-21T13:24:05.987",
    "ConfirmedDate": null,
    "CancelledDate": null,
    "CancelledReason": null,
    "CancelledBy": null,
    "RejectedReason": null,
    "LastUpdated": "2018-01-21T13:24:05.987",
    "Comments": null,
    "ActionCandidate": "BookingUser Needs to Confirm",
    "Client": {
        "UserID": 123654,
        "Nickname": "BookingUser",
        "PhoneNumber": null,
        "SkypeName": null,
        "Total": 1,
        "Positive": 1,
        "Neutral": 0,
        "Negative": 0,
        "Ratings": 1,
        "Disputes": 0
    }
}
"""

SEED_004_REINVITE_RECEIVED_PHONECHAT = """
{
    "BookingID": 1,
    "Duration": 15,
    "Credits": 8,
    "Status": "Rejected",
    "Method": 1,
    "PhoneNumber": null,
    "SkypeName": null,
    "CreateDate": "2018-01-20T12:34:56.789",
    "SessionDate": "2018-01-22T21:30:00",
    "AcceptBy": "2018-01-22T00:00:00",
    "AcceptedDate": null,
    "ConfirmedDate": null,
    "CancelledDate": null,
    "CancelledReason": null,
    "CancelledBy": null,
    "RejectedReason": "I don't have time at the scheduled date",
    "LastUpdated": "2018-01-21T13:24:05.987",
    "Comments": null,
    "ActionCandidate": null,
    "Client": {
        "UserID": 123654,
        "Nickname": "BookingUser",
        "PhoneNumber": null,
        "SkypeName": null,
        "Total": 1,
        "Positive": 1,
        "Neutral": 0,
        "Negative": 0,
        "Ratings": 1,
        "Disputes": 0
    }
}
"""


def booking(text: str, direction: str = "received", tz: ZoneInfo = LONDON) -> Booking:
    return parse_booking(load_json(text), direction=direction, tz=tz)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def minimal(**fields: object) -> dict[str, object]:
    return {"BookingID": 7, "Status": "Pending", "Duration": 15, "Credits": 8, **fields}


# --- the five seed samples --------------------------------------------------------------------


def test_the_reject_sample_becomes_a_received_webcam_booking_field_for_field() -> None:
    assert booking(SEED_000_REJECT_RECEIVED_WEBCAM) == Booking(
        service="webcam",
        direction="received",
        remote_id=1,
        status="Rejected",
        duration_minutes=10,
        credits=Decimal(10),
        created_at=london(2018, 1, 1, 11, 0),
        session_at=london(2018, 2, 1, 12, 0),
        accept_by=london(2018, 2, 1, 0, 0),
        accepted_at=london(2018, 1, 1, 15, 0),
        confirmed_at=None,
        cancelled_at=None,
        last_updated=london(2018, 1, 1, 16, 0),
        cancelled_reason=None,
        cancelled_by=None,
        rejected_reason="I have a photo-shoot at that time, can't make it. Sorry xxx",
        is_multiple=True,
        software_type=3,
        sign_in_name_or_email="PerformingUserOnSkype",
        also_phonechat=True,
        method=None,
        phone_number=None,
        skype_name=None,
        comments=None,
        action_needed=None,
        other_party=Party(
            user_id=123456,
            nickname="JosepheneBlogs",
            last_accessed_from="UK",
            sign_in_name_or_email=None,
            phone_number=None,
            skype_name=None,
            feedback_total=6,
            feedback_positive=7,
            feedback_neutral=1,
            feedback_negative=0,
            ratings=8,
            disputes=0,
        ),
        raw=json.loads(SEED_000_REJECT_RECEIVED_WEBCAM),
    )


def test_the_reschedule_sample_becomes_a_made_webcam_booking_with_its_performer() -> None:
    made = booking(SEED_001_RESCHEDULE_MADE_WEBCAM, "made")

    assert (made.service, made.direction, made.remote_id, made.status) == (
        "webcam",
        "made",
        2,
        "Pending",
    )
    assert made.accepted_at is None
    assert made.last_updated is None
    assert made.sign_in_name_or_email == "ClientUserOnSkype"
    assert made.other_party is not None
    assert made.other_party.nickname == "JosepheneBlogs"
    assert made.other_party.last_accessed_from is None  # absent from this sample


def test_the_cancel_sample_becomes_a_made_phonechat_booking_with_its_candidate() -> None:
    made = booking(SEED_002_CANCEL_MADE_PHONECHAT, "made")

    assert (made.service, made.remote_id, made.status) == ("phonechat", 1, "Cancelled")
    assert (made.duration_minutes, made.credits, made.method) == (15, Decimal(8), 1)
    assert made.phone_number == "44..."
    assert made.created_at == london(2018, 1, 20, 12, 34, 56, 789000)
    assert made.cancelled_at == london(2018, 1, 22, 18, 24, 11)
    assert made.cancelled_reason == "I've had something come up"
    assert made.cancelled_by == "BookingUser"
    assert made.comments == "Hi, I had a great time last weekend, I want to do it again tonight!"
    assert made.action_needed is None
    assert made.is_multiple is None  # webcam-only fields stay empty on PhoneChat
    assert made.other_party == Party(
        user_id=123456,
        nickname="BookedUser",
        last_accessed_from=None,
        sign_in_name_or_email=None,
        phone_number=None,
        skype_name=None,
        feedback_total=6,
        feedback_positive=7,
        feedback_neutral=0,
        feedback_negative=1,
        ratings=8,
        disputes=0,
    )


def test_the_accept_sample_carries_what_the_performer_must_do_next() -> None:
    received = booking(SEED_003_ACCEPT_RECEIVED_PHONECHAT)

    assert (received.service, received.status) == ("phonechat", "Accepted")
    assert received.action_needed == "BookingUser Needs to Confirm"
    assert received.accepted_at == london(2018, 1, 21, 13, 24, 5, 987000)
    assert received.other_party is not None
    assert (received.other_party.user_id, received.other_party.nickname) == (
        123654,
        "BookingUser",
    )


def test_the_reinvite_sample_becomes_a_rejected_received_phonechat_booking() -> None:
    received = booking(SEED_004_REINVITE_RECEIVED_PHONECHAT)

    assert (received.service, received.status) == ("phonechat", "Rejected")
    assert received.rejected_reason == "I don't have time at the scheduled date"
    assert received.action_needed is None
    assert received.session_at == london(2018, 1, 22, 21, 30)


def test_the_raw_booking_is_kept_as_received_misspellings_included() -> None:
    received = booking(SEED_000_REJECT_RECEIVED_WEBCAM)

    assert received.raw["IsMulitple"] is True
    assert received.raw["Client"]["Nickname"] == "JosepheneBlogs"


# --- booking objects --------------------------------------------------------------------------


def test_unknown_fields_are_ignored_and_missing_optional_ones_become_none() -> None:
    parsed = parse_booking(minimal(SomethingNew=[1, 2]), direction="made", tz=LONDON)

    assert parsed.remote_id == 7
    assert parsed.session_at is None
    assert parsed.other_party is None
    assert parsed.comments is None


@pytest.mark.parametrize("field", ["BookingID", "Status", "Duration", "Credits"])
def test_a_booking_without_its_id_status_duration_or_credits_is_unreadable(field: str) -> None:
    data = minimal()
    del data[field]

    with pytest.raises(UnreadableAnswer, match=field):
        parse_booking(data, direction="made", tz=LONDON)


def test_a_webcam_booking_is_told_apart_by_its_webcam_booking_id() -> None:
    data = minimal(WebcamBookingID=9)
    del data["BookingID"]

    assert parse_booking(data, direction="made", tz=LONDON).service == "webcam"


@pytest.mark.parametrize(
    ("field", "value"),
    [("Duration", "ten"), ("Credits", "lots"), ("Credits", True), ("IsMulitple", "yes")],
)
def test_a_field_of_the_wrong_type_is_unreadable(field: str, value: object) -> None:
    with pytest.raises(UnreadableAnswer, match=field):
        parse_booking(minimal(**{field: value}), direction="made", tz=LONDON)


def test_a_booking_that_is_not_an_object_is_unreadable() -> None:
    with pytest.raises(UnreadableAnswer, match="booking"):
        parse_booking(["BookingID", 1], direction="made", tz=LONDON)


def test_an_other_party_without_feedback_counts_counts_zero() -> None:
    parsed = parse_booking(
        minimal(Client={"UserID": 5, "Nickname": "New"}), direction="received", tz=LONDON
    )

    assert parsed.other_party is not None
    assert parsed.other_party.feedback_total == 0
    assert parsed.other_party.disputes == 0


# --- credits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", "10"), ("8.0000", "8.0000"), ("8.5", "8.5"), ("0.1", "0.1"), ('"12.35"', "12.35")],
)
def test_credits_never_pass_through_float(text: str, expected: str) -> None:
    parsed = parse_booking(
        load_json(f'{{"BookingID": 1, "Status": "Pending", "Duration": 5, "Credits": {text}}}'),
        direction="received",
        tz=LONDON,
    )

    assert isinstance(parsed.credits, Decimal)
    assert str(parsed.credits) == expected


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_any_credit_amount_survives_the_trip_to_adultwork_and_back(credits: Decimal) -> None:
    body = encode_body({"BookingID": 1, "Status": "Pending", "Duration": 5, "Credits": credits})

    parsed = parse_booking(load_json(body), direction="received", tz=LONDON)

    assert parsed.credits == credits
    assert str(parsed.credits) == format(credits, "f")


def test_request_bodies_write_credits_digit_for_digit() -> None:
    body = encode_body({"BookingID": 1, "Credits": Decimal("8.50"), "Reason": 'say "hi"'})

    assert body == b'{"BookingID": 1, "Credits": 8.50, "Reason": "say \\"hi\\""}'


def test_a_credit_amount_that_is_not_a_number_is_never_sent() -> None:
    with pytest.raises(ValueError, match="NaN"):
        encode_body({"Credits": Decimal("NaN")})


def test_nan_in_an_answer_is_unreadable() -> None:
    with pytest.raises(UnreadableAnswer):
        load_json('{"Credits": NaN}')


# --- dates and times --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-01-01T11:00", datetime(2018, 1, 1, 11, 0, tzinfo=UTC)),
        ("2018-01-20T12:34:56.789", datetime(2018, 1, 20, 12, 34, 56, 789000, tzinfo=UTC)),
        ("2018-01-22T21:30:00", datetime(2018, 1, 22, 21, 30, tzinfo=UTC)),
        ("2018-07-01T12:00", datetime(2018, 7, 1, 11, 0, tzinfo=UTC)),  # summer time
        ("2018-07-01T12:00:00.1234567", datetime(2018, 7, 1, 11, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_remote_datetimes_are_read_as_aware_london_times(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, LONDON)

    assert parsed is not None
    assert parsed.tzinfo is LONDON
    assert parsed.astimezone(UTC) == expected


def test_a_time_in_the_spring_gap_is_moved_forward_by_the_gap() -> None:
    # On 2026-03-29 London's clocks jump from 01:00 to 02:00: no clock ever showed 01:30.
    parsed = parse_datetime("2026-03-29T01:30", LONDON)

    assert parsed is not None
    assert (parsed.hour, parsed.minute, parsed.utcoffset()) == (2, 30, timedelta(hours=1))
    assert parsed.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_time_in_the_autumn_fold_is_taken_as_its_first_occurrence() -> None:
    # On 2026-10-25 London's clocks go back from 02:00 to 01:00: 01:30 happens twice.
    parsed = parse_datetime("2026-10-25T01:30", LONDON)

    assert parsed is not None
    assert (parsed.fold, parsed.utcoffset()) == (0, timedelta(hours=1))
    assert parsed.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_times_either_side_of_the_clock_changes_keep_their_own_offset() -> None:
    before_spring = parse_datetime("2026-03-29T00:59", LONDON)
    after_autumn = parse_datetime("2026-10-25T02:00", LONDON)

    assert before_spring is not None
    assert after_autumn is not None
    assert before_spring.astimezone(UTC) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert after_autumn.astimezone(UTC) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_another_zone_gets_the_same_clock_change_rules() -> None:
    # New York springs forward at 02:00 on 2026-03-08 and falls back at 02:00 on 2026-11-01.
    gap = parse_datetime("2026-03-08T02:30", NEW_YORK)
    fold = parse_datetime("2026-11-01T01:30", NEW_YORK)
    winter = parse_datetime("2026-01-15T09:00", NEW_YORK)

    assert gap is not None
    assert fold is not None
    assert winter is not None
    assert (gap.hour, gap.astimezone(UTC)) == (3, datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
    assert fold.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 1, 15, 14, 0, tzinfo=UTC)


def test_a_booking_is_read_in_the_zone_it_is_given() -> None:
    parsed = booking(SEED_003_ACCEPT_RECEIVED_PHONECHAT, tz=NEW_YORK)

    assert parsed.session_at == datetime(2018, 1, 22, 21, 30, tzinfo=NEW_YORK)
    assert parsed.session_at.astimezone(UTC) == datetime(2018, 1, 23, 2, 30, tzinfo=UTC)


def test_a_datetime_that_does_carry_an_offset_keeps_its_moment() -> None:
    parsed = parse_datetime("2018-07-01T12:00:00Z", LONDON)

    assert parsed is not None
    assert parsed.astimezone(UTC) == datetime(2018, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_datetime_is_none(value: object) -> None:
    assert parse_datetime(value, LONDON) is None


@pytest.mark.parametrize("value", ["next Tuesday", "2018-13-01T00:00", 20180101])
def test_a_datetime_that_cannot_be_read_is_unreadable(value: object) -> None:
    with pytest.raises(UnreadableAnswer, match="date"):
        parse_datetime(value, LONDON)


def test_request_datetimes_are_written_on_the_remote_clock() -> None:
    moment = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)

    assert format_request_datetime(moment, LONDON) == "2026-07-01 13:05"


def test_a_naive_request_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_request_datetime(datetime(2026, 7, 1, 12, 5), LONDON)


def test_date_filters_are_written_year_month_day() -> None:
    assert format_date(date(2026, 1, 2)) == "2026-01-02"


# --- list envelopes ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["WebcamBookings", "Bookings", "Items"])
def test_the_page_finds_its_one_array_whatever_its_name(name: str) -> None:
    envelope = {"PageCount": 3, "PageNumber": 2, name: [minimal(), minimal(BookingID=8)]}

    page = parse_booking_page(envelope, direction="received", tz=LONDON)

    assert (page.page_count, page.page_number) == (3, 2)
    assert [b.remote_id for b in page.bookings] == [7, 8]
    assert {b.direction for b in page.bookings} == {"received"}


def test_an_empty_page_has_no_bookings() -> None:
    envelope = {"PageCount": 0, "PageNumber": 1, "TotalCount": 0, "Bookings": []}

    assert parse_booking_page(envelope, direction="made", tz=LONDON).bookings == []


@pytest.mark.parametrize(
    "envelope",
    [
        {"PageCount": 1, "PageNumber": 1},
        {"PageCount": 1, "PageNumber": 1, "Bookings": [], "Warnings": []},
        [minimal()],
    ],
    ids=["no array", "two arrays", "no envelope"],
)
def test_a_page_without_exactly_one_array_is_unreadable(envelope: object) -> None:
    with pytest.raises(UnreadableAnswer, match="page of bookings"):
        parse_booking_page(envelope, direction="made", tz=LONDON)


def test_a_page_with_something_else_than_bookings_in_its_array_is_unreadable() -> None:
    with pytest.raises(UnreadableAnswer):
        parse_booking_page(
            {"PageCount": 1, "PageNumber": 1, "Bookings": [1, 2]}, direction="made", tz=LONDON
        )


# --- other answers ----------------------------------------------------------------------------


def test_delete_answers_one_result_per_booking() -> None:
    answer = load_json(
        '[{"BookingID": 1, "Deleted": true, "Message": null},'
        ' {"BookingID": 2, "Deleted": false, "Message": "The booking is still pending."}]'
    )

    assert parse_delete_results(answer) == [
        DeleteResult(booking_id=1, deleted=True, message=None),
        DeleteResult(booking_id=2, deleted=False, message="The booking is still pending."),
    ]


def test_a_delete_answer_that_is_not_a_list_is_unreadable() -> None:
    with pytest.raises(UnreadableAnswer, match="delete"):
        parse_delete_results({"BookingID": 1, "Deleted": True})


def test_verify_credentials_tells_whose_token_it_is_and_their_group() -> None:
    answer = {"UserID": 42, "Nickname": "Ann", "GroupID": 7, "GroupName": "Stars"}

    assert parse_identity(answer | {"IsGroupManager": True}) == Identity(
        user_id=42, nickname="Ann", group_id=7, group_name="Stars", is_group_manager=True
    )
    assert parse_identity({"UserID": 42}) == Identity(
        user_id=42, nickname=None, group_id=None, group_name=None, is_group_manager=False
    )


def test_a_token_answer_becomes_a_token_set_whose_repr_hides_the_tokens() -> None:
    tokens = parse_token_set(
        {
            "access_token": "access-secret",
            "refresh_token": "refresh-secret",
            "token_type": "bearer",
            "expires_in": 3600,
        }
    )

    assert tokens == TokenSet("access-secret", "refresh-secret", "bearer", 3600, None)
    assert "secret" not in repr(tokens)
    assert "secret" not in str(tokens)


def test_a_refresh_answer_without_a_new_refresh_token_keeps_the_old_one() -> None:
    tokens = parse_token_set(
        {"access_token": "a", "expires_in": 60}, previous_refresh_token="old-refresh"
    )

    assert (tokens.refresh_token, tokens.token_type) == ("old-refresh", "bearer")


def test_a_token_answer_without_an_access_token_is_unreadable_and_shows_no_token() -> None:
    with pytest.raises(UnreadableAnswer) as raised:
        parse_token_set({"access_token": 12345678, "refresh_token": "refresh-secret"})

    assert "12345678" not in str(raised.value)
    assert "refresh-secret" not in repr(raised.value)


# --- answers that are not JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'<?xml version="1.0"?><WebcamBooking><Status>Pending</Status></WebcamBooking>', "XML"),
        (b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>", "web page"),
        (b"\x00\xffgarbage{", "cannot read"),
        (b"", "empty"),
        (b'{"PageCount": 1,', "cannot read"),
    ],
    ids=["xml", "html", "garbage", "empty", "truncated"],
)
def test_an_answer_that_is_not_json_is_unreadable_with_a_readable_message(
    body: bytes, says: str
) -> None:
    with pytest.raises(UnreadableAnswer, match=says) as raised:
        load_json(body)

    assert raised.value.message.startswith("AdultWork ")
    assert raised.value.message.endswith(".")
