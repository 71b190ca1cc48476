"""The four lists and the inbox at 10, 1,000 and 100,000 cached bookings, beside the admin's
change list of the same table: SQL queries per request and the median server time."""

import gc
import random
import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.database import analyze, insert_rows
from bench.report import Figure, progress
from bookings.models import Booking, Direction, Service, Status
from bookings.selectors import PAGE_SIZE
from bookings.sync import LISTS
from dashboard.models import Account

SIZES = (10, 1_000, 100_000)
WARMUPS = 3
RUNS = 25
BATCH = 2_000

PAGES = {
    "inbox": "/bookings/",
    "webcam received": "/bookings/webcam/received/",
    "webcam made": "/bookings/webcam/made/",
    "phonechat received": "/bookings/phonechat/received/",
    "phonechat made": "/bookings/phonechat/made/",
}
ADMIN = ("admin change list", "/admin/bookings/booking/")

MAX_QUERIES = 8
MAX_GROWTH = 1.25  # median at 100,000 rows over the median at 1,000
MAX_ADMIN_SHARE = 0.25  # median at 100,000 rows over the admin change list's

# Most bookings are history, every status among them. Pending ones that can still be
# answered (the inbox) are recent, so their number does not grow with the history: half the
# pending ones among the first 1,000 rows (about 35 of the user's received ones, more than
# a page), none after; every other pending one has lapsed.
STATUS_WEIGHTS = {
    Status.CONFIRMED: 40,
    Status.CANCELLED: 20,
    Status.REJECTED: 15,
    Status.ACCEPTED: 10,
    Status.PENDING: 15,
}
OPEN_SHARE_OF_PENDING = 0.5
OPEN_ONLY_AMONG_FIRST = 1_000
OTHER_ACCOUNT_EVERY = 10  # one row in ten belongs to another user's account


@dataclass(frozen=True)
class Measure:
    queries: int
    median_ms: float
    shown: int  # bookings on the page


class BookingMaker:
    """Deterministic, realistic rows, made in bulk and in place: `grow_to(n)` adds the rows
    that take the table from its current size to n."""

    def __init__(self, *, mine: Account, theirs: Account, now: datetime) -> None:
        self.mine = mine
        self.theirs = theirs
        self.now = now
        self.rng = random.Random(20261124)  # nosec B311  # reproducible fake data, no secret
        self.made = 0

    def grow_to(self, size: int) -> None:
        while self.made < size:
            batch = [self.booking() for _ in range(min(BATCH, size - self.made))]
            with transaction.atomic():
                insert_rows(Booking, batch)

    def booking(self) -> dict:
        """One row, as the model's attribute names and values."""
        rng, index = self.rng, self.made
        self.made += 1
        service, direction = LISTS[index % len(LISTS)]
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        still_open = index < OPEN_ONLY_AMONG_FIRST and rng.random() < OPEN_SHARE_OF_PENDING
        if status == Status.PENDING and still_open:
            created = self.now - timedelta(minutes=rng.uniform(1, 90))
            accept_by = self.now + timedelta(minutes=rng.uniform(10, 180))
        else:
            created = self.now - timedelta(days=rng.uniform(1, 3 * 365))
            accept_by = created + timedelta(hours=2)
        session = accept_by + timedelta(hours=rng.uniform(0.5, 48))
        credits = Decimal(rng.choice(["5", "8.5", "10", "12.25", "20", "35"]))
        party = 500_000 + rng.randrange(400)
        webcam = service == Service.WEBCAM
        remote_id = 10_000_000 + index
        theirs = index % OTHER_ACCOUNT_EVERY == OTHER_ACCOUNT_EVERY - 1
        return dict(
            account_id=(self.theirs if theirs else self.mine).pk,
            service=service,
            direction=direction,
            remote_id=remote_id,
            status=status,
            duration_minutes=rng.choice([10, 15, 30, 60]),
            credits=credits,
            created_at=created,
            session_at=session,
            accept_by=accept_by,
            accepted_at=created + timedelta(minutes=30) if status != Status.PENDING else None,
            cancelled_reason="Something came up" if status == Status.CANCELLED else "",
            cancelled_by="Client" if status == Status.CANCELLED else "",
            rejected_reason="Not available then" if status == Status.REJECTED else "",
            is_multiple=rng.random() < 0.1 if webcam else None,
            software_type=rng.choice([1, 2, 3]) if webcam else None,
            also_phonechat=rng.random() < 0.2 if webcam else None,
            method=None if webcam else rng.choice([1, 2, 3]),
            phone_number="" if webcam else f"4477009{party:05d}",
            party_user_id=party,
            party_nickname=f"Member{party}",
            party_last_accessed_from="UK",
            feedback_total=rng.randrange(60),
            feedback_positive=rng.randrange(50),
            feedback_neutral=rng.randrange(5),
            feedback_negative=rng.randrange(3),
            feedback_ratings=rng.randrange(55),
            last_seen_at=self.now,
            raw={
                "WebcamBookingID" if webcam else "BookingID": remote_id,
                "Status": str(status),
                "Credits": str(credits),
                "CreateDate": created.isoformat(),
                "SessionDate": session.isoformat(),
                "AcceptBy": accept_by.isoformat(),
                "Client" if direction == Direction.RECEIVED else "Performer": {
                    "UserID": party,
                    "Nickname": f"Member{party}",
                    "LastAccessedFrom": "UK",
                },
            },
        )


