"""Scale: many accounts with a handful of bookings each, every API call 100 ms slower (the
sandbox's latency fault), synced by 1, 2 and 4 `manage.py db_worker` processes after
`enqueue_due()`; from the cycle times, the workers that 10,000 accounts need to be synced
within the short interval.

Every account has its first (full) sync before the latency is added; each timed cycle is then
a normal sync of the accounts made due, from the start of `enqueue_due()` to the moment the
last task finished (the task rows' own times). To keep the run to a few minutes, only the
cycle with the most workers syncs every account; one with fewer syncs as many as its workers
could in about PARTIAL_CYCLE_SECONDS at the latency's floor, and its time for every account is
worked out from its rate. BENCH_SCALE_WHOLE=1 makes every cycle sync every account.
"""

import math
import os
import signal
import subprocess  # nosec B404  # starts our own workers, see the call
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.database import empty_bookings
from bench.remote import add_latency, add_performer, api_calls, connect
from bench.report import Figure, progress
from bookings.models import SyncState
from bookings.schedule import enqueue_due
from bookings.sync import LISTS, sync_account
from bookings.tasks import sync_account_task
from dashboard.models import Account

ACCOUNTS = 500
BOOKINGS_PER_LIST = 2  # a handful: 8 an account
LATENCY = 0.1  # seconds added to every API call
WORKER_COUNTS = (1, 2, 4)
TARGET_ACCOUNTS = 10_000
CALLS_PER_ACCOUNT = len(LISTS)  # one page a list, nothing unseen to re-read
PARTIAL_CYCLE_SECONDS = 30
POLL = 0.05  # the workers' --interval when the queue is empty, and ours
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BASE_DIR = Path(settings.BASE_DIR)


def latency_floor() -> float:
    """The least a sync can take for AdultWork's latency: its calls, SYNC_READERS at a time."""
    at_once = max(1, min(settings.SYNC_READERS, CALLS_PER_ACCOUNT))
    return math.ceil(CALLS_PER_ACCOUNT / at_once) * LATENCY


@dataclass(frozen=True)
class Cycle:
    workers: int
    accounts: int
    seconds: float  # from the start of enqueue_due() to the last task's end
    enqueue_seconds: float
    api_calls: int
    cpu_seconds: float | None  # the workers' own CPU time during the cycle (Linux only)

    @property
    def rate(self) -> float:
        return self.accounts / self.seconds


def run(control) -> list[Figure]:
    started = time.perf_counter()
    accounts = connected_accounts(control)
    progress(
        f"  {len(accounts)} accounts connected and synced ({time.perf_counter() - started:.0f} s)"
    )
    add_latency(control, LATENCY)
    whole = os.environ.get("BENCH_SCALE_WHOLE") == "1"
    cycles = []
    with tempfile.TemporaryDirectory(prefix="aw-bench-workers-") as logs:
        for count in WORKER_COUNTS:
            size = len(accounts)
            if count < max(WORKER_COUNTS) and not whole:
                floor = latency_floor()
                size = min(size, round(count * PARTIAL_CYCLE_SECONDS / floor))
            cycles.append(timed_cycle(control, accounts[:size], count, Path(logs)))
    control.clear_faults()
    empty_bookings()
    return list(figures(cycles))


def connected_accounts(control) -> list[int]:
    """ACCOUNTS new sandbox performers, each with a handful of bookings, connected in the
    dashboard and synced once (fully, as a first sync is)."""
    control.reset(seed="empty")
    owner_model = get_user_model()
    ids = []
    for number in range(ACCOUNTS):
        remote = add_performer(control, f"ScalePerformer{number:04d}")
        for service, direction in LISTS:
            control.generate(
                user_id=remote["UserID"],
                service=service,
                direction=direction,
                count=BOOKINGS_PER_LIST,
            )
        owner = owner_model.objects.create_user(f"bench-scale-{number:04d}")
        ids.append(connect(control, remote, owner=owner).pk)
    for account in Account.objects.filter(pk__in=ids):
        sync_account(account=account, full=True)
    return ids


