"""The API's reads over HTTP: tokens and scopes, the four lists, details and the group twins."""

from datetime import date

import pytest
import requests

from tests.sandbox.conftest import (
    ARRAY,
    DETAIL_PATHS,
    ID_FIELD,
    IVY,
    JADE,
    LIST_PATHS,
    MANAGER,
    RUBY,
    SCARLETT,
    booking_id,
    local,
)

DENIED = {"Message": "Authorization has been denied for this request."}
SERVICES_AND_SIDES = list(LIST_PATHS)


# Tokens and scopes


def test_a_call_without_a_token_is_denied(server, control):
    answer = requests.get(server.url + "/v1/Webcam/ReceivedBookings", timeout=5)
    assert answer.status_code == 401
    assert answer.json() == DENIED
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"


def test_an_unknown_token_is_denied(server, control):
    answer = requests.get(
        server.url + "/v1/account/verifyCredentials",
        headers={"Authorization": "bearer not-a-token"},
        timeout=5,
    )
    assert (answer.status_code, answer.json()) == (401, DENIED)


def test_a_token_stops_working_when_it_expires(server, control):
    token = control.issue_token(user_id=SCARLETT, expires_in=60)["access_token"]

    def status() -> int:
        return requests.get(
            server.url + "/v1/account/verifyCredentials",
            headers={"Authorization": f"bearer {token}"},
            timeout=5,
        ).status_code

    control.set_clock(advance_seconds=59)
    assert status() == 200
    control.set_clock(advance_seconds=1)
    assert status() == 401


def test_access_tokens_last_twenty_minutes_by_default(control):
    assert control.issue_token(user_id=SCARLETT)["expires_in"] == 1200


@pytest.mark.parametrize("scheme", ["bearer", "Bearer", "BEARER"])
def test_the_authorization_scheme_ignores_case(server, control, scheme):
    token = control.issue_token(user_id=SCARLETT)["access_token"]
    answer = requests.get(
        server.url + "/v1/account/verifyCredentials",
        headers={"Authorization": f"{scheme} {token}"},
        timeout=5,
    )
    assert answer.status_code == 200


def test_webcam_calls_need_the_webcam_scope(as_user):
    api = as_user(SCARLETT, scope="account_phonechat_bookings")
    refused = api.get("/v1/Webcam/ReceivedBookings")
    assert refused.status_code == 403
    assert "account_webcam_bookings" in refused.json()["Message"]
    assert api.get("/v1/PhoneChat/ReceivedBookings").status_code == 200
    assert api.post("/v1/Webcam/RejectReceivedBooking", {}).status_code == 403


def test_phonechat_calls_need_the_phonechat_scope(as_user):
    api = as_user(SCARLETT, scope="account_webcam_bookings")
    refused = api.get("/v1/PhoneChat/MadeBookings")
    assert refused.status_code == 403
    assert "account_phonechat_bookings" in refused.json()["Message"]


def test_verify_credentials_names_the_user(as_user):
    answer = as_user(SCARLETT, scope="account_webcam_bookings").get("/v1/account/verifyCredentials")
    assert answer.json() == {"UserID": SCARLETT, "Nickname": "ScarlettRose"}


def test_verify_credentials_tells_the_group_with_the_account_information_scope(as_user):
    member = as_user(SCARLETT).get("/v1/account/verifyCredentials").json()
    manager = as_user(MANAGER).get("/v1/account/verifyCredentials").json()
    independent = as_user(IVY).get("/v1/account/verifyCredentials").json()
    assert member == {
        "UserID": SCARLETT,
        "Nickname": "ScarlettRose",
        "GroupID": 501,
        "GroupName": "Velvet Rooms",
        "IsGroupManager": False,
    }
    assert (manager["GroupID"], manager["IsGroupManager"]) == (501, True)
    assert (independent["GroupID"], independent["GroupName"]) == (None, None)
    assert independent["IsGroupManager"] is False


def test_an_unknown_path_is_not_found_and_a_wrong_method_not_allowed(scarlett):
    missing = scarlett.get("/v1/Webcam/NoSuchThing")
    assert missing.status_code == 404
    assert "No HTTP resource" in missing.json()["Message"]
    wrong = scarlett.post("/v1/Webcam/ReceivedBookings", {})
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "GET"


def test_paths_ignore_case_as_asp_net_routing_does(scarlett):
    assert scarlett.get("/v1/webcam/receivedbookings").status_code == 200


# The lists


@pytest.mark.parametrize(("service", "direction"), SERVICES_AND_SIDES)
def test_each_list_answers_an_envelope_with_one_array(scarlett, service, direction):
    envelope = scarlett.get(LIST_PATHS[(service, direction)]).json()
    assert list(envelope) == ["PageCount", "PageNumber", ARRAY[service]]
    assert envelope["PageNumber"] == 1
    assert envelope["PageCount"] >= 1
    assert all(ID_FIELD[service] in booking for booking in envelope[ARRAY[service]])


