"""The app shell at the narrowest common phone (360 px), a phone and a desk: the tab bar (at the
bottom of a phone, within thumb reach; in the top bar at a desk), rows of plain markup whose
details and forms are fetched into the one sheet when tapped, and the accept form's warning of
a session that overlaps one already booked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings.live import live_state
from bookings.models import Booking, Direction, Service, Status
from tests.browser.helpers import INBOX, SIZES, pending_received, rows
from tests.factories import BookingFactory

ALL_SIZES = ["narrow", "phone", "desktop"]
TOP_BAR_MAX = 56
ROW_MAX_BYTES = 1000


pytestmark = pytest.mark.usefixtures("no_page_problems")


def is_phone(size: str) -> bool:
    return SIZES[size].get("is_mobile", False)


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


@pytest.mark.parametrize("size", ALL_SIZES)
def test_the_tabs_are_at_the_bottom_of_a_phone_and_in_the_top_bar_at_a_desk(
    open_page, performer, scarlett, size
):
    page = open_page(size, user=performer)
    page.goto(INBOX)
    rows(page).first.wait_for()
    height = SIZES[size]["viewport"]["height"]
    topbar, tabbar = box(page, ".topbar"), box(page, ".tabbar")
    assert topbar["height"] <= TOP_BAR_MAX
    if is_phone(size):
        assert tabbar["y"] + tabbar["height"] == pytest.approx(height, abs=1), "at the bottom"
        page.mouse.wheel(0, 2000)  # fixed: still there once the list has scrolled
        expect(page.locator(".tabbar")).to_be_in_viewport()
        assert box(page, ".tabbar")["y"] + tabbar["height"] == pytest.approx(height, abs=1)
    else:
        assert tabbar["y"] + tabbar["height"] <= topbar["y"] + topbar["height"] + 1

    tabs = page.get_by_role("navigation", name="Bookings")
    inbox = tabs.get_by_role("link", name="Inbox")
    expect(inbox).to_have_attribute("aria-current", "page")
    waiting = live_state(performer).needs_answer
    assert waiting > 0, "the sandbox seeds requests awaiting an answer"
    expect(inbox).to_have_accessible_name(f"Inbox {waiting} awaiting an answer")
    for name, heading in [("Lists", "Webcam bookings received"), ("Calendar", "Calendar")]:
        tabs.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        expect(inbox).not_to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("size", ALL_SIZES)
def test_a_rows_form_is_fetched_into_the_sheet_when_tapped_and_a_row_is_plain_markup(
    open_page, performer, scarlett, sandbox, size
):
    page = open_page(size, user=performer)
    page.goto(INBOX)
    rows(page).first.wait_for()
    assert page.locator("#results dialog").count() == 0, "no dialog is sent with the rows"
    sizes = rows(page).evaluate_all("items => items.map(item => item.outerHTML.length)")
    assert max(sizes) <= ROW_MAX_BYTES, f"rows of {max(sizes)} bytes"

    booking = pending_received(scarlett)
    expect(page.locator("#sheet")).to_be_empty()
    page.locator(f"#booking-{booking.pk} .c-act .action-accept").click()
    sheet = page.get_by_role("dialog", name=f"Accept {booking.party_nickname}'s booking")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_label("Credits")).to_have_value(f"{booking.credits.normalize():f}")
    if is_phone(size):  # a bottom sheet, within thumb reach
        sheet_box = box(page, "#sheet")
        height = SIZES[size]["viewport"]["height"]
        assert sheet_box["y"] + sheet_box["height"] == pytest.approx(height, abs=1)
    sheet.get_by_role("button", name="Back").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    # Focus goes back to the row the sheet was opened from.
    expect(page.locator(f"#booking-{booking.pk}")).to_contain_text(booking.party_nickname)
    assert page.evaluate("document.activeElement.closest('[data-booking-row]')?.id") == (
        f"booking-{booking.pk}"
    )
    assert [r for r in sandbox.requests() if r["method"] == "POST"] == [], "nothing sent"


@pytest.mark.parametrize("size", ALL_SIZES)
def test_accepting_a_request_that_overlaps_a_booked_session_warns_and_names_the_clash(
    open_page, performer, scarlett, size
):
    request = pending_received(scarlett)
    assert request is not None
    assert request.session_at is not None
    booked = BookingFactory(
        account=scarlett,
        service=Service.PHONECHAT,
        direction=Direction.RECEIVED,
        status=Status.CONFIRMED,
        session_at=request.session_at + timedelta(minutes=5),
        duration_minutes=30,
        party_nickname="AlreadyBooked",
    )
    page = open_page(size, user=performer)
    page.goto(INBOX)
    page.locator(f"#booking-{request.pk} .c-act .action-accept").click()
    sheet = page.get_by_role("dialog", name=f"Accept {request.party_nickname}'s booking")
    warning = sheet.get_by_role("alert")
    expect(warning).to_contain_text("This session overlaps a session already booked")
    start = timezone.localtime(booked.session_at).strftime("%H:%M")
    expect(warning).to_contain_text(f"PhoneChat with AlreadyBooked on {scarlett.nickname}")
    expect(warning).to_contain_text(start)
    expect(warning).to_be_in_viewport()
    # Warned, not stopped: the performer may still accept.
    expect(sheet.get_by_role("button", name="Accept")).to_be_enabled()


@pytest.mark.parametrize("size", ALL_SIZES)
def test_a_request_with_no_overlap_is_accepted_without_a_warning(
    open_page, performer, scarlett, size
):
    request = pending_received(scarlett)
    Booking.objects.filter(account=scarlett, status=Status.CONFIRMED).delete()
    Booking.objects.filter(account=scarlett, status=Status.ACCEPTED).delete()
    page = open_page(size, user=performer)
    page.goto(INBOX)
    page.locator(f"#booking-{request.pk} .c-act .action-accept").click()
    sheet = page.get_by_role("dialog", name=f"Accept {request.party_nickname}'s booking")
    expect(sheet.get_by_label("Credits")).to_be_visible()
    expect(sheet.get_by_role("alert")).to_have_count(0)
