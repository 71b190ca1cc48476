from playwright.sync_api import expect

from bookings.models import Booking, Status
from bookings.selectors import PAGE_SIZE
from tests.browser.helpers import choose, fact, open_filters, rows, url_with

WEBCAM_RECEIVED = "/bookings/webcam/received/"


def webcam_received(**filters):
    return Booking.objects.filter(service="webcam", direction="received", **filters)


def test_choosing_a_status_applies_at_once_updates_the_url_and_keeps_only_that_status(
    open_page, performer, scarlett
):
    cancelled = webcam_received(account=scarlett, status=Status.CANCELLED).count()
    assert 0 < cancelled < webcam_received(account=scarlett).count()
    page = open_page("phone", user=performer)
    page.goto(WEBCAM_RECEIVED)
    # With JavaScript the form applies on change, so its button is gone for everyone.
    expect(page.locator("form.filters button[type=submit]")).to_be_hidden()
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        choose(page, "Status", "Cancelled")
    expect(page).to_have_url(url_with(status="Cancelled"))
    expect(rows(page).locator(".badge")).to_have_text(["Cancelled"] * cancelled)
    expect(page.locator("#results"), "one results region, not one inside another").to_have_count(1)
    expect(page.get_by_label("Status", exact=True)).to_have_value("Cancelled")

    page.reload()
    expect(rows(page).locator(".badge")).to_have_text(["Cancelled"] * cancelled)
    expect(page.get_by_label("Status", exact=True)).to_have_value("Cancelled")


def test_without_javascript_the_apply_button_filters_by_status(open_page, performer, scarlett):
    rejected = webcam_received(account=scarlett, status=Status.REJECTED).count()
    assert rejected > 0
    page = open_page("phone", user=performer, javascript=False)
    page.goto(WEBCAM_RECEIVED)
    open_filters(page)
    page.get_by_label("Status", exact=True).select_option(label="Rejected")
    expect(page).not_to_have_url(url_with(status="Rejected"))  # nothing happens on change
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(url_with(status="Rejected"))
    expect(rows(page).locator(".badge")).to_have_text(["Rejected"] * rejected)
    expect(page.get_by_label("Status", exact=True)).to_have_value("Rejected")


def test_choosing_an_account_keeps_only_that_accounts_bookings(open_page, performer, scarlett, ivy):
    on_ivy = min(webcam_received(account=ivy).count(), PAGE_SIZE)
    assert on_ivy > 0
    page = open_page("phone", user=performer)
    page.goto(WEBCAM_RECEIVED)
    expect(fact(page, "Account").filter(has_text="ScarlettRose").first).to_be_visible()
    expect(fact(page, "Account").filter(has_text="IvyBlaze").first).to_be_visible()

    choose(page, "Account", "IvyBlaze")
    expect(page).to_have_url(url_with(account=str(ivy.pk)))
    expect(fact(page, "Account")).to_have_text(["IvyBlaze"] * on_ivy)


def test_status_and_account_filters_combine(open_page, performer, scarlett, ivy):
    pending_on_scarlett = webcam_received(account=scarlett, status=Status.PENDING).count()
    assert pending_on_scarlett > 0
    page = open_page("desktop", user=performer)
    page.goto(WEBCAM_RECEIVED)
    choose(page, "Account", "ScarlettRose")
    choose(page, "Status", "Pending")
    expect(page).to_have_url(url_with(account=str(scarlett.pk), status="Pending"))
    expect(rows(page).locator(".badge")).to_have_text(["Pending"] * pending_on_scarlett)
    expect(fact(page, "Account")).to_have_text(["ScarlettRose"] * pending_on_scarlett)
