import re

from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD


def test_signing_in_through_the_form_lands_on_the_inbox(open_page, performer):
    page = open_page("phone")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/bookings/$"))
    page.get_by_label("Username").fill("performer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/bookings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs action")
    expect(page.get_by_role("link", name="Inbox")).to_have_attribute("aria-current", "page")
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("button", name="Sign out performer")).to_be_visible()


def test_a_wrong_password_keeps_you_on_the_form_and_says_so(open_page, performer):
    page = open_page("phone")
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("performer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That username and password do not match. Try again."
    )
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_label("Username")).to_have_value("performer")
