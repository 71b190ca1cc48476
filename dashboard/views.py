import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

import gateway
from dashboard import connect
from dashboard.adultwork import api_client, connect_account, oauth_client
from dashboard.models import Account
from dashboard.signals import account_connected

logger = logging.getLogger(__name__)


@login_required
@require_safe
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = Account.objects.visible_to(request.user).select_related("owner")
    return render(request, "dashboard/accounts.html", {"accounts": accounts})


@login_required
@require_safe
def connect_start(request: HttpRequest) -> HttpResponse:
    state, challenge, uri = connect.begin(request)
    with oauth_client() as client:
        url = client.authorize_url(
            redirect_uri=uri, scopes=connect.SCOPES, state=state, code_challenge=challenge
        )
    return redirect(url)


@login_required
@require_safe
def connect_callback(request: HttpRequest) -> HttpResponse:
    pending = connect.take(request, request.GET.get("state"))
    if pending is None:
        # No token call for a state we did not hand out: it may be a forged link.
        return render(
            request,
            "dashboard/connect_failed.html",
            {
                "reason": "This sign-in link is not valid any more (it was used already, is too "
                "old, or did not start here). Start again.",
            },
            status=400,
        )
    code = request.GET.get("code", "")
    if request.GET.get("status") == "cancelled" or not code:
        messages.info(request, "You cancelled at AdultWork, so no account was connected.")
        return redirect("accounts:list")
    try:
        with oauth_client() as client:
            tokens = client.exchange_code(
                code=code, redirect_uri=pending.redirect_uri, code_verifier=pending.verifier
            )
        with api_client(tokens.access_token) as client:
            identity = client.verify_credentials()
    except gateway.AdultWorkError as error:
        logger.warning("AdultWork sign-in failed: %s", error.message)
        return render(
            request,
            "dashboard/connect_failed.html",
            {
                "reason": f"AdultWork did not complete the sign-in: {error.message}",
            },
            status=502,
        )
    existing = Account.objects.filter(remote_user_id=identity.user_id).first()
    if existing is not None and existing.owner_id != request.user.pk:
        return render(
            request,
            "dashboard/connect_failed.html",
            {
                "reason": f"{existing.nickname} is already connected by another user of this "
                "dashboard. Ask them to grant you access instead.",
            },
            status=409,
        )
    account = connect_account(owner=request.user, identity=identity, tokens=tokens)
    transaction.on_commit(lambda: account_connected.send(sender=Account, account=account))
    messages.success(
        request,
        f"{account.nickname} is connected{' again' if existing else ''}; its bookings are on "
        "their way.",
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
