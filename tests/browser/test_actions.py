"""The booking actions in the browser, at phone size, against the sandbox: each button only where
the rules allow it, its dialog asking what it must, the row changed in place by htmx (no page
load), a toast saying what happened and an entry in the audit log; then the errors, the double
tap and the same flow without JavaScript.

Deleting several bookings at once lives in test_bulk_delete.py.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bookings import services
from bookings.models import Booking
from bookings.rules import Action, allowed_actions
from dashboard.models import Account
from tests.browser.helpers import (
    AUDIT,
    bookable,
    expect_no_page_load,
    first_page,
    list_url,
    open_dialog,
    open_list,
    remote_posts,
    row,
    rows,
    toasts,
)

pytestmark = pytest.mark.usefixtures("no_page_problems")


# --- choosing bookings -------------------------------------------------------------------


def expect_buttons_follow_the_rules(
    page: Page, account: Account, action: str, service: str, direction: str
) -> None:
    """On the list shown, the action's button is on exactly the rows the rules allow it on."""
    now = timezone.now()
    shown = first_page(account, service, direction)
    allowed = {b.pk for b in shown if action in allowed_actions(b, now)}
    assert allowed, f"no {service} {direction} booking allows {action}"
    expect(rows(page)).to_have_count(len(shown))
    with_button = page.locator(f"[data-booking-row]:has(.c-act .action-{action})")
    ids = with_button.evaluate_all("items => items.map(item => item.id)")
    assert sorted(ids) == sorted(f"booking-{pk}" for pk in allowed)
    if len(allowed) < len(shown):
        refused = next(b for b in shown if b.pk not in allowed)
        expect(row(page, refused).locator(f".c-act .action-{action}")).to_have_count(0)


# --- reading the page --------------------------------------------------------------------


def badge(page: Page, booking: Booking) -> Locator:
    return row(page, booking).locator(".badge")


def expect_in_details(page: Page, booking: Booking, text: str) -> None:
    """The booking's details, opened from its row, say `text`; then they are closed again."""
    row(page, booking).locator(".c-who a").click()
    sheet = page.get_by_role("dialog")
    expect(sheet).to_contain_text(text)
    sheet.get_by_role("button", name="Back").click()
    expect(page.locator("dialog[open]")).to_have_count(0)


def expect_row_changed_in_place(page: Page, booking: Booking, status: str) -> None:
    expect(badge(page, booking)).to_have_text(status)
    expect(row(page, booking)).to_have_count(1)
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect_no_page_load(page)


def expect_audited(page: Page, booking: Booking, action: str, outcome: str = "Done") -> Locator:
    """The audit log's newest entry: this user did `action` on `booking`, with `outcome`."""
    page.goto(AUDIT)
    entry = page.locator(".audit-entry").first
    label = Action(action).label
    expect(entry.locator(".audit-head")).to_have_text(f"performer {label} · {outcome}")
    expect(entry).to_contain_text(
        f"booking {booking.remote_id} with {booking.party_nickname}", ignore_case=True
    )
    return entry


# --- received webcam ---------------------------------------------------------------------


def test_accept_shows_the_offer_warns_of_a_counter_offer_and_accepts_in_place(
    open_page, performer, scarlett
):
    booking = bookable(scarlett, "accept", "webcam", "received")
    offer = f"{booking.credits:f}".rstrip("0").rstrip(".")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    expect_buttons_follow_the_rules(page, scarlett, "accept", "webcam", "received")

    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    expect(dialog).to_contain_text(f"{booking.party_nickname} offers {offer} credits")
    credits = dialog.get_by_label("Credits you want")
    expect(credits).to_have_value(offer)
    hint = dialog.locator("[data-counter-offer-hint]")
    submit = dialog.locator("button[type=submit]")
    expect(submit).to_have_text("Accept")
    expect(hint).not_to_have_class(re.compile(r"\bcounter-offer\b"))

    credits.fill("55.5")
    expect(hint).to_have_class(re.compile(r"\bcounter-offer\b"))
    expect(hint).to_be_visible()
    expect(submit).to_have_text("Send counter-offer")
    credits.fill(offer)
    expect(submit).to_have_text("Accept")
    credits.fill("55.5")
    submit.click()

    expect_row_changed_in_place(page, booking, "Accepted")
    expect(row(page, booking)).to_contain_text("55.5")
    expect(toasts(page)).to_have_text(f"Webcam booking with {booking.party_nickname} accepted.")
    entry = expect_audited(page, booking, "accept")
    expect(entry).to_contain_text("Pending → Accepted")
    expect(entry).to_contain_text("credits: 55.5")


