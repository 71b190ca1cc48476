import re

from playwright.sync_api import expect

from bookings.models import Booking
from bookings.selectors import PAGE_SIZE
from tests.browser.helpers import choose, party_names, rows, synced_account, times, url_with

WEBCAM_RECEIVED = "/bookings/webcam/received/"


def test_next_and_previous_links_walk_the_pages_keeping_the_filters(
    open_page, performer, sandbox, sandbox_users
):
    scarlett = sandbox_users["ScarlettRose"]
    sandbox.generate(user_id=scarlett["UserID"], service="webcam", direction="received", count=40)
    account = synced_account(sandbox, sandbox_users, user=performer, nickname="ScarlettRose")
    total = Booking.objects.filter(account=account, service="webcam", direction="received").count()
    assert 2 * PAGE_SIZE < total <= 3 * PAGE_SIZE, "three pages, the last one short"

    page = open_page("phone", user=performer)
    page.goto(WEBCAM_RECEIVED)
    choose(page, "Sort by", "Session date, soonest first")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager.get_by_role("link", name=re.compile("Page 1"))).to_have_count(0)
    expect(rows(page)).to_have_count(PAGE_SIZE)
    first_page = times(page, "Session")

    pager.get_by_role("link", name="Page 2 →").click()
    page.wait_for_url(url_with(sort="session", page="2"))
    expect(page.locator(".pager-current")).to_have_text("Page 2")
    expect(rows(page)).to_have_count(PAGE_SIZE)
    second_page = times(page, "Session")
    assert second_page == sorted(second_page)
    assert first_page[-1] <= second_page[0], "page 2 carries on where page 1 stopped"

    pager.get_by_role("link", name="Page 3 →").click()
    page.wait_for_url(url_with(sort="session", page="3"))
    expect(rows(page)).to_have_count(total - 2 * PAGE_SIZE)
    expect(pager.get_by_role("link", name=re.compile("→"))).to_have_count(0)

    pager.get_by_role("link", name="← Page 2").click()
    page.wait_for_url(url_with(sort="session", page="2"))
    assert times(page, "Session") == second_page
    pager.get_by_role("link", name="← Page 1").click()
    page.wait_for_url(url_with(sort="session", page="1"))
    expect(page.get_by_label("Sort by")).to_have_value("session")
    assert times(page, "Session") == first_page
    expect(pager.get_by_role("link", name=re.compile("←"))).to_have_count(0)
    assert party_names(page)
