from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bookings import selectors
from bookings.forms import ListFilterForm, page_number
from bookings.models import Direction, Service

LIST_TITLES = {
    (Service.WEBCAM, Direction.RECEIVED): "Webcam bookings received",
    (Service.WEBCAM, Direction.MADE): "Webcam bookings made",
    (Service.PHONECHAT, Direction.RECEIVED): "PhoneChat bookings received",
    (Service.PHONECHAT, Direction.MADE): "PhoneChat bookings made",
}
MAX_PAGE = 10_000  # beyond any real list; keeps a silly ?page= from an absurd OFFSET


def _page(request: HttpRequest) -> int:
    return min(page_number(request.GET.get("page")), MAX_PAGE)


def _template(request: HttpRequest, template: str) -> str:
    """The whole page, or only the results when htmx swaps them after a filter change."""
    if request.htmx and request.htmx.target == "results":
        return f"{template}#results"
    return template


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    accounts = selectors.accounts_with_freshness(request.user)
    show_expired = request.GET.get("show") == "expired"
    window = selectors.paginate(
        selectors.inbox(accounts=accounts, expired=show_expired), number=_page(request)
    )
    return render(
        request,
        _template(request, "bookings/inbox.html"),
        {
            "accounts": accounts,
            "accounts_by_id": {a.pk: a for a in accounts},
            "window": window,
            "show_expired": show_expired,
            "now": timezone.now(),
        },
    )


@login_required
@require_safe
def booking_list(request: HttpRequest, service: str, direction: str) -> HttpResponse:
    accounts = selectors.accounts_with_freshness(request.user)
    form = ListFilterForm(request.GET, accounts=accounts)
    filters, problems = form.cleaned_or_default()
    if "account" in form.errors:
        # Someone else's account, or none at all: the same answer, so ids reveal nothing.
        raise Http404("No such account.")
    for problem in problems:
        messages.warning(request, problem)
    shown = [a for a in accounts if filters["account"] in (None, a.pk)]
    window = selectors.paginate(
        selectors.booking_list(
            accounts=shown,
            service=service,
            direction=direction,
            status=filters["status"],
            sort=filters["sort"],
        ),
        number=_page(request),
    )
    return render(
        request,
        _template(request, "bookings/list.html"),
        {
            "title": LIST_TITLES[(service, direction)],
            "service": service,
            "direction": direction,
            # Shows the filters in effect, including the defaults that replaced bad values.
            "form": ListFilterForm(None, accounts=accounts, initial=filters),
            "filters": filters,
            "accounts": shown,
            "all_accounts": accounts,
            "accounts_by_id": {a.pk: a for a in accounts},
            "window": window,
            "now": timezone.now(),
        },
    )
