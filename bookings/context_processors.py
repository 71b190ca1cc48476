from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from bookings.live import live_state
from dashboard.models import preferences_of


def live(request: HttpRequest) -> dict:
    """The count of requests awaiting an answer (title and inbox link) and the user's
    preferences (discreet titles), each read only if the page shows it; the inbox and the
    lists pass the count they have already read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "needs_answer": SimpleLazyObject(lambda: live_state(user).needs_answer),
        "preferences": SimpleLazyObject(lambda: preferences_of(user)),
    }
