"""Push alerts end to end: a request's alert goes through the real path (alerts_after_sync) to a
push service that is a receiver on loopback in this test, which decrypts the payload with the
browser's keys, as a browser would, and checks the site's VAPID signature."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from py_vapid import Vapid

import bookings.push
from bookings.alerts import alerts_after_sync
from bookings.models import Alert, PushSubscription
from bookings.push import send_push_alerts
from dashboard.models import Preferences
from dashboard.vapid import generate_key_pair
from tests.factories import BookingFactory, UserFactory


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict  # by lower-case name
    body: bytes


@dataclass
class Receiver:
    """A push service on loopback: it keeps what it is sent and answers `status`."""

    url: str
    status: int = 201
    delay: float = 0.0
    location: str = ""
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receivers():
    servers = []

    def start(status: int = 201, *, delay: float = 0.0, location: str = "") -> Receiver:
        receiver = Receiver(url="", status=status, delay=delay, location=location)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receivers) -> Receiver:
    return receivers()


@pytest.fixture(autouse=True)
def vapid(settings):
    """Push set up as in production, with a key pair made for this test."""
    keys = generate_key_pair()
    settings.VAPID_PRIVATE_KEY = keys.private_key
    settings.VAPID_PUBLIC_KEY = keys.public_key
    settings.VAPID_SUBJECT = "mailto:operator@example.com"
    settings.PUSH_ALLOW_LOOPBACK = True
    settings.PUSH_TIMEOUT = 2.0
    return keys


@dataclass
class Browser:
    """What a browser keeps of its subscription: the private half of its key, and its secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def subscribe(user, endpoint: str) -> Browser:
    browser = Browser(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    public = browser.private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    PushSubscription.objects.create(
        user=user, endpoint=endpoint, p256dh=b64url(public), auth=b64url(browser.auth)
    )
    return browser


def opt_in(user, **choices) -> None:
    Preferences.objects.create(user=user, alert_push=True, **choices)


def new_request(account, **fields):
    return BookingFactory(account=account, created_at=timezone.now(), **fields)


def test_a_new_request_reaches_the_browser_encrypted_to_its_keys_and_signed_by_the_site(
    owner, account, receiver, vapid
):
    opt_in(owner)
    browser = subscribe(owner, f"{receiver.url}/push/abc")
    booking = new_request(account, party_nickname="Eager", credits=42)

    alerts_after_sync(account=account)

    [message] = receiver.received
    assert message.path == "/push/abc"
    assert message.headers["content-encoding"] == "aes128gcm"
    assert message.headers["urgency"] == "high"
    # Kept by the push service no longer than the request can be accepted (2 h 10 min).
    assert 2 * 3600 < int(message.headers["ttl"]) <= 2 * 3600 + 600
    payload = browser.decrypt(message.body)
    assert payload["title"] == "New Webcam request from Eager"
    assert "For ScarlettLocal: 42 credits for 15 min" in payload["body"]
    assert payload["tag"] == f"new_request-{booking.pk}"
    assert payload["url"] == "/bookings/"
    assert payload["icon"].endswith("img/icon-192.png")

    # The site's VAPID signature, for this push service, with the site's public key.
    scheme, _, params = message.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert parts["k"] == vapid.public_key
    assert Vapid.verify(message.headers["authorization"])
    claims = json.loads(b64url_decode(parts["t"].split(".")[1]))
    assert claims["aud"] == receiver.url
    assert claims["sub"] == "mailto:operator@example.com"

    alert = Alert.objects.get(channel=Alert.Channel.PUSH)
    assert alert.delivered_at is not None
    assert PushSubscription.objects.get().last_used_at is not None


def test_every_browser_of_the_user_gets_it(owner, account, receivers):
    opt_in(owner)
    phone, laptop = receivers(), receivers()
    subscribe(owner, f"{phone.url}/phone")
    subscribe(owner, f"{laptop.url}/laptop")
    new_request(account)
    alerts_after_sync(account=account)
    assert len(phone.received) == len(laptop.received) == 1


def test_discreet_push_names_no_one_no_service_and_no_credits(owner, account, receiver):
    opt_in(owner, discreet=True)
    browser = subscribe(owner, f"{receiver.url}/push")
    booking = new_request(account, party_nickname="Eager", credits=77, service="phonechat")

    alerts_after_sync(account=account)

    payload = browser.decrypt(receiver.received[0].body)
    assert payload["title"] == "New request"
    assert payload["body"] == "A request needs an answer."
    # All but the tag, which is the booking's id (checked below) and may hold "77" by chance.
    text = json.dumps({key: value for key, value in payload.items() if key != "tag"})
    for secret in ("Eager", "ScarlettLocal", "PhoneChat", "phonechat", "77", "credits"):
        assert secret not in text
    assert payload["icon"].endswith("img/neutral-192.png")
    assert payload["tag"] == f"new_request-{booking.pk}"


def test_thirty_minutes_before_the_deadline_the_push_says_so_and_expires_with_it(
    owner, account, receiver
):
    opt_in(owner)
    browser = subscribe(owner, f"{receiver.url}/push")
    new_request(account, party_nickname="Late", accept_by=timezone.now() + timedelta(minutes=20))

    alerts_after_sync(account=account)

    by_title = {browser.decrypt(m.body)["title"]: m for m in receiver.received}
    soon = by_title["30 minutes left to accept Late's Webcam request"]
    assert 19 * 60 <= int(soon.headers["ttl"]) <= 20 * 60


def test_each_alert_is_pushed_once_however_often_the_account_is_synced(owner, account, receiver):
    opt_in(owner)
    subscribe(owner, f"{receiver.url}/push")
    new_request(account)
    alerts_after_sync(account=account)
    alerts_after_sync(account=account)
    send_push_alerts(timezone.now())
    assert len(receiver.received) == 1


def test_an_alert_another_worker_claims_meanwhile_is_not_pushed_twice(
    owner, account, receiver, monkeypatch
):
    opt_in(owner)
    subscribe(owner, f"{receiver.url}/push")
    new_request(account)
    new_request(account)
    real_webpush = bookings.push.webpush

    def and_another_worker_claims_the_rest(*args, **kwargs):
        # While this worker sends its first alert, a second worker, which read the same
        # pending alerts, claims the others.
        Alert.objects.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())
        return real_webpush(*args, **kwargs)

    monkeypatch.setattr(bookings.push, "webpush", and_another_worker_claims_the_rest)
    alerts_after_sync(account=account)

    assert len(receiver.received) == 1
    assert Alert.objects.filter(channel=Alert.Channel.PUSH).count() == 2


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_is_deleted(owner, account, receivers, status):
    opt_in(owner)
    gone, alive = receivers(status), receivers()
    subscribe(owner, f"{gone.url}/expired")
    subscribe(owner, f"{alive.url}/alive")
    new_request(account)

    alerts_after_sync(account=account)

    assert len(gone.received) == 1
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{alive.url}/alive"
    ]


