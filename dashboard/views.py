import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

import gateway
from dashboard import connect, services
from dashboard.adultwork import adultwork_api, oauth_api, web_deadline
from dashboard.forms import GrantForm, GroupMemberForm, RoleForm, StaffForm
from dashboard.http import AuthenticatedHttpRequest
from dashboard.models import Account, Agency, Grant, StaffMember, role_verb

logger = logging.getLogger(__name__)


# Views fetch through these, so that what a user may not touch is a 404 like what does not exist.


def _account_for_granter(request: HttpRequest, pk: int) -> Account:
    """The account, if the user may manage who else sees it; 404 for anyone else."""
    return get_object_or_404(Account.objects.grantable_by(request.user), pk=pk)


def _grant_for_granter(request: HttpRequest, pk: int, grant_pk: int) -> Grant:
    """A grant on an account whose grants the user may manage; 404 for anyone else."""
    account = _account_for_granter(request, pk)
    return get_object_or_404(
        Grant.objects.select_related("user", "account"), pk=grant_pk, account=account
    )


def _agency_of_owner(request: HttpRequest, pk: int) -> Agency:
    """The agency, if the user owns it; 404 for its staff and everyone else."""
    return get_object_or_404(Agency, pk=pk, owner=request.user)


def _owned_account(request: HttpRequest, pk: int) -> Account:
    """The account, if the user owns it: the same 404 for staff granted on it as for a
    stranger's id."""
    return get_object_or_404(Account, pk=pk, owner=request.user)


def _group_manager_of_owner(request: HttpRequest, pk: int) -> Account:
    """The user's own group manager account; 404 for any other."""
    return get_object_or_404(Account, pk=pk, owner=request.user, is_group_manager=True)


@login_required
@require_safe
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _account_list_page(request)


def _account_list_page(
    request: AuthenticatedHttpRequest, *, member_form: GroupMemberForm | None = None
) -> HttpResponse:
    """The accounts page; `member_form` is a group member form back with its errors."""
    # sync_state is the bookings app's record of each account's sync, read here by name only:
    # how the sync stands is part of how the account stands.
    accounts = list(
        Account.objects.visible_to(request.user).select_related("owner", "agency", "sync_state")
    )
    grantable = set(Account.objects.grantable_by(request.user).values_list("pk", flat=True))
    roles = dict(Grant.objects.filter(user=request.user).values_list("account_id", "role"))
    for account in accounts:
        # The role's value is its name in words: "viewer", "operator", "admin".
        account.my_role = roles.get(account.pk, "")
        if account.is_group_manager and account.owner_id == request.user.pk:
            account.member_form = GroupMemberForm(manager=account)
            if member_form is not None and member_form.manager_pk == account.pk:
                account.member_form = member_form
    return render(
        request,
        "dashboard/accounts.html",
        {
            "accounts": accounts,
            "grantable": grantable,
            "agencies": Agency.objects.filter(owner=request.user),
        },
    )


@login_required
@require_safe
def connect_start(request: HttpRequest) -> HttpResponse:
    state, challenge, uri = connect.begin(request)
    with oauth_api() as oauth:
        url = oauth.authorize_url(
            redirect_uri=uri, scopes=connect.SCOPES, state=state, code_challenge=challenge
        )
    return redirect(url)


