import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Direction, Service, Status
from tests.factories import AccountFactory, BookingFactory

LISTS = [
    (Service.WEBCAM, Direction.RECEIVED),
    (Service.WEBCAM, Direction.MADE),
    (Service.PHONECHAT, Direction.RECEIVED),
    (Service.PHONECHAT, Direction.MADE),
]


def list_url(service=Service.WEBCAM, direction=Direction.RECEIVED) -> str:
    return reverse("bookings:list", args=[service, direction])


def test_each_list_is_titled_and_the_switcher_names_every_list_shortly(client, owner, account):
    client.force_login(owner)
    response = client.get(list_url(Service.PHONECHAT, Direction.MADE))
    assert "<h1>PhoneChat bookings made</h1>" in response.text
    switcher = re.findall(r'<a href="/bookings/[a-z]+/[a-z]+/"[^>]*>([^<]+)</a>', response.text)
    assert switcher[:4] == [
        "Webcam received",
        "Webcam made",
        "PhoneChat received",
        "PhoneChat made",
    ]
    assert 'aria-current="page">PhoneChat made</a>' in response.text


@pytest.mark.parametrize(("service", "direction"), LISTS)
def test_each_list_shows_only_its_own_service_and_direction(
    client, owner, account, service, direction
):
    for other_service, other_direction in LISTS:
        BookingFactory(
            account=account,
            service=other_service,
            direction=other_direction,
            party_nickname=f"{other_service}-{other_direction}",
        )
    client.force_login(owner)
    response = client.get(list_url(service, direction))
    assert response.status_code == 200
    assert f"{service}-{direction}" in response.text
    shown = [name for name in (f"{s}-{d}" for s, d in LISTS) if name in response.text]
    assert shown == [f"{service}-{direction}"]


def test_rows_carry_the_id_htmx_will_swap(client, owner, account):
    booking = BookingFactory(account=account)
    client.force_login(owner)
    response = client.get(list_url())
    assert f'id="booking-{booking.pk}"' in response.text


