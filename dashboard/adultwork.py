"""The one place that turns settings and a connected account into gateway API objects."""

import logging
from collections.abc import Callable
from functools import cache
from types import TracebackType
from typing import Literal

from circuitbreaker import STATE_OPEN, CircuitBreaker
from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dashboard.crypto import TokenDecryptionError
from dashboard.models import Account, Connection, Grant
from gateway import (
    AdultWorkApi,
    AdultWorkError,
    Deadline,
    Identity,
    NotSent,
    OAuthApi,
    ReconnectNeeded,
    TimedOut,
    TokenExpired,
    TokenSet,
    Unavailable,
)

logger = logging.getLogger(__name__)

USER_AGENT = "aw-bookings/1.0"

# Tokens and the client secret stay out of Django's error reports and the mails to ADMINS:
# sensitive_variables() hides every local of the decorated frame and of every undecorated frame
# it calls. That is what the functions calling AdultWork need, since requests', urllib3's and
# http.client's frames hold the bytes they send (the gateway, which cannot import Django,
# hides what it holds itself: see gateway.transport.Secret).


def oauth_api(deadline: Deadline | None = None) -> OAuthApi:
    return OAuthApi(
        auth_url=settings.ADULTWORK_AUTH_URL,
        client_id=settings.ADULTWORK_CLIENT_ID,
        client_secret=settings.ADULTWORK_CLIENT_SECRET,
        timeout=settings.ADULTWORK_TIMEOUT,
        user_agent=USER_AGENT,
        deadline=deadline,
    )


@sensitive_variables("access_token")
def adultwork_api(access_token: str, deadline: Deadline | None = None) -> AdultWorkApi:
    return AdultWorkApi(
        base_url=settings.ADULTWORK_API_URL,
        access_token=access_token,
        time_zone=settings.ADULTWORK_TIME_ZONE,
        timeout=settings.ADULTWORK_TIMEOUT,
        retries=settings.ADULTWORK_GET_RETRIES,
        user_agent=USER_AGENT,
        deadline=deadline,
    )