def test_reject_requires_a_reason_and_can_save_it_for_next_time(open_page, performer, scarlett):
    first = bookable(scarlett, "reject", "webcam", "received")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    expect_buttons_follow_the_rules(page, scarlett, "reject", "webcam", "received")

    title = f"Reject the booking with {first.party_nickname}"
    dialog = open_dialog(page, first, "reject", title)
    reason = dialog.get_by_label("Reason", exact=True)
    expect(reason).to_have_attribute("required", "")
    dialog.get_by_role("button", name="Reject").click()
    # The browser refuses the empty reason: nothing is sent, the dialog stays.
    assert reason.evaluate("field => field.validity.valueMissing")
    expect(dialog).to_be_visible()
    expect(badge(page, first)).to_have_text("Pending")

    reason.fill("Fully booked this week")
    dialog.get_by_label("Save this reason for next time").check()
    dialog.get_by_role("button", name="Reject").click()
    expect_row_changed_in_place(page, first, "Rejected")
    expect_in_details(page, first, "Rejected: Fully booked this week")
    expect(toasts(page)).to_have_text(f"Webcam booking with {first.party_nickname} rejected.")

    expect(expect_audited(page, first, "reject")).to_contain_text("reason: Fully booked this week")

    # Saved: the next page load offers it in every reject dialog.
    second = bookable(scarlett, "reject", "webcam", "received")
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, second, "reject", f"Reject the booking with {second.party_nickname}")
    saved = dialog.get_by_role("group", name="Send a saved reason")
    expect(saved.get_by_role("button")).to_have_text(["Fully booked this week"])


def test_a_saved_reason_rejects_in_one_tap(open_page, performer, scarlett):
    services.reason_template_save(account=scarlett, text="Fully booked this week")
    booking = bookable(scarlett, "reject", "webcam", "received")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(
        page, booking, "reject", f"Reject the booking with {booking.party_nickname}"
    )
    dialog.get_by_role("button", name="Fully booked this week").click()
    expect(badge(page, booking)).to_have_text("Rejected", timeout=1_000)
    expect_in_details(page, booking, "Rejected: Fully booked this week")
    expect_no_page_load(page)
    expect(expect_audited(page, booking, "reject")).to_contain_text(
        "reason: Fully booked this week"
    )


def test_cancel_a_received_booking_with_a_reason(open_page, performer, scarlett):
    booking = bookable(scarlett, "cancel", "webcam", "received")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    expect_buttons_follow_the_rules(page, scarlett, "cancel", "webcam", "received")

    title = f"Cancel the booking with {booking.party_nickname}"
    dialog = open_dialog(page, booking, "cancel", title)
    expect(dialog).to_contain_text("This cannot be undone.")
    expect(dialog.get_by_label("Reason", exact=True)).to_have_attribute("required", "")
    dialog.get_by_label("Reason", exact=True).fill("Ill, sorry")
    dialog.get_by_role("button", name="Cancel booking").click()

    expect_row_changed_in_place(page, booking, "Cancelled")
    expect_in_details(page, booking, "Ill, sorry")
    expect(toasts(page)).to_have_text(f"Webcam booking with {booking.party_nickname} cancelled.")
    expect(expect_audited(page, booking, "cancel")).to_contain_text("reason: Ill, sorry")