def timed_cycle(control, account_ids: list[int], count: int, logs: Path) -> Cycle:
    """Make exactly these accounts due, start `count` workers, enqueue, wait for the last."""
    make_due(account_ids)
    control.clear_requests()
    with workers(count, logs) as cpu_seconds:
        before = cpu_seconds()
        with override_settings(TASKS=DB_TASKS):
            started_at = timezone.now()
            began = time.perf_counter()
            enqueued = enqueue_due()
            enqueue_seconds = time.perf_counter() - began
        if sorted(enqueued) != sorted(account_ids):
            raise RuntimeError(f"enqueued {len(enqueued)} accounts, expected {len(account_ids)}")
        tasks = DBTaskResult.objects.filter(
            enqueued_at__gte=started_at, task_path=sync_account_task.module_path
        )
        wait_for(tasks, len(account_ids), timeout=60 + len(account_ids) * 2 / count)
        used = cpu_seconds()
    finished_at = tasks.aggregate(last=Max("finished_at"))["last"]
    check(tasks)
    cycle = Cycle(
        workers=count,
        accounts=len(account_ids),
        seconds=(finished_at - started_at).total_seconds(),
        enqueue_seconds=enqueue_seconds,
        api_calls=len(api_calls(control)),
        cpu_seconds=None if before is None or used is None else used - before,
    )
    progress(
        f"  {count} worker(s): {cycle.accounts} accounts in {cycle.seconds:.1f} s "
        f"({cycle.rate:.1f}/s; enqueue {cycle.enqueue_seconds:.1f} s; {cycle.api_calls} calls)"
    )
    return cycle


def make_due(account_ids: list[int]) -> None:
    """These accounts due now, every other connected account not for a day."""
    now = timezone.now()
    for account_id in Account.objects.values_list("pk", flat=True):
        SyncState.objects.get_or_create(account_id=account_id)
    SyncState.objects.update(next_sync_at=now + timedelta(days=1), queued_at=None)
    SyncState.objects.filter(account_id__in=account_ids).update(
        next_sync_at=now - timedelta(seconds=1)
    )


def wait_for(tasks, expected: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while tasks.filter(finished_at__isnull=False).count() < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not finish {expected} syncs in {timeout:.0f} s")
        time.sleep(POLL * 4)


def check(tasks) -> None:
    """Every task ended well, with a normal sync."""
    results = list(tasks.values_list("status", "return_value"))
    bad = [
        (status, value)
        for status, value in results
        if status != "SUCCESSFUL" or not value or not value.get("ok") or value.get("full")
    ]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(results)} syncs did not end well: {bad[:3]}")


