"""Keep the local copy in step with AdultWork, one account at a time.

AdultWork offers neither a status filter nor a "changed since" filter, so a normal sync reads
each list newest first and stops once it has passed the oldest booking that can still change
by the documented rules; an open booking those pages did not show is read by its details call.
A full sync, on its own slower schedule, reads every page and marks what AdultWork no longer
returns as gone.
"""

import logging
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

import gateway
from bookings.models import Booking, Direction, Service, Status, SyncRun, SyncState
from dashboard.adultwork import TokenCaller
from dashboard.models import Account

logger = logging.getLogger(__name__)

LISTS: tuple[tuple[str, str], ...] = (
    (Service.WEBCAM, Direction.RECEIVED),
    (Service.WEBCAM, Direction.MADE),
    (Service.PHONECHAT, Direction.RECEIVED),
    (Service.PHONECHAT, Direction.MADE),
)
MEMBER_LISTS = tuple((s, d) for s, d in LISTS if d == Direction.MADE)
NEWEST_FIRST = {Service.WEBCAM: "createddate-desc", Service.PHONECHAT: "date-desc"}

# Every field a sync may change: not the keys, not the claim of an action in flight, which a
# sync running meanwhile must leave alone, and not the mark of a booking that is gone.
KEY_FIELDS = ("account", "service", "remote_id")
UPSERT_FIELDS = [
    field.name
    for field in Booking._meta.concrete_fields
    if field.name not in {"id", "action_claimed_at", "gone_at", *KEY_FIELDS}
]


class SyncFailed(Exception):
    """Which account, which list and page, and the reason, in one readable sentence."""

    def __init__(
        self,
        *,
        account: Account,
        reason: str,
        where: str = "",
        error: gateway.AdultWorkError | None = None,
    ) -> None:
        self.account = account
        self.reason = reason
        self.where = where
        self.error = error
        super().__init__(
            f"{account.nickname}: {where}: {reason}" if where else f"{account.nickname}: {reason}"
        )


def list_label(service: str, direction: str) -> str:
    return f"{Service(service).label} {Direction(direction).label.lower()} bookings"


@dataclass
class ListResult:
    pages_read: int = 0
    bookings_seen: int = 0


def changeable(now: datetime) -> Q:
    """The bookings whose status can still change by the documented rules: a session not
    passed, or a pending request whose accept-by has not passed; each with a grace window,
    for clocks that disagree and for AdultWork's own pace. Rejected and cancelled are final."""
    edge = now - timedelta(seconds=settings.SYNC_GRACE_SECONDS)
    return ~Q(status__in=(Status.REJECTED, Status.CANCELLED)) & (
        Q(session_at__gte=edge) | Q(status=Status.PENDING, accept_by__gte=edge)
    )


def awaiting_answer(now: datetime) -> Q:
    """A received request that can still be accepted: the account is synced often while it
    has one."""
    return Q(
        direction=Direction.RECEIVED, status=Status.PENDING, accept_by__gt=now, session_at__gt=now
    )


def booking_fields(record: gateway.Booking) -> dict:
    """The model's fields from a gateway record (blank strings where the API sent null)."""
    party = record.other_party
    return {
        "status": record.status,
        "duration_minutes": record.duration_minutes,
        "credits": record.credits,
        "created_at": record.created_at,
        "session_at": record.session_at,
        "accept_by": record.accept_by,
        "accepted_at": record.accepted_at,
        "confirmed_at": record.confirmed_at,
        "cancelled_at": record.cancelled_at,
        "remote_updated_at": record.last_updated,
        "cancelled_reason": record.cancelled_reason or "",
        "cancelled_by": record.cancelled_by or "",
        "rejected_reason": record.rejected_reason or "",
        "is_multiple": record.is_multiple,
        "software_type": record.software_type,
        "sign_in_name_or_email": record.sign_in_name_or_email or "",
        "also_phonechat": record.also_phonechat,
        "method": record.method,
        "phone_number": record.phone_number or "",
        "skype_name": record.skype_name or "",
        "comments": record.comments or "",
        "action_needed": record.action_needed or "",
        "party_user_id": party.user_id if party else None,
        "party_nickname": party.nickname if party else "",
        "party_last_accessed_from": (party.last_accessed_from or "") if party else "",
        "party_sign_in_name_or_email": (party.sign_in_name_or_email or "") if party else "",
        "party_phone_number": (party.phone_number or "") if party else "",
        "party_skype_name": (party.skype_name or "") if party else "",
        "feedback_total": party.feedback_total if party else 0,
        "feedback_positive": party.feedback_positive if party else 0,
        "feedback_neutral": party.feedback_neutral if party else 0,
        "feedback_negative": party.feedback_negative if party else 0,
        "feedback_ratings": party.ratings if party else 0,
        "feedback_disputes": party.disputes if party else 0,
        "raw": record.raw,
    }


