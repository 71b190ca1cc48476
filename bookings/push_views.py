"""Turning Web Push on and off for one browser: static/js/push.js posts the browser's
PushSubscription here (JSON, with the CSRF token in the X-CSRFToken header), and the worker
sends that user's push alerts to it (bookings/push.py)."""

import json

from cryptography.hazmat.primitives.asymmetric import ec
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bookings.models import PushSubscription
from bookings.push import (
    SESSION_ENDPOINTS,
    endpoint_allowed,
    push_subscription_delete,
    push_subscription_save,
)
from dashboard.vapid import b64url_decode, b64url_encode

ENDPOINT_MAX = PushSubscription._meta.get_field("endpoint").max_length


def _endpoint_field() -> forms.CharField:
    # Kept exactly as the browser gave it (a URLField would normalise it): it is the key the
    # browser's unsubscribe names it by, and the push service's own address.
    return forms.CharField(
        max_length=ENDPOINT_MAX,
        strip=False,
        validators=[URLValidator(schemes=["https", "http"])],
    )


class InvalidPayload(ValueError):
    """A body that is not the JSON object (or form) a browser's subscription makes."""


class SubscriptionForm(forms.Form):
    """A browser's PushSubscription, as its toJSON() gives it."""

    endpoint = _endpoint_field()
    p256dh = forms.CharField(max_length=100)
    auth = forms.CharField(max_length=50)

    def clean_endpoint(self) -> str:
        endpoint = self.cleaned_data["endpoint"]
        if not endpoint_allowed(endpoint):
            raise forms.ValidationError(
                "This browser's push service is not one the dashboard sends to."
            )
        return endpoint

    def clean_p256dh(self) -> str:
        try:
            raw = b64url_decode(self.cleaned_data["p256dh"])
            # The browser's P-256 public key, as an uncompressed point on the curve.
            if len(raw) != 65:
                raise ValueError("not an uncompressed point")
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError as error:
            raise forms.ValidationError("This is not a browser's push key.") from error
        return b64url_encode(raw)

    def clean_auth(self) -> str:
        try:
            raw = b64url_decode(self.cleaned_data["auth"])
        except ValueError as error:
            raise forms.ValidationError("This is not a browser's push secret.") from error
        if len(raw) != 16:
            raise forms.ValidationError("This is not a browser's push secret.")
        return b64url_encode(raw)


class UnsubscribeForm(forms.Form):
    endpoint = _endpoint_field()


def _submitted(request: HttpRequest) -> dict:
    """The fields of a JSON body shaped like PushSubscription.toJSON(), or of a form."""
    if request.content_type != "application/json":
        return request.POST
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidPayload("The body is not JSON.") from error
    if not isinstance(body, dict):
        raise InvalidPayload("The body is not a JSON object.")
    keys = body.get("keys")
    keys = keys if isinstance(keys, dict) else {}
    fields = {
        "endpoint": body.get("endpoint"),
        "p256dh": keys.get("p256dh"),
        "auth": keys.get("auth"),
    }
    # Anything but text is as wrong as a missing field: say so rather than coerce it.
    return {name: value for name, value in fields.items() if isinstance(value, str)}


def _refused(message: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "fields": errors or {}}, status=400)


@login_required
@never_cache
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    try:
        form = SubscriptionForm(_submitted(request))
    except InvalidPayload as error:
        return _refused(str(error))
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return _refused("This is not a push subscription the dashboard can use.", errors)
    subscription = push_subscription_save(user=request.user, **form.cleaned_data)
    # Remembered so that signing out of this browser stops its push (bookings/push.py).
    endpoints = request.session.get(SESSION_ENDPOINTS, [])
    if subscription.endpoint not in endpoints:
        request.session[SESSION_ENDPOINTS] = [*endpoints, subscription.endpoint][-5:]
    return JsonResponse({"subscribed": True}, status=201)


@login_required
@never_cache
@require_POST
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    try:
        form = UnsubscribeForm(_submitted(request))
    except InvalidPayload as error:
        return _refused(str(error))
    if not form.is_valid():
        return _refused("Say which browser's subscription to end.")
    # The same answer whether there was one: nobody learns of another user's browser.
    push_subscription_delete(user=request.user, endpoint=form.cleaned_data["endpoint"])
    return HttpResponse(status=204)
