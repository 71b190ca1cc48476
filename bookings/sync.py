"""Keep the local copy in step with AdultWork, one account at a time.

AdultWork offers neither a status filter nor a "changed since" filter, so a sync reads each
list newest first and stops once it has passed the oldest booking that could still change.
"""

import logging
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

import gateway
from bookings.models import OPEN_STATUSES, Booking, Direction, Service, SyncRun
from dashboard.adultwork import client_for
from dashboard.crypto import TokenDecryptionError
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

# Every field a sync may change; the unique key and the primary key are not among them.
# Every field a sync may change: not the keys, and not the claim of an action in flight,
# which a sync running meanwhile must leave alone.
KEY_FIELDS = ("account", "service", "remote_id")
UPSERT_FIELDS = [
    field.name
    for field in Booking._meta.concrete_fields
    if field.name not in {"id", "action_claimed_at", *KEY_FIELDS}
]


class SyncFailed(Exception):
    """Which account, which list and page, and the reason, in one readable sentence."""

    def __init__(self, *, account: Account, reason: str, where: str = "") -> None:
        self.account = account
        self.reason = reason
        self.where = where
        super().__init__(
            f"{account.nickname}: {where}: {reason}" if where else f"{account.nickname}: {reason}"
        )


def list_label(service: str, direction: str) -> str:
    return f"{Service(service).label} {Direction(direction).label.lower()} bookings"


@dataclass
class ListResult:
    pages_read: int = 0
    bookings_seen: int = 0


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
    *, account: Account, records: Iterable[gateway.Booking], seen_at: datetime
) -> int:
    """Insert or update the rows of these records with one prepared statement; returns how
    many.

    The same ON CONFLICT upsert that bulk_create(update_conflicts=True) writes, but sent with
    executemany: building bulk_create's one 100-row, 40-column statement cost more than the
    database spent running it, and the first sync of a busy account is thousands of rows.
    """
    connection = connections[router.db_for_write(Booking)]
    values = [
        {
            "account": account.pk,
            "service": record.service,
            "direction": record.direction,
            "remote_id": record.remote_id,
            **booking_fields(record),
            "last_seen_at": seen_at,
        }
        for record in records
    ]
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(
                _upsert_sql(connection),
                [
                    tuple(f.get_db_prep_save(row[f.name], connection) for f in _UPSERT_COLUMNS)
                    for row in values
                ],
            )
    return len(values)


_UPSERT_COLUMNS = [Booking._meta.get_field(name) for name in (*KEY_FIELDS, *UPSERT_FIELDS)]


def _upsert_sql(connection) -> str:
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in _UPSERT_COLUMNS]
    keys = ", ".join(quote(Booking._meta.get_field(name).column) for name in KEY_FIELDS)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[len(KEY_FIELDS) :])
    # Only the model's own quoted names go into the text; every value is a parameter.
    return (
        f"INSERT INTO {quote(Booking._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def _open_horizon(account: Account, service: str, direction: str) -> datetime | None:
    """Created date of the oldest booking in this list that may still change, or None
    when the list has never been read (then every page is read)."""
    seen = Booking.objects.filter(account=account, service=service, direction=direction).aggregate(
        rows=Count("pk"), oldest_open=Min("created_at", filter=Q(status__in=OPEN_STATUSES))
    )
    if not seen["rows"]:
        return None
    # No open booking: only the newest page can hold anything new.
    return seen["oldest_open"] or timezone.now()


def sync_list(
    *,
    account: Account,
    client: gateway.AdultWorkClient,
    service: str,
    direction: str,
    full: bool = False,
    member_id: int | None = None,
) -> ListResult:
    result = ListResult()
    horizon = None if full else _open_horizon(account, service, direction)

    def read(number: int) -> gateway.BookingPage:
        return client.list_bookings(
            service=service,
            direction=direction,
            page=number,
            per_page=settings.ADULTWORK_PAGE_SIZE,
            order_by=NEWEST_FIRST[service],
            member_id=member_id,
        )

    pages = _read_ahead(read)
    try:
        for page in pages:
            with transaction.atomic():
                result.bookings_seen += upsert_bookings(
                    account=account, records=page.bookings, seen_at=timezone.now()
                )
            result.pages_read += 1
            oldest = min((b.created_at for b in page.bookings if b.created_at), default=None)
            if horizon is not None and oldest is not None and oldest < horizon:
                return result
    except _PageFailed as failure:
        raise SyncFailed(
            account=account,
            reason=failure.error.message,
            where=f"{list_label(service, direction)}, page {failure.number}",
        ) from failure.error
    finally:
        pages.close()
    return result


class _PageFailed(Exception):
    def __init__(self, number: int, error: gateway.AdultWorkError) -> None:
        self.number = number
        self.error = error


def _read_ahead(
    read: Callable[[int], gateway.BookingPage],
) -> Generator[gateway.BookingPage]:
    """The pages of a list in order, each one read while the caller stores the one before,
    so that a sync takes about as long as the slower of reading and storing, not both.

    One reader thread owns the client (a requests.Session is not to be shared); at most one
    page is read that the caller may not need, when it stops early.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read") as reader:
        number = 1
        pending = reader.submit(read, number)
        while pending is not None:
            try:
                page = pending.result()
            except gateway.AdultWorkError as error:
                raise _PageFailed(number, error) from error
            more = number < page.page_count and bool(page.bookings)
            pending = reader.submit(read, number + 1) if more else None
            yield page
            number += 1


def sync_account(*, account: Account, full: bool = False) -> SyncRun:
    """Read the four lists of one account. Raises SyncFailed after recording the failure;
    the pages already stored stay stored."""
    run = SyncRun.objects.create(account=account)
    # A group member without a connection of its own is read through its group manager's,
    # and AdultWork's /v1/Groups twins offer its made lists only.
    manager = account.managed_through
    lists = LISTS if manager is None else MEMBER_LISTS
    member_id = None if manager is None else account.remote_user_id
    try:
        try:
            client = client_for(manager or account)
        except (gateway.AdultWorkError, TokenDecryptionError) as error:
            raise SyncFailed(account=account, reason=_reason(error)) from error
        with client:
            for service, direction in lists:
                listed = sync_list(
                    account=account,
                    client=client,
                    service=service,
                    direction=direction,
                    full=full,
                    member_id=member_id,
                )
                run.pages_read += listed.pages_read
                run.bookings_seen += listed.bookings_seen
    except SyncFailed as failure:
        _finish(run, error=str(failure))
        raise
    except BaseException:
        _finish(run, error="The sync stopped unexpectedly; see the server log.")
        raise
    _finish(run)
    return run


def _reason(error: Exception) -> str:
    return getattr(error, "message", None) or str(error)


def _finish(run: SyncRun, *, error: str = "") -> None:
    run.finished_at = timezone.now()
    run.ok = not error
    run.error = error
    run.save(update_fields=["finished_at", "ok", "error", "pages_read", "bookings_seen"])
    if error:
        logger.warning("sync of account %s failed: %s", run.account_id, error)