def upsert_bookings(
    *, account: Account, records: Iterable[gateway.Booking], known_as_of: datetime
) -> int:
    """Insert or update the rows of these records with one prepared statement; returns how
    many were sent.

    `known_as_of` is when the answer holding them was asked for. A row is updated only when
    what it holds is known as of an earlier moment, so a page read before an action and stored
    after it leaves the action's answer standing; a gone row is never brought back. `changed_at`
    moves only when the payload differs, so that live pages see a change only when there is one.

    The same ON CONFLICT upsert that bulk_create(update_conflicts=True) writes, but sent with
    executemany: building bulk_create's one 100-row, 40-column statement cost more than the
    database spent running it, and the first sync of a busy account is thousands of rows.
    """
    connection = connections[router.db_for_write(Booking)]
    prepared = {
        "account": account.pk,
        "last_seen_at": known_as_of,
        "known_as_of": known_as_of,
        "changed_at": known_as_of,
    }
    adapters = _adapters(connection)
    rows = []
    for record in records:
        values = booking_fields(record)  # a dict of its own, so filled in place
        values.update(prepared)
        values["service"] = record.service
        values["direction"] = record.direction
        values["remote_id"] = record.remote_id
        rows.append(
            tuple(
                values[name] if adapt is None else adapt(values[name]) for name, adapt in adapters
            )
        )
    if rows:
        _executemany(connection, _upsert_sql(connection), rows)
    return len(rows)


def _adapters(connection) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """For each column, what turns the record's value into the database's: None where the
    value goes as it is. What Field.get_db_prep_save does, chosen once per column instead of
    once per value (41 columns a row: that was half the time of storing a page)."""
    ops = connection.ops
    adapters: list[tuple[str, Callable[[Any], Any] | None]] = []
    for field in _UPSERT_COLUMNS:
        adapt = None
        if isinstance(field, models.DateTimeField):
            adapt = (
                _sqlite_datetime if _sqlite_in_utc(connection) else ops.adapt_datetimefield_value
            )
        elif isinstance(field, models.DecimalField):
            adapt = partial(
                ops.adapt_decimalfield_value,
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
            )
        elif isinstance(field, models.JSONField):
            adapt = partial(ops.adapt_json_value, encoder=field.encoder)
        adapters.append((field.name, adapt))
    return adapters