# --- made webcam -------------------------------------------------------------------------


def test_confirm_a_made_booking(open_page, performer, scarlett):
    booking = bookable(scarlett, "confirm", "webcam", "made")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "made")
    expect_buttons_follow_the_rules(page, scarlett, "confirm", "webcam", "made")

    title = f"Confirm the booking with {booking.party_nickname}"
    dialog = open_dialog(page, booking, "confirm", title)
    expect(dialog).to_contain_text("Confirming commits")
    dialog.get_by_role("button", name="Confirm").click()

    expect_row_changed_in_place(page, booking, "Confirmed")
    expect(toasts(page)).to_have_text(f"Webcam booking with {booking.party_nickname} confirmed.")
    expect(expect_audited(page, booking, "confirm")).to_contain_text("Accepted → Confirmed")


def test_cancel_a_made_booking_with_a_reason(open_page, performer, scarlett):
    booking = bookable(scarlett, "cancel", "webcam", "made")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "made")
    expect_buttons_follow_the_rules(page, scarlett, "cancel", "webcam", "made")

    title = f"Cancel the booking with {booking.party_nickname}"
    dialog = open_dialog(page, booking, "cancel", title)
    dialog.get_by_label("Reason", exact=True).fill("Plans changed")
    dialog.get_by_role("button", name="Cancel booking").click()

    expect_row_changed_in_place(page, booking, "Cancelled")
    expect(toasts(page)).to_have_text(f"Webcam booking with {booking.party_nickname} cancelled.")
    expect(expect_audited(page, booking, "cancel")).to_contain_text("reason: Plans changed")


def expect_reschedule_adds_a_booking_at_the_top(page: Page, account: Account, service: str) -> None:
    booking = bookable(account, "reschedule", service, "made")
    before = set(Booking.objects.filter(account=account).values_list("pk", flat=True))
    open_list(page, service, "made")
    shown = rows(page).count()
    expect_buttons_follow_the_rules(page, account, "reschedule", service, "made")

    dialog = open_dialog(page, booking, "reschedule", f"Book {booking.party_nickname} again")
    expect(dialog).to_contain_text("starting five minutes from now")
    dialog.get_by_role("button", name="Make new booking").click()

    expect(rows(page)).to_have_count(shown + 1)
    [created] = Booking.objects.filter(account=account).exclude(pk__in=before)
    expect(page.locator("#booking-list > tr").first).to_have_attribute(
        "id", f"booking-{created.pk}"
    )
    expect(badge(page, created)).to_have_text("Pending")
    expect_row_changed_in_place(page, booking, booking.status)
    expect(toasts(page)).to_have_text(
        re.compile(
            rf"^A new booking was made for \d\d:\d\d: make sure {booking.party_nickname} "
            r"is online\.$"
        )
    )
    expect_audited(page, booking, "reschedule")


def test_reschedule_a_made_webcam_booking_adds_the_new_one_at_the_top(
    open_page, performer, scarlett
):
    page = open_page("phone", user=performer)
    # Any made webcam booking may be rescheduled; a received one never.
    page.goto(list_url("webcam", "received"))
    expect(rows(page).first).to_be_visible()
    expect(page.locator(".c-act .action-reschedule")).to_have_count(0)
    expect_reschedule_adds_a_booking_at_the_top(page, scarlett, "webcam")


# --- received PhoneChat ------------------------------------------------------------------


def test_accept_a_received_phonechat_booking_at_the_offer(open_page, performer, scarlett):
    booking = bookable(scarlett, "accept", "phonechat", "received")
    offer = f"{booking.credits:f}".rstrip("0").rstrip(".")
    page = open_page("phone", user=performer)
    open_list(page, "phonechat", "received")
    expect_buttons_follow_the_rules(page, scarlett, "accept", "phonechat", "received")

    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    expect(dialog.get_by_label("Credits you want")).to_have_value(offer)
    dialog.get_by_role("button", name="Accept").click()

    expect_row_changed_in_place(page, booking, "Accepted")
    expect(toasts(page)).to_have_text(f"PhoneChat booking with {booking.party_nickname} accepted.")
    expect(expect_audited(page, booking, "accept")).to_contain_text(f"credits: {offer}")


