"""What the browser tests share besides fixtures: the pages, reading rows off a page, choosing
a filter, and filling the local copy from the sandbox."""

import re
import socket
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Locator, Page

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