def test_owner_and_granted_staff_see_the_account_and_an_outsider_does_not(
    client, owner, staff, outsider, account
):
    BookingFactory(account=account, party_nickname="SeenByTheRightPeople")
    for user, sees in ((owner, True), (staff, True), (outsider, False)):
        client.force_login(user)
        response = client.get(list_url())
        assert response.status_code == 200
        assert ("SeenByTheRightPeople" in response.text) is sees, user.username


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(list_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_status_filter_keeps_only_that_status(client, owner, account):
    BookingFactory(account=account, status=Status.PENDING, party_nickname="StillPending")
    BookingFactory(account=account, status=Status.CANCELLED, party_nickname="GoneAway")
    client.force_login(owner)
    response = client.get(list_url(), {"status": "Cancelled"})
    assert "GoneAway" in response.text
    assert "StillPending" not in response.text


def test_account_filter_keeps_only_that_account(client, owner, account):
    other = AccountFactory(owner=owner, nickname="SecondAccount")
    BookingFactory(account=account, party_nickname="OnTheFirst")
    BookingFactory(account=other, party_nickname="OnTheSecond")
    client.force_login(owner)
    response = client.get(list_url(), {"account": other.pk})
    assert "OnTheSecond" in response.text
    assert "OnTheFirst" not in response.text


def test_sort_by_session_date_puts_the_soonest_first(client, owner, account, now):
    BookingFactory(account=account, session_at=now + timedelta(days=3), party_nickname="Later")
    BookingFactory(account=account, session_at=now + timedelta(days=1), party_nickname="Sooner")
    client.force_login(owner)
    text = client.get(list_url(), {"sort": "session"}).text
    assert text.index("Sooner") < text.index("Later")
    text = client.get(list_url(), {"sort": "-session"}).text
    assert text.index("Later") < text.index("Sooner")


def test_sort_by_accept_by_puts_the_nearest_deadline_first(client, owner, account, now):
    BookingFactory(account=account, accept_by=now + timedelta(hours=9), party_nickname="Relaxed")
    BookingFactory(account=account, accept_by=now + timedelta(hours=1), party_nickname="Urgent")
    client.force_login(owner)
    text = client.get(list_url(), {"sort": "accept_by"}).text
    assert text.index("Urgent") < text.index("Relaxed")


def test_pages_hold_twenty_five_bookings_and_link_to_the_next(client, owner, account, now):
    for minutes in range(30):
        BookingFactory(account=account, session_at=now + timedelta(minutes=minutes))
    client.force_login(owner)
    first = client.get(list_url())
    assert first.text.count("data-booking-row") == 25
    assert 'rel="next"' in first.text
    second = client.get(list_url(), {"page": 2})
    assert second.text.count("data-booking-row") == 5
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


def test_a_page_past_the_end_says_so_and_links_back(client, owner, account):
    BookingFactory(account=account)
    client.force_login(owner)
    response = client.get(list_url(), {"page": 7})
    assert response.status_code == 200
    assert "No bookings on this page" in response.text


@pytest.mark.parametrize("page", ["-1", "abc", "0", "", "1e9", "99999999999999999999"])
def test_a_page_that_is_not_a_page_number_gives_a_page_not_an_error(client, owner, account, page):
    BookingFactory(account=account, party_nickname="StillShown")
    client.force_login(owner)
    response = client.get(list_url(), {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "value"), [("status", "nonsense"), ("sort", "drop")])
def test_an_unknown_filter_falls_back_with_a_clear_message(client, owner, account, name, value):
    BookingFactory(account=account, party_nickname="StillShown")
    client.force_login(owner)
    response = client.get(list_url(), {name: value})
    assert response.status_code == 200
    assert "StillShown" in response.text
    assert f"“{value}” is not a valid {name}" in response.text


@pytest.mark.parametrize("value", ["abc", "-3", "999999"])
def test_an_account_that_is_not_yours_is_not_found(client, owner, outsider, value):
    theirs = AccountFactory(owner=outsider)
    client.force_login(owner)
    assert client.get(list_url(), {"account": theirs.pk}).status_code == 404
    assert client.get(list_url(), {"account": value}).status_code == 404


def test_an_htmx_filter_change_gets_only_the_results(client, owner, account):
    BookingFactory(account=account, party_nickname="InTheFragment")
    client.force_login(owner)
    response = client.get(
        list_url(), {"status": "Pending"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "InTheFragment" in response.text
    assert "<html" not in response.text
    # The fragment is what goes inside #results, never a second #results.
    assert 'id="results"' not in response.text


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(client, owner, account, now):
    BookingFactory(account=account)
    client.force_login(owner)
    client.cookies["tz"] = "America/New_York"
    assert "America/New_York" in client.get(list_url()).text
    client.cookies["tz"] = "Not/AZone"
    assert "Europe/London" in client.get(list_url()).text


def test_credits_keep_their_decimals(client, owner, account):
    BookingFactory(account=account, credits="8.5000")
    client.force_login(owner)
    assert '<td class="c-cr">8.5</td>' in client.get(list_url()).text


def test_pending_received_bookings_say_how_long_is_left_to_accept(client, owner, account, now):
    BookingFactory(account=account, accept_by=now + timedelta(hours=2, minutes=10, seconds=30))
    client.force_login(owner)
    assert "<span>accept within </span>2\u00a0h 10\u00a0min" in client.get(list_url()).text


def test_the_list_says_when_its_accounts_were_last_synced(client, owner, account):
    client.force_login(owner)
    assert "not synced yet" in client.get(list_url()).text


@pytest.mark.parametrize(("service", "direction"), LISTS)
def test_the_number_of_queries_is_small_and_does_not_grow_with_the_rows(
    client, owner, account, service, direction
):
    client.force_login(owner)
    BookingFactory.create_batch(3, account=account, service=service, direction=direction)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(service, direction))
    BookingFactory.create_batch(40, account=account, service=service, direction=direction)
    with CaptureQueriesContext(connection) as many:
        client.get(list_url(service, direction))
    assert len(few.captured_queries) <= 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_list_pages_render_from_the_local_copy_with_the_sandbox_stopped(
    db, client, owner, settings
):
    from bookings.sync import sync_account
    from sandbox.control import SandboxControl
    from sandbox.server import SandboxServer
    from tests.conftest import connect

    server = SandboxServer(port=0).start()
    try:
        settings.ADULTWORK_API_URL = settings.ADULTWORK_AUTH_URL = server.url
        control = SandboxControl(server.url)
        performer = next(u for u in control.users() if u.get("Role", "performer") == "performer")
        account = connect(control, user=owner, sandbox_user=performer)
        sync_account(account=account)
    finally:
        server.stop()
    client.force_login(owner)
    for service, direction in LISTS:
        response = client.get(list_url(service, direction))
        assert response.status_code == 200
        assert response.text.count("data-booking-row") > 0, (service, direction)
    assert client.get(reverse("bookings:inbox")).status_code == 200


def test_viewers_see_phone_numbers_and_skype_names_masked_in_the_details(
    client, owner, account, db
):
    from dashboard.models import Grant
    from tests.factories import GrantFactory, UserFactory

    viewer = UserFactory(username="viewer")
    GrantFactory(user=viewer, account=account, role=Grant.Role.VIEWER)
    booking = BookingFactory(
        account=account,
        service=Service.PHONECHAT,
        method=1,
        phone_number="447700900123",
        skype_name="night.owl.77",
    )
    url = reverse("bookings:detail", args=[booking.pk])
    client.force_login(owner)
    text = client.get(url).text
    assert "447700900123" in text
    assert "night.owl.77" in text
    client.force_login(viewer)
    text = client.get(url).text
    assert "447700900123" not in text
    assert "night.owl.77" not in text
    assert "••••23" in text


def test_staff_looking_at_someone_elses_account_are_told_who_they_act_for(
    client, owner, staff, account
):
    BookingFactory(account=account)
    client.force_login(staff)
    assert f"Acting for <strong>{account.nickname}</strong>" in client.get(list_url()).text
    client.force_login(owner)
    assert "Acting for" not in client.get(list_url()).text
