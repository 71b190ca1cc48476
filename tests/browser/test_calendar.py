"""The week agenda in the browser, at the narrowest common phone (360 px), a phone and a desktop:
the week's sessions day by day, two sessions of one account at once marked as a clash, no
sideways scroll, full tap targets, seven columns on a desk; and moving from week to week."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings import selectors
from bookings.calendar_views import Week
from bookings.models import Status
from tests.browser.helpers import SIZES
from tests.factories import BookingFactory

CALENDAR = "/bookings/calendar/"
CHOSEN = ("ClashFirst", "IvyMeanwhile")
TAP = 44


pytestmark = pytest.mark.usefixtures("no_page_problems")


@pytest.fixture
def this_week(performer, scarlett, ivy):
    """The synced accounts' sessions, and four more this week in London time: two of them on
    ScarlettRose at once (a clash), one on IvyBlaze at the same time (no clash: another
    account)."""
    zone = timezone.get_default_timezone()  # the viewer's zone when the browser has not said
    monday = Week.containing(timezone.localdate(timezone=zone)).monday

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(monday + timedelta(days=day), time(hour, minute), tzinfo=zone)

    BookingFactory(
        account=scarlett,
        status=Status.CONFIRMED,
        session_at=at(0, 9),
        duration_minutes=30,
        party_nickname="MondayMorning",
    )
    BookingFactory(
        account=scarlett,
        status=Status.CONFIRMED,
        session_at=at(2, 20),
        duration_minutes=60,
        party_nickname="ClashFirst",
    )
    BookingFactory(
        account=scarlett,
        status=Status.ACCEPTED,
        session_at=at(2, 20, 30),
        duration_minutes=30,
        party_nickname="ClashSecond",
    )
    BookingFactory(
        account=ivy,
        status=Status.CONFIRMED,
        session_at=at(2, 20),
        duration_minutes=60,
        party_nickname="IvyMeanwhile",
    )
    start, end = Week(monday).bounds(zone)
    return selectors.sessions_between(accounts=[scarlett, ivy], start=start, end=end)


def scrolls_sideways(page: Page, width: int) -> bool:
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    # innerWidth too: a mobile browser zooms out to fit content wider than the screen.
    return scroll_width > min(inner_width, width)


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_the_agenda_shows_the_weeks_sessions_and_their_clash_without_sideways_scroll(
    open_page, performer, this_week, size
):
    page = open_page(size, user=performer)
    page.goto(CALENDAR)
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    expect(page.locator(".day h2 time")).to_have_count(7)
    expect(page.locator(".session-party")).to_have_text([b.party_nickname for b in this_week])

    # The sandbox's demo sessions may clash among themselves too: the page marks what the rule says.
    clashes = selectors.clashes_for(this_week)
    marked = [b.party_nickname for b in this_week if clashes[b.pk]]
    assert {"ClashFirst", "ClashSecond"} <= set(marked)
    expect(page.locator(".session.clashing .session-party")).to_have_text(marked)
    first, ivys = (next(b for b in this_week if b.party_nickname == n) for n in CHOSEN)
    # A demo session of the sandbox, placed relative to now, may be named first.
    expect(page.locator(f"#session-{first.pk} .clash-mark")).to_contain_text(
        re.compile(r"Overlaps .*ClashSecond, 20:30")
    )
    expect(page.locator(f"#session-{ivys.pk}")).not_to_contain_text("Clash")

    width = SIZES[size]["viewport"]["width"]
    assert not scrolls_sideways(page, width), f"scrolls sideways at {width}px"
    for link in page.locator(".week-nav a, .feed-link a").all():
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= TAP - 0.5, link.inner_text()


def test_on_a_desk_the_seven_days_stand_side_by_side(open_page, performer, this_week):
    page = open_page("desktop", user=performer)
    page.goto(CALENDAR)
    tops = {round(box["y"]) for day in page.locator(".day").all() if (box := day.bounding_box())}
    assert len(tops) == 1, "seven columns, one row"


def test_on_a_phone_the_days_follow_one_another(open_page, performer, this_week):
    page = open_page("narrow", user=performer)
    page.goto(CALENDAR)
    boxes = [day.bounding_box() for day in page.locator(".day").all()]
    tops = [box["y"] for box in boxes if box]
    assert tops == sorted(tops)
    assert len(set(tops)) == 7


def test_previous_next_and_this_week_move_between_weeks(open_page, performer, this_week):
    page = open_page("phone", user=performer)
    page.goto(CALENDAR)
    this = Week.containing(timezone.localdate(timezone=timezone.get_default_timezone()))
    nav = page.get_by_role("navigation", name="Weeks")
    expect(nav.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Next week").click()
    page.wait_for_url(f"**?week={this.next.iso}")
    expect(page.locator(".session-party", has_text="ClashFirst")).to_have_count(0)
    expect(nav.get_by_role("link", name="This week")).not_to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Previous week").click()
    nav.get_by_role("link", name="Previous week").click()
    page.wait_for_url(f"**?week={this.previous.iso}")
    nav.get_by_role("link", name="This week").click()
    page.wait_for_url(f"**{CALENDAR}")
    expect(page.locator(".session-party", has_text="ClashFirst")).to_have_count(1)
