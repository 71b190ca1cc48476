import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from bookings.selectors import PAGE_SIZE
from tests.browser.helpers import LIST_TITLES, LISTS, party_names, rows


@pytest.mark.parametrize(("service", "direction"), LISTS)
def test_each_list_shows_the_bookings_synced_from_the_sandbox_with_the_other_party(
    open_page, performer, scarlett, sandbox_users, service, direction
):
    synced = Booking.objects.filter(account=scarlett, service=service, direction=direction)
    assert synced.exists(), "the sandbox seeds every list of every performer"
    page = open_page("desktop", user=performer)
    page.goto(f"/bookings/{service}/{direction}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(LIST_TITLES[service, direction])
    segment = page.get_by_role("navigation", name="Lists").get_by_role(
        "link", name=LIST_TITLES[service, direction].replace(" bookings", ""), exact=True
    )
    expect(segment).to_have_attribute("aria-current", "page")
    tab = page.get_by_role("navigation", name="Bookings").get_by_role("link", name="Lists")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(rows(page)).to_have_count(min(synced.count(), PAGE_SIZE))

    names = party_names(page)
    members = {name for name, user in sandbox_users.items() if name != "ScarlettRose"}
    assert set(names) <= members, f"not a sandbox member: {set(names) - members}"
    if direction == "made":
        performers = {n for n, u in sandbox_users.items() if u["Role"] == "performer"}
        assert set(names) <= performers, "a performer books other performers"
    else:
        clients = {n for n, u in sandbox_users.items() if u["Role"] == "client"}
        assert set(names) & clients, "clients book the performer"
    newest = synced.order_by("-session_at", "-pk").first()
    assert names[0] == newest.party_nickname, "the latest session comes first by default"
