from django.http import HttpRequest

from dashboard.adultwork import adultwork_answering


def adultwork(request: HttpRequest) -> dict:
    """Whether this process has stopped calling AdultWork for now (its circuit is open): the
    pages then say that the lists are the last copy and that actions wait. No query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"adultwork_answering": adultwork_answering()}
