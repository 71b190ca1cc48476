"""The week agenda: whose sessions it shows, on which day, how it moves from week to week, what
it marks as a clash, and what it costs."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.calendar_views import Week
from bookings.models import Direction, Service, Status
from dashboard.models import Grant, Preferences
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory

WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026; London is on GMT (UTC+0)
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
WEEK_DAYS = [f"2026-11-{day}" for day in range(23, 30)]


def calendar_url(week: str | None = None) -> str:
    url = reverse("bookings:calendar")
    return f"{url}?week={week}" if week is not None else url


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the week, `day` 0 being Monday, in UTC (which is London's time then)."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def session(account, start: datetime, **fields):
    fields.setdefault("status", Status.CONFIRMED)
    fields.setdefault("duration_minutes", 30)
    return BookingFactory(account=account, session_at=start, **fields)


def words(html: str) -> str:
    """What a screen reader says: the text without tags or what is hidden from it."""
    heard = re.sub(r'<span aria-hidden="true">.*?</span>', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", heard).split())


def days_of(response) -> dict[str, list[str]]:
    """Each day's section of the page (by its date) with the members of its sessions, in order."""
    assert response.status_code == 200
    sections = re.findall(
        r'<section class="day[^"]*" aria-labelledby="day-([0-9-]+)"(.*?)</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return {
        day: [words(p) for p in re.findall(r'<p class="session-party">(.*?)</p>', body)]
        for day, body in sections
    }


def entries(response) -> dict[str, str]:
    """The words of each session of the page, by member."""
    html = response.content.decode()
    found = {}
    for body in re.findall(r'<li class="session[^"]*".*?</li>', html, re.DOTALL):
        party = words(re.search(r'<p class="session-party">(.*?)</p>', body, re.DOTALL)[1])
        found[party] = words(body)
    return found


def links(response, rel: str) -> list[str]:
    return re.findall(rf'<a class="button" rel="{rel}" href="([^"]+)"', response.content.decode())


# --- what the week shows ----------------------------------------------------------------------


def test_the_week_shows_its_accepted_and_confirmed_sessions_day_by_day_and_nothing_else(
    client, owner, account, now
):
    session(account, at(0, 10), party_nickname="MondayConfirmed")
    session(account, at(2, 15), status=Status.ACCEPTED, party_nickname="WednesdayAccepted")
    session(account, at(2, 9), service=Service.PHONECHAT, party_nickname="WednesdayEarlier")
    for status in (Status.PENDING, Status.REJECTED, Status.CANCELLED):
        session(account, at(3, 12), status=status, party_nickname=f"Thursday{status}")
    session(account, at(4, 12), party_nickname="FridayGone", gone_at=now)
    session(account, at(-1, 23, 59), party_nickname="LastSunday")
    session(account, at(7, 0), party_nickname="NextMonday")
    client.force_login(owner)
    response = client.get(calendar_url(WEEK))
    assert days_of(response) == {
        "2026-11-23": ["MondayConfirmed"],
        "2026-11-24": [],
        "2026-11-25": ["WednesdayEarlier", "WednesdayAccepted"],
        "2026-11-26": [],
        "2026-11-27": [],
        "2026-11-28": [],
        "2026-11-29": [],
    }
    html = response.content.decode()
    for day in WEEK_DAYS:
        assert re.search(rf'<h2 id="day-{day}"><time datetime="{day}">', html), day
    assert html.count('<p class="no-sessions">No sessions</p>') == 5
    assert "<title>Calendar · AW Bookings</title>" in html
    assert '<time datetime="2026-W48">23 Nov to 29 Nov 2026</time>' in html


def test_an_entry_shows_its_time_range_member_service_account_and_credits(client, owner, account):
    AccountFactory(owner=owner, nickname="SecondAccount")
    session(
        account,
        at(1, 10),
        duration_minutes=45,
        credits=Decimal("37.5000"),
        party_nickname="ClientNick",
    )
    session(
        account,
        at(1, 23, 30),
        duration_minutes=60,
        service=Service.PHONECHAT,
        direction=Direction.MADE,
        status=Status.ACCEPTED,
        party_nickname="LateNight",
    )
    client.force_login(owner)
    found = entries(client.get(calendar_url(WEEK)))
    assert found["ClientNick"] == (
        "10:00 to 10:45 ClientNick Webcam received · ScarlettLocal · 37.5 credits · Confirmed"
    )
    assert found["LateNight"] == (
        "23:30 to 00:30 next day LateNight PhoneChat made · ScarlettLocal · 10 credits · Accepted"
    )


