from playwright.sync_api import expect

from tests.browser.helpers import choose, times, url_with

WEBCAM_RECEIVED = "/bookings/webcam/received/"


def test_the_sort_select_shows_the_order_the_list_is_in(open_page, performer, scarlett):
    page = open_page("phone", user=performer)
    page.goto(WEBCAM_RECEIVED)
    sessions = times(page, "Session")
    assert sessions == sorted(sessions, reverse=True), "the default order is latest first"
    expect(page.get_by_label("Sort by")).to_have_value("-session")


def test_sorting_by_session_date_puts_the_soonest_or_the_latest_first(
    open_page, performer, scarlett
):
    page = open_page("phone", user=performer)
    page.goto(WEBCAM_RECEIVED)
    choose(page, "Sort by", "Accept by, latest first")  # away first, so each choice is a change
    choose(page, "Sort by", "Session date, soonest first")
    expect(page).to_have_url(url_with(sort="session"))
    soonest_first = times(page, "Session")
    assert soonest_first == sorted(soonest_first)
    assert soonest_first[0] < soonest_first[-1]

    choose(page, "Sort by", "Session date, latest first")
    expect(page).to_have_url(url_with(sort="-session"))
    latest_first = times(page, "Session")
    assert latest_first == sorted(latest_first, reverse=True)
    assert latest_first[0] > latest_first[-1]


def test_sorting_by_accept_by_puts_the_nearest_or_the_farthest_deadline_first(
    open_page, performer, scarlett
):
    page = open_page("desktop", user=performer)
    page.goto(WEBCAM_RECEIVED)
    choose(page, "Status", "Pending")  # only pending requests show their accept-by
    choose(page, "Sort by", "Accept by, soonest first")
    expect(page).to_have_url(url_with(status="Pending", sort="accept_by"))
    nearest_first = times(page, "Accept by")
    assert len(nearest_first) > 1
    assert nearest_first == sorted(nearest_first)

    choose(page, "Sort by", "Accept by, latest first")
    expect(page).to_have_url(url_with(status="Pending", sort="-accept_by"))
    farthest_first = times(page, "Accept by")
    assert farthest_first == sorted(nearest_first, reverse=True)
