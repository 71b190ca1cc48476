"""What the browser tests share besides fixtures: the pages, reading rows off a page, choosing
a filter, filling the local copy from the sandbox, choosing the bookings a test acts on, and
acting on a row."""

import re
import socket
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bookings.models import Booking, Direction, Service, Status
from bookings.rules import allowed_actions
from bookings.selectors import PAGE_SIZE, booking_list
from bookings.sync import sync_account
from dashboard.models import Account
from tests.conftest import connect

PASSWORD = "secret-pass-123"  # the factories' default
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"  # ignored by git

# A phone, the narrowest phone still common (360 px), a desktop.
SIZES: dict[str, dict] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "narrow": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

LISTS = [
    ("webcam", "received"),
    ("webcam", "made"),
    ("phonechat", "received"),
    ("phonechat", "made"),
]
INBOX = "/bookings/"
AUDIT = "/bookings/audit/"
# Set on `window` before an action and read after it: a full page load would lose it.
MARK = "window.__noPageLoad"
LIST_PATHS = [f"/bookings/{service}/{direction}/" for service, direction in LISTS]
LIST_TITLES = {
    ("webcam", "received"): "Webcam bookings received",
    ("webcam", "made"): "Webcam bookings made",
    ("phonechat", "received"): "PhoneChat bookings received",
    ("phonechat", "made"): "PhoneChat bookings made",
}


class Problems:
    """What went wrong in the pages of a test, by kind ("csp", "console", "http", "uncaught"),
    each distinct message once with the pages it happened on."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, kind: str, url: str, text: str) -> None:
        # The live server's port changes from run to run; the path is what matters.
        path = re.sub(r"^https?://[^/]+", "", url)
        text = re.sub(r"https?://(localhost|127\.0\.0\.1):\d+", "", text)
        if path not in self._seen[kind, text]:
            self._seen[kind, text].append(path)

    def of(self, *kinds: str) -> list[str]:
        return [
            f"{kind}: {text}\n    on {', '.join(paths)}"
            for (kind, text), paths in self._seen.items()
            if kind in kinds
        ]


def synced_account(sandbox, sandbox_users: dict, *, user, nickname: str) -> Account:
    """Connect a sandbox performer to `user` and fill the local copy from the sandbox."""
    account = connect(sandbox, user=user, sandbox_user=sandbox_users[nickname])
    run = sync_account(account=account)
    assert run.ok, run.error
    return account


def closed_port_url() -> str:
    """An address on loopback where nothing listens: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def rows(page: Page) -> Locator:
    """One table row per booking (cards on a phone), with the booking's id as its own."""
    return page.locator("#booking-list > [data-booking-row]")


def party_names(page: Page) -> list[str]:
    """The other party of each row, as shown."""
    return [text.strip() for text in rows(page).locator(".c-who a").all_text_contents()]


# The column of each fact, by the words of its header.
COLUMNS = {
    "Member": "c-who",
    "Status": "c-st",
    "Session": "c-when",
    "Length": "c-len",
    "Credits": "c-cr",
    "Accept by": "c-due",
    "Feedback": "c-fb",
    "Account": "c-acc",
}


def fact(page: Page, label: str) -> Locator:
    """The cell of one column (`Session`, `Accept by`, `Account`...) in every row."""
    return rows(page).locator(f".{COLUMNS[label]}")


def times(page: Page, label: str) -> list[datetime]:
    """The machine-readable moments of one fact, row by row."""
    return [
        datetime.fromisoformat(time.get_attribute("datetime") or "")
        for time in fact(page, label).locator("time").all()
    ]


def open_filters(page: Page) -> None:
    """Unfold the filters, which a phone keeps behind a button (a desk always shows them)."""
    summary = page.locator("details.filter-panel:not([open]) > summary")
    if summary.count() and summary.is_visible():
        summary.click()


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option in a filter select and wait until htmx has swapped the results in."""
    open_filters(page)
    stale = page.locator("#results > *").first.element_handle()
    page.get_by_label(label, exact=True).select_option(label=option)
    stale.wait_for_element_state("hidden")  # detached: the new results are in place


def url_with(**params: str) -> re.Pattern:
    """A URL pattern requiring each name=value in its query string, in any order."""
    lookaheads = "".join(
        rf"(?=.*[?&]{re.escape(k)}={re.escape(v)}(&|$))" for k, v in params.items()
    )
    return re.compile(rf"^{lookaheads}.*$")


# --- choosing the bookings a test acts on ---------------------------------------------------


def list_url(service: str, direction: str) -> str:
    return f"/bookings/{service}/{direction}/"


def first_page(account: Account, service: str, direction: str) -> list[Booking]:
    """The bookings the list shows first, in its order (the default sort)."""
    return list(booking_list(accounts=[account], service=service, direction=direction)[:PAGE_SIZE])


def bookable(account: Account, action: str, service: str, direction: str) -> Booking:
    """A booking on the first page of its list on which the rules allow `action`."""
    now = timezone.now()
    for booking in first_page(account, service, direction):
        if action in allowed_actions(booking, now):
            return booking
    raise LookupError(f"the demo data shows no {service} {direction} booking to {action}")


def finished_on_first_page(account: Account) -> list[Booking]:
    """The finished bookings (the rules allow deleting them) on the first page of the webcam
    received list, in its order."""
    now = timezone.now()
    shown = first_page(account, "webcam", "received")
    return [b for b in shown if "delete" in allowed_actions(b, now)]


def finished(account: Account, count: int) -> list[Booking]:
    """The first `count` of finished_on_first_page."""
    chosen = finished_on_first_page(account)[:count]
    assert len(chosen) == count, "the demo data has too few finished bookings"
    return chosen


def pending_received(account: Account) -> Booking | None:
    """The webcam request that must be answered soonest, with ten minutes left to do it."""
    return (
        Booking.objects.filter(
            account=account,
            service=Service.WEBCAM,
            direction=Direction.RECEIVED,
            status=Status.PENDING,
            accept_by__gt=timezone.now() + timedelta(minutes=10),
        )
        .order_by("accept_by")
        .first()
    )


# --- acting on a row ---------------------------------------------------------------------------


def row(page: Page, booking: Booking) -> Locator:
    return page.locator(f"#booking-{booking.pk}")


def toasts(page: Page) -> Locator:
    return page.locator("#toasts .toast")


def open_list(page: Page, service: str, direction: str) -> None:
    page.goto(list_url(service, direction))
    page.evaluate(f"{MARK} = true")


def expect_no_page_load(page: Page) -> None:
    assert page.evaluate(MARK) is True, "the page was loaded again"


def open_dialog(page: Page, booking: Booking, action: str, title: str) -> Locator:
    """Tap the action's button on the row; the modal dialog it fetches and opens (the page's
    one sheet), named by its title."""
    row(page, booking).locator(f".c-act .action-{action}").click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-booking]")).to_have_attribute(
        "data-booking", f"booking-{booking.pk}"
    )
    return dialog


def remote_posts(sandbox, path: str) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and r["path"] == path]
