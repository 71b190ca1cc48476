"""Action overhead: the time an action takes through the dashboard (view, form, access check,
claim, rules, token, gateway, local update, audit, row partial) minus the sandbox's own time
for the remote call, which the sandbox writes into its request log."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from bench.remote import sandbox_process
from bench.report import Figure, progress
from bookings.management.commands.seed_demo import identity_of, sandbox_tokens
from bookings.models import Booking
from bookings.rules import allowed_actions
from bookings.sync import sync_account
from dashboard.adultwork import connect_account

RUNS = 30
WARMUPS = 3
MAX_OVERHEAD_MS = 15
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/bookings/"}


def run() -> list[Figure]:
    # The sandbox in a process of its own, as AdultWork is: in this one, its HTTP server's
    # work would compete with the dashboard's for one interpreter lock and count as ours.
    with sandbox_process() as control:
        return measure(control)


def measure(control) -> list[Figure]:
    control.reset(seed="empty")
    performer = next(u for u in control.users() if u.get("Role") == "performer")
    control.generate(
        user_id=performer["UserID"], service="webcam", direction="received", count=1_500
    )
    owner = get_user_model().objects.create_user("bench-actions-owner")
    account = connect_account(
        owner=owner, identity=identity_of(performer), tokens=sandbox_tokens(control, performer)
    )
    sync_account(account=account)
    now = timezone.now()
    rejectable = [
        b
        for b in Booking.objects.filter(account=account, direction="received")
        if "reject" in allowed_actions(b, now)
    ][: RUNS + WARMUPS]
    if len(rejectable) < RUNS + WARMUPS:
        raise RuntimeError(f"only {len(rejectable)} pending bookings to reject")
    client = Client()
    client.force_login(owner)
    totals, remotes = [], []
    for index, booking in enumerate(rejectable):
        control.clear_requests()
        started = time.perf_counter()
        response = client.post(
            f"/bookings/{booking.pk}/reject/", {"reason": "Fully booked"}, headers=HTMX
        )
        total = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or '"success"' not in response.headers["HX-Trigger"]:
            raise RuntimeError(f"the reject failed: {response.headers.get('HX-Trigger')}")
        [call] = [r for r in control.requests() if r["method"] == "POST"]
        if index >= WARMUPS:
            totals.append(total)
            remotes.append(call["duration_ms"])
    overheads = [t - r for t, r in zip(totals, remotes, strict=True)]
    overhead = statistics.median(overheads)
    progress(f"  reject through the dashboard: median {statistics.median(totals):.1f} ms")
    return [
        Figure(
            "action through the dashboard (reject), median",
            f"{statistics.median(totals):.1f}",
            "ms",
        ),
        Figure(
            "the sandbox's own time for the call, median", f"{statistics.median(remotes):.1f}", "ms"
        ),
        Figure(
            "action overhead, median",
            f"{overhead:.1f}",
            "ms",
            f"<= {MAX_OVERHEAD_MS}",
            overhead <= MAX_OVERHEAD_MS,
        ),
    ]