def test_with_one_account_the_entries_do_not_repeat_its_name(client, owner, account):
    session(account, at(1, 10), party_nickname="ClientNick")
    client.force_login(owner)
    assert "ScarlettLocal ·" not in entries(client.get(calendar_url(WEEK)))["ClientNick"]


# --- whose sessions ---------------------------------------------------------------------------


def test_owner_granted_staff_and_a_viewer_see_the_account_and_an_outsider_never_does(
    client, owner, staff, outsider, account
):
    viewer = UserFactory(username="viewer")
    GrantFactory(user=viewer, account=account, role=Grant.Role.VIEWER)
    session(account, at(1, 10), party_nickname="SeenByTheRightPeople")
    session(AccountFactory(owner=outsider), at(1, 10), party_nickname="OutsidersOwn")
    for user, sees in ((owner, True), (staff, True), (viewer, True), (outsider, False)):
        client.force_login(user)
        shown = days_of(client.get(calendar_url(WEEK)))["2026-11-24"]
        expected = ["SeenByTheRightPeople"] if sees else ["OutsidersOwn"]
        assert shown == expected, user.username


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(calendar_url(WEEK))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- days in the viewer's zone ----------------------------------------------------------------


def test_days_are_the_viewers_own_in_their_time_zone(client, owner, account):
    session(account, at(6, 23, 30), party_nickname="SundayNightInLondon")
    client.force_login(owner)
    assert days_of(client.get(calendar_url(WEEK)))["2026-11-29"] == ["SundayNightInLondon"]
    client.cookies["tz"] = "Asia/Tokyo"
    assert days_of(client.get(calendar_url(WEEK)))["2026-11-29"] == []
    next_week = client.get(calendar_url("2026-W49"))
    assert days_of(next_week)["2026-11-30"] == ["SundayNightInLondon"]
    assert entries(next_week)["SundayNightInLondon"].startswith("08:30")


def test_the_week_of_the_clock_change_ends_at_midnight_local_time(client, owner, account):
    # British Summer Time begins on Sunday 29 March 2026: midnight is then 23:00 UTC.
    session(account, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), party_nickname="SundayBST")
    session(account, datetime(2026, 3, 29, 23, 30, tzinfo=UTC), party_nickname="MondayBST")
    session(account, datetime(2026, 3, 23, 0, 0, tzinfo=UTC), party_nickname="MondayGMT")
    client.force_login(owner)
    week = days_of(client.get(calendar_url("2026-W13")))
    assert week["2026-03-23"] == ["MondayGMT"]
    assert week["2026-03-29"] == ["SundayBST"]
    assert days_of(client.get(calendar_url("2026-W14")))["2026-03-30"] == ["MondayBST"]


# --- moving between weeks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "previous", "following"),
    [
        (WEEK, "2026-W47", "2026-W49"),
        ("2026-W53", "2026-W52", "2027-W01"),
        ("2027-W01", "2026-W53", "2027-W02"),
        ("2020-W01", "2019-W52", "2020-W02"),
    ],
)
def test_previous_and_next_links_follow_iso_weeks_across_years(
    client, owner, week, previous, following
):
    client.force_login(owner)
    response = client.get(calendar_url(week))
    assert links(response, "prev") == [f"?week={previous}"]
    assert links(response, "next") == [f"?week={following}"]
    assert f'<time datetime="{week}">' in response.content.decode()


def test_without_a_week_the_page_shows_this_week_with_today_marked(client, owner, account):
    client.cookies["tz"] = "UTC"
    today = timezone.now().astimezone(UTC).date()
    session(account, datetime.combine(today, time.min, tzinfo=UTC), party_nickname="Today")
    client.force_login(owner)
    response = client.get(calendar_url())
    html = response.content.decode()
    monday = today - timedelta(days=today.weekday())
    days = days_of(response)
    assert list(days) == [f"{monday + timedelta(days=n):%Y-%m-%d}" for n in range(7)]
    assert days[f"{today:%Y-%m-%d}"] == ["Today"]
    assert f'aria-labelledby="day-{today:%Y-%m-%d}" aria-current="date">' in html
    assert html.count('aria-current="date"') == 1
    assert '<a class="button" href="/bookings/calendar/" aria-current="page">This week</a>' in html
    other = client.get(calendar_url(WEEK)).content.decode()
    assert 'aria-current="page">This week' not in other
    assert 'aria-current="date"' not in other


