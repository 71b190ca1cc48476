"""Web Push: the alerts of the push channel, sent by the worker through each browser's push
service to every subscription of their user, so that they arrive with no dashboard tab open.

Each alert is sent at most once (claimed like an email, whatever the number of workers), its
payload encrypted to the browser's keys (aes128gcm) and signed with the site's VAPID key. A
subscription the push service calls gone (404, 410) is deleted; any other failure is logged and
kept on the subscription, and the alert is not tried again.

Signing out of a browser deletes the subscriptions made in that session (the receiver below is
connected when this module is imported, which bookings.alerts does, through the tasks that
BookingsConfig.ready() loads).
"""

import json
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

from bookings.models import Alert, PushSubscription
from dashboard.models import preferences_of
from dashboard.vapid import push_available

logger = logging.getLogger(__name__)

# An alert not sent within this long is stale news: the inbox tells it better.
PUSH_FRESH = timedelta(minutes=30)
# How long a push service keeps a message for a phone that is off, when the booking sets no
# sooner limit (its accept-by).
TTL_DEFAULT = timedelta(minutes=30)
TTL_MAX = timedelta(days=1)
GONE = (404, 410)
MAX_SUBSCRIPTIONS_PER_USER = 10
# The endpoints subscribed in a session, so that signing out there stops that browser's push.
SESSION_ENDPOINTS = "push_endpoints"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class _NoRedirects(requests.Session):
    """A push service answers; it never redirects. Following one would POST elsewhere."""

    def post(self, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().post(url, *args, **kwargs)


def endpoint_allowed(endpoint: str) -> bool:
    """Whether the worker may POST to this endpoint: https on a known push service's host, or,
    for a receiver in tests or on a developer's machine, loopback when PUSH_ALLOW_LOOPBACK."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        return False
    if parts.username or parts.password:
        return False
    if (
        settings.PUSH_ALLOW_LOOPBACK
        and parts.scheme in ("http", "https")
        and host in LOOPBACK_HOSTS
    ):
        return True
    if parts.scheme != "https":
        return False
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (h.lower().strip(".") for h in settings.PUSH_SERVICE_HOSTS)
    )


def push_subscription_save(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store a browser's subscription for the user. A browser has one subscription, whoever
    signs in: the one that turned push on there last gets its alerts."""
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            # Subscribing again counts as new: it keeps the device among the user's newest.
            "created_at": timezone.now(),
            "last_error": "",
            "last_error_at": None,
        },
    )
    # A handful of devices is plenty; the oldest go first, so no one grows the table at will.
    stale = PushSubscription.objects.filter(user=user).values_list("pk", flat=True)[
        MAX_SUBSCRIPTIONS_PER_USER:
    ]
    PushSubscription.objects.filter(pk__in=list(stale)).delete()
    return subscription


def push_subscription_delete(*, user, endpoint: str) -> bool:
    """Forget the user's subscription of one browser; another user's is left alone."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


@receiver(user_logged_out)
def forget_devices_signed_out(sender, request, user, **kwargs) -> None:
    """Signing out of a browser stops its push alerts: a shared phone shows nothing of the
    person who left. Only the subscriptions made in this session are known to be this one's."""
    if user is None or request is None or not hasattr(request, "session"):
        return
    endpoints = request.session.get(SESSION_ENDPOINTS, [])
    if endpoints:
        PushSubscription.objects.filter(user=user, endpoint__in=endpoints).delete()


def push_payload(alert: Alert, *, discreet: bool) -> dict:
    """What the service worker shows: the alert's wording (discreet where chosen), a tag shared
    with the in-page notification of the same alert, so one replaces the other, and where a tap
    leads."""
    # Imported here: alerts calls this module after each sync.
    from bookings.alerts import wording

    # The worker has no viewer: times are told in the dashboard's default zone, as in emails.
    with timezone.override(settings.DEFAULT_VIEWER_TIME_ZONE):
        title, body = wording(alert, discreet=discreet)
    return {
        "title": title,
        "body": body,
        "tag": f"{alert.kind}-{alert.booking_id}",
        "url": reverse("bookings:inbox"),
        "icon": static("img/neutral-192.png" if discreet else "img/icon-192.png"),
    }


def time_to_live(alert: Alert, *, now: datetime) -> int:
    """Seconds a push service may keep the message for a phone that is off: no longer than the
    request can be accepted."""
    accept_by = alert.booking.accept_by
    ttl = accept_by - now if accept_by else TTL_DEFAULT
    return int(max(timedelta(0), min(ttl, TTL_MAX)).total_seconds())


def send_push_alerts(now: datetime) -> int:
    """Send the push alerts not sent yet; returns how many messages the push services took."""
    if not push_available():
        return 0
    pending = (
        Alert.objects.filter(
            channel=Alert.Channel.PUSH, delivered_at__isnull=True, created_at__gte=now - PUSH_FRESH
        )
        .select_related("user__preferences", "booking__account")
        .prefetch_related("user__push_subscriptions")
    )
    try:
        vapid = Vapid.from_string(settings.VAPID_PRIVATE_KEY)
    except (ValueError, VapidException):
        logger.error("VAPID_PRIVATE_KEY is not a valid key: no push is sent")
        return 0
    sent = 0
    with _NoRedirects() as session:
        for alert in pending:
            # Whoever marks it first sends it: at most once, even with several workers.
            claimed = Alert.objects.filter(pk=alert.pk, delivered_at__isnull=True).update(
                delivered_at=timezone.now()
            )
            if not claimed or alert.booking.gone_at is not None:
                continue
            subscriptions = list(alert.user.push_subscriptions.all())
            ttl = time_to_live(alert, now=now)
            if not subscriptions or not ttl:
                continue
            payload = json.dumps(push_payload(alert, discreet=preferences_of(alert.user).discreet))
            for subscription in subscriptions:
                sent += _send(subscription, payload, ttl=ttl, vapid=vapid, session=session)
    return sent


def _send(
    subscription: PushSubscription,
    payload: str,
    *,
    ttl: int,
    vapid: Vapid,
    session: requests.Session,
) -> bool:
    if not endpoint_allowed(subscription.endpoint):
        # Allowed when it subscribed; the settings have narrowed since.
        logger.warning("push subscription %s points at a host no longer allowed", subscription.pk)
        return False
    try:
        webpush(
            subscription.as_subscription_info(),
            data=payload,
            vapid_private_key=vapid,
            # A new dict each time: webpush writes the endpoint's origin ("aud") into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=ttl,
            timeout=settings.PUSH_TIMEOUT,
            # A request may go to whoever accepts first: wake the phone now.
            headers={"Urgency": "high"},
            requests_session=session,
        )
    except WebPushException as error:
        status = error.status_code
        if status in GONE:
            # The browser unsubscribed, or the subscription expired: it will never work again.
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            logger.info("push subscription %s is gone (%s): deleted", subscription.pk, status)
            return False
        reason = f"The push service answered {status}." if status else error.message
        _record_failure(subscription, reason)
        return False
    except (ValueError, VapidException) as error:
        # Keys that cannot be encrypted to (or a subject push services would refuse).
        _record_failure(subscription, f"The message could not be prepared: {error}")
        return False
    except requests.RequestException as error:
        _record_failure(subscription, f"The push service did not answer: {type(error).__name__}.")
        return False
    PushSubscription.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
    return True


def _record_failure(subscription: PushSubscription, reason: str) -> None:
    logger.warning("push to subscription %s failed: %s", subscription.pk, reason)
    PushSubscription.objects.filter(pk=subscription.pk).update(
        last_error=reason[:300], last_error_at=timezone.now()
    )
