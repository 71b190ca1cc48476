import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

import gateway
from dashboard import connect
from dashboard.adultwork import (
    api_client,
    call_with_token,
    connect_account,
    oauth_client,
    web_deadline,
)
from dashboard.forms import GrantForm, GroupMemberForm, RoleForm, StaffForm
from dashboard.http import AuthenticatedHttpRequest
from dashboard.models import Account, Agency, Grant, StaffMember
from dashboard.signals import account_connected

logger = logging.getLogger(__name__)


@login_required
@require_safe
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # sync_state is the bookings app's record of each account's sync, read here by name only:
    # how the sync stands is part of how the account stands.
    accounts = list(
        Account.objects.visible_to(request.user).select_related("owner", "agency", "sync_state")
    )
    grantable = set(Account.objects.grantable_by(request.user).values_list("pk", flat=True))
    roles = dict(Grant.objects.filter(user=request.user).values_list("account_id", "role"))
    for account in accounts:
        role = roles.get(account.pk)
        account.my_role = Grant.Role(role).label.split(" (")[0].lower() if role else ""
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
    with oauth_client() as client:
        url = client.authorize_url(
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
            "This sign-in link is not valid any more (it was used already, is too old, or did "
            "not start here). Start again.",
        )
    code = request.GET.get("code", "")
    if request.GET.get("status") == "cancelled" or not code:
        messages.info(request, "You cancelled at AdultWork, so no account was connected.")
        return redirect("accounts:list")
    deadline = web_deadline()
    try:
        with oauth_client(deadline) as client:
            tokens = client.exchange_code(
                code=code, redirect_uri=pending.redirect_uri, code_verifier=pending.verifier
            )
        with api_client(tokens.access_token, deadline) as client:
            identity = client.verify_credentials()
    except gateway.AdultWorkError as error:
        logger.warning("AdultWork sign-in failed: %s", error.message)
        return _not_connected(request, f"AdultWork did not complete the sign-in: {error.message}")
    existing = (
        Account.objects.select_related("managed_through__owner")
        .filter(remote_user_id=identity.user_id)
        .first()
    )
    # A group member's account was only borrowed through its manager's connection: signing in
    # as it proves it is the signer's, so it moves to them rather than clashing.
    taken_from_group = existing is not None and not existing.has_own_connection
    if existing is not None and not taken_from_group and existing.owner_id != request.user.pk:
        return _not_connected(
            request,
            f"{existing.nickname} is already connected by another user of this dashboard. "
            "Ask them to grant you access instead.",
        )
    account = connect_account(owner=request.user, identity=identity, tokens=tokens)
    transaction.on_commit(lambda: account_connected.send(sender=Account, account=account))
    if taken_from_group:
        # Type narrowing: taken_from_group says both are there.
        assert existing is not None  # nosec B101
        assert existing.managed_through is not None  # nosec B101
        manager_user = existing.managed_through.owner
        keeps = (
            ""
            if manager_user.pk == request.user.pk
            else f"; {manager_user.get_username()} keeps read-only access through the group"
        )
        messages.success(
            request,
            f"{account.nickname} now uses its own connection{keeps}. Its received bookings "
            "are on their way.",
        )
    else:
        messages.success(
            request,
            f"{account.nickname} is connected{' again' if existing else ''}; its bookings are "
            "on their way.",
        )
    return redirect("accounts:list")


@login_required
@require_POST
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the owner may disconnect; anyone else gets the same 404 as for a stranger's id.
    account = get_object_or_404(Account, pk=pk, owner=request.user)
    nickname = account.nickname
    account.delete()  # the tokens, the local bookings and the grants go with it
    messages.success(
        request, f"{nickname} is disconnected: its tokens and its bookings here are deleted."
    )
    return redirect("accounts:list")


def _account_for_granter(request: HttpRequest, pk: int) -> Account:
    """The account, if the user may manage who else sees it; 404 for anyone else."""
    return get_object_or_404(Account.objects.grantable_by(request.user), pk=pk)


