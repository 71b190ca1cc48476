import csv
from dataclasses import replace
from itertools import chain
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from bookings import alerts, rules, schedule, selectors, services
from bookings.forms import (
    AccountsChosenForm,
    AuditExportForm,
    AuditFilterForm,
    BookingsChosenForm,
    FilterForm,
    InboxFilterForm,
    ListFilterForm,
    action_form,
    page_number,
)
from bookings.live import LiveState, live_state
from bookings.models import FINISHED_STATUSES, Booking, Direction, Service
from bookings.rules import Action
from dashboard.http import HtmxHttpRequest
from dashboard.models import Account, Agency, AuditEntry

LIST_TITLES: dict[tuple[str, str], str] = {
    (Service.WEBCAM, Direction.RECEIVED): "Webcam bookings received",
    (Service.WEBCAM, Direction.MADE): "Webcam bookings made",
    (Service.PHONECHAT, Direction.RECEIVED): "PhoneChat bookings received",
    (Service.PHONECHAT, Direction.MADE): "PhoneChat bookings made",
}
# The list switcher's short names: "Webcam received" for "Webcam bookings received".
LIST_LABELS = {key: title.replace(" bookings ", " ") for key, title in LIST_TITLES.items()}


def _page(request: HtmxHttpRequest) -> int:
    return page_number(request.GET)


def _template(request: HtmxHttpRequest, template: str) -> str:
    """The whole page, or only the results when htmx swaps them after a filter change."""
    if request.htmx and request.htmx.target == "results":
        return f"{template}#results"
    return template


def _row_context(request: HtmxHttpRequest, accounts: list[Account]) -> dict:
    """What every booking row needs to render, whatever page it is on."""
    return {
        "accounts_by_id": {a.pk: a for a in accounts},
        "show_account": len(accounts) > 1,
        "finished_statuses": FINISHED_STATUSES,
        "back_url": _back_url(request),
        "now": timezone.now(),
    }


def _back_url(request: HtmxHttpRequest) -> str:
    """The page to go back to after an action or a booking's details: the page the user is
    on. After an htmx request, that is the page htmx says it is on, not the request's URL; a
    page of its own (no JavaScript) goes back to where its link was followed from."""
    if request.htmx:
        return _htmx_current_path(request) or reverse("bookings:inbox")
    if request.method == "POST":
        return request.POST.get("next", "")
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        parts = urlsplit(referer)
        if parts.path != request.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("bookings:inbox")


def _htmx_current_path(request: HtmxHttpRequest) -> str | None:
    """The path of the page htmx says it is on, when that page is on this site."""
    try:
        return request.htmx.current_url_abs_path
    except ValueError:  # a header urlsplit cannot read, such as "http://["
        return None


def _acting_for(request: HtmxHttpRequest, accounts: list[Account]) -> list[str]:
    """Nicknames of the accounts on the page that are not the user's own."""
    return [a.nickname for a in accounts if a.owner_id != request.user.pk]


