"""Turning push on and off for a browser: the subscription the browser gives is stored for the
signed-in person only, checked before anything is stored, and refused with a 400 (never a 500)
when it is not one the worker could use."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse

from bookings.models import PushSubscription
from bookings.push import MAX_SUBSCRIPTIONS_PER_USER

SUBSCRIBE = reverse("bookings:push_subscribe")
UNSUBSCRIBE = reverse("bookings:push_unsubscribe")
FCM = "https://fcm.googleapis.com/fcm/send/dGVzdC1lbmRwb2ludA:APA91b"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def subscription_json(endpoint: str = FCM, **keys) -> dict:
    """What PushSubscription.toJSON() gives in a browser."""
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser_key(), "auth": b64url(b"sixteen byte key"), **keys},
    }


def post_json(client, url: str, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def test_a_browser_subscription_is_stored_for_the_person_signed_in(signed_in, owner):
    body = subscription_json()
    response = post_json(signed_in, SUBSCRIBE, body)
    assert response.status_code == 201
    assert response.json() == {"subscribed": True}
    stored = PushSubscription.objects.get()
    assert stored.user == owner
    assert stored.endpoint == FCM
    assert stored.p256dh == body["keys"]["p256dh"]
    assert stored.auth == body["keys"]["auth"]


def test_the_csrf_token_from_the_page_is_what_lets_the_post_through(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(reverse("preferences:edit"))
    token = client.cookies["csrftoken"].value
    body = json.dumps(subscription_json())
    refused = client.post(SUBSCRIBE, body, content_type="application/json")
    assert refused.status_code == 403
    accepted = client.post(
        SUBSCRIBE, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_subscribing_again_updates_the_browsers_one_row(signed_in):
    post_json(signed_in, SUBSCRIBE, subscription_json())
    again = subscription_json()
    assert post_json(signed_in, SUBSCRIBE, again).status_code == 201
    assert PushSubscription.objects.get().p256dh == again["keys"]["p256dh"]


def test_whoever_turns_push_on_in_a_browser_last_gets_its_alerts(signed_in, owner, outsider):
    post_json(signed_in, SUBSCRIBE, subscription_json())
    other = Client()
    other.force_login(outsider)
    assert post_json(other, SUBSCRIBE, subscription_json()).status_code == 201
    assert PushSubscription.objects.get().user == outsider


def test_a_person_keeps_their_newest_browsers_only(signed_in, owner):
    for n in range(MAX_SUBSCRIPTIONS_PER_USER + 2):
        post_json(signed_in, SUBSCRIBE, subscription_json(f"{FCM}-{n}"))
    endpoints = set(owner.push_subscriptions.values_list("endpoint", flat=True))
    assert len(endpoints) == MAX_SUBSCRIPTIONS_PER_USER
    assert f"{FCM}-0" not in endpoints
    assert f"{FCM}-{MAX_SUBSCRIPTIONS_PER_USER + 1}" in endpoints


def test_anyone_not_signed_in_is_sent_to_sign_in_and_nothing_is_stored(client, db):
    response = post_json(client, SUBSCRIBE, subscription_json())
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]
    assert not PushSubscription.objects.exists()


def test_only_a_post_subscribes(signed_in):
    assert signed_in.get(SUBSCRIBE).status_code == 405
    assert signed_in.get(UNSUBSCRIBE).status_code == 405


NOT_A_KEY = b64url(b"\x04" + b"\x01" * 64)  # 65 bytes, but no point on the curve
INVALID = {
    "not JSON": "{endpoint:",
    "not an object": json.dumps([FCM]),
    "not UTF-8": b"\xff\xfe",
    "no endpoint": {"keys": subscription_json()["keys"]},
    "no keys": {"endpoint": FCM},
    "endpoint not text": subscription_json(endpoint=12345),
    "keys not an object": {"endpoint": FCM, "keys": "p256dh"},
    "plain http": subscription_json("http://fcm.googleapis.com/fcm/send/x"),
    "not a push service": subscription_json("https://example.com/push"),
    "a look-alike host": subscription_json("https://fcm.googleapis.com.example.com/x"),
    "an address on this network": subscription_json("https://10.0.0.5/push"),
    "loopback outside tests": subscription_json("http://127.0.0.1:8000/push"),
    "credentials in the address": subscription_json("https://user:pw@fcm.googleapis.com/x"),
    "a broken port": subscription_json("https://fcm.googleapis.com:port/x"),
    "too long": subscription_json(FCM + "x" * 1000),
    "p256dh not base64url": subscription_json(p256dh="not base64!"),
    "p256dh too short": subscription_json(p256dh=b64url(b"\x04" + b"\x01" * 10)),
    "p256dh off the curve": subscription_json(p256dh=NOT_A_KEY),
    "auth too short": subscription_json(auth=b64url(b"short")),
    "auth not base64url": subscription_json(auth="%%%%"),
    "auth not text": subscription_json(auth=["a"]),
}


@pytest.mark.parametrize("case", INVALID)
def test_what_is_not_a_usable_subscription_is_refused_with_a_400(signed_in, case):
    response = post_json(signed_in, SUBSCRIBE, INVALID[case])
    assert response.status_code == 400
    assert response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_a_refusal_names_the_field(signed_in):
    response = post_json(signed_in, SUBSCRIBE, subscription_json("https://example.com/push"))
    assert response.json()["fields"] == {
        "endpoint": ["This browser's push service is not one the dashboard sends to."]
    }


def test_a_loopback_receiver_is_allowed_only_when_the_settings_say_so(signed_in, settings):
    settings.PUSH_ALLOW_LOOPBACK = True
    response = post_json(signed_in, SUBSCRIBE, subscription_json("http://127.0.0.1:9/push"))
    assert response.status_code == 201


def test_turning_push_off_forgets_that_browser(signed_in, owner):
    post_json(signed_in, SUBSCRIBE, subscription_json())
    post_json(signed_in, SUBSCRIBE, subscription_json(f"{FCM}-laptop"))
    response = post_json(signed_in, UNSUBSCRIBE, {"endpoint": FCM})
    assert response.status_code == 204
    assert list(owner.push_subscriptions.values_list("endpoint", flat=True)) == [f"{FCM}-laptop"]


def test_nobody_can_turn_off_another_persons_browser(signed_in, owner, outsider):
    post_json(signed_in, SUBSCRIBE, subscription_json())
    other = Client()
    other.force_login(outsider)
    response = post_json(other, UNSUBSCRIBE, {"endpoint": FCM})
    # The same answer as for their own: it tells nothing of whose browser that is.
    assert response.status_code == 204
    assert PushSubscription.objects.get().user == owner


def test_turning_off_needs_a_sign_in(client, signed_in):
    post_json(signed_in, SUBSCRIBE, subscription_json())
    anonymous = Client()
    response = post_json(anonymous, UNSUBSCRIBE, {"endpoint": FCM})
    assert response.status_code == 302
    assert PushSubscription.objects.exists()


@pytest.mark.parametrize("body", ["nope", json.dumps({"endpoint": 5}), json.dumps({})])
def test_an_unreadable_turn_off_is_refused_with_a_400(signed_in, body):
    assert post_json(signed_in, UNSUBSCRIBE, body).status_code == 400


def test_the_form_encoded_subscription_works_too(signed_in):
    keys = subscription_json()["keys"]
    response = signed_in.post(SUBSCRIBE, {"endpoint": FCM, **keys})
    assert response.status_code == 201