@login_required
def account_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account_for_granter(request, pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grantee = form.cleaned_data["username"]
        if grantee.pk == account.owner_id:
            form.add_error("username", "That is the account's owner, who has every right already.")
        else:
            Grant.objects.update_or_create(
                user=grantee,
                account=account,
                defaults={"role": form.cleaned_data["role"], "granted_by": request.user},
            )
            messages.success(
                request,
                f"{grantee.get_username()} may now {_role_verb(form.cleaned_data['role'])}"
                f" {account.nickname}.",
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
def grant_change(request: AuthenticatedHttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    account = _account_for_granter(request, pk)
    grant = get_object_or_404(Grant, pk=grant_pk, account=account)
    form = RoleForm(request.POST)
    if form.is_valid():
        grant.role = form.cleaned_data["role"]
        grant.granted_by = request.user
        grant.save(update_fields=["role", "granted_by"])
        messages.success(
            request,
            f"{grant.user.get_username()} may now {_role_verb(grant.role)} {account.nickname}.",
        )
    else:
        messages.error(request, "Choose viewer, manager or owner.")
    return redirect("accounts:access", pk=account.pk)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    account = _account_for_granter(request, pk)
    grant = get_object_or_404(Grant, pk=grant_pk, account=account)
    grant.delete()
    messages.success(
        request, f"{grant.user.get_username()} no longer has access to {account.nickname}."
    )
    return redirect("accounts:access", pk=account.pk)


def _role_verb(role: str) -> str:
    return {
        Grant.Role.VIEWER: "see",
        Grant.Role.MANAGER: "see and act for",
        Grant.Role.OWNER: "act for and manage access to",
    }[Grant.Role(role)]


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk, owner=request.user)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        StaffMember.objects.get_or_create(agency=agency, user=form.cleaned_data["username"])
        messages.success(
            request, f"{form.cleaned_data['username'].get_username()} joined the staff."
        )
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
    agency = get_object_or_404(Agency, pk=pk, owner=request.user)
    member = get_object_or_404(StaffMember, agency=agency, user_id=user_pk)
    # Leaving the agency ends every grant on its accounts, at once.
    Grant.objects.filter(user_id=user_pk, account__agency=agency).delete()
    member.delete()
    messages.success(request, f"{member.user.get_username()} left the staff; their grants ended.")
    return redirect("accounts:agency", pk=agency.pk)


@login_required
@require_POST
def group_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A group manager adds a member's account, read through the manager's connection."""
    manager = get_object_or_404(Account, pk=pk, owner=request.user, is_group_manager=True)
    form = GroupMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the member's AdultWork user ID and nickname.")
        return redirect("accounts:list")
    member_id = form.cleaned_data["user_id"]
    existing = Account.objects.filter(remote_user_id=member_id).first()
    if existing is not None and existing.managed_through_id != manager.pk:
        messages.error(request, f"{existing.nickname} is connected already.")
        return redirect("accounts:list")
    try:
        # The cheapest call that AdultWork answers only for the manager's own members.
        call_with_token(
            manager,
            lambda client: client.list_bookings(
                service="webcam", direction="made", per_page=1, member_id=member_id
            ),
            deadline=web_deadline(),
        )
    except gateway.Forbidden:
        messages.error(request, f"AdultWork says user {member_id} is not in your group.")
        return redirect("accounts:list")
    except gateway.AdultWorkError as error:
        messages.error(request, f"The member could not be checked: {error.message}")
        return redirect("accounts:list")
    member, _ = Account.objects.update_or_create(
        remote_user_id=member_id,
        defaults={
            "owner": request.user,
            "nickname": form.cleaned_data["nickname"],
            "group_id": manager.group_id,
            "group_name": manager.group_name,
            "managed_through": manager,
            "agency": manager.agency,
        },
    )
    transaction.on_commit(lambda: account_connected.send(sender=Account, account=member))
    messages.success(
        request,
        f"{member.nickname} added: their made bookings are read through your connection. "
        f"Received bookings and actions need {member.nickname} to connect the account.",
    )
    return redirect("accounts:list")