def web_deadline() -> Deadline:
    """What a web request may spend on AdultWork: ACTION_BUDGET_SECONDS from now."""
    return Deadline(settings.ACTION_BUDGET_SECONDS)


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
    """Store a newly connected AdultWork account; connecting it again updates it in place.

    An account a group manager added moves to its own connection and to the user who connected
    it: connecting proves the account is theirs. The manager's user keeps seeing it.
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
            # Type narrowing: taken_from_group says both are there.
            assert previous is not None  # nosec B101
            assert previous.managed_through is not None  # nosec B101
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
def fresh_access_token(
    account: Account, *, refused: str | None = None, deadline: Deadline | None = None
) -> str:
    """The account's access token, refreshed first when it is about to expire, or when it is
    the one AdultWork just answered 401 to (`refused`).

    The row lock makes concurrent requests wait for one refresh instead of each spending
    the rotating refresh token, which would leave all but one holding a dead token. For the
    same reason a refused token that another caller has meanwhile replaced is not refreshed
    again: its replacement is used.
    """

    def usable(connection: Connection) -> str | None:
        token = connection.access_token
        margin = settings.ADULTWORK_TOKEN_REFRESH_MARGIN
        if token == refused or connection.expires_within(margin, now=timezone.now()):
            return None
        return token

    # Most calls find a good token: read without a lock (on SQLite a locking read takes the
    # database's one write lock), and lock only to refresh.
    unlocked = Connection.objects.filter(account=account).first()
    if unlocked is not None and (token := usable(unlocked)):
        return token
    try:
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(account=account)
            if token := usable(connection):
                return token
            with oauth_api(deadline) as oauth:
                tokens = oauth.refresh(refresh_token=connection.refresh_token)
            connection.store_tokens(
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                expires_in=tokens.expires_in,
                now=timezone.now(),
            )
            connection.save()
            return tokens.access_token
    except ReconnectNeeded as error:
        # Outside the transaction above, so that the mark survives its rollback.
        mark_reconnect_needed(account)
        raise ReconnectNeeded(RECONNECT, status=error.status) from error


def api_for(account: Account) -> AdultWorkApi:
    return adultwork_api(fresh_access_token(account))


def mark_reconnect_needed(account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(reconnect_needed=True)
    account.reconnect_needed = True


RECONNECT = f"{Account.RECONNECT_REASON}: reconnect this account."
NOT_ANSWERING = "AdultWork is not answering, so nothing was sent: try again in a few minutes."


class AdultWorkCircuit(CircuitBreaker):
    """This process's circuit breaker on AdultWork: after ADULTWORK_CIRCUIT_FAILURES calls in
    a row that got no answer (timeouts, broken connections, 5xx), calls fail at once for
    ADULTWORK_CIRCUIT_RESET_SECONDS; then the next call is let through as a probe, and its
    answer closes the circuit again.

    circuitbreaker rather than pybreaker: pybreaker holds its lock for the whole call, which
    would let one thread of a process talk to AdultWork at a time. Counting without a lock
    can lose a failure when two threads fail at once; the circuit then opens one call later.
    """

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> Literal[False]:  # never swallows the exception
        # Neither an answer nor a silence of AdultWork's: a call not sent, or a fault of ours.
        if exc_type is not None and (
            issubclass(exc_type, NotSent) or not issubclass(exc_type, AdultWorkError)
        ):
            return False
        was_open = self._state == STATE_OPEN
        super().__exit__(exc_type, exc_value, traceback)
        if self._state == STATE_OPEN and not was_open:
            logger.warning(
                "AdultWork circuit open after %s calls without an answer: calls wait %s s",
                self.failure_count,
                self._recovery_timeout,
            )
        elif was_open and self._state != STATE_OPEN:
            logger.warning("AdultWork circuit closed: AdultWork answered again")
        return False


def _no_answer(thrown_type: type[BaseException], thrown: BaseException) -> bool:
    """What counts against AdultWork. A refusal, a 401 or a 429 is an answer: it is up."""
    return issubclass(thrown_type, (Unavailable, TimedOut))


@cache
def circuit() -> AdultWorkCircuit:
    return AdultWorkCircuit(
        failure_threshold=settings.ADULTWORK_CIRCUIT_FAILURES,
        recovery_timeout=settings.ADULTWORK_CIRCUIT_RESET_SECONDS,
        expected_exception=_no_answer,
        name="AdultWork",
    )


@receiver(setting_changed)
def _new_circuit(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("ADULTWORK_CIRCUIT_"):
        circuit.cache_clear()


def adultwork_answering() -> bool:
    """False while the circuit is open: the pages then say that actions wait."""
    return not circuit().opened


class TokenCaller:
    """The one way to call AdultWork for an account: with a fresh token, refreshed once after
    a 401, after which the account is marked "reconnect needed".

    A 401 means AdultWork did nothing, so calling again after the refresh cannot act twice.
    One caller keeps one AdultWorkApi (and its connection pool) for a run of calls, such as a sync.
    Every call goes through the process's circuit breaker, and within `deadline` if one is
    given (a web request's).
    """

    def __init__(self, account: Account, *, deadline: Deadline | None = None) -> None:
        self.account = account
        self.deadline = deadline
        self._api: AdultWorkApi | None = None
        self._token: str | None = None  # the client's, to name it when AdultWork refuses it
        self._refreshed = False

    @sensitive_variables()  # the calls, whose requests carry the access token
    def call[T](self, request: Callable[[AdultWorkApi], T]) -> T:
        breaker = circuit()
        if breaker.opened:
            raise NotSent(NOT_ANSWERING)
        with breaker:
            return self._call(request)

    @sensitive_variables()
    def _call[T](self, request: Callable[[AdultWorkApi], T]) -> T:
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
        if self._api is not None:
            self._api.close()
            self._api = None

    def __enter__(self) -> "TokenCaller":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _current(self) -> AdultWorkApi:
        if self._api is None:
            self._replace(refused=None)
        assert self._api is not None  # nosec B101  # type narrowing; _replace always sets it
        return self._api

    @sensitive_variables()  # the token is fetched, refreshed if need be, and put in an AdultWorkApi
    def _replace(self, *, refused: str | None) -> None:
        self.close()
        self._refreshed = self._refreshed or refused is not None
        try:
            self._token = fresh_access_token(self.account, refused=refused, deadline=self.deadline)
            self._api = adultwork_api(self._token, self.deadline)
        except TokenDecryptionError as error:
            # A token no key can read is as dead as a revoked one: only a new connection mends it.
            raise self._reconnect_needed() from error

    def _reconnect_needed(self) -> ReconnectNeeded:
        mark_reconnect_needed(self.account)
        return ReconnectNeeded(RECONNECT)


def call_with_token[T](
    account: Account,
    request: Callable[[AdultWorkApi], T],
    *,
    deadline: Deadline | None = None,
) -> T:
    """One call for the account, through a TokenCaller."""
    with TokenCaller(account, deadline=deadline) as caller:
        return caller.call(request)