def _sqlite_in_utc(connection) -> bool:
    return connection.vendor == "sqlite" and connection.timezone == UTC


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What SQLite's adapt_datetimefield_value gives for an aware time when the database is
    in UTC, without its lazy settings lookups: they were the dearest part of storing a page."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _executemany(connection, sql: str, rows: list[tuple]) -> None:
    """Send one statement for many rows. On PostgreSQL through a server-side binding cursor
    and prepared, so the server plans the statement once for all the rows: Django's own cursors
    bind on the client and send each row as a new statement to parse and plan."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    # Django turns psycopg's prepared statements off (they trouble transaction-pooling proxies
    # older than PgBouncer 1.21); this one statement, run thousands of times, is prepared.
    threshold, raw.prepare_threshold = raw.prepare_threshold, 0
    try:
        with psycopg.Cursor(raw) as cursor:
            cursor.executemany(sql, rows)
    finally:
        raw.prepare_threshold = threshold


_UPSERT_COLUMNS = [Booking._meta.get_field(name) for name in (*KEY_FIELDS, *UPSERT_FIELDS)]


def _upsert_sql(connection) -> str:
    quote = connection.ops.quote_name
    table = quote(Booking._meta.db_table)
    columns = [quote(field.column) for field in _UPSERT_COLUMNS]
    keys = ", ".join(quote(Booking._meta.get_field(name).column) for name in KEY_FIELDS)
    changed, raw, known, gone = (
        quote(Booking._meta.get_field(name).column)
        for name in ("changed_at", "raw", "known_as_of", "gone_at")
    )
    updates = ", ".join(
        f"{column} = EXCLUDED.{column}"
        for column in columns[len(KEY_FIELDS) :]
        if column != changed
    )
    # Only the model's own quoted names go into the text; every value is a parameter.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608  # quoted model names; values are params
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}, "
        f"{changed} = CASE WHEN {table}.{raw} = EXCLUDED.{raw} "
        f"THEN {table}.{changed} ELSE EXCLUDED.{changed} END "
        f"WHERE {table}.{gone} IS NULL "
        f"AND ({table}.{known} IS NULL OR {table}.{known} < EXCLUDED.{known})"
    )


def _horizon(account: Account, service: str, direction: str, now: datetime) -> datetime | None:
    """Created date of the oldest booking in this list that can still change, or None when
    the list has never been read (then every page is read)."""
    seen = Booking.objects.filter(account=account, service=service, direction=direction).aggregate(
        rows=Count("pk"), oldest=Min("created_at", filter=changeable(now))
    )
    if not seen["rows"]:
        return None
    # Nothing can change: only the newest page can hold anything new.
    return seen["oldest"] or now


def sync_list(
    *,
    account: Account,
    caller: TokenCaller,
    service: str,
    direction: str,
    full: bool = False,
    member_id: int | None = None,
) -> ListResult:
    result = ListResult()
    horizon = None if full else _horizon(account, service, direction, timezone.now())

    def read(number: int) -> tuple[gateway.BookingPage, datetime]:
        asked_at = timezone.now()
        page = caller.call(
            lambda client: client.list_bookings(
                service=service,
                direction=direction,
                page=number,
                per_page=settings.ADULTWORK_PAGE_SIZE,
                order_by=NEWEST_FIRST[service],
                member_id=member_id,
            )
        )
        return page, asked_at

    def past_horizon(page: gateway.BookingPage) -> bool:
        oldest = min((b.created_at for b in page.bookings if b.created_at), default=None)
        return horizon is not None and oldest is not None and oldest <= horizon

    pages = _read_ahead(read, last=past_horizon)
    try:
        for page, asked_at in pages:
            with transaction.atomic():
                result.bookings_seen += upsert_bookings(
                    account=account, records=page.bookings, known_as_of=asked_at
                )
            result.pages_read += 1
    except _PageFailed as failure:
        raise SyncFailed(
            account=account,
            reason=failure.error.message,
            where=f"{list_label(service, direction)}, page {failure.number}",
            error=failure.error,
        ) from failure.error
    finally:
        pages.close()
    return result


class _PageFailed(Exception):
    def __init__(self, number: int, error: gateway.AdultWorkError) -> None:
        self.number = number
        self.error = error


type _Answer = tuple[gateway.BookingPage, datetime]


def _read_ahead(
    read: Callable[[int], _Answer], *, last: Callable[[gateway.BookingPage], bool]
) -> Generator[_Answer]:
    """The pages of a list in order, down to the last one or the first that `last` accepts,
    each one read while the caller stores the one before, so that a sync takes about as long
    as the slower of reading and storing, not both.

    One reader thread owns the client (a requests.Session is not to be shared). The reader may
    refresh the token, which touches the database: its connection is closed before the thread
    ends.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read") as reader:
        try:
            number = 1
            pending = reader.submit(read, number)
            while pending is not None:
                try:
                    answer = pending.result()
                except gateway.AdultWorkError as error:
                    raise _PageFailed(number, error) from error
                page = answer[0]
                more = number < page.page_count and bool(page.bookings) and not last(page)
                pending = reader.submit(read, number + 1) if more else None
                yield answer
                number += 1
        finally:
            reader.submit(connections.close_all)


def sync_account(*, account: Account, full: bool = False) -> SyncRun | None:
    """Read the lists of one account; None when another sync of it is running (this one then
    does nothing). Raises SyncFailed after recording the failure and when to try again; the
    pages already stored stay stored."""
    with _account_lock(account) as locked:
        if not locked:
            return None
        run = SyncRun.objects.create(account=account, full=full)
        try:
            _sync(run, account=account, full=full)
        except SyncFailed as failure:
            _finish(run, error=str(failure), failure=failure.error)
            raise
        except BaseException:
            _finish(run, error="The sync stopped unexpectedly; see the server log.")
            raise
        _finish(run)
        return run


def _sync(run: SyncRun, *, account: Account, full: bool) -> None:
    # A group member without a connection of its own is read through its group manager's,
    # and AdultWork's /v1/Groups twins offer its made lists only.
    manager = account.managed_through
    lists = LISTS if manager is None else MEMBER_LISTS
    member_id = None if manager is None else account.remote_user_id
    try:
        with TokenCaller(manager or account) as caller:
            # The token is read here, in this thread: the page reader's thread then touches
            # the database only if AdultWork refuses the token halfway.
            caller.prepare()
            for service, direction in lists:
                listed = sync_list(
                    account=account,
                    caller=caller,
                    service=service,
                    direction=direction,
                    full=full,
                    member_id=member_id,
                )
                run.pages_read += listed.pages_read
                run.bookings_seen += listed.bookings_seen
            run.details_read = _read_unseen(
                account, caller, lists, since=run.started_at, member_id=member_id, every=full
            )
    except gateway.AdultWorkError as error:
        raise SyncFailed(account=account, reason=error.message, error=error) from error