def test_reinvite_explains_the_default_reason_and_goes_without_one(open_page, performer, scarlett):
    booking = bookable(scarlett, "reinvite", "phonechat", "received")
    page = open_page("phone", user=performer)
    open_list(page, "phonechat", "received")
    expect_buttons_follow_the_rules(page, scarlett, "reinvite", "phonechat", "received")

    title = f"Re-invite the booking with {booking.party_nickname}"
    dialog = open_dialog(page, booking, "reinvite", title)
    expect(dialog).to_contain_text(
        "Leave the reason empty and AdultWork sends its own default reason."
    )
    reason = dialog.get_by_label("Reason (optional)")
    expect(reason).to_have_value("")
    expect(reason).not_to_have_attribute("required", "")
    dialog.get_by_role("button", name="Re-invite").click()

    expect_row_changed_in_place(page, booking, "Rejected")
    expect(toasts(page)).to_have_text(
        f"PhoneChat booking with {booking.party_nickname} re-invited."
    )
    entry = expect_audited(page, booking, "reinvite")
    expect(entry).not_to_contain_text("reason:")


# --- made PhoneChat ----------------------------------------------------------------------


def test_cancel_a_made_phonechat_booking_with_a_reason(open_page, performer, scarlett):
    booking = bookable(scarlett, "cancel", "phonechat", "made")
    page = open_page("phone", user=performer)
    open_list(page, "phonechat", "made")
    expect_buttons_follow_the_rules(page, scarlett, "cancel", "phonechat", "made")

    title = f"Cancel the booking with {booking.party_nickname}"
    dialog = open_dialog(page, booking, "cancel", title)
    dialog.get_by_label("Reason", exact=True).fill("Something came up")
    dialog.get_by_role("button", name="Cancel booking").click()

    expect_row_changed_in_place(page, booking, "Cancelled")
    expect(toasts(page)).to_have_text(f"PhoneChat booking with {booking.party_nickname} cancelled.")
    expect(expect_audited(page, booking, "cancel")).to_contain_text("reason: Something came up")


def test_reschedule_a_made_phonechat_booking_adds_the_new_one_at_the_top(
    open_page, performer, scarlett
):
    expect_reschedule_adds_a_booking_at_the_top(
        open_page("phone", user=performer), scarlett, "phonechat"
    )


# --- finished bookings -------------------------------------------------------------------


def test_delete_a_finished_booking_takes_its_row_away(open_page, performer, scarlett):
    booking = bookable(scarlett, "delete", "webcam", "received")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    expect_buttons_follow_the_rules(page, scarlett, "delete", "webcam", "received")
    shown = rows(page).count()

    dialog = open_dialog(page, booking, "delete", "Delete this booking?")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Delete").click()

    expect(row(page, booking)).to_have_count(0)
    expect(rows(page)).to_have_count(shown - 1)
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect_no_page_load(page)
    expect(toasts(page)).to_have_text("Booking deleted.")
    expect(expect_audited(page, booking, "delete")).to_contain_text("Confirmed → gone")


# --- when it does not go through ---------------------------------------------------------


def test_adultworks_refusal_is_toasted_and_the_row_stays(open_page, performer, scarlett, sandbox):
    booking = bookable(scarlett, "accept", "webcam", "received")
    refusal = "You cannot accept bookings while your profile is hidden."
    sandbox.add_fault(
        path="/v1/Webcam/AcceptReceivedBooking", kind="status", status=400, message=refusal
    )
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    dialog.get_by_role("button", name="Accept").click()

    expect(toasts(page)).to_have_text(f"AdultWork refused: {refusal}")
    expect(toasts(page)).to_have_class(re.compile(r"\btoast-error\b"))
    expect_row_changed_in_place(page, booking, "Pending")
    expect(row(page, booking).locator(".c-act .action-accept")).to_be_visible()
    expect_audited(page, booking, "accept", "Refused")