def measure(pages: dict[str, tuple[Client, str]]) -> dict[str, Measure]:
    """For each page, the queries of one request after the warm-ups; then the median of RUNS
    requests, taken in turns across the pages, so that a burst of other work on the machine
    hits them all alike instead of one page's whole series."""
    counts, shown = {}, {}
    for name, (client, url) in pages.items():
        for _ in range(WARMUPS):
            _get(client, url)
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, url)
        counts[name] = len(queries)  # now: the next request clears the connection's log
        shown[name] = len(set(re.findall(rb'id="booking-(\d+)"', response.content)))
    gc.collect()
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(RUNS):
        for name, (client, url) in pages.items():
            start = time.perf_counter()
            _get(client, url)
            times[name].append(time.perf_counter() - start)
    return {
        name: Measure(counts[name], statistics.median(times[name]) * 1000, shown[name])
        for name in pages
    }


def _get(client: Client, url: str) -> HttpResponse:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def people() -> tuple[Client, Client, Account, Account]:
    """A performer signed in with one account, another user's account, and a superuser."""
    users = get_user_model().objects
    performer = users.create_user("bench-performer")
    someone_else = users.create_user("bench-someone-else")
    admin = users.create_superuser("bench-admin")
    mine = Account.objects.create(owner=performer, remote_user_id=700_001, nickname="BenchRose")
    theirs = Account.objects.create(owner=someone_else, remote_user_id=700_002, nickname="Other")
    user_client, admin_client = Client(), Client()
    user_client.force_login(performer)
    admin_client.force_login(admin)
    return user_client, admin_client, mine, theirs


def run() -> list[Figure]:
    user_client, admin_client, mine, theirs = people()
    maker = BookingMaker(mine=mine, theirs=theirs, now=timezone.now())
    pages = {name: (user_client, url) for name, url in PAGES.items()}
    pages[ADMIN[0]] = (admin_client, ADMIN[1])
    results: dict[str, dict[int, Measure]] = {name: {} for name in pages}
    for size in SIZES:
        started = time.perf_counter()
        maker.grow_to(size)
        analyze()
        progress(f"{size:,} bookings in the table ({time.perf_counter() - started:.1f} s)")
        for name, measured in measure(pages).items():
            results[name][size] = measured
            if name in PAGES and size >= 1_000 and measured.shown < PAGE_SIZE:
                # The rows are made to fill a page; timing a shorter one would flatter it.
                raise RuntimeError(f"{name} shows {measured.shown} bookings at {size:,} rows")
        progress(f"  measured at {size:,} ({time.perf_counter() - started:.1f} s)")
    return list(figures(results))


def figures(results: dict[str, dict[int, Measure]]) -> Iterator[Figure]:
    small, mid, large = SIZES
    admin = results[ADMIN[0]]
    sizes = " / ".join(_size(size) for size in SIZES)
    for name in PAGES:
        page = results[name]
        queries = [page[size].queries for size in SIZES]
        yield Figure(
            f"{name}: queries at {sizes}",
            " / ".join(map(str, queries)),
            "queries",
            f"same at {_size(small)} and {_size(large)}, <= {MAX_QUERIES}",
            page[small].queries == page[large].queries <= MAX_QUERIES,
        )
        yield Figure(
            f"{name}: median at {sizes}",
            " / ".join(f"{page[size].median_ms:.1f}" for size in SIZES),
            "ms",
        )
        growth = page[large].median_ms / page[mid].median_ms
        yield Figure(
            f"{name}: median {_size(large)} / {_size(mid)}",
            f"{growth:.2f}",
            "x",
            f"<= {MAX_GROWTH}",
            growth <= MAX_GROWTH,
        )
        share = page[large].median_ms / admin[large].median_ms
        yield Figure(
            f"{name}: median {_size(large)} / admin's",
            f"{share:.3f}",
            "x",
            f"<= {MAX_ADMIN_SHARE}",
            share <= MAX_ADMIN_SHARE,
        )
    yield Figure(
        f"{ADMIN[0]}: queries at {sizes}",
        " / ".join(str(admin[size].queries) for size in SIZES),
        "queries",
    )
    yield Figure(
        f"{ADMIN[0]}: median at {sizes}",
        " / ".join(f"{admin[size].median_ms:.1f}" for size in SIZES),
        "ms",
    )


def _size(rows: int) -> str:
    return f"{rows // 1000:,}k" if rows >= 1000 else str(rows)
