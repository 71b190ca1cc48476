"""The lists are read from the local copy: AdultWork being unreachable changes nothing but the
freshness line, which says when each account was last synced."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from bookings.models import SyncRun
from bookings.sync import SyncFailed, sync_account
from tests.browser.helpers import INBOX, LIST_PATHS, closed_port_url, rows


@pytest.fixture
def adultwork_unreachable(settings, scarlett):
    """After the sync, AdultWork (the sandbox) is an address where nothing listens."""
    settings.ADULTWORK_API_URL = settings.ADULTWORK_AUTH_URL = closed_port_url()


def test_every_page_renders_from_the_local_copy_and_says_when_it_was_synced(
    open_page, performer, scarlett, adultwork_unreachable
):
    synced_at = SyncRun.objects.get(account=scarlett, ok=True).finished_at
    page = open_page("phone", user=performer)
    for path in [INBOX, *LIST_PATHS]:
        page.goto(path)
        expect(rows(page).first).to_be_visible()
        freshness = page.get_by_label("How fresh this list is")
        expect(freshness).to_contain_text("ScarlettRose: synced")
        moment = freshness.locator("summary time")
        expect(moment).to_have_text(re.compile(r"now|ago"))  # how long ago, in words
        shown = datetime.fromisoformat(moment.get_attribute("datetime") or "")
        assert abs(shown - synced_at) < timedelta(seconds=1), path
        expect(page.locator(".fresh-error")).to_have_count(0)


def test_a_failed_sync_is_shown_beside_the_last_good_one_and_the_rows_stay(
    open_page, performer, scarlett, adultwork_unreachable
):
    with pytest.raises(SyncFailed):
        sync_account(account=scarlett)
    page = open_page("phone", user=performer)
    page.goto(LIST_PATHS[0])
    expect(rows(page).first).to_be_visible()
    line = page.get_by_label("How fresh this list is").locator("p")
    expect(line).to_contain_text("ScarlettRose: synced")
    expect(line.locator("time").first).to_have_text(re.compile(r"now|ago"))
    expect(line.locator(".fresh-error")).to_contain_text("Last sync failed:")
    expect(line.locator(".fresh-error")).to_contain_text(re.compile(r"Next attempt .* from now"))
