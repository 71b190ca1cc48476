"""When each account is synced (bookings/schedule.py) and what the sync task records
(bookings/tasks.py): at most one sync of an account queued or running, the short interval while
a request awaits an answer, AdultWork's Retry-After, a capped back-off, and the full sync."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connections
from django.tasks import task_backends
from django.tasks.signals import task_enqueued
from django.utils import timezone

from bookings import tasks
from bookings.models import Direction, Status, SyncRun, SyncState
from bookings.schedule import due_account_ids, enqueue_due, release, request_sync
from bookings.sync import SyncFailed, full_sync_due, sync_account, sync_interval
from bookings.tasks import enqueue_due_syncs, sync_account_task
from dashboard.models import Account
from tests.conftest import connect
from tests.factories import AccountFactory, BookingFactory, ConnectionFactory, UserFactory

LIST_PATH = "/v1/Webcam/ReceivedBookings"


@pytest.fixture
def queue(settings):
    """A task backend that keeps what is enqueued, as a worker that has not started yet."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


def queued(queue) -> Counter:
    """How many syncs of each account wait in the queue."""
    return Counter(
        result.args[0] for result in queue.results if result.task.func is sync_account_task.func
    )


def connected(**fields) -> Account:
    """An account with tokens no server knows: these tests never call AdultWork."""
    return ConnectionFactory(account=AccountFactory(**fields)).account


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    return connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])


@pytest.fixture
def other(sandbox, sandbox_users):
    user = UserFactory(username="other-owner")
    return connect(sandbox, user=user, sandbox_user=sandbox_users["JadeMoon"])


def state(account) -> SyncState:
    return SyncState.objects.get(account=account)


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()


# --- at most one sync of an account queued ----------------------------------------------------


def test_asking_twice_for_a_sync_of_one_account_enqueues_it_once(db, queue):
    account = connected()
    assert request_sync(account.pk) is True
    assert request_sync(account.pk) is False
    assert request_sync(account.pk, full=True) is False
    assert queued(queue) == {account.pk: 1}


def test_once_the_queued_sync_ended_the_next_one_can_be_enqueued(db, queue):
    account = connected()
    request_sync(account.pk)
    release(account.pk)
    assert request_sync(account.pk) is True
    assert queued(queue) == {account.pk: 2}


def test_several_schedulers_over_several_ticks_never_queue_two_syncs_of_one_account(
    db, queue, settings
):
    accounts = [connected() for _ in range(3)]
    start = timezone.now()
    for tick in range(5):
        now = start + timedelta(seconds=tick * settings.SYNC_TICK_SECONDS)
        for _scheduler in range(3):
            enqueue_due(now)
    assert queued(queue) == {account.pk: 1 for account in accounts}


def test_two_schedulers_that_both_found_an_account_due_enqueue_it_once(db, queue):
    account = connected()
    first, second = due_account_ids(), due_account_ids()
    assert account.pk in first
    assert account.pk in second
    enqueued = [pk for pk in first + second if request_sync(pk)]
    assert enqueued == [account.pk]
    assert queued(queue) == {account.pk: 1}


@pytest.mark.django_db(transaction=True)
def test_schedulers_ticking_in_threads_at_once_queue_one_sync_per_account(queue):
    accounts = [connected() for _ in range(3)]
    enqueued, errors = [], []
    lock = threading.Lock()

    def count(sender, task_result, **kwargs):
        with lock:
            enqueued.append(task_result.args[0])

    start = threading.Barrier(4)

    def scheduler():
        try:
            start.wait()
            for _tick in range(5):
                enqueue_due()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    task_enqueued.connect(count)
    try:
        threads = [threading.Thread(target=scheduler) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        task_enqueued.disconnect(count)
    assert errors == []
    assert Counter(enqueued) == {account.pk: 1 for account in accounts}


# --- the scheduler's tick ----------------------------------------------------------------------


def test_the_scheduler_enqueues_the_tick_every_sync_tick_seconds(queue, settings):
    from apscheduler.triggers.interval import IntervalTrigger
    from crontask import scheduler

    [job] = [job for job in scheduler.get_jobs() if job.name == "enqueue_due_syncs"]
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=settings.SYNC_TICK_SECONDS)

    job.func()  # what the scheduler does when the interval has passed

    [tick] = queue.results
    assert tick.task.func is enqueue_due_syncs.func


