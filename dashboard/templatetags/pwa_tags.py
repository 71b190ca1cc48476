from django import template
from django.conf import settings

from dashboard.vapid import push_available

register = template.Library()


@register.simple_tag
def vapid_public_key() -> str:
    """The key a browser subscribes to push with; empty when push is not set up here."""
    return settings.VAPID_PUBLIC_KEY.strip() if push_available() else ""