def test_lists_give_fifty_bookings_a_page_by_default(scarlett):
    envelope = scarlett.get("/v1/Webcam/ReceivedBookings", BookingsPerPage=5).json()
    assert len(envelope["WebcamBookings"]) == 5
    total = len(scarlett.bookings("webcam", "received"))
    default = scarlett.get("/v1/Webcam/ReceivedBookings").json()
    assert len(default["WebcamBookings"]) == min(total, 50)


@pytest.mark.parametrize(("service", "direction"), SERVICES_AND_SIDES)
def test_paging_never_repeats_or_skips_a_booking(scarlett, service, direction):
    path = LIST_PATHS[(service, direction)]
    everything = [booking_id(b) for b in scarlett.bookings(service, direction)]
    first = scarlett.get(path, BookingsPerPage=7).json()
    paged = []
    for page in range(1, first["PageCount"] + 1):
        paged += [
            booking_id(b)
            for b in scarlett.get(path, BookingsPerPage=7, PageNumber=page).json()[ARRAY[service]]
        ]
    assert paged == everything
    assert len(set(paged)) == len(paged)
    assert first["PageCount"] == -(-len(everything) // 7)


def test_a_page_beyond_the_last_is_empty(scarlett):
    envelope = scarlett.get("/v1/PhoneChat/ReceivedBookings", PageNumber=99).json()
    assert envelope["PageNumber"] == 99
    assert envelope["Bookings"] == []
    assert envelope["PageCount"] < 99


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/v1/Webcam/ReceivedBookings", "StartDate", "10/03/2026"),
        ("/v1/Webcam/ReceivedBookings", "StartDate", "2026-02-30"),
        ("/v1/Webcam/ReceivedBookings", "OrderBy", "price-asc"),
        ("/v1/Webcam/ReceivedBookings", "OrderBy", "date-desc"),
        ("/v1/PhoneChat/MadeBookings", "OrderBy", "createddate-desc"),
        ("/v1/Webcam/MadeBookings", "BookingsPerPage", "0"),
        ("/v1/Webcam/MadeBookings", "BookingsPerPage", "101"),
        ("/v1/PhoneChat/ReceivedBookings", "BookingsPerPage", "ten"),
        ("/v1/PhoneChat/ReceivedBookings", "PageNumber", "0"),
        ("/v1/PhoneChat/ReceivedBookings", "PageNumber", "-1"),
    ],
)
def test_a_bad_list_parameter_is_refused_by_name(scarlett, path, name, value):
    answer = scarlett.get(path, **{name: value})
    assert answer.status_code == 400
    assert name in answer.json()["Message"]


def test_a_hundred_bookings_a_page_is_the_most_allowed(scarlett):
    assert scarlett.get("/v1/Webcam/ReceivedBookings", BookingsPerPage=100).status_code == 200


def test_start_date_keeps_the_bookings_created_on_or_after_that_day(scarlett):
    everything = scarlett.bookings("webcam", "received")
    recent = scarlett.bookings("webcam", "received", StartDate="2026-03-05")
    assert 0 < len(recent) < len(everything)
    assert all(local(b["CreateDate"]).date() >= date(2026, 3, 5) for b in recent)
    assert len(recent) == sum(local(b["CreateDate"]).date() >= date(2026, 3, 5) for b in everything)


def _keys(bookings, field):
    return [(b[field], booking_id(b)) for b in bookings]


def test_webcam_lists_are_newest_first_by_default(scarlett):
    bookings = scarlett.bookings("webcam", "received")
    assert _keys(bookings, "CreateDate") == sorted(_keys(bookings, "CreateDate"), reverse=True)


def test_phonechat_lists_are_newest_first_by_default(scarlett):
    bookings = scarlett.bookings("phonechat", "received")
    assert _keys(bookings, "CreateDate") == sorted(_keys(bookings, "CreateDate"), reverse=True)


@pytest.mark.parametrize(
    ("service", "order_by", "field"),
    [
        ("webcam", "createddate-asc", "CreateDate"),
        ("phonechat", "date-asc", "CreateDate"),
        ("phonechat", "sessiondate-asc", "SessionDate"),
        ("phonechat", "sessiondate-desc", "SessionDate"),
    ],
)
def test_lists_sort_by_the_chosen_date_then_by_id(scarlett, service, order_by, field):
    bookings = scarlett.bookings(service, "received", OrderBy=order_by)
    keys = [(local(b[field]), booking_id(b)) for b in bookings]
    assert keys == sorted(keys, reverse=order_by.endswith("desc"))