def _unseen(account: Account, lists: tuple[tuple[str, str], ...], since: datetime) -> Q:
    """Rows of these lists that this sync did not see, and that nothing told us of since."""
    in_lists = Q()
    for service, direction in lists:
        in_lists |= Q(service=service, direction=direction)
    return (
        in_lists
        & Q(account=account, last_seen_at__lt=since)
        & (Q(known_as_of__isnull=True) | Q(known_as_of__lt=since))
    )


def _read_unseen(
    account: Account,
    caller: TokenCaller,
    lists: tuple[tuple[str, str], ...],
    *,
    since: datetime,
    member_id: int | None,
    every: bool,
) -> int:
    """Read by its details call each booking that the pages did not show (taken by someone
    else, deleted, or moved) and mark the ones AdultWork no longer has as gone; returns how
    many calls that took.

    A normal sync asks only about the bookings that can still change. After a full sync every
    booking should have been on a page, so every one that was not is asked about: a booking
    deleted while the pages were read shifts the rest up one, and one of them can then go
    unseen although AdultWork still has it.
    """
    unseen = Booking.objects.filter(_unseen(account, lists, since))
    if not every:
        unseen = unseen.filter(changeable(since))
    unseen = list(unseen.only("pk", "service", "direction", "remote_id"))
    for booking in unseen:
        asked_at = timezone.now()
        try:
            record = caller.call(
                lambda client, b=booking: client.booking_details(
                    service=b.service,
                    direction=b.direction,
                    booking_id=b.remote_id,
                    member_id=member_id,
                )
            )
        except gateway.NotFound:
            booking.mark_gone(at=asked_at)
            continue
        with transaction.atomic():
            upsert_bookings(account=account, records=[record], known_as_of=asked_at)
    return len(unseen)


@contextmanager
def _account_lock(account: Account) -> Generator[bool]:
    """True while this process holds the account's sync; False when another sync has it.

    A claim on the account's sync state rather than a database lock held for the whole sync:
    SQLite would block every other writer meanwhile. A claim older than the lease belongs to
    a worker that died, and is taken over.
    """
    now = timezone.now()
    SyncState.objects.get_or_create(account=account)
    lease = now - timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    free = Q(running_since__isnull=True) | Q(running_since__lt=lease)
    locked = SyncState.objects.filter(free, account=account).update(running_since=now) == 1
    try:
        yield locked
    finally:
        if locked:
            SyncState.objects.filter(account=account, running_since=now).update(running_since=None)


def _finish(
    run: SyncRun, *, error: str = "", failure: gateway.AdultWorkError | None = None
) -> None:
    run.finished_at = timezone.now()
    run.ok = not error
    run.error = error
    run.save(
        update_fields=["finished_at", "ok", "error", "pages_read", "bookings_seen", "details_read"]
    )
    state = SyncState.objects.get(account_id=run.account_id)
    if error:
        state.failures += 1
        state.last_error = error
        state.last_error_at = run.finished_at
        state.next_sync_at = run.finished_at + retry_delay(failure, failures=state.failures)
        logger.warning("sync of account %s failed: %s", run.account_id, error)
    else:
        state.failures = 0
        state.last_error = ""
        state.last_ok_at = run.finished_at
        if run.full:
            state.last_full_at = run.started_at
        state.next_sync_at = run.finished_at + sync_interval(run.account_id, now=run.finished_at)
    state.save(
        update_fields=[
            "failures",
            "last_error",
            "last_error_at",
            "last_ok_at",
            "last_full_at",
            "next_sync_at",
        ]
    )


def sync_interval(account_id: int, *, now: datetime) -> timedelta:
    """Short while the account has a request awaiting an answer, long otherwise."""
    waiting = Booking.objects.filter(awaiting_answer(now), account_id=account_id).exists()
    seconds = (
        settings.SYNC_INTERVAL_SHORT_SECONDS if waiting else settings.SYNC_INTERVAL_LONG_SECONDS
    )
    return timedelta(seconds=seconds)


def retry_delay(error: gateway.AdultWorkError | None, *, failures: int) -> timedelta:
    """AdultWork's own Retry-After after a 429; otherwise an exponential back-off, capped."""
    if isinstance(error, gateway.RateLimited) and error.retry_after:
        return timedelta(seconds=error.retry_after)
    base = settings.SYNC_INTERVAL_SHORT_SECONDS
    cap = settings.SYNC_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** min(failures - 1, 20)))


def full_sync_due(state: SyncState | None, *, now: datetime) -> bool:
    if state is None or state.last_full_at is None:
        return True
    return state.last_full_at <= now - timedelta(seconds=settings.SYNC_FULL_INTERVAL_SECONDS)