@contextmanager
def workers(count: int, logs: Path) -> Iterator:
    """`count` db_worker processes on the bench's database and sandbox, ready to take tasks;
    stopped (and killed if need be) on the way out, whatever happens. Yields a function that
    answers their CPU seconds so far (None where /proc is missing)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.worker_settings",
        "BENCH_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "BENCH_SANDBOX_URL": settings.ADULTWORK_API_URL,
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", str(POLL)]
    processes: list[subprocess.Popen] = []
    files = []
    try:
        for number in range(count):
            log = logs / f"worker-{count}-{number}.log"
            files.append(log)
            with log.open("w") as output:
                processes.append(
                    subprocess.Popen(  # nosec B603  # fixed argv, no shell, no user input
                        [*command, "--worker-id", f"bench-{count}-{number}"],
                        cwd=BASE_DIR,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
        wait_until_started(processes, files)
        yield lambda: cpu_seconds(processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        failed = [
            (p, f)
            for p, f in zip(processes, files, strict=True)
            if p.returncode not in (0, -signal.SIGTERM)
        ]
        for process, log in failed:
            progress(f"  worker {process.args[-1]} ended with {process.returncode}:\n{tail(log)}")


def wait_until_started(processes: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + 60
    waiting = dict(zip(processes, logs, strict=True))
    while waiting:
        for process, log in list(waiting.items()):
            if "Starting worker" in log.read_text():
                del waiting[process]
            elif process.poll() is not None:
                raise RuntimeError(f"a worker stopped at start:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start within 60 s")
        time.sleep(POLL)


def tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text().splitlines()[-lines:])


def cpu_seconds(processes: list[subprocess.Popen]) -> float | None:
    """User and system CPU time of the processes so far, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def figures(cycles: list[Cycle]) -> Iterator[Figure]:
    one = cycles[0]
    floor = latency_floor()
    for cycle in cycles:
        whole = ACCOUNTS / cycle.rate
        measured = "" if cycle.accounts == ACCOUNTS else f", measured on {cycle.accounts:,}"
        yield Figure(
            f"{cycle.workers} worker(s): one cycle of {ACCOUNTS:,} accounts{measured}",
            f"{whole:.1f}",
            "s",
        )
        yield Figure(
            f"{cycle.workers} worker(s): per account per worker",
            f"{cycle.workers / cycle.rate * 1000:.0f}",
            "ms",
            f"floor {floor * 1000:.0f} (latency)",
        )
        if cycle is not one:
            yield Figure(
                f"{cycle.workers} worker(s): speed-up over 1",
                f"{cycle.rate / one.rate:.2f}",
                "x",
                f"ideal {cycle.workers}",
            )
        calls = CALLS_PER_ACCOUNT * cycle.accounts
        if cycle.api_calls != calls:
            yield Figure(
                f"{cycle.workers} worker(s): API calls in the cycle",
                f"{cycle.api_calls:,}",
                "calls",
                f"= {calls:,}",
                False,
            )
    best = cycles[-1]
    per_account = best.enqueue_seconds / best.accounts
    yield Figure(
        f"enqueue_due(): {best.accounts:,} accounts, with {best.workers} workers running",
        f"{best.enqueue_seconds:.2f}",
        "s",
        note=(
            f"{per_account * 1000:.1f} ms an account, so about "
            f"{per_account * TARGET_ACCOUNTS:.0f} s of the scheduler's time for "
            f"{TARGET_ACCOUNTS:,} due accounts (one claim and one task row each)."
        ),
    )
    needed_rate = TARGET_ACCOUNTS / settings.SYNC_INTERVAL_SHORT_SECONDS
    per_worker = best.rate / best.workers
    needed = math.ceil(needed_rate / per_worker)
    note = (
        f"{TARGET_ACCOUNTS:,} accounts in {settings.SYNC_INTERVAL_SHORT_SECONDS} s is "
        f"{needed_rate:.0f} syncs a second; at the {best.workers}-worker rate of "
        f"{per_worker:.2f} a second per worker, assuming it holds for more workers (each one "
        f"mostly waits for AdultWork: {CALLS_PER_ACCOUNT} calls of {LATENCY * 1000:.0f} ms, "
        f"{settings.SYNC_READERS} at a time)."
    )
    if best.cpu_seconds is not None:
        cpu_per_sync = best.cpu_seconds / best.accounts
        note += (
            f" The workers used {cpu_per_sync * 1000:.0f} ms of CPU a sync, so "
            f"{needed_rate * cpu_per_sync:.1f} CPUs for the workers alone "
            "(the database's and AdultWork's not counted)."
        )
    if connection.vendor == "sqlite":
        note += (
            " On SQLite every writer takes the one write lock (transactions are IMMEDIATE), so "
            "workers wait on each other: PostgreSQL is the realistic case."
        )
    yield Figure(
        f"workers for {TARGET_ACCOUNTS:,} accounts every {settings.SYNC_INTERVAL_SHORT_SECONDS} s",
        str(needed),
        "workers",
        note=note,
    )
