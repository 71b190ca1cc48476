"""The sign-in lockout behind a reverse proxy: it counts by username and the client's real address,
which only the trusted proxies' entries of X-Forwarded-For can tell (AXES_FAILURE_LIMIT is 5)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from dashboard.client_ip import client_ip_address
from tests.factories import UserFactory

PROXY = "10.0.0.2"  # what REMOTE_ADDR says of every request that came through the proxy
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"
PASSWORD = "secret-pass-123"  # the factory's


@pytest.fixture
def one_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1


@pytest.fixture
def performer(db):
    return UserFactory(username="performer")


def sign_in(client: Client, forwarded_for: str | None, password: str = "wrong"):
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return client.post(
        reverse("login"),
        {"username": "performer", "password": password},
        headers=headers,
        REMOTE_ADDR=PROXY,
    )


def signed_in(client: Client, response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


def counted_addresses() -> set[str]:
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_rotating_a_spoofed_x_forwarded_for_does_not_reset_the_count(one_proxy, performer):
    attacker = Client()
    for n in range(5):
        # The proxy appends the address it saw; the part before it is the attacker's to write.
        sign_in(attacker, f"1.2.3.{n}, {ATTACKER}")
    response = sign_in(attacker, f"9.9.9.9, {ATTACKER}", password=PASSWORD)
    assert response.status_code == 429
    assert not signed_in(attacker, response)
    assert counted_addresses() == {ATTACKER}


def test_spoofing_the_victims_address_does_not_shift_the_lockout_onto_them(one_proxy, performer):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, f"{VICTIM}, {ATTACKER}")
    assert counted_addresses() == {ATTACKER}
    victim = Client()
    assert signed_in(victim, sign_in(victim, VICTIM, password=PASSWORD))
    assert sign_in(attacker, f"{VICTIM}, {ATTACKER}", password=PASSWORD).status_code == 429


def test_failures_from_one_address_do_not_lock_the_username_out_at_another(one_proxy, performer):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, ATTACKER)
    assert sign_in(attacker, ATTACKER, password=PASSWORD).status_code == 429
    # Same proxy, so the same REMOTE_ADDR: only the proxy's entry tells the two apart.
    victim = Client()
    response = sign_in(victim, VICTIM, password=PASSWORD)
    assert signed_in(victim, response)
    assert response.url == reverse("bookings:inbox")


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(settings, performer):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    attacker = Client()
    for n in range(5):
        sign_in(attacker, f"198.51.100.{n}")
    assert counted_addresses() == {PROXY}
    response = sign_in(attacker, "198.51.100.200", password=PASSWORD)
    assert response.status_code == 429
    assert not signed_in(attacker, response)


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "address"),
    [
        (0, "198.51.100.7", PROXY),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
        # Fewer entries than trusted proxies, or none, or not an address: what reached us.
        (2, "198.51.100.7", PROXY),
        (1, None, PROXY),
        (1, "1.2.3.4, ", PROXY),
        (1, "1.2.3.4, not-an-address", PROXY),
    ],
)
def test_the_client_address_is_read_only_as_far_as_the_trusted_proxies_go(
    settings, trusted, forwarded_for, address
):
    settings.AXES_IPWARE_PROXY_COUNT = trusted
    meta = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip_address(RequestFactory().get("/", **meta)) == address
