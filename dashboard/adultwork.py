"""The one place that turns settings and a connected account into gateway clients."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dashboard.models import Account, Connection
from gateway import AdultWorkClient, Identity, OAuthClient, ReconnectNeeded, TokenSet

USER_AGENT = "aw-bookings/1.0"


def oauth_client() -> OAuthClient:
    return OAuthClient(
        auth_url=settings.ADULTWORK_AUTH_URL,
        client_id=settings.ADULTWORK_CLIENT_ID,
        client_secret=settings.ADULTWORK_CLIENT_SECRET,
        timeout=settings.ADULTWORK_TIMEOUT,
        user_agent=USER_AGENT,
    )


def api_client(access_token: str) -> AdultWorkClient:
    return AdultWorkClient(
        base_url=settings.ADULTWORK_API_URL,
        access_token=access_token,
        time_zone=settings.ADULTWORK_TIME_ZONE,
        timeout=settings.ADULTWORK_TIMEOUT,
        retries=settings.ADULTWORK_GET_RETRIES,
        user_agent=USER_AGENT,
    )


def store_connection(*, account: Account, tokens: TokenSet) -> Connection:
    now = timezone.now()
    connection = Connection.objects.filter(account=account).first() or Connection(account=account)
    connection.store_tokens(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        now=now,
    )
    connection.token_type = tokens.token_type
    connection.scope = tokens.scope or ""
    connection.save()
    return connection


def connect_account(*, owner, identity: Identity, tokens: TokenSet) -> Account:
    """Store a newly signed-in AdultWork account; signing in again updates it in place."""
    with transaction.atomic():
        account, _ = Account.objects.update_or_create(
            remote_user_id=identity.user_id,
            defaults={
                "owner": owner,
                "nickname": identity.nickname or f"AdultWork user {identity.user_id}",
                "group_id": identity.group_id,
                "group_name": identity.group_name or "",
                "is_group_manager": identity.is_group_manager,
                "reconnect_needed": False,
            },
        )
        store_connection(account=account, tokens=tokens)
    return account


def fresh_access_token(account: Account, *, force: bool = False) -> str:
    """The account's access token, refreshed first when it is about to expire (or, with
    force, because AdultWork just answered 401 to it).

    The row lock makes concurrent requests wait for one refresh instead of each spending
    the rotating refresh token, which would leave all but one holding a dead token.
    """
    margin = settings.ADULTWORK_TOKEN_REFRESH_MARGIN
    try:
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(account=account)
            if not force and not connection.expires_within(margin, now=timezone.now()):
                return connection.access_token
            tokens = oauth_client().refresh(refresh_token=connection.refresh_token)
            connection.store_tokens(
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                expires_in=tokens.expires_in,
                now=timezone.now(),
            )
            connection.save()
            return tokens.access_token
    except ReconnectNeeded:
        # Outside the transaction above, so that the mark survives its rollback.
        mark_reconnect_needed(account)
        raise


def client_for(account: Account, *, force_refresh: bool = False) -> AdultWorkClient:
    return api_client(fresh_access_token(account, force=force_refresh))


def mark_reconnect_needed(account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(reconnect_needed=True)
    account.reconnect_needed = True
