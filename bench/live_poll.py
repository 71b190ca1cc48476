"""An open page's unchanged poll: the status, SQL queries, bytes on the wire and median server
time of a conditional GET that finds nothing new, at 1,000 and 100,000 cached bookings, beside
the full page it saves."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.database import analyze
from bench.pages import BookingMaker
from bench.report import Figure, progress
from dashboard.models import Account

SIZES = (1_000, 100_000)
RUNS = 25
MAX_QUERIES = 2
MAX_BYTES = 1024
INBOX = "/bookings/"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "live"}


def run() -> list[Figure]:
    users = get_user_model().objects
    poller = users.create_user("poller")
    other = users.create_user("other-poller")
    mine = Account.objects.create(owner=poller, remote_user_id=880_001, nickname="PollMine")
    theirs = Account.objects.create(owner=other, remote_user_id=880_002, nickname="PollTheirs")
    maker = BookingMaker(mine=mine, theirs=theirs, now=timezone.now())
    client = Client()
    client.force_login(poller)
    figures: list[Figure] = []
    medians = {}
    for size in SIZES:
        progress(f"  live poll at {size:,} bookings ...")
        maker.grow_to(size)
        analyze()
        etag = client.get(INBOX, **POLL)["ETag"]
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # Counted as they are sent: the request's own reset of the query log cannot hide any.
        with connection.execute_wrapper(count):
            answer = client.get(INBOX, HTTP_IF_NONE_MATCH=etag, **POLL)
        wire = len(answer.content) + sum(len(k) + len(v) + 4 for k, v in answer.items()) + 17
        medians[size] = _median(lambda tag=etag: client.get(INBOX, HTTP_IF_NONE_MATCH=tag, **POLL))
        page = _median(lambda: client.get(INBOX))
        figures += [
            Figure(
                f"unchanged poll at {size:,}: status",
                str(answer.status_code),
                "",
                "304",
                answer.status_code == 304,
            ),
            Figure(
                f"unchanged poll at {size:,}: SQL queries",
                str(len(queries)),
                "",
                f"<= {MAX_QUERIES}",
                len(queries) <= MAX_QUERIES,
            ),
            Figure(
                f"unchanged poll at {size:,}: response",
                str(wire),
                "bytes",
                f"< {MAX_BYTES}",
                wire < MAX_BYTES,
                note=""
                if size != SIZES[0]
                else "Status line and headers counted with the body, as they go on the wire.",
            ),
            Figure(f"unchanged poll at {size:,}: median", f"{medians[size]:.2f}", "ms"),
            Figure(f"the full inbox at {size:,}: median", f"{page:.2f}", "ms"),
        ]
    growth = medians[SIZES[-1]] / medians[SIZES[0]]
    # For comparison only: a few milliseconds apart, the ratio is mostly the machine's noise.
    figures.append(Figure("unchanged poll: 100,000 over 1,000", f"{growth:.2f}", "x"))
    return figures


def _median(request) -> float:
    for _ in range(3):
        request()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
