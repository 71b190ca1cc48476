import zoneinfo

from django.conf import settings
from django.utils import timezone

TIME_ZONE_COOKIE = "tz"


class ViewerTimezoneMiddleware:
    """Show times in the viewer's own zone, which static/js/app.js reads from the browser.

    A cookie rather than a profile field: it costs no query and follows the device, which
    is what a performer travelling with a phone expects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(viewer_time_zone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def viewer_time_zone(request) -> zoneinfo.ZoneInfo:
    name = request.COOKIES.get(TIME_ZONE_COOKIE) or settings.DEFAULT_VIEWER_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_VIEWER_TIME_ZONE)
