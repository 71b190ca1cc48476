"""The calendar feed, read by calendar apps that cannot sign in: its token is the key."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from bookings.calendar import feed_bookings, feed_ics, feed_preferences

FEED_MAX_AGE = 300


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    # No link of ours holds a NUL, and PostgreSQL refuses one in a query (a 500, not a 404).
    preferences = None if "\x00" in token else feed_preferences(token=token)
    if preferences is None:
        # Unknown, blank and revoked links look alike.
        raise Http404("No such calendar.")
    now = timezone.now()
    body = feed_ics(
        bookings=feed_bookings(user=preferences.user, now=now),
        discreet=preferences.discreet,
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Private: the feed is one person's. Five minutes spare us the apps that poll often.
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex"
    return response
