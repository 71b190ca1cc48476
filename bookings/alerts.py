"""Alerts of a request that awaits an answer: when it arrives, and when 30 minutes are left to
accept it. Made by the worker after a sync, opt-in per user and channel, each sent at most once
per user, booking, kind and channel (the Alert rows' unique constraint), and only to the users
who may see the booking."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from bookings.live import PAGE_ALERT_FRESH
from bookings.models import Alert, Booking, credits_text
from bookings.push import send_push_alerts
from bookings.rules import open_requests
from dashboard.models import Account, Preferences, people_who_see, preferences_of
from dashboard.vapid import push_available

logger = logging.getLogger(__name__)

DEADLINE_SOON = timedelta(minutes=30)
Kind = Alert.Kind
Channel = Alert.Channel


def alerts_after_sync(*, account: Account, now: datetime | None = None) -> int:
    """Make the alerts the account's bookings call for now, and send the emails among them;
    returns how many alerts were new."""
    now = now or timezone.now()
    waiting = list(Booking.objects.filter(open_requests(now), account=account))
    if not waiting:
        return 0
    people = [
        (user, preferences_of(user))
        for user in people_who_see(account).select_related("preferences")
    ]
    people = [(user, prefs) for user, prefs in people if prefs.any_alert]
    wanted = [
        Alert(user=user, booking=booking, kind=kind, channel=channel, created_at=now)
        for booking in waiting
        for kind in _kinds(booking, account=account, now=now)
        for user, prefs in people
        for channel in _channels(prefs, user)
    ]
    if not wanted:
        return 0
    # Rows that exist already are skipped by the unique constraint, however many workers try.
    Alert.objects.bulk_create(wanted, ignore_conflicts=True)
    _send_emails(now)
    send_push_alerts(now)
    return len(wanted)


def _kinds(booking: Booking, *, account: Account, now: datetime) -> list[Kind]:
    kinds = []
    # A request made after the account was connected is news; those already waiting when it
    # was connected are in the inbox, not worth an alert each. A minute's margin, as AdultWork's
    # dates need not be precise to the second.
    if booking.created_at and booking.created_at >= account.connected_at - timedelta(minutes=1):
        kinds.append(Kind.NEW_REQUEST)
    if booking.accept_by and booking.accept_by - now <= DEADLINE_SOON:
        kinds.append(Kind.DEADLINE_SOON)
    return kinds


def _channels(prefs: Preferences, user) -> list[Channel]:
    channels = []
    if prefs.alert_in_page or prefs.alert_browser:
        channels.append(Channel.PAGE)
    if prefs.alert_email and user.email:
        channels.append(Channel.EMAIL)
    # Push needs the site's VAPID keys; the user's subscriptions are looked up when sending.
    if prefs.alert_push and push_available():
        channels.append(Channel.PUSH)
    return channels


def _send_emails(now: datetime) -> None:
    pending = Alert.objects.filter(
        channel=Channel.EMAIL, delivered_at__isnull=True, created_at__gte=now - DEADLINE_SOON
    ).select_related("user__preferences", "booking__account")
    for alert in pending:
        # Whoever marks it first sends it: at most once, even with several workers.
        claimed = Alert.objects.filter(pk=alert.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        if not claimed:
            continue
        # The worker has no viewer: times are told in the dashboard's default zone.
        with timezone.override(settings.DEFAULT_VIEWER_TIME_ZONE):
            title, body = wording(alert, discreet=preferences_of(alert.user).discreet)
        link = settings.SITE_URL.rstrip("/") + reverse("bookings:inbox")
        try:
            send_mail(title, f"{body}\n\n{link}\n", None, [alert.user.email])
        except OSError:
            logger.warning("alert email %s could not be sent", alert.pk, exc_info=True)


def take_page_alerts(*, user) -> list[dict]:
    """The user's page alerts that no open page has shown yet, marked as shown: for a toast
    and, where the user chose it, a browser notification."""
    now = timezone.now()
    fresh = Q(created_at__gte=now - PAGE_ALERT_FRESH)
    alerts = list(
        Alert.objects.filter(
            fresh, user=user, channel=Channel.PAGE, delivered_at__isnull=True
        ).select_related("booking__account")[:20]
    )
    if not alerts:
        return []
    taken = Alert.objects.filter(pk__in=[a.pk for a in alerts], delivered_at__isnull=True)
    taken.update(delivered_at=now)
    prefs = preferences_of(user)
    items = []
    for alert in alerts:
        if alert.booking.gone_at is not None:
            continue
        title, body = wording(alert, discreet=prefs.discreet)
        items.append(
            {
                "title": title,
                "body": body,
                "tag": f"{alert.kind}-{alert.booking_id}",
                "toast": prefs.alert_in_page,
                "notify": prefs.alert_browser,
            }
        )
    return items


def wording(alert: Alert, *, discreet: bool) -> tuple[str, str]:
    """The title and text of an alert. Discreet: no nicknames, services or credits."""
    booking = alert.booking
    soon = alert.kind == Kind.DEADLINE_SOON
    if discreet:
        if soon:
            return "Request waiting", "30 minutes are left to answer it."
        return "New request", "A request needs an answer."
    who = booking.party_nickname or "a member"
    service = booking.get_service_display()
    when = (
        date_format(timezone.localtime(booking.session_at), "D j M, H:i")
        + f" {timezone.get_current_timezone_name()}"
        if booking.session_at
        else "a time to agree"
    )
    offer = (
        f"For {booking.account.nickname}: {credits_text(booking.credits)} credits for "
        f"{booking.duration_minutes} min on {when}."
    )
    if soon:
        return f"30 minutes left to accept {who}'s {service} request", offer
    return f"New {service} request from {who}", offer