def test_a_failing_push_service_keeps_the_subscription_and_the_alert_is_not_retried(
    owner, account, receivers, caplog
):
    opt_in(owner)
    failing = receivers(500)
    subscribe(owner, f"{failing.url}/push")
    new_request(account)

    alerts_after_sync(account=account)
    alerts_after_sync(account=account)

    assert len(failing.received) == 1
    subscription = PushSubscription.objects.get()
    assert subscription.last_error == "The push service answered 500."
    assert subscription.last_error_at is not None
    assert "failed: The push service answered 500." in caplog.text


def test_a_push_service_that_does_not_answer_in_time_is_given_up_on(
    owner, account, receivers, settings
):
    settings.PUSH_TIMEOUT = 0.3
    opt_in(owner)
    slow = receivers(delay=2)
    subscribe(owner, f"{slow.url}/push")
    new_request(account)

    started = time.monotonic()
    alerts_after_sync(account=account)

    assert time.monotonic() - started < 1.5
    assert len(slow.received) == 1
    assert "did not answer" in PushSubscription.objects.get().last_error


def test_a_redirect_from_the_push_service_is_not_followed(owner, account, receivers):
    opt_in(owner)
    elsewhere = receivers()
    redirecting = receivers(307, location=f"{elsewhere.url}/internal")
    subscribe(owner, f"{redirecting.url}/push")
    new_request(account)

    alerts_after_sync(account=account)

    assert len(redirecting.received) == 1
    assert elsewhere.received == []
    assert PushSubscription.objects.get().last_error == "The push service answered 307."


def test_no_push_for_who_did_not_opt_in_and_none_for_who_may_not_see_the_booking(
    owner, outsider, account, receiver
):
    Preferences.objects.create(user=owner, alert_in_page=True)
    subscribe(owner, f"{receiver.url}/owner")
    opt_in(outsider)
    subscribe(outsider, f"{receiver.url}/outsider")
    new_request(account)

    alerts_after_sync(account=account)

    assert not Alert.objects.filter(channel=Alert.Channel.PUSH).exists()
    assert receiver.received == []


def test_without_vapid_keys_push_is_off_and_nothing_is_sent(owner, account, receiver, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    opt_in(owner, alert_in_page=True)
    subscribe(owner, f"{receiver.url}/push")
    new_request(account)

    alerts_after_sync(account=account)

    assert receiver.received == []
    assert set(Alert.objects.values_list("channel", flat=True)) == {"page"}


def test_a_staff_member_who_may_see_the_account_gets_the_push_too(owner, staff, account, receivers):
    opt_in(staff)
    theirs = receivers()
    subscribe(staff, f"{theirs.url}/push")
    new_request(account)
    alerts_after_sync(account=account)
    assert len(theirs.received) == 1


def test_a_booking_gone_before_its_push_is_not_pushed(owner, account, receiver):
    opt_in(owner)
    subscribe(owner, f"{receiver.url}/push")
    booking = new_request(account)
    Alert.objects.create(
        user=owner, booking=booking, kind=Alert.Kind.NEW_REQUEST, channel=Alert.Channel.PUSH
    )
    booking.mark_gone(at=timezone.now())
    send_push_alerts(timezone.now())
    assert receiver.received == []


def test_an_endpoint_no_longer_allowed_is_not_posted_to(owner, account, receiver, settings):
    opt_in(owner)
    subscribe(owner, f"{receiver.url}/push")
    new_request(account)
    settings.PUSH_ALLOW_LOOPBACK = False
    alerts_after_sync(account=account)
    assert receiver.received == []


def test_signing_out_stops_the_push_of_that_browser_only(client, owner, receiver):
    other = UserFactory(username="other")
    subscribe(other, f"{receiver.url}/other")
    client.force_login(owner)
    browser_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    p256dh = b64url(
        browser_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    for name in ("here", "elsewhere"):
        response = client.post(
            "/bookings/push/subscribe/",
            {"endpoint": f"{receiver.url}/{name}", "p256dh": p256dh, "auth": b64url(b"x" * 16)},
        )
        assert response.status_code == 201
    # A subscription this session did not make (another browser of the same person) stays.
    subscribe(owner, f"{receiver.url}/phone")

    client.post("/sign-out/")

    assert set(PushSubscription.objects.values_list("endpoint", flat=True)) == {
        f"{receiver.url}/other",
        f"{receiver.url}/phone",
    }