def test_a_tick_enqueues_one_sync_per_due_account_and_none_for_the_others(db, queue):
    due, later = connected(), connected()
    SyncState.objects.create(account=later, next_sync_at=timezone.now() + timedelta(minutes=5))
    connected(reconnect_needed=True)

    assert enqueue_due_syncs.call() == {"enqueued": [due.pk]}
    assert enqueue_due_syncs.call() == {"enqueued": []}
    assert queued(queue) == {due.pk: 1}
    [sync] = [r for r in queue.results if r.task.func is sync_account_task.func]
    assert sync.args == [due.pk, False]  # the task decides itself whether it is a full one


def test_an_account_whose_sync_is_running_is_neither_due_nor_enqueued_again(db, queue, monkeypatch):
    account = connected()
    request_sync(account.pk)
    seen_while_running = {}

    def running(*, account, full):
        seen_while_running["due"] = due_account_ids()
        seen_while_running["requested"] = request_sync(account.pk)
        seen_while_running["ticked"] = enqueue_due()
        return None

    monkeypatch.setattr(tasks, "sync_account", running)
    sync_account_task.call(account.pk)

    assert seen_while_running == {"due": [], "requested": False, "ticked": []}
    assert queued(queue) == {account.pk: 1}
    assert state(account).queued_at is None  # released when the task ended


# --- which accounts are due -------------------------------------------------------------------


def test_a_connected_account_never_synced_is_due(db):
    account = connected()
    assert due_account_ids() == [account.pk]


def test_an_account_whose_next_sync_is_in_the_future_is_not_due_until_then(db):
    account = connected()
    now = timezone.now()
    SyncState.objects.create(account=account, next_sync_at=now + timedelta(minutes=5))
    assert due_account_ids(now) == []
    assert due_account_ids(now + timedelta(minutes=5)) == [account.pk]


def test_an_account_with_a_sync_queued_is_not_due(db, queue):
    account = connected()
    SyncState.objects.create(account=account, next_sync_at=timezone.now() - timedelta(hours=1))
    request_sync(account.pk)
    assert due_account_ids() == []
    assert enqueue_due() == []


def test_a_queued_claim_older_than_the_lease_is_taken_over(db, queue, settings):
    account = connected()
    lost = timezone.now() - timedelta(seconds=settings.SYNC_LEASE_SECONDS + 1)
    SyncState.objects.create(account=account, queued_at=lost)

    assert due_account_ids() == [account.pk]
    assert enqueue_due() == [account.pk]

    assert queued(queue) == {account.pk: 1}
    assert state(account).queued_at > lost


def test_a_queued_claim_younger_than_the_lease_is_respected(db, queue, settings):
    account = connected()
    recent = timezone.now() - timedelta(seconds=settings.SYNC_LEASE_SECONDS - 60)
    SyncState.objects.create(account=account, queued_at=recent)
    assert due_account_ids() == []
    assert request_sync(account.pk) is False
    assert queued(queue) == {}


def test_an_account_needing_reconnect_is_not_due(db):
    connected(reconnect_needed=True)
    assert due_account_ids() == []


def test_an_account_without_a_connection_is_not_due(db):
    AccountFactory()
    assert due_account_ids() == []


def test_a_group_member_read_through_its_manager_is_due(db):
    manager = connected(is_group_manager=True)
    member = AccountFactory(managed_through=manager)
    assert sorted(due_account_ids()) == sorted([manager.pk, member.pk])


# --- the interval after a good sync -----------------------------------------------------------


