"""The lists as a console, at the narrowest common phone (360 px), a phone and a desk: sorting
(by the column headers of the desk's table, by the filter panel's select on a phone), selecting
rows for a bulk action (a box for the whole page at the desk), and the keyboard shortcuts (j/k
to move, a/r to open the accept and reject forms, x to tick, ? for their list), which move the
focus, so that a screen reader reads the row they land on."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    INBOX,
    SIZES,
    choose,
    finished_on_first_page,
    list_url,
    rows,
    url_with,
)

ALL_SIZES = ["narrow", "phone", "desktop"]
WEBCAM_RECEIVED = list_url("webcam", "received")


pytestmark = pytest.mark.usefixtures("no_page_problems")


def is_desk(size: str) -> bool:
    return SIZES[size]["viewport"]["width"] >= 1024


def credits_shown(page: Page) -> list[Decimal]:
    return [Decimal(text.strip()) for text in rows(page).locator(".c-cr").all_text_contents()]


def focused_row(page: Page) -> str | None:
    return page.evaluate("document.activeElement.closest('[data-booking-row]')?.id ?? null")


def sort_by_credits(page: Page, size: str, *, most_first: bool) -> None:
    if not is_desk(size):
        choose(page, "Sort by", "Credits, most first" if most_first else "Credits, fewest first")
        return
    # A header sorts by its column, ascending; tapped again, it turns the order round. Called
    # fewest first, then most first, one tap each.
    header = page.get_by_role("columnheader", name="Credits")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending" if most_first else "ascending")


@pytest.mark.parametrize("size", ALL_SIZES)
def test_sorting_by_credits_orders_the_rows_both_ways_and_says_so(
    open_page, performer, scarlett, ivy, size
):
    page = open_page(size, user=performer)
    page.goto(WEBCAM_RECEIVED)
    rows(page).first.wait_for()

    sort_by_credits(page, size, most_first=False)
    expect(page).to_have_url(url_with(sort="credits"))
    fewest = credits_shown(page)
    assert fewest == sorted(fewest)
    assert len(set(fewest)) > 1

    sort_by_credits(page, size, most_first=True)
    expect(page).to_have_url(url_with(sort="-credits"))
    most = credits_shown(page)
    assert most == sorted(most, reverse=True)
    page.reload()  # the order is in the address: it survives a reload
    assert credits_shown(page) == most


@pytest.mark.parametrize("size", ALL_SIZES)
def test_ticking_rows_counts_them_and_the_desk_ticks_a_whole_page_at_once(
    open_page, performer, scarlett, size
):
    finished = [b.pk for b in finished_on_first_page(scarlett)]
    assert len(finished) >= 3, "the sandbox seeds finished bookings"
    page = open_page(size, user=performer)
    page.goto(WEBCAM_RECEIVED)
    count = page.locator("[data-selected-count]")
    boxes = page.locator("#booking-list input[type=checkbox]")
    expect(boxes).to_have_count(len(finished))

    for pk in finished[:2]:
        page.locator(f"#booking-{pk} .c-sel input").check()
    expect(count).to_have_text("2 selected")
    every = page.get_by_role("checkbox", name="Select every finished booking on this page")
    if not is_desk(size):
        return  # a phone's cards show no header row, where the box for the page is
    expect(every).to_have_js_property("indeterminate", True)
    every.check()
    expect(count).to_have_text(f"{len(finished)} selected")
    for pk in finished:
        expect(page.locator(f"#booking-{pk} .c-sel input")).to_be_checked()
    every.uncheck()
    expect(count).to_have_text("Tick finished bookings to delete several at once.")
    expect(boxes.and_(page.locator(":checked"))).to_have_count(0)


@pytest.mark.parametrize("size", ALL_SIZES)
def test_the_keyboard_moves_between_rows_and_opens_their_forms(
    open_page, performer, scarlett, sandbox, size
):
    page = open_page(size, user=performer)
    page.goto(INBOX)
    rows(page).first.wait_for()
    ids = rows(page).evaluate_all("items => items.map(item => item.id)")
    assert len(ids) >= 3, "the sandbox seeds several open requests"
    help_button = page.get_by_role("button", name="Keyboard shortcuts")
    if is_desk(size):
        expect(help_button).to_be_visible()
    else:
        expect(help_button).to_be_hidden()  # no keyboard to speak of on a phone

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Accept the chosen booking")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()

    page.keyboard.press("j")
    assert focused_row(page) == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert focused_row(page) == ids[2]
    page.keyboard.press("k")
    assert focused_row(page) == ids[1]
    # The focus is on the row's link: a screen reader reads the member it names.
    expect(page.locator(":focus")).to_have_text(row_name(page, ids[1]))

    page.keyboard.press("a")
    accept = page.get_by_role("dialog", name=f"Accept {row_name(page, ids[1])}'s booking")
    expect(accept).to_be_visible()
    page.keyboard.press("Escape")
    expect(accept).to_be_hidden()
    assert focused_row(page) == ids[1], "the focus comes back to the row"

    page.keyboard.press("r")
    reject = page.get_by_role("dialog", name=f"Reject the booking with {row_name(page, ids[1])}")
    expect(reject).to_be_visible()
    reject.get_by_label("Reason", exact=True).press("j")  # typing in a form is typing
    expect(reject.get_by_label("Reason", exact=True)).to_have_value("j")
    page.keyboard.press("Escape")
    assert [r for r in sandbox.requests() if r["method"] == "POST"] == [], "nothing sent"


def row_name(page: Page, row_id: str) -> str:
    return (page.locator(f"#{row_id} .c-who a").text_content() or "").strip()


def test_x_ticks_the_chosen_finished_booking_and_says_why_it_cannot_tick_another(
    open_page, performer, scarlett
):
    finished = [b.pk for b in finished_on_first_page(scarlett)]
    page = open_page("desktop", user=performer)
    page.goto(WEBCAM_RECEIVED)
    rows(page).first.wait_for()
    ids = rows(page).evaluate_all("items => items.map(item => item.id)")
    target = ids.index(f"booking-{finished[0]}")
    for _ in range(target + 1):
        page.keyboard.press("j")
    assert focused_row(page) == f"booking-{finished[0]}"
    page.keyboard.press("x")
    expect(page.locator(f"#booking-{finished[0]} .c-sel input")).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("1 selected")
    page.keyboard.press("x")
    expect(page.locator(f"#booking-{finished[0]} .c-sel input")).not_to_be_checked()

    unfinished = next(i for i in ids if int(i.removeprefix("booking-")) not in finished)
    page.locator(f"#{unfinished} .c-who a").focus()
    page.keyboard.press("x")
    expect(page.locator("#toasts")).to_contain_text("Only a finished booking can be selected.")
