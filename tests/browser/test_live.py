"""Live pages, with the page's clock in the test's hands: the countdowns tick in the browser and
act at the deadline, the open inbox polls every 20 s and merges what changed row by row (a 304
when nothing did), and a new request shows a toast and, where the user allowed it, a browser
notification, in neutral words in discreet mode.

The clock is installed at the real current time before the page loads, so that the page and the
server agree on "now"; then the test moves the page's time on (`fast_forward` fires each timer
that fell due once: the 5 s tick and the 20 s poll). No sleeps: every wait is an expectation.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Request, Response, expect

from bookings.models import Booking
from bookings.tasks import sync_account_task
from dashboard.models import Account, Preferences
from tests.browser.helpers import COLUMNS, INBOX
from tests.factories import AccountFactory, BookingFactory

POLL_MS = 20_000  # hx-trigger="every 20s" on #live
WEBCAM_RECEIVED = "/bookings/webcam/received/"

# Headless chromium cannot show a real notification, so Notification is the one thing stubbed:
# permission stays "granted" and every `new Notification(title, options)` is recorded.
NOTIFICATION_STUB = """
window.__notifications = [];
window.Notification = class Notification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options = {}) {
    window.__notifications.push({ title, body: options.body, tag: options.tag });
  }
};
"""


pytestmark = pytest.mark.usefixtures("no_page_problems")


# --- the page's clock and its poll -------------------------------------------------------


def open_at_now(page: Page, path: str) -> None:
    """Load `path` with the page's clock installed at the real current time."""
    page.clock.install(time=timezone.now())
    page.goto(path)


def is_poll(request: Request) -> bool:
    """The request #live sends (htmx names the element that triggered it)."""
    return request.method == "GET" and request.headers.get("hx-trigger") == "live"


def poll(page: Page) -> Response:
    """Let the poll's 20 s pass on the page's clock; the answer to the poll it sent."""
    with page.expect_response(lambda response: is_poll(response.request)) as answer:
        page.clock.fast_forward(POLL_MS)
    return answer.value


# --- reading the page --------------------------------------------------------------------


def row(page: Page, booking: Booking) -> Locator:
    return page.locator(f"#booking-{booking.pk}")


def deadline(page: Page, booking: Booking) -> Locator:
    return row(page, booking).locator(".deadline[data-deadline]")