def test_an_account_with_a_request_awaiting_an_answer_is_synced_again_soon(performer, settings):
    run = sync_account(account=performer)
    after = state(performer)
    assert after.next_sync_at - run.finished_at == timedelta(
        seconds=settings.SYNC_INTERVAL_SHORT_SECONDS
    )
    assert after.last_ok_at == run.finished_at


def test_once_every_request_is_answered_the_account_is_synced_again_later(
    performer, sandbox, settings
):
    sync_account(account=performer)
    awaiting = performer.bookings.filter(
        direction=Direction.RECEIVED,
        status=Status.PENDING,
        accept_by__gt=timezone.now(),
        session_at__gt=timezone.now(),
    )
    assert awaiting.exists()
    for booking in awaiting:
        sandbox.patch_booking(
            service=booking.service, booking_id=booking.remote_id, Status="Rejected"
        )

    run = sync_account(account=performer)

    assert state(performer).next_sync_at - run.finished_at == timedelta(
        seconds=settings.SYNC_INTERVAL_LONG_SECONDS
    )


def test_an_account_with_no_bookings_is_synced_on_the_long_interval(
    sandbox, sandbox_users, owner, settings
):
    sandbox.reset(seed="empty")
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["IvyBlaze"])
    run = sync_account(account=account)
    assert state(account).next_sync_at - run.finished_at == timedelta(
        seconds=settings.SYNC_INTERVAL_LONG_SECONDS
    )


def test_only_a_received_request_that_can_still_be_accepted_shortens_the_interval(db, settings):
    account = connected()
    now = timezone.now()
    short = timedelta(seconds=settings.SYNC_INTERVAL_SHORT_SECONDS)
    long = timedelta(seconds=settings.SYNC_INTERVAL_LONG_SECONDS)
    # A request this account made waits on the other party, not on it.
    BookingFactory(account=account, direction=Direction.MADE, status=Status.PENDING)
    # Too late to accept.
    BookingFactory(account=account, status=Status.PENDING, accept_by=now - timedelta(minutes=1))
    BookingFactory(account=account, status=Status.ACCEPTED)
    assert sync_interval(account.pk, now=now) == long
    BookingFactory(account=account, status=Status.PENDING)
    assert sync_interval(account.pk, now=now) == short


# --- after a failure --------------------------------------------------------------------------


def test_a_429_postpones_the_next_sync_to_adultworks_retry_after(performer, sandbox):
    sandbox.add_fault(path=LIST_PATH, kind="ratelimit", retry_after=420)

    with pytest.raises(SyncFailed):
        sync_account(account=performer)

    after = state(performer)
    assert after.next_sync_at - after.last_error_at == timedelta(seconds=420)
    assert after.failures == 1


def test_server_errors_back_off_exponentially_up_to_the_cap(performer, sandbox, settings):
    settings.SYNC_INTERVAL_SHORT_SECONDS = 60
    settings.SYNC_BACKOFF_MAX_SECONDS = 300
    sandbox.add_fault(path=LIST_PATH, kind="status", status=503, times=None)

    delays = []
    for _ in range(5):
        with pytest.raises(SyncFailed):
            sync_account(account=performer)
        after = state(performer)
        delays.append(seconds(after.next_sync_at - after.last_error_at))

    assert delays == [60, 120, 240, 300, 300]
    assert state(performer).failures == 5


def test_a_good_sync_clears_the_error_and_the_back_off(performer, sandbox, settings):
    sandbox.add_fault(path=LIST_PATH, kind="status", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SyncFailed):
            sync_account(account=performer)
    failed = state(performer)
    assert "Webcam received bookings, page 1" in failed.last_error
    assert failed.failures == 2

    run = sync_account(account=performer)

    after = state(performer)
    assert (after.last_error, after.failures) == ("", 0)
    assert after.last_ok_at == run.finished_at
    assert after.next_sync_at - run.finished_at == timedelta(
        seconds=settings.SYNC_INTERVAL_SHORT_SECONDS
    )