def _away_from_the_code(view):
    """The callback's address carries a single-use code. Every answer sends the browser on to
    an address without it, signed out included (where the sign-in would keep it in ?next=),
    and tells the browser to pass the address to no one as a referrer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
        else:
            response = redirect_to_login(reverse("accounts:list"))
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def _not_connected(request: HttpRequest, reason: str) -> HttpResponse:
    messages.error(request, f"The account was not connected. {reason}")
    return redirect("accounts:list")


@_away_from_the_code
@require_safe
# Every local: the verifier, the code, the tokens, and beneath them the token call's form and the
# first API call's Authorization header, as requests and urllib3 hold them.
@sensitive_variables()
def connect_callback(request: HttpRequest) -> HttpResponse:
    pending = connect.take(request, request.GET.get("state"))
    if pending is None:
        # No token call for a state we did not hand out: it may be a forged link.
        return _not_connected(
            request,
            "This connection link is no longer valid (it was used already, is too old, or did not "
            "start here). Start again.",
        )
    code = request.GET.get("code", "")
    if request.GET.get("status") == "cancelled" or not code:
        messages.info(request, "You cancelled at AdultWork, so no account was connected.")
        return redirect("accounts:list")
    deadline = web_deadline()
    try:
        with oauth_api(deadline) as oauth:
            tokens = oauth.exchange_code(
                code=code, redirect_uri=pending.redirect_uri, code_verifier=pending.verifier
            )
        with adultwork_api(tokens.access_token, deadline) as api:
            identity = api.verify_credentials()
    except gateway.AdultWorkError as error:
        logger.warning("AdultWork connection failed: %s", error.message)
        return _not_connected(
            request, f"AdultWork did not complete the connection: {error.message}"
        )
    try:
        connected = services.account_connect(identity=identity, tokens=tokens, by=request.user)
    except services.Refused as refused:
        return _not_connected(request, refused.message)
    account = connected.account
    if connected.taken_from is not None:
        keeps = (
            ""
            if connected.taken_from.pk == request.user.pk
            else f"; {connected.taken_from.get_username()} keeps read-only access through the group"
        )
        messages.success(
            request,
            f"{account.nickname} now uses its own connection{keeps}. Its received bookings "
            "are on their way.",
        )
    else:
        messages.success(
            request,
            f"{account.nickname} is connected{' again' if connected.again else ''}; its "
            "bookings are on their way.",
        )
    return redirect("accounts:list")


@login_required
@require_POST
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    account = _owned_account(request, pk)
    services.account_disconnect(account=account, by=request.user)
    messages.success(
        request,
        f"{account.nickname} is disconnected: its tokens and its bookings here are deleted.",
    )
    return redirect("accounts:list")


@login_required
def account_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account_for_granter(request, pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_role(
                account=account,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except services.Refused as refused:
            form.add_error("username", refused.message)
        else:
            messages.success(
                request,
                f"{grant.user.get_username()} may now {role_verb(grant.role)} {account.nickname}.",
            )
            return redirect("accounts:access", pk=account.pk)
    return render(
        request,
        "dashboard/access.html",
        {
            "account": account,
            "grants": [
                _with_role_form(grant)
                for grant in account.grants.select_related("user").order_by("user__username")
            ],
            "form": form,
        },
    )


def _with_role_form(grant: Grant) -> Grant:
    """The grant with the form that changes its role, its own ids so that several share a page."""
    grant.role_form = RoleForm(initial={"role": grant.role}, auto_id=f"role-{grant.pk}-%s")
    return grant


@login_required
@require_POST
def grant_change(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    grant = _grant_for_granter(request, pk, grant_pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.grant_change(grant=grant, role=form.cleaned_data["role"], by=request.user)
        messages.success(
            request,
            f"{grant.user.get_username()} may now {role_verb(grant.role)} "
            f"{grant.account.nickname}.",
        )
    else:
        messages.error(request, "Choose viewer, operator or admin.")
    return redirect("accounts:access", pk=grant.account_id)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    grant = _grant_for_granter(request, pk, grant_pk)
    services.grant_revoke(grant=grant, by=request.user)
    messages.success(
        request,
        f"{grant.user.get_username()} no longer has access to {grant.account.nickname}.",
    )
    return redirect("accounts:access", pk=grant.account_id)


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency_of_owner(request, pk)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.staff_add(
            agency=agency, user=form.cleaned_data["username"], by=request.user
        )
        messages.success(request, f"{member.user.get_username()} joined the staff.")
        return redirect("accounts:agency", pk=agency.pk)
    return render(
        request,
        "dashboard/agency.html",
        {
            "agency": agency,
            "staff": agency.staff.order_by("username"),
            "accounts": agency.accounts.order_by("nickname"),
            "form": form,
        },
    )


@login_required
@require_POST
def staff_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    agency = _agency_of_owner(request, pk)
    member = get_object_or_404(
        StaffMember.objects.select_related("user"), agency=agency, user_id=user_pk
    )
    services.staff_remove(member=member, by=request.user)
    messages.success(request, f"{member.user.get_username()} left the staff; their grants ended.")
    return redirect("accounts:agency", pk=agency.pk)


@login_required
@require_POST
def group_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A group manager adds a member's account, read through the manager's connection."""
    manager = _group_manager_of_owner(request, pk)
    form = GroupMemberForm(request.POST, manager=manager)
    if form.is_valid():
        try:
            member = services.group_member_add(
                manager=manager,
                user_id=form.cleaned_data["user_id"],
                nickname=form.cleaned_data["nickname"],
                by=request.user,
            )
        except services.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                f"{member.nickname} added: their made bookings are read through your "
                f"connection. Received bookings and actions need {member.nickname} to connect "
                "the account.",
            )
            return redirect("accounts:list")
    return _account_list_page(request, member_form=form)
