"""The earnings page in a browser: at a phone's width, the narrowest common one and a desktop's,
the chart and the table are in sight, nothing scrolls sideways, the table holds the numbers,
and the table follows the chart on a phone but sits beside it on a desktop."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings import earnings
from bookings.models import Status
from tests.browser.helpers import SIZES
from tests.factories import AccountFactory, AuditEntryFactory, BookingFactory

LONDON = ZoneInfo("Europe/London")  # the browser contexts' zone (tests/browser/conftest.py)


def session(weeks_ago: int) -> datetime:
    monday = earnings.week_starts(now=timezone.now(), zone=LONDON)[-1]
    tuesday = monday - timedelta(weeks=weeks_ago) + timedelta(days=1)
    return datetime.combine(tuesday, time(12), LONDON)


@pytest.fixture
def earning(performer):
    """An account of the performer's with a booking of each status over the weeks, and a
    counter-offer."""
    account = AccountFactory(owner=performer, nickname="ScarlettRose")
    for weeks_ago, credits, status in [
        (5, "120", Status.CONFIRMED),
        (5, "30", Status.REJECTED),
        (2, "45.5", Status.ACCEPTED),
        (2, "60", Status.CONFIRMED),
        (0, "25", Status.CANCELLED),
    ]:
        BookingFactory(
            account=account,
            session_at=session(weeks_ago),
            accept_by=session(weeks_ago) - timedelta(hours=1),
            credits=Decimal(credits),
            status=status,
        )
    AuditEntryFactory(
        account=account,
        action="accept",
        inputs={"credits": "45.5", "offered": "40"},
        target="Webcam received booking 77 with Bo",
    )
    return account


def totals(page: Page) -> list[str]:
    return [
        cell.strip()
        for cell in page.locator("#earnings-table tfoot tr")
        .first.locator("th, td")
        .all_inner_texts()
    ]


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_the_chart_and_the_table_are_in_sight_without_sideways_scroll(
    open_page, performer, earning, browser_problems, size
):
    width = SIZES[size]["viewport"]["width"]
    page = open_page(size, user=performer)
    page.goto(f"/bookings/earnings/account/{earning.pk}/")

    chart = page.get_by_role("img", name="Credits per week, ScarlettRose")
    table = page.get_by_role("table", name="Credits per week")
    expect(chart).to_be_visible()
    expect(table).to_be_visible()
    assert totals(page) == ["Total", "280.5", "45.5", "180", "55"]
    assert table.get_by_role("row").count() == 1 + 12 + 1
    expect(page.get_by_role("region", name="Counter-offers")).to_contain_text("40")

    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width}px wide in a {width}px window"
    box, table_box = chart.bounding_box(), table.bounding_box()
    assert box is not None
    assert table_box is not None
    for what in (box, table_box):
        assert 0 <= what["x"] <= what["x"] + what["width"] <= width
    if size == "desktop":
        # Beside the chart, level with it.
        assert table_box["x"] >= box["x"] + box["width"]
        assert table_box["y"] < box["y"] + box["height"]
    else:
        # Below it, the chart first.
        assert table_box["y"] >= box["y"] + box["height"]
    problems = browser_problems.of("csp", "console", "uncaught", "http")
    assert not problems, "\n".join(problems)


def test_a_bar_is_drawn_for_each_week_with_credits(open_page, performer, earning):
    page = open_page("phone", user=performer)
    page.goto("/bookings/earnings/")
    bars = page.locator("svg[role=img] .chart-bar")
    expect(bars).to_have_count(3)
    # Drawn to scale: the longest bar (150 credits) is longer than the shortest (25).
    widths = [box["width"] for box in (bar.bounding_box() for bar in bars.all()) if box]
    assert max(widths) > 5 * min(widths) * 0.9


def test_the_chooser_leads_to_each_account(open_page, performer, earning):
    AccountFactory(owner=performer, nickname="IvyBlaze")
    page = open_page("narrow", user=performer)
    page.goto("/bookings/earnings/")
    chooser = page.get_by_role("navigation", name="Earnings of")
    expect(chooser.get_by_role("link", name="All accounts")).to_have_attribute(
        "aria-current", "page"
    )
    chooser.get_by_role("link", name="ScarlettRose").click()
    page.wait_for_url(f"**/bookings/earnings/account/{earning.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Earnings: ScarlettRose")


def test_large_figures_never_make_the_page_scroll_sideways(open_page, performer):
    account = AccountFactory(owner=performer, nickname="ScarlettRose")
    for weeks_ago in range(12):
        for credits, status in [
            ("123456.7525", Status.CONFIRMED),
            ("234567.1250", Status.ACCEPTED),
            ("345678.5", Status.REJECTED),
        ]:
            BookingFactory(
                account=account,
                session_at=session(weeks_ago),
                credits=Decimal(credits),
                status=status,
            )
    page = open_page("narrow", user=performer)
    page.goto(f"/bookings/earnings/account/{account.pk}/")
    offered = 12 * (Decimal("123456.7525") + Decimal("234567.125") + Decimal("345678.5"))
    assert totals(page)[1] == f"{offered.normalize():f}"
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= SIZES["narrow"]["viewport"]["width"]
