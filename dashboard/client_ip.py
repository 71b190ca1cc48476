"""The address a request came from, as far as the proxies we trust can vouch for it.

Behind N reverse proxies, each appends to X-Forwarded-For the address its connection came
from, so the last N entries are theirs and the N-th from the right is the client's. Whatever
stands to the left of it was sent by the client and proves nothing. With no proxy trusted
(AXES_IPWARE_PROXY_COUNT = 0, the default) the header is ignored: anyone can send one.

django-axes asks this (AXES_CLIENT_IP_CALLABLE) for the address its sign-in lockout counts by.
Its own proxy settings would need django-ipware, which is not installed, and even then read
only REMOTE_ADDR unless told otherwise; so the count is read here.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.AXES_IPWARE_PROXY_COUNT or 0
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < trusted or not hops[-trusted]:
        # Fewer entries than proxies: the request did not come through all of them. Count it
        # by the address that reached us, as if no proxy were trusted.
        return remote
    try:
        return str(ipaddress.ip_address(hops[-trusted]))
    except ValueError:
        return remote
