"""The one place that turns settings and a connected account into gateway clients."""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dashboard.crypto import TokenDecryptionError
from dashboard.models import Account, Connection, Grant
from gateway import (
    AdultWorkClient,
    Identity,
    OAuthClient,
    ReconnectNeeded,
    TokenExpired,
    TokenSet,
)

USER_AGENT = "aw-bookings/1.0"

# Tokens and the client secret stay out of Django's error reports and the mails to ADMINS:
# sensitive_variables() hides every local of the decorated frame and of every undecorated frame
# it calls. That is what the functions calling AdultWork need, since requests', urllib3's and
# http.client's frames hold the bytes they send (the gateway, which cannot import Django,
# hides what it holds itself: see gateway.transport.Secret).


def oauth_client() -> OAuthClient:
    return OAuthClient(
        auth_url=settings.ADULTWORK_AUTH_URL,
        client_id=settings.ADULTWORK_CLIENT_ID,
        client_secret=settings.ADULTWORK_CLIENT_SECRET,
        timeout=settings.ADULTWORK_TIMEOUT,
        user_agent=USER_AGENT,
    )


@sensitive_variables("access_token")
def api_client(access_token: str) -> AdultWorkClient:
    return AdultWorkClient(
        base_url=settings.ADULTWORK_API_URL,
        access_token=access_token,
        time_zone=settings.ADULTWORK_TIME_ZONE,
        timeout=settings.ADULTWORK_TIMEOUT,
        retries=settings.ADULTWORK_GET_RETRIES,
        user_agent=USER_AGENT,
    )


@sensitive_variables("tokens")
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


@sensitive_variables("tokens")
def connect_account(*, owner, identity: Identity, tokens: TokenSet) -> Account:
    """Store a newly signed-in AdultWork account; signing in again updates it in place.

    An account a group manager added moves to its own connection and to the user who signed
    in as it: signing in proves the account is theirs. The manager's user keeps seeing it.
    """
    with transaction.atomic():
        # Locked so that a group manager re-adding the member cannot interleave with the move.
        previous = (
            Account.objects.select_for_update().filter(remote_user_id=identity.user_id).first()
        )
        taken_from_group = previous is not None and previous.managed_through_id is not None
        fields = {
            "owner": owner,
            "nickname": identity.nickname or f"AdultWork user {identity.user_id}",
            "group_id": identity.group_id,
            "group_name": identity.group_name or "",
            "is_group_manager": identity.is_group_manager,
            "reconnect_needed": False,
        }
        if taken_from_group:
            # The date on the accounts page is when the account got a connection of its own.
            fields |= {"managed_through": None, "connected_at": timezone.now()}
        account, _ = Account.objects.update_or_create(
            remote_user_id=identity.user_id, defaults=fields
        )
        store_connection(account=account, tokens=tokens)
        if taken_from_group:
            _keep_group_manager_viewing(account=account, manager=previous.managed_through)
    return account


def _keep_group_manager_viewing(*, account: Account, manager: Account) -> None:
    """The group manager's user read the account before its owner connected it, and reads
    it still, but only as a viewer: the account's actions are its owner's to grant."""
    # Ownership gives every right; a grant to the owner would only muddle the access page.
    Grant.objects.filter(account=account, user_id=account.owner_id).delete()
    if manager.owner_id != account.owner_id:
        Grant.objects.get_or_create(
            account=account,
            user_id=manager.owner_id,
            defaults={"role": Grant.Role.VIEWER, "granted_by": None},
        )


@sensitive_variables()
def fresh_access_token(account: Account, *, refused: str | None = None) -> str:
    """The account's access token, refreshed first when it is about to expire, or when it is
    the one AdultWork just answered 401 to (`refused`).

    The row lock makes concurrent requests wait for one refresh instead of each spending
    the rotating refresh token, which would leave all but one holding a dead token. For the
    same reason a refused token that another caller has meanwhile replaced is not refreshed
    again: its replacement is used.
    """
    margin = settings.ADULTWORK_TOKEN_REFRESH_MARGIN
    try:
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(account=account)
            stale = refused is not None and connection.access_token == refused
            if not stale and not connection.expires_within(margin, now=timezone.now()):
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


def client_for(account: Account) -> AdultWorkClient:
    return api_client(fresh_access_token(account))


def mark_reconnect_needed(account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(reconnect_needed=True)
    account.reconnect_needed = True


RECONNECT = "AdultWork no longer accepts this account's sign-in: reconnect this account."


class TokenCaller:
    """The one way to call AdultWork for an account: with a fresh token, refreshed once after
    a 401, after which the account is marked "reconnect needed".

    A 401 means AdultWork did nothing, so calling again after the refresh cannot act twice.
    One caller keeps one client (and its connection pool) for a run of calls, such as a sync.
    """

    def __init__(self, account: Account) -> None:
        self.account = account
        self._client: AdultWorkClient | None = None
        self._token: str | None = None  # the client's, to name it when AdultWork refuses it
        self._refreshed = False

    @sensitive_variables()  # the calls, whose requests carry the access token
    def call[T](self, request: Callable[[AdultWorkClient], T]) -> T:
        try:
            return request(self._current())
        except TokenExpired as error:
            if self._refreshed:
                raise self._reconnect_needed() from error
        self._replace(refused=self._token)
        try:
            return request(self._current())
        except TokenExpired as error:
            raise self._reconnect_needed() from error

    def prepare(self) -> None:
        """Get the token now rather than at the first call."""
        self._current()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> "TokenCaller":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _current(self) -> AdultWorkClient:
        if self._client is None:
            self._replace(refused=None)
        assert self._client is not None  # nosec B101  # type narrowing; _replace always sets it
        return self._client

    @sensitive_variables()  # the token is fetched, refreshed if need be, and put in a client
    def _replace(self, *, refused: str | None) -> None:
        self.close()
        self._refreshed = self._refreshed or refused is not None
        try:
            self._token = fresh_access_token(self.account, refused=refused)
            self._client = api_client(self._token)
        except TokenDecryptionError as error:
            # A token no key can read is as dead as a revoked one: only a new sign-in mends it.
            raise self._reconnect_needed() from error

    def _reconnect_needed(self) -> ReconnectNeeded:
        mark_reconnect_needed(self.account)
        return ReconnectNeeded(RECONNECT)


def call_with_token[T](account: Account, request: Callable[[AdultWorkClient], T]) -> T:
    """One call for the account, through a TokenCaller."""
    with TokenCaller(account) as caller:
        return caller.call(request)
