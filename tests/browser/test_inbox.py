from datetime import datetime

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import INBOX, RESULTS_DIR, party_names, rows, times


def test_the_inbox_shows_the_requests_synced_from_the_sandbox_that_await_an_answer(
    open_page, performer, scarlett, sandbox_users
):
    page = open_page("phone", user=performer)
    page.goto(INBOX)
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs action")
    expect(page.locator(".freshness")).to_contain_text("ScarlettRose: synced")
    expect(rows(page).first).to_be_visible()
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "inbox-phone.png")
    page.screenshot(path=RESULTS_DIR / "inbox-phone-full.png", full_page=True)

    others = set(sandbox_users) - {"ScarlettRose"}
    names = party_names(page)
    assert names, "the sandbox seeds open requests for every performer"
    assert set(names) <= others, f"not a sandbox member: {set(names) - others}"
    expect(rows(page).locator(".badge")).to_have_text(["Pending"] * len(names))
    expect(rows(page).locator(".deadline")).to_have_count(len(names))
    deadlines = times(page, "Accept by")
    assert deadlines == sorted(deadlines), "the nearest deadline comes first"
    assert all(deadline > timezone.now() for deadline in deadlines)


def test_the_expired_tab_lists_the_requests_whose_time_to_answer_has_passed(
    open_page, performer, scarlett, sandbox_users
):
    page = open_page("phone", user=performer)
    page.goto(INBOX)
    page.get_by_role("link", name="Expired").click()
    page.wait_for_url("**/bookings/?show=expired")
    expect(page.get_by_role("heading", level=1)).to_have_text("Expired requests")
    expect(page.get_by_role("link", name="Expired")).to_have_attribute("aria-current", "page")
    expect(rows(page).first).to_be_visible()
    names = party_names(page)
    assert set(names) <= set(sandbox_users) - {"ScarlettRose"}
    expect(rows(page).locator(".expired")).to_have_text(["expired"] * len(names))
    lapsed: list[datetime] = times(page, "Accept by")
    assert lapsed == sorted(lapsed, reverse=True), "the most recently lapsed comes first"
