"""The request types that views are annotated with: HttpRequest as this project's middleware
leaves it, which the type checker cannot know by itself (django-htmx's and django-stubs'
documented way)."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """Any request: django-htmx's middleware gives each one `htmx`."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request to a view behind @login_required: its user has signed in."""

    user: User
