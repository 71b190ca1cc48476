"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live
server, with bookings synced from the sandbox over real HTTP.

One browser for the session, a fresh context (cookies, viewport, JavaScript on or off) for every
page a test opens. Every page is watched for console errors, uncaught exceptions and Content
Security Policy violations; `browser_problems` holds what was seen.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chromium import CHROMIUM, CHROMIUM_ARGS, chromium_installed

if not chromium_installed():
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM}: run `apt-get install chromium` "
        "(or `make browser` as root); Playwright's own browser download cannot work here",
        allow_module_level=True,
    )

# Playwright's sync API runs an event loop in this thread; without this Django refuses the ORM
# calls the tests make between page visits (factories, syncs, force_login).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from dashboard.models import Account
from tests.browser.helpers import SIZES, Problems, synced_account
from tests.factories import UserFactory

# Short, so that a failing expectation fails fast and the whole run stays well under a minute.
TIMEOUT_MS = 5_000

# Records securitypolicyviolation events through a binding, so they survive navigation.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile || document.location.href}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_problems() -> Problems:
    """Console errors, uncaught exceptions, failed requests and CSP violations of every page
    the test opened."""
    return Problems()


@pytest.fixture
def expected_page_noise() -> tuple[str, ...]:
    """Words of the problems a test module provokes on purpose (a request made offline, say),
    which no_page_problems lets pass: override it in that module. None by default."""
    return ()


@pytest.fixture
def no_page_problems(
    browser_problems: Problems, expected_page_noise: tuple[str, ...]
) -> Iterator[None]:
    """Fails the test, once it has run, if a page it opened logged an error, threw, broke the
    CSP or was answered 4xx or 5xx: `pytestmark = pytest.mark.usefixtures(...)`."""
    yield
    problems = [
        problem
        for problem in browser_problems.of("csp", "console", "uncaught", "http")
        if not any(noise in problem for noise in expected_page_noise)
    ]
    assert not problems, "\n".join(problems)


@pytest.fixture
def open_page(
    browser: Browser, live_server, transactional_db, browser_problems: Problems
) -> Iterator[Callable[..., Page]]:
    """`open_page("phone", user=user, javascript=False)`: a page in a context of its own,
    signed in as `user` when given, watched for problems."""
    contexts: list[BrowserContext] = []

    def open_page(size: str = "phone", *, user=None, javascript: bool = True) -> Page:
        context = browser.new_context(
            **SIZES[size],
            base_url=live_server.url,
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        if javascript:
            context.expose_binding(
                "reportCspViolation",
                lambda source, text: browser_problems.add("csp", source["page"].url, text),
            )
            context.add_init_script(CSP_LISTENER)
        if user is not None:
            context.add_cookies([session_cookie(user, live_server.url)])
        page = context.new_page()
        watch(page, browser_problems)
        return page

    yield open_page
    for context in contexts:
        context.close()


def watch(page: Page, problems: Problems) -> None:
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            problems.add("csp", page.url, message.text)
        elif message.type == "error":
            problems.add("console", page.url, message.text)

    def on_response(response) -> None:
        if response.status >= 400:
            problems.add("http", page.url, f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.add("uncaught", page.url, str(error)))
    page.on("response", on_response)


def session_cookie(user, url: str) -> dict:
    """The cookie of a signed-in session, without going through the form each time (the
    sign-in test does that once)."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": url}


@pytest.fixture
def performer(transactional_db):
    return UserFactory(username="performer")


@pytest.fixture
def scarlett(sandbox, sandbox_users, performer) -> Account:
    """The performer's one account, ScarlettRose, synced from the sandbox."""
    return synced_account(sandbox, sandbox_users, user=performer, nickname="ScarlettRose")


@pytest.fixture
def ivy(sandbox, sandbox_users, performer, scarlett) -> Account:
    """A second account of the same performer, IvyBlaze, synced from the sandbox."""
    return synced_account(sandbox, sandbox_users, user=performer, nickname="IvyBlaze")