def test_accept_date_order_puts_never_accepted_bookings_first_going_up(scarlett):
    bookings = scarlett.bookings("webcam", "received", OrderBy="acceptdate-asc")
    keys = [
        (b["AcceptedDate"] is not None, b["AcceptedDate"] or "", booking_id(b)) for b in bookings
    ]
    assert keys == sorted(keys)
    assert bookings[0]["AcceptedDate"] is None
    downwards = scarlett.bookings("webcam", "received", OrderBy="AcceptDate-Desc")
    assert [booking_id(b) for b in downwards] == [booking_id(b) for b in reversed(bookings)]


@pytest.mark.parametrize(("service", "party"), [("webcam", "Client"), ("phonechat", "Client")])
def test_nickname_order_sorts_by_the_other_party_then_by_id(scarlett, service, party):
    bookings = scarlett.bookings(service, "received", OrderBy="nickname-asc")
    keys = [(b[party]["Nickname"].casefold(), booking_id(b)) for b in bookings]
    assert keys == sorted(keys)
    made = scarlett.bookings("webcam", "made", OrderBy="nickname-desc")
    names = [b["Performer"]["Nickname"].casefold() for b in made]
    assert names == sorted(names, reverse=True)


# Details


@pytest.mark.parametrize(("service", "direction"), SERVICES_AND_SIDES)
def test_details_answer_the_booking_as_the_list_shows_it(scarlett, service, direction):
    listed = scarlett.bookings(service, direction)[0]
    answer = scarlett.get(DETAIL_PATHS[(service, direction)], BookingID=booking_id(listed))
    assert answer.status_code == 200
    assert answer.json() == listed


def test_details_of_someone_elses_booking_are_not_found(scarlett, as_user):
    jades = as_user(JADE).bookings("webcam", "received")[0]
    answer = scarlett.get("/v1/Webcam/ReceivedBookingDetails", BookingID=booking_id(jades))
    assert answer.status_code == 404
    assert answer.json() == {"Message": "Booking not found."}


def test_details_of_a_received_booking_are_not_found_on_the_made_side(scarlett):
    received = scarlett.bookings("phonechat", "received")[0]
    answer = scarlett.get("/v1/PhoneChat/MadeBookingDetails", BookingID=booking_id(received))
    assert answer.status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "1.5"])
def test_details_need_a_whole_number_booking_id(scarlett, value):
    answer = scarlett.get("/v1/Webcam/ReceivedBookingDetails", BookingID=value)
    assert answer.status_code == 400
    assert "BookingID" in answer.json()["Message"]


# The group twins


def test_a_group_manager_lists_a_members_made_bookings(as_user):
    manager = as_user(MANAGER)
    for service, path in (
        ("webcam", "/v1/Groups/Webcam/MadeBookings"),
        ("phonechat", "/v1/Groups/PhoneChat/MadeBookings"),
    ):
        answer = manager.get(path, UserID=RUBY, BookingsPerPage=100)
        assert answer.status_code == 200
        mine = as_user(RUBY).bookings(service, "made")
        assert answer.json()[ARRAY[service]] == mine


@pytest.mark.parametrize(
    ("path", "service", "direction"),
    [
        ("/v1/Groups/Webcam/MadeBookingDetails", "webcam", "made"),
        ("/v1/Groups/Webcam/ReceivedBookingDetails", "webcam", "received"),
        ("/v1/Groups/PhoneChat/MadeBookingDetails", "phonechat", "made"),
    ],
)
def test_a_group_manager_reads_a_members_booking_details(as_user, path, service, direction):
    booking = as_user(JADE).bookings(service, direction)[0]
    answer = as_user(MANAGER).get(path, UserID=JADE, BookingID=booking_id(booking))
    assert answer.status_code == 200
    assert answer.json() == booking


def test_group_twins_are_refused_to_anyone_but_the_members_manager(as_user):
    path = "/v1/Groups/Webcam/MadeBookings"
    member = as_user(SCARLETT).get(path, UserID=JADE)
    assert member.status_code == 403
    assert member.json()["Message"]
    outsider = as_user(MANAGER).get(path, UserID=IVY)
    assert outsider.status_code == 403


def test_group_twins_need_the_member_user_id(as_user):
    answer = as_user(MANAGER).get("/v1/Groups/PhoneChat/MadeBookings")
    assert answer.status_code == 400
    assert "UserID" in answer.json()["Message"]


def test_there_is_no_group_twin_for_received_lists(as_user):
    answer = as_user(MANAGER).get("/v1/Groups/Webcam/ReceivedBookings", UserID=JADE)
    assert answer.status_code == 404
