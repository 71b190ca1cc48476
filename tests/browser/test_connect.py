"""Connecting an AdultWork account the real way: through the sandbox's Unified Login page."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from dashboard.models import Account
from tests.browser.helpers import rows


@pytest.fixture
def registered(sandbox, live_server):
    sandbox.register_client(
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        redirect_uris=[f"{live_server.url}/accounts/connect/callback/"],
    )


def test_connect_see_bookings_disconnect_and_see_them_gone(open_page, performer, registered):
    page = open_page("phone", user=performer)
    page.goto("/accounts/")
    page.get_by_role("link", name="Connect an AdultWork account").click()
    # AdultWork's own page (the sandbox's stand-in): pick the member and allow.
    expect(page).to_have_url(re.compile(r"/OAuth/Authorize\?"))
    page.get_by_label("IvyBlaze", exact=False).check()
    page.get_by_role("button", name="Allow").click()
    expect(page.locator(".message").first).to_contain_text("IvyBlaze is connected")
    account = Account.objects.get(nickname="IvyBlaze")
    assert Booking.objects.filter(account=account).exists()

    page.goto("/bookings/webcam/received/")
    expect(rows(page).first).to_be_visible()

    page.goto("/accounts/")
    page.get_by_role("button", name="Disconnect").click()
    page.locator("dialog[open]").get_by_role("button", name="Disconnect").click()
    expect(page.locator(".message").first).to_contain_text("IvyBlaze is disconnected")
    page.goto("/bookings/webcam/received/")
    expect(rows(page)).to_have_count(0)
    assert not Booking.objects.exists()


def test_cancelling_at_the_login_page_says_so(open_page, performer, registered):
    page = open_page("phone", user=performer)
    page.goto("/accounts/connect/")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".message").first).to_contain_text("You cancelled at AdultWork")
    assert not Account.objects.exists()