@pytest.mark.parametrize(
    "week",
    [
        "2026-W54",
        "2025-W53",  # 2025 has 52 ISO weeks
        "2026-W00",
        "2026-W5",
        "2026-48",
        "2026W48",
        "2026-w48x",
        "abc",
        "١٢٣٤-W01",  # digits, but not ASCII ones
        "0001-W01",
        "9999-W52",
        "10000-W01",
        "2026-W48\x00",
        "x" * 5000,
    ],
)
def test_a_week_that_cannot_be_read_shows_this_week_with_a_message(client, owner, week):
    client.force_login(owner)
    response = client.get(calendar_url(), {"week": week})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That week could not be read, so this week is shown." in html
    assert 'aria-current="page">This week' in html


def test_an_empty_week_parameter_is_this_week_without_a_message(client, owner):
    client.force_login(owner)
    html = client.get(calendar_url("")).content.decode()
    assert "could not be read" not in html
    assert 'aria-current="page">This week' in html


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "Europe/London"])
def test_the_first_and_last_weeks_python_can_hold_render_in_every_zone_without_links_beyond(
    client, owner, zone
):
    client.force_login(owner)
    client.cookies["tz"] = zone
    first = client.get(calendar_url("0002-W01"))
    last = client.get(calendar_url("9998-W53"))
    assert (first.status_code, last.status_code) == (200, 200)
    assert links(first, "prev") == []
    assert links(first, "next") == ["?week=0002-W02"]
    assert links(last, "prev") == ["?week=9998-W52"]
    assert links(last, "next") == []


# --- clashes ----------------------------------------------------------------------------------


def test_two_overlapping_sessions_of_one_account_are_both_marked_naming_each_other(
    client, owner, account
):
    session(account, at(1, 10), duration_minutes=60, party_nickname="First")
    session(account, at(1, 10, 45), party_nickname="Second")
    session(account, at(1, 11, 15), party_nickname="BackToBack")  # starts as Second ends
    session(AccountFactory(owner=owner), at(1, 10), party_nickname="OtherAccount")
    client.force_login(owner)
    response = client.get(calendar_url(WEEK))
    found = entries(response)
    assert found["First"].endswith("Overlaps Second, 10:45 to 11:15")
    assert found["Second"].endswith("Overlaps First, 10:00 to 11:00")
    assert "Overlaps" not in found["BackToBack"]
    assert "Overlaps" not in found["OtherAccount"]
    html = response.content.decode()
    assert html.count('class="session status-confirmed clashing"') == 2


def test_a_session_running_past_the_weeks_end_is_marked_for_a_clash_in_the_next_week(
    client, owner, account
):
    session(account, at(6, 23, 30), duration_minutes=60, party_nickname="LastOfTheWeek")
    session(account, at(7, 0, 15), party_nickname="FirstOfNextWeek")
    client.force_login(owner)
    found = entries(client.get(calendar_url(WEEK)))
    assert found["LastOfTheWeek"].endswith("Overlaps FirstOfNextWeek, Mon 00:15 to 00:45")


# --- cost, wording, links ---------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_sessions_accounts_or_clashes(
    client, owner, account, django_assert_max_num_queries
):
    client.force_login(owner)
    session(account, at(0, 10))
    # The user, the accounts, the week's sessions, their clashes, the inbox count and the
    # preferences (title): two reads of bookings, whatever their number.
    with django_assert_max_num_queries(6) as few:
        assert client.get(calendar_url(WEEK)).status_code == 200
    others = [account, AccountFactory(owner=owner), AccountFactory(owner=owner)]
    for other in others:
        for day in range(7):
            session(other, at(day, 10), duration_minutes=45)
            session(other, at(day, 10, 30), duration_minutes=45)
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(calendar_url(WEEK))
    assert response.content.decode().count("Overlaps") == 1 + 3 * 7 * 2, "every one clashes"
    assert len(many) == len(few)


def test_discreet_wording_keeps_the_title_neutral_and_the_page_as_it_is(client, owner, account):
    Preferences.objects.create(user=owner, discreet=True)
    session(account, at(0, 10), party_nickname="StillShown")
    client.force_login(owner)
    html = client.get(calendar_url(WEEK)).content.decode()
    assert "<title>Dashboard</title>" in html
    assert "StillShown" in entries(client.get(calendar_url(WEEK)))


def test_the_page_links_to_the_settings_that_issue_the_calendar_feed(client, owner):
    client.force_login(owner)
    html = client.get(calendar_url(WEEK)).content.decode()
    assert f'href="{reverse("preferences:edit")}#calendar-feed"' in html


def test_the_week_number_and_dates_are_those_of_the_iso_week():
    week = Week.parse("2026-W53")
    assert week is not None
    assert (week.monday, week.sunday, week.number, week.iso) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
        53,
        "2026-W53",
    )
