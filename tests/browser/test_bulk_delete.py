"""Deleting several finished bookings at once, at phone size, against the sandbox: tick the rows,
"Delete selected", confirm in the dialog; each row goes, the toast gives the count, and every
booking gets its own audit entry."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings.models import Booking
from bookings.rules import allowed_actions
from tests.browser.helpers import (
    AUDIT,
    expect_no_page_load,
    finished,
    first_page,
    list_url,
    open_dialog,
    open_list,
    remote_posts,
    row,
    rows,
    toasts,
)

DELETE_PATH = "/v1/Webcam/DeleteReceivedBookings"


pytestmark = pytest.mark.usefixtures("no_page_problems")


def tick(page: Page, bookings: list[Booking]) -> None:
    for booking in bookings:
        box = row(page, booking).get_by_role(
            "checkbox", name=f"Select the booking with {booking.party_nickname} to delete"
        )
        box.check()
        expect(box).to_be_checked()


def test_only_finished_rows_can_be_ticked(open_page, performer, scarlett):
    now = timezone.now()
    shown = first_page(scarlett, "webcam", "received")
    deletable = {b.pk for b in shown if "delete" in allowed_actions(b, now)}
    assert 0 < len(deletable) < len(shown)
    page = open_page("phone", user=performer)
    page.goto(list_url("webcam", "received"))
    expect(rows(page)).to_have_count(len(shown))
    ticked = page.locator("[data-booking-row]:has(input[type=checkbox][form=bulk-delete])")
    ids = ticked.evaluate_all("items => items.map(item => item.id)")
    assert sorted(ids) == sorted(f"booking-{pk}" for pk in deletable)


def test_deleting_several_takes_each_row_away_and_counts_them(
    open_page, performer, scarlett, sandbox
):
    chosen = finished(scarlett, 3)
    sandbox.clear_requests()
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    shown = rows(page).count()
    tick(page, chosen)

    page.get_by_role("button", name="Delete selected").click()
    dialog = page.get_by_role("dialog", name="Delete the selected bookings?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Delete").click()

    for booking in chosen:
        expect(row(page, booking)).to_have_count(0)
    expect(rows(page)).to_have_count(shown - 3)
    expect(toasts(page)).to_have_text("3 of 3 bookings deleted.")
    expect_no_page_load(page)
    assert len(remote_posts(sandbox, DELETE_PATH)) == 1, "one call for the lot"
    assert not Booking.objects.filter(pk__in=[b.pk for b in chosen]).exists()

    page.goto(AUDIT)
    entries = page.locator(".audit-entry")
    expect(entries.locator(".audit-head")).to_have_text(["performer Delete · Done"] * 3)
    for booking in chosen:
        expect(entries.filter(has_text=f"booking {booking.remote_id} with ")).to_have_count(1)


def test_the_dialog_closes_once_the_bookings_are_deleted(open_page, performer, scarlett):
    chosen = finished(scarlett, 2)
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    tick(page, chosen)
    page.get_by_role("button", name="Delete selected").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(toasts(page)).to_have_text("2 of 2 bookings deleted.")
    expect(page.locator("dialog[open]")).to_have_count(0, timeout=1_000)


def test_the_delete_button_is_disabled_while_the_request_is_in_flight(
    open_page, performer, scarlett, sandbox
):
    chosen = finished(scarlett, 2)
    sandbox.add_fault(path=DELETE_PATH, kind="latency", delay=1)
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    tick(page, chosen)
    page.get_by_role("button", name="Delete selected").click()
    delete = page.get_by_role("dialog").get_by_role("button", name="Delete")
    delete.click()
    expect(delete).to_be_disabled(timeout=500)


def test_without_javascript_deleting_several_posts_and_comes_back_with_the_count(
    open_page, performer, scarlett
):
    chosen = finished(scarlett, 2)
    page = open_page("phone", user=performer, javascript=False)
    page.goto(list_url("webcam", "received"))
    tick(page, chosen)
    page.get_by_role("button", name="Delete selected").click()
    dialog = page.get_by_role("dialog", name="Delete the selected bookings?")
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(re.escape(list_url("webcam", "received")) + "$"))
    expect(page.locator("#messages")).to_contain_text("2 of 2 bookings deleted.")
    for booking in chosen:
        expect(row(page, booking)).to_have_count(0)


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_a_toast_leaves_delete_selected_visible_and_tappable(open_page, performer, scarlett):
    first, *others = finished(scarlett, 3)
    page = open_page("phone", user=performer)
    open_list(page, "webcam", "received")
    tick(page, others)
    dialog = open_dialog(page, first, "delete", "Delete this booking?")
    dialog.get_by_role("button", name="Delete").click()
    expect(toasts(page)).to_have_text("Booking deleted.")

    delete_selected = page.get_by_role("button", name="Delete selected")
    toast_box, button_box = toasts(page).bounding_box(), delete_selected.bounding_box()
    assert toast_box
    assert button_box
    assert not overlap(toast_box, button_box), "the toast covers 'Delete selected'"
    delete_selected.click(timeout=1_000)
    expect(page.get_by_role("dialog", name="Delete the selected bookings?")).to_be_visible()


def test_a_tickable_rows_name_starts_right_after_its_checkbox(open_page, performer, scarlett):
    [booking] = finished(scarlett, 1)
    page = open_page("phone", user=performer)
    page.goto(list_url("webcam", "received"))
    box = row(page, booking).locator(".c-sel input").bounding_box()
    name = row(page, booking).locator(".c-who a").bounding_box()
    assert box
    assert name
    assert name["x"] - (box["x"] + box["width"]) <= 12, "a gap between checkbox and name"
