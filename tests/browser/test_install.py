"""The installable app in chromium: the service worker registers and takes the pages, the last
copy of a list is shown offline with the time it is from (or the offline page names it), the
manifest is linked (neutral for the discreet), and push: the settings' controls, and the service
worker showing a push message as a notification.

What cannot be tested here: headless chromium has no push service, so a real subscription
cannot be made (the controls are tested up to the browser's refusal, and the worker's
end-to-end delivery, encryption included, is tested against a loopback push service in
tests/bookings/test_push.py); the push message below is delivered by DevTools' own
ServiceWorker.deliverPushMessage, as its "Push" button does, not by a push service; and a
notification cannot be clicked, so notificationclick is not exercised.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from dashboard.models import Preferences
from dashboard.vapid import generate_key_pair
from tests.browser.helpers import INBOX, rows

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.usefixtures("no_page_problems")


@pytest.fixture
def expected_page_noise() -> tuple[str, ...]:
    # Chromium's own words for a request made offline (expected while the network is off), and
    # for a push subscription in a context like Playwright's, which Chrome treats as incognito.
    return ("ERR_INTERNET_DISCONNECTED", "does not support the Push API in incognito mode")


@pytest.fixture
def push_keys(settings):
    keys = generate_key_pair()
    settings.VAPID_PRIVATE_KEY = keys.private_key
    settings.VAPID_PUBLIC_KEY = keys.public_key
    return keys


def until(page: Page, script: str, arg=None) -> None:
    """Wait until `script` (a function, maybe async) is true in the page. Not Playwright's
    wait_for_function, which evaluates strings as code: the CSP forbids that, rightly."""
    for _ in range(50):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def controlled(page: Page, path: str = INBOX) -> None:
    """Open `path` and wait until the service worker is active and controls the page."""
    page.goto(path)
    until(page, "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)")


def copies(page: Page) -> list[str]:
    return page.evaluate(
        """caches.open("copies").then((cache) => cache.keys())
             .then((keys) => keys.map((key) => new URL(key.url).pathname))"""
    )


def kept_copy_of(page: Page, path: str) -> datetime:
    """Open `path` through the service worker and wait until it has kept the copy; the time
    just before it was asked for."""
    before = datetime.now(LONDON).replace(second=0, microsecond=0)
    page.goto(path)
    until(
        page,
        """(path) => caches.open("copies").then((cache) => cache.match(path))
             .then((copy) => Boolean(copy))""",
        path,
    )
    return before


def said_time(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M")


def test_the_service_worker_registers_from_every_page_and_takes_it(open_page, performer):
    page = open_page("phone", user=performer)
    controlled(page)
    script = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert script.endswith("/sw.js")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)").endswith("/")
    # The shell is kept from the start: the offline page among it.
    kept = page.evaluate(
        """caches.keys()
             .then((names) => caches.open(names.find((name) => name.startsWith("shell-"))))
             .then((cache) => cache.keys())
             .then((keys) => keys.map((key) => new URL(key.url).pathname))"""
    )
    assert "/offline/" in kept
    assert "/static/css/app.css" in kept


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_offline_the_last_copy_of_a_list_is_shown_with_the_time_it_is_from(
    open_page, performer, scarlett, size
):
    page = open_page(size, user=performer)
    controlled(page)
    before = kept_copy_of(page, INBOX)
    expect(rows(page).first).to_be_visible()
    count = rows(page).count()

    page.context.set_offline(True)
    page.goto(INBOX)

    banner = page.get_by_role("status").filter(has_text="You are offline")
    expect(banner).to_contain_text("This is the last copy this device has, from ")
    moment = banner.locator("time")
    shown = datetime.fromisoformat((moment.get_attribute("datetime") or "").replace("Z", "+00:00"))
    assert before <= shown.astimezone(LONDON) < before + timedelta(minutes=2)
    expect(moment).to_have_text(said_time(shown))
    expect(rows(page)).to_have_count(count)


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_offline_a_page_with_no_copy_shows_the_offline_page_naming_the_last_copy(
    open_page, performer, scarlett, size
):
    page = open_page(size, user=performer)
    controlled(page)
    kept_copy_of(page, INBOX)

    page.context.set_offline(True)
    page.goto("/settings/")

    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    last = page.locator("[data-last-copy]")
    expect(last).to_contain_text(re.compile(r"^The last copy this device has is from \d\d:\d\d"))
    shown = datetime.fromisoformat(
        (last.locator("time").get_attribute("datetime") or "").replace("Z", "+00:00")
    )
    expect(last.locator("time")).to_have_text(said_time(shown))
    last.get_by_role("link", name="open it").click()
    expect(page.get_by_role("status").filter(has_text="You are offline")).to_be_visible()
    assert page.url.endswith(INBOX)


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_offline_with_no_copy_at_all_the_offline_page_says_so(open_page, performer, size):
    page = open_page(size, user=performer)
    controlled(page, "/settings/")
    page.context.set_offline(True)
    page.goto("/accounts/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.locator("[data-last-copy]")).to_have_text(
        "This device keeps no copy of your bookings yet."
    )
    expect(page).to_have_title(re.compile("^Offline"))


def test_signing_out_drops_the_copies_so_the_next_person_sees_none(open_page, performer, scarlett):
    page = open_page("phone", user=performer)
    controlled(page)
    kept_copy_of(page, INBOX)
    assert copies(page) == [INBOX]
    # Submitted as its button would (the button may sit in a menu closed on a phone).
    with page.expect_navigation():
        page.locator("form[action='/sign-out/']").evaluate("(form) => form.requestSubmit()")
    page.wait_for_url("**/sign-in/")
    until(page, """() => caches.has("copies").then((has) => !has)""")


def manifest_of(page: Page) -> dict:
    link = page.locator("link[rel=manifest]")
    expect(link).to_have_attribute("crossorigin", "use-credentials")
    return page.evaluate(
        """(href) => fetch(href, { credentials: "include" }).then((r) => r.json())""",
        link.get_attribute("href"),
    )


def test_the_pages_link_the_manifest_and_the_discreet_get_a_neutral_one(open_page, performer):
    page = open_page("phone", user=performer)
    page.goto(INBOX)
    assert manifest_of(page)["name"] == "AW Bookings"
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#8a1f5c")

    Preferences.objects.create(user=performer, discreet=True)
    page.reload()
    manifest = manifest_of(page)
    assert manifest["name"] == "Dashboard"
    assert all("/img/neutral" in icon["src"] for icon in manifest["icons"])
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#4a5560")


def grant_notifications(context: BrowserContext, page: Page) -> None:
    origin = re.match(r"^https?://[^/]+", page.url or "")
    context.grant_permissions(["notifications"], origin=origin.group(0) if origin else None)


def push_controls(page: Page):
    section = page.get_by_role("region", name="Push notifications on this device")
    return (
        section,
        section.get_by_role("button", name="Turn on push on this device"),
        section.locator("[data-push-status]"),
    )


def test_the_settings_offer_push_on_this_device_and_say_why_it_could_not_be_turned_on(
    open_page, performer, push_keys, live_server
):
    page = open_page("phone", user=performer)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto("/settings/")
    _, turn_on, status = push_controls(page)
    expect(status).to_have_text("Push is off for this device.")
    expect(turn_on).to_be_visible()
    turn_on.click()
    # Headless chromium reaches no push service: the browser refuses, and the page says so.
    expect(status).to_contain_text("Push could not be turned on: ")
    expect(status).to_have_class(re.compile("push-problem"))
    expect(turn_on).to_be_enabled()


def test_blocked_notifications_are_named_with_what_to_do(open_page, performer, push_keys):
    page = open_page("phone", user=performer)
    page.goto("/settings/")
    _, turn_on, status = push_controls(page)
    expect(turn_on).to_be_visible()
    turn_on.click()
    # Headless chromium answers the permission prompt itself: "denied".
    expect(status).to_contain_text("Notifications are blocked for this site in this browser")


def test_without_keys_the_settings_say_push_is_not_available(open_page, performer, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    page = open_page("phone", user=performer)
    page.goto("/settings/")
    section, turn_on, _ = push_controls(page)
    expect(section).to_contain_text("Push notifications are not available on this dashboard")
    expect(turn_on).to_have_count(0)


def test_a_push_message_is_shown_as_a_notification_by_the_service_worker(
    open_page, performer, live_server
):
    page = open_page("phone", user=performer)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    controlled(page)
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # the registration event arrives on its own
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if not r.get("isDeleted")][:1]

    payload = (
        '{"title": "New request", "body": "A request needs an answer.",'
        ' "tag": "new_request-7", "url": "/bookings/", "icon": "/static/img/neutral-192.png"}'
    )
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "data": payload,
        },
    )

    shown = page.evaluate(
        """async () => {
             const registration = await navigator.serviceWorker.ready;
             for (let i = 0; i < 50; i += 1) {
               const shown = await registration.getNotifications();
               if (shown.length) {
                 return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag,
                                             icon: n.icon, url: n.data.url }));
               }
               await new Promise((done) => setTimeout(done, 100));
             }
             return [];
           }"""
    )
    assert shown == [
        {
            "title": "New request",
            "body": "A request needs an answer.",
            "tag": "new_request-7",
            "icon": f"{live_server.url}/static/img/neutral-192.png",
            "url": "/bookings/",
        }
    ]