def test_a_failing_account_leaves_another_accounts_schedule_alone(performer, other, sandbox):
    sync_account(account=other)
    others_before = SyncState.objects.filter(account=other).values().get()
    sandbox.add_fault(path=LIST_PATH, kind="status", status=503)

    with pytest.raises(SyncFailed):
        sync_account(account=performer)

    assert SyncState.objects.filter(account=other).values().get() == others_before
    failing = SyncState.objects.filter(account=performer).values().get()
    sync_account(account=other)
    assert SyncState.objects.filter(account=performer).values().get() == failing


# --- the task, and the full sync ---------------------------------------------------------------


def test_the_first_sync_of_an_account_is_a_full_one(performer):
    result = sync_account_task.call(performer.pk)
    assert result["ok"]
    assert result["full"]
    run = SyncRun.objects.get(account=performer)
    assert state(performer).last_full_at == run.started_at


def test_a_full_sync_is_due_once_the_last_one_is_older_than_the_full_interval(performer, settings):
    sync_account_task.call(performer.pk)
    interval = timedelta(seconds=settings.SYNC_FULL_INTERVAL_SECONDS)

    recent = timezone.now() - interval + timedelta(minutes=5)
    SyncState.objects.filter(account=performer).update(last_full_at=recent)
    assert sync_account_task.call(performer.pk)["full"] is False
    assert state(performer).last_full_at == recent

    old = timezone.now() - interval - timedelta(seconds=1)
    SyncState.objects.filter(account=performer).update(last_full_at=old)
    assert sync_account_task.call(performer.pk)["full"] is True
    run = SyncRun.objects.latest()
    assert run.full
    assert state(performer).last_full_at == run.started_at


def test_a_full_sync_is_due_first_and_then_once_a_full_interval_has_passed(db, settings):
    settings.SYNC_FULL_INTERVAL_SECONDS = 24 * 60 * 60
    day = timedelta(days=1)
    now = timezone.now()
    assert full_sync_due(None, now=now)
    never = SyncState(account=connected())
    assert full_sync_due(never, now=now)
    assert not full_sync_due(SyncState(last_full_at=now - day + timedelta(seconds=1)), now=now)
    assert full_sync_due(SyncState(last_full_at=now - day), now=now)


def test_a_requested_sync_runs_and_frees_the_account_for_the_next_one(performer):
    # The test settings run tasks at once, as a worker that was waiting would.
    assert request_sync(performer.pk) is True
    assert SyncRun.objects.get(account=performer).ok
    assert state(performer).queued_at is None
    assert request_sync(performer.pk) is True
    assert SyncRun.objects.filter(account=performer).count() == 2


def test_a_failed_sync_task_records_the_failure_and_frees_the_account(performer, sandbox):
    sandbox.add_fault(path=LIST_PATH, kind="status", status=500)
    SyncState.objects.create(account=performer, queued_at=timezone.now())

    result = sync_account_task.call(performer.pk)

    assert result["ok"] is False
    assert "page 1" in result["error"]
    after = state(performer)
    assert after.queued_at is None
    assert after.last_error == SyncRun.objects.get(account=performer).error


def test_the_task_skips_an_account_needing_reconnect_and_frees_it(db, queue):
    account = connected(reconnect_needed=True)
    SyncState.objects.create(account=account, queued_at=timezone.now())
    assert "skipped" in sync_account_task.call(account.pk)
    assert state(account).queued_at is None
    assert not SyncRun.objects.exists()


def test_task_results_older_than_the_setting_are_pruned_and_newer_ones_kept(db, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from bookings.tasks import prune_task_results

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_RESULTS_KEEP_DAYS = 2
    old, new = (prune_task_results.enqueue(), prune_task_results.enqueue())
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=3)
    )
    DBTaskResult.objects.filter(id=new.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=1)
    )
    prune_task_results.call()
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [new.id]