def _booking_for_viewer(request: HtmxHttpRequest, pk: int) -> tuple[Booking, Account]:
    """The booking, if the user may see its account, and the account with `can_act`.
    Strangers get a 404, so ids reveal nothing."""
    booking = get_object_or_404(
        Booking.objects.select_related("account").filter(
            account__in=Account.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    account = booking.account
    account.can_act = Account.objects.actionable_by(request.user).filter(pk=account.pk).exists()
    return booking, account


def _booking_for_actor(request: HtmxHttpRequest, pk: int) -> Booking:
    """The booking, if the user may act for its account. Viewers and strangers get the same
    404, so ids reveal nothing."""
    return get_object_or_404(
        Booking.objects.select_related("account").filter(
            account__in=Account.objects.actionable_by(request.user)
        ),
        pk=pk,
    )


def _accounts_and_filters(
    request: HtmxHttpRequest, form_class: type[FilterForm]
) -> tuple[list[Account], dict, list[Account]]:
    """Every account the user may see, the filters of the query string (bad values replaced
    by defaults, with a message), and the accounts the page shows."""
    accounts = selectors.accounts_with_freshness(request.user)
    form = form_class(request.GET, accounts=accounts)
    filters, problems = form.cleaned_or_default()
    if "account" in form.errors:
        # Someone else's account, or none at all: the same answer, so ids reveal nothing.
        raise Http404("No such account.")
    for problem in problems:
        messages.warning(request, problem)
    shown = [a for a in accounts if filters["account"] in (None, a.pk)]
    return accounts, filters, shown


def _is_poll(request: HtmxHttpRequest) -> bool:
    """The open page asking whether anything changed (static/js/app.js polls from #live)."""
    return bool(request.htmx) and request.htmx.trigger == "live"


def _not_modified(request: HtmxHttpRequest) -> tuple[LiveState, HttpResponse | None]:
    """The user's live state, and a 304 when the polling page already shows it."""
    state = live_state(request.user)
    etag = state.etag(request.get_full_path())
    if _is_poll(request) and etag in request.headers.get("If-None-Match", ""):
        return state, _live_headers(HttpResponse(status=304), etag)
    return state, None


def _live_headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Always asked again (the page holds its own tag), never shared, and kept apart from the
    # fragments htmx fetches from the same address; not no-store, which would cost the page
    # the browser's back-forward cache.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _live_page(request: HtmxHttpRequest, state: LiveState, response: HttpResponse) -> HttpResponse:
    """A page that polls: its tag, and for a poll the count and any alerts as events."""
    if _is_poll(request):
        response = trigger_client_event(response, "needs-answer", {"count": state.needs_answer})
        if items := alerts.take_page_alerts(user=request.user):
            response = trigger_client_event(response, "alerts", {"items": items})
        # Handed over: the next poll has nothing more to fetch for them.
        state = replace(state, alert_waiting=False)
    return _live_headers(response, state.etag(request.get_full_path()))


@login_required
@require_safe
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    state, unchanged = _not_modified(request)
    if unchanged:
        return unchanged
    accounts, filters, shown = _accounts_and_filters(request, InboxFilterForm)
    show_expired = request.GET.get("show") == "expired"
    window = selectors.paginate(
        selectors.inbox(accounts=shown, expired=show_expired, sort=filters["sort"]),
        number=_page(request),
    )
    response = render(
        request,
        _template(request, "bookings/inbox.html"),
        {
            "accounts": shown,
            "all_accounts": accounts,
            "form": InboxFilterForm(None, accounts=accounts, initial=filters),
            "window": window,
            "sort": filters["sort"] or ("-accept_by" if show_expired else "accept_by"),
            "caption": "Expired requests" if show_expired else "Requests to accept or reject",
            "show_expired": show_expired,
            "acting_for": _acting_for(request, shown),
            "needs_answer": state.needs_answer,
            "live_etag": state.etag(request.get_full_path()),
            **_row_context(request, accounts),
        },
    )
    return _live_page(request, state, response)


@login_required
@require_safe
def booking_list(request: HtmxHttpRequest, service: str, direction: str) -> HttpResponse:
    state, unchanged = _not_modified(request)
    if unchanged:
        return unchanged
    accounts, filters, shown = _accounts_and_filters(request, ListFilterForm)
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
    response = render(
        request,
        _template(request, "bookings/list.html"),
        {
            "needs_answer": state.needs_answer,
            "live_etag": state.etag(request.get_full_path()),
            "title": LIST_TITLES[(service, direction)],
            "lists": [
                {
                    "url": reverse("bookings:list", args=key),
                    "label": label,
                    "current": key == (service, direction),
                }
                for key, label in LIST_LABELS.items()
            ],
            "service": service,
            "direction": direction,
            # Shows the filters in effect, including the defaults that replaced bad values.
            "form": ListFilterForm(None, accounts=accounts, initial=filters),
            "accounts": shown,
            "all_accounts": accounts,
            "window": window,
            "sort": filters["sort"],
            "caption": LIST_TITLES[(service, direction)],
            "can_select": any(a.can_act and a.has_own_connection for a in shown),
            "bulk_action": Action.DELETE,
            "acting_for": _acting_for(request, shown),
            **_row_context(request, accounts),
        },
    )
    return _live_page(request, state, response)


@login_required
@require_safe
def booking_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking, account = _booking_for_viewer(request, pk)
    return _sheet(request, "detail", {"b": booking, "account": account})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def booking_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    booking = _booking_for_actor(request, pk)
    if request.method != "POST":
        return _action_sheet(request, booking, action, action_form(action, booking))
    form = action_form(action, booking, request.POST)
    if not form.is_valid():
        return _action_sheet(request, booking, action, form)
    data = form.cleaned_data
    if data.get("save_template") and data.get("reason"):
        services.reason_template_save(account=booking.account, text=data["reason"])
    result = services.booking_act(
        booking=booking,
        user=request.user,
        action=Action(action),
        credits=data.get("credits"),
        reason=data.get("reason") or None,
    )
    return _answer(request, [result], fallback=_list_url(booking))


def _action_sheet(request: HtmxHttpRequest, booking: Booking, action: str, form) -> HttpResponse:
    """An action's form: empty, or back with what was typed and what is wrong with it. When
    the rules say no already, the sheet says why and offers nothing to send."""
    account = booking.account
    account.can_act = True  # _booking_for_actor found it so
    context = {
        "b": booking,
        "account": account,
        "action": Action(action),  # the template reads its labels
        "form": form,
        "refusal": rules.refusal(action, booking, timezone.now()),
        "reason_templates": (
            selectors.reason_templates([account])[account.pk]
            if action in ("reject", "cancel", "reinvite")
            else []
        ),
        # Accepting books the session: say first which sessions it would overlap.
        "clashes": selectors.session_clashes(booking) if action == "accept" else [],
        "clash_id": "sheet-clash",
    }
    response = _sheet(request, "action", context)
    if form.is_bound and request.htmx:
        # The form posts with hx-swap="none" (its answer is rows, out of band); a form with
        # an error goes back into the sheet instead.
        response["HX-Retarget"] = "#sheet"
        response["HX-Reswap"] = "innerHTML"
    return response


def _sheet(request: HtmxHttpRequest, part: str, context: dict) -> HttpResponse:
    """A booking's details or an action's form: into the page's sheet for htmx, else a page
    of its own."""
    in_sheet = bool(request.htmx)
    context |= {"in_sheet": in_sheet, "back_url": _back_url(request), "now": timezone.now()}
    template = f"bookings/sheet.html#{part}" if in_sheet else "bookings/booking.html"
    return render(request, template, context)


@login_required
@require_POST
def bookings_delete(request: HtmxHttpRequest) -> HttpResponse:
    form = BookingsChosenForm(request.POST)
    if form.has_error("booking", "required"):
        return _nothing_chosen(request)
    ids = set(form.cleaned_data["booking"]) if form.is_valid() else set()
    bookings = list(
        Booking.objects.select_related("account").filter(
            pk__in=ids, account__in=Account.objects.actionable_by(request.user)
        )
    )
    if not ids or len(bookings) != len(ids):
        # An id that is not one, or one the user may not touch: refuse the lot, reveal nothing.
        raise Http404("No such bookings.")
    results = services.bookings_delete(bookings=bookings, user=request.user)
    return _answer(request, results, fallback=_list_url(bookings[0]))


@login_required
@require_POST
def sync_now(request: HtmxHttpRequest) -> HttpResponse:
    """Ask the worker to sync these accounts now; the page says when it has."""
    form = AccountsChosenForm(request.POST)
    ids = form.cleaned_data["account"] if form.is_valid() else []
    accounts = list(
        Account.objects.visible_to(request.user).filter(pk__in=ids, reconnect_needed=False)
    )
    if not accounts:
        raise Http404("No such accounts.")
    for account in accounts:
        schedule.request_sync(account.pk)
    names = ", ".join(a.nickname for a in accounts)
    messages.success(request, f"Syncing {names}: the newest bookings appear here in a moment.")
    return _back(request, reverse("bookings:inbox"))


@login_required
@require_safe
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    accounts, filters, shown = _accounts_and_filters(request, AuditFilterForm)
    window = selectors.paginate(
        selectors.audit_entries(accounts=accounts, **filters), number=_page(request)
    )
    return render(
        request,
        _template(request, "bookings/audit.html"),
        {
            "form": AuditFilterForm(None, accounts=accounts, initial=filters),
            "accounts": accounts,
            "window": window,
            "acting_for": _acting_for(request, shown),
            "export_query": {"account": filters["account"]} if filters["account"] else None,
        },
    )


AUDIT_COLUMNS = (
    "at",
    "username",
    "account_nickname",
    "action",
    "target",
    "inputs",
    "status_before",
    "status_after",
    "outcome",
    "message",
)


@login_required
@require_safe
def audit_export(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """The audit log as CSV, of one account (any user who sees it) or of a whole agency (its
    owner only)."""
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        raise Http404("No such account or agency.")
    account_id, agency_id = form.cleaned_data["account"], form.cleaned_data["agency"]
    if account_id is not None:
        account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
        entries = AuditEntry.objects.filter(account=account)
        name = f"audit-{slugify(account.nickname)}"
    elif agency_id is not None:
        agency = get_object_or_404(Agency, pk=agency_id, owner=request.user)
        # Its accounts' entries, and its changes of staff and of accounts since disconnected.
        entries = AuditEntry.objects.filter(Q(account__agency=agency) | Q(agency=agency))
        name = f"audit-{slugify(agency.name)}"
    else:
        raise Http404("Say which account or agency.")
    rows = entries.order_by("at", "pk").values_list(*AUDIT_COLUMNS)
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_cell(v) for v in row]) for row in rows.iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        chain([writer.writerow(AUDIT_COLUMNS)], lines), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


# What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if isinstance(value, dict):
        text = "; ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = "" if value is None else str(value)
    # A cell that a spreadsheet would run as a formula is written as text.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _nothing_chosen(request: HtmxHttpRequest) -> HttpResponse:
    message = "Tick the finished bookings to delete first."
    if not request.htmx:
        messages.warning(request, message)
        return _back(request, reverse("bookings:inbox"))
    response = HttpResponse(status=204)
    return trigger_client_event(response, "toast", {"level": "warning", "message": message})


def _list_url(booking: Booking) -> str:
    return reverse("bookings:list", args=[booking.service, booking.direction])


def _back(request: HtmxHttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    # A path of this site only. Not redirect(target): it reads a word such as "1 " as the name
    # of a URL pattern, and fails when there is none.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _answer(request: HtmxHttpRequest, results: list, *, fallback: str) -> HttpResponse:
    """htmx: the rows as they stand now, out of band (the page may not show them), and a
    toast. Without JavaScript: back, with a message."""
    level, message = _worst(results), _summary(results)
    if not request.htmx:
        getattr(messages, level)(request, message)
        return _back(request, fallback)
    # Every booking in an answer was fetched through actionable_by (_booking_for_actor, the
    # bulk delete's query): its account is one the user may act for.
    acted_for = {r.booking.account_id for r in results if r.booking is not None}
    accounts = selectors.accounts_for_answer(request.user, acted_for)
    response = render(
        request,
        "bookings/rows.html#answer",
        {"results": results, **_row_context(request, accounts)},
    )
    return trigger_client_event(response, "toast", {"level": level, "message": message})


def _worst(results: list) -> str:
    levels = [r.level for r in results]
    for level in ("error", "warning"):
        if level in levels:
            return level
    return "success"


def _summary(results: list) -> str:
    if len(results) == 1:
        return results[0].message
    done = sum(r.ok for r in results)
    others = [r.message for r in results if not r.ok]
    text = f"{done} of {len(results)} bookings deleted."
    return f"{text} {' '.join(dict.fromkeys(others))}" if others else text