def needs_answer_badge(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Bookings").locator("[data-needs-answer]")


def expect_needs_answer(page: Page, count: int, title: str) -> None:
    """The count of requests awaiting an answer, in the page's title and on the inbox link."""
    expect(page).to_have_title(f"({count}) {title}")
    expect(needs_answer_badge(page)).to_be_visible()
    expect(needs_answer_badge(page).locator("[data-needs-answer-number]")).to_have_text(str(count))


def booking_of(item: Locator) -> Booking:
    """The booking a row (`tr#booking-<pk>`) shows."""
    return Booking.objects.get(pk=int((item.get_attribute("id") or "").removeprefix("booking-")))


def fact(item: Locator, label: str) -> Locator:
    """The cell of one fact (`Credits`, `Accept by`...) of a row."""
    return item.locator(f".{COLUMNS[label]}")


def toasts(page: Page) -> Locator:
    return page.locator("#toasts .toast-info")


# --- countdowns --------------------------------------------------------------------------


def test_the_countdown_ticks_turns_urgent_and_at_the_deadline_leaves_the_inbox_or_expires(
    open_page, performer
):
    account = AccountFactory(owner=performer, nickname="ScarlettLocal")
    # 35 min and a margin for the seconds the test takes before it reads the first countdown.
    hasty = BookingFactory(
        account=account,
        party_nickname="Hasty",
        accept_by=timezone.now() + timedelta(minutes=35, seconds=45),
    )
    patient = BookingFactory(account=account, party_nickname="Patient")  # 2 h 10 min to go

    page = open_page("phone", user=performer)
    open_at_now(page, INBOX)
    expect(page.locator("#results")).to_have_attribute("data-view", "open")
    expect_needs_answer(page, 2, "Inbox · AW Bookings")
    expect(deadline(page, hasty)).to_have_text("accept within 35\u00a0min")
    page.evaluate("window.__noPageLoad = true")

    page.clock.fast_forward("02:00")
    expect(deadline(page, hasty)).to_have_text("accept within 33\u00a0min")
    expect(deadline(page, hasty)).not_to_have_class(re.compile(r"\burgent\b"))

    page.clock.fast_forward("06:00")
    expect(deadline(page, hasty)).to_have_class(re.compile(r"\burgent\b"))
    expect(deadline(page, patient)).not_to_have_class(re.compile(r"\burgent\b"))

    page.clock.fast_forward("28:00")  # 45 s past the deadline
    expect(row(page, hasty)).to_have_count(0)
    expect(row(page, patient)).to_be_visible()
    expect_needs_answer(page, 1, "Inbox · AW Bookings")
    assert page.evaluate("window.__noPageLoad") is True, "the page was loaded again"

    # On a list the request stays, marked expired, and can no longer be accepted.
    page = open_page("phone", user=performer)
    open_at_now(page, WEBCAM_RECEIVED)
    expect(deadline(page, hasty)).to_have_text(re.compile(r"^accept within 3\d\u00a0min$"))
    expect(row(page, hasty).locator(".c-act .action-accept")).to_be_visible()
    expect_needs_answer(page, 2, "Webcam bookings received · AW Bookings")

    page.clock.fast_forward("36:00")
    expect(row(page, hasty).locator("strong.expired")).to_have_text("expired")
    expect(deadline(page, hasty)).to_have_count(0)
    expect(row(page, hasty).locator(".c-act .action-accept")).to_have_count(0)
    expect(row(page, patient).locator(".c-act .action-accept")).to_be_visible()
    expect(deadline(page, patient)).to_be_visible()
    expect_needs_answer(page, 1, "Webcam bookings received · AW Bookings")


# --- polling -----------------------------------------------------------------------------


def test_a_booking_made_in_the_sandbox_appears_in_the_open_inbox_within_a_sync_and_one_poll(
    open_page, performer, scarlett, sandbox, sandbox_users
):
    page = open_page("phone", user=performer)
    open_at_now(page, INBOX)
    items = page.locator("#booking-list > [data-booking-row]")
    expect(items.first).to_be_visible()
    count = items.count()
    assert count >= 2, "the sandbox seeds several open requests"
    kept, asked = booking_of(items.nth(0)), booking_of(items.nth(1))
    row(page, kept).evaluate('item => { item.dataset.marker = "kept"; }')
    row(page, asked).locator(".c-act .action-reject").click()
    dialog = page.get_by_role("dialog", name=f"Reject the booking with {asked.party_nickname}")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason", exact=True).fill("Half typed")
    dialog.evaluate('dialog => { dialog.dataset.marker = "kept"; }')
    waiting = int(page.locator("[data-needs-answer-number]").text_content() or "0")

    # The row under the open dialog changes too: it must wait for the dialog to close.
    sandbox.patch_booking(service=asked.service, booking_id=asked.remote_id, Credits=99)
    remote_id = sandbox.add_request(
        performer_id=sandbox_users["ScarlettRose"]["UserID"],
        service="webcam",
        credits=42,
        accept_within_minutes=50,
        session_in_minutes=90,
    )
    sync_account_task.enqueue(scarlett.pk)  # as the worker does, within the short interval
    new = Booking.objects.get(account=scarlett, remote_id=remote_id)

    assert poll(page).status == 200
    expect(row(page, new)).to_be_visible()
    expect(row(page, new).locator(".c-who a")).to_contain_text(new.party_nickname)
    expect(items).to_have_count(count + 1)
    expect_needs_answer(page, waiting + 1, "Inbox · AW Bookings")
    # Unchanged rows are the very nodes they were; the open dialog stays open as it was.
    expect(row(page, kept)).to_have_attribute("data-marker", "kept")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-marker", "kept")
    expect(dialog.get_by_label("Reason", exact=True)).to_have_value("Half typed")
    expect(page.locator("dialog[open]")).to_have_count(1)
    expect(fact(row(page, asked), "Credits")).not_to_have_text("99")


def test_a_row_that_changed_under_an_open_dialog_is_brought_up_to_date_once_it_closes(
    open_page, performer, scarlett, sandbox
):
    page = open_page("phone", user=performer)
    open_at_now(page, INBOX)
    asked = booking_of(page.locator("#booking-list > [data-booking-row]").first)
    row(page, asked).locator(".c-act .action-reject").click()
    dialog = page.get_by_role("dialog", name=f"Reject the booking with {asked.party_nickname}")
    expect(dialog).to_be_visible()

    sandbox.patch_booking(service=asked.service, booking_id=asked.remote_id, Credits=99)
    sync_account_task.enqueue(scarlett.pk)
    assert Booking.objects.get(pk=asked.pk).credits == 99
    assert poll(page).status == 200
    expect(dialog).to_be_visible()
    expect(fact(row(page, asked), "Credits")).not_to_have_text("99")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    poll(page)
    expect(fact(row(page, asked), "Credits")).to_have_text("99")


def test_a_poll_that_finds_nothing_changed_is_answered_304(open_page, performer, scarlett):
    page = open_page("phone", user=performer)
    polls: list[int] = []

    def count(response: Response) -> None:
        if is_poll(response.request):
            polls.append(response.status)

    page.on("response", count)
    open_at_now(page, INBOX)
    first = page.locator("#booking-list > [data-booking-row]").first
    first.evaluate('item => { item.dataset.marker = "kept"; }')
    etag = page.locator("#live").get_attribute("data-etag")
    assert etag

    answer = poll(page)
    assert answer.status == 304
    assert answer.request.headers.get("if-none-match") == etag
    assert poll(page).status == 304
    assert polls == [304, 304]
    expect(first).to_have_attribute("data-marker", "kept")
    expect(page.locator("#live")).to_have_attribute("data-etag", etag)


# --- alerts ------------------------------------------------------------------------------


def alert_of_a_new_request(
    page: Page, live_server, performer, account: Account, sandbox, sandbox_users, **prefs
) -> tuple[Booking, dict]:
    """With these preferences and notifications allowed, open the inbox, have a client book
    (a PhoneChat request of 77 credits) and wait for the poll; the new booking and the
    notification recorded for it."""
    Preferences.objects.update_or_create(user=performer, defaults=prefs)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(NOTIFICATION_STUB)
    open_at_now(page, INBOX)
    expect(page.locator("#booking-list > tr").first).to_be_visible()

    remote_id = sandbox.add_request(
        performer_id=sandbox_users["ScarlettRose"]["UserID"], service="phonechat", credits=77
    )
    sync_account_task.enqueue(account.pk)
    booking = Booking.objects.get(account=account, remote_id=remote_id)
    assert poll(page).status == 200
    # The toasts and notifications of the poll's alerts come from one handler, at once.
    expect(toasts(page).first).to_be_visible()
    notifications = page.evaluate("window.__notifications")
    [notification] = [n for n in notifications if n["tag"] == f"new_request-{booking.pk}"]
    return booking, notification


def test_a_browser_notification_is_shown_when_permitted_in_neutral_words_in_discreet_mode(
    open_page, live_server, performer, scarlett, sandbox, sandbox_users
):
    page = open_page("phone", user=performer)
    booking, notification = alert_of_a_new_request(
        page,
        live_server,
        performer,
        scarlett,
        sandbox,
        sandbox_users,
        alert_browser=True,
        alert_in_page=True,
        discreet=True,
    )
    assert notification["title"] == "New request"
    for secret in (booking.party_nickname, "ScarlettRose", "Webcam", "PhoneChat", "77", "credit"):
        assert secret.lower() not in notification["body"].lower()
    for shown in page.evaluate("window.__notifications"):
        assert booking.party_nickname not in shown["title"] + shown["body"]
    expect(toasts(page).filter(has_text="New request")).to_have_text(
        "New request: A request needs an answer."
    )
    for text in toasts(page).all_text_contents():
        assert booking.party_nickname not in text
    expect(page).to_have_title(re.compile(r"^\(\d+\) Dashboard$"))


def test_without_discreet_mode_the_browser_notification_names_the_client(
    open_page, live_server, performer, scarlett, sandbox, sandbox_users
):
    page = open_page("phone", user=performer)
    booking, notification = alert_of_a_new_request(
        page,
        live_server,
        performer,
        scarlett,
        sandbox,
        sandbox_users,
        alert_browser=True,
        alert_in_page=True,
    )
    who = booking.party_nickname
    assert notification["title"] == f"New PhoneChat request from {who}"
    assert notification["body"].startswith("For ScarlettRose: 77 credits for ")
    expect(toasts(page).filter(has_text=who)).to_contain_text(f"New PhoneChat request from {who}")
    expect(page).to_have_title(re.compile(r"^\(\d+\) Inbox · AW Bookings$"))