def test_a_validation_error_reopens_the_dialog_with_the_error_and_what_was_typed(
    open_page, performer, scarlett, sandbox
):
    booking = bookable(scarlett, "accept", "webcam", "received")
    sandbox.clear_requests()
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    dialog.get_by_label("Credits you want").fill("1.23456")
    stale = dialog.locator("[data-booking]").element_handle()
    dialog.get_by_role("button", name="Send counter-offer").click()
    stale.wait_for_element_state("hidden")  # the form came back into the sheet

    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("alert")).to_have_text("Credits have at most 4 decimal places.")
    expect(dialog.get_by_label("Credits you want")).to_have_value("1.23456")
    expect(dialog.get_by_label("Credits you want")).to_be_focused()
    expect(toasts(page)).to_have_count(0)  # said once, in the sheet
    expect(badge(page, booking)).to_have_text("Pending")
    expect_no_page_load(page)
    assert remote_posts(sandbox, "/v1/Webcam/AcceptReceivedBooking") == []


def test_a_reopened_dialog_still_warns_of_the_counter_offer(open_page, performer, scarlett):
    booking = bookable(scarlett, "accept", "webcam", "received")
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    dialog.get_by_label("Credits you want").fill("1.23456")
    dialog.get_by_role("button", name="Send counter-offer").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    expect(dialog.locator("button[type=submit]")).to_have_text("Send counter-offer", timeout=1_000)


def test_a_double_tap_sends_the_action_once(open_page, performer, scarlett, sandbox):
    booking = bookable(scarlett, "accept", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="latency", delay=1)
    sandbox.clear_requests()
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    submit = dialog.get_by_role("button", name="Accept").element_handle()
    with page.expect_request(lambda request: request.method == "POST") as sent:
        submit.click()
    submit.dispatch_event("click")  # the second tap, while the first is at AdultWork
    assert sent.value.headers.get("hx-request") == "true"
    expect_row_changed_in_place(page, booking, "Accepted")
    expect(toasts(page)).to_have_text(f"Webcam booking with {booking.party_nickname} accepted.")
    assert len(remote_posts(sandbox, "/v1/Webcam/AcceptReceivedBooking")) == 1


def test_the_submit_button_is_disabled_while_the_request_is_in_flight(
    open_page, performer, scarlett, sandbox
):
    booking = bookable(scarlett, "accept", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="latency", delay=1)
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    dialog = open_dialog(page, booking, "accept", f"Accept {booking.party_nickname}'s booking")
    submit = dialog.get_by_role("button", name="Accept")
    submit.click()
    expect(submit).to_be_disabled(timeout=500)  # well inside the second AdultWork takes
    expect(badge(page, booking)).to_have_text("Accepted")


# --- without JavaScript ------------------------------------------------------------------


def test_without_javascript_the_form_is_a_page_that_posts_and_comes_back_with_the_message(
    open_page, performer, scarlett
):
    booking = bookable(scarlett, "reject", "webcam", "received")
    page = open_page("phone", user=performer, javascript=False)
    page.goto(list_url("webcam", "received"))
    with page.expect_navigation():
        row(page, booking).locator(".c-act .action-reject").click()
    title = f"Reject the booking with {booking.party_nickname}"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_label("Reason", exact=True).fill("Away that day")
    with page.expect_navigation():
        page.get_by_role("button", name="Reject").click()

    # Back on the list it was opened from, with what happened.
    expect(page).to_have_url(re.compile(re.escape(list_url("webcam", "received")) + "$"))
    expect(page.locator("#messages")).to_contain_text(
        f"Webcam booking with {booking.party_nickname} rejected."
    )
    expect(badge(page, booking)).to_have_text("Rejected")
    expect_audited(page, booking, "reject")
