"""Every page, and a filter change, without a console error, an uncaught exception or a
Content Security Policy violation (the site allows no inline script or style)."""

from playwright.sync_api import Page

from tests.browser.helpers import INBOX, LIST_PATHS, PASSWORD, choose, rows


def hrefs(page: Page, navigation: str) -> list[str]:
    """Where a navigation's links go, shown or not (the menu's are folded away)."""
    links = page.locator(f'nav[aria-label="{navigation}"] a')
    return [link.get_attribute("href") or "" for link in links.all()]


def visit_everything(page: Page) -> None:
    """Sign in, open every page the tabs, the menu and the lists' segments link to (the inbox
    and the four lists at least), the expired tab, and change each filter of a list."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("performer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{INBOX}")
    rows(page).first.wait_for()
    paths = hrefs(page, "Bookings")
    page.goto(paths[1])  # the Lists tab, whose segments lead to the four lists
    paths += hrefs(page, "Lists") + hrefs(page, "More")
    assert set(paths) >= {INBOX, *LIST_PATHS}
    for path in paths:
        page.goto(path)  # waits for the load event: every script has run
    page.goto(INBOX)
    page.get_by_role("link", name="Expired").click()
    page.wait_for_url("**?show=expired")
    page.goto(LIST_PATHS[0])
    choose(page, "Status", "Pending")
    choose(page, "Account", "IvyBlaze")
    choose(page, "Sort by", "Accept by, soonest first")
    page.evaluate("0")  # a round trip, so that messages of the last page have arrived


def test_no_page_breaks_the_content_security_policy(
    open_page, performer, scarlett, ivy, browser_problems
):
    visit_everything(open_page("phone"))
    violations = browser_problems.of("csp")
    assert not violations, "\n".join(violations)


def test_no_page_logs_a_console_error_or_throws(
    open_page, performer, scarlett, ivy, browser_problems
):
    visit_everything(open_page("desktop"))
    problems = browser_problems.of("console", "uncaught", "http")
    assert not problems, "\n".join(problems)


def test_the_icon_browsers_ask_every_page_for_exists(open_page, performer):
    """Without one, every first visit logs "Failed to load resource: 404" for /favicon.ico."""
    page = open_page("desktop")
    page.goto("/sign-in/")
    declared = page.locator("link[rel~=icon]")
    href = declared.first.get_attribute("href") if declared.count() else "/favicon.ico"
    response = page.request.get(href or "")
    assert response.ok, f"{href}: {response.status}"
